package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
)

// audited records, in the ledger, every event batch applied or refused and
// every check the policy names, with who asked (audit.WhoFrom). A recorded
// check is answered only once its record is durable; when the ledger cannot
// take it, the check fails as unavailable (503) instead of being answered
// unrecorded.
type audited struct {
	httpapi.Authorizer
	rec    *audit.Recorder
	policy audit.Policy
	now    func() time.Time
	logger *slog.Logger
	// grants queues allowed decisions whose grant the worker explains and
	// records (KindGrant); skipped counts those dropped when it was full.
	grants  chan grantJob
	skipped atomic.Int64
	// alerts watches for bulk reads; hook, when set, is told of alerts.
	alerts *audit.BulkAccess
	hook   *audit.Webhook
	// explained holds when each recent question's grant was recorded.
	explained map[string]time.Time
	// placeOf, when set, names the practice of each decision's resource;
	// guesses remembers the last it named, to be confirmed (see Check).
	placeOf func(ctx context.Context, objs []domain.Object) ([]string, error)
	guesses placeGuesses
}

// placeGuesses remembers the practice last read for each recorded resource.
// A guess is never recorded as such: Check confirms it with SpiceDB in the
// same request as the decision, because a client's ID can move to another
// practice after client.deleted.
type placeGuesses struct {
	mu sync.Mutex
	m  map[domain.Object]string
}

// maxPlaceGuesses bounds the guesses kept (all are dropped when it is reached).
const maxPlaceGuesses = 100_000

func (g *placeGuesses) get(o domain.Object) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ws, ok := g.m[o]
	return ws, ok
}

func (g *placeGuesses) put(o domain.Object, ws string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil || len(g.m) >= maxPlaceGuesses {
		g.m = make(map[domain.Object]string)
	}
	g.m[o] = ws
}

type grantJob struct {
	decision *audit.Record
	q        domain.Question
}

// grantQueue bounds the allowed decisions waiting for their grant record;
// explainedGrants, the grants remembered by question and revision.
const (
	grantQueue      = 1024
	explainedGrants = 10000
)

// GrantReuse is how long a question's grant record stands for later
// decisions of the same question (see recordGrant).
const GrantReuse = time.Minute

func newAudited(auth httpapi.Authorizer, rec *audit.Recorder, policy audit.Policy, logger *slog.Logger) *audited {
	explained := make(map[string]time.Time)
	return &audited{Authorizer: auth, rec: rec, policy: policy, now: time.Now, logger: logger, grants: make(chan grantJob, grantQueue), explained: explained}
}

// AuditOptions are what Audited records and whom it tells.
type AuditOptions struct {
	Policy audit.Policy
	// Alerts, when set, raises an alert record (and a webhook) on bulk reads.
	Alerts *audit.BulkAccess
	// Webhook, when set, is sent every alert.
	Webhook *audit.Webhook
	// PlaceOf, when set, names the practice of each recorded decision's
	// resource (read beside the check), so decisions carry their workspace.
	PlaceOf func(ctx context.Context, objs []domain.Object) ([]string, error)
}

// Audited returns auth recording in rec as `ward serve` does (every event
// batch, and the checks opts.Policy names, each answered once its record is
// durable), with its grant worker running until stop is called.
func Audited(auth httpapi.Authorizer, rec *audit.Recorder, opts AuditOptions, logger *slog.Logger) (recorded httpapi.Authorizer, stop func()) {
	a := newAudited(auth, rec, opts.Policy, logger)
	a.alerts, a.hook, a.placeOf = opts.Alerts, opts.Webhook, opts.PlaceOf
	ctx, cancel := context.WithCancel(context.Background())
	go a.explainGrants(ctx)
	return a, cancel
}

// explainGrants records, for each queued decision, what gave the access,
// explained at the revision the decision read, until ctx ends.
func (a *audited) explainGrants(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-a.grants:
			a.recordGrant(ctx, job)
		}
	}
}

func (a *audited) recordGrant(ctx context.Context, job grantJob) {
	// A question explained in the last minute is not explained again: its
	// grant record (of the earlier decision) stands for the repeats, which
	// an app makes each time a screen opens. Explaining costs several
	// checks, and on PostgreSQL every record written starts a new revision,
	// so a cache by revision would never hit.
	d := job.decision
	key := d.Subject + " " + d.Permission + " " + d.Resource
	if at, ok := a.explained[key]; ok && d.Time.Sub(at) < GrantReuse {
		return
	}
	ex, _, err := a.Authorizer.Explain(ctx, job.q, d.ZedToken)
	if err != nil {
		a.logger.Warn("audit: could not explain a recorded decision", "seq", d.Seq, "error", err)
		return
	}
	var granting []domain.Reason
	for _, r := range ex.Reasons {
		if r.Grants {
			granting = append(granting, r)
		}
	}
	raw, err := json.Marshal(granting)
	if err != nil {
		return
	}
	g := &audit.Record{Time: a.now(), Kind: audit.KindGrant, RequestID: d.RequestID, Account: d.Account,
		Actor: d.Actor, Purpose: d.Purpose, Workspace: d.Workspace, Subject: d.Subject, Permission: d.Permission, Resource: d.Resource,
		ZedToken: d.ZedToken, Of: d.Seq, Grant: raw, Users: d.Users, Clients: d.Clients}
	if err := a.rec.Record(ctx, g); err != nil {
		a.logger.Warn("audit: could not record a decision's grant", "seq", d.Seq, "error", err)
		return
	}
	if len(a.explained) >= explainedGrants {
		clear(a.explained) // bounded; only this worker reads or writes it
	}
	a.explained[key] = d.Time
}

// watch counts an allowed read towards the bulk-access alert, and records
// and sends the alert when this read crosses the threshold.
func (a *audited) watch(ctx context.Context, r *audit.Record) {
	if a.alerts == nil || r.Allowed == nil || !*r.Allowed {
		return
	}
	count, crossed := a.alerts.Observe(r.Subject, r.Resource, r.Time)
	if !crossed {
		return
	}
	alert := audit.AlertRecord(r.Subject, r.Resource, count, a.alerts, a.now())
	alert.Users, alert.RequestID, alert.Account, alert.Workspace = r.Users, r.RequestID, r.Account, r.Workspace
	if err := a.rec.Record(context.WithoutCancel(ctx), alert); err != nil {
		a.logger.Error("audit: a bulk-access alert could not be recorded", "subject", r.Subject, "error", err)
	}
	a.logger.Warn("audit: bulk access", "subject", r.Subject, "distinct_records", count, "window", a.alerts.Window.String())
	a.hook.Send(audit.Notice{Type: audit.KindAlert, Record: *alert})
}

// checkPlaced answers q and names its resource's practice. With a guess
// from an earlier decision, one bulk check asks both q and whether the
// resource is still in the guessed practice (a direct relationship, cheap to
// check), at the same revision: one call instead of a check and a read. A
// guess SpiceDB does not confirm is read again.
func (a *audited) checkPlaced(ctx context.Context, q domain.Question, token string) (domain.Decision, string, error) {
	guess, ok := a.guesses.get(q.Resource)
	if a.placeOf == nil || !ok {
		place := a.places(ctx, []domain.Object{q.Resource})
		d, err := a.Authorizer.Check(ctx, q, token)
		if err != nil {
			return d, "", err
		}
		ws := place()[0]
		if ws != "" {
			a.guesses.put(q.Resource, ws)
		}
		return d, ws, nil
	}
	confirm := domain.Question{Subject: domain.Object{Type: domain.TypeWorkspace, ID: guess}, Permission: "workspace", Resource: q.Resource}
	ds, at, err := a.Authorizer.CheckBulk(ctx, []domain.Question{q, confirm}, token)
	if err != nil {
		return domain.Decision{}, "", err
	}
	if ds[0].Err != nil {
		return domain.Decision{}, "", ds[0].Err
	}
	d := domain.Decision{Allowed: ds[0].Allowed, Conditional: ds[0].Conditional, Missing: ds[0].Missing, Token: at}
	if ds[1].Err == nil && ds[1].Allowed {
		return d, guess, nil
	}
	ws := a.places(ctx, []domain.Object{q.Resource})()[0]
	a.guesses.put(q.Resource, ws)
	return d, ws, nil
}

// places starts reading the practice of each object, beside whatever the
// caller does meanwhile, and returns a function that waits for them ("" for
// an object of no practice, or for all when they could not be read: the
// decision is still recorded, without its workspace).
func (a *audited) places(ctx context.Context, objs []domain.Object) func() []string {
	out := make([]string, len(objs))
	if a.placeOf == nil || len(objs) == 0 {
		return func() []string { return out }
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		wss, err := a.placeOf(ctx, objs)
		if err != nil {
			a.logger.Warn("audit: could not read the practice of recorded decisions; they are recorded without it", "error", err)
			return
		}
		copy(out, wss)
	}()
	return func() []string { <-done; return out }
}

// queueGrant asks the worker to record what gave an allowed decision.
func (a *audited) queueGrant(r *audit.Record, q domain.Question) {
	if r.Allowed == nil || !*r.Allowed {
		return
	}
	select {
	case a.grants <- grantJob{decision: r, q: q}:
	default:
		if n := a.skipped.Add(1); n&(n-1) == 0 { // 1, 2, 4, 8, ...: say so, without flooding the log
			a.logger.Warn("audit: grant records skipped, the explaining worker is behind (decisions are all recorded)", "skipped", n)
		}
	}
}

func (a *audited) base(ctx context.Context, kind string) *audit.Record {
	who := audit.WhoFrom(ctx)
	r := &audit.Record{Time: a.now(), Kind: kind, RequestID: who.RequestID, Account: who.Account, Actor: who.Actor, Purpose: who.Purpose}
	if who.Actor != "" {
		r.Users = append(r.Users, personID(who.Actor))
	}
	return r
}

// personID is how records name a person for filtering: a user by their ID,
// a service account as "service_account:ID" (the planner's person key, so
// that user:widget and service_account:widget stay apart).
func personID(subject string) string {
	return strings.TrimPrefix(subject, domain.TypeUser+":")
}

// bareID is the ID of "type:ID" (or s, without a type).
func bareID(s string) string {
	if _, id, ok := strings.Cut(s, ":"); ok {
		return id
	}
	return s
}

// Apply applies events and records the batch, applied or refused. A batch
// that was applied but whose record failed is answered unavailable (503),
// saying that it was applied and must not be sent again (recordBatch).
//
// The notices the write left (an emergency opening's, to the owner) go to
// the webhook with the record of their practice's events, once recorded.
func (a *audited) Apply(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	res, err := a.Authorizer.Apply(ctx, events)
	if len(res.Events) == len(events) {
		events = res.Events // as applied: the grants a review named
	}
	recs, err := a.recordBatch(ctx, events, res, err)
	if err == nil {
		for _, n := range res.Notices {
			for _, r := range recs {
				if r.Workspace == n.Workspace {
					at := eventInRecord(events, n)
					a.hook.Send(audit.Notice{Type: n.Type, Notify: n.Notify, Event: &at, Record: *r})
				}
			}
		}
	}
	return res, err
}

// eventInRecord is where the event n is about sits in its practice's record,
// which holds that practice's events of the request in order.
func eventInRecord(events []domain.Event, n domain.Notice) int {
	at := 0
	for _, e := range events[:n.Index] {
		if e.Workspace == n.Workspace {
			at++
		}
	}
	return at
}

// Import is Apply's bulk form, recorded the same way.
func (a *audited) Import(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	res, err := a.Authorizer.Import(ctx, events)
	_, err = a.recordBatch(ctx, events, res, err)
	return res, err
}

// recordBatch records a batch and returns its records (none when the caller
// went away) with the error to answer.
func (a *audited) recordBatch(ctx context.Context, events []domain.Event, res domain.Applied, err error) ([]*audit.Record, error) {
	if errors.Is(err, context.Canceled) {
		return nil, err // the caller went away before anything was decided
	}
	recs, merr := a.batchRecords(ctx, events, res.Token, res.Notices, err)
	if merr != nil {
		return nil, errors.Join(err, merr)
	}
	if rerr := a.rec.Record(context.WithoutCancel(ctx), recs...); rerr != nil {
		if err != nil {
			return recs, errors.Join(err, rerr)
		}
		// Applied, but not recorded: say so rather than answer as if all
		// were well; the write stands (a retry would apply it twice).
		return recs, &domain.Error{Code: domain.CodeUnavailable, Index: -1,
			Message: "the events were applied (zedtoken " + res.Token + ") but the audit ledger did not take their record: do not send them again; " + rerr.Error()}
	}
	return recs, err
}

// batchRecords are a batch's records: one per practice its events name,
// each with that practice's events only, so that a practice's audit (all a
// key limited to it may read) holds every change made to it and nothing of
// another's. The records of one batch are appended together and share its
// request ID and zedtoken; when there are several, each says which of the
// request's events it holds (an error's index counts them all).
func (a *audited) batchRecords(ctx context.Context, events []domain.Event, token string, notices []domain.Notice, err error) ([]*audit.Record, error) {
	var order []string
	parts := make(map[string][]int)
	for i, e := range events {
		if _, ok := parts[e.Workspace]; !ok {
			order = append(order, e.Workspace)
		}
		parts[e.Workspace] = append(parts[e.Workspace], i)
	}
	// A refused event's error names its practice's people and IDs: only
	// that practice's part carries it, the others say where it was.
	var failed *domain.Error
	if errors.As(err, &failed) && (failed.Index < 0 || failed.Index >= len(events)) {
		failed = nil
	}
	recs := make([]*audit.Record, 0, len(order))
	for _, ws := range order {
		r := a.base(ctx, audit.KindEvents)
		r.ZedToken, r.Workspace = token, ws
		switch {
		case err == nil:
		case failed != nil && len(order) > 1 && events[failed.Index].Workspace != ws:
			r.Kind, r.Error = audit.KindRefused, fmt.Sprintf("refused with the rest of its request: the event at index %d, another practice's, was refused (%s)", failed.Index, failed.Code)
		default:
			r.Kind, r.Error = audit.KindRefused, err.Error()
		}
		mine := make([]domain.Event, 0, len(parts[ws]))
		for _, i := range parts[ws] {
			e := events[i]
			mine = append(mine, e)
			for _, u := range []string{e.User, e.Owner, e.To, e.Practitioner, e.Author} {
				if u != "" && !slices.Contains(r.Users, u) {
					r.Users = append(r.Users, u)
				}
			}
			if e.Client != "" && !slices.Contains(r.Clients, e.Client) {
				r.Clients = append(r.Clients, e.Client)
			}
		}
		// What the events touched without naming it (the opener and the
		// client of an opening reviewed or closed).
		for _, n := range notices {
			if n.Workspace != ws {
				continue
			}
			for _, u := range n.Users {
				if !slices.Contains(r.Users, u) {
					r.Users = append(r.Users, u)
				}
			}
			for _, c := range n.Clients {
				if !slices.Contains(r.Clients, c) {
					r.Clients = append(r.Clients, c)
				}
			}
		}
		raw, merr := json.Marshal(mine)
		if merr != nil {
			return nil, merr
		}
		r.Events = raw
		if len(order) > 1 {
			r.Detail = fmt.Sprintf("one of %d records of one atomic request over %d practices (the same request ID); it holds the request's events at index %s", len(order), len(order), indexList(parts[ws]))
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// indexList names ascending indexes as runs, "0-2, 5, 7-9"; past twenty
// runs it ends with how many indexes there are in all.
func indexList(is []int) string {
	var b strings.Builder
	runs := 0
	for n := 0; n < len(is); {
		end := n
		for end+1 < len(is) && is[end+1] == is[end]+1 {
			end++
		}
		if runs == 20 {
			fmt.Fprintf(&b, ", ... (%d in all)", len(is))
			break
		}
		if runs > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(is[n]))
		if end > n {
			b.WriteString("-" + strconv.Itoa(is[end]))
		}
		runs++
		n = end + 1
	}
	return b.String()
}

// Check answers q and records the decision when the policy names it.
func (a *audited) Check(ctx context.Context, q domain.Question, token string) (domain.Decision, error) {
	if !a.policy.Records(q.Resource.Type, q.Permission) {
		return a.Authorizer.Check(ctx, q, token)
	}
	d, ws, err := a.checkPlaced(ctx, q, token)
	if err != nil {
		return d, err
	}
	if err := a.recordDecision(ctx, q, d, ws); err != nil {
		return domain.Decision{}, err
	}
	return d, nil
}

// recordDecision records d, the answer to q about a record of practice ws,
// and queues what gave it and the alerts it may raise.
func (a *audited) recordDecision(ctx context.Context, q domain.Question, d domain.Decision, ws string) error {
	r := a.decision(ctx, q, d.Allowed, d.Missing)
	r.ZedToken = d.Token
	r.Workspace = ws
	if err := a.rec.Record(ctx, r); err != nil {
		return unrecorded(err)
	}
	a.queueGrant(r, q)
	a.watch(ctx, r)
	return nil
}

// Consume is Check that may use up a one-time grant: the decision is
// recorded as Check's, and the event that used the grant as a batch of
// events (with its notices), as Apply's.
func (a *audited) Consume(ctx context.Context, q domain.Question, token string) (domain.Decision, domain.Consumed, error) {
	d, used, err := a.Authorizer.Consume(ctx, q, token)
	if len(used.Events) > 0 {
		// The grant is used in its requester's name: the subject asked about.
		who := audit.WhoFrom(ctx)
		who.Actor = q.Subject.String()
		if _, rerr := a.recordBatch(audit.WithWho(ctx, who), used.Events, used.Applied, err); rerr != nil {
			return domain.Decision{}, used, rerr
		}
	}
	if err != nil || !a.policy.Records(q.Resource.Type, q.Permission) {
		return d, used, err
	}
	if err := a.recordDecision(ctx, q, d, a.places(ctx, []domain.Object{q.Resource})()[0]); err != nil {
		return domain.Decision{}, used, err
	}
	return d, used, nil
}

// CheckBulk answers qs and records each decision the policy names; when
// the ledger cannot take them, the whole bulk check fails.
func (a *audited) CheckBulk(ctx context.Context, qs []domain.Question, token string) ([]domain.BulkDecision, string, error) {
	ds, at, err := a.Authorizer.CheckBulk(ctx, qs, token)
	if err != nil {
		return ds, at, err
	}
	var recs []*audit.Record
	var asked []domain.Question
	for i, q := range qs {
		if ds[i].Err != nil || !a.policy.Records(q.Resource.Type, q.Permission) {
			continue
		}
		r := a.decision(ctx, q, ds[i].Allowed, ds[i].Missing)
		r.ZedToken = at
		recs, asked = append(recs, r), append(asked, q)
	}
	resources := make([]domain.Object, len(asked))
	for i, q := range asked {
		resources[i] = q.Resource
	}
	for i, ws := range a.places(ctx, resources)() {
		recs[i].Workspace = ws
	}
	if err := a.rec.Record(ctx, recs...); err != nil {
		return nil, "", unrecorded(err)
	}
	for i, r := range recs {
		a.queueGrant(r, asked[i])
		a.watch(ctx, r)
	}
	return ds, at, nil
}

func (a *audited) decision(ctx context.Context, q domain.Question, allowed bool, missing []string) *audit.Record {
	r := a.base(ctx, audit.KindDecision)
	r.Subject, r.Permission, r.Resource, r.Allowed = q.Subject.String(), q.Permission, q.Resource.String(), &allowed
	r.Missing = missing
	if q.Given != (domain.Given{}) {
		r.Context = &api.CheckContext{}
		if q.IP != "" {
			r.Context.IP = &q.IP
		}
		if q.Amount != "" {
			amount, _ := strconv.ParseFloat(q.Amount, 64) // ParseAmount's canonical decimal
			r.Context.Amount = &amount
		}
	}
	if u := personID(q.Subject.String()); !slices.Contains(r.Users, u) {
		r.Users = append(r.Users, u)
	}
	if q.Resource.Type == domain.TypeClient {
		r.Clients = []string{q.Resource.ID}
	}
	return r
}

func unrecorded(err error) error {
	return &domain.Error{Code: domain.CodeUnavailable, Index: -1,
		Message: "this check must be recorded and the audit ledger did not take its record, so it is not answered: retry shortly; " + err.Error()}
}

// KindReviewDue is audit.KindReviewDue, the records KeepTellingDueReviews
// writes.
const KindReviewDue = audit.KindReviewDue

// KeepTellingDueReviews looks for access reviews that fell due now and
// every `every`, until ctx ends: each practice's are recorded in the ledger
// (KindReviewDue, naming the people due) and sent to the webhook, to notify
// the owner and the people's managers. due marks what it returns as told,
// so each falling due is told once.
func KeepTellingDueReviews(ctx context.Context, due func(context.Context) ([]domain.DueReview, error), rec *audit.Recorder, hook *audit.Webhook, every time.Duration, logger *slog.Logger) {
	for {
		TellDueReviews(ctx, due, rec, hook, logger)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// TellDueReviews looks once for access reviews that fell due, and records
// and tells them.
func TellDueReviews(ctx context.Context, due func(context.Context) ([]domain.DueReview, error), rec *audit.Recorder, hook *audit.Webhook, logger *slog.Logger) {
	found, err := due(ctx)
	if err != nil && ctx.Err() == nil {
		logger.Warn("access reviews: looking for reviews that fell due failed; the next look tries again", "error", err)
	}
	for _, d := range found {
		r := &audit.Record{Time: time.Now().UTC(), Kind: KindReviewDue, Workspace: d.Workspace, Users: d.Users}
		if err := rec.Record(context.WithoutCancel(ctx), r); err != nil {
			logger.Error("access reviews: the ledger did not take a record of reviews due; they are marked told", "workspace", d.Workspace, "users", d.Users, "error", err)
			continue
		}
		hook.Send(audit.Notice{Type: KindReviewDue, Notify: d.Notify, Record: *r})
	}
}

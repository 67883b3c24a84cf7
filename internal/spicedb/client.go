package spicedb

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/retry"
)

// MaxUpdatesPerWrite bounds the relationship updates of one atomic event
// request, which Ward sends as one WriteRelationships call. SpiceDB's own
// default is 1,000; a role change writes out access for each of its holders, so
// Ward runs SpiceDB with this limit (an external SpiceDB needs
// --write-relationships-max-updates-per-call of at least this).
const MaxUpdatesPerWrite = domain.MaxChangesPerRequest

// Client is Ward's store over SpiceDB's permissions and schema services: it
// translates reads, writes, checks and lookups to SpiceDB's API and SpiceDB's
// answers and errors back, and nothing else (internal/service plans).
type Client struct {
	perms  v1.PermissionsServiceClient
	schema v1.SchemaServiceClient
	logger *slog.Logger
	// writing lets one WriteRelationships call of this process run at a time,
	// whatever its workspaces; reads and planning still overlap. SpiceDB runs
	// PostgreSQL writes SERIALIZABLE, and PostgreSQL's planner can read a
	// workspace's lock through an index keyed by types and relations only,
	// shared by every workspace's lock, where each write also inserts its new
	// lock: concurrent writes, even to different practices, then abort each
	// other and SpiceDB retries them whole (docs/performance.md, step 14).
	writing sync.Mutex
	// origin is the datastore SpiceDB's ZedTokens name, once learned
	// (checkOrigin).
	origin atomic.Pointer[string]
	// streamTimeout is SpiceDB's (Config.StreamTimeout).
	streamTimeout time.Duration
	// pages keeps whole lookup answers for paged lookups.
	pages *pageCache
	// cursorKey signs lookup cursors (Config.CursorKey).
	cursorKey []byte
	// chunked, when set, takes writes too large for one SpiceDB call
	// (Config.ChunkedWrites).
	chunked ChunkedWriter
	// large, when set, takes writes past MaxWriteBytes (Config.LargeWrites).
	large ChunkedWriter
	// heads, when set, gives reads the caller gave no token for a revision
	// taken after they arrived (Config.Head, Config.Barrier; fresh.go).
	heads *freshHeads
	// now is the clock questions are asked by (Config.Now).
	now func() time.Time
}

// Config tunes a Client; its zero value is Ward's defaults.
type Config struct {
	// Head, when set, returns a ZedToken of the datastore's newest revision,
	// asked of the datastore directly (Embedded.Head): checks and lookups
	// without a caller's token read at least as fresh as it, taken after they
	// arrived, instead of asking SpiceDB for full consistency (fresh.go).
	Head func(context.Context) (string, error)
	// Barrier, where Head is not set, does the same with the revision of an
	// empty write (Client.Barrier), for an external SpiceDB.
	Barrier bool
	// StreamTimeout is how long SpiceDB lets a stream run without sending a
	// message (--streaming-api-response-delay-timeout); 0 means its default,
	// DefaultStreamTimeout. An import is cancelled past it.
	StreamTimeout time.Duration
	// PageCacheEntries and PageCacheBytes bound the cache of whole lookup
	// answers that paged lookups are cut from (LookupResourcesPage): at most
	// this many answers, holding at most this many bytes of IDs. 0 means
	// DefaultPageCacheEntries and DefaultPageCacheBytes; negative entries turn
	// the cache off (every later page then repeats the lookup at its revision).
	PageCacheEntries int
	PageCacheBytes   int64
	// CursorKey signs lookup cursors (HMAC-SHA256), so that a caller cannot
	// choose the revision or the position a later page reads: a cursor Ward
	// did not answer is refused. Instances that serve each other's pages
	// need the same key; empty means a random key for this process.
	CursorKey []byte
	// ChunkedWrites, when set, applies a write of more than rowsPerStatement
	// updates in one transaction of the datastore itself
	// (Embedded.ChunkedWrites): on PostgreSQL SpiceDB's API runs it slowly,
	// and refuses it past 7,281 new relationships.
	ChunkedWrites ChunkedWriter
	// LargeWrites, when set, applies a write too large for one SpiceDB call
	// (MaxWriteBytes) in one transaction of the datastore itself
	// (Embedded.LargeWrites). Without it such a write is refused as too
	// large, as an external SpiceDB would refuse it.
	LargeWrites ChunkedWriter
	// Now is the clock questions are asked by (grants that start later count
	// from their start by it); nil means time.Now.
	Now func() time.Time
}

// New returns a client over conn with Ward's defaults.
func New(conn grpc.ClientConnInterface, logger *slog.Logger) *Client {
	return NewWithConfig(conn, logger, Config{})
}

// NewWithConfig returns a client over conn tuned by cfg.
func NewWithConfig(conn grpc.ClientConnInterface, logger *slog.Logger, cfg Config) *Client {
	c := &Client{
		perms: v1.NewPermissionsServiceClient(conn), schema: v1.NewSchemaServiceClient(conn), logger: logger,
		streamTimeout: cmp.Or(cfg.StreamTimeout, DefaultStreamTimeout),
		pages:         newPageCache(cmp.Or(cfg.PageCacheEntries, DefaultPageCacheEntries), cmp.Or(cfg.PageCacheBytes, DefaultPageCacheBytes)),
		cursorKey:     cfg.CursorKey,
		chunked:       cfg.ChunkedWrites,
		large:         cfg.LargeWrites,
		now:           cfg.Now,
	}
	if len(c.cursorKey) == 0 {
		c.cursorKey = make([]byte, 32)
		_, _ = rand.Read(c.cursorKey) // crypto/rand.Read never fails
	}
	switch {
	case cfg.Head != nil:
		c.heads = newFreshHeads(cfg.Head)
	case cfg.Barrier:
		c.heads = newFreshHeads(c.Barrier)
	}
	return c
}

// WriteSchema writes schema text and returns the schema as SpiceDB now holds it.
// SpiceDB refuses a schema that would orphan existing relationships, so an
// upgrade never harms data.
func (c *Client) WriteSchema(ctx context.Context, text string) (string, error) {
	if _, err := c.schema.WriteSchema(ctx, &v1.WriteSchemaRequest{Schema: text}); err != nil {
		return "", c.fail(ctx, "writing the schema", nil, "", err)
	}
	return c.ReadSchema(ctx)
}

// ReadSchema returns the schema SpiceDB holds ("" when none).
func (c *Client) ReadSchema(ctx context.Context) (string, error) {
	resp, err := c.schema.ReadSchema(ctx, &v1.ReadSchemaRequest{})
	if status.Code(err) == codes.NotFound {
		return "", nil // no schema written yet
	}
	if err != nil {
		return "", c.fail(ctx, "reading the schema", nil, "", err)
	}
	return resp.GetSchemaText(), nil
}

// pastStreamDeadline reports whether SpiceDB cancelled an import, which ran
// for ran, at its streaming timeout. SpiceDB cancels a stream that has sent
// nothing for that long, and an import sends nothing until it has written
// everything, in one transaction. v1.57.1 on PostgreSQL reports that as
// DeadlineExceeded, or, when the cancellation closes its datastore connection
// first (one run in three here), as Canceled or Unknown; then only the time
// the stream ran, and a SpiceDB that still answers, tell it apart.
func (c *Client) pastStreamDeadline(ctx context.Context, err error, ran time.Duration) bool {
	if ctx.Err() != nil {
		return false // the caller went away
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		return true
	case codes.Canceled, codes.Unknown, codes.Internal:
		return ran >= c.streamTimeout && c.probe(ctx, consistency("")) == nil
	}
	return false
}

// attempts bounds how often a call without effect is made when it fails for
// a reason that may pass (SpiceDB's own datastore timing out, SpiceDB
// restarting).
const attempts = 3

// again makes call, which must have no effect (a read or a check), and makes
// it again after a short wait when it failed for a reason that may pass, up
// to attempts times in all. On PostgreSQL, SpiceDB with a cold schema cache
// (just started or restarted) can fail a request with "unable to read
// namespace config: ... i/o timeout", and that should not fail Ward's request.
// It returns call's last error as SpiceDB gave it, or the caller's
// cancellation while waiting.
func (c *Client) again(ctx context.Context, call func() error) error {
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || attempt == attempts || !mayPass(err) {
			return err
		}
		c.logger.Debug("SpiceDB call failed; trying again", "attempt", attempt, "error", err)
		// backoff's ceiling doubles from 1 ms by attempt: start it at 16 ms, as a
		// datastore that timed out needs longer than a lost write race.
		if err := retry.Wait(ctx, attempt+3); err != nil {
			return err // the caller's own cancellation
		}
	}
}

// mayPass reports whether a failed SpiceDB call may succeed if made again:
// not the caller's cancellation, and not a request SpiceDB refused as such.
func mayPass(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch status.Code(err) {
	case codes.Unknown, codes.Internal, codes.Unavailable, codes.Aborted, codes.ResourceExhausted:
		return true
	}
	return false
}

// clock is the moment a question is asked at (Config.Now).
func (c *Client) clock() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}

func checkRequest(q domain.Question, cons *v1.Consistency, at time.Time) (*v1.CheckPermissionRequest, error) {
	c, err := questionContext(q.Given, at)
	return &v1.CheckPermissionRequest{
		Consistency: cons,
		Resource:    toObject(q.Resource),
		Permission:  q.Permission,
		Subject:     &v1.SubjectReference{Object: toObject(q.Subject)},
		Context:     c,
	}, err
}

// Check answers one question, reading at least as fresh as token (or at the
// newest revision when token is "").
func (c *Client) Check(ctx context.Context, q domain.Question, token string) (domain.Decision, error) {
	d, _, err := c.check(ctx, q, token, false)
	return d, err
}

// CheckTraced is Check with SpiceDB's own trace of how it answered: every
// sub-question it asked, down to the stored relations it looked up.
func (c *Client) CheckTraced(ctx context.Context, q domain.Question, token string) (domain.Decision, domain.TraceNode, error) {
	return c.check(ctx, q, token, true)
}

func (c *Client) check(ctx context.Context, q domain.Question, token string, traced bool) (domain.Decision, domain.TraceNode, error) {
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return domain.Decision{}, domain.TraceNode{}, err
	}
	at := c.clock()
	req, err := checkRequest(q, cons, at)
	if err != nil {
		return domain.Decision{}, domain.TraceNode{}, err
	}
	req.WithTracing = traced
	var resp *v1.CheckPermissionResponse
	if err := c.again(ctx, func() (err error) {
		resp, err = c.perms.CheckPermission(ctx, req)
		return err
	}); err != nil {
		return domain.Decision{}, domain.TraceNode{}, c.fail(ctx, "checking a permission", cons, tokenField(token), err)
	}
	cond, missing := conditional(resp.GetPermissionship(), resp.GetPartialCaveatInfo())
	return domain.Decision{
		Allowed:     resp.GetPermissionship() == v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION,
		Conditional: cond,
		Missing:     missing,
		Token:       resp.GetCheckedAt().GetToken(),
		At:          at,
	}, fromTrace(resp.GetDebugTrace().GetCheck()), nil
}

// CheckBulk answers many questions in one SpiceDB call, in order, and
// returns the revision SpiceDB checked them at.
func (c *Client) CheckBulk(ctx context.Context, qs []domain.Question, token string) ([]domain.BulkDecision, string, error) {
	const op = "checking permissions"
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return nil, "", err
	}
	req := &v1.CheckBulkPermissionsRequest{Consistency: cons}
	at := c.clock()
	now := nowContext(at)
	for _, q := range qs {
		item := &v1.CheckBulkPermissionsRequestItem{
			Resource: toObject(q.Resource), Permission: q.Permission, Subject: &v1.SubjectReference{Object: toObject(q.Subject)}, Context: now,
		}
		if q.Given != (domain.Given{}) {
			if item.Context, err = questionContext(q.Given, at); err != nil {
				return nil, "", atIndex(err, len(req.Items))
			}
		}
		req.Items = append(req.Items, item)
	}
	var resp *v1.CheckBulkPermissionsResponse
	if err := c.again(ctx, func() (err error) {
		resp, err = c.perms.CheckBulkPermissions(ctx, req)
		return err
	}); err != nil {
		return nil, "", c.fail(ctx, op, cons, tokenField(token), err)
	}
	out := make([]domain.BulkDecision, len(qs))
	tokenChecked := token == ""
	for i, pair := range resp.GetPairs() {
		if i >= len(out) {
			break
		}
		if e := pair.GetError(); e != nil {
			err := status.FromProto(e).Err()
			if code := status.Code(err); !tokenChecked && (code == codes.InvalidArgument || code == codes.OutOfRange) {
				// SpiceDB v1.57.1 on memdb answers a token from the future
				// with an error in every item and that very token as the
				// revision checked at: the whole request is the token's fault.
				tokenChecked = true
				if ferr := c.fail(ctx, op, cons, fieldZedToken, err); fieldOf(ferr) == fieldZedToken {
					return nil, "", ferr
				}
			}
			out[i] = domain.BulkDecision{Err: atIndex(translateErr("checking this item", err), i)}
			c.logger.Warn("bulk check item failed", "index", i, "error", err)
			continue
		}
		cond, missing := conditional(pair.GetItem().GetPermissionship(), pair.GetItem().GetPartialCaveatInfo())
		out[i] = domain.BulkDecision{Allowed: pair.GetItem().GetPermissionship() == v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION, Conditional: cond, Missing: missing}
	}
	return out, resp.GetCheckedAt().GetToken(), nil
}

// tokenField is the request field a caller's token came in, "" for none.
func tokenField(token string) string {
	if token == "" {
		return ""
	}
	return fieldZedToken
}

// fieldOf is the request field err is about, "" for none.
func fieldOf(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// atIndex places err at item i of a request.
func atIndex(err error, i int) error {
	var e *domain.Error
	if errors.As(err, &e) {
		e.Index = i
	}
	return err
}

// lookup is one lookup question: the resources of resourceType that object
// (a subject) reaches, or, with subjects, the users who reach object.
type lookup struct {
	subjects     bool
	object       domain.Object
	permission   string
	resourceType string
	given        domain.Given // what the lookup gives the conditions of grants
	at           time.Time    // the moment asked at
}

func (l lookup) op() string {
	if l.subjects {
		return "looking up subjects"
	}
	return "looking up resources"
}

// lookup answers l at cons: what it found, sorted by ID and without
// repeats (with what needs more context when l.given asks for it), and the
// revision read ("" when nothing was found: SpiceDB then streams no answer to
// carry one). field is where cons's revision came from, for errors.
func (c *Client) lookup(ctx context.Context, l lookup, cons *v1.Consistency, field string) ([]domain.Found, string, error) {
	fail := func(err error) error { return c.fail(ctx, l.op(), cons, field, err) }
	if l.subjects {
		return c.lookupSubjects(ctx, l, cons, fail)
	}
	req, err := lookupResourcesRequest(l.object, l.permission, l.resourceType, l.given, cons, l.at)
	if err != nil {
		return nil, "", err
	}
	stream, err := c.perms.LookupResources(ctx, req)
	return collectFound(stream, err, fail, lookedUpResource, l.given.Conditional)
}

// lookupSubjects finds the users, then at the same revision the service
// accounts, who reach l.object: users by ID, service accounts as
// "service_account:ID" (domain.PersonRef names both), sorted together.
func (c *Client) lookupSubjects(ctx context.Context, l lookup, cons *v1.Consistency, fail func(error) error) ([]domain.Found, string, error) {
	given, err := questionContext(l.given, l.at)
	if err != nil {
		return nil, "", err
	}
	ask := func(typ string, cons *v1.Consistency) ([]domain.Found, string, error) {
		stream, err := c.perms.LookupSubjects(ctx, &v1.LookupSubjectsRequest{
			Consistency: cons, Resource: toObject(l.object), Permission: l.permission, SubjectObjectType: typ, Context: given,
		})
		return collectFound(stream, err, fail, lookedUpSubject, l.given.Conditional)
	}
	users, readAt, err := ask(domain.TypeUser, cons)
	if err != nil {
		return nil, "", err
	}
	if readAt != "" {
		cons = exactly(readAt)
	}
	accounts, accountsAt, err := ask(domain.TypeServiceAccount, cons)
	if err != nil {
		return nil, "", err
	}
	if readAt == "" {
		readAt = accountsAt
	}
	for _, f := range accounts {
		users = append(users, domain.Found{ID: domain.ServiceAccountKey(f.ID), Missing: f.Missing})
	}
	slices.SortFunc(users, byID)
	return users, readAt, nil
}

func lookupResourcesRequest(subject domain.Object, permission, resourceType string, given domain.Given, cons *v1.Consistency, at time.Time) (*v1.LookupResourcesRequest, error) {
	c, err := questionContext(given, at)
	return &v1.LookupResourcesRequest{
		Context:            c,
		Consistency:        cons,
		ResourceObjectType: resourceType,
		Permission:         permission,
		Subject:            &v1.SubjectReference{Object: toObject(subject)},
	}, err
}

// lookedUpResource is one LookupResources answer's ZedToken and what it
// found: allowed outright, or conditional with the context it needs
// (Found.Missing).
func lookedUpResource(r *v1.LookupResourcesResponse) (string, domain.Found, bool) {
	f, ok := lookedUp(r.GetResourceObjectId(), r.GetPermissionship(), r.GetPartialCaveatInfo())
	return r.GetLookedUpAt().GetToken(), f, ok
}

// lookedUpSubject is lookedUpResource for LookupSubjects; a wildcard is not a user.
func lookedUpSubject(r *v1.LookupSubjectsResponse) (string, domain.Found, bool) {
	s := r.GetSubject()
	f, ok := lookedUp(s.GetSubjectObjectId(), s.GetPermissionship(), s.GetPartialCaveatInfo())
	return r.GetLookedUpAt().GetToken(), f, ok && f.ID != "*"
}

// lookedUp reads one lookup result: what it found, and whether it is one
// (allowed outright, or conditional with the context it needs).
func lookedUp(id string, p v1.LookupPermissionship, info *v1.PartialCaveatInfo) (domain.Found, bool) {
	switch p {
	case v1.LookupPermissionship_LOOKUP_PERMISSIONSHIP_HAS_PERMISSION:
		return domain.Found{ID: id}, true
	case v1.LookupPermissionship_LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION:
		missing := missingOf(info)
		if len(missing) == 0 {
			missing = []string{"context"} // SpiceDB named none: say it is conditional all the same
		}
		return domain.Found{ID: id, Missing: missing}, true
	}
	return domain.Found{}, false
}

func byID(a, b domain.Found) int { return strings.Compare(a.ID, b.ID) }

// StreamResources calls emit with each ID of resourceType on which subject
// has permission, as SpiceDB finds it and only the first time, and returns the
// ZedToken of the revision read. An error from emit stops the stream.
//
// It asks one unlimited LookupResources. A limited one answered its first
// page sooner, but SpiceDB v1.57.1 can hang a limited lookup for good: once
// the limit is met it cancels the branches still running, and a branch whose
// task runner starts on a cancelled context waits for a task nothing will run
// (1 of 400 limited lookups of 250 clients, four at a time, never ended here;
// docs/performance.md, step 31).
func (c *Client) StreamResources(ctx context.Context, subject domain.Object, permission, resourceType string, given domain.Given, token string, emit func(domain.Found) error) (string, error) {
	const op = "looking up resources"
	cons, err := c.callerConsistency(ctx, token)
	if err != nil {
		return "", err
	}
	req, err := lookupResourcesRequest(subject, permission, resourceType, given, cons, c.clock())
	if err != nil {
		return "", err
	}
	stream, err := c.perms.LookupResources(ctx, req)
	readAt, err := streamFound(stream, err, func(err error) error { return c.fail(ctx, op, cons, tokenField(token), err) }, lookedUpResource, given.Conditional, emit)
	if err != nil {
		return readAt, err
	}
	return c.answeredAt(ctx, cons, readAt)
}

// answeredAt is the ZedToken of a lookup read with cons: the one SpiceDB
// answered with its results (readAt), or, for an empty answer, which names
// none, the token it was asked at least as fresh as or exactly at, or else
// the revision of a read made after it (so, at least as fresh). Every
// answer carries a token.
func (c *Client) answeredAt(ctx context.Context, cons *v1.Consistency, readAt string) (string, error) {
	if readAt != "" {
		return readAt, nil
	}
	if t := tokenOf(cons); t != "" {
		return t, nil
	}
	resp, err := c.schema.ReadSchema(ctx, &v1.ReadSchemaRequest{})
	if err != nil {
		return "", translateErr("reading the revision of an empty lookup", err)
	}
	return resp.GetReadAt().GetToken(), nil
}

// exactly reads at exactly the revision of token, or at the newest revision
// when token is "".
func exactly(token string) *v1.Consistency {
	if token == "" {
		return consistency("")
	}
	return &v1.Consistency{Requirement: &v1.Consistency_AtExactSnapshot{AtExactSnapshot: &v1.ZedToken{Token: token}}}
}

// collectFound drains a lookup stream into what it found, sorted by ID
// without repeats; fail translates SpiceDB's errors.
func collectFound[R any](stream interface{ Recv() (R, error) }, err error, fail func(error) error, item func(R) (string, domain.Found, bool), conditional bool) ([]domain.Found, string, error) {
	var out []domain.Found
	readAt, err := streamFound(stream, err, fail, item, conditional, func(f domain.Found) error {
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(out, byID)
	return out, readAt, nil
}

// streamFound calls emit with each ID a lookup stream finds allowed outright,
// as it comes and only the first time, and returns the ZedToken it read at.
// With conditional, it then emits, sorted, the IDs found only conditionally
// (SpiceDB may find one both ways; the outright answer stands), with all the
// context each needs. An error from emit stops the stream.
func streamFound[R any](stream interface{ Recv() (R, error) }, err error, fail func(error) error, item func(R) (string, domain.Found, bool), conditional bool, emit func(domain.Found) error) (string, error) {
	if err != nil {
		return "", fail(err)
	}
	readAt := ""
	seen := map[string]struct{}{}
	needs := map[string][]string{}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return readAt, fail(err)
		}
		token, f, ok := item(resp)
		readAt = token
		if _, dup := seen[f.ID]; !ok || dup {
			continue
		}
		if f.Conditional() {
			if conditional {
				needs[f.ID] = append(needs[f.ID], f.Missing...)
			}
			continue
		}
		seen[f.ID] = struct{}{}
		if err := emit(f); err != nil {
			return readAt, err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(needs)) {
		if _, outright := seen[id]; outright {
			continue
		}
		missing := needs[id]
		slices.Sort(missing)
		if err := emit(domain.Found{ID: id, Missing: slices.Compact(missing)}); err != nil {
			return readAt, err
		}
	}
	return readAt, nil
}

// exportBatch is how many relationships Ward asks for in one message of an
// export: relationships with business hours carry them, up to some 10 KB
// each, and a batch must stay within receiveLarge.
const exportBatch = 1000

// receiveLarge lets Ward's calls receive messages of up to 64 MiB, past
// gRPC's default of 4 MiB: one batch of an export of relationships that
// carry long business hours is larger than that.
var receiveLarge = grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64 << 20))

// Export streams every relationship in SpiceDB, at the newest revision.
func (c *Client) Export(ctx context.Context, fn func(domain.Relationship) error) error {
	cons := consistency("")
	stream, err := c.perms.ExportBulkRelationships(ctx, &v1.ExportBulkRelationshipsRequest{Consistency: cons, OptionalLimit: exportBatch})
	if err != nil {
		return c.fail(ctx, "exporting relationships", cons, "", err)
	}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return c.fail(ctx, "exporting relationships", cons, "", err)
		}
		for _, r := range resp.GetRelationships() {
			if err := fn(fromRelationship(r)); err != nil {
				return err
			}
		}
	}
}

// Ping reports whether SpiceDB answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.schema.ReadSchema(ctx, &v1.ReadSchemaRequest{})
	if err == nil {
		return nil
	}
	if e := c.fail(ctx, "reaching SpiceDB", nil, "", err); domain.ErrorCode(e) == domain.CodeUnavailable {
		return e
	}
	return nil
}

package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
)

// EndToken in a step's events stands for one moment a few seconds (endsIn;
// more when Run runs the story again) after the scenario first names it (the
// same moment in every later step), so that a story can give access an end
// and, in a later PastEnd step, check with no write in between that the
// access ended by itself. In an explanation's text it
// stands for the same moment, as explain writes it.
const EndToken = "{{end}}"

// DayBeforeEndToken stands for one day before EndToken's moment: a sign-in
// (staff.seen at) whose one-day inactivity runs out at that moment.
const DayBeforeEndToken = "{{end-1d}}"

// LaterToken stands for one moment thirty days after the scenario starts
// (to the hour, the same in every step): an end that does not pass while
// the scenario runs, yet within the bounds Ward keeps on how long some
// grants last (a delegation's year, say).
const LaterToken = "{{later}}"

// Later is the moment LaterToken stands for when a scenario starts at now,
// as RFC 3339.
func Later(now time.Time) string {
	return now.Add(30 * 24 * time.Hour).Truncate(time.Hour).UTC().Format(time.RFC3339)
}

// HoursToken in a step's events, "{{hours-now:ZONE}}" or
// "{{hours-later:ZONE}}", stands for business hours in the IANA zone ZONE
// whose one window holds the moment the step applies its events (from 90
// minutes before to 90 after, across midnight when that is where it falls),
// or begins three hours after it: what a check soon after finds open, or
// closed.
var hoursTokens = regexp.MustCompile(`\{\{hours-(now|later):([A-Za-z_/+-]+)\}\}`)

// hoursAround is the hours a HoursToken stands for at now.
func hoursAround(t *testing.T, now time.Time, zone string, open bool) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatalf("hours token: %v", err)
	}
	from, to := now.In(loc).Add(-90*time.Minute), now.In(loc).Add(90*time.Minute)
	if !open {
		from, to = now.In(loc).Add(3*time.Hour), now.In(loc).Add(4*time.Hour)
	}
	day := strings.ToLower(from.Weekday().String()[:3])
	return fmt.Sprintf(`{"timezone":%q,"windows":[{"days":[%q],"from":%q,"to":%q}]}`, zone, day, from.Format("15:04"), to.Format("15:04"))
}

const (
	// endsIn leaves time for the steps before the end to apply and ask. A run
	// whose asks before the end come back after it is run again with a longer
	// window, up to maxEndsIn (see Run).
	endsIn     = 5 * time.Second
	maxEndsIn  = 80 * time.Second
	endsGrowth = 4
	// endSlack is how long after the end a PastEnd step asks.
	endSlack = 1500 * time.Millisecond
)

// Client is one way of talking to Ward: the Go adapter, the HTTP API, the CLI,
// or any of them against containers. Answers use "type:id" strings.
type Client interface {
	// Apply applies events (JSON Lines) on behalf of actor ("user:ID"; ""
	// for none), as one request.
	Apply(events, actor string) (touched, deleted int, err error)
	// BreakGlass lists a practice's emergency openings q asks for (its
	// cursor and limit aside), every page.
	BreakGlass(workspace string, q domain.BreakGlassQuery) ([]domain.BreakGlass, error)
	// AccessRequests lists a practice's requests for access q asks for (its
	// Limit and Cursor unset: every page).
	AccessRequests(workspace string, q domain.AccessRequestQuery) ([]domain.AccessRequest, error)
	// Delegations lists a practice's delegations q asks for (its Limit and
	// Cursor unset: every page).
	Delegations(workspace string, q domain.DelegationQuery) ([]domain.Delegation, error)
	// AccessReview lists a practice's access review q asks for (its Limit
	// and Cursor unset: every page).
	AccessReview(workspace string, q domain.AccessReviewQuery) ([]domain.AccessReview, error)
	Check(c Check) (bool, error)
	// Consume asks c as a check that may use up a one-time grant, and
	// returns the grant used ("access_request:WORKSPACE/ID", or "").
	Consume(c Check) (allowed bool, consumed string, err error)
	LookupResources(subject, permission, resourceType, ip string) ([]string, error)
	LookupSubjects(resource, permission, ip string) ([]string, error)
	Explain(c Check) (allowed bool, reasons []string, err error)
}

// ConditionalLooker is a Client whose lookups can list too what would be
// allowed with more context: the results allowed outright, and the others
// ("type:id") with the context each needs.
type ConditionalLooker interface {
	LookupConditional(l Lookup) (outright []string, conditional map[string][]string, err error)
}

// ConditionalChecker is a Client whose answers say when they depend on
// context the question did not give, and which.
type ConditionalChecker interface {
	CheckConditional(c Check) (conditional bool, missing []string, err error)
}

// BulkChecker is a Client that can also ask many questions at once.
type BulkChecker interface {
	CheckBulk(cs []Check) ([]bool, error)
}

// AccessAuditor is a Client that can list written-out access naming someone
// who is not an enabled member of its practice (as "relationship" strings).
// Clients, appointments and invoices rely on there being none.
type AccessAuditor interface {
	InactiveAccess() ([]string, error)
}

// AnyToken in an explanation's text stands for any text (a time the
// scenario cannot know).
const AnyToken = "{{any}}"

// matches reports whether a reason's text is want, where AnyToken in want
// stands for any text.
func matches(want string) func(string) bool {
	parts := strings.Split(want, AnyToken)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	return re.MatchString
}

// refused reports whether err is a conflict, as each client reports one:
// the domain's error, the HTTP client's 409, or the CLI's words for it.
func refused(err error) bool {
	var de *domain.Error
	var he *client.Error
	switch {
	case errors.As(err, &de):
		return de.Code == domain.CodeConflict
	case errors.As(err, &he):
		return he.Status == http.StatusConflict
	}
	return strings.Contains(err.Error(), "(HTTP 409)")
}

// tooLate stops a run whose answers came after the end they were to
// precede: what step reported, which proves nothing.
type tooLate struct {
	step   int
	report string
}

// asker reports a run's failures to t, unless the answer came back after
// the end of access that the step asks before (the run proves nothing then:
// it stops, and Run runs the story again with more time).
type asker struct {
	t      *testing.T
	end    time.Time // the moment EndToken stands for; zero until named
	later  string    // what LaterToken stands for
	waited bool      // whether a PastEnd step has waited for it
	step   int
}

// times puts the moments EndToken, DayBeforeEndToken and LaterToken stand
// for into s, as events and Ward's texts write them.
func (a *asker) times(s string) string {
	end := a.end.UTC()
	return strings.NewReplacer(EndToken, end.Format(time.RFC3339), DayBeforeEndToken, end.Add(-24*time.Hour).Format(time.RFC3339),
		LaterToken, a.later).Replace(s)
}

func (a *asker) late() bool {
	return !a.end.IsZero() && !a.waited && !time.Now().Before(a.end)
}

func (a *asker) Errorf(format string, args ...any) {
	a.t.Helper()
	if a.late() {
		panic(tooLate{a.step, fmt.Sprintf(format, args...)})
	}
	a.t.Errorf(format, args...)
}

func (a *asker) Fatalf(format string, args ...any) {
	a.t.Helper()
	if a.late() {
		panic(tooLate{a.step, fmt.Sprintf(format, args...)})
	}
	a.t.Fatalf(format, args...)
}

// Run applies Base and then the scenario's steps through a client that
// newClient makes, failing t on any answer that differs from the story.
// A story that gives access an end ({{end}}) asks its questions before that
// end within endsIn; on a loaded machine they can come back after it, and a
// wrong answer (or an error) then proves nothing. Run then logs it and runs
// the whole story again, on newClient(1), newClient(2), ... (each must start
// from a fresh datastore), with a window endsGrowth times longer, up to
// maxEndsIn. Answers that came back before the end fail t at once, as do
// all answers once a PastEnd step has waited for it; a story that failed
// so is not run again.
func Run(t *testing.T, sc Scenario, newClient func(try int) Client) {
	t.Helper()
	runWithin(t, sc, newClient, endsIn, maxEndsIn)
}

// runWithin is Run with access ending first window after it is named, and
// at most most after.
func runWithin(t *testing.T, sc Scenario, newClient func(try int) Client, window, most time.Duration) {
	t.Helper()
	for try := 0; ; try, window = try+1, window*endsGrowth {
		late := runOnce(t, sc, newClient(try), window)
		switch {
		case late == nil || t.Failed():
			return
		case window >= most:
			t.Fatalf("step %d asks before the end of access, %s after a step named it, and its answers came back after the end: this machine answers too slowly for the story; the last: %s", late.step, window, late.report)
		}
		t.Logf("step %d asks before the end of access, %s after a step named it, and came back after the end with %q: running the story again with %s", late.step, window, late.report, window*endsGrowth)
	}
}

// runOnce runs sc through c with access ending window after the first step
// that names EndToken. late is what a step reported after that end, before
// any step waited for it (nil: none did).
func runOnce(t *testing.T, sc Scenario, c Client, window time.Duration) (late *tooLate) {
	t.Helper()
	a := &asker{t: t, later: Later(time.Now())}
	defer func() {
		if r := recover(); r != nil {
			stop, ok := r.(tooLate)
			if !ok {
				panic(r)
			}
			late = &stop
		}
	}()
	if _, _, err := c.Apply(Base, ""); err != nil {
		t.Fatalf("base practice: %v", err)
	}
	for i, step := range sc.Steps {
		a.step = i
		if step.PastEnd {
			if a.end.IsZero() {
				t.Fatalf("step %d waits for the end, but no earlier step named {{end}}", i)
			}
			time.Sleep(time.Until(a.end) + endSlack)
			a.waited = true
		}
		if step.Events != "" {
			if a.end.IsZero() && (strings.Contains(step.Events, EndToken) || strings.Contains(step.Events, DayBeforeEndToken)) {
				a.end = time.Now().Add(window).Truncate(time.Second)
			}
			events := a.times(step.Events)
			events = hoursTokens.ReplaceAllStringFunc(events, func(token string) string {
				m := hoursTokens.FindStringSubmatch(token)
				return hoursAround(t, time.Now(), m[2], m[1] == "now")
			})
			touched, deleted, err := c.Apply(events, step.Actor)
			if step.Refused != "" {
				want := a.times(step.Refused)
				if err == nil || !refused(err) || !strings.Contains(err.Error(), want) {
					a.Fatalf("step %d: applying events as %q: got %v, want a conflict saying %q", i, step.Actor, err, want)
				}
			} else if err != nil {
				a.Fatalf("step %d: applying events: %v", i, err)
			}
			if step.NoChange && (touched != 0 || deleted != 0) {
				a.Errorf("step %d: re-applied events wrote %d and deleted %d relationships", i, touched, deleted)
			}
			if aa, ok := c.(AccessAuditor); ok {
				if stray, err := aa.InactiveAccess(); err != nil {
					a.Fatalf("step %d: reading written-out access: %v", i, err)
				} else if len(stray) > 0 {
					a.Errorf("step %d: written-out access of someone not an enabled member: %v", i, stray)
				}
			}
		}
		for _, chk := range step.Checks {
			allowed, err := c.Check(chk)
			if err != nil {
				a.Fatalf("step %d: check %v: %v", i, chk, err)
			}
			if allowed != chk.Allowed {
				a.Errorf("step %d: %s %s %s (amount %q, ip %q): allowed=%v, want %v", i, chk.Subject, chk.Permission, chk.Resource, chk.Amount, chk.IP, allowed, chk.Allowed)
			}
			if cc, ok := c.(ConditionalChecker); ok {
				conditional, missing, err := cc.CheckConditional(chk)
				if err != nil {
					a.Fatalf("step %d: check %v: %v", i, chk, err)
				}
				if conditional != chk.Conditional || (conditional && !slices.Equal(missing, chk.Missing)) {
					a.Errorf("step %d: %s %s %s (amount %q, ip %q): conditional=%v missing %v, want conditional=%v missing %v", i, chk.Subject, chk.Permission, chk.Resource, chk.Amount, chk.IP, conditional, missing, chk.Conditional, chk.Missing)
				}
			}
		}
		if bc, ok := c.(BulkChecker); ok && len(step.Checks) > 0 {
			got, err := bc.CheckBulk(step.Checks)
			if err != nil {
				a.Fatalf("step %d: bulk check: %v", i, err)
			}
			for j, allowed := range got {
				if allowed != step.Checks[j].Allowed {
					a.Errorf("step %d: bulk %v: allowed=%v", i, step.Checks[j], allowed)
				}
			}
		}
		for _, u := range step.Consumes {
			allowed, consumed, err := c.Consume(u.Check)
			if err != nil {
				a.Fatalf("step %d: check with consume %v: %v", i, u.Check, err)
			}
			if allowed != u.Allowed || consumed != u.Consumed {
				a.Errorf("step %d: %s %s %s with consume: allowed=%v consumed %q, want allowed=%v consumed %q", i, u.Subject, u.Permission, u.Resource, allowed, consumed, u.Allowed, u.Consumed)
			}
		}
		for _, l := range step.Lookups {
			var got []string
			var err error
			if l.Subject != "" {
				got, err = c.LookupResources(l.Subject, l.Permission, l.ResourceType, l.IP)
			} else {
				got, err = c.LookupSubjects(l.Resource, l.Permission, l.IP)
			}
			if err != nil {
				a.Fatalf("step %d: lookup %+v: %v", i, l, err)
			}
			if !slices.Equal(got, l.Want) && !(len(got) == 0 && len(l.Want) == 0) {
				a.Errorf("step %d: lookup %+v: got %v", i, l, got)
			}
			if l.Conditional == nil {
				continue
			}
			cl, ok := c.(ConditionalLooker)
			if !ok {
				a.Fatalf("step %d asks a lookup for what is conditional, and this client cannot: every client must", i)
			}
			got, cond, err := cl.LookupConditional(l)
			if err != nil {
				a.Fatalf("step %d: lookup %+v listing what is conditional: %v", i, l, err)
			}
			if !slices.Equal(got, l.Want) && !(len(got) == 0 && len(l.Want) == 0) {
				a.Errorf("step %d: lookup %+v listing what is conditional: got %v outright", i, l, got)
			}
			if !maps.EqualFunc(cond, l.Conditional, slices.Equal) {
				a.Errorf("step %d: lookup %+v: conditional %v, want %v", i, l, cond, l.Conditional)
			}
		}
		if fa, ok := c.(FieldsAsker); ok {
			for _, f := range step.Fields {
				got, err := fa.Fields(f.Subject, f.Resource, f.IP)
				if err != nil {
					a.Fatalf("step %d: fields %s %s: %v", i, f.Subject, f.Resource, err)
				}
				if !maps.EqualFunc(got, f.Want, func(a, b domain.FieldAccess) bool {
					return a.View == b.View && a.Edit == b.Edit && slices.Equal(a.Missing, b.Missing)
				}) {
					a.Errorf("step %d: fields %s %s: got %v, want %v", i, f.Subject, f.Resource, got, f.Want)
				}
			}
		} else if len(step.Fields) > 0 {
			a.Fatalf("step %d asks for fields, and this client cannot: every client must", i)
		}
		for _, l := range step.BreakGlass {
			got, err := c.BreakGlass(l.Workspace, domain.BreakGlassQuery{State: l.State, User: l.User, Client: l.Client})
			if err != nil {
				a.Fatalf("step %d: listing break-glass %+v: %v", i, l, err)
			}
			var ids []string
			for _, b := range got {
				ids = append(ids, fmt.Sprintf("%s:%s:%s:%s", b.ID, b.User, b.Client, b.Outcome))
			}
			if !slices.Equal(ids, l.Want) {
				a.Errorf("step %d: break-glass %+v: got %v", i, l, ids)
			}
		}
		for _, l := range step.Requests {
			got, err := c.AccessRequests(l.Workspace, domain.AccessRequestQuery{State: l.State, User: l.User})
			if err != nil {
				a.Fatalf("step %d: listing access requests %+v: %v", i, l, err)
			}
			var ids []string
			for _, r := range got {
				id := fmt.Sprintf("%s:%s:%s:%s", r.ID, r.User, r.Role, r.State)
				for _, d := range r.Decisions {
					id += ":" + d.By
				}
				ids = append(ids, id)
			}
			if !slices.Equal(ids, l.Want) {
				a.Errorf("step %d: access requests %+v: got %v", i, l, ids)
			}
		}
		for _, l := range step.Delegations {
			got, err := c.Delegations(l.Workspace, domain.DelegationQuery{State: l.State, User: l.User})
			if err != nil {
				a.Fatalf("step %d: listing delegations %+v: %v", i, l, err)
			}
			var ids []string
			for _, d := range got {
				ids = append(ids, fmt.Sprintf("%s:%s>%s:%s:%s", d.ID, d.From, d.To, strings.Join(d.Roles, "+"), d.State))
			}
			if !slices.Equal(ids, l.Want) {
				a.Errorf("step %d: delegations %+v: got %v", i, l, ids)
			}
		}
		for _, l := range step.Reviews {
			got, err := c.AccessReview(l.Workspace, domain.AccessReviewQuery{User: l.User, Due: l.Due, Actor: l.Actor})
			if err != nil {
				a.Fatalf("step %d: listing the access review %+v: %v", i, l, err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, ReviewID(r))
			}
			if !slices.Equal(ids, l.Want) {
				a.Errorf("step %d: access review %+v: got %q", i, l, ids)
			}
		}
		for _, ex := range step.Explanations {
			allowed, reasons, err := c.Explain(ex.Check)
			if err != nil {
				a.Fatalf("step %d: explain %v: %v", i, ex.Check, err)
			}
			text := a.times(ex.Text)
			if allowed != ex.Allowed || !slices.ContainsFunc(reasons, matches(text)) {
				a.Errorf("step %d: explain %v: allowed=%v reasons %q, want allowed=%v and %q", i, ex.Check, allowed, reasons, ex.Allowed, text)
			}
		}
	}
	return nil
}

// ReviewID is how a ReviewList names one person's review.
func ReviewID(r domain.AccessReview) string {
	state := "-"
	switch {
	case r.Due:
		state = "due"
	case r.DueAt != nil:
		state = "current"
	}
	var grants []string
	for _, g := range r.Grants {
		item := g.Item
		if g.GrantedBy != "" {
			item += "<" + g.GrantedBy
		}
		grants = append(grants, item)
	}
	id := r.User + ":" + state + ":" + strings.Join(grants, ",")
	if l := r.LastReview; l != nil {
		id += ";" + l.Outcome + " by " + l.By
	}
	return id
}

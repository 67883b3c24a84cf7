package service_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

func question(t *testing.T, c scenarios.Check) domain.Question {
	t.Helper()
	q, err := domain.ParseQuestion(c.Subject, c.Permission, c.Resource)
	if err != nil {
		t.Fatalf("%v: %v", c, err)
	}
	return q
}

// TestScenarios runs every practice story through the Go adapter.
func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			scenarios.Run(t, sc, func(int) scenarios.Client {
				return scenarios.Adapter(context.Background(), testenv.SpiceDB(t).Service)
			})
		})
	}
}

// TestBadInputWritesNothing refuses every class of bad input with the right
// code and location, and leaves SpiceDB exactly as it was.
func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := testenv.SpiceDB(t)
	if _, err := c.Apply(ctx, testenv.Parsed(t, scenarios.Base)); err != nil {
		t.Fatal(err)
	}
	before := testenv.Relationships(t, c)
	codes := map[int]domain.Code{400: domain.CodeInvalid, 409: domain.CodeConflict}
	for _, bad := range scenarios.BadInputs {
		t.Run(bad.Name, func(t *testing.T) {
			raws := testenv.Events(t, bad.JSONL())
			events, err := domain.ParseEvents(raws)
			if err == nil {
				for i := range events {
					events[i].Actor = scenarios.BadInputActor
				}
				_, err = c.Apply(ctx, events)
			}
			var e *domain.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a domain error", err)
			}
			if e.Code != codes[bad.Status] || e.Index != bad.Index || e.Field != bad.Field {
				t.Errorf("got code=%s index=%d field=%q (%v), want code=%s index=%d field=%q", e.Code, e.Index, e.Field, e, codes[bad.Status], bad.Index, bad.Field)
			}
			if after := testenv.Relationships(t, c); !slices.Equal(before, after) {
				t.Errorf("bad input changed SpiceDB: %d relationships before, %d after", len(before), len(after))
			}
		})
	}
}

// TestExplainAgreesWithSpiceDB asks every staff member every question about
// every object of each preset's conformance practices, and holds the
// explainer's reading of the relationships to SpiceDB's answers.
func TestExplainAgreesWithSpiceDB(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../schema/testdata/*.events.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance events: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			explainAgrees(t, file)
		})
	}
}

func explainAgrees(t *testing.T, file string) {
	ctx := context.Background()
	c := testenv.SpiceDB(t)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// As the zed validate suites do, the events are read as of 2020, so that
	// their holding ending in 2020 is written and has passed when asked about.
	events, err := domain.ParseEventsAt(testenv.Events(t, string(data)), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(ctx, events); err != nil {
		t.Fatal(err)
	}
	explainMatrixAgrees(ctx, t, c)
}

// TestExplainAgreesForDelegates holds explain to SpiceDB for every person,
// object and permission of a practice where roles are lent: the owner's
// to a manager, a location's role to the accountant, one lent from later
// on, and one revoked.
func TestExplainAgreesForDelegates(t *testing.T) {
	t.Parallel()
	later := scenarios.Later(time.Now())
	soon := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	c := practiceAfter(t, [][2]string{
		{"", scenarios.Base + `{"type":"role.assigned","workspace":"p1","user":"rita","role":"practice_manager","location":"north"}`},
		{"user:olivia", `{"type":"delegation.granted","workspace":"p1","delegation":"cover","from":"olivia","to":"maya","expires_at":"` + later + `"}`},
		{"user:rita", `{"type":"delegation.granted","workspace":"p1","delegation":"north","from":"rita","to":"alex","roles":["practice_manager"],"expires_at":"` + later + `"}`},
		{"user:alex", `{"type":"delegation.granted","workspace":"p1","delegation":"soon","from":"alex","to":"sam","starts_at":"` + soon + `","expires_at":"` + later + `"}`},
		{"user:pete", `{"type":"delegation.granted","workspace":"p1","delegation":"gone","from":"pete","to":"priya","expires_at":"` + later + `"}`},
		{"user:priya", `{"type":"delegation.revoked","workspace":"p1","delegation":"gone"}`},
	})
	explainMatrixAgrees(context.Background(), t, c)
}

// explainMatrixAgrees asks every person c's store names every permission
// on every object it holds, in bulk, and holds each explanation to the
// verdict (and traces the first of each kind).
func explainMatrixAgrees(ctx context.Context, t *testing.T, c testenv.Ward) {
	t.Helper()
	state := testenv.State(t, c)
	users := map[string]bool{"stranger": true}
	objects := map[domain.Object]bool{}
	for _, r := range state.All() {
		if r.Subject.Type == domain.TypeUser && r.Subject.ID != "*" {
			users[r.Subject.ID] = true
		}
		if _, ok := domain.Permissions[r.Resource.Type]; ok {
			objects[r.Resource] = true
		}
	}
	var qs []domain.Question
	for u := range users {
		for o := range objects {
			for _, p := range domain.Permissions[o.Type] {
				qs = append(qs, domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: u}, Permission: p.Name, Resource: o})
			}
		}
	}
	allowed := 0
	traced := map[string]bool{}
	for start := 0; start < len(qs); start += 1000 {
		chunk := qs[start:min(start+1000, len(qs))]
		ds, _, err := c.CheckBulk(ctx, chunk, "")
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range ds {
			if d.Err != nil {
				t.Fatalf("%v: %v", chunk[i], d.Err)
			}
			if d.Allowed {
				allowed++
			}
			// Ward does not decide conditions (business hours, networks): where
			// every reason that grants holds under them, SpiceDB's verdict
			// decides them, as Service.Explain does; otherwise both agree.
			if ex, ok := domain.Conditioned(d.Allowed, d.Missing, domain.ExplainAt(chunk[i], state, time.Now(), domain.TraceNode{})); !ok || ex.Allowed != d.Allowed {
				t.Errorf("%s %s %s: SpiceDB says %v, explanation says %v: %+v", chunk[i].Subject, chunk[i].Permission, chunk[i].Resource, d.Allowed, ex.Allowed, ex.Reasons)
			}
			// A traced check costs about 13 ms here: trace the first allowed and
			// the first denied question of each permission, not all.
			if kind := fmt.Sprint(chunk[i].Resource.Type, chunk[i].Permission, d.Allowed); !traced[kind] {
				traced[kind] = true
				traceAgrees(ctx, t, c.Store, chunk[i], d.Allowed)
			}
		}
	}
	if allowed == 0 || allowed == len(qs) {
		t.Fatalf("degenerate matrix: %d of %d allowed", allowed, len(qs))
	}
	t.Logf("%d questions, %d allowed, explanations agree", len(qs), allowed)
}

// traceAgrees asks q again with SpiceDB's trace: the verdict is the same,
// the trace found something when allowed, and Ward has words for every
// step of it. (A trace may look nothing up: an arrow whose relationship is
// not stored is not followed.)
func traceAgrees(ctx context.Context, t *testing.T, store service.Store, q domain.Question, allowed bool) {
	t.Helper()
	d, trace, err := store.CheckTraced(ctx, q, "")
	if err != nil {
		t.Fatal(err)
	}
	steps := domain.Steps(trace, domain.Practice{})
	found := slices.ContainsFunc(steps, func(s domain.Step) bool { return s.Found })
	if d.Allowed != allowed || (allowed && !found) {
		t.Errorf("%s %s %s: traced check says %v (bulk %v), %d steps, any found %v", q.Subject, q.Permission, q.Resource, d.Allowed, allowed, len(steps), found)
	}
	for _, s := range steps {
		if strings.Contains(s.Text, "no words for") {
			t.Errorf("%s %s %s: %s", q.Subject, q.Permission, q.Resource, s.Text)
		}
	}
}

// TestExplainThroughAdapter reads what an explanation needs from SpiceDB.
func TestExplainThroughAdapter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := testenv.SpiceDB(t)
	if _, err := c.Apply(ctx, testenv.Parsed(t, scenarios.Base)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		check scenarios.Check
		kind  string
		text  string
		steps []domain.Step // some of SpiceDB's trace, as explained
	}{
		{scenarios.Check{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann", Allowed: true}, "role", "priya holds role practitioner workspace-wide, which has notes view: own, and priya is client ann's practitioner", []domain.Step{
			{Found: true, Looked: "client:ann#practitioner@user:priya", Text: "priya is client:ann's practitioner"},
			{Found: true, Looked: "location:north#notes_view_own@user:priya", Text: "priya has notes view: own at location north, from role practitioner workspace-wide"},
		}},
		// A record's permissions also need an enabled member of its own practice.
		{scenarios.Check{Subject: "user:priya", Permission: "view", Resource: "note:n-ann", Allowed: true}, "role", "priya holds role practitioner workspace-wide, which has notes view: own, and priya wrote or uploaded note:n-ann", []domain.Step{
			{Found: true, Looked: "workspace:p1#member@user:priya", Text: "priya is staff of p1"},
			{Found: false, Looked: "workspace:p1#disabled@user:priya", Text: "priya is not disabled in p1"},
		}},
		{scenarios.Check{Subject: "user:rita", Permission: "view_notes", Resource: "client:ann"}, "role", "rita holds role receptionist workspace-wide, which has notes view: none", []domain.Step{
			{Found: false, Looked: "client:ann#notes_reader@user:rita", Text: "rita was not given notes access to client:ann alone"},
			{Found: false, Looked: "location:north#notes_view@user:rita", Text: "rita does not have notes view: full at location north"},
		}},
		{scenarios.Check{Subject: "user:sam", Permission: "view", Resource: "invoice:in-ann"}, "role", "sam holds role practitioner at location south, which has invoices view: own, but only at location south and invoice:in-ann is at location north", nil},
		{scenarios.Check{Subject: "user:olivia", Permission: "manage_api_keys", Resource: "workspace:p1", Allowed: true}, "owner", "olivia is the account owner of p1", []domain.Step{
			{Found: true, Looked: "workspace:p1#owner@user:olivia", Text: "olivia is the account owner of p1"},
		}},
		{scenarios.Check{Subject: "user:maya", Permission: "manage_api_keys", Resource: "workspace:p1"}, "owner", "only the account owner (olivia) may create and manage API keys (the owner, or a role granted it)", nil},
		{scenarios.Check{Subject: "user:hugo", Permission: "view", Resource: "client:ann"}, "not_staff", "hugo is not staff of workspace p1", nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.check), func(t *testing.T) {
			ex, token, err := c.Explain(ctx, question(t, tt.check), "")
			if err != nil {
				t.Fatal(err)
			}
			if ex.Allowed != tt.check.Allowed || token == "" {
				t.Errorf("allowed=%v token=%q, want allowed=%v and a token", ex.Allowed, token, tt.check.Allowed)
			}
			if !slices.ContainsFunc(ex.Reasons, func(r domain.Reason) bool { return r.Kind == tt.kind && r.Text == tt.text }) {
				t.Errorf("reasons %+v lack %s %q", ex.Reasons, tt.kind, tt.text)
			}
			for _, want := range tt.steps {
				if !slices.Contains(ex.Trace, want) {
					t.Errorf("trace %+v lacks %+v", ex.Trace, want)
				}
			}
		})
	}
}

// TestConcurrentWritersLoseNothing has many writers change one workspace at
// once; the per-workspace lock makes losers re-plan, so every event lands.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := testenv.SpiceDB(t)
	if _, err := c.Apply(ctx, testenv.Parsed(t, scenarios.Base)); err != nil {
		t.Fatal(err)
	}
	const writers = 12
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := fmt.Sprintf(`{"type":"staff.added","workspace":"p1","user":"temp%d","role":"receptionist"}
{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"forms":"%s"}}`, i, []string{"full", "none"}[i%2])
			events, err := domain.ParseEvents(testenv.Events(t, ev))
			if err == nil {
				_, err = c.Apply(ctx, events)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d failed: %v", i, err)
		}
	}
	state := testenv.State(t, c)
	pr := domain.Practice{S: state, WS: "p1"}
	for i := range writers {
		if !pr.IsMember(fmt.Sprintf("temp%d", i)) {
			t.Errorf("temp%d was acknowledged but is not staff", i)
		}
	}
	// Whatever order the writers landed in, every receptionist's written-out
	// access agrees with the role's final grant.
	forms := domain.Cap("forms", domain.ActionView)
	level := pr.Level("receptionist", forms)
	for i := range writers {
		has := state.Has(domain.Rel(domain.Object{Type: "workspace", ID: "p1"}, forms.Relation(domain.LevelFull), domain.Object{Type: "user", ID: fmt.Sprintf("temp%d", i)}))
		if has != (level == domain.LevelFull) {
			t.Errorf("temp%d has forms_view %v, but the receptionist role's level is %s", i, has, level)
		}
	}
}

// TestHoldingEndsOnItsOwn: a role held until a set time (a contractor for three
// months) stops counting then, with no other write to move SpiceDB on.
func TestHoldingEndsOnItsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := testenv.SpiceDB(t)
	end := time.Now().Add(3 * time.Second).Truncate(time.Second).Add(time.Second)
	events := scenarios.Base + fmt.Sprintf(`{"type":"staff.added","workspace":"p1","user":"cx","role":"receptionist","expires_at":%q}`, end.UTC().Format(time.RFC3339))
	if _, err := c.Apply(ctx, testenv.Parsed(t, events)); err != nil {
		t.Fatal(err)
	}
	q := question(t, scenarios.Check{Subject: "user:cx", Permission: "view", Resource: "client:ann"})
	if d, err := c.Check(ctx, q, ""); err != nil || !d.Allowed {
		t.Fatalf("before the end: %+v %v", d, err)
	}
	ex, _, err := c.Explain(ctx, q, "")
	if err != nil || !slices.ContainsFunc(ex.Reasons, func(r domain.Reason) bool {
		return r.Grants && strings.Contains(r.Text, "until "+end.UTC().Format(time.RFC3339))
	}) {
		t.Errorf("the explanation does not say until when: %+v %v", ex.Reasons, err)
	}
	time.Sleep(time.Until(end) + 1500*time.Millisecond)
	if d, err := c.Check(ctx, q, ""); err != nil || d.Allowed {
		t.Errorf("after the end, with no write since: %+v %v", d, err)
	}
}

// TestOneIDOnePractice: two practices racing to create a client with the same
// ID end with it in exactly one of them (the other is told it belongs to
// another workspace), and a deleted client's ID can be used again.
func TestOneIDOnePractice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := testenv.SpiceDB(t)
	setup := `{"type":"workspace.created","workspace":"a","owner":"oa","preset":"caspen"}
{"type":"workspace.created","workspace":"b","owner":"ob","preset":"caspen"}`
	if _, err := c.Apply(ctx, testenv.Parsed(t, setup)); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		id := fmt.Sprintf("shared-%d", round)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, ws := range []string{"a", "b"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.Apply(ctx, testenv.Parsed(t, fmt.Sprintf(`{"type":"client.created","workspace":%q,"client":%q}`, ws, id)))
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: both or neither created %s: %v", round, id, errs)
		}
		for _, err := range errs {
			if err != nil && domain.ErrorCode(err) != domain.CodeConflict {
				t.Errorf("round %d: the loser got %v, want a conflict", round, err)
			}
		}
	}
	for _, e := range []string{`{"type":"client.created","workspace":"a","client":"again"}`, `{"type":"client.deleted","workspace":"a","client":"again"}`} {
		if _, err := c.Apply(ctx, testenv.Parsed(t, e)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Apply(ctx, testenv.Parsed(t, `{"type":"client.created","workspace":"b","client":"again"}`)); err != nil {
		t.Errorf("a deleted client's ID could not be used again: %v", err)
	}
}

// TestImportMatchesEvents: importing new practices leaves SpiceDB exactly as
// applying the same events does, but for who granted what, which an import
// does not keep; an import naming an existing practice, or
// events about a practice it does not create, is refused and writes nothing.
func TestImportMatchesEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var b strings.Builder
	for _, ws := range []string{"a", "b"} {
		fmt.Fprintf(&b, `{"type":"workspace.created","workspace":%q,"owner":"o-%s","preset":"caspen"}`+"\n", ws, ws)
		fmt.Fprintf(&b, `{"type":"location.created","workspace":%q,"location":"l-%s"}`+"\n", ws, ws)
		fmt.Fprintf(&b, `{"type":"staff.added","workspace":%q,"user":"p-%s","role":"practitioner"}`+"\n", ws, ws)
		fmt.Fprintf(&b, `{"type":"staff.added","workspace":%q,"user":"r-%s","role":"receptionist"}`+"\n", ws, ws)
		for i := range 30 {
			fmt.Fprintf(&b, `{"type":"client.created","workspace":%q,"client":"%s-c%d","location":"l-%s","practitioner":"p-%s"}`+"\n", ws, ws, i, ws, ws)
			fmt.Fprintf(&b, `{"type":"note.created","workspace":%q,"note":"%s-n%d","client":"%s-c%d","author":"p-%s"}`+"\n", ws, ws, i, ws, i, ws)
		}
	}
	events := testenv.Parsed(t, b.String())
	applied, imported := testenv.SpiceDB(t), testenv.SpiceDB(t)
	if _, err := applied.Apply(ctx, events); err != nil {
		t.Fatal(err)
	}
	res, err := imported.Import(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	want, got := testenv.Relationships(t, applied), testenv.Relationships(t, imported)
	// An import keeps no record of who granted what (it names no actor;
	// its ledger record says when): events keep one a grant.
	provenance := func(r string) bool {
		return strings.HasPrefix(r, domain.TypeAccessReview+":") && strings.Contains(r, "#granted@")
	}
	if n := len(slices.DeleteFunc(slices.Clone(want), provenance)); n != len(want)-6 {
		t.Errorf("events kept %d records of who granted what, want 6 (two practices' owner, practitioner and receptionist)", len(want)-n)
	}
	want = slices.DeleteFunc(want, provenance)
	if res.Token == "" {
		t.Error("the import answered no ZedToken")
	}
	if !slices.Equal(got, want) || res.Touched == 0 {
		t.Fatalf("import wrote %d relationships (touched %d), events %d:\nonly imported: %v\nonly applied: %v",
			len(got), res.Touched, len(want), missing(got, want), missing(want, got))
	}
	for _, bad := range []struct {
		name, events string
		code         domain.Code
		says         string
	}{
		{"an existing practice", `{"type":"workspace.created","workspace":"a","owner":"x","preset":"caspen"}`, domain.CodeConflict, `workspace "a" exists already`},
		{"a taken ID", `{"type":"workspace.created","workspace":"c","owner":"x","preset":"caspen"}
{"type":"client.created","workspace":"c","client":"c-new"}
{"type":"client.created","workspace":"c","client":"a-c1"}`, domain.CodeConflict, `creates client "a-c1", whose ID is taken already`},
		{"a practice it does not create", `{"type":"workspace.created","workspace":"d","owner":"x","preset":"caspen"}
{"type":"client.created","workspace":"a","client":"new"}`, domain.CodeInvalid, ""},
	} {
		_, err := imported.Import(ctx, testenv.Parsed(t, bad.events))
		if domain.ErrorCode(err) != bad.code || !strings.Contains(fmt.Sprint(err), bad.says) {
			t.Errorf("%s: %v, want %s saying %q", bad.name, err, bad.code, bad.says)
		}
		if after := testenv.Relationships(t, imported); !slices.Equal(after, got) {
			t.Errorf("%s: the refused import changed SpiceDB: %v", bad.name, missing(after, got))
		}
	}
}

// missing lists what a holds and b does not.
func missing(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestExplainReadsWhatItChecked: while a role's notes access is switched on
// and off, every explanation's reasons tell the same story as its verdict,
// because they are read at the revision SpiceDB checked.
func TestExplainReadsWhatItChecked(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	c := testenv.SpiceDB(t)
	if _, err := c.Apply(ctx, testenv.Parsed(t, scenarios.Base)); err != nil {
		t.Fatal(err)
	}
	on := testenv.Parsed(t, `{"type":"notes_access.granted","workspace":"p1","role":"receptionist"}`)
	off := testenv.Parsed(t, `{"type":"notes_access.revoked","workspace":"p1","role":"receptionist"}`)
	toggled := make(chan error, 1)
	go func() {
		for i := 0; ctx.Err() == nil; i++ {
			events := on
			if i%2 == 1 {
				events = off
			}
			if _, err := c.Apply(ctx, events); err != nil && ctx.Err() == nil {
				toggled <- err
				return
			}
		}
		toggled <- nil
	}()
	q := question(t, scenarios.Check{Subject: "user:rita", Permission: "view_notes", Resource: "client:ann"})
	seen := map[bool]int{}
	for range 150 {
		ex, _, err := c.Explain(ctx, q, "")
		if err != nil {
			t.Fatal(err)
		}
		seen[ex.Allowed]++
		grants := slices.ContainsFunc(ex.Reasons, func(r domain.Reason) bool { return r.Grants })
		if grants != ex.Allowed || slices.ContainsFunc(ex.Reasons, func(r domain.Reason) bool { return r.Kind == "unexplained" }) {
			t.Errorf("allowed=%v, but the reasons say otherwise: %+v", ex.Allowed, ex.Reasons)
		}
	}
	cancel()
	if err := <-toggled; err != nil {
		t.Fatal(err)
	}
	t.Logf("explained %d allowed, %d denied", seen[true], seen[false])
}

// hideLocks is a store whose reads never show a write lock by its ID (what
// awaitVisible asks), as SpiceDB v1.56.2 on PostgreSQL did for a while after
// acknowledging a write.
type hideLocks struct{ service.Store }

func (h hideLocks) ReadAll(ctx context.Context, at string, filters []domain.Filter) ([]domain.Relationship, string, error) {
	if len(filters) == 1 && filters[0].Relation == "lock" && filters[0].SubjectID != "" {
		return nil, "", nil
	}
	return h.Store.ReadAll(ctx, at, filters)
}

// TestUnconfirmedWriteIsApplied: a write the store took, but that fully
// consistent reads do not show within Ward's wait, is answered as applied and
// unconfirmed with the write's ZedToken, not as an error: a 503 says nothing
// was written, and a caller retrying it would apply the events twice. The
// same holds for an import, which has no ZedToken to give.
func TestUnconfirmedWriteIsApplied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.Practice(t, scenarios.Base)
	hidden := service.New(hideLocks{w.Store}, slog.New(slog.DiscardHandler)).WithConfirmWait(100 * time.Millisecond)
	res, err := hidden.Apply(ctx, testenv.Parsed(t, `{"type":"staff.added","workspace":"p1","user":"rx","role":"receptionist"}`))
	if err != nil || !res.Unconfirmed || res.Token == "" || res.Touched == 0 {
		t.Fatalf("got %+v, %v; want applied, unconfirmed, with the write's token", res, err)
	}
	q := question(t, scenarios.Check{Subject: "user:rx", Permission: "view", Resource: "client:ann"})
	if d, err := w.Check(ctx, q, res.Token); err != nil || !d.Allowed {
		t.Errorf("a check at the unconfirmed write's token: %+v %v; want the write seen", d, err)
	}
	events, err := domain.ParseImport(testenv.Events(t, `{"type":"workspace.created","workspace":"p9","owner":"ola","preset":"caspen"}`))
	if err != nil {
		t.Fatal(err)
	}
	res, err = hidden.Import(ctx, events)
	if err != nil || !res.Unconfirmed || res.Touched == 0 {
		t.Fatalf("import: got %+v, %v; want imported, unconfirmed", res, err)
	}
	q = question(t, scenarios.Check{Subject: "user:ola", Permission: "transfer_ownership", Resource: "workspace:p9"})
	if d, err := w.Check(ctx, q, ""); err != nil || !d.Allowed {
		t.Errorf("after the unconfirmed import: %+v %v; want it stored", d, err)
	}
}

// TestExplainTakesTheCallersToken: explain reads at least as fresh as the
// caller's ZedToken, as a check does, and a token that is not one is the
// caller's error, field zedtoken.
func TestExplainTakesTheCallersToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	res, err := w.Apply(ctx, testenv.Parsed(t, scenarios.Base))
	if err != nil {
		t.Fatal(err)
	}
	q := question(t, scenarios.Check{Subject: "user:priya", Permission: "view", Resource: "client:ann"})
	if ex, at, err := w.Explain(ctx, q, res.Token); err != nil || at == "" || !ex.Allowed {
		t.Errorf("with the write's token: %+v %q %v", ex, at, err)
	}
	var e *domain.Error
	if _, _, err := w.Explain(ctx, q, "not a token"); !errors.As(err, &e) || e.Code != domain.CodeInvalid || e.Field != "zedtoken" {
		t.Errorf("with a malformed token: %v, want invalid, field zedtoken", err)
	}
}

// TestLargeRoleChangeIsOneRequest changes a role that 1,671 practitioners
// hold, in one atomic request (scenarios.LargeRoleChange; the e2e suite runs
// the same on PostgreSQL).
func TestLargeRoleChangeIsOneRequest(t *testing.T) {
	t.Parallel()
	scenarios.LargeRoleChange(t, testenv.SpiceDB(t).Service)
}

// TestOwnersWithoutOwnerRole: an earlier Ward let a Cliniko practice's
// ownership pass to a receptionist; a start names such practices, and only
// those.
func TestOwnersWithoutOwnerRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.Practice(t, scenarios.Base+`{"type":"workspace.created","workspace":"k13","owner":"k13o","preset":"cliniko"}
{"type":"staff.added","workspace":"k13","user":"k13r","role":"receptionist"}
{"type":"staff.added","workspace":"p1","user":"p1r","role":"receptionist"}
{"type":"ownership.transferred","workspace":"p1","to":"p1r"}`)
	if ws, err := w.OwnersWithoutOwnerRole(ctx); err != nil || len(ws) != 0 {
		t.Fatalf("before: %v, %v; want none (Caspen's owner may hold any standing role)", ws, err)
	}
	owner := func(user string) domain.Relationship {
		return domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: "k13"}, "owner", domain.Object{Type: domain.TypeUser, ID: user})
	}
	if _, err := w.Store.Write(ctx, domain.Write{Updates: []domain.Update{{Op: domain.Delete, Rel: owner("k13o")}, {Op: domain.Touch, Rel: owner("k13r")}}}); err != nil {
		t.Fatal(err)
	}
	if ws, err := w.OwnersWithoutOwnerRole(ctx); err != nil || !slices.Equal(ws, []string{"k13"}) {
		t.Errorf("after ownership passed to a receptionist: %v, %v; want [k13]", ws, err)
	}
}

// TestRepairDeletesWhatEarlierVersionsWrote: a practice stored by a Ward
// that let a location's receptionists manage the role's holders answers,
// after Repair, as one written today; a second Repair finds nothing.
func TestRepairDeletesWhatEarlierVersionsWrote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.Practice(t, scenarios.Base+`{"type":"staff.added","workspace":"p1","user":"rn","role":"receptionist","location":"north"}`)
	old := domain.Relationship{Resource: domain.Object{Type: domain.TypeRole, ID: "p1/receptionist"}, Relation: "holder_manager",
		Subject: domain.Subject{Type: domain.TypeRoleBinding, ID: domain.BindingID("p1", "receptionist", "north"), Relation: "member"}}
	if _, err := w.Store.Write(ctx, domain.Write{Updates: []domain.Update{{Op: domain.Touch, Rel: old}}}); err != nil {
		t.Fatal(err)
	}
	manages := func(user string) bool {
		t.Helper()
		d, err := w.Store.Check(ctx, domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: user}, Permission: "manage_holders", Resource: old.Resource}, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed
	}
	if !manages("rn") {
		t.Fatal("the earlier version's relationship did not let rn manage holders: the test does not reproduce it")
	}
	repairsTwice(t, w, 1)
	if manages("rn") || !manages("rita") {
		t.Errorf("after the repair rn manages holders %v (want false), rita %v (want true)", manages("rn"), manages("rita"))
	}
}

// TestMostWindowsFitInSpiceDB: access with domain.MaxWindows disjoint windows
// is written and counts in its windows only: the bound keeps the caveat
// within what SpiceDB takes on one relationship.
func TestMostWindowsFitInSpiceDB(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := testenv.SpiceDB(t)
	var b strings.Builder
	b.WriteString(`{"type":"workspace.created","workspace":"mw","owner":"o","preset":"caspen"}` + "\n")
	b.WriteString(`{"type":"staff.added","workspace":"mw","user":"z","role":"receptionist","expires_at":"2099-01-01T00:00:00Z"}` + "\n")
	start := time.Now().UTC().Truncate(time.Second).Add(-time.Hour) // the first window is open now
	for i := range domain.MaxWindows {
		from, until := start.Add(time.Duration(2*i)*time.Hour), start.Add(time.Duration(2*i+1)*time.Hour+time.Minute)
		fmt.Fprintf(&b, `{"type":"role.defined","workspace":"mw","role":"r%d","grants":{"settings":{"edit":"all"}}}`+"\n", i)
		fmt.Fprintf(&b, `{"type":"role.assigned","workspace":"mw","user":"z","role":"r%d","starts_at":%q,"expires_at":%q}`+"\n", i,
			from.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	if _, err := c.Apply(ctx, testenv.Parsed(t, b.String())); err != nil {
		t.Fatalf("%d windows: %v", domain.MaxWindows, err)
	}
	d, err := c.Check(ctx, question(t, scenarios.Check{Subject: "user:z", Permission: "manage_settings", Resource: "workspace:mw"}), "")
	if err != nil || !d.Allowed {
		t.Errorf("in the first of %d windows: allowed=%v, %v", domain.MaxWindows, d.Allowed, err)
	}
}

package domain_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/golden"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/seed"
)

func parse(t *testing.T, jsonl string) []domain.Event {
	t.Helper()
	return parseAt(t, parsedAt, jsonl)
}

// parseAt reads events as received at when.
func parseAt(t *testing.T, when time.Time, jsonl string) []domain.Event {
	t.Helper()
	raws, err := domain.ReadEventLines(strings.NewReader(jsonl))
	if err != nil {
		t.Fatal(err)
	}
	events, err := domain.ParseEventsAt(raws, when)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// parsedAt is when parse reads events: a fixed moment, so that what counts
// from it (an inactivity policy's days) plans the same every run.
var parsedAt = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)

func apply(t *testing.T, s *domain.State, events []domain.Event) (*domain.State, domain.Plan) {
	t.Helper()
	next, plan, err := tryApply(s, events)
	if err != nil {
		t.Fatal(err)
	}
	return next, plan
}

func TestParseEventsRejects(t *testing.T) {
	t.Parallel()
	many := make([]json.RawMessage, domain.MaxEventsPerRequest+1)
	for i := range many {
		many[i] = json.RawMessage(`{"type":"staff.enabled","workspace":"w","user":"u"}`)
	}
	tests := []struct {
		name  string
		raws  []json.RawMessage
		index int
		field string
		want  string
	}{
		{"no events", nil, -1, "", "at least one event"},
		{"too many", many, -1, "", "split the request"},
		{"not an object", []json.RawMessage{json.RawMessage(`[1]`)}, 0, "", "must be a JSON object"},
		{"type not a string", []json.RawMessage{json.RawMessage(`{"type":7}`)}, 0, "type", "must be a string"},
		{"no type", []json.RawMessage{json.RawMessage(`{"workspace":"w"}`)}, 0, "type", "is required"},
		{"id not a string", []json.RawMessage{json.RawMessage(`{"type":"staff.enabled","workspace":"w","user":3}`)}, 0, "user", "must be a string"},
		{"empty id", []json.RawMessage{json.RawMessage(`{"type":"staff.enabled","workspace":"w","user":""}`)}, 0, "user", "must not be empty"},
		{"role name with capitals", []json.RawMessage{json.RawMessage(`{"type":"role.assigned","workspace":"w","user":"u","role":"Boss"}`)}, 0, "role", "not a valid name"},
		{"empty grants", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":{}}`)}, 0, "grants", "at least one area"},
		{"empty grants list", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":[]}`)}, 0, "grants", "at least one area"},
		{"custom role given nothing", []json.RawMessage{json.RawMessage(`{"type":"role.defined","workspace":"w","role":"r"}`)}, 0, "grants", "unless the role inherits another"},
		{"custom role given empty grants", []json.RawMessage{json.RawMessage(`{"type":"role.defined","workspace":"w","role":"r","grants":{}}`)}, 0, "grants", "unless the role inherits another"},
		{"unknown key in a grants list", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":[{"area":"clients","level":"all","scope":"everyone"}]}`)}, 0, "grants", `"scope" is not a key of a grant`},
		{"case-variant key in a grants list", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":[{"Area":"clients","level":"all"}]}`)}, 0, "grants", `"Area" is not a key of a grant`},
		{"grants list item without a level", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":[{"area":"clients"}]}`)}, 0, "grants", "area and level are required"},
		{"an area given twice in two spellings", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":{"notes":"none","clinical_notes":"all"}}`)}, 0, "grants", `"clinical_notes" and "notes" both name area "notes"`},
		{"an action given twice in two spellings", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":{"notes":{"view":"all","read":"none"}}}`)}, 0, "grants", `"read" and "view" both name action "view"`},
		{"a list granting an action twice", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":[{"area":"notes","action":"view","level":"all"},{"area":"clinical_notes","action":"read","level":"none"}]}`)}, 0, "grants", `items 0 and 1 both grant action "view" of area "notes"`},
		{"a list granting an area twice", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":[{"area":"patients","level":"all"},{"area":"clients","level":"none"}]}`)}, 0, "grants", `items 0 and 1 both grant area "clients"`},
		{"a list granting a whole area after its actions", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":[{"area":"notes","action":"view","level":"all"},{"area":"notes","level":"none"}]}`)}, 0, "grants", "give the whole area first"},
		{"grants not an object", []json.RawMessage{json.RawMessage(`{"type":"role.updated","workspace":"w","role":"r","grants":"full"}`)}, 0, "grants", "must be an object"},
		{"notes access with both shapes", []json.RawMessage{json.RawMessage(`{"type":"notes_access.granted","workspace":"w","role":"r","user":"u","client":"c"}`)}, 0, "", "either {workspace, role}"},
		{"notes access with user only", []json.RawMessage{json.RawMessage(`{"type":"notes_access.granted","workspace":"w","user":"u"}`)}, 0, "", "either {workspace, role}"},
		{"hours with a key in another case beside it", []json.RawMessage{json.RawMessage(`{"type":"role.defined","workspace":"w","role":"r","grants":{"clients":"all"},"hours":{"timezone":"Australia/Sydney","Timezone":"UTC","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}}`)}, 0, "hours", `"Timezone" is an unknown field (fields: timezone, windows`},
		{"an hours window with keys in capitals", []json.RawMessage{json.RawMessage(`{"type":"role.defined","workspace":"w","role":"r","grants":{"clients":"all"},"hours":{"timezone":"UTC","windows":[{"DAYS":["mon"],"from":"09:00","to":"17:00"}]}}`)}, 0, "hours", `windows[0]: "DAYS" is an unknown field`},
		{"type null", []json.RawMessage{json.RawMessage(`{"type":null,"workspace":"w"}`)}, 0, "type", "is null"},
		{"a null role lent", []json.RawMessage{json.RawMessage(`{"type":"delegation.granted","workspace":"w","delegation":"d","from":"a","to":"b","roles":[null],"expires_at":"2099-01-01T00:00:00Z"}`)}, 0, "roles", "list of 1 to"},
		{"a null network", []json.RawMessage{json.RawMessage(`{"type":"role.assigned","workspace":"w","user":"u","role":"r","networks":["10.0.0.0/8",null]}`)}, 0, "networks", "list of networks"},
		{"a null grant reviewed", []json.RawMessage{json.RawMessage(`{"type":"access.reviewed","workspace":"w","user":"u","outcome":"revoke","items":[null]}`)}, 0, "items", "list of 1 to"},
		{"second event bad", []json.RawMessage{json.RawMessage(`{"type":"staff.enabled","workspace":"w","user":"u"}`), json.RawMessage(`{"type":"staff.enabled","workspace":"w"}`)}, 1, "user", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.ParseEvents(tt.raws)
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != domain.CodeInvalid {
				t.Fatalf("got %v, want an invalid error", err)
			}
			if e.Index != tt.index || e.Field != tt.field || !strings.Contains(e.Error(), tt.want) {
				t.Errorf("got index=%d field=%q %q; want index=%d field=%q containing %q", e.Index, e.Field, e.Error(), tt.index, tt.field, tt.want)
			}
		})
	}
}

// TestEnds pins how an expires_at is read: to the second, any offset from
// -23:59 to +23:59, and never as "no end".
func TestEnds(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		given string
		want  time.Time
	}{
		{"2026-12-03T12:00:01Z", time.Date(2026, 12, 3, 12, 0, 1, 0, time.UTC)},
		{"2027-02-28T17:00:00.999Z", time.Date(2027, 2, 28, 17, 0, 0, 0, time.UTC)},
		{"2027-03-01T05:30:00+05:30", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-02-28T00:01:00-23:59", time.Date(2027, 2, 28, 24, 0, 0, 0, time.UTC)},
		// RFC 3339 allows lower-case t and z
		{"2027-02-28t17:00:00z", time.Date(2027, 2, 28, 17, 0, 0, 0, time.UTC)},
		{"2027-03-01t05:30:00+05:30", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		raw := json.RawMessage(`{"type":"role.assigned","workspace":"w","user":"u","role":"r","expires_at":"` + tt.given + `"}`)
		events, err := domain.ParseEventsAt([]json.RawMessage{raw}, now)
		if err != nil {
			t.Errorf("%s: %v", tt.given, err)
			continue
		}
		end := events[0].ExpiresAt
		if end.Never() || !end.Time().Equal(tt.want) {
			t.Errorf("%s: end %s, want %s", tt.given, end, tt.want.Format(time.RFC3339))
		}
	}
	if !(domain.End{}).Never() || domain.EndAt(time.Unix(0, 0)).Never() {
		t.Error("the zero End must be never, and the epoch a moment")
	}
	if got := domain.LaterEnd(domain.EndAt(time.Unix(0, 0)), domain.EndAt(time.Unix(5, 0))); got.Time().Unix() != 5 {
		t.Errorf("later end of 0 and 5: %s", got)
	}
	if got := domain.LaterEnd(domain.End{}, domain.EndAt(time.Unix(5, 0))); !got.Never() {
		t.Errorf("later end of never and 5: %s", got)
	}
	for _, passed := range []string{"2026-12-03T12:00:00Z", "2026-12-03T11:59:59.5Z", "1970-01-01T00:00:00Z"} {
		raw := json.RawMessage(`{"type":"role.assigned","workspace":"w","user":"u","role":"r","expires_at":"` + passed + `"}`)
		if _, err := domain.ParseEventsAt([]json.RawMessage{raw}, now); err == nil || !strings.Contains(err.Error(), "has passed") {
			t.Errorf("%s at %s: got %v, want a refusal saying it has passed", passed, now, err)
		}
	}
}

// TestStarts pins how a starts_at is read: rounded up to the second, "at
// once" when it has come, and refused where it is not before the end or on
// what has no start.
func TestStarts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	event := func(fields string) string {
		return `{"type":"role.assigned","workspace":"w","user":"u","role":"r"` + fields + `}`
	}
	for _, tt := range []struct {
		fields string
		want   string // the span's text, or the refusal's field
		err    bool
	}{
		{fields: `,"starts_at":"2027-01-04T08:00:00.2+01:00"`, want: " from 2027-01-04T07:00:01Z"},
		{fields: `,"starts_at":"2027-01-04T08:00:00Z","expires_at":"2027-01-18T18:00:00Z"`, want: " from 2027-01-04T08:00:00Z until 2027-01-18T18:00:00Z"},
		{fields: `,"starts_at":"2026-12-03T12:00:00Z"`, want: ""},
		{fields: `,"starts_at":"1970-01-01T00:00:00Z","expires_at":"2027-01-18T18:00:00Z"`, want: " until 2027-01-18T18:00:00Z"},
		{fields: `,"starts_at":"2027-01-18T18:00:00Z","expires_at":"2027-01-18T18:00:00Z"`, want: "starts_at", err: true},
		{fields: `,"starts_at":"2027-02-01T00:00:00Z","expires_at":"2027-01-18T18:00:00Z"`, want: "starts_at", err: true},
		{fields: `,"starts_at":"next week"`, want: "starts_at", err: true},
		{fields: `,"starts_at":"10000-01-01T00:00:00Z"`, want: "starts_at", err: true},
		{fields: `,"starts_at":"9999-12-31T23:59:59.5Z"`, want: "starts_at", err: true},
		{fields: `,"starts_at":"9999-12-31T23:59:59Z"`, want: "starts_at", err: true},
	} {
		events, err := domain.ParseEventsAt([]json.RawMessage{json.RawMessage(event(tt.fields))}, now)
		var e *domain.Error
		switch {
		case tt.err && (!errors.As(err, &e) || e.Field != tt.want):
			t.Errorf("%s: got %v, want a refusal naming %s", tt.fields, err, tt.want)
		case !tt.err && err != nil:
			t.Errorf("%s: %v", tt.fields, err)
		case !tt.err && events[0].Span().Text() != tt.want:
			t.Errorf("%s: span %q, want %q", tt.fields, events[0].Span().Text(), tt.want)
		}
	}
	// A holding that started later is a standing role once its start has
	// come: ownership may pass to its holder then, not before.
	base, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}`))
	added, err := domain.ParseEventsAt([]json.RawMessage{json.RawMessage(`{"type":"staff.added","workspace":"w","user":"u","role":"practitioner","starts_at":"2027-01-04T08:00:00Z"}`)}, now)
	if err != nil {
		t.Fatal(err)
	}
	withU, _ := apply(t, base, added)
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{{now, false}, {time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC), true}} {
		transfer, err := domain.ParseEventsAt([]json.RawMessage{json.RawMessage(`{"type":"ownership.transferred","workspace":"w","to":"u"}`)}, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := domain.PlanEvents(transfer, withU); (err == nil) != tt.want {
			t.Errorf("ownership to a holder from 2027-01-04T08:00:00Z, at %s: %v, want allowed %v", tt.at, err, tt.want)
		}
	}
	role := json.RawMessage(`{"type":"notes_access.granted","workspace":"w","role":"r","starts_at":"2027-01-04T08:00:00Z"}`)
	if evs, err := domain.ParseEventsAt([]json.RawMessage{role}, now); err != nil || evs[0].Span().Always() {
		t.Errorf("a start on a role's notes access: got %v, want it taken", err)
	}
}

// TestLargeRequestsAreRefusedEarly: a small request that asks for a lot (a
// thousand practitioner admins, whose access is written out) is refused as
// too large, and so is an import past its bound; a request within the bound
// is planned.
func TestLargeRequestsAreRefusedEarly(t *testing.T) {
	t.Parallel()
	base, _ := apply(t, domain.NewState(), parse(t, scenarios.Base))
	admins := func(n int) []domain.Event { return parse(t, scenarios.Admins("p1", n)) }
	if _, err := domain.PlanEvents(admins(1000), base); domain.ErrorCode(err) != domain.CodeTooLarge {
		t.Errorf("1,000 practitioner admins in one request: got %v, want too_large", err)
	}
	plan, err := domain.PlanEvents(admins(10), base)
	if err != nil || plan.Updates() > domain.MaxChangesPerRequest || len(plan.Touch) < 100 {
		t.Errorf("10 practitioner admins: %d updates, %v", plan.Updates(), err)
	}
	events, err := domain.ReadImport(strings.NewReader(`{"type":"workspace.created","workspace":"big","owner":"o","preset":"caspen"}` + "\n" +
		scenarios.Admins("big", domain.MaxImportEvents-1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := domain.PlanImport(events); domain.ErrorCode(err) != domain.CodeTooLarge {
		t.Errorf("an import of %d practitioner admins: got %v, want too_large", len(events)-1, err)
	}
}

// BenchmarkRefusingALargeRequest prints what refusing a thousand practitioner
// admins in one request costs: memory in proportion to the change limit, not
// to what the request asks.
func BenchmarkRefusingALargeRequest(b *testing.B) {
	base := domain.NewState()
	events, err := domain.ReadImport(strings.NewReader(scenarios.Base + scenarios.Admins("p1", 1000))) // more events than one request takes, to plan them as one
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := domain.PlanEvents(events, base); domain.ErrorCode(err) != domain.CodeTooLarge {
			b.Fatalf("got %v, want too_large", err)
		}
	}
}

// TestBadInputsArePlanErrors runs the shared bad inputs through the pure core:
// what an event needs of its actor, then the plan. (Which actor may act is
// the schema's answer: the scenarios ask it.)
func TestBadInputsArePlanErrors(t *testing.T) {
	t.Parallel()
	base, _ := apply(t, domain.NewState(), parse(t, scenarios.Base))
	for _, bad := range scenarios.BadInputs {
		t.Run(bad.Name, func(t *testing.T) {
			t.Parallel()
			events, err := domain.ReadEvents(strings.NewReader(bad.JSONL()))
			for i := range events {
				events[i].Actor = scenarios.BadInputActor
			}
			if err == nil {
				_, err = domain.ActorChecks(events) // asked of the actor before planning, as the service does
			}
			if err == nil {
				_, err = domain.PlanEvents(events, base)
			}
			var e *domain.Error
			if !errors.As(err, &e) || e.Index != bad.Index || e.Field != bad.Field {
				t.Fatalf("got %v, want an error at event %d field %q", err, bad.Index, bad.Field)
			}
		})
	}
}

// TestPlanDemoGolden pins the relationships the demo practice becomes.
func TestPlanDemoGolden(t *testing.T) {
	t.Parallel()
	events, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	for i := range events { // who granted what is kept with when: a fixed now
		events[i].Received = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	}
	_, plan := apply(t, domain.NewState(), events)
	var b strings.Builder
	for _, r := range plan.Touch {
		b.WriteString(r.String() + "\n")
	}
	golden.Check(t, "testdata/demo.golden", []byte(b.String()), "go generate ./internal/domain")
	if len(plan.Delete) != 0 {
		t.Errorf("a fresh practice deletes %d relationships", len(plan.Delete))
	}
}

func TestReapplyingIsANoOp(t *testing.T) {
	t.Parallel()
	events := parse(t, scenarios.Base+`{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"forms":"full"}}
{"type":"ownership.transferred","workspace":"p1","to":"priya"}
{"type":"client.deleted","workspace":"p1","client":"cat"}`)
	once, _ := apply(t, domain.NewState(), events)
	_, again := apply(t, once, events)
	if !again.Empty() {
		t.Errorf("re-applying wrote %v and deleted %v", again.Touch, again.Delete)
	}
}

// TestGrantsFollowRolesToEveryScope: a role's grants reach its holders at every
// location, including locations created after the change, only there, and own
// never leaks into full.
func TestGrantsFollowRolesToEveryScope(t *testing.T) {
	t.Parallel()
	s, _ := apply(t, domain.NewState(), parse(t, scenarios.Base+`
{"type":"role.updated","workspace":"p1","role":"practitioner","grants":{"files":"none","forms":"full"}}
{"type":"location.created","workspace":"p1","location":"east"}
{"type":"staff.added","workspace":"p1","user":"pn","role":"practitioner","location":"north"}
{"type":"staff.added","workspace":"p1","user":"ps","role":"practitioner","location":"south"}
{"type":"staff.added","workspace":"p1","user":"pe","role":"practitioner","location":"east"}`))
	pr := domain.Practice{S: s, WS: "p1"}
	for _, action := range []string{"view", "create", "edit", "delete"} {
		if got := pr.Level("practitioner", domain.Cap("forms", action)); got != domain.LevelFull {
			t.Errorf("forms %s = %s, want full", action, got)
		}
		if got := pr.Level("practitioner", domain.Cap("notes", action)); got != domain.LevelOwn {
			t.Errorf("notes %s = %s, want own", action, got)
		}
	}
	// What the role gives each location's practitioner is written out on that
	// location, and only there.
	for user, loc := range map[string]string{"pn": "north", "ps": "south", "pe": "east"} {
		rel := func(relation string) bool {
			return s.Has(domain.Rel(domain.Object{Type: "location", ID: loc}, relation, domain.Object{Type: "user", ID: user}))
		}
		if !rel("forms_view") || rel("forms_view_own") || rel("files_view_own") || rel("files_view") || !rel("notes_edit_own") || rel("notes_edit") {
			t.Errorf("location %s has the wrong access for its practitioner %s", loc, user)
		}
		if s.Has(domain.Rel(domain.Object{Type: "workspace", ID: "p1"}, "forms_view", domain.Object{Type: "user", ID: user})) {
			t.Errorf("%s holds practitioner at %s only, yet has forms_view on the whole workspace", user, loc)
		}
	}
}

func TestPageOf(t *testing.T) {
	t.Parallel()
	var ids []domain.Found
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		ids = append(ids, domain.Found{ID: id})
	}
	tests := []struct {
		cursor   string
		limit    int
		want     string
		wantNext string
	}{
		{"", 2, "a,b", "b"},
		{"b", 2, "c,d", "d"},
		{"d", 2, "e", ""},
		{"", 10, "a,b,c,d,e", ""},
		{"bb", 1, "c", "c"}, // a cursor that is no longer an ID continues after it
		{"e", 3, "", ""},
	}
	for _, tt := range tests {
		page, next := domain.PageOf(ids, tt.cursor, tt.limit)
		if strings.Join(domain.FoundIDs(page), ",") != tt.want || next != tt.wantNext {
			t.Errorf("PageOf(%q, %d) = %v, %q; want %s, %q", tt.cursor, tt.limit, page, next, tt.want, tt.wantNext)
		}
	}
}

// TestFreshObjects: only objects a batch creates before anything else names
// them may go unread.
func TestFreshObjects(t *testing.T) {
	t.Parallel()
	n := domain.NeedsOf(parse(t, `{"type":"patient.shared","workspace":"p1","client":"old","user":"u"}
{"type":"client.created","workspace":"p1","client":"old"}
{"type":"client.created","workspace":"p1","client":"new"}
{"type":"note.created","workspace":"p1","note":"n1","client":"new","author":"u"}
{"type":"note.finalized","workspace":"p1","note":"n2"}
{"type":"note.created","workspace":"p1","note":"n2","client":"new","author":"u"}`))
	var got []string
	for _, o := range n.Fresh {
		got = append(got, o.String())
	}
	if want := "client:new,note:n1"; strings.Join(got, ",") != want {
		t.Errorf("fresh = %v, want %s", got, want)
	}
}

// TestResendingALocationRepairsItsAccess: a practice stored by an earlier
// version may lack workspace-wide staff's access on a location created with
// nothing after it; sending its location.created again writes it.
func TestResendingALocationRepairsItsAccess(t *testing.T) {
	s, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}
{"type":"staff.added","workspace":"w","user":"m","role":"practice_manager"}
{"type":"location.created","workspace":"w","location":"east"}`))
	var lost []domain.Relationship
	for _, r := range s.All() {
		if r.Resource == (domain.Object{Type: domain.TypeLocation, ID: "east"}) && r.Subject.Type == domain.TypeUser {
			lost = append(lost, r)
		}
	}
	if len(lost) == 0 {
		t.Fatal("a new location gave workspace-wide staff nothing")
	}
	for _, r := range lost {
		s.Remove(r) // as the earlier version left it
	}
	plan, err := domain.PlanEvents(parse(t, `{"type":"location.created","workspace":"w","location":"east"}`), s)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lost {
		if !slices.Contains(plan.Touch, r) {
			t.Errorf("not repaired: %s", r)
		}
	}
	if len(plan.Delete) != 0 {
		t.Errorf("the repair deletes %v", plan.Delete)
	}
}

func TestInactiveAccess(t *testing.T) {
	ws := domain.Object{Type: domain.TypeWorkspace, ID: "w"}
	north := domain.Object{Type: domain.TypeLocation, ID: "north"}
	user := func(id string) domain.Object { return domain.Object{Type: domain.TypeUser, ID: id} }
	bot := domain.Object{Type: domain.TypeServiceAccount, ID: "bot"}
	practice := []domain.Relationship{
		domain.Rel(north, "workspace", ws),
		domain.Rel(ws, "member", user("ann")),
		domain.Rel(ws, "member", user("dee")),
		domain.Rel(ws, "disabled", user("dee")),
		domain.Rel(ws, "member", bot),
		domain.Rel(ws, "disabled", bot),
	}
	tests := []struct {
		name  string
		rel   domain.Relationship
		stray bool
	}{
		{"an enabled member's workspace access", domain.Rel(ws, "clients_view", user("ann")), false},
		{"an enabled member's location access", domain.Rel(north, "clients_view_own", user("ann")), false},
		{"a disabled member's location access", domain.Rel(north, "clients_view", user("dee")), true},
		{"a disabled service account's access", domain.Rel(ws, "invoices_view", bot), true},
		{"someone who is not staff", domain.Rel(ws, "notes_view", user("zed")), true},
		{"access at a location of no practice", domain.Rel(domain.Object{Type: domain.TypeLocation, ID: "lost"}, "clients_view", user("ann")), true},
		{"membership is not access", domain.Rel(ws, "member", user("zed")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.InactiveAccess(append(slices.Clone(practice), tt.rel))
			if want := tt.stray; (len(got) == 1 && got[0] == tt.rel) != want || len(got) > 1 {
				t.Errorf("got %v, want stray=%v", got, want)
			}
		})
	}
}

// TestStepsNameTheRoles: access SpiceDB found names the holdings it comes
// from, read from the practice; what no holding accounts for, or another
// practice's, keeps the general words.
func TestStepsNameTheRoles(t *testing.T) {
	s, _ := apply(t, domain.NewState(), parse(t, scenarios.Base))
	p1 := domain.Practice{S: s, WS: "p1"}
	step := func(res domain.Object, relation, user string, found bool) domain.TraceNode {
		return domain.TraceNode{Resource: res, Name: relation, Relation: true, Subject: domain.Object{Type: domain.TypeUser, ID: user}, Found: found}
	}
	north := domain.Object{Type: domain.TypeLocation, ID: "north"}
	south := domain.Object{Type: domain.TypeLocation, ID: "south"}
	tests := []struct {
		name string
		node domain.TraceNode
		pr   domain.Practice
		want string
	}{
		{"a workspace-wide role", step(north, "notes_view_own", "priya", true), p1, "priya has notes view: own at location north, from role practitioner workspace-wide"},
		{"a role at one location", step(south, "invoices_view_own", "sam", true), p1, "sam has invoices view: own at location south, from role practitioner at location south"},
		{"not found", step(north, "notes_view", "priya", false), p1, "priya does not have notes view: full at location north"},
		{"found, but no role of theirs gives it", step(north, "clients_delete", "priya", true), p1, "priya has clients delete: full at location north, from their roles"},
		{"another practice's question", step(north, "notes_view_own", "priya", true), domain.Practice{S: s, WS: "p2"}, "priya has notes view: own at location north, from their roles"},
		{"no practice given", step(north, "notes_view_own", "priya", true), domain.Practice{}, "priya has notes view: own at location north, from their roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.Steps(tt.node, tt.pr)
			if len(got) != 1 || got[0].Text != tt.want {
				t.Errorf("got %+v, want %q", got, tt.want)
			}
		})
	}
}

// TestLapsedStaff: once a member's seen relationship has ended (SpiceDB no
// longer returns it), they are not active: a sign-in does not bring them
// back (409), a rewrite of everyone's access writes none for them, explain
// says why, and staff.enabled restores them, seen as of then.
func TestLapsedStaff(t *testing.T) {
	t.Parallel()
	on, _ := apply(t, domain.NewState(), parse(t, planBase+`
{"type":"policy.set","workspace":"w","inactivity_days":30}`))
	seen := domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: "w"}, "seen", domain.Object{Type: domain.TypeUser, ID: "r"})
	if !on.HasKey(seen) {
		t.Fatal("turning the policy on should count r as seen")
	}
	lapsed := on.Clone()
	lapsed.RemoveKey(seen) // as SpiceDB reads it once the end has passed
	pr := domain.Practice{S: lapsed, WS: "w"}
	if !pr.IsLapsed("r") || pr.IsActive("r") || pr.IsLapsed("o") {
		t.Fatalf("lapsed r: lapsed %v, active %v; owner lapsed %v", pr.IsLapsed("r"), pr.IsActive("r"), pr.IsLapsed("o"))
	}
	if _, err := domain.PlanEvents(parse(t, `{"type":"staff.seen","workspace":"w","user":"r"}`), lapsed); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("a sign-in of a lapsed member: %v, want a conflict", err)
	}
	rewritten, _ := apply(t, lapsed, parse(t, `{"type":"role.updated","workspace":"w","role":"receptionist","grants":{"reports":"all"}}`))
	if stray := domain.InactiveAccess(rewritten.All()); len(stray) > 0 {
		t.Errorf("access written for someone lapsed: %v", stray)
	}
	for _, r := range rewritten.All() {
		if r.Subject.ID == "r" && (r.Resource.Type == domain.TypeWorkspace || r.Resource.Type == domain.TypeLocation) && r.Relation != "member" {
			t.Errorf("a rewrite gave lapsed r %v", r)
		}
	}
	ex := domain.Explain(domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: "r"}, Permission: "view", Resource: domain.Object{Type: domain.TypeClient, ID: "c"}}, lapsed)
	if ex.Allowed || len(ex.Reasons) != 1 || ex.Reasons[0].Kind != "inactive" {
		t.Errorf("explain for lapsed r: %+v", ex)
	}
	enabled, _ := apply(t, lapsed, parse(t, `{"type":"staff.enabled","workspace":"w","user":"r"}`))
	if got := enabled.SpanOf(seen).End(); got != domain.EndAt(parsedAt.AddDate(0, 0, 30)) {
		t.Errorf("enabled r is seen until %s, want 30 days from %s", got, parsedAt)
	}
}

// TestInactivitySparesOnlyStandingHolders: the policy spares the owner and
// those who hold a role that cannot be disabled from now on with no end;
// the old owner after a transfer, and a holder whose such role ends, sign
// in like everyone else. A lapse keeps per-client notes access for when the
// policy is lifted, and a sign-in "at" before 1970 is refused.
func TestInactivitySparesOnlyStandingHolders(t *testing.T) {
	t.Parallel()
	seenEnd := func(s *domain.State, user string) (domain.End, bool) {
		ws := map[bool]string{true: "k", false: "w"}[strings.HasPrefix(user, "k")] // the practice's users are named after it
		r := domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: ws}, "seen", domain.Object{Type: domain.TypeUser, ID: user})
		return s.SpanOf(r).End(), s.HasKey(r)
	}
	in30 := domain.EndAt(parsedAt.AddDate(0, 0, 30))
	k, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"k","owner":"ka","preset":"cliniko"}
{"type":"staff.added","workspace":"k","user":"kb","role":"administrator"}
{"type":"policy.set","workspace":"k","inactivity_days":30}`))
	if end, ok := seenEnd(k, "ka"); !ok || !end.Never() {
		t.Fatalf("the owner should be seen with no end: %v %v", end, ok)
	}
	moved, _ := apply(t, k, parse(t, `{"type":"ownership.transferred","workspace":"k","to":"kb"}`))
	if end, _ := seenEnd(moved, "ka"); end != in30 {
		t.Errorf("the old owner is seen until %v, want the policy's days from now (%v)", end, in30)
	}
	if end, _ := seenEnd(moved, "kb"); !end.Never() {
		t.Errorf("the new owner is seen until %v, want no end", end)
	}
	for _, r := range moved.All() {
		if r.Subject.ID == "ka" && r.Resource.Type == domain.TypeWorkspace && r.Relation != "member" && r.Relation != "seen" && r.Expires != in30 {
			t.Errorf("the old owner's access %v should end with their activity", r)
			break
		}
	}

	w, _ := apply(t, domain.NewState(), parse(t, planBase+`
{"type":"policy.set","workspace":"w","inactivity_days":30}
{"type":"staff.added","workspace":"w","user":"u","role":"practice_manager"}
{"type":"role.assigned","workspace":"w","user":"u","role":"practitioner_admin","expires_at":"2027-01-01T00:00:00Z"}
{"type":"role.assigned","workspace":"w","user":"p","role":"practitioner_admin"}`))
	if end, _ := seenEnd(w, "u"); end != in30 {
		t.Errorf("a practitioner admin until 2027 is seen until %v, want %v: a role that ends spares nobody", end, in30)
	}
	if end, _ := seenEnd(w, "p"); !end.Never() {
		t.Errorf("a standing practitioner admin is seen until %v, want no end", end)
	}

	lapsed := w.Clone()
	lapsed.RemoveKey(domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: "w"}, "seen", domain.Object{Type: domain.TypeUser, ID: "r"}))
	reader := domain.Rel(domain.Object{Type: domain.TypeClient, ID: "c"}, "notes_reader", domain.Object{Type: domain.TypeUser, ID: "r"})
	again, _ := apply(t, lapsed, parse(t, `{"type":"role.assigned","workspace":"w","user":"r","role":"front"}`))
	if !again.HasKey(reader) {
		t.Error("a lapsed member's notes access should stay, for when the policy is lifted (the schema's active gates it)")
	}
	if _, err := domain.ParseEventsAt([]json.RawMessage{json.RawMessage(`{"type":"staff.seen","workspace":"w","user":"r","at":"0001-01-01T00:00:00Z"}`)}, parsedAt); err == nil {
		t.Error("a sign-in at 0001-01-01 should be refused, not taken as now")
	}
}

// TestSpansHaveABoundedNumberOfWindows: access given by many holdings in
// disjoint windows is one relationship whose caveat lists them all; past
// domain.MaxWindows the request is refused by name (413 naming starts_at)
// instead of reaching SpiceDB's bound on a relationship's context.
func TestSpansHaveABoundedNumberOfWindows(t *testing.T) {
	events := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}` + "\n")
		b.WriteString(`{"type":"staff.added","workspace":"w","user":"z","role":"receptionist","expires_at":"2099-01-01T00:00:00Z"}` + "\n")
		start := parsedAt.AddDate(1, 0, 0)
		for i := range n {
			from, until := start.AddDate(0, 0, 2*i), start.AddDate(0, 0, 2*i+1)
			fmt.Fprintf(&b, `{"type":"role.defined","workspace":"w","role":"r%d","grants":{"settings":{"view":"all"}}}`+"\n", i)
			fmt.Fprintf(&b, `{"type":"role.assigned","workspace":"w","user":"z","role":"r%d","starts_at":%q,"expires_at":%q}`+"\n", i,
				from.Format(time.RFC3339), until.Format(time.RFC3339))
		}
		return b.String()
	}
	if _, err := domain.PlanEvents(parse(t, events(domain.MaxWindows)), domain.NewState()); err != nil {
		t.Fatalf("%d windows: %v", domain.MaxWindows, err)
	}
	_, err := domain.PlanEvents(parse(t, events(domain.MaxWindows+1)), domain.NewState())
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeTooLarge || e.Field != "starts_at" || !strings.Contains(e.Message, "201 separate windows") {
		t.Fatalf("%d windows: %v, want too_large naming starts_at and the count", domain.MaxWindows+1, err)
	}
}

// TestConditionsCountTowardsTheBound: holdings with different networks are
// one term each in the caveat of what they give, and count towards
// domain.MaxWindows by the caveat's size: past it the request is refused by
// name, before SpiceDB's bound on a relationship's context (100 such terms
// measured 18,103 bytes of SpiceDB's 25,000; 200 terms with hours, over
// 37,000).
func TestConditionsCountTowardsTheBound(t *testing.T) {
	events := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}` + "\n")
		b.WriteString(`{"type":"staff.added","workspace":"w","user":"z","role":"receptionist","networks":["10.0.0.0/8"]}` + "\n")
		for i := range n {
			fmt.Fprintf(&b, `{"type":"role.defined","workspace":"w","role":"r%d","grants":{"settings":{"view":"all"}}}`+"\n", i)
			fmt.Fprintf(&b, `{"type":"role.assigned","workspace":"w","user":"z","role":"r%d","networks":["2001:db8:%x::/48"]}`+"\n", i, i)
		}
		return b.String()
	}
	// Counted by the caveat's size, a term of a window and an IPv6 network
	// weighs about two and a half windows.
	if _, err := domain.PlanEvents(parse(t, events(70)), domain.NewState()); err != nil {
		t.Fatalf("70 holdings with networks: %v", err)
	}
	_, err := domain.PlanEvents(parse(t, events(100)), domain.NewState())
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeTooLarge || !strings.Contains(e.Message, "business hours and networks count too") {
		t.Fatalf("100 holdings with networks: %v, want too_large naming conditions", err)
	}
}

// TestRoleConditionsReachEverythingAHoldingGives: a role's business hours,
// given or removed after its holders hold it, reach everything their
// holdings give: the access written out for them, the per-client notes
// access that follows their roles, and (ClinicSense) the individually
// switched permissions held with the switch role, which keep the switch
// role's conditions rather than lose them to the personal role's.
func TestRoleConditionsReachEverythingAHoldingGives(t *testing.T) {
	hours := `{"timezone":"Australia/Sydney","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}`
	s, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}
{"type":"role.defined","workspace":"w","role":"desk","grants":{"clients":{"view":"all"},"notes":{"view":"own"}}}
{"type":"staff.added","workspace":"w","user":"r","role":"desk"}
{"type":"client.created","workspace":"w","client":"c"}
{"type":"notes_access.granted","workspace":"w","user":"r","client":"c"}
{"type":"workspace.created","workspace":"cs","owner":"co","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs","user":"ss","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"cs","user":"ss","permission":"change_own_office_staff_profile","value":"on"}`))
	spans := func(s *domain.State) (conditional, plain []string) {
		for _, r := range s.All() {
			if (r.Subject.ID != "r" && r.Subject.ID != "ss") || r.Relation == "member" && r.Resource.Type == domain.TypeWorkspace || r.Resource.Type == domain.TypeStaffMember {
				continue
			}
			if r.Span().Conditional() {
				conditional = append(conditional, r.Key().String())
			} else {
				plain = append(plain, r.Key().String())
			}
		}
		return conditional, plain
	}
	if c, _ := spans(s); len(c) != 0 {
		t.Fatalf("conditional before any hours: %v", c)
	}
	s, _ = apply(t, s, parse(t, `{"type":"role.updated","workspace":"w","role":"desk","hours":`+hours+`}
{"type":"role.updated","workspace":"cs","role":"office_staff","hours":`+hours+`}`))
	c, p := spans(s)
	for _, want := range []string{"client:c#notes_reader@user:r", "workspace:w#clients_view@user:r", "role_binding:cs/=ss#member@user:ss", "workspace:cs#office_staff_profiles_edit_own@user:ss"} {
		if !slices.Contains(c, want) {
			t.Errorf("%s does not carry the role's hours; conditional: %v; plain: %v", want, c, p)
		}
	}
	for _, r := range p {
		if !strings.Contains(r, "#workspace@") && !strings.Contains(r, "#notes_access@") && !strings.Contains(r, "#enabled_for@") && !strings.Contains(r, "#practitioner@") {
			t.Errorf("%s is given by a holding of a role with hours, and has none", r)
		}
	}
	s, _ = apply(t, s, parse(t, `{"type":"role.updated","workspace":"w","role":"desk","hours":null}
{"type":"role.updated","workspace":"cs","role":"office_staff","hours":null}`))
	if c, _ := spans(s); len(c) != 0 {
		t.Errorf("conditional after the hours were removed: %v", c)
	}
}

// TestTimedRoleGrantsStayTimed: a role's notes access given for a time is
// never made lasting by what reads a role's grants: an heir defined later,
// a setting that narrows the area (it narrows the timed grant, keeping its
// span), a grant of the same area (the timed one stays beside), or a
// dependency check (a timed view does not let a lasting create through).
func TestTimedRoleGrantsStayTimed(t *testing.T) {
	base, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}
{"type":"role.defined","workspace":"w","role":"tmp","grants":{"clients":{"view":"all"}}}
{"type":"notes_access.granted","workspace":"w","role":"tmp","starts_at":"2098-01-01T00:00:00Z","expires_at":"2099-01-01T00:00:00Z"}
{"type":"workspace.created","workspace":"k","owner":"ko","preset":"cliniko"}
{"type":"role.updated","workspace":"k","role":"practitioner","grants":{"notes":"none","letters":"none"}}
{"type":"staff.added","workspace":"k","user":"kp","role":"practitioner"}
{"type":"notes_access.granted","workspace":"k","role":"practitioner","expires_at":"2099-01-01T00:00:00Z"}
{"type":"workspace.created","workspace":"c","owner":"co","preset":"clinicsense"}
{"type":"role.defined","workspace":"c","role":"aide","grants":{"clients":{"view":"all"}}}
{"type":"notes_access.granted","workspace":"c","role":"aide","expires_at":"2099-01-01T00:00:00Z"}`))
	lasting := func(s *domain.State, user, prefix string) []string {
		var out []string
		for _, r := range s.All() {
			if r.Subject.ID == user && strings.HasPrefix(r.Relation, prefix) && r.Span().Always() {
				out = append(out, r.String())
			}
		}
		return out
	}
	s, _ := apply(t, base, parse(t, `{"type":"role.defined","workspace":"w","role":"heir","inherits":"tmp"}
{"type":"staff.added","workspace":"w","user":"hh","role":"heir"}
{"type":"setting.changed","workspace":"k","setting":"practitioners_see_own_notes_only","value":"on"}`))
	if got := lasting(s, "hh", "notes_"); len(got) != 0 {
		t.Errorf("an heir defined later reads notes for good: %v", got)
	}
	if got := lasting(s, "kp", "notes_"); len(got) != 0 {
		t.Errorf("a setting made the timed notes access lasting: %v", got)
	}
	narrowed := false
	for _, r := range s.All() {
		if r.Subject.ID == "kp" && r.Relation == "notes_view_written" && r.Expires == domain.EndAt(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)) {
			narrowed = true
		}
		if r.Subject.ID == "kp" && r.Relation == "notes_view" {
			t.Errorf("the setting left the timed grant unnarrowed: %v", r)
		}
	}
	if !narrowed {
		t.Error("the timed grant was not narrowed to what the practitioner wrote, until its end")
	}
	s, _ = apply(t, s, parse(t, `{"type":"role.updated","workspace":"w","role":"tmp","grants":{"notes":{"view":"own"}}}`))
	timed := 0
	for _, r := range s.Of(domain.Object{Type: domain.TypeRole, ID: "w/tmp"}, "grant") {
		if r.Subject.ID == "notes_view" && !r.Span().Always() {
			timed++
		}
	}
	if timed != 1 {
		t.Errorf("role.updated of notes took the timed notes view away: %v", s.Of(domain.Object{Type: domain.TypeRole, ID: "w/tmp"}, "grant"))
	}
	if _, _, err := tryApply(base, parse(t, `{"type":"role.updated","workspace":"c","role":"aide","grants":{"notes":{"create":"all"}}}`)); err == nil {
		t.Error("a timed notes view let a lasting notes create through the dependency check")
	}
}

// A switch on for a time gives its capability for that time only, beside
// what switches on for good give, and a switch that depends on it counts
// only while both are on.
func TestSwitchesOnForATime(t *testing.T) {
	base, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"c","owner":"co","preset":"clinicsense"}
{"type":"staff.added","workspace":"c","user":"os","role":"office_staff"}`))
	end := domain.EndAt(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	type want struct {
		relation string
		span     string // Span.String of the written-out access, "" for none
	}
	for _, tc := range []struct {
		name   string
		events string
		want   []want
	}{
		{"own_for_good_and_full_for_a_time", `{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"view_office_staff_profiles","value":"on"}
{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"change_own_office_staff_profile","value":"on"}
{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"change_office_staff_profiles","value":"on","expires_at":"2099-01-01T00:00:00Z"}`,
			[]want{{"office_staff_profiles_edit_own", "always"}, {"office_staff_profiles_edit", "until " + end.String()}}},
		{"a_dependency_on_for_a_time_ends_what_depends_on_it", `{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"view_invoices","value":"on","expires_at":"2099-01-01T00:00:00Z"}
{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"edit_invoices","value":"on"}`,
			[]want{{"invoices_view", "until " + end.String()}, {"invoices_edit", "until " + end.String()}}},
		{"times_that_never_meet_give_nothing", `{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"view_invoices","value":"on","starts_at":"2098-01-01T00:00:00Z","expires_at":"2098-06-01T00:00:00Z"}
{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"edit_invoices","value":"on","starts_at":"2098-07-01T00:00:00Z"}`,
			[]want{{"invoices_view", "from 2098-01-01T00:00:00Z until 2098-06-01T00:00:00Z"}, {"invoices_edit", ""}}},
		{"on_again_for_good_replaces_the_time", `{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"view_invoices","value":"on","starts_at":"2098-01-01T00:00:00Z"}
{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"view_invoices","value":"on"}`,
			[]want{{"invoices_view", "always"}}},
		{"off_takes_a_time_away", `{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"view_invoices","value":"on","starts_at":"2098-01-01T00:00:00Z"}
{"type":"staff_permission.changed","workspace":"c","user":"os","permission":"view_invoices","value":"off"}`,
			[]want{{"invoices_view", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := apply(t, base, parse(t, tc.events))
			for _, w := range tc.want {
				got := ""
				for _, r := range s.All() {
					if r.Subject.ID == "os" && r.Relation == w.relation && r.Resource.Type == domain.TypeWorkspace {
						got = r.Span().String()
					}
				}
				if got != w.span {
					t.Errorf("%s: written for %q, want %q", w.relation, got, w.span)
				}
			}
		})
	}
}

// A grant for a time that has not started is named as not counting now only
// where it would give more than the role has now.
func TestExplainNamesTimedGrantsThatWouldGiveMore(t *testing.T) {
	s, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"k","owner":"ko","preset":"cliniko"}
{"type":"role.defined","workspace":"k","role":"aide","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"k","user":"ka","role":"aide"}
{"type":"client.created","workspace":"k","client":"kc"}
{"type":"note.created","workspace":"k","note":"kn","client":"kc","author":"ko"}
{"type":"notes_access.granted","workspace":"k","role":"aide","starts_at":"2098-01-01T00:00:00Z"}`))
	q := domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: "ka"}, Permission: "edit", Resource: domain.Object{Type: domain.TypeNote, ID: "kn"}}
	later := func(ex domain.Explanation) bool {
		return slices.ContainsFunc(ex.Reasons, func(r domain.Reason) bool { return strings.HasSuffix(r.Text, "which does not count now") })
	}
	if ex := domain.ExplainAt(q, s, time.Now(), domain.TraceNode{}); ex.Allowed || !later(ex) {
		t.Errorf("before the start: allowed=%v, reasons %v; want denied, naming the grant that starts later", ex.Allowed, ex.Reasons)
	}
	s, _ = apply(t, s, parse(t, `{"type":"role.updated","workspace":"k","role":"aide","grants":{"notes":"all"}}`))
	if ex := domain.ExplainAt(q, s, time.Now(), domain.TraceNode{}); !ex.Allowed || later(ex) {
		t.Errorf("with notes for good: allowed=%v, reasons %v; want allowed, naming no grant that starts later", ex.Allowed, ex.Reasons)
	}
}

package domain_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/domain"
)

// readsPool are event templates for TestTemplateAndTimedGrantReadsPlanAsEverything:
// locations, custom roles, template choices and timed grants, each %s
// filled from readsPick by the field before it.
var readsPool = []string{
	`{"type":"location.created","workspace":"%ws","location":"%newloc"}`,
	`{"type":"role.defined","workspace":"%ws","role":"%custom","grants":{"clients":{"view":"all"},"forms":{"view":"all"}}}`,
	`{"type":"role.deleted","workspace":"%ws","role":"%custom"}`,
	`{"type":"role.defined","workspace":"%ws","role":"%heir","inherits":"%custom","grants":{"invoices":{"view":"all"}}}`,
	`{"type":"role.defined","workspace":"%ws","role":"%heir","inherits":"%role"}`,
	`{"type":"role.updated","workspace":"%ws","role":"%custom","grants":{"clients":{"view":"own"},"invoices":{"view":"all"}}}`,
	`{"type":"role.updated","workspace":"%ws","role":"%custom","grants":{"invoices":{"approve":{"level":"all","amount_below":500}}}}`,
	`{"type":"role.updated","workspace":"%ws","role":"%role","grants":{"clients":{"view":"all"}}}`,
	`{"type":"role.updated","workspace":"%ws","role":"%role","networks":["10.0.0.0/8"]}`,
	`{"type":"role.assigned","workspace":"%ws","user":"%user","role":"%heir","location":"%loc"}`,
	`{"type":"role.assigned","workspace":"%ws","user":"%user","role":"%custom","expires_at":"2097-01-01T00:00:00Z"}`,
	`{"type":"role.deleted","workspace":"%ws","role":"%heir"}`,
	`{"type":"form_template.restricted","workspace":"%ws","template":"%tmpl","value":"on"}`,
	`{"type":"form_template.access_granted","workspace":"%ws","template":"%tmpl","role":"%role"}`,
	`{"type":"form_template.access_granted","workspace":"%ws","template":"%tmpl","role":"%role","expires_at":"2097-01-01T00:00:00Z"}`,
	`{"type":"form_template.access_revoked","workspace":"%ws","template":"%tmpl","role":"%role"}`,
	`{"type":"staff.added","workspace":"%ws","user":"%user","role":"%role"}`,
	`{"type":"staff.added","workspace":"%ws","user":"%user","role":"%role","location":"%loc","expires_at":"2097-01-01T00:00:00Z"}`,
	`{"type":"staff.removed","workspace":"%ws","user":"%user"}`,
	`{"type":"staff.disabled","workspace":"%ws","user":"%user"}`,
	`{"type":"policy.set","workspace":"%ws","inactivity_days":7}`,
	`{"type":"staff.seen","workspace":"%ws","user":"%user"}`,
	`{"type":"staff.enabled","workspace":"%ws","user":"%user"}`,
	`{"type":"role.revoked","workspace":"%ws","user":"%user","role":"%role"}`,
	`{"type":"notes_access.granted","workspace":"%ws","user":"%user","client":"%client","expires_at":"2096-01-01T00:00:00Z"}`,
	`{"type":"notes_access.granted","workspace":"%ws","user":"%user","client":"%client","starts_at":"2095-01-01T00:00:00Z"}`,
	`{"type":"staff.added","workspace":"%ws","user":"%user","role":"%role","starts_at":"2095-06-01T00:00:00Z","expires_at":"2097-01-01T00:00:00Z"}`,
	`{"type":"form_template.access_granted","workspace":"%ws","template":"%tmpl","role":"%role","starts_at":"2096-01-01T00:00:00Z"}`,
	`{"type":"notes_access.revoked","workspace":"%ws","user":"%user","client":"%client"}`,
	`{"type":"patient.shared","workspace":"%ws","client":"%client","user":"%user","expires_at":"2096-01-01T00:00:00Z"}`,
	`{"type":"patient.unshared","workspace":"%ws","client":"%client","user":"%user"}`,
	`{"type":"client.deleted","workspace":"%ws","client":"%client"}`,
	`{"type":"ownership.transferred","workspace":"%ws","to":"%user"}`,
}

var readsPick = map[string][]string{
	"ws":     {"w", "k"},
	"user":   {"o", "p", "q", "r", "kp", "ka"},
	"role":   {"practitioner", "receptionist", "front", "front2", "administrator"},
	"custom": {"front", "front2"},
	"heir":   {"front3", "front4"},
	"loc":    {"north"},
	"newloc": {"l1", "l2", "l3"},
	"tmpl":   {"wt", "kt", "t2"},
	"client": {"c", "kc"},
}

// batchDraw draws the randomized comparisons' batches: 1,000 of them, each
// of 1 to most events made by event, reshaped by shape when it is set, over
// start varied by fewer than warmup such events first.
type batchDraw struct {
	start        *domain.State
	rnd          *rand.Rand
	event        func() string
	warmup, most int
	shape        func(lines []string) []string
	// narrowOnly skips the batches that read the practices whole.
	narrowOnly bool
}

// run plans each batch from what it reads, from everything and for
// everyone (plansAlike, which fails t when they differ), and calls each
// with the batch's needs, events, plan from everything and refusal.
func (d batchDraw) run(t *testing.T, each func(domain.Needs, []domain.Event, domain.Plan, error)) {
	t.Helper()
	for range 1000 {
		base := d.start
		for range d.rnd.IntN(d.warmup) {
			if events, err := domain.ReadEvents(strings.NewReader(d.event())); err == nil {
				if next, _, err := tryApply(base, events); err == nil {
					base = next
				}
			}
		}
		var lines []string
		for range 1 + d.rnd.IntN(d.most) {
			lines = append(lines, d.event())
		}
		if d.shape != nil {
			lines = d.shape(lines)
		}
		events, err := domain.ReadEvents(strings.NewReader(strings.Join(lines, "\n")))
		if err != nil {
			continue
		}
		needs := domain.NeedsOf(events)
		if d.narrowOnly && !needs.Narrow {
			continue
		}
		read, _ := loadFrom(base, needs)
		whole, err := plansAlike(t, lines, events, read, base)
		each(needs, events, whole, err)
	}
}

// TestTemplateAndTimedGrantReadsPlanAsEverything plans random batches, narrow
// or not, of the events that read a practice's templates (a new location, a
// deleted role) or give and take timed grants, from what they read and from
// everything: the plans and refusals must be the same.
func TestTemplateAndTimedGrantReadsPlanAsEverything(t *testing.T) {
	t.Parallel()
	start, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+`{"type":"client.created","workspace":"k","client":"kc","practitioner":"kp"}`))
	planned := 0
	rnd := rand.New(rand.NewPCG(7, 11))
	batchDraw{start: start, rnd: rnd, event: randomEvent(rnd, readsPool, readsPick), warmup: 6, most: 4}.run(t, func(_ domain.Needs, _ []domain.Event, _ domain.Plan, err error) {
		if err == nil {
			planned++
		}
	})
	t.Logf("%d batches planned alike", planned)
}

// TestLegacyOwnerMayBeGivenRoles: a Cliniko practice stored by an earlier
// Ward whose owner holds receptionist only (ownership passed to them then).
// Giving the owner another role takes nothing away and is not refused, nor is
// giving them administrator; once they hold it, taking it is.
func TestLegacyOwnerMayBeGivenRoles(t *testing.T) {
	t.Parallel()
	s, _ := apply(t, domain.NewState(), parse(t, `{"type":"workspace.created","workspace":"k","owner":"ka","preset":"cliniko"}
{"type":"staff.added","workspace":"k","user":"kr","role":"receptionist"}`))
	// What an earlier Ward's ownership.transferred to kr left.
	ws := domain.Object{Type: domain.TypeWorkspace, ID: "k"}
	s.Remove(domain.Rel(ws, "owner", domain.Object{Type: domain.TypeUser, ID: "ka"}))
	s.Add(domain.Rel(ws, "owner", domain.Object{Type: domain.TypeUser, ID: "kr"}))
	s, _, err := tryApply(s, parse(t, `{"type":"role.assigned","workspace":"k","user":"kr","role":"practitioner"}`))
	if err != nil {
		t.Fatalf("giving the legacy owner a further role is refused: %v", err)
	}
	s, _, err = tryApply(s, parse(t, `{"type":"role.assigned","workspace":"k","user":"kr","role":"administrator"}`))
	if err != nil {
		t.Fatalf("giving the legacy owner administrator is refused: %v", err)
	}
	if _, _, err := tryApply(s, parse(t, `{"type":"role.revoked","workspace":"k","user":"kr","role":"administrator"}`)); err == nil || !strings.Contains(err.Error(), "administrator") {
		t.Errorf("taking administrator from the owner once they hold it: %v, want a conflict naming administrator", err)
	}
}

// lendingPool are event templates for TestLendingReadsPlanAsEverything:
// lending roles and ending lendings among one practice's staff, and the
// events of lenders and delegates that follow them; each %s filled from
// lendingPick by the field before it.
var lendingPool = []string{
	`{"type":"delegation.granted","workspace":"w","delegation":"%deleg","from":"%user","to":"%user","expires_at":"%soon"}`,
	`{"type":"delegation.granted","workspace":"w","delegation":"%deleg","from":"%user","to":"%user","roles":["%role"],"expires_at":"%soon"}`,
	`{"type":"delegation.granted","workspace":"w","delegation":"%deleg","from":"%user","to":"%user","starts_at":"%later","expires_at":"%soon"}`,
	`{"type":"delegation.revoked","workspace":"w","delegation":"%deleg"}`,
	`{"type":"delegation.revoked","workspace":"w","delegation":"%deleg"}`,
	`{"type":"role.assigned","workspace":"w","user":"%user","role":"%role"}`,
	`{"type":"role.assigned","workspace":"w","user":"%user","role":"%role","location":"north","expires_at":"%soon"}`,
	`{"type":"role.revoked","workspace":"w","user":"%user","role":"%role"}`,
	`{"type":"role.updated","workspace":"w","role":"front","grants":{"invoices":{"view":"all"}}}`,
	`{"type":"staff.disabled","workspace":"w","user":"%user"}`,
	`{"type":"staff.enabled","workspace":"w","user":"%user"}`,
	`{"type":"staff.removed","workspace":"w","user":"%user"}`,
	`{"type":"staff.seen","workspace":"w","user":"%user"}`,
	`{"type":"policy.set","workspace":"w","inactivity_days":30}`,
	`{"type":"ownership.transferred","workspace":"w","to":"%user"}`,
}

var lendingPick = map[string][]string{
	"user":  {"o", "p", "q", "r", "x", "y"},
	"role":  {"practitioner", "receptionist", "front", "practice_manager"},
	"deleg": {"d1", "d2", "d3", "d4", "d5"},
	// a delegation starts and lasts within a year from now
	"soon":  {inDays(40), inDays(200)},
	"later": {inDays(20)},
}

// TestLendingReadsPlanAsEverything plans random batches that lend roles,
// end lendings, and change lenders and delegates, over a practice where
// roles are lent already, from what they read and from everything: the
// plans and refusals must be the same, and enough of them must lend or end
// a lending for that to mean something.
func TestLendingReadsPlanAsEverything(t *testing.T) {
	t.Parallel()
	soon := inDays(100)
	start, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+fmt.Sprintf(`{"type":"staff.added","workspace":"w","user":"x","role":"receptionist","location":"north"}
{"type":"staff.added","workspace":"w","user":"y","role":"practice_manager"}
{"type":"role.assigned","workspace":"w","user":"p","role":"front"}
{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","expires_at":"%s"}
{"type":"delegation.granted","workspace":"w","delegation":"d2","from":"y","to":"x","roles":["practice_manager"],"expires_at":"%s"}`, soon, soon)))
	planned, lending, narrow := 0, 0, 0
	rnd := rand.New(rand.NewPCG(4, 19))
	batchDraw{start: start, rnd: rnd, event: randomEvent(rnd, lendingPool, lendingPick), warmup: 4, most: 3}.run(t, func(needs domain.Needs, events []domain.Event, whole domain.Plan, err error) {
		if err != nil {
			return
		}
		planned++
		if needs.Narrow {
			narrow++
		}
		if slices.ContainsFunc(events, func(e domain.Event) bool { return strings.HasPrefix(e.Type, "delegation.") }) && !whole.Empty() {
			lending++
		}
	})
	if lending < 50 || narrow < 100 {
		t.Fatalf("too few interesting batches: %d planned, %d of them narrow, %d lending or ending a lending", planned, narrow, lending)
	}
	t.Logf("%d batches planned alike, %d of them narrow, %d lending or ending a lending", planned, narrow, lending)
}

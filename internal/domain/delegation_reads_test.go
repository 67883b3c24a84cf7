package domain_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
)

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
	"soon":  {time.Now().AddDate(0, 0, 40).UTC().Format(time.RFC3339), time.Now().AddDate(0, 0, 200).UTC().Format(time.RFC3339)},
	"later": {time.Now().AddDate(0, 0, 20).UTC().Format(time.RFC3339)},
}

// TestLendingReadsPlanAsEverything plans random batches that lend roles,
// end lendings, and change lenders and delegates, over a practice where
// roles are lent already, from what they read and from everything: the
// plans and refusals must be the same, and enough of them must lend or end
// a lending for that to mean something.
func TestLendingReadsPlanAsEverything(t *testing.T) {
	t.Parallel()
	soon := time.Now().AddDate(0, 0, 100).UTC().Format(time.RFC3339)
	start, _ := apply(t, domain.NewState(), parse(t, planBase+"\n"+fmt.Sprintf(`{"type":"staff.added","workspace":"w","user":"x","role":"receptionist","location":"north"}
{"type":"staff.added","workspace":"w","user":"y","role":"practice_manager"}
{"type":"role.assigned","workspace":"w","user":"p","role":"front"}
{"type":"delegation.granted","workspace":"w","delegation":"d1","from":"p","to":"r","expires_at":"%s"}
{"type":"delegation.granted","workspace":"w","delegation":"d2","from":"y","to":"x","roles":["practice_manager"],"expires_at":"%s"}`, soon, soon)))
	planned, lending, narrow := 0, 0, 0
	randomBatches(t, start, randomEvent(rand.New(rand.NewPCG(4, 19)), lendingPool, lendingPick), 4, 3, func(needs domain.Needs, events []domain.Event, whole domain.Plan) {
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

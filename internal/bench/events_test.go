package bench

import (
	"io"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/domain"
)

// TestEventCosts: the table has every case at each size, the events that
// read narrowly read the same at both sizes, a thousand staff added at once
// is one request, and the table says when a request was refused.
func TestEventCosts(t *testing.T) {
	costs, err := EventCosts([]int{30, 60}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(costs) != 2 || len(costs[0]) != len(costs[1]) || costs[0][0].Staff != 30 {
		t.Fatalf("got %d sizes, staff %d", len(costs), costs[0][0].Staff)
	}
	byName := func(size int, name string) EventCost {
		for _, c := range costs[size] {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no case %q", name)
		return EventCost{}
	}
	for _, name := range []string{"client.created", "note.created", "notes_access.granted (one client)", "staff.added", "staff.disabled",
		"delegation.granted (u0_5 lends receptionist at l0 to u1_1)", "delegation.revoked (x0's lending to u1_5)"} {
		if a, b := byName(0, name), byName(1, name); a.Read != b.Read || a.Updates == 0 || a.Refused != "" {
			t.Errorf("%s: read %d at 30 staff and %d at 60, %d updates, refused %q", name, a.Read, b.Read, a.Updates, a.Refused)
		}
	}
	if a, b := byName(0, "role.updated (receptionists' forms)"), byName(1, "role.updated (receptionists' forms)"); b.Read <= a.Read {
		t.Errorf("a role's change reads the whole practice: %d at 30 staff, %d at 60", a.Read, b.Read)
	}
	if c := byName(1, "1,000 staff.added in one request"); c.Refused != "" || c.Updates <= 10000 || c.Updates > domain.MaxChangesPerRequest {
		t.Errorf("1,000 staff added: %+v, want one request of more than 10,000 updates (each person's access written out)", c)
	}
	for i := range costs { // how the table shows a refused request
		refused := byName(i, "staff.added")
		refused.Refused = "too_large"
		costs[i] = append(costs[i], refused)
	}
	var b strings.Builder
	if err := WriteEventCosts(&b, costs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| client.created | ") || !strings.Contains(b.String(), "refused (too_large)") {
		t.Errorf("table:\n%s", b.String())
	}
	if _, err := EventCosts([]int{10}, io.Discard); err == nil {
		t.Error("a practice too small for the cases was measured")
	}
}

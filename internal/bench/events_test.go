package bench

import (
	"io"
	"strings"
	"testing"
)

// TestEventCosts: the table has every case at each size, the events that
// read narrowly read the same at both sizes, and too large a request is
// refused rather than counted.
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
	for _, name := range []string{"client.created", "note.created", "notes_access.granted (one client)", "staff.added", "staff.disabled"} {
		if a, b := byName(0, name), byName(1, name); a.Read != b.Read || a.Updates == 0 || a.Refused != "" {
			t.Errorf("%s: read %d at 30 staff and %d at 60, %d updates, refused %q", name, a.Read, b.Read, a.Updates, a.Refused)
		}
	}
	if a, b := byName(0, "role.updated (receptionists' forms)"), byName(1, "role.updated (receptionists' forms)"); b.Read <= a.Read {
		t.Errorf("a role's change reads the whole practice: %d at 30 staff, %d at 60", a.Read, b.Read)
	}
	if c := byName(1, "1,000 staff.added in one request"); c.Refused != "too_large" {
		t.Errorf("1,000 staff added: %+v, want refused as too large", c)
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

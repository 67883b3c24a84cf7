package bench

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
)

// EventCost is what one event (or request) reads and writes at one practice
// size: the relationships its planning reads, in the rounds the service
// reads them from the store, and the relationship updates of its one atomic
// write, or why it was refused.
type EventCost struct {
	Name             string
	Read, Updates    int
	Refused          string
	Planning         time.Duration
	PracticeRels     int
	Staff, Locations int
}

// costSizes turns a staff count into a scenarios.StaffedPractice: two
// locations up to 100 staff, twenty above, and 99 workspace-wide staff
// above 100 (one below).
func costSizes(staff int) (locations, perLocation, wide int, err error) {
	locations, wide = 2, 1
	if staff > 100 {
		locations, wide = 20, 99
	}
	perLocation = (staff - 1 - wide) / locations
	if perLocation < 12 {
		return 0, 0, 0, fmt.Errorf("%d staff: a practice needs at least %d for every event of scenarios.Costs", staff, 1+wide+12*locations)
	}
	return locations, perLocation, wide, nil
}

// extraCosts are requests a large practice must take besides one event of
// each type: a thousand staff added at once.
func extraCosts() []scenarios.Cost {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, `{"type":"staff.added","workspace":"w","user":"added%d","role":"receptionist","location":"l1"}`+"\n", i)
	}
	return []scenarios.Cost{{Name: "1,000 staff.added in one request", Events: b.String()}}
}

// delegatedCosts are events of a lender and of their delegate, planned
// against the practice with withDelegation's delegation: each rewrites the
// other's access too, and reads only what that needs; and lending another
// role and ending that delegation, which rewrite the two people's access.
func delegatedCosts() []scenarios.Cost {
	until := time.Now().Add(14 * 24 * time.Hour).UTC().Format(time.RFC3339)
	return []scenarios.Cost{
		{Name: "staff.seen of a lender (x0 lends practice_manager to u1_5)", Events: `{"type":"staff.seen","workspace":"w","user":"x0"}`},
		{Name: "staff.disabled of that lender", Events: `{"type":"staff.disabled","workspace":"w","user":"x0"}`},
		{Name: "role.assigned to that delegate", Events: `{"type":"role.assigned","workspace":"w","user":"u1_5","role":"accountant"}`},
		{Name: "delegation.granted (u0_5 lends receptionist at l0 to u1_1)", Events: `{"type":"delegation.granted","workspace":"w","delegation":"cover","from":"u0_5","to":"u1_1","expires_at":"` + until + `"}`},
		{Name: "delegation.revoked (x0's lending to u1_5)", Events: `{"type":"delegation.revoked","workspace":"w","delegation":"leave"}`},
	}
}

// withDelegation is practice with x0 (a practice manager) lending their
// roles to u1_5 (a receptionist at l1) for a week.
func withDelegation(practice *domain.State) (*domain.State, error) {
	until := time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	evs, err := domain.ReadEvents(strings.NewReader(`{"type":"delegation.granted","workspace":"w","delegation":"leave","from":"x0","to":"u1_5","expires_at":"` + until + `"}`))
	if err != nil {
		return nil, err
	}
	evs[0].Actor = "user:x0"
	p, err := domain.PlanEvents(evs, practice)
	if err != nil {
		return nil, fmt.Errorf("lending x0's roles: %w", err)
	}
	out := practice.Clone()
	for _, r := range p.Delete {
		out.Remove(r)
	}
	for _, r := range p.Touch {
		out.Add(r)
	}
	return out, nil
}

// EventCosts plans every case of scenarios.Costs (and extraCosts) against a
// staffed practice of each size, without SpiceDB: what a case reads is what
// domain.Needs asks of the practice's relationships, which the service asks
// of the store the same way.
func EventCosts(staffSizes []int, progress io.Writer) ([][]EventCost, error) {
	var out [][]EventCost
	for _, staff := range staffSizes {
		locations, perLocation, wide, err := costSizes(staff)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(progress, "building a practice of %d staff over %d locations\n", 1+locations*perLocation+wide, locations)
		events, err := domain.ReadImport(strings.NewReader(scenarios.StaffedPractice(locations, perLocation, wide)))
		if err != nil {
			return nil, err
		}
		plan, err := domain.PlanImport(events)
		if err != nil {
			return nil, err
		}
		practice := domain.NewState(plan.Touch...)
		delegated, err := withDelegation(practice)
		if err != nil {
			return nil, err
		}
		var row []EventCost
		cases := append(append([]scenarios.Cost{}, scenarios.Costs...), extraCosts()...)
		for i, c := range append(cases, delegatedCosts()...) {
			fmt.Fprintf(progress, "  %s\n", c.Name)
			evs, err := domain.ReadEvents(strings.NewReader(c.Events))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.Name, err)
			}
			practice := practice
			if i >= len(cases) {
				practice = delegated
			}
			read := domain.NeedsOf(evs).ReadFrom(practice, nil)
			start := time.Now()
			p, err := domain.PlanEvents(evs, read)
			cost := EventCost{Name: c.Name, Read: len(read.All()), Planning: time.Since(start), PracticeRels: len(plan.Touch),
				Staff: 1 + locations*perLocation + wide, Locations: locations}
			var de *domain.Error
			switch {
			case errors.As(err, &de):
				cost.Refused = string(de.Code)
			case err != nil:
				return nil, fmt.Errorf("%s: %w", c.Name, err)
			default:
				cost.Updates = p.Updates()
			}
			row = append(row, cost)
		}
		out = append(out, row)
	}
	return out, nil
}

// WriteEventCosts prints costs (one row of cases per size, as EventCosts
// returns them) as a Markdown table, sizes side by side.
func WriteEventCosts(w io.Writer, costs [][]EventCost) error {
	if len(costs) == 0 {
		return errors.New("no sizes measured")
	}
	var b strings.Builder
	b.WriteString("| event |")
	for _, size := range costs {
		fmt.Fprintf(&b, " read, %d staff | written | planned in |", size[0].Staff)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|---:|---:|", len(costs)) + "\n")
	for i, c := range costs[0] {
		fmt.Fprintf(&b, "| %s |", c.Name)
		for _, size := range costs {
			sc := size[i]
			written := fmt.Sprint(sc.Updates)
			if sc.Refused != "" {
				written = "refused (" + sc.Refused + ")"
			}
			fmt.Fprintf(&b, " %d | %s | %s |", sc.Read, written, sc.Planning.Round(100*time.Microsecond))
		}
		b.WriteString("\n")
	}
	for _, size := range costs {
		fmt.Fprintf(&b, "\n%d staff over %d locations: %d relationships in all.", size[0].Staff, size[0].Locations, size[0].PracticeRels)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

package service_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/testenv"
)

// as are events sent on behalf of actor.
func as(t *testing.T, actor, jsonl string) []domain.Event {
	t.Helper()
	events := testenv.Parsed(t, jsonl)
	for i := range events {
		events[i].Actor = actor
	}
	return events
}

// practiceAfter is Ward over SpiceDB after steps, each events (JSON
// Lines) sent on behalf of an actor ("" for none).
func practiceAfter(t *testing.T, steps [][2]string) testenv.Ward {
	t.Helper()
	w := testenv.SpiceDB(t)
	for _, step := range steps {
		if _, err := w.Apply(context.Background(), as(t, step[0], step[1])); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// TestRacingDecisionsTakeOneStep: two people allowed to approve the same
// request, at once: one approval is taken, the other refused as a
// conflict, and the request holds one decision.
func TestRacingDecisionsTakeOneStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := practiceAfter(t, [][2]string{
		{"", scenarios.Base + `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"maya"}`},
		{"user:rita", `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"month end","minutes":60}`},
	})
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, actor := range []string{"user:maya", "user:olivia"} {
		wg.Go(func() {
			_, errs[i] = w.Apply(ctx, as(t, actor, `{"type":"access.approved","workspace":"p1","request":"ar1"}`))
		})
	}
	wg.Wait()
	var refused *domain.Error
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two approvals at once: %v and %v; want exactly one taken", errs[0], errs[1])
	}
	if err := errors.Join(errs...); !errors.As(err, &refused) || refused.Code != domain.CodeConflict {
		t.Fatalf("the approval that lost: %v, want a conflict", err)
	}
	page, _, err := w.AccessRequests(ctx, "p1", domain.AccessRequestQuery{Limit: 10})
	if err != nil || len(page) != 1 || len(page[0].Decisions) != 1 || page[0].State != domain.RequestApproved {
		t.Fatalf("the request after racing approvals: %+v, %v; want approved once", page, err)
	}
}

// TestRacingConsumersUseAGrantOnce: many checks made with consume at once
// for one one-time grant: exactly one is allowed and uses it up.
func TestRacingConsumersUseAGrantOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := practiceAfter(t, [][2]string{
		{"", scenarios.Base},
		{"user:rita", `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"one setting","minutes":60,"once":true}`},
		{"user:olivia", `{"type":"access.approved","workspace":"p1","request":"ar1"}`},
	})
	q, err := domain.ParseQuestion("user:rita", "manage_tax_settings", "workspace:p1")
	if err != nil {
		t.Fatal(err)
	}
	const racers = 8
	allowed := make([]bool, racers)
	used := make([]string, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			d, u, err := w.Consume(ctx, q, "")
			allowed[i], used[i], errs[i] = d.Allowed, u.Request, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range racers {
		if allowed[i] {
			n++
			if used[i] != "access_request:p1/ar1" {
				t.Errorf("an allowed consumer used %q", used[i])
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d of %d racing consumers were allowed by one one-time grant; want 1 (%v)", n, racers, allowed)
	}
	if d, err := w.Check(ctx, q, ""); err != nil || d.Allowed {
		t.Fatalf("after the grant was used: %+v, %v", d, err)
	}
}

// TestConsumeSaysWhatContextAGrantNeeds: a one-time grant of a role held
// only on a network answers a check with consume and no ip as a check
// does, conditionally, naming ip, and uses nothing; with the ip it is used.
func TestConsumeSaysWhatContextAGrantNeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := practiceAfter(t, [][2]string{
		{"", scenarios.Base + `{"type":"role.updated","workspace":"p1","role":"accountant","networks":["10.0.0.0/8"]}`},
		{"user:rita", `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"one setting","minutes":60,"once":true}`},
		{"user:olivia", `{"type":"access.approved","workspace":"p1","request":"ar1"}`},
	})
	q, err := domain.ParseQuestion("user:rita", "manage_tax_settings", "workspace:p1")
	if err != nil {
		t.Fatal(err)
	}
	d, used, err := w.Consume(ctx, q, "")
	if err != nil || d.Allowed || !d.Conditional || !slices.Equal(d.Missing, []string{"ip"}) || used.Request != "" {
		t.Fatalf("consume without an ip: %+v, used %q, %v; want conditional on ip, nothing used", d, used.Request, err)
	}
	q.IP = "10.1.2.3"
	if d, used, err := w.Consume(ctx, q, ""); err != nil || !d.Allowed || used.Request != "access_request:p1/ar1" {
		t.Fatalf("consume from the network: %+v, used %q, %v; want allowed, ar1 used", d, used.Request, err)
	}
}

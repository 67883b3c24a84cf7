package service_test

import (
	"context"
	"errors"
	"fmt"
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

// lapse makes person's review period in practice ws end a second from now,
// as it does by itself review_every_days after their last review, and
// waits until it has: SpiceDB no longer returns what ended.
func lapse(t *testing.T, w testenv.Ward, ws, person string) {
	t.Helper()
	current := domain.Rel(domain.ReviewObject(ws, person), "current", domain.Object{Type: domain.TypeWorkspace, ID: ws})
	current.Expires = domain.EndAt(time.Now().Add(time.Second))
	if _, err := w.Store.Write(context.Background(), domain.Write{Updates: []domain.Update{{Op: domain.Touch, Rel: current}}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
}

// TestDueReviewsAreToldOnce: a review that fell due, with nothing written
// then, is found by the sweep once, naming the owner and the person's
// manager to tell, however many sweeps race; the review lists it as due
// until someone reviews it, and then it is not due again until the
// policy's days pass once more.
func TestDueReviewsAreToldOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := practiceAfter(t, [][2]string{{"", scenarios.Base + `{"type":"policy.set","workspace":"p1","review_every_days":90}
{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"maya"}`}})
	if due, err := w.DueReviews(ctx); err != nil || len(due) != 0 {
		t.Fatalf("reviews due as the policy starts: %+v, %v; want none", due, err)
	}
	lapse(t, w, "p1", "rita")
	// The policy sent again (or its days changed) leaves her due.
	if _, err := w.Apply(ctx, as(t, "", `{"type":"policy.set","workspace":"p1","review_every_days":90}`)); err != nil {
		t.Fatal(err)
	}
	page, _, err := w.AccessReview(ctx, "p1", domain.AccessReviewQuery{Due: true, Limit: 10})
	if err != nil || len(page) != 1 || page[0].User != "rita" || !page[0].Due || page[0].DueAt != nil {
		t.Fatalf("the people due: %+v, %v; want rita, due", page, err)
	}
	// Two sweeps at once (two Ward instances): rita is told once.
	results := make([][]domain.DueReview, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i], errs[i] = w.DueReviews(ctx) })
	}
	wg.Wait()
	found := slices.Concat(results...)
	if errs[0] != nil || errs[1] != nil || len(found) != 1 {
		t.Fatalf("two sweeps at once found %+v (%v, %v); want rita's once", found, errs[0], errs[1])
	}
	if d := found[0]; d.Workspace != "p1" || !slices.Equal(d.Users, []string{"rita"}) || !slices.Equal(d.Notify, []string{"olivia", "maya"}) {
		t.Fatalf("the review due: %+v; want rita's in p1, telling olivia and maya", d)
	}
	if due, err := w.DueReviews(ctx); err != nil || len(due) != 0 {
		t.Fatalf("a sweep after: %+v, %v; want nothing told twice", due, err)
	}
	// Her manager reviews her: not due, and due again 90 days on.
	if _, err := w.Apply(ctx, as(t, "user:maya", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"keep"}`)); err != nil {
		t.Fatal(err)
	}
	page, _, err = w.AccessReview(ctx, "p1", domain.AccessReviewQuery{User: "rita", Limit: 10})
	if err != nil || len(page) != 1 || page[0].Due || page[0].DueAt == nil || page[0].DueAt.Sub(time.Now()) < 89*24*time.Hour {
		t.Fatalf("rita's review after her manager's: %+v, %v; want due in 90 days", page, err)
	}
	// When it falls due again, it is told again.
	lapse(t, w, "p1", "rita")
	if due, err := w.DueReviews(ctx); err != nil || len(due) != 1 || !slices.Equal(due[0].Users, []string{"rita"}) {
		t.Fatalf("rita's next review due: %+v, %v; want it told", due, err)
	}
}

// TestServiceAccountsKeysAreReviewed: a service account's review lists its
// role and its keys, each with who granted it; a review revokes a key,
// which authenticates no more.
func TestServiceAccountsKeysAreReviewed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := practiceAfter(t, [][2]string{
		{"", scenarios.Base},
		{"user:olivia", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Calendar sync","role":"receptionist"}`},
	})
	keys := service.NewKeys(w.Store)
	made, err := keys.Create(ctx, "p1", "sync", "user:olivia", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := w.AccessReview(ctx, "p1", domain.AccessReviewQuery{User: "service_account:sync", Limit: 10})
	if err != nil || len(page) != 1 {
		t.Fatalf("the account's review: %+v, %v", page, err)
	}
	if got, want := scenarios.ReviewID(page[0]), "service_account:sync:-:role:receptionist<olivia,api_key:"+made.ID+"<olivia"; got != want {
		t.Fatalf("the account's review: %s, want %s", got, want)
	}
	// Only a holder of review_access reviews an account: it has no manager.
	if _, err := w.Apply(ctx, as(t, "user:maya", `{"type":"access.reviewed","workspace":"p1","user":"service_account:sync","outcome":"keep"}`)); err == nil {
		t.Fatal("maya reviewed the account's access; only a holder of review_access may")
	}
	if _, err := w.Apply(ctx, as(t, "user:olivia", `{"type":"access.reviewed","workspace":"p1","user":"service_account:sync","outcome":"revoke","items":["api_key:`+made.ID+`"]}`)); err != nil {
		t.Fatal(err)
	}
	if live, err := keys.List(ctx, "p1"); err != nil || len(live) != 0 {
		t.Fatalf("live keys after the review revoked the only one: %+v, %v", live, err)
	}
	page, _, err = w.AccessReview(ctx, "p1", domain.AccessReviewQuery{User: "service_account:sync", Limit: 10})
	if err != nil || len(page) != 1 || scenarios.ReviewID(page[0]) != "service_account:sync:-:role:receptionist<olivia;revoke by olivia" {
		t.Fatalf("the account's review after: %+v, %v", page, err)
	}
}

// TestRevokingEverythingIsBoundedAndAskedFirst: a review revoking every
// standing grant of someone with more than MaxReviewItems is refused
// naming items, but only once the actor may review them at all: someone
// who may not learns nothing of how many grants they hold.
func TestRevokingEverythingIsBoundedAndAskedFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(scenarios.Base)
	for i := range domain.MaxReviewItems + 1 {
		fmt.Fprintf(&b, `{"type":"client.created","workspace":"p1","client":"many%d","location":"north","practitioner":"priya"}`+"\n", i)
		fmt.Fprintf(&b, `{"type":"patient.shared","workspace":"p1","client":"many%d","user":"pete"}`+"\n", i)
	}
	w := practiceAfter(t, [][2]string{{"", b.String()}})
	revokeAll := `{"type":"access.reviewed","workspace":"p1","user":"pete","outcome":"revoke"}`
	var refused *domain.Error
	if _, err := w.Apply(ctx, as(t, "user:rita", revokeAll)); !errors.As(err, &refused) || refused.Field != "actor" || strings.Contains(refused.Message, "standing grants") {
		t.Fatalf("rita revoking everything of pete's: %v; want a conflict naming actor, saying nothing of his grants", err)
	}
	if _, err := w.Apply(ctx, as(t, "user:olivia", revokeAll)); !errors.As(err, &refused) || refused.Field != "items" || !strings.Contains(refused.Message, "holds 102 standing grants") {
		t.Fatalf("olivia revoking everything of pete's: %v; want a conflict naming items: he holds 102 standing grants", err)
	}
}

// TestReviewPagesAreBoundedByGrants: a page of the access review ends
// before the person who would take it past domain.MaxReviewPageGrants
// grants, one with more than that is a page of their own, and paging on
// still lists everyone once.
func TestReviewPagesAreBoundedByGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := practiceAfter(t, [][2]string{{"", scenarios.Base}})
	many := domain.MaxReviewPageGrants + 1
	for from := 0; from < many; from += 500 {
		var b strings.Builder
		for i := from; i < min(from+500, many); i++ {
			fmt.Fprintf(&b, `{"type":"client.created","workspace":"p1","client":"g%d","location":"north","practitioner":"priya"}`+"\n", i)
			fmt.Fprintf(&b, `{"type":"patient.shared","workspace":"p1","client":"g%d","user":"rita"}`+"\n", i)
		}
		if _, err := w.Apply(ctx, as(t, "", b.String())); err != nil {
			t.Fatal(err)
		}
	}
	// every page of q: who each lists, and its grants
	pages := func(q domain.AccessReviewQuery) (people [][]string, grants []int) {
		for range 20 {
			page, next, err := w.AccessReview(ctx, "p1", q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			n := 0
			for _, r := range page {
				ids, n = append(ids, r.User), n+len(r.Grants)
			}
			people, grants = append(people, ids), append(grants, n)
			if next == "" {
				return people, grants
			}
			q.Cursor = next
		}
		t.Fatalf("%+v: more than 20 pages", q)
		return nil, nil
	}
	want := []string{"alex", "maya", "olivia", "pete", "priya", "rita", "sam"}
	for _, tt := range []struct {
		q    domain.AccessReviewQuery
		want [][]string
	}{
		{domain.AccessReviewQuery{Limit: 100}, [][]string{want[:5], {"rita"}, {"sam"}}},
		{domain.AccessReviewQuery{Limit: 2}, [][]string{{"alex", "maya"}, {"olivia", "pete"}, {"priya"}, {"rita"}, {"sam"}}},
		{domain.AccessReviewQuery{Limit: 5}, [][]string{want[:5], {"rita"}, {"sam"}}},
		{domain.AccessReviewQuery{Limit: 6, Actor: "user:olivia"}, [][]string{{"alex", "maya", "pete", "priya"}, {"rita"}, {"sam"}}},
		{domain.AccessReviewQuery{Limit: 1, User: "rita"}, [][]string{{"rita"}}},
	} {
		people, grants := pages(tt.q)
		if !slices.EqualFunc(people, tt.want, slices.Equal) {
			t.Errorf("%+v: pages %v, want %v", tt.q, people, tt.want)
		}
		for i, n := range grants {
			if n > domain.MaxReviewPageGrants && len(people[i]) != 1 {
				t.Errorf("%+v: page %v lists %d grants, more than %d", tt.q, people[i], n, domain.MaxReviewPageGrants)
			}
		}
	}
}

package service_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
)

// TestRacingRevocationsEndADelegationOnce: the lender and the owner revoke
// one delegation at once: exactly one revocation is taken, the other is a
// conflict, and the delegate acts with nothing after.
func TestRacingRevocationsEndADelegationOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := practiceAfter(t, [][2]string{
		{"", scenarios.Base},
		{"user:alex", `{"type":"delegation.granted","workspace":"p1","delegation":"d1","from":"alex","to":"rita","expires_at":"` + scenarios.Later(time.Now()) + `"}`},
	})
	q, err := domain.ParseQuestion("user:rita", "manage_tax_settings", "workspace:p1")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := w.Check(ctx, q, ""); err != nil || !d.Allowed {
		t.Fatalf("the delegate before: %+v, %v; want allowed", d, err)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, actor := range []string{"user:alex", "user:olivia"} {
		wg.Go(func() {
			_, errs[i] = w.Apply(ctx, as(t, actor, `{"type":"delegation.revoked","workspace":"p1","delegation":"d1"}`))
		})
	}
	wg.Wait()
	var refused *domain.Error
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two revocations at once: %v and %v; want exactly one taken", errs[0], errs[1])
	}
	if err := errors.Join(errs...); !errors.As(err, &refused) || refused.Code != domain.CodeConflict {
		t.Fatalf("the revocation that lost: %v, want a conflict", err)
	}
	page, _, err := w.Delegations(ctx, "p1", domain.DelegationQuery{Limit: 10})
	if err != nil || len(page) != 1 || page[0].State != domain.DelegationRevoked {
		t.Fatalf("the delegation after racing revocations: %+v, %v; want revoked", page, err)
	}
	if d, err := w.Check(ctx, q, ""); err != nil || d.Allowed {
		t.Fatalf("the delegate after: %+v, %v; want denied", d, err)
	}
}

package service_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// lockReadLast is a store whose first read of a practice's write lock, read
// beside other filters, reads the others first, runs hook, and only then
// the lock: one order SpiceDB may answer concurrent reads in, with another
// Ward instance's write landing between them.
type lockReadLast struct {
	service.Store
	once sync.Once
	hook func()
}

func isLock(f domain.Filter) bool {
	return f.ResourceType == domain.TypeWorkspace && f.Relation == "lock"
}

func (l *lockReadLast) ReadAll(ctx context.Context, at string, filters []domain.Filter) ([]domain.Relationship, string, error) {
	if !slices.ContainsFunc(filters, isLock) || len(filters) == 1 {
		return l.Store.ReadAll(ctx, at, filters)
	}
	var rels []domain.Relationship
	l.once.Do(func() {
		others, _, err := l.Store.ReadAll(ctx, at, slices.DeleteFunc(slices.Clone(filters), isLock))
		if err != nil {
			panic(err)
		}
		rels = others
		l.hook()
		filters = slices.DeleteFunc(slices.Clone(filters), func(f domain.Filter) bool { return !isLock(f) })
	})
	more, token, err := l.Store.ReadAll(ctx, at, filters)
	return append(rels, more...), token, err
}

// TestARevocationMeanwhileStands: one Ward instance reads the practice to
// change a role while another revokes that role from rita, the revocation
// landing between the first's reads: the first must not write rita's
// access as its stale reads had her, giving back what was revoked.
func TestARevocationMeanwhileStands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	if _, err := w.Apply(ctx, testenv.Parsed(t, scenarios.Base)); err != nil {
		t.Fatal(err)
	}
	store := &lockReadLast{Store: w.Store}
	store.hook = func() {
		if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"role.revoked","workspace":"p1","user":"rita","role":"receptionist"}`)); err != nil {
			t.Fatal(err)
		}
	}
	other := service.New(store, slog.New(slog.DiscardHandler))
	if _, err := other.Apply(ctx, testenv.Parsed(t, `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"invoices":"all"}}`)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []domain.Question{
		{Subject: domain.Object{Type: domain.TypeUser, ID: "rita"}, Permission: "view", Resource: domain.Object{Type: domain.TypeInvoice, ID: "in-ann"}},
		{Subject: domain.Object{Type: domain.TypeUser, ID: "rita"}, Permission: "view", Resource: domain.Object{Type: domain.TypeClient, ID: "ann"}},
	} {
		if d, err := w.Store.Check(ctx, q, ""); err != nil || d.Allowed {
			t.Errorf("after rita's receptionist role was revoked, %s %s %s: allowed=%v (%v); want denied", q.Subject, q.Permission, q.Resource, d.Allowed, err)
		}
	}
}

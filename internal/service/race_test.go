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

// interleaved is a store that lets another Ward instance's write (hook,
// run once) land among the reads of the first read of a practice's write
// lock: SpiceDB answers a read's filters concurrently, each at its newest,
// in any order.
type interleaved struct {
	service.Store
	// lockLast: a read of the lock beside other filters reads the others
	// first, then runs hook, then reads the lock; otherwise hook runs right
	// after that read.
	lockLast bool
	once     sync.Once
	hook     func()
}

func isLock(f domain.Filter) bool {
	return f.ResourceType == domain.TypeWorkspace && f.Relation == "lock"
}

func (l *interleaved) ReadAll(ctx context.Context, at string, filters []domain.Filter) ([]domain.Relationship, string, error) {
	if !slices.ContainsFunc(filters, isLock) {
		return l.Store.ReadAll(ctx, at, filters)
	}
	var first []domain.Relationship
	var err error
	ran := false
	l.once.Do(func() {
		ran = true
		if !l.lockLast {
			return
		}
		if others := slices.DeleteFunc(slices.Clone(filters), isLock); len(others) > 0 {
			if first, _, err = l.Store.ReadAll(ctx, at, others); err != nil {
				return
			}
			filters = slices.DeleteFunc(slices.Clone(filters), func(f domain.Filter) bool { return !isLock(f) })
		}
		l.hook()
	})
	if err != nil {
		return nil, "", err
	}
	rels, token, err := l.Store.ReadAll(ctx, at, filters)
	if ran && !l.lockLast {
		l.hook()
	}
	return append(first, rels...), token, err
}

// eachInterleaving runs race, in parallel, for each place another
// instance's write may land among the reads: before the lock is read, and
// just after it is.
func eachInterleaving(t *testing.T, race func(t *testing.T, lockLast bool)) {
	t.Parallel()
	for _, il := range []struct {
		name     string
		lockLast bool
	}{{"before the lock is read", true}, {"after the lock is read", false}} {
		t.Run(il.name, func(t *testing.T) {
			t.Parallel()
			race(t, il.lockLast)
		})
	}
}

// TestARevocationMeanwhileStands: one Ward instance reads the practice to
// change a role while another revokes that role from rita, the revocation
// landing among the first's reads: the first must not write rita's access
// as stale reads had her, giving back what was revoked.
func TestARevocationMeanwhileStands(t *testing.T) {
	eachInterleaving(t, func(t *testing.T, lockLast bool) {
		ctx := context.Background()
		w := testenv.SpiceDB(t)
		if _, err := w.Apply(ctx, testenv.Parsed(t, scenarios.Base)); err != nil {
			t.Fatal(err)
		}
		store := &interleaved{Store: w.Store, lockLast: lockLast}
		store.hook = func() {
			if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"role.revoked","workspace":"p1","user":"rita","role":"receptionist"}`)); err != nil {
				t.Error(err)
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
	})
}

// TestASweepMeanwhileTellsOnce: one instance sweeps for due reviews while
// another's sweep, landing among its reads, tells rita's: hers is told once.
func TestASweepMeanwhileTellsOnce(t *testing.T) {
	eachInterleaving(t, func(t *testing.T, lockLast bool) {
		ctx := context.Background()
		w := practiceAfter(t, [][2]string{{"", scenarios.Base + `{"type":"policy.set","workspace":"p1","review_every_days":90}`}})
		lapse(t, w, "p1", "rita")
		var told []domain.DueReview
		store := &interleaved{Store: w.Store, lockLast: lockLast}
		store.hook = func() {
			var err error
			if told, err = w.DueReviews(ctx); err != nil {
				t.Error(err)
			}
		}
		other := service.New(store, slog.New(slog.DiscardHandler))
		also, err := other.DueReviews(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if all := slices.Concat(told, also); len(all) != 1 || !slices.Equal(all[0].Users, []string{"rita"}) {
			t.Errorf("two sweeps, one landing among the other's reads, told %+v; want rita's once", all)
		}
	})
}

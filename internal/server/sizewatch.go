package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/spicedb"
)

// DefaultMemoryWarnAt is the number of relationships past which checks on the
// in-process memory datastore stop being fast: memdb has no index on resource
// IDs, so a check scans, and its latency grows with the data (measured in
// docs/performance.md). Ward warns there, once, so a practice that outgrows a
// demo setup learns to move to PostgreSQL or an external SpiceDB.
const DefaultMemoryWarnAt = 50000

// usesMemory reports whether cfg runs SpiceDB in-process on memdb.
func (c Config) usesMemory() bool {
	return c.SpiceDB.Endpoint == "" && (c.Datastore == "" || c.Datastore == spicedb.EngineMemory)
}

// watchSize wraps auth in a sizeWatch when cfg runs SpiceDB on the in-process
// memory datastore; other datastores index their relationships, so auth is
// returned unchanged.
func watchSize(auth httpapi.Authorizer, cfg Config, logger *slog.Logger) httpapi.Authorizer {
	if !cfg.usesMemory() {
		return auth
	}
	limit := cfg.MemoryWarnAt
	if limit == 0 {
		limit = DefaultMemoryWarnAt
	}
	w := &sizeWatch{Authorizer: auth, limit: int64(limit), log: logger}
	w.nextWarn.Store(int64(limit))
	return w
}

// sizeWatch counts the relationships written through it and logs a warning
// when the count reaches the limit, then again each time it reaches twice the
// count of the last warning, so a growing store is reported a few times, not
// on every request.
//
// The count is approximate: it is Touched minus Deleted of every successful
// Apply, and Touched also counts relationships that were replaced rather than
// added, so it errs high.
type sizeWatch struct {
	httpapi.Authorizer
	limit    int64
	log      *slog.Logger
	count    atomic.Int64
	nextWarn atomic.Int64
}

// Apply applies events and adds what they wrote to the count.
func (w *sizeWatch) Apply(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	res, err := w.Authorizer.Apply(ctx, events)
	if err != nil {
		return res, err
	}
	w.add(int64(res.Touched - res.Deleted))
	return res, nil
}

// Import imports practices and adds what they wrote to the count.
func (w *sizeWatch) Import(ctx context.Context, events []domain.Event) (domain.Applied, error) {
	res, err := w.Authorizer.Import(ctx, events)
	if err != nil {
		return res, err
	}
	w.add(int64(res.Touched))
	return res, nil
}

func (w *sizeWatch) add(delta int64) {
	n := w.count.Add(delta)
	for {
		next := w.nextWarn.Load()
		if n < next {
			return
		}
		// Only the caller that moves the threshold warns, so concurrent
		// Applies crossing it together log once.
		if w.nextWarn.CompareAndSwap(next, 2*n) {
			break
		}
	}
	w.log.Warn(fmt.Sprintf("the in-process memory datastore now holds about %d relationships; checks slow down as it grows past ~%d: "+
		"run Ward on PostgreSQL (--datastore postgres --datastore-uri postgres://...) or an external SpiceDB (--spicedb-endpoint)", n, w.limit),
		"relationships", n, "limit", w.limit)
}

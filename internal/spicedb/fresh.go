package spicedb

import (
	"context"
	"fmt"
	"sync"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"

	"github.com/wardhq/ward/internal/domain"
)

// Why a read without a caller's token does not simply ask SpiceDB for full
// consistency: SpiceDB's server shares one HeadRevision query among the
// requests that arrive while it runs (v1.57.1, a singleflight proxy over the
// datastore), so a "fully consistent" read can be answered at a snapshot
// taken before it arrived. A write acknowledged by another Ward instance, or
// through another SpiceDB node, in that moment is then missed: 11 of 3,200
// write-on-one, check-on-the-other pairs across two in-process Ward instances
// on one PostgreSQL, 380 of 10,016 across three SpiceDB nodes
// (docs/deployment.md).
// Instead, such a read is made at least as fresh as a revision taken after it
// arrived: the datastore's own newest revision in-process (Embedded.Head), or
// for an external SpiceDB, the revision of an empty write (Client.Barrier).

// barrierTimeout bounds one shared revision fetch; the callers waiting on it
// are bounded by their own contexts too.
const barrierTimeout = 10 * time.Second

// freshHeads shares revision fetches among concurrent reads without ever
// giving a read a revision fetched before it arrived: a read that arrives
// while a fetch runs waits for the next fetch, which starts when the running
// one ends and serves every read that arrived meanwhile. Under load that is
// at most two fetches per fetch's duration, however many reads arrive.
type freshHeads struct {
	fetch func(context.Context) (string, error)

	mu      sync.Mutex
	running bool
	next    *headFetch // the fetch that starts when the running one ends
}

type headFetch struct {
	done  chan struct{}
	token string
	err   error
}

func newFreshHeads(fetch func(context.Context) (string, error)) *freshHeads {
	return &freshHeads{fetch: fetch}
}

// get returns a revision taken after get was called.
func (f *freshHeads) get(ctx context.Context) (string, error) {
	f.mu.Lock()
	if f.next == nil {
		f.next = &headFetch{done: make(chan struct{})}
	}
	mine := f.next
	if !f.running {
		f.running, f.next = true, nil
		go f.run(mine)
	}
	f.mu.Unlock()
	select {
	case <-mine.done:
		return mine.token, mine.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// run performs fetch, then each fetch that was asked for while it ran.
func (f *freshHeads) run(h *headFetch) {
	for h != nil {
		ctx, cancel := context.WithTimeout(context.Background(), barrierTimeout)
		h.token, h.err = f.fetch(ctx)
		cancel()
		close(h.done)
		f.mu.Lock()
		h, f.next = f.next, nil
		f.running = h != nil
		f.mu.Unlock()
	}
}

// Barrier returns a ZedToken of a revision SpiceDB committed after Barrier was
// called: that of an empty write (a delete of what cannot exist: no
// relationship has a ward_lock as its resource). A read at least as fresh as
// it sees every write acknowledged before, through any SpiceDB node on the
// same datastore. On PostgreSQL it costs one small transaction.
func (c *Client) Barrier(ctx context.Context) (string, error) {
	resp, err := c.perms.DeleteRelationships(ctx, &v1.DeleteRelationshipsRequest{
		RelationshipFilter: &v1.RelationshipFilter{ResourceType: domain.TypeLock},
	})
	if err != nil {
		return "", fmt.Errorf("an empty write to learn SpiceDB's newest revision: %w", err)
	}
	return resp.GetDeletedAt().GetToken(), nil
}

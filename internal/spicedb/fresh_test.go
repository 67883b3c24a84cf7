package spicedb

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
)

// countRelationships counts every relationship c's SpiceDB holds.
func countRelationships(ctx context.Context, c *Client) (int, error) {
	n := 0
	err := c.Export(ctx, func(domain.Relationship) error { n++; return nil })
	return n, err
}

// TestFreshHeadsNeverServeAnEarlierFetch: however reads and fetches
// interleave, a read is answered by a fetch that started after it arrived
// (sharing the running fetch would answer a write acknowledged meanwhile with
// a revision from before it), and concurrent reads share fetches.
func TestFreshHeadsNeverServeAnEarlierFetch(t *testing.T) {
	t.Parallel()
	var started atomic.Int64
	f := newFreshHeads(func(context.Context) (string, error) {
		n := started.Add(1)
		time.Sleep(time.Duration(n%3) * time.Millisecond)
		return strconv.FormatInt(n, 10), nil
	})
	const readers, reads = 32, 200
	var wg sync.WaitGroup
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range reads {
				before := started.Load()
				got, err := f.get(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n, _ := strconv.ParseInt(got, 10, 64); n <= before {
					t.Errorf("a read that arrived after fetch %d started was answered by fetch %d", before, n)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := started.Load(); n >= readers*reads {
		t.Errorf("%d reads made %d fetches: none was shared", readers*reads, n)
	} else {
		t.Logf("%d reads, %d fetches", readers*reads, n)
	}
}

// TestFreshHeadsHonourTheCallersContext: a read whose context ends stops
// waiting for a slow fetch, and a fetch's error reaches its readers.
func TestFreshHeadsHonourTheCallersContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	f := newFreshHeads(func(context.Context) (string, error) {
		<-release
		return "", errors.New("datastore down")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a read whose context ended: %v, want its deadline", err)
	}
	close(release)
	if _, err := f.get(context.Background()); err == nil || err.Error() != "datastore down" {
		t.Errorf("a failed fetch answered %v", err)
	}
}

// TestBarrierSeesEarlierWrites: the empty write's token is at least as new
// as every write before it, writes nothing, and reads at it work; with
// Config.Barrier, tokenless checks use it.
func TestBarrierSeesEarlierWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := memoryClientWith(t, func(*Embedded) Config { return Config{Barrier: true} })
	before, err := countRelationships(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	applyEvents(t, c, `{"type":"client.created","workspace":"p1","client":"bob","practitioner":"olivia"}`)
	tok, err := c.Barrier(ctx)
	if err != nil || tok == "" {
		t.Fatalf("Barrier: %q %v", tok, err)
	}
	q := domain.Question{Subject: domain.Object{Type: "user", ID: "olivia"}, Permission: "view", Resource: domain.Object{Type: "client", ID: "bob"}}
	if d, err := c.Check(ctx, q, tok); err != nil || !d.Allowed {
		t.Fatalf("check at the barrier's token: %+v %v", d, err)
	}
	if d, err := c.Check(ctx, q, ""); err != nil || !d.Allowed {
		t.Fatalf("tokenless check through the barrier: %+v %v", d, err)
	}
	after, err := countRelationships(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("the client's relationships were not written: %d then %d", before, after)
	}
	if _, err := c.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := countRelationships(ctx, c); err != nil || again != after {
		t.Errorf("the empty write changed the relationships: %d, then %d (%v)", after, again, err)
	}
}

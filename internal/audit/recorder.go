package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Recorder appends records for many callers at once: callers that arrive
// while an append runs are written together by the next one (one sync or
// one transaction for all), and each caller returns once its records are
// durable, or with the error that kept them from being.
type Recorder struct {
	ledger   Ledger
	queue    chan *pending
	done     chan struct{}
	finished chan struct{}
	once     sync.Once
	// closing guards queue: Record sends under its read lock, and Close
	// marks closed under its write lock, so no record is queued after the
	// last append.
	closing sync.RWMutex
	closed  bool
}

type pending struct {
	recs []*Record
	err  chan error
}

// maxBatch bounds the records one append writes.
const maxBatch = 2000

// QueueLength bounds the callers waiting for the next append; past it,
// Record waits for room (or for its context).
const QueueLength = 4096

// NewRecorder starts a recorder over ledger; Close stops it.
func NewRecorder(ledger Ledger) *Recorder {
	r := &Recorder{ledger: ledger, queue: make(chan *pending, QueueLength), done: make(chan struct{}), finished: make(chan struct{})}
	go r.run()
	return r
}

// Ledger is what the recorder appends to.
func (r *Recorder) Ledger() Ledger { return r.ledger }

// ErrUnavailable wraps every error that kept records from the ledger.
var ErrUnavailable = errors.New("the audit ledger is unavailable")

// Record appends recs durably and sets their Seq, Prev and Hash.
func (r *Recorder) Record(ctx context.Context, recs ...*Record) error {
	if len(recs) == 0 {
		return nil
	}
	p := &pending{recs: recs, err: make(chan error, 1)}
	r.closing.RLock()
	if r.closed {
		r.closing.RUnlock()
		return fmt.Errorf("%w: Ward is shutting down", ErrUnavailable)
	}
	select {
	case r.queue <- p:
		r.closing.RUnlock()
	case <-ctx.Done():
		r.closing.RUnlock()
		return fmt.Errorf("%w: the ledger is behind (%v)", ErrUnavailable, ctx.Err())
	}
	// Once queued, the append happens; wait for it even if the caller gives
	// up, so that an answer never precedes its record.
	return <-p.err
}

func (r *Recorder) run() {
	defer close(r.finished)
	for {
		var batch []*pending
		select {
		case p := <-r.queue:
			batch = append(batch, p)
		case <-r.done:
			r.drain()
			return
		}
		n := len(batch[0].recs)
	more:
		for n < maxBatch {
			select {
			case p := <-r.queue:
				batch = append(batch, p)
				n += len(p.recs)
			default:
				break more
			}
		}
		r.append(batch)
	}
}

func (r *Recorder) append(batch []*pending) {
	var recs []*Record
	for _, p := range batch {
		recs = append(recs, p.recs...)
	}
	// The append is not cancelled by any one caller.
	err := r.ledger.Append(context.Background(), recs)
	if err != nil {
		err = fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	for _, p := range batch {
		p.err <- err
	}
}

// drain appends what was queued before Close.
func (r *Recorder) drain() {
	for {
		select {
		case p := <-r.queue:
			r.append([]*pending{p})
		default:
			return
		}
	}
}

// Close appends what is queued, stops the recorder (not the ledger) and
// returns once its last append is done; later Records fail.
func (r *Recorder) Close() {
	r.once.Do(func() {
		r.closing.Lock()
		r.closed = true
		r.closing.Unlock()
		close(r.done)
	})
	<-r.finished
}

// Policy says which checks are recorded: those on a resource type it names
// whole, or on a type#permission it names.
type Policy struct {
	types map[string]bool
	perms map[string]bool
}

// DefaultDecisions is the policy's default: every check on a client's record
// and on clinical records (notes, letters, files, forms).
var DefaultDecisions = []string{"client", "note", "letter", "file", "form"}

// ParsePolicy reads a list of "type" and "type#permission" entries; "none"
// alone records no decisions. known reports whether a type, or a type's
// permission (perm != ""), exists.
func ParsePolicy(entries []string, known func(typ, perm string) bool) (Policy, error) {
	p := Policy{types: map[string]bool{}, perms: map[string]bool{}}
	if len(entries) == 1 && entries[0] == "none" {
		return p, nil
	}
	for _, e := range entries {
		typ, perm, hasPerm := strings.Cut(e, "#")
		switch {
		case hasPerm && known(typ, perm):
			p.perms[e] = true
		case !hasPerm && known(typ, ""):
			p.types[typ] = true
		default:
			return Policy{}, fmt.Errorf("--audit-decisions: %q is not a resource type or type#permission of Ward's schema (e.g. note, client#view_notes; or none)", e)
		}
	}
	return p, nil
}

// Records reports whether a check of permission on a resource of typ is
// recorded.
func (p Policy) Records(typ, permission string) bool {
	return p.types[typ] || p.perms[typ+"#"+permission]
}

// Entries lists the policy, sorted.
func (p Policy) Entries() []string {
	var out []string
	for t := range p.types {
		out = append(out, t)
	}
	for tp := range p.perms {
		out = append(out, tp)
	}
	slices.Sort(out)
	return out
}

// Who is who asks, carried in a request's context.
type Who struct {
	RequestID, Account, Actor, Purpose string
}

type whoKey struct{}

// WithWho returns ctx carrying who.
func WithWho(ctx context.Context, who Who) context.Context {
	return context.WithValue(ctx, whoKey{}, who)
}

// WhoFrom returns who ctx carries (zero when none).
func WhoFrom(ctx context.Context) Who {
	who, _ := ctx.Value(whoKey{}).(Who)
	return who
}

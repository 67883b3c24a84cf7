package audit

import (
	"fmt"
	"sync"
	"time"
)

// KindAlert is an alert Ward raised: a subject read more distinct records
// than the bulk-access threshold allows within its window.
const KindAlert = "alert.bulk_access"

// BulkAccess watches allowed reads of recorded resources and says when a
// subject has read more than Limit distinct ones within Window: the "bulk
// data access" a clinic wants to hear about at once. Each subject raises at
// most one alert per window. It keeps at most MaxSubjects subjects (the
// least recently seen go first when full) and Limit+1 resources each, so
// its memory is bounded whatever callers do. Each Ward process watches its
// own traffic.
type BulkAccess struct {
	Limit  int
	Window time.Duration

	mu       sync.Mutex
	subjects map[string]*reads
}

// MaxSubjects bounds the subjects BulkAccess follows at once.
const MaxSubjects = 100_000

// Default bulk-access threshold: more than 50 distinct records in 10 minutes.
const (
	DefaultAlertLimit  = 50
	DefaultAlertWindow = 10 * time.Minute
)

type reads struct {
	seen    map[string]time.Time // resource → last read
	alerted time.Time            // the last alert, zero when none
	last    time.Time
}

// Observe notes that subject read resource at t and returns, when this read
// crosses the threshold, how many distinct resources it read in the window.
func (b *BulkAccess) Observe(subject, resource string, t time.Time) (int, bool) {
	if b.Limit <= 0 {
		return 0, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subjects == nil {
		b.subjects = map[string]*reads{}
	}
	r := b.subjects[subject]
	if r == nil {
		if len(b.subjects) >= MaxSubjects {
			b.evict(t)
		}
		r = &reads{seen: map[string]time.Time{}}
		b.subjects[subject] = r
	}
	r.last = t
	for res, at := range r.seen {
		if t.Sub(at) >= b.Window {
			delete(r.seen, res)
		}
	}
	if _, ok := r.seen[resource]; !ok && len(r.seen) > b.Limit {
		// Already over: keep the set bounded, the count is past the limit.
		return 0, false
	}
	r.seen[resource] = t
	if len(r.seen) > b.Limit && (r.alerted.IsZero() || t.Sub(r.alerted) >= b.Window) {
		r.alerted = t
		return len(r.seen), true
	}
	return 0, false
}

// evict drops the subjects not seen within the window, or, if none, the
// least recently seen one.
func (b *BulkAccess) evict(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for s, r := range b.subjects {
		if now.Sub(r.last) >= b.Window {
			delete(b.subjects, s)
			continue
		}
		if oldest == "" || r.last.Before(oldestAt) {
			oldest, oldestAt = s, r.last
		}
	}
	if len(b.subjects) >= MaxSubjects {
		delete(b.subjects, oldest)
	}
}

// AlertRecord is the ledger record of a bulk-access alert on subject.
func AlertRecord(subject, resource string, count int, b *BulkAccess, t time.Time) *Record {
	return &Record{Time: t, Kind: KindAlert, Subject: subject, Resource: resource,
		Detail: fmt.Sprintf("%s read %d distinct recorded records within %s (the limit is %d)", subject, count, b.Window, b.Limit)}
}

package apikeys

import (
	"sort"
	"sync"
	"time"
)

// MaxPending is the most (key, day) entries a Usage holds before Add
// refuses new ones.
const MaxPending = 100_000

// Count is the number of requests one key made on one UTC day.
type Count struct {
	Key      string    // the key's object ID
	Day      string    // YYYY-MM-DD, UTC
	Requests int64     // requests counted
	LastUsed time.Time // the latest request counted
}

// Usage counts requests per key and UTC day until they are drained. It is
// safe for concurrent use.
type Usage struct {
	mu      sync.Mutex
	keys    map[string]map[string]*Count // key, then day
	entries int
}

// NewUsage returns an empty Usage.
func NewUsage() *Usage {
	return &Usage{keys: make(map[string]map[string]*Count)}
}

// Add counts one request by keyObject at now. It returns false, and counts
// nothing, if that needs a new entry while MaxPending are held; the caller
// should then Drain and flush, and Add again.
func (u *Usage) Add(keyObject string, now time.Time) bool {
	now = now.UTC()
	day := now.Format(time.DateOnly)
	u.mu.Lock()
	defer u.mu.Unlock()
	days := u.keys[keyObject]
	c := days[day]
	if c == nil {
		if u.entries >= MaxPending {
			return false
		}
		if days == nil {
			days = make(map[string]*Count)
			u.keys[keyObject] = days
		}
		c = &Count{Key: keyObject, Day: day}
		days[day] = c
		u.entries++
	}
	c.Requests++
	if now.After(c.LastUsed) {
		c.LastUsed = now
	}
	return true
}

// Drain returns the pending counts, sorted by Key then Day, and clears them.
func (u *Usage) Drain() []Count {
	u.mu.Lock()
	keys := u.keys
	u.keys = make(map[string]map[string]*Count)
	u.entries = 0
	u.mu.Unlock()

	var out []Count
	for _, days := range keys {
		for _, c := range days {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Day < out[j].Day
	})
	return out
}

// Pending returns the pending counts of keyObject, sorted by Day, without
// clearing them.
func (u *Usage) Pending(keyObject string) []Count {
	u.mu.Lock()
	var out []Count
	for _, c := range u.keys[keyObject] {
		out = append(out, *c)
	}
	u.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out
}

// Restore adds counts back, say after a failed flush, so none are lost.
// Requests are summed and the later LastUsed kept. It ignores MaxPending.
func (u *Usage) Restore(counts []Count) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, r := range counts {
		days := u.keys[r.Key]
		if days == nil {
			days = make(map[string]*Count)
			u.keys[r.Key] = days
		}
		c := days[r.Day]
		if c == nil {
			c = &Count{Key: r.Key, Day: r.Day}
			days[r.Day] = c
			u.entries++
		}
		c.Requests += r.Requests
		if r.LastUsed.After(c.LastUsed) {
			c.LastUsed = r.LastUsed
		}
	}
}

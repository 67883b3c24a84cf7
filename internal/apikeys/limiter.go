package apikeys

import (
	"sync"
	"time"
)

// maxPerMinute keeps a full bucket's units within an int64.
const maxPerMinute = 100_000_000

// Limiter limits each key to a fixed number of requests per minute. Each key
// has a token bucket that holds up to one minute's requests and refills
// continuously. It is safe for concurrent use.
type Limiter struct {
	perMinute int64 // 0: unlimited
	maxKeys   int

	mu      sync.Mutex
	buckets map[string]*bucket
}

// A bucket counts tokens in units of 1/time.Minute of a token, so that
// refilling for d nanoseconds adds exactly d*perMinute units.
type bucket struct {
	units int64
	last  time.Time // the last Allow for the key
}

const unitsPerToken = int64(time.Minute)

// NewLimiter returns a Limiter allowing perMinute requests per minute for
// each key and keeping at most maxKeys buckets (at least 1). perMinute <= 0
// means unlimited; rates above 100,000,000 count as 100,000,000.
func NewLimiter(perMinute int, maxKeys int) *Limiter {
	if perMinute < 0 {
		perMinute = 0
	}
	if perMinute > maxPerMinute {
		perMinute = maxPerMinute
	}
	if maxKeys < 1 {
		maxKeys = 1
	}
	return &Limiter{
		perMinute: int64(perMinute),
		maxKeys:   maxKeys,
		buckets:   make(map[string]*bucket),
	}
}

// Allow takes a token for key at time now. If none is left it returns false
// and the exact time until one is.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	if l.perMinute == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = &bucket{units: l.capacity(), last: now}
		l.buckets[key] = b
	}
	b.units = l.refilled(b, now)
	if now.After(b.last) {
		b.last = now
	}
	if b.units >= unitsPerToken {
		b.units -= unitsPerToken
		return true, 0
	}
	missing := unitsPerToken - b.units
	wait := (missing + l.perMinute - 1) / l.perMinute // round up to whole nanoseconds
	return false, time.Duration(wait)
}

// Forget removes key's bucket.
func (l *Limiter) Forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

func (l *Limiter) capacity() int64 {
	return l.perMinute * unitsPerToken
}

// refilled returns b's units at now. A clock going back adds nothing.
func (l *Limiter) refilled(b *bucket, now time.Time) int64 {
	elapsed := now.Sub(b.last)
	if elapsed <= 0 {
		return b.units
	}
	if elapsed >= time.Minute {
		return l.capacity() // an empty bucket fills in a minute
	}
	add := int64(elapsed) * l.perMinute // < capacity, so no overflow
	if add >= l.capacity()-b.units {
		return l.capacity()
	}
	return b.units + add
}

// evict makes room for one bucket: it drops every full (idle) bucket, or if
// none is full, the least recently used one. It looks at every bucket.
func (l *Limiter) evict(now time.Time) {
	var (
		oldestKey string
		oldest    *bucket
		dropped   bool
	)
	for k, b := range l.buckets {
		if l.refilled(b, now) >= l.capacity() {
			delete(l.buckets, k)
			dropped = true
			continue
		}
		if oldest == nil || b.last.Before(oldest.last) {
			oldestKey, oldest = k, b
		}
	}
	if !dropped && oldest != nil {
		delete(l.buckets, oldestKey)
	}
}

package apikeys

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestLimiterBurstThenRefuse(t *testing.T) {
	tests := []struct {
		perMinute int
		wantRetry time.Duration // after the burst, at the same instant
	}{
		{1, time.Minute},
		{6, 10 * time.Second},
		{60, time.Second},
		{7, 8571428572 * time.Nanosecond}, // a minute / 7, rounded up
		{600, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.perMinute), func(t *testing.T) {
			l := NewLimiter(tt.perMinute, 10)
			for i := 0; i < tt.perMinute; i++ {
				if ok, retry := l.Allow("k", t0); !ok || retry != 0 {
					t.Fatalf("request %d refused (retry %v)", i+1, retry)
				}
			}
			ok, retry := l.Allow("k", t0)
			if ok || retry != tt.wantRetry {
				t.Fatalf("after burst: ok=%v retry=%v, want refused after %v", ok, retry, tt.wantRetry)
			}
			// A refusal takes nothing: just before retry it is still refused,
			// at retry it is allowed, once.
			if ok, r := l.Allow("k", t0.Add(retry-time.Nanosecond)); ok || r != time.Nanosecond {
				t.Fatalf("just before retry: ok=%v retry=%v", ok, r)
			}
			if ok, _ := l.Allow("k", t0.Add(retry)); !ok {
				t.Fatal("refused at retry")
			}
			if ok, _ := l.Allow("k", t0.Add(retry)); ok {
				t.Fatal("allowed twice after one token refilled")
			}
			// Other keys have their own buckets.
			if ok, _ := l.Allow("other", t0); !ok {
				t.Fatal("other key refused")
			}
		})
	}
}

func TestLimiterRefills(t *testing.T) {
	l := NewLimiter(60, 10)
	for i := 0; i < 60; i++ {
		l.Allow("k", t0)
	}
	// Half a minute refills half the bucket.
	now := t0.Add(30 * time.Second)
	for i := 0; i < 30; i++ {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatalf("request %d after 30s refused", i+1)
		}
	}
	if ok, retry := l.Allow("k", now); ok || retry != time.Second {
		t.Fatalf("31st after 30s: ok=%v retry=%v", ok, retry)
	}
	// A long idle time refills only up to capacity.
	now = now.Add(24 * time.Hour)
	for i := 0; i < 60; i++ {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatalf("request %d after a day refused", i+1)
		}
	}
	if ok, _ := l.Allow("k", now); ok {
		t.Fatal("bucket held more than a minute's requests")
	}
}

func TestLimiterClockBackwards(t *testing.T) {
	l := NewLimiter(1, 10)
	l.Allow("k", t0)
	if ok, retry := l.Allow("k", t0.Add(-time.Hour)); ok || retry != time.Minute {
		t.Fatalf("earlier time: ok=%v retry=%v", ok, retry)
	}
	if ok, _ := l.Allow("k", t0.Add(time.Minute)); !ok {
		t.Fatal("refused a minute later")
	}
}

func TestLimiterUnlimited(t *testing.T) {
	for _, perMinute := range []int{0, -1} {
		l := NewLimiter(perMinute, 1)
		for i := 0; i < 10000; i++ {
			if ok, retry := l.Allow(fmt.Sprint(i%3), t0); !ok || retry != 0 {
				t.Fatalf("perMinute %d: request %d refused", perMinute, i)
			}
		}
		if len(l.buckets) != 0 {
			t.Fatalf("perMinute %d: kept %d buckets", perMinute, len(l.buckets))
		}
	}
}

func TestLimiterHugeRate(t *testing.T) {
	l := NewLimiter(1<<62, 1)
	for i := 0; i < 1000; i++ {
		if ok, _ := l.Allow("k", t0.Add(time.Duration(i)*59*time.Second)); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
}

func TestLimiterEviction(t *testing.T) {
	t.Run("full buckets first", func(t *testing.T) {
		l := NewLimiter(2, 3)
		l.Allow("idle1", t0)                    // full again 30s later
		l.Allow("idle2", t0)                    // full again 30s later
		l.Allow("busy", t0.Add(20*time.Second)) // not full at 30s
		l.Allow("new", t0.Add(30*time.Second))
		if len(l.buckets) != 2 || l.buckets["busy"] == nil || l.buckets["new"] == nil {
			t.Fatalf("buckets after eviction: %v", keys(l))
		}
	})
	t.Run("least recently used if none full", func(t *testing.T) {
		l := NewLimiter(2, 3)
		l.Allow("a", t0.Add(2*time.Second))
		l.Allow("b", t0.Add(1*time.Second)) // least recently used
		l.Allow("c", t0.Add(3*time.Second))
		l.Allow("a", t0.Add(4*time.Second))
		l.Allow("new", t0.Add(5*time.Second))
		if len(l.buckets) != 3 || l.buckets["b"] != nil {
			t.Fatalf("buckets after eviction: %v", keys(l))
		}
	})
	t.Run("bounded", func(t *testing.T) {
		l := NewLimiter(1, 100)
		for i := 0; i < 10000; i++ {
			l.Allow(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Millisecond))
			if len(l.buckets) > 100 {
				t.Fatalf("%d buckets after %d keys", len(l.buckets), i+1)
			}
		}
	})
	t.Run("evicted key starts full", func(t *testing.T) {
		l := NewLimiter(1, 1)
		l.Allow("a", t0)
		l.Allow("b", t0) // evicts a
		if ok, _ := l.Allow("a", t0); !ok {
			t.Fatal("evicted key refused")
		}
	})
}

func TestLimiterForget(t *testing.T) {
	l := NewLimiter(1, 10)
	l.Allow("k", t0)
	if ok, _ := l.Allow("k", t0); ok {
		t.Fatal("second request allowed")
	}
	l.Forget("k")
	l.Forget("never seen")
	if ok, _ := l.Allow("k", t0); !ok {
		t.Fatal("refused after Forget")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(100, 8)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed int
	)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for i := 0; i < 200; i++ {
				if ok, _ := l.Allow("shared", t0); ok {
					n++
				}
				l.Allow(fmt.Sprint(g, i%4), t0)
			}
			mu.Lock()
			allowed += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	// "shared" may be evicted and start full again, so more than 100 can
	// pass, but never fewer.
	if allowed < 100 {
		t.Fatalf("allowed %d, want at least 100", allowed)
	}
}

func keys(l *Limiter) []string {
	var ks []string
	for k := range l.buckets {
		ks = append(ks, k)
	}
	return ks
}

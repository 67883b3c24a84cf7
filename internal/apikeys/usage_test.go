package apikeys

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestUsageDays(t *testing.T) {
	east := time.FixedZone("UTC+10", 10*3600)
	u := NewUsage()
	adds := []struct {
		key string
		at  time.Time
	}{
		{"b", time.Date(2030, 1, 1, 23, 59, 59, 0, time.UTC)},
		{"b", time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"a", time.Date(2030, 1, 2, 0, 0, 1, 0, time.UTC)},
		{"a", time.Date(2030, 1, 2, 9, 0, 0, 0, east)}, // 2030-01-01 23:00 UTC
		{"a", time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)},
		{"a", time.Date(2030, 1, 2, 6, 0, 0, 0, time.UTC)}, // earlier: LastUsed stays
	}
	for _, a := range adds {
		if !u.Add(a.key, a.at) {
			t.Fatalf("Add(%q, %v) refused", a.key, a.at)
		}
	}
	want := []Count{
		{"a", "2030-01-01", 1, time.Date(2030, 1, 1, 23, 0, 0, 0, time.UTC)},
		{"a", "2030-01-02", 3, time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)},
		{"b", "2030-01-01", 1, time.Date(2030, 1, 1, 23, 59, 59, 0, time.UTC)},
		{"b", "2030-01-02", 1, time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	if got := u.Pending("a"); !equalCounts(got, want[:2]) {
		t.Fatalf("Pending(a) = %v, want %v", got, want[:2])
	}
	if got := u.Pending("none"); len(got) != 0 {
		t.Fatalf("Pending(none) = %v", got)
	}
	if got := u.Drain(); !equalCounts(got, want) {
		t.Fatalf("Drain = %v\nwant %v", got, want)
	}
	if got := u.Drain(); len(got) != 0 {
		t.Fatalf("second Drain = %v", got)
	}
	if got := u.Pending("a"); len(got) != 0 {
		t.Fatalf("Pending after Drain = %v", got)
	}
}

func TestUsageRestore(t *testing.T) {
	day1 := time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
	u := NewUsage()
	u.Add("k", day1)
	u.Add("k", day1.Add(time.Hour))
	failed := u.Drain()

	// Requests arrive while the flush fails.
	u.Add("k", day1.Add(30*time.Minute))
	u.Add("k", day1.Add(24*time.Hour))
	u.Restore(failed)
	u.Restore([]Count{{Key: "other", Day: "2030-01-01", Requests: 5, LastUsed: day1}})

	want := []Count{
		{"k", "2030-01-01", 3, day1.Add(time.Hour)}, // max LastUsed kept
		{"k", "2030-01-02", 1, day1.Add(24 * time.Hour)},
		{"other", "2030-01-01", 5, day1},
	}
	if got := u.Drain(); !equalCounts(got, want) {
		t.Fatalf("Drain = %v\nwant %v", got, want)
	}
}

func TestUsageMaxPending(t *testing.T) {
	u := NewUsage()
	for i := 0; i < MaxPending; i++ {
		if !u.Add(fmt.Sprint(i), t0) {
			t.Fatalf("Add %d refused", i)
		}
	}
	if u.Add("one more", t0) {
		t.Fatal("Add beyond MaxPending accepted")
	}
	if u.Add("0", t0.Add(24*time.Hour)) {
		t.Fatal("Add of a new day beyond MaxPending accepted")
	}
	if !u.Add("0", t0) {
		t.Fatal("Add to an existing entry refused")
	}
	if got := u.Pending("one more"); len(got) != 0 {
		t.Fatalf("refused Add counted: %v", got)
	}
	if got := u.Pending("0"); len(got) != 1 || got[0].Requests != 2 {
		t.Fatalf("Pending(0) = %v", got)
	}
	drained := u.Drain()
	if len(drained) != MaxPending {
		t.Fatalf("drained %d entries", len(drained))
	}
	if !u.Add("one more", t0) {
		t.Fatal("Add refused after Drain")
	}
	// Restore keeps everything, even beyond the cap.
	u.Restore(drained)
	if got := len(u.Drain()); got != MaxPending+1 {
		t.Fatalf("after Restore drained %d entries", got)
	}
}

func TestUsageConcurrent(t *testing.T) {
	u := NewUsage()
	const goroutines, perG = 16, 1000
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perG; i++ {
				// Two keys, two days.
				u.Add(fmt.Sprint("k", i%2), t0.Add(time.Duration(i%4/2)*24*time.Hour))
				if i%100 == 0 {
					u.Pending("k0")
				}
			}
		}()
	}
	wg.Wait()
	var total int64
	got := u.Drain()
	for _, c := range got {
		total += c.Requests
	}
	if len(got) != 4 || total != goroutines*perG {
		t.Fatalf("Drain = %v (total %d)", got, total)
	}
}

func equalCounts(a, b []Count) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Day != b[i].Day || a[i].Requests != b[i].Requests || !a[i].LastUsed.Equal(b[i].LastUsed) {
			return false
		}
	}
	return true
}

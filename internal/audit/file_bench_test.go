package audit

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkFileAppend measures what one recorded decision costs the file
// ledger when nothing else is appended at the same moment, as with one
// caller: "sealed" is the CPU part alone (encoding and hashing the record),
// "durable" a whole Append (sealed, written and synced to disk). A check
// answered only once its record is durable waits for "durable" after its
// decision is known; compare it with a check's p50 (docs/performance.md):
//
//	go test -run '^$' -bench FileAppend -benchtime 2000x ./internal/audit
func BenchmarkFileAppend(b *testing.B) {
	b.Run("sealed", func(b *testing.B) {
		prev := Genesis
		for i := 0; b.Loop(); i++ {
			r := decision("priya", "ann", true)
			if _, err := Seal(r, int64(i+1), prev); err != nil {
				b.Fatal(err)
			}
			prev = r.Hash
		}
	})
	b.Run("durable", func(b *testing.B) {
		l, err := OpenFile(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		took := make([]time.Duration, 0, b.N)
		for b.Loop() {
			start := time.Now()
			if err := l.Append(context.Background(), []*Record{decision("priya", "ann", true)}); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(took[len(took)*9/10].Microseconds()), "p90-µs")
	})
}

package server

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
	"github.com/wardhq/ward/seed"
)

// timedLedger counts a ledger's appends, their records and their time.
type timedLedger struct {
	audit.Ledger
	appends, recs int
	spent         time.Duration
}

func (t *timedLedger) Append(ctx context.Context, recs []*audit.Record) error {
	start := time.Now()
	err := t.Ledger.Append(ctx, recs)
	t.appends, t.recs, t.spent = t.appends+1, t.recs+len(recs), t.spent+time.Since(start)
	return err
}

// BenchmarkRecordedCheck measures checks on clients' notes through the
// service, unrecorded and recorded in a file ledger as `ward serve` does
// (the practice read beside each check, grants explained in the
// background), with 8 callers per core. It prints ns/op; compare the two:
//
//	go test -run '^$' -bench RecordedCheck -benchtime 3000x ./internal/server
func BenchmarkRecordedCheck(b *testing.B) {
	for _, recorded := range []bool{false, true} {
		b.Run(map[bool]string{false: "unrecorded", true: "recorded"}[recorded], func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := testenv.SpiceDB(b)
			events, err := seed.Demo()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := w.Apply(ctx, events); err != nil {
				b.Fatal(err)
			}
			var auth httpapi.Authorizer = w
			if recorded {
				l, err := audit.OpenFile(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				timed := &timedLedger{Ledger: l}
				rec := audit.NewRecorder(timed)
				defer rec.Close()
				defer func() {
					if timed.appends > 0 {
						b.ReportMetric(float64(timed.recs)/float64(timed.appends), "records/append")
						b.ReportMetric(float64(timed.spent.Microseconds())/float64(timed.appends), "µs/append")
					}
				}()
				policy, err := DecisionPolicy(Config{})
				if err != nil {
					b.Fatal(err)
				}
				a := newAudited(w, rec, policy, slog.New(slog.DiscardHandler))
				a.placeOf = service.NewPlatformKeys(w.Store).WorkspacesOf
				go a.explainGrants(ctx)
				auth = a
			}
			var qs []domain.Question
			for _, u := range []string{"priya", "pete", "sam", "rita", "maya", "alex", "adam"} {
				for _, c := range []string{"ann", "ben", "cat", "dan"} {
					q, err := domain.ParseQuestion("user:"+u, "view_notes", "client:"+c)
					if err != nil {
						b.Fatal(err)
					}
					qs = append(qs, q)
				}
			}
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := auth.Check(ctx, qs[i%len(qs)], ""); err != nil {
						panic(fmt.Sprint(err))
					}
					i++
				}
			})
		})
	}
}

package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/bench"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
)

// instantAuth answers every check at once, so that a benchmark through it
// measures Ward's HTTP API alone: decoding, validation, authentication,
// metrics, encoding and the HTTP round trip.
type instantAuth struct{ httpapi.Authorizer }

func (instantAuth) Check(context.Context, domain.Question, string) (domain.Decision, error) {
	return domain.Decision{Allowed: true, Token: "GhUKEzE3NjQwMDAwMDAwMDAwMDAwMDA="}, nil
}

// BenchmarkCheckOverhead is what Ward's API adds to a check, without SpiceDB:
// the same request through a bare handler that only reads the body and answers
// fixed JSON, and through Ward's handler over an authorizer that answers at
// once. The difference is Ward's own code; the bare row is the HTTP round trip.
func BenchmarkCheckOverhead(b *testing.B) {
	const key = "bench-key-0123456789abcdef"
	body := `{"subject":"user:priya","permission":"view_notes","resource":"client:ann"}`
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"allowed":true,"zed_token":"GhUKEzE3NjQwMDAwMDAwMDAwMDAwMDA="}`)
	}))
	defer bare.Close()
	ward := httptest.NewServer(httpapi.New(instantAuth{}, httpapi.Config{APIKeys: []string{key}, Metrics: prometheus.NewRegistry()}))
	defer ward.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	wc := client.New(ward.URL, key, hc)
	ctx := context.Background()
	req := api.CheckRequest{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann"}
	for _, callers := range []int{1, 16} {
		b.Run(fmt.Sprintf("bare_http/callers=%d", callers), func(b *testing.B) {
			measureHTTP(b, callers, func(int) error {
				resp, err := hc.Post(bare.URL, "application/json", strings.NewReader(body))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				_, err = io.Copy(io.Discard, resp.Body)
				return err
			})
		})
		b.Run(fmt.Sprintf("ward_http/callers=%d", callers), func(b *testing.B) {
			measureHTTP(b, callers, func(int) error {
				resp, err := wc.Check(ctx, req)
				if err == nil && !resp.Allowed {
					err = fmt.Errorf("denied, want allowed")
				}
				return err
			})
		})
	}
}

func measureHTTP(b *testing.B, callers int, op func(int) error) {
	b.Helper()
	b.ResetTimer()
	f, err := bench.Sample(b.N, callers, op)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(f.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(f.P99.Microseconds()), "p99-µs")
	b.ReportMetric(f.PerSecond, "calls/s")
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
	"github.com/wardhq/ward/seed"
)

// questions are demo-practice checks, allowed and denied alike.
var questions = []api.CheckRequest{
	{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann"},
	{Subject: "user:priya", Permission: "view_notes", Resource: "client:ben"},
	{Subject: "user:rita", Permission: "view_notes", Resource: "client:ann"},
	{Subject: "user:rita", Permission: "book_appointment", Resource: "client:cat"},
	{Subject: "user:alex", Permission: "view", Resource: "invoice:inv-ben-1"},
	{Subject: "user:sam", Permission: "view", Resource: "client:ann"},
	{Subject: "user:maya", Permission: "view", Resource: "appointment:appt-cat-1"},
	{Subject: "user:olivia", Permission: "manage_api_keys", Resource: "workspace:riverside"},
}

type demo struct {
	direct  v1.PermissionsServiceClient
	adapter *spicedb.Client
	ward    *client.Client
}

func setup(b *testing.B) demo {
	b.Helper()
	sdb, conn := testenv.Start(b)
	events, err := seed.Demo()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sdb.Apply(context.Background(), events); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(sdb, httpapi.Config{}))
	b.Cleanup(srv.Close)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return demo{direct: v1.NewPermissionsServiceClient(conn), adapter: sdb.Store, ward: client.New(srv.URL, "", hc)}
}

func directRequest(b *testing.B, c api.CheckRequest) *v1.CheckPermissionRequest {
	r, err := checkRequest(c)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// measure runs b.N calls of op over callers goroutines and reports latency
// percentiles beside Go's ns/op (which, with many callers, is time per call of
// throughput, not latency).
func measure(b *testing.B, callers int, op func(i int) error) {
	b.Helper()
	b.ResetTimer()
	f, err := Sample(b.N, callers, op)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(f.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(f.P95.Microseconds()), "p95-µs")
	b.ReportMetric(float64(f.P99.Microseconds()), "p99-µs")
	b.ReportMetric(f.PerSecond, "calls/s")
}

// BenchmarkCheck: one question per call, directly, through Ward's SpiceDB
// adapter in the same process (no HTTP), and through Ward's HTTP API; the
// middle row tells the HTTP hop's share of Ward's cost from the adapter's.
func BenchmarkCheck(b *testing.B) {
	t := setup(b)
	ctx := context.Background()
	direct := make([]*v1.CheckPermissionRequest, len(questions))
	inProcess := make([]domain.Question, len(questions))
	for i, q := range questions {
		direct[i] = directRequest(b, q)
		var err error
		if inProcess[i], err = domain.ParseQuestion(q.Subject, q.Permission, q.Resource); err != nil {
			b.Fatal(err)
		}
	}
	for _, callers := range []int{1, 16} {
		b.Run(fmt.Sprintf("direct_grpc/callers=%d", callers), func(b *testing.B) {
			measure(b, callers, func(i int) error {
				_, err := t.direct.CheckPermission(ctx, direct[i%len(direct)])
				return err
			})
		})
		b.Run(fmt.Sprintf("ward_adapter/callers=%d", callers), func(b *testing.B) {
			measure(b, callers, func(i int) error {
				_, err := t.adapter.Check(ctx, inProcess[i%len(inProcess)], "")
				return err
			})
		})
		b.Run(fmt.Sprintf("ward_http/callers=%d", callers), func(b *testing.B) {
			measure(b, callers, func(i int) error {
				_, err := t.ward.Check(ctx, questions[i%len(questions)])
				return err
			})
		})
	}
}

// BenchmarkCheckBulk100: 100 questions in one call, through Ward and directly.
func BenchmarkCheckBulk100(b *testing.B) {
	t := setup(b)
	ctx := context.Background()
	direct := &v1.CheckBulkPermissionsRequest{Consistency: &v1.Consistency{Requirement: &v1.Consistency_FullyConsistent{FullyConsistent: true}}}
	ward := api.BulkCheckRequest{}
	for i := range 100 {
		q := questions[i%len(questions)]
		r := directRequest(b, q)
		direct.Items = append(direct.Items, &v1.CheckBulkPermissionsRequestItem{Resource: r.Resource, Permission: r.Permission, Subject: r.Subject})
		ward.Checks = append(ward.Checks, api.BulkCheckItem{Subject: q.Subject, Permission: q.Permission, Resource: q.Resource})
	}
	b.Run("direct_grpc", func(b *testing.B) {
		measure(b, 1, func(int) error {
			_, err := t.direct.CheckBulkPermissions(ctx, direct)
			return err
		})
	})
	b.Run("ward_http", func(b *testing.B) {
		measure(b, 1, func(int) error {
			_, err := t.ward.CheckBulk(ctx, ward)
			return err
		})
	})
}

// instantAuth answers every check at once, so that a benchmark through it
// measures Ward's HTTP API alone: decoding, validation, authentication,
// metrics, encoding and the HTTP round trip.
type instantAuth struct{ httpapi.Authorizer }

// instantToken is the ZedToken instantAuth answers with.
const instantToken = "GhUKEzE3NjQwMDAwMDAwMDAwMDAwMDA="

func (instantAuth) Check(context.Context, domain.Question, string) (domain.Decision, error) {
	return domain.Decision{Allowed: true, Token: instantToken}, nil
}

// BenchmarkCheckOverhead is what Ward's API adds to a check, without SpiceDB:
// the same request through a bare handler that only reads the body and answers
// fixed JSON, and through Ward's handler over an authorizer that answers at
// once. The difference is Ward's own code; the bare row is the HTTP round trip.
func BenchmarkCheckOverhead(b *testing.B) {
	const key = "bench-key-0123456789abcdef"
	body, err := json.Marshal(questions[0])
	if err != nil {
		b.Fatal(err)
	}
	// The bare handler sends the bytes Ward's answer has, from Ward's own type.
	answer, err := json.Marshal(api.CheckResponse{Allowed: true, ZedToken: instantToken})
	if err != nil {
		b.Fatal(err)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer bare.Close()
	ward := httptest.NewServer(httpapi.New(instantAuth{}, httpapi.Config{APIKeys: []string{key}, Metrics: prometheus.NewRegistry()}))
	defer ward.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	wc := client.New(ward.URL, key, hc)
	ctx := context.Background()
	for _, callers := range []int{1, 16} {
		b.Run(fmt.Sprintf("bare_http/callers=%d", callers), func(b *testing.B) {
			measure(b, callers, func(int) error {
				resp, err := hc.Post(bare.URL, "application/json", bytes.NewReader(body))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				_, err = io.Copy(io.Discard, resp.Body)
				return err
			})
		})
		b.Run(fmt.Sprintf("ward_http/callers=%d", callers), func(b *testing.B) {
			measure(b, callers, func(int) error {
				resp, err := wc.Check(ctx, questions[0])
				if err == nil && !resp.Allowed {
					err = fmt.Errorf("denied, want allowed")
				}
				return err
			})
		})
	}
}

package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/httpapi"
)

// auditServer serves the audit routes over ledger (no authorizer: they use
// none) with the request timeout given (0: the default).
func auditServer(t *testing.T, ledger audit.Ledger, timeout time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(httpapi.New(struct{ httpapi.Authorizer }{}, httpapi.Config{
		Audit: ledger, APIKeys: []string{testKey}, Metrics: prometheus.NewRegistry(),
		Limits: httpapi.Limits{RequestTimeout: timeout},
	}))
	t.Cleanup(srv.Close)
	return srv
}

// auditGet asks srv for path and answers the status and the error body (if
// any) and the raw body.
func auditGet(t *testing.T, srv *httptest.Server, path string) (int, api.ErrorBody, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e api.ErrorResponse
	if resp.StatusCode >= 400 {
		_ = json.Unmarshal(body, &e)
	}
	return resp.StatusCode, e.Error, string(body)
}

// slowLedger is a ledger so large that a scan outlasts any call: it passes
// nothing on until the scan's context ends (or bound passes, which fails).
type slowLedger struct{ audit.Ledger }

func (slowLedger) Scan(ctx context.Context, _ int64, _ func(audit.Stored) error) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(bound):
		return nil
	}
}

func (slowLedger) Anchor(context.Context) (int64, string, error) { return 0, "", nil }

// TestAuditCallsEndAtTheirTimeLimit: a read or verify of a ledger that takes
// longer than --request-timeout is answered 503 naming the limit, never
// 200 with what was read so far (or an ok chain).
func TestAuditCallsEndAtTheirTimeLimit(t *testing.T) {
	t.Parallel()
	srv := auditServer(t, slowLedger{}, 50*time.Millisecond)
	for _, path := range []string{"/v1/audit", "/v1/audit?format=csv", "/v1/audit?format=jsonl", "/v1/audit?format=fhir", "/v1/audit?cursor=5", "/v1/audit/verify"} {
		status, e, body := auditGet(t, srv, path)
		if status != http.StatusServiceUnavailable || !strings.Contains(e.Message, "--request-timeout") {
			t.Errorf("%s: %d %s; want 503 naming --request-timeout", path, status, body)
		}
	}
}

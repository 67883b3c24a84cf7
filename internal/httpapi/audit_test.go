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

// TestAuditParameters: every parameter of the audit routes is held to its
// form, each refusal a 400 naming the parameter: a cursor past the last
// possible seq, a time range that selects nothing by construction, a hash
// without the seq it belongs to, and any parameter given twice.
func TestAuditParameters(t *testing.T) {
	t.Parallel()
	l, err := audit.OpenFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	allowed := true
	rec := &audit.Record{Time: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), Kind: audit.KindDecision, Workspace: "w",
		Subject: "user:priya", Permission: "view", Resource: "client:ann", Allowed: &allowed, Users: []string{"priya"}, Clients: []string{"ann"}}
	if err := l.Append(context.Background(), []*audit.Record{rec}); err != nil {
		t.Fatal(err)
	}
	head := rec.Hash
	other := strings.Repeat("0", 64)
	srv := auditServer(t, l, 0)
	ok := ""
	for _, c := range []struct {
		path, field string // field "": answered 200
		records     int    // of a 200 from /v1/audit
	}{
		{"/v1/audit", ok, 1},
		{"/v1/audit?cursor=0", ok, 1},
		{"/v1/audit?cursor=1", ok, 0},
		{"/v1/audit?cursor=9223372036854775806", ok, 0},
		{"/v1/audit?cursor=9223372036854775807", "cursor", 0},
		{"/v1/audit?cursor=9223372036854775808", "cursor", 0},
		{"/v1/audit?cursor=-1", "cursor", 0},
		{"/v1/audit?cursor=x", "cursor", 0},
		{"/v1/audit?from=2026-12-01T00:00:00Z&to=2026-12-04T00:00:00Z", ok, 1},
		{"/v1/audit?from=2026-12-04T00:00:00Z", ok, 0},
		{"/v1/audit?to=2026-12-01T00:00:00Z", ok, 0},
		{"/v1/audit?from=2026-12-04T00:00:00Z&to=2026-12-01T00:00:00Z", "to", 0},
		{"/v1/audit?from=2026-12-03T09:00:00Z&to=2026-12-03T09:00:00Z", "to", 0},
		{"/v1/audit?from=2026-12-03T10:00:00%2B01:00&to=2026-12-03T09:00:00Z", "to", 0},
		{"/v1/audit?from=yesterday", "from", 0},
		{"/v1/audit?limit=0", ok, 1},
		{"/v1/audit?limit=1001", "limit", 0},
		{"/v1/audit?limit=%2B5", "limit", 0},
		{"/v1/audit?limit=05", "limit", 0},
		{"/v1/audit?limit=-1", "limit", 0},
		{"/v1/audit?format=xml", "format", 0},
		{"/v1/audit?workspace=w&workspace=w", "workspace", 0},
		{"/v1/audit?workspace=a&workspace=w", "workspace", 0},
		{"/v1/audit?user=priya&user=alex", "user", 0},
		{"/v1/audit?client=ann&client=ben", "client", 0},
		{"/v1/audit?action=view&action=edit", "action", 0},
		{"/v1/audit?from=2026-12-01T00:00:00Z&from=2026-12-02T00:00:00Z", "from", 0},
		{"/v1/audit?to=2026-12-04T00:00:00Z&to=2026-12-05T00:00:00Z", "to", 0},
		{"/v1/audit?cursor=0&cursor=1", "cursor", 0},
		{"/v1/audit?limit=1&limit=2", "limit", 0},
		// a filter no record could ever match is refused, not an empty page
		{"/v1/audit?action=view", ok, 1},
		{"/v1/audit?action=decision", ok, 1},
		{"/v1/audit?action=break_glass.opened", ok, 0},
		{"/v1/audit?action=access_review.due", ok, 0},
		{"/v1/audit?action=break_glass.open", "action", 0},
		{"/v1/audit?user=user:priya", ok, 1},
		{"/v1/audit?user=service_account:books", ok, 0},
		{"/v1/audit?user=client:ann", "user", 0},
		{"/v1/audit?client=client:ann", ok, 1},
		{"/v1/audit?client=../../etc", "client", 0},
		{"/v1/audit?workspace=a%20b", "workspace", 0},
		{"/v1/audit?workspace=nosuch", ok, 0},
		{"/v1/audit?to=0001-01-01T00:00:00Z", "to", 0},
		{"/v1/audit?format=csv&format=json", "format", 0},
		{"/v1/audit?format=csv&cursor=9223372036854775807", "cursor", 0},
		{"/v1/audit?format=jsonl&workspace=a&workspace=w", "workspace", 0},
		{"/v1/audit?format=fhir&from=2026-12-04T00:00:00Z&to=2026-12-01T00:00:00Z", "to", 0},
		{"/v1/audit?workspace=", ok, 1},
		{"/v1/audit?nope=1", "nope", 0},
		{"/v1/audit/verify", ok, 0},
		{"/v1/audit/verify?head_seq=1&head_hash=" + head, ok, 0},
		{"/v1/audit/verify?head_seq=1&head_hash=" + strings.ToUpper(head), ok, 0},
		{"/v1/audit/verify?head_hash=abc", "head_seq", 0},
		{"/v1/audit/verify?head_hash=" + head, "head_seq", 0},
		{"/v1/audit/verify?head_seq=&head_hash=" + head, "head_seq", 0},
		{"/v1/audit/verify?head_seq=1", "head_seq", 0},
		{"/v1/audit/verify?head_seq=0&head_hash=" + head, "head_seq", 0},
		{"/v1/audit/verify?head_seq=1&head_hash=abc", "head_hash", 0},
		{"/v1/audit/verify?head_seq=1&head_hash=" + strings.Repeat("g", 64), "head_hash", 0},
		{"/v1/audit/verify?head_seq=1&head_seq=2&head_hash=" + head, "head_seq", 0},
		{"/v1/audit/verify?head_seq=1&head_hash=" + head + "&head_hash=" + other, "head_hash", 0},
		{"/v1/audit/verify?cursor=1", "cursor", 0},
		// a query that does not parse whole is refused, not read in part
		{"/v1/audit?user=nobody;", "query", 0},
		{"/v1/audit?client=ann&user=rita%zz", "query", 0},
		{"/v1/audit/verify?head_seq=1;&head_hash=" + other + ";", "query", 0},
		{"/v1/audit/verify?head_seq=1&head_hash=" + other + "%", "query", 0},
	} {
		status, e, body := auditGet(t, srv, c.path)
		if c.field != "" {
			if status != http.StatusBadRequest || e.Field != c.field {
				t.Errorf("%s: %d %s; want 400 naming %s", c.path, status, body, c.field)
			}
			continue
		}
		if status != http.StatusOK {
			t.Errorf("%s: %d %s; want 200", c.path, status, body)
			continue
		}
		if strings.HasPrefix(c.path, "/v1/audit/verify") {
			var v api.AuditVerification
			if err := json.Unmarshal([]byte(body), &v); err != nil || !v.OK {
				t.Errorf("%s: %s; want ok", c.path, body)
			}
			continue
		}
		var p api.AuditPage
		if err := json.Unmarshal([]byte(body), &p); err != nil || len(p.Records) != c.records || p.Cursor != "" {
			t.Errorf("%s: %s; want %d records and no cursor", c.path, body, c.records)
		}
	}
	// A kept hash that is not the record's is a broken chain, not ok.
	status, _, body := auditGet(t, srv, "/v1/audit/verify?head_seq=1&head_hash="+other)
	var v api.AuditVerification
	if err := json.Unmarshal([]byte(body), &v); status != http.StatusOK || err != nil || v.OK {
		t.Errorf("verify against another hash: %d %s; want 200 and not ok", status, body)
	}
}

package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

const testKey = "test-key-0123456789abcdef"

type stack struct {
	url    string
	sdb    *spicedb.Client
	client *client.Client
}

// newStack serves Ward's API over a real in-process SpiceDB holding the base practice.
func newStack(t *testing.T, keys ...string) stack {
	st := newEmptyStack(t, keys...)
	if _, err := st.client.ApplyEvents(context.Background(), testenv.Events(t, scenarios.Base)); err != nil {
		t.Fatalf("base: %v", err)
	}
	return st
}

// newEmptyStack serves Ward's API over a real in-process SpiceDB holding nothing.
func newEmptyStack(t *testing.T, keys ...string) stack {
	t.Helper()
	sdb := testenv.SpiceDB(t)
	srv := httptest.NewServer(httpapi.New(sdb, httpapi.Config{
		APIKeys: keys,
		Metrics: prometheus.NewRegistry(),
		Ready:   func(ctx context.Context) error { return sdb.Ping(ctx) },
		Schema: func(context.Context) (api.SchemaResponse, error) {
			return api.SchemaResponse{Schema: "definition user {}", Current: true}, nil
		},
	}))
	t.Cleanup(srv.Close)
	token := ""
	if len(keys) > 0 {
		token = keys[0]
	}
	return stack{url: srv.URL, sdb: sdb, client: client.New(srv.URL, token, srv.Client())}
}

func TestScenariosOverHTTP(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			st := newEmptyStack(t)
			scenarios.Run(t, sc, scenarios.HTTP(context.Background(), st.client))
		})
	}
}

func TestBadEventsWriteNothing(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	before := testenv.Relationships(t, st.sdb)
	for _, bad := range scenarios.BadInputs {
		t.Run(bad.Name, func(t *testing.T) {
			_, err := st.client.ApplyEvents(context.Background(), testenv.Events(t, bad.Events))
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an API error", err)
			}
			idx := -1
			if e.Body.Index != nil {
				idx = *e.Body.Index
			}
			if e.Status != bad.Status || idx != bad.Index || e.Body.Field != bad.Field || e.Body.Message == "" {
				t.Errorf("got %d index=%d field=%q (%v); want %d index=%d field=%q", e.Status, idx, e.Body.Field, e, bad.Status, bad.Index, bad.Field)
			}
			if after := testenv.Relationships(t, st.sdb); !slices.Equal(before, after) {
				t.Errorf("refused request changed SpiceDB: %d relationships before, %d after", len(before), len(after))
			}
		})
	}
}

func post(t *testing.T, url, path, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tests := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"malformed JSON", "/v1/check", `{"subject":`, 400, "not valid JSON"},
		{"empty body", "/v1/check", ``, 400, "a JSON object is required"},
		{"unknown field", "/v1/check", `{"subject":"user:a","permission":"view","resource":"client:ann","as":"x"}`, 400, `"field":"as"`},
		{"trailing data", "/v1/check", `{"subject":"user:a","permission":"view","resource":"client:ann"} {}`, 400, "trailing data"},
		{"unknown permission is not false", "/v1/check", `{"subject":"user:priya","permission":"read","resource":"client:ann"}`, 400, `"field":"permission"`},
		{"unknown resource type", "/v1/check", `{"subject":"user:priya","permission":"view","resource":"patient:ann"}`, 400, "unknown resource type"},
		{"subject not a user", "/v1/check", `{"subject":"role:x","permission":"view","resource":"client:ann"}`, 400, `"field":"subject"`},
		{"wildcard subject", "/v1/check", `{"subject":"user:*","permission":"view","resource":"client:ann"}`, 400, "wildcard"},
		{"bulk item bad", "/v1/check/bulk", `{"checks":[{"subject":"user:a","permission":"view","resource":"client:ann"},{"subject":"user:a","permission":"nope","resource":"client:ann"}]}`, 400, `"index":1`},
		{"bulk empty", "/v1/check/bulk", `{"checks":[]}`, 400, `"field":"checks"`},
		{"lookup limit", "/v1/lookup/resources", `{"subject":"user:a","permission":"view","resource_type":"client","limit":5000}`, 400, `"field":"limit"`},
		{"lookup bad type", "/v1/lookup/resources", `{"subject":"user:a","permission":"view","resource_type":"patient"}`, 400, `"field":"resource_type"`},
		{"stream takes no limit", "/v1/lookup/resources/stream", `{"subject":"user:a","permission":"view","resource_type":"client","limit":5}`, 400, `"field":"limit"`},
		{"stream bad permission", "/v1/lookup/resources/stream", `{"subject":"user:a","permission":"read","resource_type":"client"}`, 400, `"field":"permission"`},
		{"events not a list", "/v1/events", `{"events":{}}`, 400, `"field":"events"`},
		{"no such endpoint", "/v1/nothing", `{}`, 404, "no such endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := post(t, st.url, tt.path, tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s; want %d containing %s", status, body, tt.status, tt.want)
			}
		})
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	st := newStack(t, testKey, "second-key-0123456789")
	body := `{"subject":"user:priya","permission":"view","resource":"client:ann"}`
	for _, tt := range []struct {
		name   string
		header []string
		status int
	}{
		{"no key", nil, 401},
		{"wrong key", []string{"Authorization", "Bearer nope"}, 401},
		{"not bearer", []string{"Authorization", testKey}, 401},
		{"first key", []string{"Authorization", "Bearer " + testKey}, 200},
		{"rotated key", []string{"Authorization", "Bearer second-key-0123456789"}, 200},
	} {
		if status, resp := post(t, st.url, "/v1/check", body, tt.header...); status != tt.status {
			t.Errorf("%s: got %d %s, want %d", tt.name, status, resp, tt.status)
		}
	}
	resp, err := http.Get(st.url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz must not need a key: %v %v", resp, err)
	}
}

func TestLookupsPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStack(t)
	var got []string
	req := api.LookupResourcesRequest{Subject: "user:maya", Permission: "view", ResourceType: "client", Limit: 1}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("cursor never ends")
		}
		page, err := st.client.LookupResources(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Resources...)
		if page.Cursor == "" {
			break
		}
		req.Cursor = page.Cursor
	}
	slices.Sort(got)
	if want := []string{"client:ann", "client:ben", "client:cat"}; !slices.Equal(got, want) {
		t.Errorf("maya's clients: %v, want %v", got, want)
	}
	own, err := st.client.LookupResources(ctx, api.LookupResourcesRequest{Subject: "user:priya", Permission: "view", ResourceType: "client"})
	if err != nil || !slices.Equal(own.Resources, []string{"client:ann"}) {
		t.Errorf("priya's clients: %v %v, want [client:ann]", own.Resources, err)
	}

	var subjects []string
	sreq := api.LookupSubjectsRequest{Resource: "client:ann", Permission: "view_notes", Limit: 1}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("cursor never ends")
		}
		page, err := st.client.LookupSubjects(ctx, sreq)
		if err != nil {
			t.Fatal(err)
		}
		subjects = append(subjects, page.Subjects...)
		if page.Cursor == "" {
			break
		}
		sreq.Cursor = page.Cursor
	}
	if want := []string{"user:olivia", "user:priya"}; !slices.Equal(subjects, want) {
		t.Errorf("who reads ann's notes: %v, want %v", subjects, want)
	}
}

func TestExplainOverHTTP(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	res, err := st.client.Explain(context.Background(), api.CheckRequest{Subject: "user:alex", Permission: "view", Resource: "client:ann"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Allowed || res.ZedToken == "" {
		t.Fatalf("got %+v, want allowed with a token", res)
	}
	if !slices.ContainsFunc(res.Reasons, func(r domain.Reason) bool {
		return r.Grants && r.Role == "accountant" && r.Area == "invoices" && r.Level == "full"
	}) {
		t.Errorf("reasons %+v do not name the accountant's invoices grant", res.Reasons)
	}
}

func TestReadyHealthAndMetrics(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(st.url + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: %v %v", path, resp, err)
		}
	}
	if err := st.client.Ready(context.Background()); err != nil {
		t.Errorf("client.Ready: %v", err)
	}
	resp, err := http.Get(st.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(data), `ward_http_requests_total{route="events",status="200"}`) {
		t.Errorf("metrics lack the events counter:\n%s", data)
	}
}

// TestMatrixFollowsThePractice: the matrix is read from SpiceDB, so it shows
// role changes and custom roles as they happen.
func TestMatrixFollowsThePractice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStack(t)
	m, err := st.client.Matrix(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ role, perm, want string }{
		{"receptionist", "client.view_notes", "none"},
		{"practitioner", "client.view_notes", "own"},
		{"practitioner_admin", "client.view_notes", "all"},
		{"practitioner_admin", "workspace.manage_api_keys", "owner"},
		{"receptionist", "role.manage_holders", "own"},
	} {
		if got := m.Cells[c.role][c.perm]; got != c.want {
			t.Errorf("%s %s = %q, want %q", c.role, c.perm, got, c.want)
		}
	}
	if _, err := st.client.ApplyEvents(ctx, testenv.Events(t, `{"type":"notes_access.granted","workspace":"p1","role":"receptionist"}
{"type":"role.defined","workspace":"p1","role":"auditor","grants":{"invoices":{"view":"all","export":"all"}}}`)); err != nil {
		t.Fatal(err)
	}
	m, err = st.client.Matrix(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Cells["receptionist"]["client.view_notes"]; got != "all" {
		t.Errorf("after notes access: receptionist client.view_notes = %q", got)
	}
	if got, want := m.Cells["auditor"]["workspace.export_invoices"], "all"; got != want || m.Cells["auditor"]["invoice.edit"] != "none" {
		t.Errorf("custom role auditor: export_invoices %q, invoice.edit %q", got, m.Cells["auditor"]["invoice.edit"])
	}
	for path, want := range map[string]int{"/v1/workspaces/nope/matrix": 400, "/v1/workspaces/a*b/matrix": 400} {
		resp, err := http.Get(st.url + path)
		if err != nil || resp.StatusCode != want {
			t.Errorf("GET %s: %v %v, want %d", path, resp.StatusCode, err, want)
		}
	}
}

// streamAuth streams the IDs it is given through the real handler, then fails
// with err (if any). When gate is set, it waits for it after the first ID.
type streamAuth struct {
	httpapi.Authorizer
	ids  []string
	err  error
	gate chan struct{}
}

func (f streamAuth) StreamResources(ctx context.Context, _ domain.Object, _, _, _ string, emit func(string) error) (string, error) {
	for i, id := range f.ids {
		if err := emit(id); err != nil {
			return "", err
		}
		if i == 0 && f.gate != nil {
			select {
			case <-f.gate:
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
	}
	return "tok", f.err
}

// TestLookupStream: the streamed lookup sends every resource once, ends with
// a done line, answers bad input and early failures with ordinary errors, ends
// a stream that fails midway with an error line, and sends its first line
// before the lookup is over.
func TestLookupStream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStack(t)
	req := api.LookupStreamRequest{Subject: "user:maya", Permission: "view", ResourceType: "client"}
	var got []string
	token, err := st.client.StreamResources(ctx, req, func(r string) error { got = append(got, r); return nil })
	slices.Sort(got)
	if want := []string{"client:ann", "client:ben", "client:cat"}; err != nil || token == "" || !slices.Equal(got, want) {
		t.Errorf("maya's clients streamed: %v (token %q, %v), want %v", got, token, err, want)
	}
	status, body := post(t, st.url, "/v1/lookup/resources/stream", `{"subject":"user:nobody","permission":"view","resource_type":"client"}`)
	if status != 200 || !strings.HasPrefix(body, `{"done":true`) || strings.Count(body, "\n") != 1 {
		t.Errorf("nothing to stream: %d %s, want only a done line", status, body)
	}

	serve := func(a httpapi.Authorizer) *client.Client {
		srv := httptest.NewServer(httpapi.New(a, httpapi.Config{}))
		t.Cleanup(srv.Close)
		return client.New(srv.URL, "", srv.Client())
	}
	tests := []struct {
		name   string
		auth   streamAuth
		status int
		got    int
	}{
		{"fails before the first line", streamAuth{err: domain.Errorf(domain.CodeUnavailable, "SpiceDB is down")}, 503, 0},
		{"fails midway", streamAuth{ids: []string{"a", "b"}, err: domain.Errorf(domain.CodeUnavailable, "SpiceDB went away")}, 200, 2},
	}
	for _, tt := range tests {
		n := 0
		_, err := serve(tt.auth).StreamResources(ctx, req, func(string) error { n++; return nil })
		var e *client.Error
		if !errors.As(err, &e) || e.Status != tt.status || e.Body.Code != domain.CodeUnavailable || n != tt.got {
			t.Errorf("%s: %v after %d lines, want a %d unavailable error after %d", tt.name, err, n, tt.status, tt.got)
		}
	}

	gate := make(chan struct{})
	c := serve(streamAuth{ids: []string{"first", "second"}, gate: gate})
	var lines []string
	gctx, cancel := context.WithTimeout(ctx, 10*time.Second) // unflushed, the first line would never come
	defer cancel()
	if _, err := c.StreamResources(gctx, req, func(r string) error {
		if len(lines) == 0 {
			close(gate) // the lookup goes on only once the caller holds the first line
		}
		lines = append(lines, r)
		return nil
	}); err != nil || !slices.Equal(lines, []string{"client:first", "client:second"}) {
		t.Errorf("gated stream: %v %v", lines, err)
	}
}

// notYetAuth answers every check as SpiceDB does a ZedToken from the future.
type notYetAuth struct{ httpapi.Authorizer }

func (notYetAuth) Check(context.Context, domain.Question, string) (domain.Decision, error) {
	return domain.Decision{}, &domain.Error{Code: domain.CodeNotYet, Index: -1, Field: "zedtoken", Message: "names a revision SpiceDB has not reached yet"}
}

// TestZedTokenErrors: a malformed ZedToken is the caller's error (400, field
// zedtoken), and one SpiceDB has not reached yet answers 503 not_yet with a
// Retry-After.
func TestZedTokenErrors(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	status, body := post(t, st.url, "/v1/check", `{"subject":"user:priya","permission":"view","resource":"client:ann","zedtoken":"not a token!"}`)
	if status != http.StatusBadRequest || !strings.Contains(body, `"code":"invalid"`) || !strings.Contains(body, `"field":"zedtoken"`) {
		t.Errorf("a malformed zedtoken: %d %s, want 400 invalid about field zedtoken", status, body)
	}
	srv := httptest.NewServer(httpapi.New(notYetAuth{}, httpapi.Config{}))
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/v1/check", "application/json", strings.NewReader(`{"subject":"user:priya","permission":"view","resource":"client:ann","zedtoken":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(data), `"code":"not_yet"`) {
		t.Errorf("not yet: %d Retry-After %q %s, want 503 not_yet with Retry-After 1", resp.StatusCode, resp.Header.Get("Retry-After"), data)
	}
}

package httpapi_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/testenv"
)

const testKey = "test-key-0123456789abcdef"

type stack struct {
	url    string
	sdb    testenv.Ward
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
			scenarios.Run(t, sc, func(int) scenarios.Client {
				return scenarios.HTTP(context.Background(), newEmptyStack(t).client)
			})
		})
	}
}

func TestBadEventsWriteNothing(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	before := testenv.Relationships(t, st.sdb)
	for _, bad := range scenarios.BadInputs {
		t.Run(bad.Name, func(t *testing.T) {
			_, err := st.client.Apply(context.Background(), api.EventsRequest{Events: testenv.Events(t, bad.JSONL()), Actor: scenarios.BadInputActor})
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

// post sends body as JSON, with header's name-value pairs set over that.
func post(t *testing.T, url, path, body string, header ...string) (int, string) {
	t.Helper()
	resp, data := send(t, http.DefaultClient, http.MethodPost, url+path, strings.NewReader(body), header...)
	return resp.StatusCode, data
}

// send makes a request, sent as JSON when it has a body, with header's
// name-value pairs, and returns the answer with its body read.
func send(t testing.TB, c *http.Client, method, url string, body io.Reader, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	given := map[string]bool{} // a header named twice is sent twice
	for i := 0; i+1 < len(header); i += 2 {
		if given[header[i]] {
			req.Header.Add(header[i], header[i+1])
			continue
		}
		given[header[i]] = true
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
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
		{"context with an unknown key", "/v1/check", `{"subject":"user:maya","permission":"approve_charge","resource":"invoice:in-ann","context":{"time":"10:00"}}`, 400, `"field":"context.time"`},
		{"ip not an address", "/v1/check", `{"subject":"user:maya","permission":"view","resource":"client:ann","context":{"ip":"10.0.0.256"}}`, 400, `"field":"context.ip"`},
		{"lookup ip not an address", "/v1/lookup/resources", `{"subject":"user:maya","permission":"view","resource_type":"client","context":{"ip":"me"}}`, 400, `"field":"context.ip"`},
		{"stream amount negative", "/v1/lookup/resources/stream", `{"subject":"user:maya","permission":"view","resource_type":"client","context":{"amount":-1}}`, 400, `"field":"context.amount"`},
		{"subjects lookup unknown context", "/v1/lookup/subjects", `{"resource":"client:ann","permission":"view","context":{"user_agent":"x"}}`, 400, `"field":"context.user_agent"`},
		{"ip with a zone", "/v1/explain", `{"subject":"user:maya","permission":"view","resource":"client:ann","context":{"ip":"fe80::1%eth0"}}`, 400, `"field":"context.ip"`},
		{"ip as a number", "/v1/check/bulk", `{"checks":[{"subject":"user:maya","permission":"view","resource":"client:ann","context":{"ip":167772161}}]}`, 400, `"index":0`},
		{"hours in no zone", "/v1/events", `{"events":[{"type":"role.updated","workspace":"p1","role":"receptionist","hours":{"timezone":"Nowhere","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}}]}`, 400, `"field":"hours"`},
		{"networks not CIDRs", "/v1/events", `{"events":[{"type":"staff.added","workspace":"p1","user":"x","role":"receptionist","networks":["office"]}]}`, 400, `"field":"networks"`},
		{"hours on a share", "/v1/events", `{"events":[{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","hours":null}]}`, 400, `"field":"hours"`},
		{"negative amount", "/v1/check", `{"subject":"user:maya","permission":"approve_charge","resource":"invoice:in-ann","context":{"amount":-5}}`, 400, `"field":"context.amount"`},
		{"amount as a string", "/v1/check", `{"subject":"user:maya","permission":"approve_charge","resource":"invoice:in-ann","context":{"amount":"5"}}`, 400, `"field":"context.amount"`},
		{"huge amount", "/v1/check/bulk", `{"checks":[{"subject":"user:maya","permission":"approve_charge","resource":"invoice:in-ann","context":{"amount":1e13}}]}`, 400, `"index":0`},
		{"amount limit on an action that takes none", "/v1/events", `{"events":[{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"invoices":{"view":{"level":"all","amount_below":5}}}}]}`, 400, "takes no amount_below"},
		{"amount limit at the own level", "/v1/events", `{"events":[{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"invoices":{"approve":{"level":"own","amount_below":5}}}}]}`, 400, "needs level"},
		{"amount limit of zero", "/v1/events", `{"events":[{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"invoices":{"approve":{"level":"all","amount_below":0}}}}]}`, 400, "above 0"},
		{"amount limit with no level", "/v1/events", `{"events":[{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"invoices":{"approve":{"amount_below":5}}}}]}`, 400, "level"},
		{"fields of a type with none", "/v1/fields", `{"subject":"user:priya","resource":"note:n-ann"}`, 400, "resource type note has no field groups (types with field groups: client)"},
		{"fields of an unknown type", "/v1/fields", `{"subject":"user:priya","resource":"patient:ann"}`, 400, "unknown resource type"},
		{"fields for a role", "/v1/fields", `{"subject":"role:x","resource":"client:ann"}`, 400, `"field":"subject"`},
		{"fields takes no permission", "/v1/fields", `{"subject":"user:priya","resource":"client:ann","permission":"view"}`, 400, `"field":"permission"`},
		{"fields with no resource", "/v1/fields", `{"subject":"user:priya"}`, 400, `"field":"resource"`},
		{"no such endpoint", "/v1/nothing", `{}`, 404, "no such endpoint"},
		// A message quotes what was wrong, but not a 60 KB value whole.
		{"a huge ID is not echoed whole", "/v1/check", `{"subject":"user:` + strings.Repeat("é", 30_000) + `","permission":"view","resource":"client:ann"}`, 400, "more bytes not shown"},
		// Nor is a huge key, which comes back as the field.
		{"a huge unknown key is not echoed whole", "/v1/check", `{"` + strings.Repeat("k", 60_000) + `":1,"subject":"user:a","permission":"view","resource":"client:ann"}`, 400, "more bytes not shown"},
		{"a huge unknown key in an event is not echoed whole", "/v1/events", `{"events":[{"type":"staff.added","` + strings.Repeat("k", 60_000) + `":1}]}`, 400, "more bytes not shown"},
		// Bytes that are not UTF-8 reach the decoder's U+FFFD, which a name refuses.
		{"a name that is not UTF-8", "/v1/events", "{\"events\":[{\"type\":\"service_account.created\",\"workspace\":\"p1\",\"account\":\"sa\",\"name\":\"bad\xff\xfename\"}]}", 400, `"field":"name"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := post(t, st.url, tt.path, tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) || len(body) > 2048 {
				t.Errorf("got %d %.3000s (%d bytes); want %d containing %s, within 2 KB", status, body, len(body), tt.status, tt.want)
			}
		})
	}
}

// TestStrictBodies: bodies are JSON, decoded strictly: a key twice anywhere,
// a key in another case than the field's, a value of the wrong kind, a body
// over its endpoint's cap or a list over its count are refused, naming the key
// and the limit, and never in Go's words.
func TestStrictBodies(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	const check = `"permission":"view","resource":"client:ann"`
	many := func(n int, item string) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	tests := []struct {
		name, path, body string
		header           []string
		status           int
		want             []string
	}{
		{"key twice in a check", "/v1/check", `{"subject":"user:priya","subject":"user:rita",` + check + `}`, nil, 400, []string{`"field":"subject"`, "twice"}},
		{"type twice in an event", "/v1/events", `{"events":[{"type":"staff.added","workspace":"p1","user":"z","role":"receptionist","type":"ownership.transferred"}]}`, nil, 400, []string{`"index":0`, `"field":"type"`, "twice"}},
		{"key twice in an event's grants", "/v1/events", `{"events":[{"type":"role.defined","workspace":"p1","role":"aud","grants":{"invoices":"all","invoices":"none"}}]}`, nil, 400, []string{`"index":0`, `"field":"grants.invoices"`}},
		{"events twice", "/v1/events", `{"events":[],"events":[{"type":"staff.removed","workspace":"p1","user":"rita"}]}`, nil, 400, []string{`"field":"events"`, "twice"}},
		{"key twice in a bulk item", "/v1/check/bulk", `{"checks":[{"subject":"user:a",` + check + `},{"subject":"user:a",` + check + `,"resource":"client:ben"}]}`, nil, 400, []string{`"index":1`, `"field":"resource"`}},
		{"key in another case", "/v1/check", `{"Subject":"user:priya",` + check + `}`, nil, 400, []string{`"field":"Subject"`, `did you mean \"subject\"`}},
		{"events in another case", "/v1/events", `{"Events":[]}`, nil, 400, []string{`"field":"Events"`, `did you mean \"events\"`}},
		{"body not an object", "/v1/events", `[]`, nil, 400, []string{`must be a JSON object: {\"events\": [...]}`}},
		{"check not an object", "/v1/check", `"user:priya"`, nil, 400, []string{"must be a JSON object with the fields subject, permission, resource, zedtoken"}},
		{"string as number", "/v1/lookup/resources", `{"subject":"user:a","permission":"view","resource_type":"client","limit":"5"}`, nil, 400, []string{`"field":"limit"`, "must be a whole number"}},
		{"number as string", "/v1/check", `{"subject":7,` + check + `}`, nil, 400, []string{`"field":"subject"`, "must be a JSON string"}},
		{"bulk item not an object", "/v1/check/bulk", `{"checks":[["user:a"]]}`, nil, 400, []string{`"index":0`, "must be a JSON object"}},
		{"nested too deep", "/v1/events", `{"events":[` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `]}`, nil, 400, []string{"nested deeper than 32"}},
		{"a huge string", "/v1/events", `{"events":[{"type":"staff.added","workspace":"w","user":"` + strings.Repeat("u", 70000) + `","role":"r"}]}`, nil, 400, []string{"a string of 70000 bytes", "at most 64 KiB", `"field":"user"`}},
		{"a huge key", "/v1/events", `{"events":[{"` + strings.Repeat("k", 70000) + `":1}]}`, nil, 400, []string{"a key of 70000 bytes"}},
		{"a huge key beside the events", "/v1/events", `{"` + strings.Repeat("k", 70000) + `":1,"events":[]}`, nil, 400, []string{"a key of 70000 bytes"}},
		{"a huge actor", "/v1/events", `{"actor":"user:` + strings.Repeat("a", 70000) + `","events":[]}`, nil, 400, []string{"a string of 70005 bytes", `"field":"actor"`}},
		{"no content type", "/v1/check", `{"subject":"user:priya",` + check + `}`, []string{"Content-Type", ""}, 415, []string{`"code":"unsupported_media_type"`, "Content-Type: application/json"}},
		{"text/plain, as a cross-site form sends", "/v1/events", `{"events":[{"type":"ownership.transferred","workspace":"p1","to":"adam"}]}`, []string{"Content-Type", "text/plain"}, 415, []string{`"code":"unsupported_media_type"`}},
		{"form encoded, as curl -d sends", "/v1/check", `{"subject":"user:priya",` + check + `}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, []string{`"code":"unsupported_media_type"`}},
		{"charset utf-8 is JSON", "/v1/check", `{"subject":"user:priya",` + check + `}`, []string{"Content-Type", "application/json; charset=UTF-8"}, 200, []string{`"allowed":true`}},
		{"another charset", "/v1/check", `{"subject":"user:priya",` + check + `}`, []string{"Content-Type", "application/json; charset=latin1"}, 415, []string{"UTF-8"}},
		{"two content types", "/v1/check", `{"subject":"user:priya",` + check + `}`, []string{"Content-Type", "application/json", "Content-Type", "text/plain"}, 415, []string{"more than one Content-Type"}},
		{"compressed", "/v1/check", `{"subject":"user:priya",` + check + `}`, []string{"Content-Encoding", "gzip"}, 415, []string{"Content-Encoding", "uncompressed"}},
		{"question over its cap", "/v1/check", `{"subject":"user:priya",` + check + `,"zedtoken":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, []string{`"code":"too_large"`, "POST /v1/check reads at most 64 KiB"}},
		{"too many checks", "/v1/check/bulk", `{"checks":[` + many(1001, `{"subject":"user:a",`+check+`}`) + `]}`, nil, 413, []string{`"code":"too_large"`, `"field":"checks"`, "split"}},
		{"too many events", "/v1/events", `{"events":[` + many(1001, `{"type":"staff.removed","workspace":"p1","user":"x"}`) + `]}`, nil, 413, []string{`"code":"too_large"`, "more than 1000 events", "split"}},
		{"events not a list", "/v1/events", `{"events":{}}`, nil, 400, []string{`"field":"events"`, "must be a JSON array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := post(t, st.url, tt.path, tt.body, tt.header...)
			if status != tt.status {
				t.Errorf("got %d %s; want %d", status, body, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("got %s; want it to contain %s", body, w)
				}
			}
			if strings.Contains(body, "api.") || strings.Contains(body, "domain.") || strings.Contains(body, "json:") {
				t.Errorf("answer %s speaks Go, not JSON", body)
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
		{"scheme in lower case", []string{"Authorization", "bearer " + testKey}, 200},
		{"two keys", []string{"Authorization", "Bearer " + testKey, "Authorization", "Bearer second-key-0123456789"}, 401},
	} {
		if status, resp := post(t, st.url, "/v1/check", body, tt.header...); status != tt.status {
			t.Errorf("%s: got %d %s, want %d", tt.name, status, resp, tt.status)
		}
	}
	if _, resp := post(t, st.url, "/v1/check", body, "Authorization", "Bearer "+testKey, "Authorization", "Bearer "+testKey); !strings.Contains(resp, "more than one Authorization header") {
		t.Errorf("two Authorization headers: %s, want the answer to say so", resp)
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
	if !slices.ContainsFunc(res.Trace, func(s domain.Step) bool { return s.Found && s.Looked != "" && s.Text != "" }) {
		t.Errorf("trace %+v has no step SpiceDB found", res.Trace)
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
{"type":"role.defined","workspace":"p1","role":"auditor","grants":{"invoices":{"view":"all","export":"all"}}}
{"type":"role.defined","workspace":"p1","role":"approver","grants":{"invoices":{"approve":{"level":"all","amount_below":500}},"clients":{"view_insurance":"all"}}}`)); err != nil {
		t.Fatal(err)
	}
	m, err = st.client.Matrix(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Cells["receptionist"]["client.view_notes"]; got != "all" {
		t.Errorf("after notes access: receptionist client.view_notes = %q", got)
	}
	// A limited grant shows its limit; a field group goes no further than
	// the client's contact details, which approver does not see.
	if got := m.Cells["approver"]["invoice.approve_charge"]; got != "below 500" {
		t.Errorf("approver invoice.approve_charge = %q, want below 500", got)
	}
	if got := m.Cells["approver"]["client.view_insurance"]; got != "none" {
		t.Errorf("approver client.view_insurance = %q, want none (no contact details)", got)
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

func (f streamAuth) StreamResources(ctx context.Context, _ domain.Object, _, _ string, _ domain.Given, _ string, emit func(domain.Found) error) (string, error) {
	for i, id := range f.ids {
		if err := emit(domain.Found{ID: id}); err != nil {
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
	if status != 200 || !strings.HasPrefix(body, `{"done":true`) || !strings.Contains(body, `"count":0`) || !strings.Contains(body, `"zedtoken":"`) || strings.Count(body, "\n") != 1 {
		t.Errorf("nothing to stream: %d %s, want only a done line with a count of 0 and a zedtoken", status, body)
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

// writeAuth answers every write with applied and err, without SpiceDB.
type writeAuth struct {
	httpapi.Authorizer
	applied domain.Applied
	err     error
}

func (f writeAuth) Apply(context.Context, []domain.Event) (domain.Applied, error) {
	return f.applied, f.err
}

func (f writeAuth) Import(context.Context, []domain.Event) (domain.Applied, error) {
	return f.applied, f.err
}

// TestUnconfirmedWrites: a write SpiceDB took but fully consistent reads did
// not show yet is a 202 with "confirmed": false, never a 503 (which says that
// nothing was written, so callers would send the events again).
func TestUnconfirmedWrites(t *testing.T) {
	t.Parallel()
	const events = `{"events":[{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}]}`
	tests := []struct {
		name      string
		auth      writeAuth
		status    int
		confirmed string
	}{
		{"confirmed", writeAuth{applied: domain.Applied{Token: "t1", Touched: 3}}, 200, `"confirmed":true`},
		{"unconfirmed", writeAuth{applied: domain.Applied{Token: "t2", Touched: 3, Unconfirmed: true}}, 202, `"confirmed":false`},
		{"nothing written", writeAuth{err: domain.Errorf(domain.CodeUnavailable, "SpiceDB is down")}, 503, `"code":"unavailable"`},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(httpapi.New(tt.auth, httpapi.Config{}))
		t.Cleanup(srv.Close)
		for _, path := range []string{"/v1/events", "/v1/import"} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				status, body := post(t, srv.URL, path, events)
				if status != tt.status || !strings.Contains(body, tt.confirmed) {
					t.Errorf("got %d %s; want %d with %s", status, body, tt.status, tt.confirmed)
				}
				if status < 300 && (!strings.Contains(body, `"applied":1`) || !strings.Contains(body, `"touched":3`)) {
					t.Errorf("got %s; want the usual counts beside confirmed", body)
				}
			})
		}
	}
}

// rawRequest writes req as is on a new connection to srv and reads the
// answer. The connection's deadline bounds the test, not Ward.
func rawRequest(t *testing.T, srv *httptest.Server, req string) (status int, body string) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// TestImportBounds: an import's memory is bounded by its cap, not by what its
// body claims: a declared oversize body is refused before a byte of it is
// read, an undeclared one at the cap, and a list of events past
// domain.MaxImportEvents at the first event too many.
func TestImportBounds(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(httpapi.New(writeAuth{applied: domain.Applied{Token: "t"}}, httpapi.Config{MaxImportBytes: 1 << 20}))
	t.Cleanup(srv.Close)

	status, answer := rawRequest(t, srv, "POST /v1/import HTTP/1.1\r\nHost: "+srv.Listener.Addr().String()+
		"\r\nContent-Type: application/json\r\nContent-Length: 146800640\r\n\r\n{\"events\":[")
	if status != 413 || !strings.Contains(answer, `"code":"too_large"`) || !strings.Contains(answer, "140 MiB; POST /v1/import reads at most 1 MiB") {
		t.Errorf("declared 140 MB import: %d %s", status, answer)
	}

	event := `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"},`
	body := io.MultiReader(strings.NewReader(`{"events":[`), strings.NewReader(strings.Repeat(event, (2<<20)/len(event))))
	resp, data := send(t, srv.Client(), http.MethodPost, srv.URL+"/v1/import", body) // a reader of unknown length: sent chunked
	if resp.StatusCode != 413 || !strings.Contains(string(data), "larger than 1 MiB") || !strings.Contains(string(data), "split the import") {
		t.Errorf("chunked 2 MiB import: %d %s", resp.StatusCode, data)
	}

	big := httptest.NewServer(httpapi.New(writeAuth{applied: domain.Applied{Token: "t"}}, httpapi.Config{}))
	t.Cleanup(big.Close)
	events := `{"events":[` + strings.Repeat(`{"type":"staff.removed","workspace":"w","user":"x"},`, domain.MaxImportEvents) + `{"type":"staff.removed","workspace":"w","user":"x"}]}`
	if status, body := post(t, big.URL, "/v1/import", events); status != 413 || !strings.Contains(body, "more than "+strconv.Itoa(domain.MaxImportEvents)+" events") {
		t.Errorf("import of %d events: %d %.300s", domain.MaxImportEvents+1, status, body)
	}
}

// TestWrongMethod: a served path asked with another method answers 405
// method_not_allowed with an Allow header, not 404.
func TestWrongMethod(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(httpapi.New(writeAuth{}, httpapi.Config{}))
	t.Cleanup(srv.Close)
	tests := []struct {
		method, path string
		status       int
		allow, code  string
	}{
		{"GET", "/v1/check", 405, "POST, OPTIONS", "method_not_allowed"},
		{"PUT", "/v1/events", 405, "POST, OPTIONS", "method_not_allowed"},
		{"POST", "/healthz", 405, "GET, HEAD, OPTIONS", "method_not_allowed"},
		{"DELETE", "/v1/workspaces/p1/matrix", 405, "GET, HEAD, OPTIONS", "method_not_allowed"},
		{"GET", "/v1/nothing", 404, "", "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			resp, data := send(t, srv.Client(), tt.method, srv.URL+tt.path, nil)
			if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow || !strings.Contains(string(data), `"code":"`+tt.code+`"`) {
				t.Errorf("got %d Allow %q %s; want %d Allow %q %s", resp.StatusCode, resp.Header.Get("Allow"), data, tt.status, tt.allow, tt.code)
			}
		})
	}
}

// TestHostsAndOrigins: a web page cannot call Ward, neither cross-site (its
// Origin is refused unless configured, and text/plain is not JSON) nor by
// rebinding its own name to Ward's address (its Host is refused); configured
// origins get CORS answers, and probes answer whatever Host they are sent.
func TestHostsAndOrigins(t *testing.T) {
	t.Parallel()
	const admin = "https://admin.example.com"
	srv := httptest.NewServer(httpapi.New(writeAuth{applied: domain.Applied{Token: "t"}}, httpapi.Config{
		Hosts:       httpapi.Hosts{Names: []string{"ward.internal"}},
		CORSOrigins: []string{"HTTPS://Admin.Example.com:443"},
	}))
	t.Cleanup(srv.Close)
	const transfer = `{"events":[{"type":"ownership.transferred","workspace":"p1","to":"mallory"}]}`
	tests := []struct {
		name, method, path, host string
		header                   []string
		status                   int
		want                     map[string]string // answer headers ("" for absent)
		body                     string
	}{
		{"loopback address", "POST", "/v1/events", "127.0.0.1:8080", nil, 200, nil, ""},
		{"localhost, another port", "POST", "/v1/events", "localhost:18080", nil, 200, nil, ""},
		{"IPv6 loopback", "POST", "/v1/events", "[::1]:8080", nil, 200, nil, ""},
		{"configured name", "POST", "/v1/events", "Ward.Internal:8080", nil, 200, nil, ""},
		{"rebound name", "POST", "/v1/events", "attacker.example:8080", nil, 403, nil, "--allowed-hosts"},
		{"an address Ward is not bound to", "POST", "/v1/events", "10.0.0.5:8080", nil, 403, nil, "it serves localhost, loopback addresses, ward.internal"},
		{"probe by pod address", "GET", "/healthz", "10.0.0.5:8080", nil, 200, nil, ""},
		{"readiness by service name", "GET", "/readyz", "ward-svc:8080", nil, 200, nil, ""},
		{"cross-site text/plain", "POST", "/v1/events", "127.0.0.1:8080", []string{"Origin", "https://attacker.example", "Content-Type", "text/plain"}, 403,
			map[string]string{"Access-Control-Allow-Origin": ""}, "--cors-origins"},
		{"cross-site JSON", "POST", "/v1/events", "127.0.0.1:8080", []string{"Origin", "https://attacker.example"}, 403, nil, `"code":"forbidden"`},
		{"sandboxed page", "POST", "/v1/events", "127.0.0.1:8080", []string{"Origin", "null"}, 403, nil, `"code":"forbidden"`},
		{"configured origin", "POST", "/v1/events", "127.0.0.1:8080", []string{"Origin", admin}, 200,
			map[string]string{"Access-Control-Allow-Origin": admin, "Vary": "Origin"}, ""},
		{"configured origin, error answer", "POST", "/v1/check", "127.0.0.1:8080", []string{"Origin", admin}, 400,
			map[string]string{"Access-Control-Allow-Origin": admin}, ""},
		{"preflight", "OPTIONS", "/v1/events", "127.0.0.1:8080", []string{"Origin", admin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type"}, 204,
			map[string]string{"Access-Control-Allow-Origin": admin, "Access-Control-Allow-Methods": "POST, OPTIONS", "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Max-Age": "600"}, ""},
		{"preflight from another origin", "OPTIONS", "/v1/events", "127.0.0.1:8080", []string{"Origin", "https://attacker.example", "Access-Control-Request-Method", "POST"}, 403,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""}, ""},
		{"options without a browser", "OPTIONS", "/v1/check", "127.0.0.1:8080", nil, 204, map[string]string{"Allow": "POST, OPTIONS", "Access-Control-Allow-Methods": ""}, ""},
		{"options for nothing", "OPTIONS", "/v1/nothing", "127.0.0.1:8080", nil, 404, nil, ""},
		{"two origins, the configured one first", "POST", "/v1/events", "127.0.0.1:8080", []string{"Origin", admin, "Origin", "https://attacker.example"}, 400,
			map[string]string{"Access-Control-Allow-Origin": ""}, "2 Origin headers"},
		{"two origins, both configured", "OPTIONS", "/v1/events", "127.0.0.1:8080", []string{"Origin", admin, "Origin", admin, "Access-Control-Request-Method", "POST"}, 400,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""}, "one Origin header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader(transfer)
			}
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = tt.host
			if body != nil && !slices.Contains(tt.header, "Content-Type") {
				req.Header.Set("Content-Type", "application/json")
			}
			for i := 0; i+1 < len(tt.header); i += 2 {
				req.Header.Add(tt.header[i], tt.header[i+1])
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(data), tt.body) {
				t.Errorf("got %d %s; want %d containing %s", resp.StatusCode, data, tt.status, tt.body)
			}
			for k, v := range tt.want {
				if got := strings.Join(resp.Header.Values(k), ", "); !strings.Contains(got, v) || v == "" && got != "" {
					t.Errorf("header %s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestHostsServes(t *testing.T) {
	t.Parallel()
	named := httpapi.Hosts{Names: []string{"ward", "10.0.0.5:8080", "fd00::1"}}
	anyIP := httpapi.Hosts{AnyIP: true}
	tests := []struct {
		hosts httpapi.Hosts
		host  string
		want  bool
	}{
		{named, "LOCALHOST:1", true},
		{named, "localhost.", true},
		{named, "127.0.0.2:8080", true},
		{named, "[::ffff:127.0.0.1]:80", true},
		{named, "ward:8080", true},
		{named, "ward", true},
		{named, "10.0.0.5", true},
		{named, "[fd00::1]:8080", true},
		{named, "10.0.0.6:8080", false},
		{named, "ward.attacker.example", false},
		{named, "127.0.0.1.nip.io", false},
		{named, "", false},
		{anyIP, "172.17.0.3:8080", true},
		{anyIP, "[fe80::1]:8080", true},
		{anyIP, "ward:8080", false},
	}
	for _, tt := range tests {
		if got := tt.hosts.Serves(tt.host); got != tt.want {
			t.Errorf("%+v serves %q: %v, want %v", tt.hosts, tt.host, got, tt.want)
		}
	}
}

func TestParseOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, err string }{
		{"https://admin.example.com", "https://admin.example.com", ""},
		{"HTTPS://Admin.Example.com:443/", "https://admin.example.com", ""},
		{"http://localhost:3000", "http://localhost:3000", ""},
		{"http://[::1]:3000", "http://[::1]:3000", ""},
		{"*", "", "'*' would let every web page call Ward"},
		{"https://*.example.com", "", "'*' would let every web page call Ward"},
		{"admin.example.com", "", "not an origin"},
		{"https://admin.example.com/app", "", "not an origin"},
		{"ftp://admin.example.com", "", "http or https"},
		{"null", "", "not an origin"},
	}
	for _, tt := range tests {
		got, err := httpapi.ParseOrigin(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
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

// TestExplainSaysWhenItIsConditional: an explanation of a denial that
// depends on context the question did not give says so, as the check does.
func TestExplainSaysWhenItIsConditional(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newStack(t).client
	if _, err := c.ApplyEvents(ctx, testenv.Events(t, `{"type":"role.updated","workspace":"p1","role":"receptionist","networks":["10.0.0.0/8"]}`)); err != nil {
		t.Fatal(err)
	}
	ex, err := c.Explain(ctx, api.CheckRequest{Subject: "user:rita", Permission: "view", Resource: "client:ann"})
	if err != nil || ex.Allowed || !ex.Conditional || len(ex.Missing) != 1 || ex.Missing[0] != "ip" {
		t.Fatalf("explain without an ip: %+v (%v), want conditional on ip", ex, err)
	}
	ip := "10.1.1.1"
	ex, err = c.Explain(ctx, api.CheckRequest{Subject: "user:rita", Permission: "view", Resource: "client:ann", Context: &api.CheckContext{IP: &ip}})
	if err != nil || !ex.Allowed || ex.Conditional || len(ex.Missing) != 0 {
		t.Fatalf("explain from the network: %+v (%v), want allowed", ex, err)
	}
}

// TestQueriesAndRoutes: a query is read whole or refused (a pair
// url.Values cannot read would be dropped, and with it a filter), an
// endpoint that reads no query refuses one, a list of an unknown practice is
// an error, not an empty list, and a request no route answers gets 404 or
// 405 whatever its body, not 415.
func TestQueriesAndRoutes(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	check := `{"subject":"user:priya","permission":"view","resource":"client:ann"}`
	for _, tt := range []struct {
		method, path, contentType, body string
		status                          int
		want                            string
	}{
		{"GET", "/v1/workspaces/p1/break-glass?user=rita;", "", "", 400, `"field":"query"`},
		{"GET", "/v1/workspaces/p1/delegations?state=active&user=%zz", "", "", 400, `"field":"query"`},
		{"GET", "/v1/workspaces/p1/access-review?user=rita;due=true", "", "", 400, `"field":"query"`},
		{"GET", "/v1/workspaces/p1/access-requests?user=rita", "", "", 200, ""},
		// an unknown practice is not an empty one
		{"GET", "/v1/workspaces/nope/break-glass", "", "", 400, `unknown workspace \"nope\"`},
		{"GET", "/v1/workspaces/nope/delegations", "", "", 400, `unknown workspace \"nope\"`},
		{"GET", "/v1/workspaces/nope/access-requests", "", "", 400, `unknown workspace \"nope\"`},
		{"GET", "/v1/workspaces/nope/access-review", "", "", 400, `unknown workspace \"nope\"`},
		{"GET", "/v1/workspaces/nope/matrix", "", "", 400, `unknown workspace \"nope\"`},
		{"GET", "/v1/workspaces/p1/break-glass", "", "", 200, `"break_glass":[]`},
		{"GET", "/v1/workspaces/p1/matrix?role=receptionist", "", "", 400, `"field":"role"`},
		{"GET", "/v1/schema?version=2", "", "", 400, "takes no query parameters"},
		{"GET", "/v1/schema?x=1;", "", "", 400, `"field":"query"`},
		{"POST", "/v1/check?zedtoken=abc", "application/json", check, 400, `"field":"zedtoken"`},
		{"POST", "/v1/check", "application/json", check, 200, `"allowed":true`},
		{"POST", "/v1/check", "text/plain", check, 415, "application/json"},
		{"PUT", "/v1/check", "application/x-www-form-urlencoded", "a=1", 405, "answers POST"},
		{"POST", "/v1/nope", "text/plain", "hello", 404, "no such endpoint"},
		{"GET", "/v1/schema", "text/plain", "hello", 200, "definition user"},
		// a path in other than its plain form is a JSON 404, never a redirect
		{"POST", "//v1/check", "application/json", check, 404, `send it as \"/v1/check\"`},
		{"POST", "/v1/workspaces/../check", "application/json", check, 404, `send it as \"/v1/check\"`},
		{"GET", "/v1/./schema", "", "", 404, "plain form"},
	} {
		t.Run(tt.method+" "+tt.path+" "+tt.contentType, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			header := []string{}
			if tt.contentType != "" {
				header = append(header, "Content-Type", tt.contentType)
			}
			resp, got := send(t, http.DefaultClient, tt.method, st.url+tt.path, body, header...)
			if resp.StatusCode != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("got %d %.500s; want %d containing %s", resp.StatusCode, got, tt.status, tt.want)
			}
		})
	}
}

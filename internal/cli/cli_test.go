package cli_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/cli"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/testenv"
)

// ward runs the real command tree, as a user would, and returns its output.
func ward(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = cli.Run(context.Background(), args, cli.Env{
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
	})
	return out.String(), errOut.String(), err
}

// newWard serves Ward's API over a real in-process SpiceDB; it returns the
// environment that points the CLI at it.
func newWard(t *testing.T) map[string]string {
	t.Helper()
	sdb := testenv.SpiceDB(t)
	srv := httptest.NewServer(httpapi.New(sdb, httpapi.Config{}))
	t.Cleanup(srv.Close)
	return map[string]string{"WARD_SERVER": srv.URL}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScenariosThroughCLI(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			scenarios.Run(t, sc, func(int) scenarios.Client { return scenarios.CLI(context.Background(), newWard(t)) })
		})
	}
}

// TestCommandsForPeople runs each client command's human output.
func TestCommandsForPeople(t *testing.T) {
	t.Parallel()
	env := newWard(t)
	_, progress, err := ward(t, env, "", "seed", "load")
	if err != nil || !strings.Contains(progress, "loaded 26/26 events") {
		t.Fatalf("seed load: %v, progress %q", err, progress)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"check", "user:priya", "view_notes", "client:ann"}, []string{"allowed: user:priya view_notes client:ann"}},
		{[]string{"events", "import", "-f", writeFile(t, "import.jsonl", `{"type":"workspace.created","workspace":"imported","owner":"io","preset":"caspen"}
{"type":"client.created","workspace":"imported","client":"imported-c1"}`)}, []string{"imported 2 events ("}},
		{[]string{"check", "user:rita", "view_notes", "client:ann"}, []string{"denied: user:rita view_notes client:ann"}},
		{[]string{"explain", "user:priya", "view_notes", "client:dan"}, []string{"allowed:", "+ priya holds role practitioner workspace-wide, which has notes view: own, and client dan is shared with priya"}},
		{[]string{"explain", "--trace", "user:priya", "view_notes", "client:dan"}, []string{"+ priya holds role practitioner workspace-wide", "\n  SpiceDB's trace:", "\n    + client:dan is shared with priya", "\n    - priya is not client:dan's practitioner"}},
		{[]string{"explain", "user:rita", "view_notes", "client:ann"}, []string{"denied:", "- rita holds role receptionist workspace-wide, which has notes view: none"}},
		{[]string{"lookup", "resources", "--subject", "user:priya", "--permission", "view", "--type", "client"}, []string{"client:ann\nclient:dan\n"}},
		{[]string{"lookup", "resources", "--subject", "user:maya", "--permission", "view", "--type", "client", "--limit", "1"}, []string{"client:ann", "(more: pass --all"}},
		{[]string{"lookup", "subjects", "--resource", "client:ann", "--permission", "view_notes", "--limit", "1", "--all"}, []string{"user:adam\nuser:olivia\nuser:priya\n"}},
		{[]string{"lookup", "resources", "--subject", "user:nobody", "--permission", "view", "--type", "client"}, []string{"(none)"}},
		{[]string{"lookup", "resources", "--subject", "user:priya", "--permission", "view", "--type", "client", "--stream"}, []string{"client:ann\n", "client:dan\n"}},
		{[]string{"lookup", "resources", "--subject", "user:priya", "--permission", "view", "--type", "client", "--stream", "-o", "json"}, []string{`{"resource":"client:ann"}`, `{"done":true,"count":2,"zedtoken":"`}},
		{[]string{"schema", "print", "--local"}, []string{"definition client {"}},
		{[]string{"matrix", "--workspace", "riverside"}, []string{"permission", "client.view_notes", "practitioner_admin"}},
		{[]string{"matrix", "--workspace", "riverside", "--format", "markdown"}, []string{"| permission | practitioner_admin | practice_manager |", "| client.view_notes | all |  | own |"}},
		{[]string{"schema", "validate", "../../schema/caspen.yaml"}, []string{"caspen.yaml: ok,", "assertions hold"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, _, err := ward(t, env, "", tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			if !slices.Contains(tt.args, "--trace") && strings.Contains(out, "SpiceDB's trace") {
				t.Errorf("output %q has the trace, which only --trace asks for", out)
			}
		})
	}
}

// unconfirmedAuth takes every write without fully consistent reads seeing it.
type unconfirmedAuth struct{ httpapi.Authorizer }

func (unconfirmedAuth) Apply(context.Context, []domain.Event) (domain.Applied, error) {
	return domain.Applied{Token: "tok", Touched: 2, Unconfirmed: true}, nil
}

func (unconfirmedAuth) Import(context.Context, []domain.Event) (domain.Applied, error) {
	return domain.Applied{Token: "tok", Touched: 2, Unconfirmed: true}, nil
}

// TestUnconfirmedEventsAreSaidSo: when Ward answers 202 (written, not yet
// visible to fully consistent reads), people are told not to send the events
// again, and which ZedToken sees them.
func TestUnconfirmedEventsAreSaidSo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(httpapi.New(unconfirmedAuth{}, httpapi.Config{}))
	t.Cleanup(srv.Close)
	env := map[string]string{"WARD_SERVER": srv.URL}
	file := writeFile(t, "e.jsonl", `{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}`)
	for _, verb := range []string{"apply", "import"} {
		out, _, err := ward(t, env, "", "events", verb, "-f", file)
		if err != nil || !strings.Contains(out, "not yet visible to fully consistent reads: do not send the events again") || !strings.Contains(out, "--zedtoken tok") {
			t.Errorf("events %s: %q %v", verb, out, err)
		}
	}
}

func TestCommandErrors(t *testing.T) {
	t.Parallel()
	env := newWard(t)
	bad := writeFile(t, "bad.yaml", "schemaFile: schema.zed\nrelationships: ''\nassertions:\n  assertTrue:\n    - \"workspace:w#manage_staff@user:nobody\"\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(bad), "schema.zed"), []byte(mustRead(t, "../../schema/schema.zed")), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env, []string{"events", "apply", "-f", writeFile(t, "e.jsonl", `{"type":"workspace.created","workspace":"w","owner":"o","preset":"nope"}`)}, "preset: unknown preset"},
		{env, []string{"events", "apply", "-f", writeFile(t, "e.jsonl", "{not json\n")}, "line 1 is not valid JSON"},
		{env, []string{"events", "apply", "-f", "/nonexistent.jsonl"}, "reading events"},
		{env, []string{"check", "user:a", "read", "client:c"}, "unknown permission"},
		{env, []string{"check", "user:a"}, "accepts 3 arg(s)"},
		{env, []string{"events", "import", "-f", writeFile(t, "i.jsonl", `{"type":"client.created","workspace":"riverside","client":"x"}`)}, "an import only creates new practices"},
		{env, []string{"lookup", "resources", "--subject", "user:a", "--permission", "view", "--type", "client", "--stream", "--all"}, "drop --limit and --all"},
		{env, []string{"schema", "validate", bad}, "1 of 1 files failed validation"},
		{env, []string{"check", "user:a", "view", "client:c", "-o", "yaml"}, "--output \"yaml\""},
		{map[string]string{"WARD_SERVER": "http://127.0.0.1:1"}, []string{"check", "user:a", "view", "client:c"}, "is `ward serve` running?"},
		{map[string]string{"WARD_OUTPUT": "xml"}, []string{"check", "user:a", "view", "client:c"}, "--output \"xml\""},
		{env, []string{"audit", "verify", "--head-hash", strings.Repeat("ab", 32)}, "give --head-seq (from 1) and --head-hash together"},
		{env, []string{"audit", "verify", "--head-seq", "3"}, "give --head-seq (from 1) and --head-hash together"},
		{env, []string{"audit", "verify", "--head-hash", strings.Repeat("ab", 32), "--archive", "a.jsonl"}, "give --head-seq (from 1) and --head-hash together"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := ward(t, tt.env, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestServeRefusesUnsafeConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:0"}, nil, "not a loopback address: set at least one API key"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--api-key", "short"}, nil, "shorter than 16"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--datastore", "postgres"}, nil, "needs --datastore-uri"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--webhook-url", "ftp://alerts.example"}, nil, "give an http(s) URL"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--webhook-url", "https://alerts.example/ward"}, nil, "needs --webhook-secret"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--audit-retention", "3h"}, nil, "--audit-retention"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--audit-decisions", "notes"}, nil, "--audit-decisions"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--datastore", "mysql"}, nil, "use memory or postgres"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--spicedb-endpoint", "127.0.0.1:50051"}, nil, "needs --spicedb-token"},
		{[]string{"serve"}, map[string]string{"WARD_ADDR": "10.1.2.3:80"}, "not a loopback address"},
		{[]string{"serve", "--addr", "nonsense"}, nil, "want host:port"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--cursor-key", "short"}, nil, "--cursor-key is 5 characters"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--memory-warn-at", "-1"}, nil, "--memory-warn-at -1: want a number of relationships"},
		{[]string{"serve", "--addr", "127.0.0.1:0"}, map[string]string{"WARD_MEMORY_WARN_AT": "-5"}, "--memory-warn-at -5"},
		{[]string{"serve", "--addr", "127.0.0.1:0"}, map[string]string{"WARD_MEMORY_WARN_AT": "lots"}, "environment variable WARD_MEMORY_WARN_AT"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--cors-origins", "*"}, nil, "--cors-origins: '*' would let every web page call Ward"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--max-in-flight", "-1"}, nil, "--max-in-flight is negative"},
		{[]string{"serve", "--addr", "127.0.0.1:0"}, map[string]string{"WARD_REQUEST_TIMEOUT": "-5s"}, "--request-timeout is negative"},
		{[]string{"serve", "--addr", "127.0.0.1:0"}, map[string]string{"WARD_MAX_CONNECTIONS": "many"}, "environment variable WARD_MAX_CONNECTIONS"},
		{[]string{"serve", "--addr", "127.0.0.1:0"}, map[string]string{"WARD_ALLOWED_HOSTS": "ward,https://ward.example/"}, `--allowed-hosts "https://ward.example/"`},
	}
	for _, tt := range tests {
		_, _, err := ward(t, tt.env, "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want %q", tt.args, err, tt.want)
		}
	}
}

// TestServeEndToEnd runs `ward serve --demo` as the README does, talks to it
// with the CLI, and shuts it down gracefully. WARD_MEMORY_WARN_AT sits below
// the demo's size, so the demo load must warn that memdb is filling up.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	// serve binds after loading the demo: a port from the ephemeral range
	// could be taken by another test's connection by then.
	addr := "127.0.0.1:" + testenv.FreePort(t)
	key := "serve-test-key-0123456789"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--demo", "--addr", addr, "--api-key", key, "--log-format", "json", "--max-connections", "16", "--max-in-flight", "8"},
			cli.Env{Getenv: func(k string) string { return map[string]string{"WARD_MEMORY_WARN_AT": "10"}[k] }, Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &logs})
	}()
	env := map[string]string{"WARD_SERVER": "http://" + addr, "WARD_TOKEN": key}
	// Loading the demo into a fresh in-process SpiceDB takes a few seconds
	// alone; `go test ./...` runs the other packages' tests on the same cores.
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil && resp.StatusCode == http.StatusOK {
			break
		}
		select {
		case served := <-done: // it could not bind, or failed loading the demo
			t.Fatalf("ward serve stopped before it was ready: %v; it logged:\n%s", served, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			var served error
			select {
			case served = <-done:
			case <-time.After(10 * time.Second):
				served = errors.New("still running 10 s after it was cancelled")
			}
			t.Fatalf("ward serve never became ready: %v; serve returned %v, and logged:\n%s", err, served, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _, err := ward(t, env, "", "check", "user:sam", "view", "client:cat")
	if err != nil || !strings.Contains(out, "allowed") {
		t.Errorf("check against ward serve: %q %v", out, err)
	}
	if out, _, err := ward(t, map[string]string{"WARD_ADDR": addr}, "", "health", "--ready"); err != nil || !strings.Contains(out, "ready") {
		t.Errorf("health --ready from WARD_ADDR: %q %v", out, err)
	}
	out, _, err = ward(t, env, "", "schema", "validate")
	if err != nil || !strings.Contains(out, "holds Ward's current schema") {
		t.Errorf("schema validate: %q %v", out, err)
	}
	if _, _, err := ward(t, map[string]string{"WARD_SERVER": env["WARD_SERVER"]}, "", "check", "user:sam", "view", "client:cat"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a call without the API key: %v, want 401", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(logs.String(), `"msg":"demo practice loaded"`) || !strings.Contains(logs.String(), `"msg":"shutting down"`) {
		t.Errorf("logs lack start and shutdown lines:\n%s", logs.String())
	}
	if n := strings.Count(logs.String(), `"msg":"the in-process memory datastore now holds about`); n != 1 || !strings.Contains(logs.String(), `"limit":10}`) {
		t.Errorf("logs hold %d memory datastore warnings with limit 10, want 1:\n%s", n, logs.String())
	}
}

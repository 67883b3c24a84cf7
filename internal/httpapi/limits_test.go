package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
)

// bound is how long a test waits for Ward to do what it must before it
// fails; no test passes by waiting it out.
const bound = 20 * time.Second

// gatedAuth holds each check and import, after saying so on entered, until
// gate closes or the call's context ends.
type gatedAuth struct {
	httpapi.Authorizer
	entered chan struct{}
	gate    chan struct{}
}

func (f gatedAuth) hold(ctx context.Context) error {
	f.entered <- struct{}{}
	select {
	case <-f.gate:
		return nil
	case <-ctx.Done():
		return domain.Errorf(domain.CodeUnavailable, "the call ended: %v", ctx.Err())
	}
}

func (f gatedAuth) Check(ctx context.Context, _ domain.Question, _ string) (domain.Decision, error) {
	return domain.Decision{Allowed: true, Token: "t"}, f.hold(ctx)
}

func (f gatedAuth) Import(ctx context.Context, _ []domain.Event) (domain.Applied, error) {
	return domain.Applied{Token: "t"}, f.hold(ctx)
}

func (f gatedAuth) StreamResources(ctx context.Context, _ domain.Object, _, _ string, _ domain.Given, _ string, emit func(domain.Found) error) (string, error) {
	if err := emit(domain.Found{ID: "first"}); err != nil {
		return "", err
	}
	return "t", f.hold(ctx)
}

func newGated() gatedAuth {
	return gatedAuth{entered: make(chan struct{}, 16), gate: make(chan struct{})}
}

func waitFor(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(bound):
		t.Fatalf("%s did not happen", what)
	}
}

const (
	checkBody  = `{"subject":"user:priya","permission":"view","resource":"client:ann"}`
	importBody = `{"events":[{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}]}`
)

// TestWithheldBodies: a caller that sends headers and withholds the body is
// cut off after the read timeout, whether or not it is authenticated and
// whatever it asked for; before, it held a connection and a goroutine for
// good (1,100 of them exhausted Ward's file descriptors).
func TestWithheldBodies(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(httpapi.New(newGated(), httpapi.Config{APIKeys: []string{testKey}, Limits: httpapi.Limits{ReadTimeout: 50 * time.Millisecond}}))
	t.Cleanup(srv.Close)
	tests := []struct {
		name, path, key string
		status          int
		want            string
	}{
		{"authenticated check", "/v1/check", testKey, 400, "body: not received within 50ms (--read-timeout)"},
		{"authenticated import", "/v1/import", testKey, 400, "body: not received within 50ms"},
		{"no key", "/v1/check", "", 401, `"code":"unauthorized"`},
		{"no such endpoint", "/v1/nothing", "", 404, `"code":"not_found"`},
		{"a probe", "/healthz", "", 405, `"code":"method_not_allowed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The headers promise 200 bytes; 12 come.
			status, body := rawRequest(t, srv, "POST "+tt.path+" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"+
				"Authorization: Bearer "+tt.key+"\r\nContent-Length: 200\r\n\r\n{\"events\":[")
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s; want %d with %s", status, body, tt.status, tt.want)
			}
		})
	}
}

// endlessAuth streams resources until emit fails or the call ends, then says
// how it ended on ended.
type endlessAuth struct {
	httpapi.Authorizer
	ended chan error
}

func (f endlessAuth) StreamResources(ctx context.Context, _ domain.Object, _, _ string, _ domain.Given, _ string, emit func(domain.Found) error) (string, error) {
	id := strings.Repeat("x", 100)
	for i := 0; ; i++ {
		if err := emit(domain.Found{ID: fmt.Sprintf("%s-%d", id, i)}); err != nil {
			f.ended <- err
			return "", err
		}
		if ctx.Err() != nil {
			f.ended <- ctx.Err()
			return "", ctx.Err()
		}
	}
}

// TestStreamCutsOffCallersThatStopReading: a caller of the streamed lookup
// that stops reading is cut off by the write deadline, and the lookup behind
// it ends, freeing what it holds; before, both waited for good (20 such
// callers grew Ward from 335 MB to 1.43 GB).
func TestStreamCutsOffCallersThatStopReading(t *testing.T) {
	t.Parallel()
	auth := endlessAuth{ended: make(chan error, 1)}
	srv := httptest.NewServer(httpapi.New(auth, httpapi.Config{Limits: httpapi.Limits{WriteTimeout: 50 * time.Millisecond}}))
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	body := `{"subject":"user:maya","permission":"view","resource_type":"client"}`
	fmt.Fprintf(conn, "POST /v1/lookup/resources/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	// The caller reads nothing more.
	select {
	case err := <-auth.ended:
		if err == nil {
			t.Error("the lookup ended without an error")
		}
	case <-time.After(bound):
		t.Fatal("a caller that stopped reading still holds its lookup")
	}
}

// TestCallsInFlight: past MaxInFlight, calls are answered 503 busy with
// Retry-After at once, and probes still answer.
func TestCallsInFlight(t *testing.T) {
	t.Parallel()
	auth := newGated()
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(httpapi.New(auth, httpapi.Config{Limits: httpapi.Limits{MaxInFlight: 1}, Metrics: reg}))
	t.Cleanup(srv.Close)
	first := make(chan error, 1)
	go func() {
		_, err := client.New(srv.URL, "", srv.Client()).Check(context.Background(), api.CheckRequest{Subject: "user:priya", Permission: "view", Resource: "client:ann"})
		first <- err
	}()
	waitFor(t, auth.entered, "the first check")

	resp, data := send(t, srv.Client(), http.MethodPost, srv.URL+"/v1/check", strings.NewReader(checkBody))
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(data), `"code":"busy"`) || !strings.Contains(string(data), "--max-in-flight") {
		t.Errorf("a second call at the limit: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), data)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s at the limit: %d", path, resp.StatusCode)
		}
		if path == "/metrics" && !strings.Contains(string(data), "ward_http_in_flight 1") {
			t.Errorf("metrics do not count the call in flight:\n%s", data)
		}
	}
	close(auth.gate)
	if err := <-first; err != nil {
		t.Errorf("the first check: %v", err)
	}
}

// TestSlowBodiesHoldNoPlace: callers that send headers and then their body
// slowly, or never, do not shut out other callers. Small bodies are
// received before a call takes one of MaxInFlight places, so any number of
// such checks leave the places free; large ones hold at most an eighth of
// the places (at least one), and past that a further large body is answered
// busy at once while checks are still served. Before, MaxInFlight idle
// callers answered every other call 503 for the read timeout.
func TestSlowBodiesHoldNoPlace(t *testing.T) {
	t.Parallel()
	auth := newGated()
	close(auth.gate) // checks answer at once
	srv := httptest.NewServer(httpapi.New(auth, httpapi.Config{Limits: httpapi.Limits{MaxInFlight: 2}}))
	t.Cleanup(srv.Close)
	withhold := func(path string, length int) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", path, length)
	}
	check := func(when string) {
		t.Helper()
		resp, data := send(t, srv.Client(), http.MethodPost, srv.URL+"/v1/check", strings.NewReader(checkBody))
		if resp.StatusCode != 200 {
			t.Errorf("a check %s: %d %s", when, resp.StatusCode, data)
		}
	}
	for range 4 { // twice MaxInFlight
		withhold("/v1/check", 200)
	}
	for range 2 { // and as many of unknown length (chunked), past the large places
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprint(conn, "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")
	}
	time.Sleep(100 * time.Millisecond) // the server has their headers
	check("while six callers withhold their checks' bodies")
	status, body := rawRequest(t, srv, "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"+
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(checkBody), checkBody))
	if status != 200 {
		t.Errorf("a chunked check while six callers withhold their bodies: %d %s", status, body)
	}
	withhold("/v1/events", 100<<10) // larger than a question: takes the one large place
	time.Sleep(100 * time.Millisecond)
	// (sent whole: the server reads a body a handler left before it answers)
	status, body = rawRequest(t, srv, "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 102400\r\n\r\n{"+strings.Repeat(" ", 102399))
	if status != 503 || !strings.Contains(body, `"code":"busy"`) || !strings.Contains(body, "bodies over 64 KiB") {
		t.Errorf("a second large body while one is withheld: %d %s", status, body)
	}
	check("while a large body is withheld too")
}

// TestOneImportAtATime: an import waits for the one in progress, up to
// ImportWait, then is answered busy: memory holds one import's events.
func TestOneImportAtATime(t *testing.T) {
	t.Parallel()
	auth := newGated()
	srv := httptest.NewServer(httpapi.New(auth, httpapi.Config{Limits: httpapi.Limits{ImportWait: time.Millisecond}}))
	t.Cleanup(srv.Close)
	first := make(chan int, 1)
	go func() {
		status, _ := post(t, srv.URL, "/v1/import", importBody)
		first <- status
	}()
	waitFor(t, auth.entered, "the first import")

	resp, data := send(t, srv.Client(), http.MethodPost, srv.URL+"/v1/import", strings.NewReader(importBody))
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(data), "another import is in progress") {
		t.Errorf("a second import: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), data)
	}
	close(auth.gate)
	if status := <-first; status != 200 {
		t.Errorf("the first import: %d", status)
	}
	if status, body := post(t, srv.URL, "/v1/import", importBody); status != 200 {
		t.Errorf("an import after the first: %d %s", status, body)
	}
}

// TestCallsHaveTimeLimits: a call's work ends at RequestTimeout, a streamed
// lookup at StreamTimeout and an import at ImportTimeout, and the answer
// names the limit.
func TestCallsHaveTimeLimits(t *testing.T) {
	t.Parallel()
	auth := newGated() // never opened: every call waits for its context to end
	srv := httptest.NewServer(httpapi.New(auth, httpapi.Config{Limits: httpapi.Limits{RequestTimeout: 20 * time.Millisecond, StreamTimeout: 30 * time.Millisecond, ImportTimeout: 40 * time.Millisecond}}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	c := client.New(srv.URL, "", srv.Client())

	_, err := c.Check(ctx, api.CheckRequest{Subject: "user:priya", Permission: "view", Resource: "client:ann"})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 503 || !strings.Contains(e.Body.Message, "longer than 20ms") || !strings.Contains(e.Body.Message, "--request-timeout") {
		t.Errorf("a check past its time: %v", err)
	}
	n := 0
	_, err = c.StreamResources(ctx, api.LookupStreamRequest{Subject: "user:maya", Permission: "view", ResourceType: "client"}, func(string) error { n++; return nil })
	if !errors.As(err, &e) || e.Body.Code != domain.CodeUnavailable || !strings.Contains(e.Body.Message, "--stream-timeout") || n != 1 {
		t.Errorf("a stream past its time: %v after %d lines", err, n)
	}
	if status, body := post(t, srv.URL, "/v1/import", importBody); status != 503 || !strings.Contains(body, "longer than 40ms") || !strings.Contains(body, "--import-timeout") {
		t.Errorf("an import past its time: %d %s", status, body)
	}
}

package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// scopedWard serves Ward with practice and platform keys, two practices
// (p1: olivia's, with client ann and service account widget; p2: hugo's,
// with client zed and service account gadget), and returns its URL, a
// client with the bootstrap key, and a key of each service account.
func scopedWard(t *testing.T) (url string, boot *client.Client, p1Key, p2Key string) {
	t.Helper()
	ctx := context.Background()
	ledger := fileLedger(t)
	rec := audit.NewRecorder(ledger)
	t.Cleanup(rec.Close)
	w := testenv.SpiceDB(t)
	logger := slog.New(slog.DiscardHandler)
	a := newAudited(w, rec, Policy(t), logger)
	a.placeOf = service.NewPlatformKeys(w.Store).WorkspacesOf
	srv := httptest.NewServer(httpapi.New(a, httpapi.Config{
		Audit: ledger, APIKeys: []string{testKey},
		Keys:         NewKeyManager(service.NewKeys(w.Store), rec, 0, logger),
		PlatformKeys: NewPlatformKeyManager(service.NewPlatformKeys(w.Store), rec, logger),
	}))
	t.Cleanup(srv.Close)
	boot = client.New(srv.URL, testKey, nil)
	raws := testenv.Events(t, `{"type":"workspace.created","workspace":"p1","owner":"olivia","preset":"caspen"}
{"type":"client.created","workspace":"p1","client":"ann","practitioner":"olivia"}
{"type":"service_account.created","workspace":"p1","account":"widget","name":"Widget","role":"receptionist"}
{"type":"workspace.created","workspace":"p2","owner":"hugo","preset":"caspen"}
{"type":"client.created","workspace":"p2","client":"zed","practitioner":"hugo"}
{"type":"service_account.created","workspace":"p2","account":"gadget","name":"Gadget","role":"receptionist"}`)
	if _, err := boot.Apply(ctx, api.EventsRequest{Events: raws}); err != nil {
		t.Fatal(err)
	}
	k1, err := boot.CreateKey(ctx, "p1", api.CreateKeyRequest{Account: "widget", Actor: "user:olivia"})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := boot.CreateKey(ctx, "p2", api.CreateKeyRequest{Account: "gadget", Actor: "user:hugo"})
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, boot, k1.Key, k2.Key
}

// call makes one request with key and returns its status and body.
func call(t *testing.T, url, key, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// TestScopedPlatformKeyReachesOnlyItsPractice runs every /v1 route with a
// platform key limited to p1 holding every verb: about p1 it is answered,
// about p2 it is refused (403) or, for lookups, p2's records are left out.
// A route added without a case here fails the test.
func TestScopedPlatformKeyReachesOnlyItsPractice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, boot, p1Key, p2Key := scopedWard(t)
	scoped, err := boot.CreatePlatformKey(ctx, api.CreatePlatformKeyRequest{Verbs: []string{"check", "lookup", "explain", "events", "audit", "admin"}, Workspaces: []string{"p1"}})
	if err != nil {
		t.Fatal(err)
	}
	key := scoped.Key
	type req struct{ method, path, body string }
	cases := map[string]struct {
		mine, other req
		// filtered: the other practice's request is answered, without its
		// records (the body must not contain leak).
		filtered bool
		leak     string
	}{
		"POST /v1/events": {mine: req{"POST", "/v1/events", `{"events":[{"type":"client.created","workspace":"p1","client":"a2"}]}`},
			other: req{"POST", "/v1/events", `{"events":[{"type":"client.created","workspace":"p1","client":"a3"},{"type":"client.created","workspace":"p2","client":"z2"}]}`}},
		"POST /v1/import": {mine: req{"POST", "/v1/import", `{"events":[{"type":"workspace.created","workspace":"p1","owner":"olivia","preset":"caspen"}]}`},
			other: req{"POST", "/v1/import", `{"events":[{"type":"workspace.created","workspace":"p3","owner":"x","preset":"caspen"}]}`}},
		"POST /v1/check": {mine: req{"POST", "/v1/check", `{"subject":"user:olivia","permission":"view","resource":"client:ann"}`},
			other: req{"POST", "/v1/check", `{"subject":"user:hugo","permission":"view","resource":"client:zed"}`}},
		"POST /v1/check/bulk": {mine: req{"POST", "/v1/check/bulk", `{"checks":[{"subject":"user:olivia","permission":"view","resource":"client:ann"}]}`},
			other: req{"POST", "/v1/check/bulk", `{"checks":[{"subject":"user:olivia","permission":"view","resource":"client:ann"},{"subject":"user:hugo","permission":"view","resource":"client:zed"}]}`}},
		"POST /v1/lookup/resources": {mine: req{"POST", "/v1/lookup/resources", `{"subject":"user:olivia","permission":"view","resource_type":"client"}`},
			other: req{"POST", "/v1/lookup/resources", `{"subject":"user:hugo","permission":"view","resource_type":"client"}`}, filtered: true, leak: "client:zed"},
		"POST /v1/lookup/resources/stream": {mine: req{"POST", "/v1/lookup/resources/stream", `{"subject":"user:olivia","permission":"view","resource_type":"client"}`},
			other: req{"POST", "/v1/lookup/resources/stream", `{"subject":"user:hugo","permission":"view","resource_type":"client"}`}, filtered: true, leak: "client:zed"},
		"POST /v1/lookup/subjects": {mine: req{"POST", "/v1/lookup/subjects", `{"resource":"client:ann","permission":"view"}`},
			other: req{"POST", "/v1/lookup/subjects", `{"resource":"client:zed","permission":"view"}`}},
		"POST /v1/explain": {mine: req{"POST", "/v1/explain", `{"subject":"user:olivia","permission":"view","resource":"client:ann"}`},
			other: req{"POST", "/v1/explain", `{"subject":"user:hugo","permission":"view","resource":"client:zed"}`}},
		"POST /v1/fields": {mine: req{"POST", "/v1/fields", `{"subject":"user:olivia","resource":"client:ann"}`},
			other: req{"POST", "/v1/fields", `{"subject":"user:hugo","resource":"client:zed"}`}},
		"GET /v1/schema":                          {mine: req{"GET", "/v1/schema", ""}},
		"GET /v1/workspaces/{id}/matrix":          {mine: req{"GET", "/v1/workspaces/p1/matrix", ""}, other: req{"GET", "/v1/workspaces/p2/matrix", ""}},
		"GET /v1/audit":                           {mine: req{"GET", "/v1/audit", ""}, other: req{"GET", "/v1/audit?workspace=p2", ""}},
		"GET /v1/workspaces/{ws}/break-glass":     {mine: req{"GET", "/v1/workspaces/p1/break-glass?state=open", ""}, other: req{"GET", "/v1/workspaces/p2/break-glass", ""}},
		"GET /v1/workspaces/{ws}/access-requests": {mine: req{"GET", "/v1/workspaces/p1/access-requests?state=pending", ""}, other: req{"GET", "/v1/workspaces/p2/access-requests", ""}},
		"GET /v1/workspaces/{ws}/delegations":     {mine: req{"GET", "/v1/workspaces/p1/delegations?state=active", ""}, other: req{"GET", "/v1/workspaces/p2/delegations", ""}},
		"GET /v1/workspaces/{ws}/access-review":   {mine: req{"GET", "/v1/workspaces/p1/access-review?due=true", ""}, other: req{"GET", "/v1/workspaces/p2/access-review", ""}},
		"GET /v1/audit/verify":                    {other: req{"GET", "/v1/audit/verify", ""}},
		"POST /v1/workspaces/{ws}/api-keys": {mine: req{"POST", "/v1/workspaces/p1/api-keys", `{"account":"widget","actor":"user:olivia"}`},
			other: req{"POST", "/v1/workspaces/p2/api-keys", `{"account":"gadget","actor":"user:hugo"}`}},
		"GET /v1/workspaces/{ws}/api-keys":              {mine: req{"GET", "/v1/workspaces/p1/api-keys", ""}, other: req{"GET", "/v1/workspaces/p2/api-keys", ""}},
		"POST /v1/workspaces/{ws}/api-keys/{id}/rotate": {other: req{"POST", "/v1/workspaces/p2/api-keys/" + p2Key[8:24] + "/rotate", `{"actor":"user:hugo"}`}},
		"POST /v1/workspaces/{ws}/api-keys/{id}/revoke": {other: req{"POST", "/v1/workspaces/p2/api-keys/" + p2Key[8:24] + "/revoke", `{"actor":"user:hugo"}`}},
		"GET /v1/workspaces/{ws}/api-keys/{id}/usage": {mine: req{"GET", "/v1/workspaces/p1/api-keys/" + p1Key[8:24] + "/usage", ""},
			other: req{"GET", "/v1/workspaces/p2/api-keys/" + p2Key[8:24] + "/usage", ""}},
		"POST /v1/api-keys/authenticate": {mine: req{"POST", "/v1/api-keys/authenticate", `{"key":"` + p1Key + `"}`},
			other: req{"POST", "/v1/api-keys/authenticate", `{"key":"` + p2Key + `"}`}},
		"POST /v1/keys":             {other: req{"POST", "/v1/keys", `{"verbs":["check"]}`}},
		"GET /v1/keys":              {other: req{"GET", "/v1/keys", ""}},
		"POST /v1/keys/{id}/revoke": {other: req{"POST", "/v1/keys/" + scoped.ID + "/revoke", ""}},
	}
	for _, route := range httpapi.Routes {
		if !strings.HasPrefix(strings.Fields(route)[1], "/v1/") {
			continue
		}
		c, ok := cases[route]
		if !ok {
			t.Errorf("%s has no case: add what a key scoped to p1 may and may not do there", route)
			continue
		}
		if c.mine.path != "" {
			if status, body := call(t, url, key, c.mine.method, c.mine.path, c.mine.body); status == http.StatusForbidden || status == http.StatusUnauthorized {
				t.Errorf("%s about p1: %d %s, want it answered", route, status, body)
			}
		}
		if c.other.path == "" {
			continue
		}
		status, body := call(t, url, key, c.other.method, c.other.path, c.other.body)
		switch {
		case c.filtered && (status != http.StatusOK || strings.Contains(body, c.leak)):
			t.Errorf("%s about p2: %d %s, want 200 without %s", route, status, body, c.leak)
		case !c.filtered && status != http.StatusForbidden:
			t.Errorf("%s about p2: %d %s, want 403", route, status, body)
		}
	}
	// Nothing was written in p2 by the refused requests.
	if d, err := boot.Check(ctx, api.CheckRequest{Subject: "user:hugo", Permission: "view", Resource: "client:z2"}); err == nil && d.Allowed {
		t.Fatal("a refused batch created client z2 in p2")
	}
	if _, err := boot.Authenticate(ctx, p2Key); err != nil {
		t.Fatalf("p2's key stopped working after refused requests: %v", err)
	}
	// The ledger read by the scoped key holds only p1's records.
	status, body := call(t, url, key, "GET", "/v1/audit", "")
	var page api.AuditPage
	if err := json.Unmarshal([]byte(body), &page); status != http.StatusOK || err != nil || len(page.Records) == 0 {
		t.Fatalf("audit: %d %s", status, body)
	}
	decisions := 0
	for _, r := range page.Records {
		if r.Workspace != "p1" {
			t.Fatalf("the scoped key read a record of %q: %+v", r.Workspace, r)
		}
		if r.Kind == audit.KindDecision {
			decisions++
		}
	}
	if decisions == 0 {
		t.Fatalf("the scoped key read none of p1's decisions (a decision must name its workspace): %s", body)
	}
}

// TestPlatformKeyVerbsAndRevocation: a key does only its verbs, is refused
// everything once revoked (on the next request), and a malformed or
// made-up key is refused like an unknown one.
func TestPlatformKeyVerbsAndRevocation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, boot, _, _ := scopedWard(t)
	k, err := boot.CreatePlatformKey(ctx, api.CreatePlatformKeyRequest{Verbs: []string{"check"}})
	if err != nil {
		t.Fatal(err)
	}
	check := `{"subject":"user:olivia","permission":"view","resource":"client:zed"}`
	if status, body := call(t, url, k.Key, "POST", "/v1/check", check); status != http.StatusOK {
		t.Fatalf("a check key checking: %d %s", status, body)
	}
	if status, body := call(t, url, k.Key, "POST", "/v1/fields", `{"subject":"user:olivia","resource":"client:ann"}`); status != http.StatusOK {
		t.Fatalf("a check key asking for fields: %d %s", status, body)
	}
	for _, r := range [][3]string{
		{"POST", "/v1/lookup/subjects", `{"resource":"client:ann","permission":"view"}`},
		{"POST", "/v1/events", `{"events":[{"type":"client.created","workspace":"p1","client":"c9"}]}`},
		{"POST", "/v1/check", `{"subject":"user:olivia","permission":"view","resource":"client:zed","consume":true}`}, // may write
		{"GET", "/v1/audit", ""},
		{"POST", "/v1/keys", `{"verbs":["admin"]}`},
	} {
		if status, body := call(t, url, k.Key, r[0], r[1], r[2]); status != http.StatusForbidden || !strings.Contains(body, "verb") {
			t.Errorf("a check key on %s: %d %s, want 403 naming the verb", r[1], status, body)
		}
	}
	for _, bad := range []struct{ verbs, workspaces, want string }{
		{`["delete"]`, `[]`, "not a verb"}, {`[]`, `[]`, "at least one"}, {`["check"]`, `["a b"]`, "workspaces"},
	} {
		if status, body := call(t, url, testKey, "POST", "/v1/keys", `{"verbs":`+bad.verbs+`,"workspaces":`+bad.workspaces+`}`); status != http.StatusBadRequest || !strings.Contains(body, bad.want) {
			t.Errorf("creating a key with verbs %s and workspaces %s: %d %s, want 400 %q", bad.verbs, bad.workspaces, status, body, bad.want)
		}
	}
	list, err := boot.ListPlatformKeys(ctx)
	if err != nil || len(list.Keys) != 1 || list.Keys[0].ID != k.ID || list.Keys[0].Verbs[0] != "check" {
		t.Fatalf("listed %+v, %v", list, err)
	}
	if _, err := boot.RevokePlatformKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if status, _ := call(t, url, k.Key, "POST", "/v1/check", check); status != http.StatusUnauthorized {
		t.Fatalf("a revoked platform key: %d, want 401 on the next request", status)
	}
	for _, bad := range []string{"wp.0123456789abcdef." + strings.Repeat("0", 64), "wp.x", k.Key[:len(k.Key)-1] + "0"} {
		if status, _ := call(t, url, bad, "POST", "/v1/check", check); status != http.StatusUnauthorized {
			t.Errorf("key %q: %d, want 401", bad, status)
		}
	}
	page, err := boot.Audit(ctx, api.AuditQuery{Action: audit.KindPlatformKeyRevoked})
	if err != nil || len(page.Records) != 1 || page.Records[0].Resource != "ward_key:"+k.ID {
		t.Fatalf("the revocation's record: %+v, %v", page, err)
	}
	// /v1/fields answers checks: a key without the check verb may not call it.
	fields := `{"subject":"user:olivia","resource":"client:ann"}`
	if status, body := call(t, url, k.Key, "POST", "/v1/fields", fields); status != http.StatusUnauthorized {
		t.Errorf("a revoked check key asking for fields: %d %s, want 401", status, body)
	}
	lookup, err := boot.CreatePlatformKey(ctx, api.CreatePlatformKeyRequest{Verbs: []string{"lookup"}})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := call(t, url, lookup.Key, "POST", "/v1/fields", fields); status != http.StatusForbidden || !strings.Contains(body, `\"check\" verb`) {
		t.Errorf("a lookup key asking for fields: %d %s, want 403 naming the check verb", status, body)
	}
}

// TestDecisionsNameTheirPracticeAfterAClientMoves: a client's ID deleted in
// one practice and created in another is recorded under the new one, though
// the old one was remembered from an earlier decision.
func TestDecisionsNameTheirPracticeAfterAClientMoves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, boot, _, _ := scopedWard(t)
	check := func(subject string, want bool) {
		t.Helper()
		d, err := boot.Check(ctx, api.CheckRequest{Subject: subject, Permission: "view", Resource: "client:ann"})
		if err != nil || d.Allowed != want {
			t.Fatalf("%s view client:ann: %+v, %v; want %v", subject, d, err, want)
		}
	}
	check("user:olivia", true)
	check("user:olivia", true) // the second asks with the remembered practice
	for _, e := range []string{`{"type":"client.deleted","workspace":"p1","client":"ann"}`, `{"type":"client.created","workspace":"p2","client":"ann","practitioner":"hugo"}`} {
		if _, err := boot.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, e)}); err != nil {
			t.Fatal(err)
		}
	}
	check("user:hugo", true)
	check("user:olivia", false)
	page, err := boot.Audit(ctx, api.AuditQuery{Client: "ann", Action: audit.KindDecision})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range page.Records {
		got = append(got, r.Subject+"@"+r.Workspace)
	}
	want := "user:olivia@p1 user:olivia@p1 user:hugo@p2 user:olivia@p2"
	if strings.Join(got, " ") != want {
		t.Fatalf("decisions on ann filed as %v, want %s", got, want)
	}
}

// TestScopedLookupCursorsNameOnlyReachedIDs pages, with a key limited to
// p1, the clients of someone who works in both practices, whose IDs
// interleave: every page and every cursor names only p1's clients, and the
// pages together are all of them, each once.
func TestScopedLookupCursorsNameOnlyReachedIDs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, boot, _, _ := scopedWard(t)
	var events strings.Builder
	events.WriteString(`{"type":"staff.added","workspace":"p1","user":"sam","role":"practice_manager"}
{"type":"staff.added","workspace":"p2","user":"sam","role":"practice_manager"}
`)
	mine := map[string]bool{"client:ann": true}
	for i := range 12 {
		ws := []string{"p1", "p2"}[i%2]
		fmt.Fprintf(&events, `{"type":"client.created","workspace":%q,"client":"c%02d"}`+"\n", ws, i)
		if ws == "p1" {
			mine[fmt.Sprintf("client:c%02d", i)] = true
		}
	}
	if _, err := boot.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, events.String())}); err != nil {
		t.Fatal(err)
	}
	scoped, err := boot.CreatePlatformKey(ctx, api.CreatePlatformKeyRequest{Verbs: []string{"lookup"}, Workspaces: []string{"p1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 2, 3, 100} {
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("limit %d: more than 20 pages", limit)
			}
			body := fmt.Sprintf(`{"subject":"user:sam","permission":"view","resource_type":"client","limit":%d,"cursor":%q}`, limit, cursor)
			status, out := call(t, url, scoped.Key, "POST", "/v1/lookup/resources", body)
			var page api.LookupResourcesResponse
			if err := json.Unmarshal([]byte(out), &page); status != http.StatusOK || err != nil {
				t.Fatalf("limit %d: %d %s", limit, status, out)
			}
			if len(page.Resources) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(page.Resources))
			}
			for _, r := range page.Resources {
				if !mine[r] || seen[r] {
					t.Fatalf("limit %d: page %v names %s, not one of p1's clients not seen before", limit, page.Resources, r)
				}
				seen[r] = true
			}
			if page.Cursor == "" {
				break
			}
			raw, err := base64.RawURLEncoding.DecodeString(page.Cursor)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 12 {
				if id := fmt.Sprintf("c%02d", i); strings.Contains(string(raw), `"`+id+`"`) && !mine["client:"+id] {
					t.Fatalf("limit %d: the cursor %s names p2's client %s", limit, raw, id)
				}
			}
			cursor = page.Cursor
		}
		if len(seen) != len(mine) {
			t.Errorf("limit %d: the pages named %d of p1's %d clients", limit, len(seen), len(mine))
		}
	}
}

// TestKeyEndsOutOfRangeAreRefused: every route that takes a key's
// expires_at refuses, with 400 naming it, an end that is not a time Ward can
// show (past the year 9999 in UTC, or an offset RFC 3339 does not allow),
// and the key lists still answer afterwards.
func TestKeyEndsOutOfRangeAreRefused(t *testing.T) {
	t.Parallel()
	url, _, p1Key, _ := scopedWard(t)
	for _, end := range []string{"tomorrow", "9999-12-31T23:59:59-23:59", "2099-01-01T00:00:00+24:00", "0001-01-01T00:00:00+01:00"} {
		for _, r := range []struct{ path, body string }{
			{"/v1/keys", `{"verbs":["check"],"expires_at":%q}`},
			{"/v1/workspaces/p1/api-keys", `{"account":"widget","actor":"user:olivia","expires_at":%q}`},
			{"/v1/workspaces/p1/api-keys/" + p1Key[8:24] + "/rotate", `{"actor":"user:olivia","expires_at":%q}`},
		} {
			status, body := call(t, url, testKey, "POST", r.path, fmt.Sprintf(r.body, end))
			if status != http.StatusBadRequest || !strings.Contains(body, `"field":"expires_at"`) {
				t.Errorf("POST %s ending %s: %d %s, want 400 on expires_at", r.path, end, status, body)
			}
		}
	}
	for _, path := range []string{"/v1/keys", "/v1/workspaces/p1/api-keys"} {
		if status, body := call(t, url, testKey, "GET", path, ""); status != http.StatusOK || !json.Valid([]byte(body)) || body == "" {
			t.Errorf("GET %s: %d %q", path, status, body)
		}
	}
}

// TestBatchOverTwoPracticesIsInEachPracticesAudit applies, with the
// bootstrap key, one batch over p1 and p2, then one that is refused: a key
// limited to p1 reads p1's part of each in its audit and nothing of p2's,
// and the other way round, and the parts name their events' places in the
// request.
func TestBatchOverTwoPracticesIsInEachPracticesAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, boot, _, _ := scopedWard(t)
	if _, err := boot.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, `{"type":"client.created","workspace":"p1","client":"amy","practitioner":"olivia"}
{"type":"client.created","workspace":"p2","client":"zoe","practitioner":"hugo"}
{"type":"client.created","workspace":"p1","client":"abe","practitioner":"olivia"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := boot.Apply(ctx, api.EventsRequest{Events: testenv.Events(t, `{"type":"client.created","workspace":"p2","client":"zak","practitioner":"hugo"}
{"type":"staff.added","workspace":"p1","user":"una","role":"no_such_role"}`)}); err == nil {
		t.Fatal("a staff.added with an unknown role was applied")
	}
	// p1's part of the refused batch has the error; p2's says where it
	// was, without p1's names.
	for _, c := range []struct{ ws, mine, theirs, applied, refused, error string }{
		{"p1", `"amy"`, `"zoe"`, "0, 2", "1", "no_such_role"},
		{"p2", `"zoe"`, `"amy"`, "1", "0", "the event at index 1, another practice's, was refused (invalid)"},
	} {
		scoped, err := boot.CreatePlatformKey(ctx, api.CreatePlatformKeyRequest{Verbs: []string{"audit"}, Workspaces: []string{c.ws}})
		if err != nil {
			t.Fatal(err)
		}
		status, body := call(t, url, scoped.Key, "GET", "/v1/audit", "")
		if status != http.StatusOK {
			t.Fatalf("%s's audit: %d %s", c.ws, status, body)
		}
		var page api.AuditPage
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		var applied, refused *api.AuditRecord
		for i, r := range page.Records {
			if r.Workspace != c.ws {
				t.Errorf("%s's audit holds a record of %q: %+v", c.ws, r.Workspace, r)
			}
			switch {
			case r.Kind == audit.KindEvents && strings.Contains(string(r.Events), c.mine):
				applied = &page.Records[i]
			case r.Kind == audit.KindRefused:
				refused = &page.Records[i]
			}
		}
		if applied == nil || strings.Contains(string(applied.Events), c.theirs) || !strings.HasSuffix(applied.Detail, "at index "+c.applied) {
			t.Errorf("%s's part of the two-practice batch: %+v", c.ws, applied)
		}
		if refused == nil || !strings.Contains(refused.Error, c.error) || (c.ws == "p2" && strings.Contains(refused.Error, "no_such_role")) || !strings.HasSuffix(refused.Detail, "at index "+c.refused) {
			t.Errorf("%s's part of the refused batch: %+v", c.ws, refused)
		}
	}
	if v, err := boot.AuditVerify(ctx, 0, ""); err != nil || !v.OK {
		t.Fatalf("verify: %+v, %v", v, err)
	}
}

func TestIndexList(t *testing.T) {
	t.Parallel()
	many := make([]int, 50)
	for i := range many {
		many[i] = 2 * i
	}
	for _, c := range []struct {
		in   []int
		want string
	}{
		{[]int{3}, "3"},
		{[]int{0, 1, 2, 5, 7, 8, 9}, "0-2, 5, 7-9"},
		{many, "0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, ... (50 in all)"},
	} {
		if got := indexList(c.in); got != c.want {
			t.Errorf("indexList(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

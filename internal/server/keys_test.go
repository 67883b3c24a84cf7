package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// keysWard serves Ward's API as `ward serve` does, keys included, with a
// rate of rate authentications per minute per key.
func keysWard(t *testing.T, ledger audit.Ledger, rate int) (*client.Client, *KeyManager) {
	t.Helper()
	rec := audit.NewRecorder(ledger)
	t.Cleanup(rec.Close)
	w := testenv.SpiceDB(t)
	logger := slog.New(slog.DiscardHandler)
	a := newAudited(w, rec, Policy(t), logger)
	keys := NewKeyManager(service.NewKeys(w.Store), rec, rate, logger)
	srv := httptest.NewServer(httpapi.New(a, httpapi.Config{Audit: ledger, Keys: keys, APIKeys: []string{testKey}}))
	t.Cleanup(srv.Close)
	c := client.New(srv.URL, testKey, nil)
	raws := testenv.Events(t, `{"type":"workspace.created","workspace":"p1","owner":"olivia","preset":"caspen"}
{"type":"staff.added","workspace":"p1","user":"rita","role":"receptionist"}
{"type":"service_account.created","workspace":"p1","account":"widget","name":"Booking widget","role":"receptionist"}`)
	if _, err := c.Apply(context.Background(), api.EventsRequest{Events: raws, Actor: "user:olivia"}); err != nil {
		t.Fatal(err)
	}
	return c, keys
}

// Policy is the default decision policy.
func Policy(t *testing.T) audit.Policy {
	t.Helper()
	p, err := DecisionPolicy(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func status(err error) int {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// TestAPIKeysOverHTTP: the owner makes, rotates and revokes a service
// account's key through the API, each change in the ledger with who made
// it; the gateway's authenticate call answers whom a key is, 401 once
// revoked, and 429 with Retry-After past the key's rate; usage counts each
// authentication per day, through the ledger.
func TestAPIKeysOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ledger := fileLedger(t)
	c, keys := keysWard(t, ledger, 3)

	if _, err := c.CreateKey(ctx, "p1", api.CreateKeyRequest{Account: "widget", Actor: "user:rita"}); status(err) != http.StatusForbidden {
		t.Fatalf("a receptionist creating a key: %v, want 403", err)
	}
	if _, err := c.CreateKey(ctx, "p1", api.CreateKeyRequest{Account: "widget", Actor: "user:olivia", ExpiresAt: "tomorrow"}); status(err) != http.StatusBadRequest {
		t.Fatalf("a bad expires_at: %v, want 400", err)
	}
	issued, err := c.CreateKey(ctx, "p1", api.CreateKeyRequest{Account: "widget", Actor: "user:olivia"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		id, err := c.Authenticate(ctx, issued.Key)
		if err != nil || id.Subject != "service_account:widget" || id.Workspace != "p1" || id.KeyID != issued.ID {
			t.Fatalf("authentication %d: %+v, %v", i, id, err)
		}
	}
	_, err = c.Authenticate(ctx, issued.Key)
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusTooManyRequests || e.RetryAfter < time.Second || e.RetryAfter > 20*time.Second {
		t.Fatalf("a 4th authentication within a minute at 3/min: %v, want 429 with Retry-After of about 20 s", err)
	}
	if _, err := c.Authenticate(ctx, "wk.p1.0123456789abcdef."+issued.ID+issued.ID+issued.ID+issued.ID); status(err) != http.StatusUnauthorized {
		t.Fatalf("a made-up key: %v, want 401", err)
	}

	keys.FlushUsage(ctx)
	usage, err := c.KeyUsage(ctx, "p1", issued.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(usage.Days) != 1 || usage.Days[0].Requests != 3 || usage.Days[0].Day != time.Now().UTC().Format(time.DateOnly) {
		t.Fatalf("usage %+v, want 3 authentications today (the refused one not counted)", usage)
	}

	rotated, err := c.RotateKey(ctx, "p1", issued.ID, api.KeyActionRequest{Actor: "user:olivia"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authenticate(ctx, rotated.Key); err != nil {
		t.Fatalf("the rotated key's successor: %v", err)
	}
	list, err := c.ListKeys(ctx, "p1")
	if err != nil || len(list.Keys) != 2 {
		t.Fatalf("listed %+v, %v; want the old and the new key", list, err)
	}
	if _, err := c.RevokeKey(ctx, "p1", rotated.ID, api.KeyActionRequest{Actor: "user:olivia"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authenticate(ctx, rotated.Key); status(err) != http.StatusUnauthorized {
		t.Fatalf("a revoked key: %v, want 401 on the very next request", err)
	}

	page, err := c.Audit(ctx, api.AuditQuery{Workspace: "p1", User: "olivia"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range page.Records {
		if r.Resource != "" && r.Actor == "user:olivia" {
			kinds = append(kinds, r.Kind)
		}
	}
	want := []string{audit.KindKeyCreated, audit.KindKeyRotated, audit.KindKeyRevoked}
	if len(kinds) != len(want) || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
		t.Fatalf("key records by olivia: %v, want %v", kinds, want)
	}
	if v, err := c.AuditVerify(ctx, 0, ""); err != nil || !v.OK {
		t.Fatalf("the ledger does not verify: %+v, %v", v, err)
	}
}

// TestKeyUsageOnTheFileLedger: usage adds up across flushes and what is
// still pending, once the ledger has been read and after.
func TestKeyUsageOnTheFileLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, keys := keysWard(t, fileLedger(t), 0)
	issued, err := c.CreateKey(ctx, "p1", api.CreateKeyRequest{Account: "widget", Actor: "user:olivia"})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		authentications int
		flush           bool
		want            int64
	}{{2, true, 2}, {3, true, 5}, {1, false, 6}, {0, true, 6}} {
		for range step.authentications {
			if _, err := c.Authenticate(ctx, issued.Key); err != nil {
				t.Fatal(err)
			}
		}
		if step.flush {
			keys.FlushUsage(ctx)
		}
		u, err := c.KeyUsage(ctx, "p1", issued.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		for _, d := range u.Days {
			got += d.Requests
		}
		if got != step.want {
			t.Fatalf("after %+v: %d authentications counted, want %d", step, got, step.want)
		}
	}
	page, err := c.Audit(ctx, api.AuditQuery{Action: audit.KindKeyUsage})
	if err != nil || len(page.Records) != 3 {
		t.Fatalf("usage records: %d, %v; want one per flush that had counts", len(page.Records), err)
	}
	// A running instance forgets days past the last 30, as a restarted one
	// (which reads only those) does.
	keys.now = func() time.Time { return time.Now().AddDate(0, 0, usageDays+10) }
	if u, err := c.KeyUsage(ctx, "p1", issued.ID); err != nil || len(u.Days) != 0 {
		t.Fatalf("usage 40 days on: %+v, %v; want no days", u, err)
	}
}

// TestKeysExistOnlyRecorded takes the ledger down: a key created or
// rotated then is answered 503 and taken back (no new key, the rotated one
// keeps its end), a revocation stands and says it was unrecorded, and a
// platform key is not made either; once the ledger is back, the ledger
// holds a record of each key that exists.
func TestKeysExistOnlyRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := &switchable{Ledger: fileLedger(t)}
	c, _ := keysWard(t, l, 0)
	olivia := api.KeyActionRequest{Actor: "user:olivia"}
	first, err := c.CreateKey(ctx, "p1", api.CreateKeyRequest{Account: "widget", Actor: "user:olivia"})
	if err != nil {
		t.Fatal(err)
	}
	listed := func() []apikeys.Info {
		t.Helper()
		list, err := c.ListKeys(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		return list.Keys
	}

	l.down.Store(true)
	var e *client.Error
	if _, err := c.CreateKey(ctx, "p1", api.CreateKeyRequest{Account: "widget", Actor: "user:olivia"}); !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || !strings.Contains(e.Body.Message, "none was made") {
		t.Fatalf("a key created with the ledger down: %v, want 503 saying none was made", err)
	}
	if _, err := c.RotateKey(ctx, "p1", first.ID, olivia); !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable {
		t.Fatalf("a key rotated with the ledger down: %v, want 503", err)
	}
	if keys := listed(); len(keys) != 1 || keys[0].ID != first.ID || !keys[0].ExpiresAt.Equal(*first.ExpiresAt) {
		t.Fatalf("keys after the unrecorded create and rotate: %+v, want only %s ending %s", keys, first.ID, first.ExpiresAt)
	}
	if _, err := c.Authenticate(ctx, first.Key); err != nil {
		t.Fatalf("the key whose rotation was taken back: %v", err)
	}
	if _, err := c.RevokeKey(ctx, "p1", first.ID, olivia); !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || !strings.Contains(e.Body.Message, "was revoked") {
		t.Fatalf("a key revoked with the ledger down: %v, want 503 saying it was revoked", err)
	}
	if _, err := c.Authenticate(ctx, first.Key); status(err) != http.StatusUnauthorized {
		t.Fatalf("a key revoked while the ledger was down: %v, want 401", err)
	}

	rec := audit.NewRecorder(l)
	t.Cleanup(rec.Close)
	platform := NewPlatformKeyManager(service.NewPlatformKeys(testenv.SpiceDB(t).Store), rec, slog.New(slog.DiscardHandler))
	if _, err := platform.CreatePlatformKey(ctx, apikeys.Scope{Verbs: []string{"check"}}, time.Time{}); err == nil || !strings.Contains(err.Error(), "none was made") {
		t.Fatalf("a platform key created with the ledger down: %v", err)
	}
	if live, err := platform.ListPlatformKeys(ctx); err != nil || len(live) != 0 {
		t.Fatalf("platform keys after the unrecorded create: %+v, %v", live, err)
	}

	l.down.Store(false)
	second, err := c.RotateKey(ctx, "p1", first.ID, olivia)
	if status(err) != http.StatusNotFound {
		t.Fatalf("rotating the revoked key: %+v, %v; want 404", second, err)
	}
	page, err := c.Audit(ctx, api.AuditQuery{Workspace: "p1", Action: audit.KindKeyCreated})
	if err != nil || len(page.Records) != 1 || page.Records[0].Resource != keyResource("p1", first.ID) {
		t.Fatalf("key creations recorded: %+v, %v; want only %s's", page.Records, err, first.ID)
	}
}

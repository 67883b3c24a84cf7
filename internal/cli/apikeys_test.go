package cli_test

import (
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// keysWard serves Ward as `ward serve` does for keys (practice and
// platform keys, a ledger), with practice riverside (owner adam, service
// account widget) and hillside; it returns the CLI's environment.
func keysWard(t *testing.T) map[string]string {
	t.Helper()
	sdb := testenv.SpiceDB(t)
	ledger, err := audit.OpenFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ledger.Close() })
	rec := audit.NewRecorder(ledger)
	t.Cleanup(rec.Close)
	logger := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(httpapi.New(sdb, httpapi.Config{Audit: ledger,
		Keys:         server.NewKeyManager(service.NewKeys(sdb.Store), rec, 100, logger),
		PlatformKeys: server.NewPlatformKeyManager(service.NewPlatformKeys(sdb.Store), rec, logger)}))
	t.Cleanup(srv.Close)
	env := map[string]string{"WARD_SERVER": srv.URL}
	if _, _, err := ward(t, env, `{"type":"workspace.created","workspace":"riverside","owner":"adam","preset":"caspen"}
{"type":"client.created","workspace":"riverside","client":"ann","practitioner":"adam"}
{"type":"service_account.created","workspace":"riverside","account":"widget","name":"Online booking widget","role":"receptionist"}
{"type":"workspace.created","workspace":"hillside","owner":"hana","preset":"caspen"}
{"type":"client.created","workspace":"hillside","client":"hal","practitioner":"hana"}`, "events", "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	return env
}

// TestAPIKeysThroughCLI makes, uses, rotates and revokes a service account's
// key with `ward api-keys`, as the README's tour does.
func TestAPIKeysThroughCLI(t *testing.T) {
	t.Parallel()
	env := keysWard(t)
	end := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	out, _, err := ward(t, env, "", "api-keys", "create", "--workspace", "riverside", "--account", "widget", "--actor", "user:adam", "--expires-at", end)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`wk\.riverside\.([0-9a-f]{16})\.[0-9a-f]{64}`).FindStringSubmatch(out)
	if key == nil || !strings.Contains(out, "ends "+end) {
		t.Fatalf("create printed %q", out)
	}
	if out, _, err := ward(t, env, key[0]+"\n", "api-keys", "authenticate"); err != nil || !strings.Contains(out, "service_account:widget of workspace riverside") {
		t.Fatalf("authenticate: %q, %v", out, err)
	}
	if _, _, err := ward(t, env, "", "api-keys", "create", "--workspace", "riverside", "--account", "widget", "--actor", "service_account:widget"); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("the account making its own key: %v, want forbidden", err)
	}
	if out, _, err := ward(t, env, "", "api-keys", "list", "--workspace", "riverside"); err != nil || !strings.Contains(out, key[1]+"  service_account:widget") {
		t.Fatalf("list: %q, %v", out, err)
	}
	if out, _, err := ward(t, env, "", "api-keys", "usage", key[1], "--workspace", "riverside"); err != nil || !strings.Contains(out, "1 requests") {
		t.Fatalf("usage: %q, %v", out, err)
	}
	if out, _, err := ward(t, env, "", "api-keys", "rotate", key[1], "--workspace", "riverside", "--actor", "user:adam"); err != nil || !strings.Contains(out, "wk.riverside.") {
		t.Fatalf("rotate: %q, %v", out, err)
	}
	if out, _, err := ward(t, env, "", "api-keys", "revoke", key[1], "--workspace", "riverside", "--actor", "user:adam"); err != nil || !strings.Contains(out, "revoked "+key[1]) {
		t.Fatalf("revoke: %q, %v", out, err)
	}
	if _, _, err := ward(t, env, key[0]+"\n", "api-keys", "authenticate"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("a revoked key: %v, want unauthorized", err)
	}
}

// TestPlatformKeysThroughCLI makes a key for one practice's checks with
// `ward keys create`, uses it, and sees it refused elsewhere and once revoked.
func TestPlatformKeysThroughCLI(t *testing.T) {
	t.Parallel()
	env := keysWard(t)
	out, _, err := ward(t, env, "", "keys", "create", "--verbs", "check", "--workspace", "riverside")
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`wp\.([0-9a-f]{16})\.[0-9a-f]{64}`).FindStringSubmatch(out)
	if key == nil || !strings.Contains(out, "check  in riverside  never ends") {
		t.Fatalf("keys create printed %q", out)
	}
	scoped := map[string]string{"WARD_SERVER": env["WARD_SERVER"], "WARD_TOKEN": key[0]}
	if out, _, err := ward(t, scoped, "", "check", "user:adam", "view", "client:ann"); err != nil || !strings.Contains(out, "allowed") {
		t.Fatalf("a riverside check with the key: %q, %v", out, err)
	}
	for _, args := range [][]string{
		{"check", "user:hana", "view", "client:hal"},
		{"lookup", "subjects", "--resource", "client:ann", "--permission", "view"},
		{"keys", "list"},
	} {
		if _, _, err := ward(t, scoped, "", args...); err == nil || !strings.Contains(err.Error(), "forbidden") {
			t.Errorf("ward %s with a riverside check key: %v, want forbidden", strings.Join(args, " "), err)
		}
	}
	if out, _, err := ward(t, env, "", "keys", "list"); err != nil || !strings.Contains(out, key[1]+"  check  in riverside") {
		t.Fatalf("keys list: %q, %v", out, err)
	}
	if _, _, err := ward(t, env, "", "keys", "revoke", key[1]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ward(t, scoped, "", "check", "user:adam", "view", "client:ann"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("a revoked key: %v, want unauthorized", err)
	}
}

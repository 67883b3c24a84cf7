package cli_test

import (
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// TestAPIKeysThroughCLI makes, uses, rotates and revokes a service account's
// key with `ward api-keys`, as the README's tour does.
func TestAPIKeysThroughCLI(t *testing.T) {
	t.Parallel()
	sdb := testenv.SpiceDB(t)
	ledger, err := audit.OpenFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ledger.Close() })
	rec := audit.NewRecorder(ledger)
	t.Cleanup(rec.Close)
	keys := server.NewKeyManager(service.NewKeys(sdb.Store), rec, 100, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(httpapi.New(sdb, httpapi.Config{Audit: ledger, Keys: keys}))
	t.Cleanup(srv.Close)
	env := map[string]string{"WARD_SERVER": srv.URL}
	if _, _, err := ward(t, env, `{"type":"workspace.created","workspace":"riverside","owner":"adam","preset":"caspen"}
{"type":"service_account.created","workspace":"riverside","account":"widget","name":"Online booking widget","role":"receptionist"}`, "events", "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	out, _, err := ward(t, env, "", "api-keys", "create", "--workspace", "riverside", "--account", "widget", "--actor", "user:adam", "--expires-at", "2099-01-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`wk\.riverside\.([0-9a-f]{16})\.[0-9a-f]{64}`).FindStringSubmatch(out)
	if key == nil || !strings.Contains(out, "ends 2099-01-01T00:00:00Z") {
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

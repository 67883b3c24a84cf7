//go:build e2e

package e2e

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// TestKeyUsageAddsUpAcrossInstances: two Ward instances (two key managers,
// each with its own ledger connection to one PostgreSQL ledger) count one
// key's authentications; each answers the sum of both, including what the
// other recorded after it first read the ledger.
func TestKeyUsageAddsUpAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	uri := newDatabase(t)
	w := testenv.SpiceDB(t)
	if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"workspace.created","workspace":"p1","owner":"olivia","preset":"caspen"}
{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync","role":"receptionist"}`)); err != nil {
		t.Fatal(err)
	}
	var managers []*server.KeyManager
	for range 2 {
		l, err := audit.OpenPG(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		rec := audit.NewRecorder(l)
		t.Cleanup(rec.Close)
		managers = append(managers, server.NewKeyManager(service.NewKeys(w.Store), rec, 0, slog.New(slog.DiscardHandler)))
	}
	key, err := managers[0].CreateKey(ctx, "p1", "sync", "user:olivia", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	authenticate := func(m *server.KeyManager, n int) {
		t.Helper()
		for range n {
			if _, _, err := m.AuthenticateKey(ctx, key.Key); err != nil {
				t.Fatal(err)
			}
		}
		m.FlushUsage(ctx)
	}
	requests := func(m *server.KeyManager) int64 {
		t.Helper()
		u, err := m.KeyUsage(ctx, "p1", key.ID)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, d := range u.Days {
			n += d.Requests
		}
		return n
	}
	authenticate(managers[0], 3)
	authenticate(managers[1], 2)
	if a, b := requests(managers[0]), requests(managers[1]); a != 5 || b != 5 {
		t.Fatalf("instances answer %d and %d authentications, want 5 from each", a, b)
	}
	authenticate(managers[1], 4)
	if _, _, err := managers[0].AuthenticateKey(ctx, key.Key); err != nil { // counted, not yet recorded
		t.Fatal(err)
	}
	if a := requests(managers[0]); a != 10 {
		t.Fatalf("after the other instance recorded 4 more and this one counted 1: %d, want 10", a)
	}
	v, err := audit.VerifyLedger(ctx, func() audit.Ledger { l, _ := audit.OpenPG(ctx, uri); t.Cleanup(func() { l.Close() }); return l }(), 0, "")
	if err != nil || !v.OK {
		t.Fatalf("the shared ledger does not verify: %+v, %v", v, err)
	}
}

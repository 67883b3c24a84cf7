//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/audit"
)

// TestAuditLedgerOnPostgres: two ledgers on one database, as two Ward
// instances hold them, append at once and form one chain; then rows edited,
// deleted or moved in PostgreSQL directly are caught by verify, saying where.
func TestAuditLedgerOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	uri := newDatabase(t)
	var instances []*audit.PG
	for range 2 {
		l, err := audit.OpenPG(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		instances = append(instances, l)
	}
	const each = 300
	var wg sync.WaitGroup
	for i, l := range instances {
		rec := audit.NewRecorder(l)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range each / 8 {
					allowed := n%2 == 0
					r := &audit.Record{Time: time.Now(), Kind: audit.KindDecision, Subject: fmt.Sprintf("user:i%d-w%d", i, w),
						Permission: "view_notes", Resource: fmt.Sprintf("client:c%d", n), Allowed: &allowed}
					if err := rec.Record(ctx, r); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		defer rec.Close()
	}
	wg.Wait()
	total := int64(2 * (each / 8) * 8)
	v, err := audit.VerifyLedger(ctx, instances[1], 0, "")
	if err != nil || !v.OK || v.Records != total {
		t.Fatalf("after two instances appended %d records at once: %+v, %v", total, v, err)
	}

	// Tampering, each on a ledger of its own: rows edited, deleted or moved
	// in PostgreSQL directly.
	for _, c := range []struct {
		name, sql, want string
	}{
		{"a decision flipped", `UPDATE ward_audit SET line = convert_to(replace(convert_from(line, 'UTF8'), '"allowed":true', '"allowed":false'), 'UTF8') WHERE seq = 10`, "record 10 was changed"},
		{"a record deleted", `DELETE FROM ward_audit WHERE seq = 20`, "record 21 follows record 19"},
		{"two records moved", `UPDATE ward_audit SET seq = CASE seq WHEN 30 THEN -31 ELSE -30 END WHERE seq IN (30, 31); UPDATE ward_audit SET seq = -seq WHERE seq < 0`, "record 31 follows record 29"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			uri := newDatabase(t)
			l, err := audit.OpenPG(ctx, uri)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var recs []*audit.Record
			for n := range 40 {
				allowed := true
				recs = append(recs, &audit.Record{Time: time.Now(), Kind: audit.KindDecision, Subject: "user:priya", Permission: "view_notes", Resource: fmt.Sprintf("client:c%d", n), Allowed: &allowed})
			}
			if err := l.Append(ctx, recs); err != nil {
				t.Fatal(err)
			}
			conn, err := pgx.Connect(ctx, uri)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			for _, stmt := range strings.Split(c.sql, "; ") {
				if _, err := conn.Exec(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
			v, err := audit.VerifyLedger(ctx, l, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			if v.OK || !strings.Contains(v.Problem, c.want) {
				t.Fatalf("verify answered %+v; want a problem saying %q", v, c.want)
			}
		})
	}
}

// TestAuditRetentionOnPostgres: records past their retention leave the
// PostgreSQL ledger for an archive file only once it is synced; the ledger
// verifies from the archive's last record, the archive from record 1.
func TestAuditRetentionOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, err := audit.OpenPG(ctx, newDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	old := time.Now().AddDate(-7, 0, 0)
	var recs []*audit.Record
	for n := range 30 {
		allowed := true
		at := old
		if n >= 20 {
			at = time.Now()
		}
		recs = append(recs, &audit.Record{Time: at, Kind: audit.KindDecision, Subject: "user:priya", Permission: "view_notes", Resource: fmt.Sprintf("client:c%d", n), Allowed: &allowed})
	}
	if err := l.Append(ctx, recs); err != nil {
		t.Fatal(err)
	}
	moved, files, err := audit.ArchiveOld(ctx, l, t.TempDir(), audit.DefaultRetention, time.Now())
	if err != nil || moved != 20 || len(files) != 1 {
		t.Fatalf("archived %d into %v: %v", moved, files, err)
	}
	v, err := audit.VerifyLedger(ctx, l, 0, "")
	if err != nil || !v.OK || v.Records != 10 || v.ArchivedSeq != 20 {
		t.Fatalf("the ledger after archiving: %+v, %v", v, err)
	}
	a, err := audit.VerifyFiles(files, 0, "")
	if err != nil || !a.OK || a.HeadSeq != 20 || a.HeadHash != v.ArchivedHash {
		t.Fatalf("the archive: %+v, %v; the ledger continues from %d %s", a, err, v.ArchivedSeq, v.ArchivedHash)
	}
}

// verifyAudit holds the ledger that ward's instance appends to (with
// others) to an unbroken chain of at least least records.
func verifyAudit(t *testing.T, ward *client.Client, least int64) {
	t.Helper()
	v, err := ward.AuditVerify(context.Background(), 0, "")
	if err != nil {
		t.Fatalf("verifying the audit ledger: %v", err)
	}
	if !v.OK || v.Records < least {
		t.Fatalf("the audit ledger the instances share: %+v; want an unbroken chain of at least %d records", v, least)
	}
	t.Logf("the shared audit ledger verifies: %d records", v.Records)
}

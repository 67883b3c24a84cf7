package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func decision(subject, resource string, allowed bool) *Record {
	return &Record{Time: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), Kind: KindDecision, Subject: "user:" + subject,
		Permission: "view_notes", Resource: "client:" + resource, Allowed: &allowed, Users: []string{subject}, Clients: []string{resource}}
}

func openFile(t *testing.T, dir string) *File {
	t.Helper()
	l, err := OpenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func appendN(t *testing.T, l Ledger, n int) {
	t.Helper()
	for i := range n {
		if err := l.Append(context.Background(), []*Record{decision(fmt.Sprintf("u%d", i), fmt.Sprintf("c%d", i%3), i%2 == 0)}); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, l Ledger, seq int64, hash string) Verification {
	t.Helper()
	v, err := VerifyLedger(context.Background(), l, seq, hash)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFileLedgerDetectsTampering edits the ledger's file directly, as
// someone with disk access would, and expects verify to say where.
func TestFileLedgerDetectsTampering(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		edit   func(lines []string) []string
		expect bool // verify with the head kept before the edit
		want   string
	}{
		{"untouched", func(l []string) []string { return l }, true, ""},
		{"a decision flipped", func(l []string) []string {
			l[2] = strings.Replace(l[2], `"allowed":true`, `"allowed":false`, 1)
			return l
		}, false, "record 3 was changed"},
		{"a record removed", func(l []string) []string { return append(l[:2], l[3:]...) }, false, "record 4 follows record 2"},
		{"two records swapped", func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }, false, "record 3 follows record 1"},
		{"the first record removed", func(l []string) []string { return l[1:] }, false, "record 2 is the first stored"},
		{"records removed from the end", func(l []string) []string { return l[:3] }, true, "record 5, which you kept the hash of, is gone"},
		{"rewritten from record 3 with a fresh chain", func(l []string) []string {
			// Recompute every hash from record 3 on: the chain is whole
			// again, but the head kept elsewhere no longer matches.
			prev := strings.SplitN(l[1], "\t", 2)[0]
			for i := 2; i < len(l); i++ {
				rec := strings.SplitN(l[i], "\t", 2)[1]
				var r Record
				_ = json.Unmarshal([]byte(rec), &r)
				r.Actor = "user:mallory"
				line, _ := Seal(&r, r.Seq, prev)
				l[i], prev = r.Hash+"\t"+string(line), r.Hash
			}
			return l
		}, true, "record 5's hash is not the one you kept"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			l := openFile(t, dir)
			appendN(t, l, 5)
			head := verify(t, l, 0, "")
			if !head.OK || head.Records != 5 || head.HeadSeq != 5 {
				t.Fatalf("before the edit: %+v", head)
			}
			l.Close()
			path := filepath.Join(dir, FileName)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := c.edit(strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"))
			if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			l2, err := OpenFile(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer l2.Close()
			seq, hash := int64(0), ""
			if c.expect {
				seq, hash = head.HeadSeq, head.HeadHash
			}
			v := verify(t, l2, seq, hash)
			if c.want == "" {
				if !v.OK {
					t.Fatalf("an untouched ledger fails: %s", v.Problem)
				}
				return
			}
			if v.OK || !strings.Contains(v.Problem, c.want) {
				t.Fatalf("verify answered %+v; want a problem saying %q", v, c.want)
			}
		})
	}
}

// TestFileLedgerSurvivesARestartMidAppend: a record cut short by a crash
// (never acknowledged) is dropped at the next start; every acknowledged
// record stays, the chain goes on from the last one, and verify passes.
func TestFileLedgerSurvivesARestartMidAppend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := openFile(t, dir)
	appendN(t, l, 3)
	l.Close()
	f, err := os.OpenFile(filepath.Join(dir, FileName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(strings.Repeat("a", 64) + "\t{\"seq\":4,\"time\":\"2026-"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	l = openFile(t, dir)
	defer l.Close()
	appendN(t, l, 2)
	v := verify(t, l, 0, "")
	if !v.OK || v.Records != 5 || v.HeadSeq != 5 {
		t.Fatalf("after a torn append and a restart: %+v", v)
	}
}

// TestFileLedgerIsOneProcesss: a second opener of the same directory is
// refused with what to do, and gets it once the first closes.
func TestFileLedgerIsOneProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := openFile(t, dir)
	if _, err := OpenFile(dir); err == nil || !strings.Contains(err.Error(), "--audit-dir") {
		t.Fatalf("a second open: %v; want a refusal naming --audit-dir", err)
	}
	l.Close()
	openFile(t, dir).Close()
}

// TestRecorderUnderConcurrentCallers: 64 callers recording at once each get
// their own seq, nothing is lost or duplicated, and the chain verifies.
func TestRecorderUnderConcurrentCallers(t *testing.T) {
	t.Parallel()
	l := openFile(t, t.TempDir())
	defer l.Close()
	rec := NewRecorder(l)
	const callers, each = 64, 20
	var wg sync.WaitGroup
	seqs := make(chan int64, callers*each)
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r := decision(fmt.Sprintf("c%d", c), fmt.Sprintf("x%d", i), true)
				if err := rec.Record(context.Background(), r); err != nil {
					t.Error(err)
					return
				}
				seqs <- r.Seq
			}
		}()
	}
	wg.Wait()
	rec.Close()
	close(seqs)
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] || s < 1 || s > callers*each {
			t.Fatalf("seq %d handed out twice or out of range", s)
		}
		seen[s] = true
	}
	if v := verify(t, l, 0, ""); !v.OK || v.Records != callers*each {
		t.Fatalf("%+v", v)
	}
	if err := rec.Record(context.Background(), decision("late", "x", true)); err == nil {
		t.Error("a record after Close was taken")
	}
}

// failing is a ledger that cannot append.
type failing struct{ Ledger }

func (failing) Append(context.Context, []*Record) error { return fmt.Errorf("disk full") }

func TestRecorderReportsALedgerThatFails(t *testing.T) {
	t.Parallel()
	rec := NewRecorder(failing{})
	defer rec.Close()
	err := rec.Record(context.Background(), decision("a", "b", true))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v", err)
	}
}

func TestQueryFiltersAndPages(t *testing.T) {
	t.Parallel()
	l := openFile(t, t.TempDir())
	defer l.Close()
	events, _ := json.Marshal([]map[string]string{{"type": "staff.added", "workspace": "w1", "user": "priya"}})
	recs := []*Record{
		{Time: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Kind: KindEvents, Workspace: "w1", Actor: "user:olivia", Events: events, Users: []string{"olivia", "priya"}},
		decision("priya", "ann", true),
		decision("alex", "ann", false),
		decision("priya", "bob", true),
	}
	if err := l.Append(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    Filter
		want []int64
	}{
		{"all", Filter{}, []int64{1, 2, 3, 4}},
		{"workspace", Filter{Workspace: "w1"}, []int64{1}},
		{"user as actor, subject or named", Filter{User: "user:priya"}, []int64{1, 2, 4}},
		{"client", Filter{Client: "ann"}, []int64{2, 3}},
		{"event type", Filter{Action: "staff.added"}, []int64{1}},
		{"permission", Filter{Action: "view_notes"}, []int64{2, 3, 4}},
		{"kind", Filter{Action: KindDecision}, []int64{2, 3, 4}},
		{"before a time", Filter{To: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}, []int64{1}},
		{"from a time", Filter{From: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}, []int64{2, 3, 4}},
	} {
		var got []int64
		after := int64(0)
		for range 10 {
			page, next, err := Query(context.Background(), l, c.f, after, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				got = append(got, r.Seq)
			}
			if next == 0 {
				break
			}
			after = next
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestExports(t *testing.T) {
	t.Parallel()
	emergency := decision("priya", "ann", true)
	emergency.Purpose = "emergency"
	refused := decision("alex", "ann", false)
	refused.Error = "=HYPERLINK(\"x\")"
	recs := []Record{*emergency, *refused}
	var fhir bytes.Buffer
	if err := WriteFHIR(&fhir, recs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"resourceType": "Bundle"`, `"resourceType": "AuditEvent"`, `"code": "ETREAT"`, `"code": "110127"`, `"outcome": "4"`, `"action": "R"`} {
		if !strings.Contains(fhir.String(), want) {
			t.Errorf("the FHIR bundle lacks %s:\n%s", want, fhir.String())
		}
	}
	var csv bytes.Buffer
	if err := WriteCSV(&csv, recs, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(csv.String(), ",=HYPERLINK") || !strings.HasPrefix(csv.String(), "seq,time,kind") {
		t.Errorf("CSV:\n%s", csv.String())
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	known := func(typ, perm string) bool {
		return (typ == "note" || typ == "client") && (perm == "" || perm == "view" || perm == "view_notes")
	}
	p, err := ParsePolicy([]string{"note", "client#view_notes"}, known)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typ, perm string
		want      bool
	}{{"note", "view", true}, {"client", "view_notes", true}, {"client", "view", false}, {"invoice", "view", false}} {
		if got := p.Records(c.typ, c.perm); got != c.want {
			t.Errorf("Records(%s, %s) = %v", c.typ, c.perm, got)
		}
	}
	if p, err := ParsePolicy([]string{"none"}, known); err != nil || p.Records("note", "view") {
		t.Errorf("none: %v, %v", p.Entries(), err)
	}
	for _, bad := range [][]string{{"notes"}, {"client#read"}} {
		if _, err := ParsePolicy(bad, known); err == nil || !strings.Contains(err.Error(), "--audit-decisions") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// TestRetentionArchivesAndTheChainHolds: records past their retention move
// to an archive file, synced before they leave the ledger; the ledger
// verifies from the archive's last record, the archive on its own from
// record 1, appends go on after a restart, and an anchor that goes missing
// is caught.
func TestRetentionArchivesAndTheChainHolds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	l := openFile(t, dir)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		r := decision(fmt.Sprintf("u%d", i), "ann", true)
		r.Time = start.AddDate(1, 0, 0).Add(time.Duration(i) * 24 * time.Hour * 365 / 2) // every half year from 2021
		if err := l.Append(ctx, []*Record{r}); err != nil {
			t.Fatal(err)
		}
	}
	now := start.AddDate(8, 0, 0) // 2028: the 2021-2021.5 ones are past six years
	archive := filepath.Join(t.TempDir(), "archive")
	moved, files, err := ArchiveOld(ctx, l, archive, DefaultRetention, now)
	if err != nil {
		t.Fatal(err)
	}
	if moved == 0 || moved >= 10 || len(files) != 1 || !strings.HasSuffix(files[0], "ward-audit-000000000001.jsonl") {
		t.Fatalf("moved %d into %v", moved, files)
	}
	v := verify(t, l, 0, "")
	if !v.OK || v.Records != 10-moved || v.ArchivedSeq != moved {
		t.Fatalf("the ledger after archiving %d: %+v", moved, v)
	}
	a, err := VerifyFiles(files, 0, "")
	if err != nil || !a.OK || a.HeadSeq != moved || a.HeadHash != v.ArchivedHash {
		t.Fatalf("the archive %+v does not end where the ledger continues (%d, %s): %v", a, v.ArchivedSeq, v.ArchivedHash, err)
	}
	// A head kept before an earlier record was archived is not checked by
	// the ledger, which says so; the archive files check it.
	if moved < 2 {
		t.Fatalf("moved %d, want at least 2 for the kept-head checks", moved)
	}
	{
		var kept string
		if err := scanFile(ctx, files[0], -1, 1, func(s Stored) error { kept = s.Hash; return ErrStop }); err != nil {
			t.Fatal(err)
		}
		if v := verify(t, l, 1, kept); !v.OK || !strings.Contains(v.Unchecked, "record 1, whose hash you kept, has been archived") {
			t.Errorf("the ledger, asked about archived record 1: %+v", v)
		}
		if a, err := VerifyFiles(files, 1, kept); err != nil || !a.OK || a.Unchecked != "" {
			t.Errorf("the archive, asked about record 1 with its hash: %+v, %v", a, err)
		}
		if a, err := VerifyFiles(files, 1, strings.Repeat("0", 64)); err != nil || a.OK {
			t.Errorf("the archive, asked about record 1 with a wrong hash: %+v, %v", a, err)
		}
	}
	// A head kept before archiving, now the archive's last record, is
	// checked against the anchor.
	if v := verify(t, l, moved, a.HeadHash); !v.OK {
		t.Fatalf("the kept head %d, now archived: %+v", moved, v)
	}
	if v := verify(t, l, moved, strings.Repeat("0", 64)); v.OK || !strings.Contains(v.Problem, "archive anchor") {
		t.Fatalf("a wrong hash for the archived head %d: %+v", moved, v)
	}
	if again, _, err := ArchiveOld(ctx, l, archive, DefaultRetention, now); err != nil || again != 0 {
		t.Fatalf("a second run moved %d (%v)", again, err)
	}
	l.Close()
	l = openFile(t, dir)
	defer l.Close()
	appendN(t, l, 2)
	if v := verify(t, l, 0, ""); !v.OK || v.HeadSeq != 12 {
		t.Fatalf("after a restart and two more records: %+v", v)
	}
	if err := os.Remove(filepath.Join(dir, anchorName)); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, l, 0, ""); v.OK || !strings.Contains(v.Problem, "is the first stored") {
		t.Fatalf("without its anchor: %+v", v)
	}
}

func TestParseRetention(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"6y": 6 * 365 * 24 * time.Hour, "90d": 90 * 24 * time.Hour, "48h": 48 * time.Hour} {
		if got, err := ParseRetention(in); err != nil || got != want {
			t.Errorf("%s: %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "1h", "x", "-5d", "6 years"} {
		if _, err := ParseRetention(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestQueryPagesAreBoundedInBytes: records of large imports come a page
// each, never a page of megabytes times the limit.
func TestQueryPagesAreBoundedInBytes(t *testing.T) {
	t.Parallel()
	l := openFile(t, t.TempDir())
	defer l.Close()
	big, _ := json.Marshal([]map[string]string{{"type": "client.created", "client": strings.Repeat("x", 5<<20)}})
	for range 2 {
		if err := l.Append(context.Background(), []*Record{{Time: time.Now(), Kind: KindEvents, Events: big}}); err != nil {
			t.Fatal(err)
		}
	}
	page, next, err := Query(context.Background(), l, Filter{}, 0, 100)
	if err != nil || len(page) != 1 || next != 1 {
		t.Fatalf("first page: %d records, cursor %d, %v", len(page), next, err)
	}
	page, next, err = Query(context.Background(), l, Filter{}, next, 100)
	if err != nil || len(page) != 1 || page[0].Seq != 2 || next != 0 {
		t.Fatalf("second page: %d records, cursor %d, %v", len(page), next, err)
	}
}

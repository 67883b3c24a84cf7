package audit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// appendAt appends n decisions at time at, in batches.
func appendAt(t *testing.T, l *File, n int, at time.Time) {
	t.Helper()
	for i := 0; i < n; {
		var batch []*Record
		for ; i < n && len(batch) < 1000; i++ {
			r := decision(fmt.Sprintf("u%d", i), "c", true)
			r.Time = at
			batch = append(batch, r)
		}
		if err := l.Append(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
}

// scanned is the seqs a scan from from passes on.
func scanned(t *testing.T, l *File, from int64) (first, last, n int64) {
	t.Helper()
	err := l.Scan(context.Background(), from, func(s Stored) error {
		seq, _ := seqOf(s.Line)
		if n == 0 {
			first = seq
		} else if seq != last+1 {
			t.Fatalf("from %d: record %d after %d", from, seq, last)
		}
		last, n = seq, n+1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return first, last, n
}

// TestFileIndexStartsNearTheCursor: a scan from a seq starts reading at most
// a stride of records before it, and passes on exactly the records from it:
// as appended, after a restart, with the index compacted, after an archive,
// and with the file changed behind the ledger's back (read from its start).
func TestFileIndexStartsNearTheCursor(t *testing.T) {
	t.Parallel()
	t1, t2 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	l := openFile(t, dir)
	l.index = newSeqIndex(4) // compacted several times below
	appendAt(t, l, 3000, t1)
	appendAt(t, l, 7000, t2)
	check := func(state string, l *File, firstSeq, lastSeq int64) {
		t.Helper()
		for _, from := range []int64{1, 2, firstSeq, 1023, 1024, 1025, 2999, 3000, 3001, 5000, 9999, 10000, 10001, 1 << 40} {
			start := l.index.seek(from)
			if start.seq > from || (start.seq > 0 && !startsAt(l.f, start)) {
				t.Errorf("%s: from %d starts at record %d, byte %d", state, from, start.seq, start.at)
			}
			if len(l.index.entries) > 0 && from >= l.index.entries[0].seq && from <= lastSeq && from-start.seq >= l.index.stride {
				t.Errorf("%s: from %d starts %d records before it (stride %d)", state, from, from-start.seq, l.index.stride)
			}
			want := max(from, firstSeq)
			first, last, n := scanned(t, l, from)
			if want > lastSeq {
				if n != 0 {
					t.Errorf("%s: from %d passed %d records", state, from, n)
				}
				continue
			}
			if first != want || last != lastSeq || n != lastSeq-want+1 {
				t.Errorf("%s: from %d passed %d..%d (%d); want %d..%d", state, from, first, last, n, want, lastSeq)
			}
		}
	}
	check("appended", l, 1, 10000)
	if len(l.index.entries) > 4 || l.index.stride <= scanCheckEvery {
		t.Errorf("the index holds %d entries, a stride of %d; want at most 4, compacted", len(l.index.entries), l.index.stride)
	}
	l.Close()

	l = openFile(t, dir)
	defer l.Close()
	check("reopened", l, 1, 10000)
	if len(l.index.entries) < 9 || l.index.off {
		t.Errorf("reopened: %d entries, off %v", len(l.index.entries), l.index.off)
	}

	var archive bytes.Buffer
	if n, err := l.Archive(context.Background(), t2, &archive, func() error { return nil }); err != nil || n != 3000 {
		t.Fatalf("archived %d: %v", n, err)
	}
	check("archived", l, 3001, 10000)
	appendAt(t, l, 100, t2)
	check("archived and appended", l, 3001, 10100)

	// Changed behind the ledger's back: the first 1,000 records gone.
	data, err := os.ReadFile(l.path)
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for range 1000 {
		cut += bytes.IndexByte(data[cut:], '\n') + 1
	}
	if err := os.WriteFile(l.path, data[cut:], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, from := range []int64{4500, 9000} {
		if first, _, _ := scanned(t, l, from); first != from {
			t.Errorf("changed file: from %d starts at %d", from, first)
		}
	}
}

// TestFileIndexOffWhenSeqsJump: a file whose seqs do not run one after
// another keeps no index, and a scan reads it from its start.
func TestFileIndexOffWhenSeqsJump(t *testing.T) {
	t.Parallel()
	var x seqIndex = newSeqIndex(8)
	for seq := int64(1); seq <= 3000; seq++ {
		x.add(seq, seq*100)
	}
	if x.off || len(x.entries) != 3 {
		t.Fatalf("%d entries, off %v; want 3", len(x.entries), x.off)
	}
	x.add(3002, 300200)
	if !x.off || len(x.entries) != 0 || x.seek(3002) != (offset{}) {
		t.Errorf("after a jump: %d entries, off %v", len(x.entries), x.off)
	}
	x.add(3003, 300300)
	if len(x.entries) != 0 {
		t.Errorf("entries added after the index went off")
	}
}

package audit

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueryAtTheEndOfSeqs: no record follows the largest seq, so a query
// after it is empty (after+1 wrapped to the most negative seq, and the
// scan started at record 1); a query after a negative seq is refused.
func TestQueryAtTheEndOfSeqs(t *testing.T) {
	t.Parallel()
	l := filled(t, 3)
	for _, c := range []struct {
		after   int64
		want    string
		wantErr bool
	}{
		{0, "[1 2 3] 0", false},
		{2, "[3] 0", false},
		{3, "[] 0", false},
		{math.MaxInt64 - 1, "[] 0", false},
		{math.MaxInt64, "[] 0", false},
		{-1, "", true},
		{math.MinInt64, "", true},
	} {
		page, next, err := Query(context.Background(), l, Filter{}, c.after, 10)
		if c.wantErr {
			if err == nil {
				t.Errorf("after %d: %d records, no error", c.after, len(page))
			}
			continue
		}
		seqs := []int64{}
		for _, r := range page {
			seqs = append(seqs, r.Seq)
		}
		if got := fmt.Sprint(seqs, next); err != nil || got != c.want {
			t.Errorf("after %d: %s, %v; want %s", c.after, got, err, c.want)
		}
	}
}

// TestNoSeqAfterTheLast: a ledger whose last seq is the largest refuses to
// append rather than seal a record with a negative seq.
func TestNoSeqAfterTheLast(t *testing.T) {
	t.Parallel()
	last := int64(math.MaxInt64)
	for _, seq := range []int64{last + 1, 0, -1} {
		if _, err := Seal(decision("a", "b", true), seq, Genesis); err == nil {
			t.Errorf("Seal took seq %d", seq)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, anchorName), fmt.Appendf(nil, "%d %s\n", int64(math.MaxInt64), strings.Repeat("a", 64)), 0o600); err != nil {
		t.Fatal(err)
	}
	l := openFile(t, dir)
	defer l.Close()
	if err := l.Append(context.Background(), []*Record{decision("a", "b", true)}); err == nil {
		t.Error("appended after seq math.MaxInt64")
	}
	n := 0
	if err := l.Scan(context.Background(), 1, func(Stored) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("the ledger holds %d records (%v) after a refused append", n, err)
	}
}

package audit

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// filled is a file ledger holding n decisions, appended in batches.
func filled(t *testing.T, n int) *File {
	t.Helper()
	l := openFile(t, t.TempDir())
	t.Cleanup(func() { l.Close() })
	for i := 0; i < n; {
		var batch []*Record
		for ; i < n && len(batch) < 2000; i++ {
			batch = append(batch, decision(fmt.Sprintf("u%d", i), fmt.Sprintf("c%d", i%3), i%2 == 0))
		}
		if err := l.Append(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// cancelling is a ledger whose scans end their context at the first record
// they pass on: the deadline of a request passing in the middle of a scan,
// without waiting for a clock.
type cancelling struct {
	*File
	cancel context.CancelFunc
	seen   int
}

func (c *cancelling) Scan(ctx context.Context, from int64, fn func(Stored) error) error {
	return c.File.Scan(ctx, from, func(s Stored) error {
		c.seen++
		c.cancel()
		return fn(s)
	})
}

// TestFileScanStopsWhenItsContextEnds: a scan of the file ledger, and the
// query and verify built on it, end with the context's error soon after it
// ends, rather than reading on to the end and answering as if whole.
func TestFileScanStopsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	const n = 10 * scanCheckEvery
	l := filled(t, n)
	for _, c := range []struct {
		name string
		run  func(ctx context.Context, l Ledger) error
	}{
		{"Scan", func(ctx context.Context, l Ledger) error {
			return l.Scan(ctx, 1, func(Stored) error { return nil })
		}},
		{"Scan from a cursor", func(ctx context.Context, l Ledger) error {
			return l.Scan(ctx, 3*scanCheckEvery, func(Stored) error { return nil })
		}},
		{"Query", func(ctx context.Context, l Ledger) error {
			_, _, err := Query(ctx, l, Filter{Workspace: "none"}, 0, 10)
			return err
		}},
		{"VerifyLedger", func(ctx context.Context, l Ledger) error {
			_, err := VerifyLedger(ctx, l, 0, "")
			return err
		}},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		c2 := &cancelling{File: l, cancel: cancel}
		err := c.run(ctx, c2)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v after its context ended; want %v", c.name, err, context.Canceled)
		}
		if c2.seen > scanCheckEvery {
			t.Errorf("%s: read %d records after its context ended; want at most %d", c.name, c2.seen, scanCheckEvery)
		}
	}
	// A context that ends before the scan starts ends it at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Scan(ctx, 1, func(Stored) error { t.Fatal("a record passed on"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with an ended context: %v", err)
	}
	// And a context that does not end reads everything.
	got := 0
	if err := l.Scan(context.Background(), 1, func(Stored) error { got++; return nil }); err != nil || got != n {
		t.Errorf("Scan: %d records, %v; want %d", got, err, n)
	}
}

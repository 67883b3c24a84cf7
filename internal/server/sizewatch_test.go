package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/spicedb"
)

// fakeAuth answers Apply with whatever the test queued; the other methods are
// never called (the nil embedded interface would panic).
type fakeAuth struct {
	httpapi.Authorizer
	mu      sync.Mutex
	results []fakeApply
}

type fakeApply struct {
	applied domain.Applied
	err     error
}

func (f *fakeAuth) Apply(context.Context, []domain.Event) (domain.Applied, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.results) == 0 {
		return domain.Applied{}, errors.New("fakeAuth: no result queued")
	}
	r := f.results[0]
	f.results = f.results[1:]
	return r.applied, r.err
}

// constAuth answers every Apply with the same result, for concurrent callers.
type constAuth struct {
	httpapi.Authorizer
	applied domain.Applied
}

func (c constAuth) Apply(context.Context, []domain.Event) (domain.Applied, error) {
	return c.applied, nil
}

// testLogger logs text without timestamps into buf, so lines can be compared whole.
func testLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

func warnings(buf *bytes.Buffer) []string {
	var out []string
	for line := range strings.Lines(buf.String()) {
		if strings.HasPrefix(line, "level=WARN ") {
			out = append(out, strings.TrimSuffix(line, "\n"))
		}
	}
	return out
}

func TestSizeWatchWarnsOnReachingLimitThenOnDoubling(t *testing.T) {
	t.Parallel()
	type step struct {
		touched, deleted int
		err              error
		warn             string // the whole warning this step logs, if any
	}
	const hint = "run Ward on PostgreSQL (--datastore postgres --datastore-uri postgres://...) or an external SpiceDB (--spicedb-endpoint)"
	warning := func(n, limit string) string {
		return `level=WARN msg="the in-process memory datastore now holds about ` + n + ` relationships; checks slow down as it grows past ~` + limit + `: ` +
			hint + `" relationships=` + n + ` limit=` + limit
	}
	tests := []struct {
		name  string
		limit int
		steps []step
	}{
		{
			name:  "grows step by step",
			limit: 100,
			steps: []step{
				{touched: 60},
				{touched: 39},
				{touched: 1, warn: warning("100", "100")},
				{touched: 50},
				{touched: 10, deleted: 30},
				{touched: 500, err: errors.New("SpiceDB refused the write")},
				{touched: 69},
				{touched: 1, warn: warning("200", "100")},
				{touched: 199},
				{touched: 1, warn: warning("400", "100")},
			},
		},
		{
			name:  "one large import doubles from where it landed",
			limit: 100,
			steps: []step{
				{touched: 1000, warn: warning("1000", "100")},
				{touched: 999},
				{touched: 1, warn: warning("2000", "100")},
			},
		},
		{
			name:  "deletes keep it below the limit",
			limit: 100,
			steps: []step{
				{touched: 90},
				{touched: 20, deleted: 20},
				{touched: 5, deleted: 10},
				{touched: 14},
				{touched: 1, warn: warning("100", "100")},
			},
		},
		{
			name: "zero means the default limit",
			steps: []step{
				{touched: DefaultMemoryWarnAt - 1},
				{touched: 1, warn: warning("50000", "50000")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeAuth{}
			for _, s := range tt.steps {
				fake.results = append(fake.results, fakeApply{domain.Applied{Touched: s.touched, Deleted: s.deleted}, s.err})
			}
			var logs bytes.Buffer
			auth := watchSize(fake, Config{MemoryWarnAt: tt.limit}, testLogger(&logs))
			for i, s := range tt.steps {
				logs.Reset()
				res, err := auth.Apply(context.Background(), nil)
				if !errors.Is(err, s.err) || res.Touched != s.touched {
					t.Fatalf("step %d: Apply returned %+v, %v; want the wrapped result %d, %v", i, res, err, s.touched, s.err)
				}
				got := warnings(&logs)
				switch {
				case s.warn == "" && len(got) != 0:
					t.Errorf("step %d: logged %q, want no warning", i, got)
				case s.warn != "" && (len(got) != 1 || got[0] != s.warn):
					t.Errorf("step %d: logged %q, want one warning\n%s", i, got, s.warn)
				}
			}
		})
	}
}

func TestWatchSizeOnlyWatchesTheMemoryDatastore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   Config
		watch bool
	}{
		{"default datastore", Config{MemoryWarnAt: 10}, true},
		{"memory", Config{Datastore: spicedb.EngineMemory, MemoryWarnAt: 10}, true},
		{"postgres", Config{Datastore: spicedb.EnginePostgres, DatastoreURI: "postgres://ward@127.0.0.1/ward", MemoryWarnAt: 10}, false},
		{"external SpiceDB", Config{SpiceDB: spicedb.ExternalConfig{Endpoint: "spicedb:50051"}, MemoryWarnAt: 10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeAuth{results: []fakeApply{{applied: domain.Applied{Touched: 1_000_000}}}}
			var logs bytes.Buffer
			auth := watchSize(fake, tt.cfg, testLogger(&logs))
			if _, watched := auth.(*sizeWatch); watched != tt.watch {
				t.Errorf("wrapped in a sizeWatch: %v, want %v", watched, tt.watch)
			}
			if _, err := auth.Apply(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := warnings(&logs); (len(got) == 1) != tt.watch || len(got) > 1 {
				t.Errorf("logged %q after a million relationships; want a warning: %v", got, tt.watch)
			}
		})
	}
}

// TestSizeWatchCountsTheDemo holds loadDemo to writing through the watch, so
// the demo practice counts toward the limit.
func TestSizeWatchCountsTheDemo(t *testing.T) {
	t.Parallel()
	fake := &fakeAuth{results: []fakeApply{{applied: domain.Applied{Touched: 150}}}}
	var logs bytes.Buffer
	logger := testLogger(&logs)
	if err := loadDemo(context.Background(), watchSize(fake, Config{MemoryWarnAt: 100}, logger), logger); err != nil {
		t.Fatal(err)
	}
	if got := warnings(&logs); len(got) != 1 || !strings.Contains(got[0], "relationships=150 limit=100") {
		t.Errorf("logged %q after a demo of 150 relationships, want one warning", got)
	}
}

// TestSizeWatchWarnsOnceUnderConcurrentApplies crosses the limit from many
// goroutines; the count ends below the next doubling, so exactly one warns.
func TestSizeWatchWarnsOnceUnderConcurrentApplies(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	auth := watchSize(constAuth{applied: domain.Applied{Touched: 10}}, Config{MemoryWarnAt: 500}, testLogger(&logs))
	var wg sync.WaitGroup
	for range 90 {
		wg.Go(func() {
			if _, err := auth.Apply(context.Background(), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := warnings(&logs); len(got) != 1 {
		t.Errorf("logged %d warnings, want 1: %q", len(got), got)
	}
	if n := auth.(*sizeWatch).count.Load(); n != 900 {
		t.Errorf("counted %d relationships, want 900", n)
	}
}

// Package testenv starts real SpiceDB servers (in-process, memdb) and Ward's
// service over them for Ward's tests, and reads back what they hold. No test
// mocks SpiceDB.
package testenv

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
)

// Ward is Ward's service over an in-process SpiceDB, and the store beneath
// it, for tests that also look at what SpiceDB holds.
type Ward struct {
	*service.Service
	Store *spicedb.Client
}

// Export passes every relationship the store holds to fn.
func (w Ward) Export(ctx context.Context, fn func(domain.Relationship) error) error {
	return w.Store.Export(ctx, fn)
}

// Ping reports whether the store answers.
func (w Ward) Ping(ctx context.Context) error { return w.Store.Ping(ctx) }

// SpiceDB starts an in-process SpiceDB holding Ward's schema and returns
// Ward's service over it; it is stopped when the test ends.
func SpiceDB(t testing.TB) Ward {
	t.Helper()
	w, _ := Start(t)
	return w
}

// Practice is SpiceDB holding what events (JSON Lines) make, applied through
// Ward's service.
func Practice(t testing.TB, events string) Ward {
	t.Helper()
	w := SpiceDB(t)
	if _, err := w.Apply(context.Background(), Parsed(t, events)); err != nil {
		t.Fatalf("applying the practice's events: %v", err)
	}
	return w
}

// Start is SpiceDB that also returns the raw gRPC connection, for tests that
// compare Ward with SpiceDB called directly.
func Start(t testing.TB) (Ward, *grpc.ClientConn) {
	t.Helper()
	return StartWith(t, spicedb.EmbeddedConfig{})
}

// StartWith is Start with the in-process server configured by cfg (another
// datastore, the dispatch caches on).
func StartWith(t testing.TB, cfg spicedb.EmbeddedConfig) (Ward, *grpc.ClientConn) {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	emb, err := spicedb.StartEmbedded(ctx, cfg, logger)
	if err != nil {
		t.Fatalf("starting in-process SpiceDB: %v", err)
	}
	t.Cleanup(func() { _ = emb.Close() })
	c := spicedb.NewWithConfig(emb.Conn(), logger, emb.StoreConfig())
	if _, err := c.WriteSchema(ctx, schema.Text); err != nil {
		t.Fatalf("writing schema: %v", err)
	}
	return Ward{Service: service.New(c, logger), Store: c}, emb.Conn()
}

// exporter is what holds relationships to read back.
type exporter interface {
	Export(ctx context.Context, fn func(domain.Relationship) error) error
}

// Relationships returns everything SpiceDB holds, as sorted strings, leaving out
// Ward's write locks (which every write replaces).
func Relationships(t testing.TB, c exporter) []string {
	t.Helper()
	var out []string
	err := c.Export(context.Background(), func(r domain.Relationship) error {
		if r.Relation != "lock" {
			out = append(out, r.String())
		}
		return nil
	})
	if err != nil {
		t.Fatalf("exporting relationships: %v", err)
	}
	slices.Sort(out)
	return out
}

// State returns everything SpiceDB holds as a domain state.
func State(t testing.TB, c exporter) *domain.State {
	t.Helper()
	s := domain.NewState()
	if err := c.Export(context.Background(), func(r domain.Relationship) error { s.Add(r); return nil }); err != nil {
		t.Fatalf("exporting relationships: %v", err)
	}
	return s
}

// Events parses JSON Lines into raw events, failing the test on bad JSON.
func Events(t testing.TB, jsonl string) []json.RawMessage {
	t.Helper()
	raws, err := domain.ReadEventLines(strings.NewReader(jsonl))
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	return raws
}

// Parsed parses JSON Lines into events, failing the test when they are invalid.
func Parsed(t testing.TB, jsonl string) []domain.Event {
	t.Helper()
	events, err := domain.ReadEvents(strings.NewReader(jsonl))
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	return events
}

//go:build e2e

package e2e

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
)

// TestImportPastStreamDeadlineOnPostgres: SpiceDB on PostgreSQL cancels an
// import that runs past its streaming timeout, cut here from 30 s to half a
// second (an import of 1,000 practitioner admins, 122,000 relationships, streams
// for longer). Ward answers too_large, naming the deadline and saying to split
// the import (it answered "SpiceDB is unavailable; retry"), and nothing of the
// import is left in SpiceDB.
func TestImportPastStreamDeadlineOnPostgres(t *testing.T) {
	ctx := context.Background()
	uri := newDatabase(t)
	logger := slog.New(slog.DiscardHandler)
	const timeout = 500 * time.Millisecond
	emb, err := spicedb.StartEmbedded(ctx, spicedb.EmbeddedConfig{Engine: spicedb.EnginePostgres, URI: uri, Migrate: true, StreamTimeout: timeout}, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emb.Close() })
	c := spicedb.NewWithConfig(emb.Conn(), logger, spicedb.Config{StreamTimeout: timeout})
	if _, err := c.WriteSchema(ctx, schema.Text); err != nil {
		t.Fatal(err)
	}
	events, err := domain.ReadImport(strings.NewReader(`{"type":"workspace.created","workspace":"big","owner":"o","preset":"caspen"}` + "\n" +
		scenarios.Admins("big", 1000)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = service.New(c, logger).Import(ctx, events)
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeTooLarge || !strings.Contains(e.Message, "--streaming-api-response-delay-timeout") {
		t.Fatalf("got %v; want too_large naming SpiceDB's stream deadline", err)
	}
	left := 0
	if err := c.Export(ctx, func(domain.Relationship) error { left++; return nil }); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("the cancelled import left %d relationships", left)
	}
}

//go:build e2e

package e2e

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// TestAccessEndsOnPostgres: on PostgreSQL, as Ward runs SpiceDB (dispatch
// caches off), time-bound access ends on time with no other write, however
// often it was checked before. TestAccessEndsAfterManyChecks is the same on
// memdb; docs/performance.md, step 28, has what the caches would change.
func TestAccessEndsOnPostgres(t *testing.T) {
	uri := newDatabase(t)
	c, _ := testenv.StartWith(t, spicedb.EmbeddedConfig{Engine: spicedb.EnginePostgres, URI: uri, Migrate: true})
	if granted, n := scenarios.GrantsPastExpiry(t, c.Service); granted > 0 {
		t.Errorf("%d of %d checks after the end, with no write since, still granted", granted, n)
	}
}

// TestBusinessHoursEdgesWithSpiceDBContainer: business hours open and close
// at their local times, across midnight, the week's end and daylight
// saving in two zones, decided by a SpiceDB container (built with its own
// time zone data) at the moment Ward gives, with no write in between
// (scenarios.HoursEdges, the same table the in-process test asks).
func TestBusinessHoursEdgesWithSpiceDBContainer(t *testing.T) {
	sdb := startSpiceDB(t, "", true)
	const token = "hours-edges"
	startWard(t, sdb, token) // writes Ward's schema into this token's datastore
	conn, err := spicedb.Dial(spicedb.ExternalConfig{Endpoint: sdb.Endpoint, Token: token, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	var clock time.Time
	c := spicedb.NewWithConfig(conn, slog.New(slog.DiscardHandler), spicedb.Config{Now: func() time.Time { return clock }})
	ctx := context.Background()
	if _, err := service.New(c, slog.New(slog.DiscardHandler)).Apply(ctx, eventsParsed(t, scenarios.HoursEdgeEvents)); err != nil {
		t.Fatal(err)
	}
	for _, e := range scenarios.HoursEdges {
		clock, err = time.Parse(time.RFC3339, e.At)
		if err != nil {
			t.Fatal(err)
		}
		d, err := c.Check(ctx, e.Question(), "")
		if err != nil || d.Allowed != e.Want || d.Conditional {
			t.Errorf("%s at %s (%s): allowed %v conditional %v (%v), want %v", e.Who, e.At, e.Local, d.Allowed, d.Conditional, err, e.Want)
		}
	}
}

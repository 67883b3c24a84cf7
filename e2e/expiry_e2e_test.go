//go:build e2e

package e2e

import (
	"context"
	"os"
	"testing"

	"github.com/wardhq/ward/internal/pgadmin"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// TestAccessEndsOnPostgres: on PostgreSQL, as Ward runs SpiceDB (dispatch
// caches off), time-bound access ends on time with no other write, however
// often it was checked before. TestAccessEndsAfterManyChecks is the same on
// memdb; docs/performance.md, step 28, has what the caches would change.
func TestAccessEndsOnPostgres(t *testing.T) {
	admin := os.Getenv("WARD_E2E_POSTGRES_URI")
	if admin == "" {
		t.Fatal("WARD_E2E_POSTGRES_URI is not set: run the suite with e2e/run.sh, or point it at a PostgreSQL whose user may CREATE DATABASE")
	}
	uri, drop, err := pgadmin.CreateDatabase(context.Background(), admin, "ward_e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	c, _ := testenv.StartWith(t, spicedb.EmbeddedConfig{Engine: spicedb.EnginePostgres, URI: uri, Migrate: true})
	if granted, n := scenarios.GrantsPastExpiry(t, c.Service); granted > 0 {
		t.Errorf("%d of %d checks after the end, with no write since, still granted", granted, n)
	}
}

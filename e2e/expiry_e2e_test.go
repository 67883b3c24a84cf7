//go:build e2e

package e2e

import (
	"testing"

	"github.com/wardhq/ward/internal/scenarios"
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

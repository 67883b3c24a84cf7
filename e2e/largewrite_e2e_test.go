//go:build e2e

package e2e

import (
	"context"
	"testing"

	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// startOnPostgres is Ward's service over an in-process SpiceDB that keeps its
// relationships in a fresh database of the suite's PostgreSQL, wired as
// `ward serve --datastore postgres` wires it.
func startOnPostgres(t *testing.T) testenv.Ward {
	t.Helper()
	w, _ := testenv.StartWith(t, spicedb.EmbeddedConfig{Engine: spicedb.EnginePostgres, URI: newDatabase(t), Migrate: true})
	return w
}

// TestLargeRoleChangeOnPostgres: SpiceDB's API takes at most 7,281 new or
// touched relationships in one write on PostgreSQL (one INSERT of nine
// parameters each); the same role change that passes on memory passes here
// too, in one request.
func TestLargeRoleChangeOnPostgres(t *testing.T) {
	t.Parallel()
	scenarios.LargeRoleChange(t, startOnPostgres(t).Service)
}

// TestLargeWriteIsAtomicOnPostgres: a write past what one SpiceDB call takes
// on PostgreSQL (7,281 new relationships) is still all or nothing
// (scenarios.LargeWriteIsAtomic).
func TestLargeWriteIsAtomicOnPostgres(t *testing.T) {
	t.Parallel()
	scenarios.LargeWriteIsAtomic(t, startOnPostgres(t).Store, 65535/9+10)
}

// TestScenariosOnPostgresInProcess runs every practice story through Ward's
// service with its in-process SpiceDB on PostgreSQL, as `ward serve
// --datastore postgres` runs it: the writes of presets, roles and locations
// that pass 250 updates take the chunked path, and every answer must be the
// same as through SpiceDB's API.
func TestScenariosOnPostgresInProcess(t *testing.T) {
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			scenarios.Run(t, sc, func(int) scenarios.Client {
				return scenarios.Adapter(context.Background(), startOnPostgres(t).Service)
			})
		})
	}
}

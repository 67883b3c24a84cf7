package spicedb_test

import (
	"testing"

	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/spicedb"
)

// TestChunkedWriteIsAtomic runs the chunked writer over memdb with a write
// of three chunks: it is all or nothing, as through SpiceDB's API (e2e's
// TestLargeWriteIsAtomicOnPostgres runs the same on PostgreSQL, where Ward
// uses it).
func TestChunkedWriteIsAtomic(t *testing.T) {
	t.Parallel()
	scenarios.LargeWriteIsAtomic(t, spicedb.ChunkedMemoryClient(t), 2*spicedb.RowsPerStatement+10)
}

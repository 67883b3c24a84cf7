package spicedb

import "testing"

// ChunkedMemoryClient is a client over an in-process memdb holding Ward's
// schema whose writes past rowsPerStatement take the chunked path, which
// Embedded.ChunkedWrites gives only on PostgreSQL, so that the path is
// tested without a PostgreSQL.
func ChunkedMemoryClient(t *testing.T) *Client {
	t.Helper()
	c, _ := memoryClientWith(t, func(e *Embedded) Config {
		return Config{ChunkedWrites: newChunkedWriter(e.ds)}
	})
	return c
}

// RowsPerStatement is rowsPerStatement, for tests outside the package.
const RowsPerStatement = rowsPerStatement

// Package spicedb is Ward's store, and the only part of Ward that speaks to
// SpiceDB: it dials (or embeds) the server, writes the schema, and translates
// reads (domain filters), atomic writes (domain writes), bulk imports, checks
// and lookups to SpiceDB's API, and SpiceDB's answers and errors (by gRPC code
// and ErrorReason) back to domain values. What to read and write is decided
// above it, in internal/service and internal/domain.
package spicedb

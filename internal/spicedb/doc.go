// Package spicedb is the only part of Ward that speaks to SpiceDB: it dials
// (or embeds) the server, writes the schema, loads the relationships a request
// needs, writes event plans atomically with optimistic concurrency per
// workspace, answers checks, lookups and explanations, and translates gRPC
// errors into domain errors.
package spicedb

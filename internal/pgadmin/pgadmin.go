// Package pgadmin makes throwaway PostgreSQL databases for benchmarks and
// end-to-end tests that run SpiceDB on PostgreSQL.
package pgadmin

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

var seq atomic.Int64

// CreateDatabase creates an empty database, named prefix plus this process's
// ID and a counter, on the server admin names (its user must be able to
// CREATE DATABASE). It returns the new database's URI and a function that
// drops it.
func CreateDatabase(ctx context.Context, admin, prefix string) (uri string, drop func(), err error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("the PostgreSQL URI does not parse: %w", err)
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connecting to PostgreSQL at %s: %w (is it running?)", Redact(admin), err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), seq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	drop = func() {
		if c, err := pgx.Connect(context.Background(), admin); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(context.Background())
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// Redact hides a URI's password, for messages.
func Redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparseable URI)"
	}
	return u.Redacted()
}

// Analyze updates PostgreSQL's planner statistics of the database uri names,
// as autovacuum does some time after a bulk load. Right after an import the
// planner has none for SpiceDB's relationship table and picks plans that
// made a role change at 5,000 staff take 29-35 s instead of 5-6 s
// (docs/performance.md).
func Analyze(ctx context.Context, uri string) error {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL at %s: %w (is it running?)", Redact(uri), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyzing %s: %w", Redact(uri), err)
	}
	return nil
}

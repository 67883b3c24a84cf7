package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PG is a ledger in a PostgreSQL table, ward_audit. Several Ward instances
// append to one safely: each append takes a transaction-scoped advisory
// lock, reads the last record, and inserts after it, so the chain never
// forks; the primary key on seq refuses a second record at one place.
type PG struct {
	pool *pgxpool.Pool
}

// pgLock is the advisory lock key appends take ("ward" in ASCII).
const pgLock = 0x77617264

const pgTable = `CREATE TABLE IF NOT EXISTS ward_audit (
	seq  bigint PRIMARY KEY,
	line bytea  NOT NULL,
	hash text   NOT NULL
)`

// OpenPG connects to the PostgreSQL at uri and creates the ledger's table if
// it is missing.
func OpenPG(ctx context.Context, uri string) (*PG, error) {
	cfg, err := pgxpool.ParseConfig(uri)
	if err != nil {
		return nil, fmt.Errorf("the audit ledger's PostgreSQL URI does not parse: %w", err)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the audit ledger's PostgreSQL: %w", err)
	}
	if _, err := pool.Exec(ctx, pgTable); err != nil {
		pool.Close()
		return nil, fmt.Errorf("creating the audit ledger's table ward_audit: %w (is PostgreSQL running, and may the URI's user create tables?)", err)
	}
	return &PG{pool: pool}, nil
}

// Append implements Ledger: one transaction for all of recs.
func (l *PG) Append(ctx context.Context, recs []*Record) error {
	sealed := make([]Record, len(recs))
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", pgLock); err != nil {
			return err
		}
		seq, prev := int64(0), Genesis
		err := tx.QueryRow(ctx, "SELECT seq, hash FROM ward_audit ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// One INSERT of every row: fewer round trips than COPY for the
		// small batches most appends are.
		var sql strings.Builder
		sql.WriteString("INSERT INTO ward_audit (seq, line, hash) VALUES ")
		args := make([]any, 0, 3*len(recs))
		for i, r := range recs {
			c := *r
			line, err := Seal(&c, seq+1, prev)
			if err != nil {
				return err
			}
			if i > 0 {
				sql.WriteString(", ")
			}
			fmt.Fprintf(&sql, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
			args = append(args, c.Seq, line, c.Hash)
			seq, prev, sealed[i] = c.Seq, c.Hash, c
		}
		_, err = tx.Exec(ctx, sql.String(), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("appending to the audit ledger in PostgreSQL: %w", err)
	}
	for i := range recs {
		*recs[i] = sealed[i]
	}
	return nil
}

// Scan implements Ledger, in pages of 1,000 records.
func (l *PG) Scan(ctx context.Context, from int64, fn func(Stored) error) error {
	for {
		rows, err := l.pool.Query(ctx, "SELECT seq, line, hash FROM ward_audit WHERE seq >= $1 ORDER BY seq LIMIT 1000", from)
		if err != nil {
			return fmt.Errorf("reading the audit ledger in PostgreSQL: %w", err)
		}
		var page []Stored
		var seq int64
		for rows.Next() {
			var s Stored
			if err := rows.Scan(&seq, &s.Line, &s.Hash); err != nil {
				rows.Close()
				return err
			}
			page = append(page, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reading the audit ledger in PostgreSQL: %w", err)
		}
		for _, s := range page {
			if err := fn(s); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if len(page) < 1000 {
			return nil
		}
		from = seq + 1
	}
}

// Ping reports whether the ledger's PostgreSQL answers.
func (l *PG) Ping(ctx context.Context) error { return l.pool.Ping(ctx) }

// Close implements Ledger.
func (l *PG) Close() error {
	l.pool.Close()
	return nil
}

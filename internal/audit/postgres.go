package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
);
CREATE TABLE IF NOT EXISTS ward_audit_anchor (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	seq  bigint NOT NULL,
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

// Anchor implements Ledger.
func (l *PG) Anchor(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := l.pool.QueryRow(ctx, "SELECT seq, hash FROM ward_audit_anchor").Scan(&seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("reading the audit ledger's anchor: %w", err)
	}
	return seq, hash, nil
}

// Archive implements Ledger, in one transaction that holds appends off (the
// advisory lock): the rows go to w, then the anchor moves and they are
// deleted; if anything fails, nothing is deleted.
func (l *PG) Archive(ctx context.Context, before time.Time, w io.Writer, synced func() error) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", pgLock); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT seq, line, hash FROM ward_audit ORDER BY seq LIMIT $1", MaxArchive)
		if err != nil {
			return err
		}
		var lastSeq int64
		var lastHash string
		for rows.Next() {
			var seq int64
			var s Stored
			if err := rows.Scan(&seq, &s.Line, &s.Hash); err != nil {
				rows.Close()
				return err
			}
			var head struct {
				Time time.Time `json:"time"`
			}
			if json.Unmarshal(s.Line, &head) != nil || !head.Time.Before(before) {
				break
			}
			if err := FileFormat(w, s); err != nil {
				rows.Close()
				return fmt.Errorf("writing the audit archive: %w", err)
			}
			n, lastSeq, lastHash = n+1, seq, s.Hash
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if err := synced(); err != nil {
			return fmt.Errorf("syncing the audit archive: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ward_audit_anchor (seq, hash) VALUES ($1, $2)
			ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, lastSeq, lastHash); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM ward_audit WHERE seq <= $1", lastSeq)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("archiving the audit ledger in PostgreSQL: %w", err)
	}
	return n, nil
}

// Ping reports whether the ledger's PostgreSQL answers.
func (l *PG) Ping(ctx context.Context) error { return l.pool.Ping(ctx) }

// Close implements Ledger.
func (l *PG) Close() error {
	l.pool.Close()
	return nil
}

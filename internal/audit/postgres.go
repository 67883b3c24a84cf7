package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PG is a ledger in a PostgreSQL table, ward_audit. Several Ward instances
// append to one safely: each append takes a transaction-scoped advisory
// lock, reads the last record, and inserts after it, so the chain never
// forks; the primary key on seq refuses a second record at one place.
type PG struct {
	pool *pgxpool.Pool
	// mu serialises this process's appends; known says seq and hash are
	// the last record's, as this process wrote it.
	mu    sync.Mutex
	known bool
	seq   int64
	hash  string
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

// Append implements Ledger. When this process wrote the last record it
// knows, it inserts after it in one statement: the primary key refuses the
// insert if another instance appended meanwhile (seqs have no gaps), and
// then, as when it knows nothing, it appends under the advisory lock after
// the last record it reads.
func (l *PG) Append(ctx context.Context, recs []*Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.known {
		sql, args, sealed, err := insertAfter(recs, l.seq, l.hash)
		if err != nil {
			return err
		}
		_, err = l.pool.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		switch {
		case err == nil:
			l.done(recs, sealed)
			return nil
		case errors.As(err, &pgErr) && pgErr.Code == "23505": // another instance appended
		default:
			return fmt.Errorf("appending to the audit ledger in PostgreSQL: %w", err)
		}
	}
	var sealed []Record
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", pgLock); err != nil {
			return err
		}
		seq, prev := int64(0), Genesis
		err := tx.QueryRow(ctx, "SELECT seq, hash FROM ward_audit ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
		if errors.Is(err, pgx.ErrNoRows) {
			// Empty: the first record, or every record was archived.
			err = tx.QueryRow(ctx, "SELECT seq, hash FROM ward_audit_anchor").Scan(&seq, &prev)
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		sql, args, s, err := insertAfter(recs, seq, prev)
		if err != nil {
			return err
		}
		sealed = s
		_, err = tx.Exec(ctx, sql, args...)
		return err
	})
	if err != nil {
		l.known = false
		return fmt.Errorf("appending to the audit ledger in PostgreSQL: %w", err)
	}
	l.done(recs, sealed)
	return nil
}

// done records that sealed (recs, sealed) are the ledger's last records.
func (l *PG) done(recs []*Record, sealed []Record) {
	for i := range recs {
		*recs[i] = sealed[i]
	}
	last := sealed[len(sealed)-1]
	l.known, l.seq, l.hash = true, last.Seq, last.Hash
}

// insertAfter seals recs after (seq, prev) and returns one INSERT of them
// all (fewer round trips than COPY for the small batches most appends are)
// that takes the appenders' advisory lock first, so that it never races
// an append or an archive that holds it.
func insertAfter(recs []*Record, seq int64, prev string) (string, []any, []Record, error) {
	var sql strings.Builder
	sql.WriteString("INSERT INTO ward_audit (seq, line, hash) SELECT v.seq, v.line, v.hash FROM (VALUES ")
	args := make([]any, 0, 3*len(recs)+1)
	sealed := make([]Record, len(recs))
	for i, r := range recs {
		c := *r
		line, err := Seal(&c, seq+1, prev)
		if err != nil {
			return "", nil, nil, err
		}
		if i > 0 {
			sql.WriteString(", ")
		}
		fmt.Fprintf(&sql, "($%d::bigint, $%d::bytea, $%d::text)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, c.Seq, line, c.Hash)
		seq, prev, sealed[i] = c.Seq, c.Hash, c
	}
	fmt.Fprintf(&sql, ") AS v(seq, line, hash) CROSS JOIN (SELECT pg_advisory_xact_lock($%d)) AS locked", len(args)+1)
	return sql.String(), append(args, int64(pgLock)), sealed, nil
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

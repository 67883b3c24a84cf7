package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// Ledger stores records durably, in order, each sealed after the one before.
type Ledger interface {
	// Append seals recs after the ledger's last record (setting their Seq,
	// Prev and Hash) and stores them durably, all or none.
	Append(ctx context.Context, recs []*Record) error
	// Scan passes the stored records from seq from on (1: all), in order,
	// until fn returns an error (returned, unless it is ErrStop).
	Scan(ctx context.Context, from int64, fn func(Stored) error) error
	// Anchor is the last archived record's seq and hash (0 and "" when none
	// was): the first record stored follows it.
	Anchor(ctx context.Context) (int64, string, error)
	// Archive moves the oldest records, those before the first one at or
	// after before (at most MaxArchive), out of the ledger: it writes them
	// to w as stored (FileFormat lines), calls synced (which must make
	// them durable), then removes them, keeping the last one as the anchor.
	// It returns how many it moved.
	Archive(ctx context.Context, before time.Time, w io.Writer, synced func() error) (int64, error)
	// Close releases the ledger.
	Close() error
}

// MaxArchive bounds the records one Archive moves; call it again for more.
const MaxArchive = 100_000

// FileFormat writes a stored record as the file ledger and archives hold
// it: its hash, a tab, its line.
func FileFormat(w io.Writer, s Stored) error {
	_, err := fmt.Fprintf(w, "%s\t%s\n", s.Hash, s.Line)
	return err
}

// ErrStop ends a Scan early without an error.
var ErrStop = errStop

// VerifyLedger checks l's whole chain from its anchor; see Verify.
func VerifyLedger(ctx context.Context, l Ledger, expectSeq int64, expectHash string) (Verification, error) {
	seq, hash, err := l.Anchor(ctx)
	if err != nil {
		return Verification{}, err
	}
	return Verify(func(fn func(Stored) error) error { return l.Scan(ctx, 1, fn) }, seq, hash, expectSeq, expectHash)
}

// VerifyFiles checks archive files (FileFormat), in order, as one chain
// from record 1, and, when expectSeq > 0, that they hold record expectSeq
// with expectHash: what an auditor runs on archives, offline.
func VerifyFiles(paths []string, expectSeq int64, expectHash string) (Verification, error) {
	return Verify(func(fn func(Stored) error) error {
		for _, p := range paths {
			if err := scanFile(context.Background(), p, -1, 1, fn); err != nil {
				return err
			}
		}
		return nil
	}, 0, "", expectSeq, expectHash)
}

// Kinds are every kind of record Ward writes.
var Kinds = []string{KindEvents, KindRefused, KindDecision, KindGrant, KindKeyCreated, KindKeyRotated, KindKeyRevoked,
	KindKeyUsage, KindReviewDue, KindPlatformKeyCreated, KindPlatformKeyRevoked, KindAlert, KindWebhookFailed}

// Filter selects records: every field set must match.
type Filter struct {
	Workspace string
	// User matches the actor of a change, the subject of a decision, or a
	// person an event names ("user:ID" or "ID").
	User string
	// Client matches a decision on that client's record, or an event naming
	// the client ("client:ID" or "ID").
	Client string
	// Action is an event type (records of batches holding one), a
	// permission (decisions), or a kind (decision, events.applied, ...).
	Action string
	// From and To bound the record's time: From <= time < To.
	From, To time.Time
}

func bare(s, prefix string) string {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):]
	}
	return s
}

// Match reports whether r is selected by f.
func (f Filter) Match(r *Record) bool {
	switch {
	case f.Workspace != "" && r.Workspace != f.Workspace:
		return false
	case f.User != "" && !slices.Contains(r.Users, bare(f.User, "user:")):
		return false
	case f.Client != "" && !slices.Contains(r.Clients, bare(f.Client, "client:")):
		return false
	case !f.From.IsZero() && r.Time.Before(f.From):
		return false
	case !f.To.IsZero() && !r.Time.Before(f.To):
		return false
	case f.Action != "" && !matchesAction(r, f.Action):
		return false
	}
	return true
}

func matchesAction(r *Record, action string) bool {
	if r.Kind == action || r.Permission == action {
		return true
	}
	if len(r.Events) == 0 {
		return false
	}
	var events []struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(r.Events, &events) != nil {
		return false
	}
	return slices.ContainsFunc(events, func(e struct {
		Type string `json:"type"`
	}) bool {
		return e.Type == action
	})
}

// MaxPageBytes bounds a page's records (an import's batch record can hold
// megabytes of events): a page ends before the record that would pass it,
// unless that record is its first.
const MaxPageBytes = 8 << 20

// MaxScanPerPage bounds how many records one Query reads: a page that finds
// fewer than its limit in that many still ends with a cursor, and the caller
// goes on from there.
const MaxScanPerPage = 200_000

// Query returns up to limit records that f selects, from seq after on
// (after 0: from the start), and the cursor of the next page (the last seq
// read; 0 at the end).
func Query(ctx context.Context, l Ledger, f Filter, after int64, limit int) ([]Record, int64, error) {
	switch {
	case after < 0:
		return nil, 0, fmt.Errorf("a query cannot start after seq %d", after)
	case after == math.MaxInt64:
		return nil, 0, nil // no seq follows it (after+1 would wrap to the start)
	}
	var out []Record
	var last, scanned int64
	bytes, more := 0, false
	err := l.Scan(ctx, after+1, func(s Stored) error {
		if len(out) == limit || scanned == MaxScanPerPage {
			more = true
			return ErrStop
		}
		scanned++
		var r Record
		if err := json.Unmarshal(s.Line, &r); err != nil {
			return fmt.Errorf("ledger record after %d does not decode (run ward audit verify): %w", last, err)
		}
		r.Hash = s.Hash
		if f.Match(&r) {
			if len(out) > 0 && bytes+len(s.Line) > MaxPageBytes {
				more = true // this one starts the next page
				return ErrStop
			}
			out = append(out, r)
			bytes += len(s.Line)
		}
		last = r.Seq
		return nil
	})
	if err != nil && !errors.Is(err, ErrStop) {
		return nil, 0, err
	}
	if !more {
		last = 0
	}
	return out, last, nil
}

// Package audit is Ward's ledger: who changed which practice, who was allowed
// or refused which clinical record, and through which request, each record
// chained to the one before by a SHA-256 hash so that a record changed,
// removed or moved is detected (Verify). A Ledger stores records durably: in
// PostgreSQL (PG, shared by several Ward instances) or in a file on local
// disk (File, one process). A Recorder batches concurrent appends into one
// durable write; ArchiveOld moves records past their retention to archive
// files; BulkAccess and Webhook raise and deliver alerts. server.Audited
// records what the service does. docs/audit.md describes the record
// format, the chain and retention.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/wardhq/ward/api"
)

// Kinds of record.
const (
	// KindEvents is an event batch that was applied: the events as applied.
	KindEvents = "events.applied"
	// KindRefused is an event batch that was refused, with the error.
	KindRefused = "events.refused"
	// KindDecision is a check on a record the policy names (by default every
	// clinical record and client file).
	KindDecision = "decision"
	// KindGrant follows an allowed decision (Of) with what gave the access
	// (Grant: explain's reasons at the revision checked). It is written
	// after the answer, by a background worker, and is best effort: when
	// the worker is behind, it is skipped and counted, never the decision.
	KindGrant = "decision.grant"
	// KindKeyCreated, KindKeyRotated and KindKeyRevoked are changes to a
	// practice API key, recorded before they are answered.
	KindKeyCreated = "api_key.created"
	KindKeyRotated = "api_key.rotated"
	KindKeyRevoked = "api_key.revoked"
	// KindKeyUsage counts a key's authentications on one day since the
	// instance's previous count (Requests, Day, LastUsed).
	KindKeyUsage = "api_key.usage"
	// KindReviewDue is a practice's access reviews that fell due (under a
	// review policy), recorded when Ward finds them, with the people due.
	KindReviewDue = "access_review.due"
	// KindPlatformKeyCreated and KindPlatformKeyRevoked are changes to a key
	// for Ward's own API (its scope in detail).
	KindPlatformKeyCreated = "platform_key.created"
	KindPlatformKeyRevoked = "platform_key.revoked"
)

// Record is one entry of the ledger, as stored, hashed and answered
// (api.AuditRecord: its JSON is the record format docs/audit.md describes).
// Seq, Prev and Hash are set by the ledger when the record is appended.
type Record = api.AuditRecord

// Genesis is the prev of a ledger's first record.
var Genesis = strings.Repeat("0", 64)

// Seal sets r's Seq, Prev and Hash as the record after prev (whose Seq is
// seq-1) and returns the line stored: r's JSON without its hash. The hash
// covers the line, and so every field and the previous record's hash.
func Seal(r *Record, seq int64, prev string) ([]byte, error) {
	if seq < 1 {
		// The seq after math.MaxInt64 wraps to a negative one.
		return nil, fmt.Errorf("an audit record cannot take seq %d: seqs run from 1 to %d", seq, int64(math.MaxInt64))
	}
	r.Seq, r.Prev, r.Hash = seq, prev, ""
	r.Time = r.Time.UTC()
	line, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding an audit record: %w", err)
	}
	r.Hash = hashOf(prev, line)
	return line, nil
}

func hashOf(prev string, line []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(line)
	return hex.EncodeToString(h.Sum(nil))
}

// Stored is a record as a ledger holds it: the line that was hashed and the
// hash stored beside it.
type Stored struct {
	Line []byte
	Hash string
}

// Chain checks stored records in order, each against the one before; create
// one with NewChain, call Next for each record and read Problem after.
type Chain struct {
	prevSeq  int64
	prevHash string
	started  bool
	// archived is the last archived record's seq: records up to it that are
	// still stored (an archive run stopped between writing its anchor and
	// removing them) are in the archive, and skipped here.
	archived int64
	// Checked counts the records that passed.
	Checked int64
	// Problem is the first break found, or "".
	Problem string
}

// NewChain starts a check at the ledger's first stored record, which is
// record 1 unless records were archived: then it is the one after the
// archive's last, afterSeq, and follows its hash.
func NewChain(afterSeq int64, afterHash string) *Chain {
	if afterSeq == 0 {
		return &Chain{}
	}
	return &Chain{prevSeq: afterSeq, prevHash: afterHash, started: true, archived: afterSeq}
}

// Next checks one stored record and returns it decoded; after a problem it
// returns false and changes nothing.
func (c *Chain) Next(s Stored) (Record, bool) {
	if c.Problem != "" {
		return Record{}, false
	}
	var r Record
	if err := json.Unmarshal(s.Line, &r); err != nil {
		c.Problem = fmt.Sprintf("after record %d: a stored record is not a record (%v)", c.prevSeq, err)
		return r, false
	}
	if c.Checked == 0 && r.Seq <= c.archived && r.Seq >= 1 {
		r.Hash = s.Hash
		return r, true
	}
	switch {
	case !c.started && r.Seq != 1:
		c.Problem = fmt.Sprintf("record %d is the first stored, but the ledger starts at 1 (or after the last archived record): records before it were removed", r.Seq)
	case !c.started && r.Seq == 1 && r.Prev != Genesis:
		c.Problem = fmt.Sprintf("record 1 does not start the chain (its prev is %s)", r.Prev)
	case c.started && r.Seq != c.prevSeq+1:
		c.Problem = fmt.Sprintf("record %d follows record %d: records were removed or moved", r.Seq, c.prevSeq)
	case c.started && r.Prev != c.prevHash:
		c.Problem = fmt.Sprintf("record %d does not follow record %d's hash: one of them was changed, or records were moved", r.Seq, c.prevSeq)
	case hashOf(r.Prev, s.Line) != s.Hash:
		c.Problem = fmt.Sprintf("record %d was changed after it was written: its hash does not match its content", r.Seq)
	}
	if c.Problem != "" {
		return r, false
	}
	r.Hash = s.Hash
	c.started, c.prevSeq, c.prevHash = true, r.Seq, s.Hash
	c.Checked++
	return r, true
}

// Head is the last record checked: its seq and hash ("" before any).
func (c *Chain) Head() (int64, string) { return c.prevSeq, c.prevHash }

// Verification is what Verify found.
type Verification = api.AuditVerification

// Verify reads the whole ledger through each, checking the chain from the
// archive's last record (afterSeq 0: from record 1), and, when expectSeq >
// 0, that the record expectSeq is still there with expectHash (or was
// archived).
func Verify(each func(fn func(Stored) error) error, afterSeq int64, afterHash string, expectSeq int64, expectHash string) (Verification, error) {
	chain := NewChain(afterSeq, afterHash)
	found := expectSeq == 0 || expectSeq <= afterSeq
	if expectSeq > 0 && expectSeq == afterSeq && expectHash != afterHash {
		// The kept record is the archive's last, whose hash the ledger holds.
		chain.Problem = fmt.Sprintf("record %d's hash is not the one you kept (%s): the ledger's archive anchor says %s", expectSeq, expectHash, afterHash)
		return Verification{OK: false, ArchivedSeq: afterSeq, ArchivedHash: afterHash, Problem: chain.Problem}, nil
	}
	err := each(func(s Stored) error {
		r, ok := chain.Next(s)
		if !ok {
			return errStop
		}
		if r.Seq == expectSeq {
			found = true
			if r.Hash != expectHash {
				chain.Problem = fmt.Sprintf("record %d's hash is not the one you kept (%s): the ledger was rewritten from there", expectSeq, expectHash)
				return errStop
			}
		}
		return nil
	})
	if err != nil && err != errStop {
		return Verification{}, err
	}
	if chain.Problem == "" && !found {
		chain.Problem = fmt.Sprintf("record %d, which you kept the hash of, is gone: records were removed from the end", expectSeq)
	}
	seq, hash := chain.Head()
	v := Verification{OK: chain.Problem == "", Records: chain.Checked, HeadSeq: seq, HeadHash: hash, ArchivedSeq: afterSeq, ArchivedHash: afterHash, Problem: chain.Problem}
	if expectSeq > 0 && expectSeq < afterSeq {
		v.Unchecked = fmt.Sprintf("record %d, whose hash you kept, has been archived (the ledger continues from record %d): check it against the archive files with ward audit verify --archive FILES --head-seq %d --head-hash HASH", expectSeq, afterSeq, expectSeq)
	}
	return v, nil
}

type stop struct{}

func (stop) Error() string { return "stop" }

var errStop error = stop{}

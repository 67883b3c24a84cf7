package domain

import (
	"slices"
	"strings"
	"time"
)

// Applied is the outcome of applying a batch of events.
type Applied struct {
	// Token is the ZedToken of the write (or of the read, when nothing changed).
	Token   string
	Touched int
	Deleted int
	// Unconfirmed: SpiceDB acknowledged the write, but fully consistent reads
	// did not show it within Ward's wait. The write happened; a read carrying
	// Token sees it.
	Unconfirmed bool
	// Notices are what people must be told now that the write happened
	// (the server sends them by webhook).
	Notices []Notice
	// Events are the events as applied, when Ward completed them (a review
	// revoking every standing grant names them): what the ledger records.
	Events []Event
}

// Notice is something a person must be told about a write: its Type (the
// event's, or what an event did besides: break_glass.closed when
// staff.removed closes an opening), the practice, whom to tell (Notify:
// person IDs), the event (its Index in the request), and the people and
// clients it touched that the event does not name (Users, Clients: the
// ledger's record names them too, so that a client's trail holds the
// review of an opening of their record).
type Notice struct {
	Type      string   `json:"type"`
	Workspace string   `json:"workspace"`
	Notify    []string `json:"notify"`
	Index     int      `json:"index"`
	Users     []string `json:"users,omitempty"`
	Clients   []string `json:"clients,omitempty"`
}

// Decision is the answer to one question.
type Decision struct {
	Allowed bool
	// Conditional: the answer depends on context the question did not give
	// (Missing, such as "amount"): it is not allowed, and would be with the
	// right context.
	Conditional bool
	Missing     []string
	Token       string
	// At is the moment the question was asked at: grants that start or end
	// (Span) count as they do then.
	At time.Time
}

// BulkDecision is one answer of a bulk check; Err is set when that item failed.
type BulkDecision struct {
	Allowed     bool
	Conditional bool     // as Decision's
	Missing     []string // as Decision's
	Err         error
}

// Found is one result of a lookup: an ID allowed outright or, with Missing
// set, one that would be allowed with context the lookup did not give (a
// lookup lists those only when asked: Given.Conditional).
type Found struct {
	ID      string
	Missing []string
}

// Conditional reports whether f is allowed only with more context.
func (f Found) Conditional() bool { return len(f.Missing) > 0 }

// FoundIDs is found's IDs, in order.
func FoundIDs(found []Found) []string {
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.ID
	}
	return out
}

// PageOf returns what was found after cursor (the last ID of the previous
// page), at most limit of them, and the cursor for the next page ("" when
// none). found must be sorted by ID.
func PageOf(found []Found, cursor string, limit int) (page []Found, next string) {
	start, ok := slices.BinarySearchFunc(found, cursor, func(f Found, c string) int { return strings.Compare(f.ID, c) })
	if cursor != "" && ok {
		start++
	}
	end := min(start+limit, len(found))
	if end < len(found) {
		next = found[end-1].ID
	}
	return found[start:end], next
}

package domain

import (
	"slices"
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

// PageOf returns the IDs after cursor (the last ID of the previous page), at
// most limit of them, and the cursor for the next page ("" when none). ids must
// be sorted.
func PageOf(ids []string, cursor string, limit int) (page []string, next string) {
	start, found := slices.BinarySearch(ids, cursor)
	if cursor != "" && found {
		start++
	}
	end := min(start+limit, len(ids))
	if end < len(ids) {
		next = ids[end-1]
	}
	return ids[start:end], next
}

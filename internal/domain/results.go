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

// PageOf returns the IDs after cursor (the last ID of the previous page), at
// most limit of them, and the cursor for the next page ("" when none). ids must
// be sorted.
func PageOf(ids []string, cursor string, limit int) (page []string, next string) {
	return PageBy(ids, func(id string) string { return id }, cursor, limit)
}

// PageBy is PageOf for items sorted by their id.
func PageBy[T any](items []T, id func(T) string, cursor string, limit int) (page []T, next string) {
	start, found := slices.BinarySearchFunc(items, cursor, func(t T, c string) int { return strings.Compare(id(t), c) })
	if cursor != "" && found {
		start++
	}
	end := min(start+limit, len(items))
	if end < len(items) {
		next = id(items[end-1])
	}
	return items[start:end], next
}

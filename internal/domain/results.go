package domain

// Applied is the outcome of applying a batch of events.
type Applied struct {
	// Token is the ZedToken of the write (or of the read, when nothing changed).
	Token   string
	Touched int
	Deleted int
}

// Decision is the answer to one question.
type Decision struct {
	Allowed bool
	Token   string
}

// BulkDecision is one answer of a bulk check; Err is set when that item failed.
type BulkDecision struct {
	Allowed bool
	Err     error
}

// Page is one page of a lookup: object IDs and the cursor to continue after
// them ("" when there is nothing more).
type Page struct {
	IDs    []string
	Cursor string
	Token  string
}

// Package api holds the JSON types of Ward's HTTP API, shared by the server
// and the Go client. Field names are a contract with app services.
package api

import (
	"encoding/json"

	"github.com/wardhq/ward/internal/domain"
)

// EventsRequest is the body of POST /v1/events.
type EventsRequest struct {
	Events []json.RawMessage `json:"events"`
}

// EventsResponse answers POST /v1/events and POST /v1/import.
type EventsResponse struct {
	Applied  int    `json:"applied"`
	Touched  int    `json:"touched"`
	Deleted  int    `json:"deleted"`
	ZedToken string `json:"zedtoken"`
	// Confirmed is false (with HTTP 202) when SpiceDB took the write but fully
	// consistent reads did not show it yet: it was written, and reads carrying
	// ZedToken see it; do not send it again. True with HTTP 200. A pointer so
	// that Go callers can tell an older Ward, which leaves it out.
	Confirmed *bool `json:"confirmed,omitempty"`
}

// CheckRequest is one question: may subject have permission on resource?
type CheckRequest struct {
	Subject    string `json:"subject"`
	Permission string `json:"permission"`
	Resource   string `json:"resource"`
	ZedToken   string `json:"zedtoken,omitempty"`
}

// CheckResponse answers POST /v1/check.
type CheckResponse struct {
	Allowed  bool   `json:"allowed"`
	ZedToken string `json:"zedtoken"`
}

// BulkCheckItem is one question of a bulk check.
type BulkCheckItem struct {
	Subject    string `json:"subject"`
	Permission string `json:"permission"`
	Resource   string `json:"resource"`
}

// BulkCheckRequest is the body of POST /v1/check/bulk.
type BulkCheckRequest struct {
	Checks   []BulkCheckItem `json:"checks"`
	ZedToken string          `json:"zedtoken,omitempty"`
}

// BulkCheckResult is one answer; Error is set when that item could not be answered.
type BulkCheckResult struct {
	Allowed bool       `json:"allowed"`
	Error   *ErrorBody `json:"error,omitempty"`
}

// BulkCheckResponse answers POST /v1/check/bulk, in the order asked.
type BulkCheckResponse struct {
	Results  []BulkCheckResult `json:"results"`
	ZedToken string            `json:"zedtoken"`
}

// LookupResourcesRequest asks which resources of a type a subject has permission on.
type LookupResourcesRequest struct {
	Subject      string `json:"subject"`
	Permission   string `json:"permission"`
	ResourceType string `json:"resource_type"`
	Limit        int    `json:"limit,omitempty"`
	Cursor       string `json:"cursor,omitempty"`
	ZedToken     string `json:"zedtoken,omitempty"`
}

// LookupResourcesResponse is one page of resources ("type:id").
type LookupResourcesResponse struct {
	Resources []string `json:"resources"`
	Cursor    string   `json:"cursor,omitempty"`
	ZedToken  string   `json:"zedtoken"`
}

// LookupStreamRequest asks POST /v1/lookup/resources/stream for every resource
// of a type a subject has permission on, streamed as found instead of paged.
type LookupStreamRequest struct {
	Subject      string `json:"subject"`
	Permission   string `json:"permission"`
	ResourceType string `json:"resource_type"`
	ZedToken     string `json:"zedtoken,omitempty"`
}

// LookupStreamLine is one line of the streamed answer (newline-delimited
// JSON). Every line but the last names one resource ("type:id"), each once,
// in the order SpiceDB finds them (not sorted). The last line is either Done,
// with how many resources were sent and the ZedToken read at, or an Error: an
// answer that ends without either was cut off.
type LookupStreamLine struct {
	Resource string     `json:"resource,omitempty"`
	Done     bool       `json:"done,omitempty"`
	Count    int        `json:"count,omitempty"`
	ZedToken string     `json:"zedtoken,omitempty"`
	Error    *ErrorBody `json:"error,omitempty"`
}

// LookupSubjectsRequest asks which users have permission on a resource.
type LookupSubjectsRequest struct {
	Resource   string `json:"resource"`
	Permission string `json:"permission"`
	Limit      int    `json:"limit,omitempty"`
	Cursor     string `json:"cursor,omitempty"`
	ZedToken   string `json:"zedtoken,omitempty"`
}

// LookupSubjectsResponse is one page of subjects ("user:id"), sorted.
type LookupSubjectsResponse struct {
	Subjects []string `json:"subjects"`
	Cursor   string   `json:"cursor,omitempty"`
	ZedToken string   `json:"zedtoken"`
}

// ExplainResponse answers POST /v1/explain (whose body is a CheckRequest).
type ExplainResponse struct {
	Allowed  bool            `json:"allowed"`
	Reasons  []domain.Reason `json:"reasons"`
	ZedToken string          `json:"zedtoken"`
}

// SchemaResponse answers GET /v1/schema.
type SchemaResponse struct {
	// Schema is the schema this Ward writes.
	Schema string `json:"schema"`
	// Current tells whether SpiceDB holds it.
	Current bool `json:"current"`
}

// ErrorBody is the JSON of every error.
type ErrorBody struct {
	Code    domain.Code `json:"code"`
	Message string      `json:"message"`
	Index   *int        `json:"index,omitempty"`
	Field   string      `json:"field,omitempty"`
}

// ErrorResponse wraps an error.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// Lookup page sizes.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Matrix answers GET /v1/workspaces/{id}/matrix: for each role and permission
// ("type.permission"), the level it reaches: all, own, written (only what the
// user wrote or uploaded), owner (the account owner only) or none.
type Matrix = domain.Matrix

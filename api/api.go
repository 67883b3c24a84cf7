// Package api holds the JSON types of Ward's HTTP API, shared by the server
// and the Go client. Field names are a contract with app services.
package api

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wardhq/ward/internal/domain"
)

// EventsRequest is the body of POST /v1/events.
type EventsRequest struct {
	Events []json.RawMessage `json:"events"`
}

// EventsResponse answers POST /v1/events.
type EventsResponse struct {
	Applied  int    `json:"applied"`
	Touched  int    `json:"touched"`
	Deleted  int    `json:"deleted"`
	ZedToken string `json:"zedtoken"`
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
// ("type.permission"), the level it reaches: all, own, owner (the account owner
// only) or none.
type Matrix struct {
	Workspace   string                       `json:"workspace"`
	Preset      string                       `json:"preset"`
	Roles       []string                     `json:"roles"`
	Permissions []string                     `json:"permissions"`
	Cells       map[string]map[string]string `json:"cells"`
}

// Markdown renders the matrix as a Markdown table, permissions as rows.
func (m Matrix) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| permission | %s |\n|---|%s\n", strings.Join(m.Roles, " | "), strings.Repeat("---|", len(m.Roles)))
	for _, p := range m.Permissions {
		cells := make([]string, len(m.Roles))
		for i, r := range m.Roles {
			cells[i] = m.Cells[r][p]
			if cells[i] == "none" {
				cells[i] = ""
			}
		}
		fmt.Fprintf(&b, "| %s | %s |\n", p, strings.Join(cells, " | "))
	}
	return b.String()
}

// Text renders the matrix as an aligned table for terminals.
func (m Matrix) Text() string {
	width := len("permission")
	for _, p := range m.Permissions {
		width = max(width, len(p))
	}
	cols := make([]int, len(m.Roles))
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", width, "permission")
	for i, r := range m.Roles {
		cols[i] = max(len(r), len("owner"))
		fmt.Fprintf(&b, "  %-*s", cols[i], r)
	}
	b.WriteString("\n")
	for _, p := range m.Permissions {
		fmt.Fprintf(&b, "%-*s", width, p)
		for i, r := range m.Roles {
			v := m.Cells[r][p]
			if v == "none" {
				v = "-"
			}
			fmt.Fprintf(&b, "  %-*s", cols[i], v)
		}
		b.WriteString("\n")
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

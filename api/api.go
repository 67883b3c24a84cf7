// Package api holds the JSON types of Ward's HTTP API, shared by the server
// and the Go client. Field names are a contract with app services.
package api

import (
	"encoding/json"
	"time"

	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/domain"
)

// EventsRequest is the body of POST /v1/events.
type EventsRequest struct {
	Events []json.RawMessage `json:"events"`
	// Actor is the person on whose behalf the app writes ("user:olivia"),
	// recorded in the audit ledger.
	Actor string `json:"actor,omitempty"`
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
	// Purpose is why the app asks (treatment, emergency, billing, ...),
	// recorded with the decision in the audit ledger.
	Purpose string `json:"purpose,omitempty"`
	// Context is what the question gives the conditions of grants: the
	// amount of a charge to approve.
	Context *CheckContext `json:"context,omitempty"`
	// Consume: a one-time grant of the subject's (an access request
	// approved with once) may count, and is used up if it does.
	Consume bool `json:"consume,omitempty"`
}

// CheckContext is a question's context.
type CheckContext struct {
	// Amount is a charge's amount in the practice's currency, which grants
	// limited by amount (amount_below) compare with their limit.
	Amount *float64 `json:"amount,omitempty"`
	// IP is the address the request being checked came from, which grants
	// limited to networks (a role's or a holding's networks) compare with
	// theirs: IPv4 or IPv6.
	IP *string `json:"ip,omitempty"`
}

// CheckResponse answers POST /v1/check.
type CheckResponse struct {
	Allowed bool `json:"allowed"`
	// Conditional: the answer depends on context the question did not give,
	// named in Missing ("amount"); Allowed is then false.
	Conditional bool     `json:"conditional,omitempty"`
	Missing     []string `json:"missing,omitempty"`
	ZedToken    string   `json:"zedtoken"`
	// Consumed names the one-time grant a check made with consume used up
	// (access_request:WORKSPACE/ID), "" when none.
	Consumed string `json:"consumed,omitempty"`
}

// BulkCheckItem is one question of a bulk check.
type BulkCheckItem struct {
	Subject    string        `json:"subject"`
	Permission string        `json:"permission"`
	Resource   string        `json:"resource"`
	Context    *CheckContext `json:"context,omitempty"`
}

// BulkCheckRequest is the body of POST /v1/check/bulk.
type BulkCheckRequest struct {
	Checks   []BulkCheckItem `json:"checks"`
	ZedToken string          `json:"zedtoken,omitempty"`
	// Purpose applies to every check of the request (see CheckRequest).
	Purpose string `json:"purpose,omitempty"`
}

// BulkCheckResult is one answer; Error is set when that item could not be answered.
type BulkCheckResult struct {
	Allowed     bool       `json:"allowed"`
	Conditional bool       `json:"conditional,omitempty"`
	Missing     []string   `json:"missing,omitempty"`
	Error       *ErrorBody `json:"error,omitempty"`
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
	// Context is what the lookup gives the conditions of grants (an ip for
	// networks, an amount for limits): it lists only what is allowed
	// outright with it, at the moment Ward asks.
	Context *CheckContext `json:"context,omitempty"`
	// IncludeConditional lists too, apart, what would be allowed with
	// context the lookup did not give, each with the context it needs.
	IncludeConditional bool `json:"include_conditional,omitempty"`
}

// LookupResourcesResponse is one page of resources ("type:id"). With
// include_conditional, a page holds at most limit resources in all, those
// allowed outright and those allowed only with more context.
type LookupResourcesResponse struct {
	Resources   []string              `json:"resources"`
	Conditional []ConditionalResource `json:"conditional,omitempty"`
	Cursor      string                `json:"cursor,omitempty"`
	ZedToken    string                `json:"zedtoken"`
}

// ConditionalResource is a resource a lookup found allowed only with context
// it did not give: Missing names that context ("ip", "amount"), as a check's
// answer does.
type ConditionalResource struct {
	Resource string   `json:"resource"`
	Missing  []string `json:"missing"`
}

// ConditionalSubject is ConditionalResource for a subject lookup.
type ConditionalSubject struct {
	Subject string   `json:"subject"`
	Missing []string `json:"missing"`
}

// LookupStreamRequest asks POST /v1/lookup/resources/stream for every resource
// of a type a subject has permission on, streamed as found instead of paged.
type LookupStreamRequest struct {
	Subject      string `json:"subject"`
	Permission   string `json:"permission"`
	ResourceType string `json:"resource_type"`
	ZedToken     string `json:"zedtoken,omitempty"`
	// Context is what the lookup gives the conditions of grants (an ip for
	// networks, an amount for limits): it lists only what is allowed
	// outright with it, at the moment Ward asks.
	Context *CheckContext `json:"context,omitempty"`
	// IncludeConditional lists too, apart, what would be allowed with
	// context the lookup did not give, each with the context it needs.
	IncludeConditional bool `json:"include_conditional,omitempty"`
}

// LookupStreamLine is one line of the streamed answer (newline-delimited
// JSON). Every line but the last names one resource ("type:id"), each once,
// in the order SpiceDB finds them (not sorted). With include_conditional,
// the resources allowed only with more context follow those allowed
// outright, sorted, each with Conditional and Missing set. The last line is
// either Done, with how many resources were sent (conditional ones
// included) and the ZedToken read at, or an Error: an answer that ends
// without either was cut off.
type LookupStreamLine struct {
	Resource    string     `json:"resource,omitempty"`
	Conditional bool       `json:"conditional,omitempty"`
	Missing     []string   `json:"missing,omitempty"`
	Done        bool       `json:"done,omitempty"`
	Count       int        `json:"count,omitempty"`
	ZedToken    string     `json:"zedtoken,omitempty"`
	Error       *ErrorBody `json:"error,omitempty"`
}

// MarshalJSON writes the done line's count even when it is 0: an empty
// answer says so ({"done":true,"count":0,...}).
func (l LookupStreamLine) MarshalJSON() ([]byte, error) {
	type plain LookupStreamLine
	if !l.Done {
		return json.Marshal(plain(l))
	}
	return json.Marshal(struct {
		Done     bool       `json:"done"`
		Count    int        `json:"count"`
		ZedToken string     `json:"zedtoken,omitempty"`
		Error    *ErrorBody `json:"error,omitempty"`
	}{l.Done, l.Count, l.ZedToken, l.Error})
}

// LookupSubjectsRequest asks which users and service accounts have permission on a resource.
type LookupSubjectsRequest struct {
	Resource   string `json:"resource"`
	Permission string `json:"permission"`
	Limit      int    `json:"limit,omitempty"`
	Cursor     string `json:"cursor,omitempty"`
	ZedToken   string `json:"zedtoken,omitempty"`
	// Context is what the lookup gives the conditions of grants (an ip for
	// networks, an amount for limits): it lists only what is allowed
	// outright with it, at the moment Ward asks.
	Context *CheckContext `json:"context,omitempty"`
	// IncludeConditional lists too, apart, what would be allowed with
	// context the lookup did not give, each with the context it needs.
	IncludeConditional bool `json:"include_conditional,omitempty"`
}

// LookupSubjectsResponse is one page of subjects ("user:ID", "service_account:ID"),
// sorted by ID (a service account by "service_account:ID").
type LookupSubjectsResponse struct {
	Subjects    []string             `json:"subjects"`
	Conditional []ConditionalSubject `json:"conditional,omitempty"`
	Cursor      string               `json:"cursor,omitempty"`
	ZedToken    string               `json:"zedtoken"`
}

// FieldsRequest asks POST /v1/fields which field groups of one record (a
// client's identifiers, insurance) a subject may see and change.
type FieldsRequest struct {
	Subject  string `json:"subject"`
	Resource string `json:"resource"`
	ZedToken string `json:"zedtoken,omitempty"`
	// Purpose is why the app asks (see CheckRequest); each group's view and
	// edit is recorded as a decision in the audit ledger.
	Purpose string `json:"purpose,omitempty"`
	// Context is what the question gives the conditions of grants, as a
	// check's.
	Context *CheckContext `json:"context,omitempty"`
}

// FieldsResponse answers POST /v1/fields: every field group of the
// resource's type, by name.
type FieldsResponse struct {
	Fields   map[string]domain.FieldAccess `json:"fields"`
	ZedToken string                        `json:"zedtoken"`
}

// ExplainResponse answers POST /v1/explain (whose body is a CheckRequest).
type ExplainResponse struct {
	Allowed bool            `json:"allowed"`
	Reasons []domain.Reason `json:"reasons"`
	// Trace is SpiceDB's own account of the same check: the stored relations
	// it looked up, in order, each found or not, in the practice's terms.
	Trace []domain.Step `json:"trace"`
	// Conditional and Missing are as a check's: the denial depends on
	// context the question did not give.
	Conditional bool     `json:"conditional,omitempty"`
	Missing     []string `json:"missing,omitempty"`
	ZedToken    string   `json:"zedtoken"`
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

// AuditRecord is one record of Ward's audit ledger (GET /v1/audit), as
// stored and hashed: docs/audit.md describes each field and the chain.
type AuditRecord struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// Kind is events.applied, events.refused, decision, decision.grant or
	// alert.bulk_access.
	Kind string `json:"kind"`
	// RequestID is the API request's X-Request-Id (the caller's, or Ward's).
	RequestID string `json:"request_id,omitempty"`
	// Account is who called Ward: "api-key:" and the first 12 hex digits of
	// the bootstrap key's SHA-256, "platform-key:" and a platform key's ID,
	// or "" when Ward requires no key.
	Account string `json:"account,omitempty"`
	// Actor is the person on whose behalf the app acted ("user:olivia").
	Actor     string `json:"actor,omitempty"`
	Workspace string `json:"workspace,omitempty"`
	// ZedToken is the revision written (events) or checked at (decisions).
	ZedToken string `json:"zedtoken,omitempty"`
	// Events are the batch's events, as applied (or refused).
	Events json.RawMessage `json:"events,omitempty"`
	// Error is why a batch was refused.
	Error string `json:"error,omitempty"`
	// Detail says what an alert saw.
	Detail string `json:"detail,omitempty"`
	// A decision: who asked for what, and the answer.
	Subject    string `json:"subject,omitempty"`
	Permission string `json:"permission,omitempty"`
	Resource   string `json:"resource,omitempty"`
	Allowed    *bool  `json:"allowed,omitempty"`
	// Context is what the question gave the conditions of grants (the ip
	// the end user came from, an amount), and Missing what the answer
	// needed and it did not give (the denial was conditional).
	Context *CheckContext `json:"context,omitempty"`
	Missing []string      `json:"missing,omitempty"`
	// Purpose is why the caller said it asked (treatment, emergency, ...).
	Purpose string `json:"purpose,omitempty"`
	// Of is, in a decision.grant record, the seq of the decision it
	// explains; Grant is what gave that access, as explain's reasons.
	Of    int64           `json:"of,omitempty"`
	Grant json.RawMessage `json:"grant,omitempty"`
	// Requests, Day and LastUsed are, in an api_key.usage record, how many
	// times the key (Resource) authenticated on that UTC day since the
	// instance's previous such record, and when it last did.
	Requests int64      `json:"requests,omitempty"`
	Day      string     `json:"day,omitempty"`
	LastUsed *time.Time `json:"last_used,omitempty"`
	// Users and Clients are the IDs of every person and client the record
	// names, for filtering.
	Users   []string `json:"users,omitempty"`
	Clients []string `json:"clients,omitempty"`
	// Prev is the hash of the record before (64 zeros before the first).
	Prev string `json:"prev"`
	// Hash is hex SHA-256 of Prev, a newline, and this record's JSON with
	// Hash empty.
	Hash string `json:"hash"`
}

// AuditPage answers GET /v1/audit: records in order, and the cursor of the
// next page ("" after the last).
type AuditPage struct {
	Records []AuditRecord `json:"records"`
	Cursor  string        `json:"cursor"`
}

// AuditVerification answers GET /v1/audit/verify.
type AuditVerification struct {
	OK bool `json:"ok"`
	// Records is how many records were checked and found in order.
	Records int64 `json:"records"`
	// HeadSeq and HeadHash are the last good record's: keep them elsewhere
	// and pass them back to detect records removed from the end.
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	// ArchivedSeq and ArchivedHash are the last archived record's (0 when
	// none was): the ledger continues from it, and the archive files end
	// with it (docs/audit.md, retention).
	ArchivedSeq  int64  `json:"archived_seq,omitempty"`
	ArchivedHash string `json:"archived_hash,omitempty"`
	// Problem says where the chain breaks, when it does.
	Problem string `json:"problem,omitempty"`
	// Unchecked says what was asked but could not be checked here: a kept
	// head that has since been archived (check it against the archive
	// files: ward audit verify --archive FILES --head-seq --head-hash).
	Unchecked string `json:"unchecked,omitempty"`
}

// AuditQuery selects records of GET /v1/audit; every field set must match.
type AuditQuery struct {
	Workspace string
	// User is the actor of a change, the subject of a decision, or a person
	// an event names.
	User string
	// Client is a client whose record was checked or whom an event names.
	Client string
	// Action is an event type, a permission, or a record kind.
	Action string
	// From and To bound the records' time: From <= time < To.
	From, To time.Time
	// Cursor is the page before's cursor ("" for the first page).
	Cursor string
	Limit  int
}

// CreateKeyRequest is the body of POST /v1/workspaces/{ws}/api-keys: a key
// for a service account of the practice, made at the request of actor (who
// must hold manage_api_keys: the account owner).
type CreateKeyRequest struct {
	Account string `json:"account"`
	Actor   string `json:"actor"`
	// ExpiresAt (RFC 3339) ends the key by itself; empty: after the longest a key may last (serve --api-key-max-age).
	ExpiresAt string `json:"expires_at,omitempty"`
}

// KeyActionRequest is the body of .../api-keys/{id}/rotate and .../revoke.
type KeyActionRequest struct {
	Actor string `json:"actor"`
	// ExpiresAt (rotate only) ends the new key; empty: after the longest a key may last.
	ExpiresAt string `json:"expires_at,omitempty"`
}

// AuthenticateRequest is the body of POST /v1/api-keys/authenticate.
type AuthenticateRequest struct {
	Key string `json:"key"`
}

// BreakGlassQuery asks GET /v1/workspaces/{ws}/break-glass for one page:
// state, user, client, cursor and limit.
type BreakGlassQuery = domain.BreakGlassQuery

// BreakGlassPage answers GET /v1/workspaces/{ws}/break-glass: one page of
// the practice's emergency openings, oldest first; Cursor ("" on the last
// page) asks for the next.
type BreakGlassPage struct {
	BreakGlass []domain.BreakGlass `json:"break_glass"`
	Cursor     string              `json:"cursor"`
}

// AccessRequestQuery asks GET /v1/workspaces/{ws}/access-requests for one
// page: state, user, cursor and limit.
type AccessRequestQuery = domain.AccessRequestQuery

// AccessRequestPage answers GET /v1/workspaces/{ws}/access-requests: one
// page of the practice's requests for access, oldest first; Cursor (""
// on the last page) asks for the next.
type AccessRequestPage struct {
	Requests []domain.AccessRequest `json:"requests"`
	Cursor   string                 `json:"cursor"`
}

// DelegationQuery asks GET /v1/workspaces/{ws}/delegations for one page:
// state, user, cursor and limit.
type DelegationQuery = domain.DelegationQuery

// DelegationPage answers GET /v1/workspaces/{ws}/delegations: one page of
// the practice's delegations, oldest first, each in its state at the time
// of asking; Cursor ("" on the last page) asks for the next.
type DelegationPage struct {
	Delegations []domain.Delegation `json:"delegations"`
	Cursor      string              `json:"cursor"`
}

// AccessReviewQuery asks GET /v1/workspaces/{ws}/access-review for one
// page: user, due, actor, cursor and limit.
type AccessReviewQuery = domain.AccessReviewQuery

// AccessReviewPage answers GET /v1/workspaces/{ws}/access-review: one page
// of the practice's people (by ID), each with their standing grants, who
// granted them and when, their last review and whether one is due; Cursor
// ("" on the last page) asks for the next.
type AccessReviewPage struct {
	Reviews []domain.AccessReview `json:"reviews"`
	Cursor  string                `json:"cursor"`
}

// KeyList answers GET /v1/workspaces/{ws}/api-keys: the live keys, without
// secrets.
type KeyList struct {
	Keys []apikeys.Info `json:"keys"`
}

// KeyUsage answers GET /v1/workspaces/{ws}/api-keys/{id}/usage: the
// authentications of the key per UTC day, oldest first.
type KeyUsage struct {
	ID        string        `json:"id"`
	Workspace string        `json:"workspace"`
	Days      []KeyUsageDay `json:"days"`
}

// KeyUsageDay is one day of a key's usage.
type KeyUsageDay struct {
	Day      string    `json:"day"`
	Requests int64     `json:"requests"`
	LastUsed time.Time `json:"last_used"`
}

// CreatePlatformKeyRequest is the body of POST /v1/keys: a key for Ward's
// own API, limited to verbs (check, lookup, explain, events, audit, admin)
// and, when listed, to some practices.
type CreatePlatformKeyRequest struct {
	Verbs      []string `json:"verbs"`
	Workspaces []string `json:"workspaces,omitempty"`
	// ExpiresAt (RFC 3339) ends the key by itself; empty: never.
	ExpiresAt string `json:"expires_at,omitempty"`
}

// PlatformKeyList answers GET /v1/keys: the live platform keys, without
// secrets.
type PlatformKeyList struct {
	Keys []apikeys.PlatformInfo `json:"keys"`
}

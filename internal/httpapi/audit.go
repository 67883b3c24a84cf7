package httpapi

import (
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
)

// auditParams are the query parameters GET /v1/audit reads.
var auditParams = []string{"workspace", "user", "client", "action", "from", "to", "cursor", "limit", "format"}

// handleAudit answers GET /v1/audit: one page of the records the filter
// selects, as JSON ({"records", "cursor"}) or, with format, as JSON Lines,
// CSV or a FHIR R4 Bundle whose next page's cursor is the Ward-Audit-Cursor
// header.
func (a *service) handleAudit(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Audit == nil {
		return domain.Errorf(domain.CodeNotFound, "this Ward keeps no audit ledger")
	}
	q, err := queryParams(r, auditParams)
	if err != nil {
		return err
	}
	f := audit.Filter{Workspace: q.Get("workspace"), User: q.Get("user"), Client: q.Get("client"), Action: q.Get("action")}
	if err := checkAuditFilter(f); err != nil {
		return err
	}
	if s := scopeOf(r.Context()); !s.Everywhere() {
		// A key limited to some practices reads only records that name one of
		// them: one practice at a time.
		if f.Workspace == "" && len(s.Workspaces) == 1 {
			f.Workspace = s.Workspaces[0]
		}
		if f.Workspace == "" {
			return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "workspace", Message: "is required with a platform key limited to some practices: name one of " + strings.Join(s.Workspaces, ", ")}
		}
		if err := reach(r.Context(), f.Workspace); err != nil {
			return err
		}
	}
	for _, t := range []struct {
		name string
		to   *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			at, err := domain.ParseTime(v)
			if err != nil {
				return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: t.name, Message: err.Error()}
			}
			if at.IsZero() { // the zero time reads as not given
				return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: t.name, Message: v + " is before every record: give a later time, or leave " + t.name + " out"}
			}
			*t.to = at
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		// From <= time < To: no record would do.
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "to", Message: fmt.Sprintf("%s is not after from (%s): records are selected from <= time < to", q.Get("to"), q.Get("from"))}
	}
	var after int64
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		// No record follows math.MaxInt64, and the page after it would
		// start at its seq plus one.
		if err != nil || n < 0 || n == math.MaxInt64 {
			return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "cursor", Message: "give back the cursor of the page before, unchanged"}
		}
		after = n
	}
	limit, err := queryLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	format := q.Get("format")
	switch format {
	case "", "json", audit.FormatJSONL, audit.FormatCSV, audit.FormatFHIR:
	default:
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "format", Message: fmt.Sprintf("%q: use json (default), jsonl, csv or fhir", format)}
	}
	recs, next, err := audit.Query(r.Context(), a.cfg.Audit, f, after, limit)
	if err != nil {
		return domain.Errorf(domain.CodeUnavailable, "reading the audit ledger: %v", err)
	}
	cursor := ""
	if next > 0 {
		cursor = strconv.FormatInt(next, 10)
	}
	if format == "" || format == "json" {
		if recs == nil {
			recs = []audit.Record{}
		}
		writeJSON(w, http.StatusOK, api.AuditPage{Records: recs, Cursor: cursor})
		return nil
	}
	w.Header().Set("Ward-Audit-Cursor", cursor)
	switch format {
	case audit.FormatJSONL:
		w.Header().Set("Content-Type", "application/jsonl")
		return audit.WriteJSONL(w, recs)
	case audit.FormatCSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return audit.WriteCSV(w, recs, after == 0)
	default:
		w.Header().Set("Content-Type", "application/fhir+json")
		return audit.WriteFHIR(w, recs)
	}
}

// handleAuditVerify answers GET /v1/audit/verify: the whole chain checked,
// and, with head_seq and head_hash kept from an earlier answer, that the
// ledger still holds that record unchanged.
func (a *service) handleAuditVerify(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Audit == nil {
		return domain.Errorf(domain.CodeNotFound, "this Ward keeps no audit ledger")
	}
	if err := everywhere(r.Context(), "the ledger's chain"); err != nil {
		return err
	}
	q, err := queryParams(r, []string{"head_seq", "head_hash"})
	if err != nil {
		return err
	}
	var seq int64
	hash := q.Get("head_hash")
	if v := q.Get("head_seq"); v != "" || hash != "" {
		// Either alone would check nothing: a hash is checked at its seq.
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || hash == "" {
			return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "head_seq", Message: "give a record's seq (from 1) with its head_hash, as an earlier verify answered them"}
		}
		seq = n
	}
	if hash != "" {
		hash = strings.ToLower(hash)
		if _, err := hex.DecodeString(hash); err != nil || len(hash) != 64 {
			return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "head_hash", Message: "give the record's hash (64 hex digits), as an earlier verify answered it"}
		}
	}
	v, err := audit.VerifyLedger(r.Context(), a.cfg.Audit, seq, hash)
	if err != nil {
		return domain.Errorf(domain.CodeUnavailable, "reading the audit ledger: %v", err)
	}
	writeJSON(w, http.StatusOK, v) // ok is false, and problem says where, when the chain breaks
	return nil
}

// queryLimit reads a page's limit from a query parameter ("" for the
// default): digits only, as a number is written ("+5" and "05" are not).
func queryLimit(v string) (int, error) {
	limit := 0
	if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || strconv.Itoa(n) != v {
			return 0, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "limit", Message: fmt.Sprintf("must be a number between 1 and %d", api.MaxLimit)}
		}
		limit = n
	}
	return pageLimit(limit)
}

// onlyParams refuses query parameters other than known, and any given more
// than once (which one counts would be a guess: ?workspace=a&workspace=b
// would read a's records only).
func onlyParams(q url.Values, known []string) error {
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if len(known) == 0 {
			return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: k, Message: "is not a parameter: this endpoint takes no query parameters (what it reads is in its path and body)"}
		}
		if !slices.Contains(known, k) {
			return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: k, Message: fmt.Sprintf("is not a parameter of this endpoint (its parameters: %v)", known)}
		}
		if n := len(q[k]); n > 1 {
			return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: k, Message: fmt.Sprintf("is given %d times: give it once", n)}
		}
	}
	return nil
}

// queryParams reads r's query, every parameter one of known and given once.
// A query that does not parse whole is refused: url.Values would drop the
// pair it could not read (a ';', a bad '%' escape) and answer as if that
// filter or check had not been asked for.
func queryParams(r *http.Request, known []string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "query", Message: fmt.Sprintf(
			"the query string does not parse (%v): separate parameters with '&' only and percent-encode ';', '%%' and other reserved characters in values", err)}
	}
	return q, onlyParams(q, known)
}

// checkAuditFilter refuses a filter that could match no record whatever the
// ledger holds (a misspelt action, a malformed ID, a subject of another
// type), so that an empty page always means no such records.
func checkAuditFilter(f audit.Filter) error {
	bad := func(field, format string, args ...any) error {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	if f.Workspace != "" {
		if err := domain.ValidateID(f.Workspace); err != nil {
			return bad("workspace", "%q %v", f.Workspace, err)
		}
	}
	for _, id := range []struct{ field, value, prefix string }{{"user", f.User, "user:"}, {"client", f.Client, "client:"}} {
		if id.value == "" {
			continue
		}
		v := strings.TrimPrefix(id.value, id.prefix)
		if id.field == "user" {
			v = strings.TrimPrefix(v, domain.TypeServiceAccount+":")
		}
		if err := domain.ValidateID(v); err != nil {
			return bad(id.field, "%q: give an ID, or %sID: %v", id.value, id.prefix, err)
		}
	}
	if a := f.Action; a != "" && !slices.Contains(audit.Kinds, a) && !isEventType(a) && !isPermission(a) {
		return bad("action", "%q is not an event type, a permission or a kind of record (%s)", a, strings.Join(audit.Kinds, ", "))
	}
	return nil
}

func isEventType(name string) bool {
	_, ok := domain.EventTypes[name]
	return ok
}

// isPermission reports whether some resource type has a permission name.
func isPermission(name string) bool {
	for typ := range domain.Permissions {
		if _, ok := domain.LookupPermission(typ, name); ok {
			return true
		}
	}
	return false
}

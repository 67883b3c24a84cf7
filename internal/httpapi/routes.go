package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
)

// Routes is every route the API serves; docs/openapi.yaml documents each.
var Routes = slices.Concat([]string{
	"POST /v1/events",
	"POST /v1/import",
	"POST /v1/check",
	"POST /v1/check/bulk",
	"POST /v1/lookup/resources",
	"POST /v1/lookup/resources/stream",
	"POST /v1/lookup/subjects",
	"POST /v1/explain",
	"POST /v1/fields",
	"GET /v1/schema",
	"GET /v1/workspaces/{id}/matrix",
	"GET /v1/workspaces/{ws}/break-glass",
	"GET /v1/workspaces/{ws}/access-requests",
	"GET /v1/workspaces/{ws}/delegations",
	"GET /v1/workspaces/{ws}/access-review",
	"GET /v1/audit",
	"GET /v1/audit/verify",
}, keyRoutes, platformRoutes, []string{
	"GET /healthz",
	"GET /readyz",
	"GET /metrics",
})

func (a *service) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/events", a.endpoint("events", call, a.handleEvents))
	mux.Handle("POST /v1/import", a.endpoint("import", bulk, a.handleImport))
	mux.Handle("POST /v1/check", a.endpoint("check", call, a.handleCheck))
	mux.Handle("POST /v1/check/bulk", a.endpoint("check_bulk", call, a.handleCheckBulk))
	mux.Handle("POST /v1/lookup/resources", a.endpoint("lookup_resources", call, a.handleLookupResources))
	mux.Handle("POST /v1/lookup/resources/stream", a.endpoint("lookup_resources_stream", stream, a.handleLookupStream))
	mux.Handle("POST /v1/lookup/subjects", a.endpoint("lookup_subjects", call, a.handleLookupSubjects))
	mux.Handle("POST /v1/explain", a.endpoint("explain", call, a.handleExplain))
	mux.Handle("POST /v1/fields", a.endpoint("fields", call, a.handleFields))
	mux.Handle("GET /v1/schema", a.endpoint("schema", call, a.handleSchema))
	mux.Handle("GET /v1/workspaces/{id}/matrix", a.endpoint("matrix", call, a.handleMatrix))
	mux.Handle("GET /v1/workspaces/{ws}/break-glass", a.endpoint("break_glass_list", call, a.handleBreakGlass))
	mux.Handle("GET /v1/workspaces/{ws}/access-requests", a.endpoint("access_request_list", call, a.handleAccessRequests))
	mux.Handle("GET /v1/workspaces/{ws}/delegations", a.endpoint("delegation_list", call, a.handleDelegations))
	mux.Handle("GET /v1/workspaces/{ws}/access-review", a.endpoint("access_review", call, a.handleAccessReview))
	mux.Handle("GET /v1/audit", a.endpoint("audit", call, a.handleAudit))
	mux.Handle("GET /v1/audit/verify", a.endpoint("audit_verify", call, a.handleAuditVerify))
	for i, h := range a.keyHandlers() {
		mux.Handle(keyRoutes[i], a.endpoint(keyRouteNames[i], call, h))
	}
	for i, h := range a.platformHandlers() {
		mux.Handle(platformRoutes[i], a.endpoint(platformRouteNames[i], call, h))
	}
	mux.Handle("GET /healthz", a.endpoint("healthz", probe, func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	}))
	mux.Handle("GET /readyz", a.endpoint("readyz", probe, a.handleReady))
	if a.cfg.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.cfg.Metrics, promhttp.HandlerOpts{}))
	}
	mux.Handle("/", a.endpoint(notFoundRoute, probe, func(w http.ResponseWriter, r *http.Request) error {
		if allow := allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return domain.Errorf(domain.CodeMethodNotAllowed, "%s %s: this endpoint answers %s only", r.Method, r.URL.Path, strings.Join(allow, ", "))
		}
		return domain.Errorf(domain.CodeNotFound, "no such endpoint: see docs/openapi.yaml for Ward's API")
	}))
	return mux
}

// allowed lists the methods r's path is answered for, as an Allow header
// does; none when the path is not served at all. GET routes answer HEAD too,
// and every served path answers OPTIONS (CORS preflights).
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		if _, pattern := mux.Handler(&http.Request{Method: method, Host: r.Host, URL: r.URL}); pattern != "" && pattern != "/" {
			out = append(out, method)
		}
	}
	if len(out) > 0 {
		out = append(out, http.MethodOptions)
	}
	return out
}

// handleEvents applies events atomically; handleImport imports new practices
// in bulk. Both read the same request and answer the same response.
func (a *service) handleEvents(w http.ResponseWriter, r *http.Request) error {
	return a.writeEvents(w, r, a.limits.events, domain.MaxEventsPerRequest, "split them into requests of at most that many (each is applied atomically)",
		domain.ParseEvents, a.auth.Apply, "events applied")
}

func (a *service) handleImport(w http.ResponseWriter, r *http.Request) error {
	release, err := a.importTurn(r.Context(), w)
	if err != nil {
		return err
	}
	defer release()
	return a.writeEvents(w, r, a.limits.imports, domain.MaxImportEvents, "split the import into several, each creating whole practices",
		domain.ParseImport, a.auth.Import, "practices imported")
}

func (a *service) writeEvents(w http.ResponseWriter, r *http.Request, lim bodyLimit, most int, split string,
	parse func([]json.RawMessage) ([]domain.Event, error),
	write func(context.Context, []domain.Event) (domain.Applied, error), done string) error {
	raws, actor, err := a.readEvents(w, r, lim, most, split)
	if err != nil {
		return err
	}
	events, err := parse(raws)
	if err != nil {
		return err
	}
	for i := range events {
		events[i].Actor = actor // events a person decides are held to them (domain.ActorChecks)
	}
	for _, e := range events {
		if err := reach(r.Context(), e.Workspace); err != nil {
			return err
		}
	}
	who := audit.WhoFrom(r.Context())
	who.Actor = actor
	res, err := write(audit.WithWho(r.Context(), who), events)
	if err != nil {
		return err
	}
	a.log.Info(done, "events", len(events), "touched", res.Touched, "deleted", res.Deleted, "confirmed", !res.Unconfirmed)
	// 202, not 503: the write happened. A caller that took this for a failure
	// and sent the events again would apply them twice.
	status, confirmed := http.StatusOK, !res.Unconfirmed
	if res.Unconfirmed {
		status = http.StatusAccepted
	}
	writeJSON(w, status, api.EventsResponse{Applied: len(events), Touched: res.Touched, Deleted: res.Deleted, ZedToken: res.Token, Confirmed: &confirmed})
	return nil
}

func (a *service) handleCheck(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.CheckRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	q, err := domain.ParseQuestion(req.Subject, req.Permission, req.Resource)
	if err != nil {
		return err
	}
	if q.Given, err = givenOf(req.Context); err != nil {
		return err
	}
	if err := checkPurpose(req.Purpose); err != nil {
		return err
	}
	if err := a.reachObjects(r.Context(), q.Resource); err != nil {
		return err
	}
	ctx := withPurpose(r.Context(), req.Purpose)
	var d domain.Decision
	var consumed domain.Consumed
	if req.Consume {
		// Using a grant up is a write, in the subject's name.
		if err := allowVerb(ctx, "events"); err != nil {
			return err
		}
		d, consumed, err = a.auth.Consume(ctx, q, req.ZedToken)
	} else {
		d, err = a.auth.Check(ctx, q, req.ZedToken)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.CheckResponse{Allowed: d.Allowed, Conditional: d.Conditional, Missing: d.Missing, ZedToken: d.Token, Consumed: consumed.Request})
	return nil
}

// givenOf reads a request's context: context.amount and context.ip, each ""
// when it gives none.
func givenOf(c *api.CheckContext) (g domain.Given, err error) {
	if c == nil {
		return g, nil
	}
	if c.Amount != nil {
		if g.Amount, err = domain.ParseAmount(*c.Amount); err != nil {
			return g, err
		}
	}
	if c.IP != nil {
		if g.IP, err = domain.ParseIP(*c.IP); err != nil {
			return g, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "context.ip", Message: err.Error()}
		}
	}
	return g, nil
}

func (a *service) handleCheckBulk(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.BulkCheckRequest](a, w, r, a.limits.bulk)
	if err != nil {
		return err
	}
	switch {
	case len(req.Checks) == 0:
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "checks", Message: fmt.Sprintf("must hold between 1 and %d checks", api.MaxLimit)}
	case len(req.Checks) > api.MaxLimit:
		return &domain.Error{Code: domain.CodeTooLarge, Index: -1, Field: "checks",
			Message: fmt.Sprintf("%d checks; a bulk check takes at most %d: split them into several bulk checks", len(req.Checks), api.MaxLimit)}
	}
	qs := make([]domain.Question, len(req.Checks))
	for i, c := range req.Checks {
		q, err := domain.ParseQuestion(c.Subject, c.Permission, c.Resource)
		if err == nil {
			q.Given, err = givenOf(c.Context)
		}
		if err != nil {
			if e, ok := err.(*domain.Error); ok {
				e.Index = i
			}
			return err
		}
		qs[i] = q
	}
	if err := checkPurpose(req.Purpose); err != nil {
		return err
	}
	resources := make([]domain.Object, len(qs))
	for i, q := range qs {
		resources[i] = q.Resource
	}
	if err := a.reachObjects(r.Context(), resources...); err != nil {
		return err
	}
	ds, token, err := a.auth.CheckBulk(withPurpose(r.Context(), req.Purpose), qs, req.ZedToken)
	if err != nil {
		return err
	}
	resp := api.BulkCheckResponse{Results: make([]api.BulkCheckResult, len(ds)), ZedToken: token}
	for i, d := range ds {
		resp.Results[i].Allowed, resp.Results[i].Conditional, resp.Results[i].Missing = d.Allowed, d.Conditional, d.Missing
		if d.Err != nil {
			_, body := errorBody(d.Err)
			resp.Results[i].Error = &body
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleFields answers which field groups of one record the subject may see
// and change: one bulk check of each group's view and edit permissions, so
// every answer is SpiceDB's, at one revision, and audited like any check.
func (a *service) handleFields(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.FieldsRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	subject, err := domain.ParseSubject(req.Subject)
	if err != nil {
		return err
	}
	resource, err := domain.ParseResource(req.Resource)
	if err != nil {
		return err
	}
	groups, qs, err := domain.FieldQuestions(subject, resource)
	if err != nil {
		return err
	}
	given, err := givenOf(req.Context)
	if err != nil {
		return err
	}
	for i := range qs {
		qs[i].Given = given
	}
	if err := checkPurpose(req.Purpose); err != nil {
		return err
	}
	if err := a.reachObjects(r.Context(), resource); err != nil {
		return err
	}
	ds, token, err := a.auth.CheckBulk(withPurpose(r.Context(), req.Purpose), qs, req.ZedToken)
	if err != nil {
		return err
	}
	fields, err := domain.FieldAnswers(groups, ds)
	if err != nil {
		return err
	}
	resp := api.FieldsResponse{Fields: fields, ZedToken: token}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// withPurpose returns ctx whose caller gave purpose for its checks.
func withPurpose(ctx context.Context, purpose string) context.Context {
	who := audit.WhoFrom(ctx)
	who.Purpose = purpose
	return audit.WithWho(ctx, who)
}

func (a *service) handleLookupResources(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.LookupResourcesRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	subject, err := lookupQuestion(req.Subject, req.Permission, req.ResourceType)
	if err != nil {
		return err
	}
	given, err := givenOf(req.Context)
	if err != nil {
		return err
	}
	given.Conditional = req.IncludeConditional
	limit, err := pageLimit(req.Limit)
	if err != nil {
		return err
	}
	// A key limited to some practices sees only theirs, and a cursor only
	// ever names one of those (reachedPage).
	page, next, token, err := a.reachedPage(r.Context(), req.ResourceType, req.Cursor, limit, func(cursor string, limit int) ([]domain.Found, string, string, error) {
		return a.auth.LookupResourcesPage(r.Context(), subject, req.Permission, req.ResourceType, given, req.ZedToken, cursor, limit)
	})
	if err != nil {
		return err
	}
	resp := api.LookupResourcesResponse{Resources: []string{}, Cursor: next, ZedToken: token}
	for _, f := range page {
		ref := req.ResourceType + ":" + f.ID
		if f.Conditional() {
			resp.Conditional = append(resp.Conditional, api.ConditionalResource{Resource: ref, Missing: f.Missing})
		} else {
			resp.Resources = append(resp.Resources, ref)
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// lookupQuestion validates a resource lookup and returns its subject.
func lookupQuestion(subject, permission, resourceType string) (domain.Object, error) {
	s, err := domain.ParseSubject(subject)
	if err != nil {
		return domain.Object{}, err
	}
	if err := domain.ValidateResourceType(resourceType); err != nil {
		if e, ok := err.(*domain.Error); ok {
			e.Field = "resource_type"
		}
		return domain.Object{}, err
	}
	return s, domain.ValidatePermission(resourceType, permission)
}

// streamFlushEvery is how many lines a streamed lookup sends between flushes.
// Each of the first that many is flushed at once, so the caller can start on
// the first page while SpiceDB computes the rest.
const streamFlushEvery = 256

// handleLookupStream streams every resource as SpiceDB finds it, one JSON
// line each, ending with a done line (or an error line once lines were sent;
// before that, an error is an ordinary error answer).
func (a *service) handleLookupStream(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.LookupStreamRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	subject, err := lookupQuestion(req.Subject, req.Permission, req.ResourceType)
	if err != nil {
		return err
	}
	given, err := givenOf(req.Context)
	if err != nil {
		return err
	}
	given.Conditional = req.IncludeConditional
	// A caller that stops reading is cut off WriteTimeout after its last read,
	// and its lookup in SpiceDB with it, instead of holding both for good.
	out := newRenewingWriter(w, a.cfg.WriteTimeout)
	enc := json.NewEncoder(out)
	sent := 0
	token, err := a.auth.StreamResources(r.Context(), subject, req.Permission, req.ResourceType, given, req.ZedToken, func(f domain.Found) error {
		if kept, err := a.keepReached(r.Context(), req.ResourceType, []domain.Found{f}); err != nil || len(kept) == 0 {
			return err // nil: not in a practice the key reaches
		}
		if sent == 0 {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
		}
		if err := enc.Encode(api.LookupStreamLine{Resource: req.ResourceType + ":" + f.ID, Conditional: f.Conditional(), Missing: f.Missing}); err != nil {
			return err
		}
		sent++
		if sent <= streamFlushEvery || sent%streamFlushEvery == 0 {
			return out.Flush()
		}
		return nil
	})
	switch {
	case err != nil && sent == 0:
		return err
	case err != nil && overTime(r.Context()):
		err = overTimeError(a.cfg.StreamTimeout, "--stream-timeout", err)
		a.log.Info("streamed lookup ran past its time limit", "sent", sent, "limit", a.cfg.StreamTimeout.String())
		_, body := errorBody(err)
		_ = enc.Encode(api.LookupStreamLine{Error: &body})
		return nil
	case err != nil && r.Context().Err() != nil:
		a.log.Info("streamed lookup: the caller stopped reading or went away", "sent", sent, "error", err.Error())
		return nil
	case err != nil:
		status, body := errorBody(err)
		a.log.Error("streamed lookup failed after it began", "sent", sent, "status", status, "error", err.Error())
		_ = enc.Encode(api.LookupStreamLine{Error: &body})
		return nil
	case sent == 0:
		w.Header().Set("Content-Type", "application/x-ndjson")
	}
	return enc.Encode(api.LookupStreamLine{Done: true, Count: sent, ZedToken: token})
}

func (a *service) handleLookupSubjects(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.LookupSubjectsRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	res, err := domain.ParseResource(req.Resource)
	if err != nil {
		return err
	}
	if err := domain.ValidatePermission(res.Type, req.Permission); err != nil {
		return err
	}
	if err := a.reachObjects(r.Context(), res); err != nil {
		return err
	}
	limit, err := pageLimit(req.Limit)
	if err != nil {
		return err
	}
	given, err := givenOf(req.Context)
	if err != nil {
		return err
	}
	given.Conditional = req.IncludeConditional
	page, next, token, err := a.auth.LookupSubjectsPage(r.Context(), res, req.Permission, given, req.ZedToken, req.Cursor, limit)
	if err != nil {
		return err
	}
	resp := api.LookupSubjectsResponse{Subjects: []string{}, Cursor: next, ZedToken: token}
	for _, f := range page {
		if f.Conditional() {
			resp.Conditional = append(resp.Conditional, api.ConditionalSubject{Subject: domain.PersonRef(f.ID), Missing: f.Missing})
		} else {
			resp.Subjects = append(resp.Subjects, domain.PersonRef(f.ID))
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (a *service) handleExplain(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.CheckRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	q, err := domain.ParseQuestion(req.Subject, req.Permission, req.Resource)
	if err != nil {
		return err
	}
	if q.Given, err = givenOf(req.Context); err != nil {
		return err
	}
	if err := a.reachObjects(r.Context(), q.Resource); err != nil {
		return err
	}
	ex, token, err := a.auth.Explain(r.Context(), q, req.ZedToken)
	if err != nil {
		return err
	}
	if ex.Reasons == nil {
		ex.Reasons = []domain.Reason{}
	}
	if ex.Trace == nil {
		ex.Trace = []domain.Step{}
	}
	writeJSON(w, http.StatusOK, api.ExplainResponse{Allowed: ex.Allowed, Reasons: ex.Reasons, Trace: ex.Trace, Conditional: len(ex.Missing) > 0, Missing: ex.Missing, ZedToken: token})
	return nil
}

func (a *service) handleSchema(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Schema == nil {
		return domain.Errorf(domain.CodeInternal, "schema reporting is not configured")
	}
	s, err := a.cfg.Schema(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *service) handleReady(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Ready != nil {
		if err := a.cfg.Ready(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
			return nil
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

// pathWorkspace is the practice the path's wildcard name names, once it is
// an ID the caller's key reaches.
func pathWorkspace(r *http.Request, name string) (string, error) {
	ws := r.PathValue(name)
	if err := domain.ValidateID(ws); err != nil {
		return "", &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "workspace", Message: err.Error()}
	}
	return ws, reach(r.Context(), ws)
}

func (a *service) handleMatrix(w http.ResponseWriter, r *http.Request) error {
	ws, err := pathWorkspace(r, "id")
	if err != nil {
		return err
	}
	m, err := a.auth.Matrix(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// breakGlassParams are the query parameters GET /v1/workspaces/{ws}/break-glass reads.
var breakGlassParams = []string{"state", "user", "client", "cursor", "limit"}

// handleBreakGlass lists a practice's emergency openings: every one, those
// still open, or those not yet reviewed (state), by one person or of one
// client, a page at a time.
func (a *service) handleBreakGlass(w http.ResponseWriter, r *http.Request) error {
	ws, q, limit, err := listParams(r, breakGlassParams)
	if err != nil {
		return err
	}
	page, cursor, err := a.auth.BreakGlass(r.Context(), ws, domain.BreakGlassQuery{
		State: q.Get("state"), User: q.Get("user"), Client: q.Get("client"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.BreakGlassPage{BreakGlass: page, Cursor: cursor})
	return nil
}

// accessRequestParams are the query parameters GET
// /v1/workspaces/{ws}/access-requests reads.
var accessRequestParams = []string{"state", "user", "cursor", "limit"}

// handleAccessRequests lists a practice's requests for access: every one,
// or those in one state, by one person, a page at a time.
func (a *service) handleAccessRequests(w http.ResponseWriter, r *http.Request) error {
	ws, q, limit, err := listParams(r, accessRequestParams)
	if err != nil {
		return err
	}
	page, cursor, err := a.auth.AccessRequests(r.Context(), ws, domain.AccessRequestQuery{
		State: q.Get("state"), User: q.Get("user"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.AccessRequestPage{Requests: page, Cursor: cursor})
	return nil
}

// delegationParams are the query parameters GET
// /v1/workspaces/{ws}/delegations reads.
var delegationParams = []string{"state", "user", "cursor", "limit"}

// handleDelegations lists a practice's delegations: every one, or those in
// one state now, lent by or to one person, a page at a time.
func (a *service) handleDelegations(w http.ResponseWriter, r *http.Request) error {
	ws, q, limit, err := listParams(r, delegationParams)
	if err != nil {
		return err
	}
	page, cursor, err := a.auth.Delegations(r.Context(), ws, domain.DelegationQuery{
		State: q.Get("state"), User: q.Get("user"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.DelegationPage{Delegations: page, Cursor: cursor})
	return nil
}

// accessReviewParams are the query parameters GET
// /v1/workspaces/{ws}/access-review reads.
var accessReviewParams = []string{"user", "due", "actor", "cursor", "limit"}

// handleAccessReview lists a practice's access review: every person's (or
// one's, or those due), or those the actor may review, a page at a time.
func (a *service) handleAccessReview(w http.ResponseWriter, r *http.Request) error {
	ws, q, limit, err := listParams(r, accessReviewParams)
	if err != nil {
		return err
	}
	due := false
	switch v := q.Get("due"); v {
	case "", "false":
	case "true":
		due = true
	default:
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "due", Message: fmt.Sprintf("%q: use true (only the people whose review is due) or false", v)}
	}
	page, cursor, err := a.auth.AccessReview(r.Context(), ws, domain.AccessReviewQuery{
		User: q.Get("user"), Due: due, Actor: q.Get("actor"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.AccessReviewPage{Reviews: page, Cursor: cursor})
	return nil
}

// listParams reads a practice's list route: the practice in its path, its
// query (only params), and the page's limit.
func listParams(r *http.Request, params []string) (string, url.Values, int, error) {
	ws, err := pathWorkspace(r, "ws")
	if err != nil {
		return "", nil, 0, err
	}
	q, err := queryParams(r, params)
	if err != nil {
		return "", nil, 0, err
	}
	limit, err := queryLimit(q.Get("limit"))
	return ws, q, limit, err
}

package httpapi

import (
	"context"
	"encoding/json"
	"github.com/wardhq/ward/api"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wardhq/ward/internal/domain"
)

// Routes is every route the API serves; docs/openapi.yaml documents each.
var Routes = []string{
	"POST /v1/events",
	"POST /v1/import",
	"POST /v1/check",
	"POST /v1/check/bulk",
	"POST /v1/lookup/resources",
	"POST /v1/lookup/resources/stream",
	"POST /v1/lookup/subjects",
	"POST /v1/explain",
	"GET /v1/schema",
	"GET /v1/workspaces/{id}/matrix",
	"GET /healthz",
	"GET /readyz",
	"GET /metrics",
}

func (a *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/events", a.endpoint("events", true, a.handleEvents))
	mux.Handle("POST /v1/import", a.endpoint("import", true, a.handleImport))
	mux.Handle("POST /v1/check", a.endpoint("check", true, a.handleCheck))
	mux.Handle("POST /v1/check/bulk", a.endpoint("check_bulk", true, a.handleCheckBulk))
	mux.Handle("POST /v1/lookup/resources", a.endpoint("lookup_resources", true, a.handleLookupResources))
	mux.Handle("POST /v1/lookup/resources/stream", a.endpoint("lookup_resources_stream", true, a.handleLookupStream))
	mux.Handle("POST /v1/lookup/subjects", a.endpoint("lookup_subjects", true, a.handleLookupSubjects))
	mux.Handle("POST /v1/explain", a.endpoint("explain", true, a.handleExplain))
	mux.Handle("GET /v1/schema", a.endpoint("schema", true, a.handleSchema))
	mux.Handle("GET /v1/workspaces/{id}/matrix", a.endpoint("matrix", true, a.handleMatrix))
	mux.Handle("GET /healthz", a.endpoint("healthz", false, func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	}))
	mux.Handle("GET /readyz", a.endpoint("readyz", false, a.handleReady))
	if a.cfg.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.cfg.Metrics, promhttp.HandlerOpts{}))
	}
	mux.Handle("/", a.endpoint("not_found", false, func(http.ResponseWriter, *http.Request) error {
		return domain.Errorf(domain.CodeNotFound, "no such endpoint: see docs/openapi.yaml for Ward's API")
	}))
	return mux
}

// handleEvents applies events atomically; handleImport imports new practices
// in bulk. Both read the same request and answer the same response.
func (a *service) handleEvents(w http.ResponseWriter, r *http.Request) error {
	return a.writeEvents(w, r, a.cfg.MaxBodyBytes, domain.ParseEvents, a.auth.Apply, "events applied")
}

// importBodyFactor is how much larger an import's body may be than other requests'.
const importBodyFactor = 16

func (a *service) handleImport(w http.ResponseWriter, r *http.Request) error {
	return a.writeEvents(w, r, a.cfg.MaxBodyBytes*importBodyFactor, domain.ParseImport, a.auth.Import, "practices imported")
}

func (a *service) writeEvents(w http.ResponseWriter, r *http.Request, maxBody int64,
	parse func([]json.RawMessage) ([]domain.Event, error),
	write func(context.Context, []domain.Event) (domain.Applied, error), done string) error {
	req, err := decodeUpTo[api.EventsRequest](w, r, maxBody)
	if err != nil {
		return err
	}
	events, err := parse(req.Events)
	if err != nil {
		return err
	}
	res, err := write(r.Context(), events)
	if err != nil {
		return err
	}
	a.log.Info(done, "events", len(events), "touched", res.Touched, "deleted", res.Deleted)
	writeJSON(w, http.StatusOK, api.EventsResponse{Applied: len(events), Touched: res.Touched, Deleted: res.Deleted, ZedToken: res.Token})
	return nil
}

func (a *service) handleCheck(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.CheckRequest](a, w, r)
	if err != nil {
		return err
	}
	q, err := domain.ParseQuestion(req.Subject, req.Permission, req.Resource)
	if err != nil {
		return err
	}
	d, err := a.auth.Check(r.Context(), q, req.ZedToken)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.CheckResponse{Allowed: d.Allowed, ZedToken: d.Token})
	return nil
}

func (a *service) handleCheckBulk(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.BulkCheckRequest](a, w, r)
	if err != nil {
		return err
	}
	if len(req.Checks) == 0 || len(req.Checks) > api.MaxLimit {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "checks", Message: "must hold between 1 and 1000 checks"}
	}
	qs := make([]domain.Question, len(req.Checks))
	for i, c := range req.Checks {
		q, err := domain.ParseQuestion(c.Subject, c.Permission, c.Resource)
		if err != nil {
			if e, ok := err.(*domain.Error); ok {
				e.Index = i
			}
			return err
		}
		qs[i] = q
	}
	ds, token, err := a.auth.CheckBulk(r.Context(), qs, req.ZedToken)
	if err != nil {
		return err
	}
	resp := api.BulkCheckResponse{Results: make([]api.BulkCheckResult, len(ds)), ZedToken: token}
	for i, d := range ds {
		resp.Results[i].Allowed = d.Allowed
		if d.Err != nil {
			_, body := errorBody(d.Err)
			resp.Results[i].Error = &body
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (a *service) handleLookupResources(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.LookupResourcesRequest](a, w, r)
	if err != nil {
		return err
	}
	subject, err := lookupQuestion(req.Subject, req.Permission, req.ResourceType)
	if err != nil {
		return err
	}
	limit, err := pageLimit(req.Limit)
	if err != nil {
		return err
	}
	page, next, token, err := a.auth.LookupResourcesPage(r.Context(), subject, req.Permission, req.ResourceType, req.ZedToken, req.Cursor, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.LookupResourcesResponse{Resources: refs(req.ResourceType, page), Cursor: next, ZedToken: token})
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
	req, err := decode[api.LookupStreamRequest](a, w, r)
	if err != nil {
		return err
	}
	subject, err := lookupQuestion(req.Subject, req.Permission, req.ResourceType)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	sent := 0
	token, err := a.auth.StreamResources(r.Context(), subject, req.Permission, req.ResourceType, req.ZedToken, func(id string) error {
		if sent == 0 {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
		}
		if err := enc.Encode(api.LookupStreamLine{Resource: req.ResourceType + ":" + id}); err != nil {
			return err
		}
		sent++
		if sent <= streamFlushEvery || sent%streamFlushEvery == 0 {
			return rc.Flush()
		}
		return nil
	})
	switch {
	case err != nil && sent == 0:
		return err
	case err != nil:
		if r.Context().Err() != nil {
			a.log.Info("streamed lookup: the caller went away", "sent", sent)
			return nil
		}
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
	req, err := decode[api.LookupSubjectsRequest](a, w, r)
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
	limit, err := pageLimit(req.Limit)
	if err != nil {
		return err
	}
	page, next, token, err := a.auth.LookupSubjectsPage(r.Context(), res, req.Permission, req.ZedToken, req.Cursor, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.LookupSubjectsResponse{Subjects: refs(domain.TypeUser, page), Cursor: next, ZedToken: token})
	return nil
}

func (a *service) handleExplain(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.CheckRequest](a, w, r)
	if err != nil {
		return err
	}
	q, err := domain.ParseQuestion(req.Subject, req.Permission, req.Resource)
	if err != nil {
		return err
	}
	ex, token, err := a.auth.Explain(r.Context(), q, req.ZedToken)
	if err != nil {
		return err
	}
	if ex.Reasons == nil {
		ex.Reasons = []domain.Reason{}
	}
	writeJSON(w, http.StatusOK, api.ExplainResponse{Allowed: ex.Allowed, Reasons: ex.Reasons, ZedToken: token})
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

func (a *service) handleMatrix(w http.ResponseWriter, r *http.Request) error {
	ws := r.PathValue("id")
	if err := domain.ValidateID(ws); err != nil {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "workspace", Message: err.Error()}
	}
	m, err := a.auth.Matrix(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// refs turns IDs of one type into "type:id" references (never null in JSON).
func refs(typ string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = domain.Object{Type: typ, ID: id}.String()
	}
	return out
}

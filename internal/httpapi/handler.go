package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/wardhq/ward/api"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/internal/domain"
)

// Authorizer is what the API needs from the SpiceDB adapter.
type Authorizer interface {
	Apply(ctx context.Context, events []domain.Event) (domain.Applied, error)
	Import(ctx context.Context, events []domain.Event) (domain.Applied, error)
	Check(ctx context.Context, q domain.Question, token string) (domain.Decision, error)
	CheckBulk(ctx context.Context, qs []domain.Question, token string) ([]domain.BulkDecision, string, error)
	// LookupResourcesPage and LookupSubjectsPage answer one page after cursor
	// ("" for the first): its IDs, the next page's cursor ("" on the last)
	// and the revision read.
	LookupResourcesPage(ctx context.Context, subject domain.Object, permission, resourceType, token, cursor string, limit int) ([]string, string, string, error)
	StreamResources(ctx context.Context, subject domain.Object, permission, resourceType, token string, emit func(id string) error) (string, error)
	LookupSubjectsPage(ctx context.Context, resource domain.Object, permission, token, cursor string, limit int) ([]string, string, string, error)
	Explain(ctx context.Context, q domain.Question, token string) (domain.Explanation, string, error)
	Matrix(ctx context.Context, workspace string) (domain.Matrix, error)
}

// Config is what the handler needs besides the Authorizer.
type Config struct {
	// APIKeys, when any, are the bearer tokens every /v1 call must present.
	APIKeys []string
	Logger  *slog.Logger
	// Metrics receives the API's metrics and is served on /metrics; nil for none.
	Metrics *prometheus.Registry
	// Ready reports whether Ward can answer (SpiceDB reachable, schema current).
	Ready func(context.Context) error
	// Schema reports the schema Ward writes and whether SpiceDB holds it.
	Schema func(context.Context) (api.SchemaResponse, error)
	// MaxBodyBytes bounds request bodies; 0 means 8 MiB (imports: 16 times that).
	MaxBodyBytes int64
}

type service struct {
	auth    Authorizer
	cfg     Config
	log     *slog.Logger
	metrics *metrics
}

// New returns Ward's HTTP API.
func New(auth Authorizer, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	a := &service{auth: auth, cfg: cfg, log: cfg.Logger, metrics: newMetrics(cfg.Metrics)}
	return a.routes()
}

// notYetRetryAfter is the Retry-After (seconds) of a not_yet answer.
const notYetRetryAfter = "1"

// endpoint wraps a handler with authentication, metrics and error handling.
func (a *service) endpoint(route string, authenticated bool, h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		var err error
		if authenticated && !a.authorized(r) {
			err = domain.Errorf(domain.CodeUnauthorized, "missing or unknown API key: send Authorization: Bearer <key>")
		} else {
			err = h(rec, r)
		}
		if err != nil {
			status, body := errorBody(err)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			a.log.Log(r.Context(), level, "request failed", "route", route, "status", status, "error", err.Error())
			if body.Code == domain.CodeNotYet {
				// SpiceDB catches up with a revision within a second or so.
				rec.Header().Set("Retry-After", notYetRetryAfter)
			}
			writeJSON(rec, status, api.ErrorResponse{Error: body})
		}
		a.metrics.observe(route, rec.status, time.Since(start))
	})
}

func (a *service) authorized(r *http.Request) bool {
	if len(a.cfg.APIKeys) == 0 {
		return true
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	for _, k := range a.cfg.APIKeys {
		if subtle.ConstantTimeCompare([]byte(token), []byte(k)) == 1 {
			return true
		}
	}
	return false
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController reach the connection (to flush streams).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body strictly: unknown fields and trailing data are errors.
func decode[T any](a *service, w http.ResponseWriter, r *http.Request) (T, error) {
	return decodeUpTo[T](w, r, a.cfg.MaxBodyBytes)
}

// decodeUpTo is decode with its own bound on the body's size.
func decodeUpTo[T any](w http.ResponseWriter, r *http.Request, most int64) (T, error) {
	var v T
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, most))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, bodyError(err)
	}
	if dec.More() {
		return v, domain.Errorf(domain.CodeInvalid, "body: trailing data after the JSON object")
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return v, domain.Errorf(domain.CodeInvalid, "body: trailing data after the JSON object")
	}
	return v, nil
}

func bodyError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.CodeInvalid, "body: a JSON object is required")
	case errors.As(err, &typeErr):
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: typeErr.Field, Message: fmt.Sprintf("must be %s", typeErr.Type)}
	case errors.As(err, &maxErr):
		return domain.Errorf(domain.CodeInvalid, "body: larger than %d bytes: split the request", maxErr.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: field, Message: "is not a field of this request"}
	}
	return domain.Errorf(domain.CodeInvalid, "body: not valid JSON: %v", err)
}

func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return api.DefaultLimit, nil
	case limit < 0 || limit > api.MaxLimit:
		return 0, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", api.MaxLimit)}
	}
	return limit, nil
}

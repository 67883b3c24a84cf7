package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/audit"
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
	LookupResourcesPage(ctx context.Context, subject domain.Object, permission, resourceType string, given domain.Given, token, cursor string, limit int) ([]domain.Found, string, string, error)
	StreamResources(ctx context.Context, subject domain.Object, permission, resourceType string, given domain.Given, token string, emit func(domain.Found) error) (string, error)
	LookupSubjectsPage(ctx context.Context, resource domain.Object, permission string, given domain.Given, token, cursor string, limit int) ([]domain.Found, string, string, error)
	Explain(ctx context.Context, q domain.Question, token string) (domain.Explanation, string, error)
	Matrix(ctx context.Context, workspace string) (domain.Matrix, error)
	// BreakGlass lists one page of a practice's emergency openings, and the
	// next page's cursor.
	BreakGlass(ctx context.Context, ws string, q domain.BreakGlassQuery) ([]domain.BreakGlass, string, error)
	// Consume is Check that may use up one of the subject's one-time
	// grants, and says which it used.
	Consume(ctx context.Context, q domain.Question, token string) (domain.Decision, domain.Consumed, error)
	// AccessRequests lists one page of a practice's requests for access,
	// and the next page's cursor.
	AccessRequests(ctx context.Context, ws string, q domain.AccessRequestQuery) ([]domain.AccessRequest, string, error)
	// Delegations lists one page of a practice's delegations, and the next
	// page's cursor.
	Delegations(ctx context.Context, ws string, q domain.DelegationQuery) ([]domain.Delegation, string, error)
	// AccessReview lists one page of a practice's access review, and the
	// next page's cursor.
	AccessReview(ctx context.Context, ws string, q domain.AccessReviewQuery) ([]domain.AccessReview, string, error)
}

// Config is what the handler needs besides the Authorizer.
type Config struct {
	// APIKeys, when any, are the bearer tokens every /v1 call must present.
	APIKeys []string
	// Audit is the ledger GET /v1/audit reads and verifies; nil answers
	// those routes with 404 (not kept).
	Audit audit.Ledger
	// Keys manages practices' API keys; nil answers those routes with 404.
	Keys KeyManager
	// PlatformKeys, when set, manages keys for Ward's own API scoped to verbs
	// and practices (wp.…), accepted beside APIKeys; nil: none.
	PlatformKeys PlatformKeyManager
	Logger       *slog.Logger
	// Metrics receives the API's metrics and is served on /metrics; nil for none.
	Metrics *prometheus.Registry
	// Ready reports whether Ward can answer (SpiceDB reachable, schema current).
	Ready func(context.Context) error
	// Schema reports the schema Ward writes and whether SpiceDB holds it.
	Schema func(context.Context) (api.SchemaResponse, error)
	// MaxBodyBytes bounds the body of POST /v1/events; bulk checks are bounded
	// at 1 MiB and single questions at 64 KiB, or at this if it is less.
	// 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxImportBytes bounds the body of POST /v1/import; 0 means
	// DefaultMaxImportBytes.
	MaxImportBytes int64
	// Hosts are the Host headers calls are answered for; the zero value
	// serves localhost and loopback addresses only. /healthz, /readyz and
	// /metrics answer any Host.
	Hosts Hosts
	// CORSOrigins are the web origins (scheme://host[:port], see
	// ParseOrigin) whose pages may call Ward. A request carrying any other
	// Origin is refused.
	CORSOrigins []string
	// Limits bound each call in time, and the calls served at once.
	Limits
}

// Limits bound each call in time, and the calls served at once; 0 means the
// default of each.
type Limits struct {
	// MaxInFlight bounds the /v1 calls served at once; past it, calls are
	// answered 503 busy with Retry-After. Probes are not counted. 0 means
	// DefaultMaxInFlight.
	MaxInFlight int
	// ReadTimeout bounds receiving a request's body.
	ReadTimeout time.Duration
	// RequestTimeout bounds a call's work (SpiceDB's included) and the writing
	// of its answer, but for the streamed lookup's (StreamTimeout) and an
	// import's (ImportTimeout).
	RequestTimeout time.Duration
	// WriteTimeout bounds how long one write of an answer may wait on a caller
	// that does not read; the streamed lookup renews it as it goes.
	WriteTimeout time.Duration
	// StreamTimeout bounds a streamed lookup from start to end.
	StreamTimeout time.Duration
	// ImportTimeout bounds an import's work and answer, waiting its turn
	// included.
	ImportTimeout time.Duration
	// ImportWait is how long an import waits for the one in progress to end
	// (imports run one at a time) before it is answered 503 busy.
	ImportWait time.Duration
}

// Defaults of Config's limits (0 in Config means these).
//
// Body caps: a realistic import of 100,000 events (twice domain.MaxImportEvents),
// with 36-character IDs (UUIDs) and indented, measured 27.7 MB; with the short
// IDs of ward-bench's practices, 10.8 MB. 1,000 events take well under 1 MiB.
//
// Times: a write retries for up to 30 s under contention and then waits up to
// 10 s for fully consistent reads to see it, so a call gets a minute. An
// import of 100,000 events (42 practices, UUID IDs, 471,578 relationships,
// more than domain.MaxImportChanges) took 34 s on memdb here, so imports get
// five minutes. A minute to receive a
// body lets a 32 MiB import come at 0.5 MB/s.
const (
	DefaultMaxBodyBytes   = 8 << 20
	DefaultMaxImportBytes = 32 << 20
	DefaultMaxInFlight    = 64
	DefaultReadTimeout    = time.Minute
	DefaultRequestTimeout = time.Minute
	DefaultWriteTimeout   = 10 * time.Second
	DefaultStreamTimeout  = 10 * time.Minute
	DefaultImportTimeout  = 5 * time.Minute
	DefaultImportWait     = 10 * time.Second
)

type service struct {
	auth    Authorizer
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	limits  struct{ question, bulk, events, imports bodyLimit }
	mux     *http.ServeMux
	// origins are cfg.CORSOrigins as browsers send them.
	origins []string
	// inFlight holds a token for each /v1 call being served; large one for
	// each with a body larger than a question's (enterCall); importing the one
	// import being run.
	inFlight, large, importing chan struct{}
}

// New returns Ward's HTTP API.
func New(auth Authorizer, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.MaxBodyBytes = cmp.Or(cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	cfg.MaxImportBytes = cmp.Or(cfg.MaxImportBytes, DefaultMaxImportBytes)
	cfg.MaxInFlight = cmp.Or(cfg.MaxInFlight, DefaultMaxInFlight)
	cfg.ReadTimeout = cmp.Or(cfg.ReadTimeout, DefaultReadTimeout)
	cfg.RequestTimeout = cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout)
	cfg.WriteTimeout = cmp.Or(cfg.WriteTimeout, DefaultWriteTimeout)
	cfg.StreamTimeout = cmp.Or(cfg.StreamTimeout, DefaultStreamTimeout)
	cfg.ImportTimeout = cmp.Or(cfg.ImportTimeout, DefaultImportTimeout)
	cfg.ImportWait = cmp.Or(cfg.ImportWait, DefaultImportWait)
	a := &service{auth: auth, cfg: cfg, log: cfg.Logger,
		inFlight: make(chan struct{}, cfg.MaxInFlight), large: make(chan struct{}, max(cfg.MaxInFlight/8, 1)), importing: make(chan struct{}, 1)}
	a.metrics = newMetrics(cfg.Metrics, func() float64 { return float64(len(a.inFlight)) })
	a.limits.question = bodyLimit{min(questionBodyBytes, cfg.MaxBodyBytes), "a question needs only subject, permission, resource (or resource_type), zedtoken and context"}
	a.limits.bulk = bodyLimit{min(bulkBodyBytes, cfg.MaxBodyBytes), "split the checks into several bulk checks"}
	a.limits.events = bodyLimit{cfg.MaxBodyBytes, "split the events into smaller batches (each request is applied atomically)"}
	a.limits.imports = bodyLimit{cfg.MaxImportBytes, "split the import into several imports, each creating whole practices"}
	for _, o := range cfg.CORSOrigins {
		if origin, err := ParseOrigin(o); err == nil {
			a.origins = append(a.origins, origin)
		}
	}
	a.mux = a.routes()
	return a
}

// ServeHTTP bounds a request in time and admits it (its Host and Origin)
// before routing it.
func (a *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.setDeadlines(w, r)
	if err := a.admit(w, r); err != nil {
		a.observed("refused", func(http.ResponseWriter, *http.Request) error { return err }).ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodOptions {
		a.observed("options", a.handleOptions).ServeHTTP(w, r)
		return
	}
	if unclean(r.URL.Path) {
		// ServeMux would answer a redirect in HTML, which invites a
		// client to send its POST again elsewhere.
		clean := path.Clean(r.URL.Path)
		a.observed("refused", func(http.ResponseWriter, *http.Request) error {
			return domain.Errorf(domain.CodeNotFound, "path %q is not in its plain form (no //, /./ or /../): send it as %q", r.URL.Path, clean)
		}).ServeHTTP(w, r)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// unclean reports whether p has an empty, "." or ".." segment.
func unclean(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}

// kind is how an endpoint is guarded.
type kind struct {
	// call: a /v1 call, which needs an API key and counts against MaxInFlight.
	call bool
	// limit is the call's time limit and the flag that sets it.
	limit func(Config) (time.Duration, string)
}

func requestLimit(c Config) (time.Duration, string) { return c.RequestTimeout, "--request-timeout" }

var (
	probe  = kind{limit: requestLimit}
	call   = kind{call: true, limit: requestLimit}
	stream = kind{call: true, limit: func(c Config) (time.Duration, string) { return c.StreamTimeout, "--stream-timeout" }}
	bulk   = kind{call: true, limit: func(c Config) (time.Duration, string) { return c.ImportTimeout, "--import-timeout" }}
)

// endpoint wraps a handler with authentication, limits, metrics and error
// handling.
func (a *service) endpoint(route string, k kind, h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	timeout, flag := k.limit(a.cfg)
	if _, ok := routeVerbs[route]; k.call && !ok && !verbless[route] {
		panic(fmt.Sprintf("route %s names no platform-key verb: add it to routeVerbs (or verbless)", route))
	}
	return a.observed(route, func(w http.ResponseWriter, r *http.Request) error {
		if k.call {
			account, platform, ok := a.authorized(r)
			if !ok {
				if len(r.Header.Values("Authorization")) > 1 {
					return domain.Errorf(domain.CodeUnauthorized, "more than one Authorization header: send one, Authorization: Bearer <key>")
				}
				return domain.Errorf(domain.CodeUnauthorized, "missing or unknown API key: send Authorization: Bearer <key>")
			}
			release, err := a.enterCall(w, r)
			if err != nil {
				return err
			}
			defer release()
			ctx := r.Context()
			if platform != "" {
				info, err := a.cfg.PlatformKeys.AuthenticatePlatformKey(ctx, platform)
				if err != nil {
					return err
				}
				account = "platform-key:" + info.ID
				ctx = context.WithValue(ctx, scopeKey{}, &info.Scope)
			}
			if err := allowVerb(ctx, route); err != nil {
				return err
			}
			who := audit.WhoFrom(ctx)
			who.Account = account
			r = r.WithContext(audit.WithWho(ctx, who))
		}
		if k.call && !readsQuery[route] {
			if _, err := queryParams(r, nil); err != nil {
				return err
			}
		}
		if route != notFoundRoute && r.Method != http.MethodGet {
			if err := requireJSON(r); err != nil {
				return err
			}
		}
		// The answer may be written until the work's limit, plus the time to
		// write it (a stream renews its deadline as it writes).
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout + a.cfg.WriteTimeout))
		ctx, cancel := context.WithTimeoutCause(r.Context(), timeout, errOverTime)
		defer cancel()
		err := h(w, r.WithContext(ctx))
		if err != nil && overTime(ctx) {
			return overTimeError(timeout, flag, err)
		}
		return err
	})
}

// readsQuery are the routes that read query parameters (each names its
// own: queryParams). Every other call refuses a query: a parameter it would
// not read is one the caller thinks filters or changes the answer.
var readsQuery = map[string]bool{"audit": true, "audit_verify": true, "break_glass_list": true,
	"access_request_list": true, "delegation_list": true, "access_review": true}

// notFoundRoute names the route that answers what no other route does (404,
// or 405 with Allow): it reads no body, so a body of any type gets that
// answer, not 415 (as GET routes, which read none either).
const notFoundRoute = "not_found"

// notYetRetryAfter is the Retry-After (seconds) of a not_yet answer.
const notYetRetryAfter = "1"

// observed runs h, answers its error, and counts the request in the metrics.
func (a *service) observed(route string, h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		id := requestID(r)
		rec.Header().Set(requestIDHeader, id)
		r = r.WithContext(audit.WithWho(r.Context(), audit.Who{RequestID: id}))
		if err := h(rec, r); err != nil {
			status, body := errorBody(err)
			level := slog.LevelInfo
			if status >= 500 && body.Code != domain.CodeNotYet {
				// not_yet is the caller's token ahead of SpiceDB, not a
				// fault of Ward's: a caller must not fill the error log
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

// bearerToken is the token of r's one Authorization header in the Bearer
// scheme, whose name is read in any case (RFC 9110); two such headers give
// none.
func bearerToken(h http.Header) (token string, ok bool) {
	values := h.Values("Authorization")
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return token, true
}

// authorized reports whether r carries one of the API keys (any request
// does when Ward requires none) and names the caller's account: the key's
// fingerprint, or "" without keys. A platform key (wp.…) is returned as
// platform, for the caller to read from SpiceDB: it is then authorized only
// once that read finds it.
func (a *service) authorized(r *http.Request) (account, platform string, ok bool) {
	token, bearer := bearerToken(r.Header)
	if bearer && a.cfg.PlatformKeys != nil && apikeys.IsPlatform(token) {
		return "", token, true
	}
	if len(a.cfg.APIKeys) == 0 {
		return "", "", true
	}
	if !bearer {
		return "", "", false
	}
	for _, k := range a.cfg.APIKeys {
		if subtle.ConstantTimeCompare([]byte(token), []byte(k)) == 1 {
			return KeyAccount(k), "", true
		}
	}
	return "", "", false
}

// KeyAccount names the caller that presents key in the audit ledger without
// revealing it: "api-key:" and the first 12 hex digits of its SHA-256.
func KeyAccount(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "api-key:" + hex.EncodeToString(sum[:6])
}

// requestIDHeader carries a request's ID, the caller's or Ward's own; every
// answer carries it back, and the audit ledger records it.
const requestIDHeader = "X-Request-Id"

// requestID is the caller's X-Request-Id when it is a plausible ID (1-128
// letters, digits, '-', '_', '.', ':'), or a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get(requestIDHeader); len(id) > 0 && len(id) <= 128 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == "" {
		return id
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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
	// Encoded whole before the status is sent: an answer that does not
	// encode (a time past the year 9999, say) is a 500 that says so, never a
	// success with an empty body.
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(api.ErrorResponse{Error: api.ErrorBody{Code: domain.CodeInternal, Message: "Ward could not encode its answer as JSON (" + err.Error() + "): report this"}})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
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

package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/domain"
)

// PlatformKeyManager manages keys for Ward's own API, each scoped to verbs
// and practices (the server's is service.PlatformKeys with the ledger).
type PlatformKeyManager interface {
	CreatePlatformKey(ctx context.Context, scope apikeys.Scope, expires time.Time) (apikeys.PlatformIssued, error)
	ListPlatformKeys(ctx context.Context) ([]apikeys.PlatformInfo, error)
	RevokePlatformKey(ctx context.Context, id string) (apikeys.PlatformInfo, error)
	// AuthenticatePlatformKey reads key afresh; a key that does not
	// authenticate is a domain.CodeUnauthorized error.
	AuthenticatePlatformKey(ctx context.Context, key string) (apikeys.PlatformInfo, error)
	// WorkspacesOf names each object's practice ("" for none).
	WorkspacesOf(ctx context.Context, objs []domain.Object) ([]string, error)
}

// routeVerbs is the verb each /v1 route needs of a platform key; only the
// routes in verbless need none beyond a valid key. endpoint refuses to build
// a call route that is in neither, so a new route cannot be left open to
// every key by forgetting it here.
var routeVerbs = map[string]string{
	"events": "events", "import": "events",
	"check": "check", "check_bulk": "check", "fields": "check", "api_key_authenticate": "check",
	"lookup_resources": "lookup", "lookup_resources_stream": "lookup", "lookup_subjects": "lookup",
	"explain": "explain", "matrix": "explain",
	"audit": "audit", "audit_verify": "audit", "break_glass_list": "audit", "access_request_list": "audit", "delegation_list": "audit", "access_review": "audit",
	"api_key_create": "admin", "api_key_list": "admin", "api_key_rotate": "admin", "api_key_revoke": "admin", "api_key_usage": "admin",
	"platform_key_create": "admin", "platform_key_list": "admin", "platform_key_revoke": "admin",
}

// verbless are the call routes any valid key may call: the schema, which is
// the same for every practice.
var verbless = map[string]bool{"schema": true}

type scopeKey struct{}

// scopeOf is the caller's scope: nil for a caller with no limits.
func scopeOf(ctx context.Context) *apikeys.Scope {
	s, _ := ctx.Value(scopeKey{}).(*apikeys.Scope)
	return s
}

func forbidden(format string, args ...any) error {
	return &domain.Error{Code: domain.CodeForbidden, Index: -1, Message: fmt.Sprintf(format, args...)}
}

// allowVerb refuses a route the caller's key is not scoped to.
func allowVerb(ctx context.Context, route string) error {
	s := scopeOf(ctx)
	if verb, ok := routeVerbs[route]; ok && !s.Allows(verb) {
		return forbidden("this platform key may not call %s (it needs the %q verb; the key has %s): make one with `ward keys create --verbs %s`", route, verb, strings.Join(s.Verbs, ", "), verb)
	}
	return nil
}

// reach refuses practices the caller's key does not reach.
func reach(ctx context.Context, workspaces ...string) error {
	s := scopeOf(ctx)
	for _, ws := range workspaces {
		if !s.Reaches(ws) {
			return forbidden("this platform key reaches only workspaces %s, not %q", strings.Join(s.Workspaces, ", "), ws)
		}
	}
	return nil
}

// everywhere refuses a caller whose key is limited to some practices: what
// the route answers spans them all.
func everywhere(ctx context.Context, what string) error {
	if s := scopeOf(ctx); !s.Everywhere() {
		return forbidden("%s spans every practice, and this platform key reaches only %s", what, strings.Join(s.Workspaces, ", "))
	}
	return nil
}

// reachObjects refuses objects outside the practices the caller's key
// reaches; an object of no practice, or that does not exist, is refused the
// same way, so a scoped key learns nothing about other practices.
func (a *service) reachObjects(ctx context.Context, objs ...domain.Object) error {
	if scopeOf(ctx).Everywhere() {
		return nil
	}
	in, err := a.inScope(ctx, objs)
	if err != nil {
		return err
	}
	for i, ok := range in {
		if !ok {
			return forbidden("%s is not in a workspace this platform key reaches (%s)", objs[i], strings.Join(scopeOf(ctx).Workspaces, ", "))
		}
	}
	return nil
}

// inScope says, for each object, whether the caller's key reaches its
// practice.
func (a *service) inScope(ctx context.Context, objs []domain.Object) ([]bool, error) {
	out := make([]bool, len(objs))
	s := scopeOf(ctx)
	if s.Everywhere() {
		for i := range out {
			out[i] = true
		}
		return out, nil
	}
	if a.cfg.PlatformKeys == nil {
		return out, nil
	}
	wss, err := a.cfg.PlatformKeys.WorkspacesOf(ctx, objs)
	if err != nil {
		return nil, err
	}
	for i, ws := range wss {
		out[i] = ws != "" && s.Reaches(ws)
	}
	return out, nil
}

// pageFunc answers one page of a paged lookup: at most limit IDs after
// cursor, the next page's cursor ("" on the last) and the revision read.
type pageFunc func(cursor string, limit int) (page []domain.Found, next, token string, err error)

// reachedPage answers a page of at most limit IDs of type typ that the
// caller's key reaches, and a cursor that goes on after the last of them. A
// cursor names the ID a page ended at, so it is never cut after an ID the
// key does not reach (that would show it another practice's IDs): pages of
// the whole answer are read, and filtered, until limit are kept or the
// answer ends. The answer is SpiceDB's, computed once and kept for its
// pages, so this reads it again but never makes SpiceDB compute it again.
func (a *service) reachedPage(ctx context.Context, typ, cursor string, limit int, fetch pageFunc) ([]domain.Found, string, string, error) {
	if scopeOf(ctx).Everywhere() {
		return fetch(cursor, limit)
	}
	var kept []domain.Found
	var token string
	for {
		page, next, at, err := fetch(cursor, limit)
		if err != nil {
			return nil, "", "", err
		}
		if token == "" {
			token = at
		}
		in, err := a.keepReached(ctx, typ, page)
		if err != nil {
			return nil, "", "", err
		}
		need := limit - len(kept)
		if len(in) < need || (len(in) == need && next == "") {
			kept = append(kept, in...)
			if next == "" {
				return kept, "", token, nil
			}
			cursor = next
			continue
		}
		// This page fills the answer: the cursor goes on after its last
		// kept ID, which the same page, cut there, answers.
		kept = append(kept, in[:need]...)
		last := kept[len(kept)-1].ID
		cut := slices.IndexFunc(page, func(f domain.Found) bool { return f.ID == last }) + 1
		if _, next, _, err = fetch(cursor, cut); err != nil {
			return nil, "", "", err
		}
		return kept, next, token, nil
	}
}

// keepReached drops, from IDs of type typ, those outside the practices the
// caller's key reaches.
func (a *service) keepReached(ctx context.Context, typ string, ids []domain.Found) ([]domain.Found, error) {
	if scopeOf(ctx).Everywhere() || len(ids) == 0 {
		return ids, nil
	}
	objs := make([]domain.Object, len(ids))
	for i, f := range ids {
		objs[i] = domain.Object{Type: typ, ID: f.ID}
	}
	in, err := a.inScope(ctx, objs)
	if err != nil {
		return nil, err
	}
	kept := ids[:0:0]
	for i, f := range ids {
		if in[i] {
			kept = append(kept, f)
		}
	}
	return kept, nil
}

// platformKeys returns the platform key manager, or a 404 when Ward keeps
// no platform keys.
func (a *service) platformKeys() (PlatformKeyManager, error) {
	if a.cfg.PlatformKeys == nil {
		return nil, domain.Errorf(domain.CodeNotFound, "this Ward manages no platform keys")
	}
	return a.cfg.PlatformKeys, nil
}

func (a *service) handleCreatePlatformKey(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.platformKeys()
	if err != nil {
		return err
	}
	if err := everywhere(r.Context(), "managing platform keys"); err != nil {
		return err
	}
	req, err := decode[api.CreatePlatformKeyRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	end, err := keyEnd(req.ExpiresAt)
	if err != nil {
		return err
	}
	issued, err := keys.CreatePlatformKey(r.Context(), apikeys.Scope{Verbs: req.Verbs, Workspaces: req.Workspaces}, end)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, issued)
	return nil
}

func (a *service) handleListPlatformKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.platformKeys()
	if err != nil {
		return err
	}
	if err := everywhere(r.Context(), "listing platform keys"); err != nil {
		return err
	}
	list, err := keys.ListPlatformKeys(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.PlatformKeyList{Keys: append([]apikeys.PlatformInfo{}, list...)})
	return nil
}

func (a *service) handleRevokePlatformKey(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.platformKeys()
	if err != nil {
		return err
	}
	if err := everywhere(r.Context(), "revoking platform keys"); err != nil {
		return err
	}
	info, err := keys.RevokePlatformKey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// platformRoutes are the platform-key routes.
var platformRoutes = []string{"POST /v1/keys", "GET /v1/keys", "POST /v1/keys/{id}/revoke"}

var platformRouteNames = []string{"platform_key_create", "platform_key_list", "platform_key_revoke"}

func (a *service) platformHandlers() []func(http.ResponseWriter, *http.Request) error {
	return []func(http.ResponseWriter, *http.Request) error{a.handleCreatePlatformKey, a.handleListPlatformKeys, a.handleRevokePlatformKey}
}

package httpapi

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
)

// KeyManager manages the API keys of practices' service accounts: the
// server's is service.Keys with the ledger, per-key rate limits and usage.
type KeyManager interface {
	CreateKey(ctx context.Context, ws, account, actor string, expires time.Time) (apikeys.Issued, error)
	RotateKey(ctx context.Context, ws, id, actor string, expires time.Time) (apikeys.Issued, error)
	RevokeKey(ctx context.Context, ws, id, actor string) (apikeys.Info, error)
	ListKeys(ctx context.Context, ws string) ([]apikeys.Info, error)
	KeyUsage(ctx context.Context, ws, id string) (api.KeyUsage, error)
	// AuthenticateKey says whom key authenticates; retryAfter > 0 when the
	// key is over its rate limit (nothing else is then answered).
	AuthenticateKey(ctx context.Context, key string) (id apikeys.Identity, retryAfter time.Duration, err error)
}

// keyRoutes are the API-key routes, served when Config.Keys is set.
var keyRoutes = []string{
	"POST /v1/workspaces/{ws}/api-keys",
	"GET /v1/workspaces/{ws}/api-keys",
	"POST /v1/workspaces/{ws}/api-keys/{id}/rotate",
	"POST /v1/workspaces/{ws}/api-keys/{id}/revoke",
	"GET /v1/workspaces/{ws}/api-keys/{id}/usage",
	"POST /v1/api-keys/authenticate",
}

// keyRouteNames name keyRoutes in logs and metrics.
var keyRouteNames = []string{"api_key_create", "api_key_list", "api_key_rotate", "api_key_revoke", "api_key_usage", "api_key_authenticate"}

func (a *service) keyHandlers() []func(http.ResponseWriter, *http.Request) error {
	return []func(http.ResponseWriter, *http.Request) error{
		a.handleCreateKey, a.handleListKeys, a.handleRotateKey, a.handleRevokeKey, a.handleKeyUsage, a.handleAuthenticate,
	}
}

// keys returns the key manager, or a 404 when Ward keeps no keys; it
// refuses a platform key that does not reach the practice in the path.
func (a *service) keys(r *http.Request) (KeyManager, error) {
	if a.cfg.Keys == nil {
		return nil, domain.Errorf(domain.CodeNotFound, "this Ward manages no API keys")
	}
	if ws := r.PathValue("ws"); ws != "" {
		if err := reach(r.Context(), ws); err != nil {
			return nil, err
		}
	}
	return a.cfg.Keys, nil
}

// keyEnd reads an optional RFC 3339 end.
func keyEnd(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := domain.ParseTime(v)
	if err != nil {
		return time.Time{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "expires_at", Message: err.Error()}
	}
	return t, nil
}

// withActor carries the request's actor to the ledger.
func withActor(r *http.Request, actor string) context.Context {
	who := audit.WhoFrom(r.Context())
	who.Actor = actor
	return audit.WithWho(r.Context(), who)
}

func (a *service) handleCreateKey(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.keys(r)
	if err != nil {
		return err
	}
	req, err := decode[api.CreateKeyRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	end, err := keyEnd(req.ExpiresAt)
	if err != nil {
		return err
	}
	issued, err := keys.CreateKey(withActor(r, req.Actor), r.PathValue("ws"), req.Account, req.Actor, end)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, issued)
	return nil
}

func (a *service) handleListKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.keys(r)
	if err != nil {
		return err
	}
	list, err := keys.ListKeys(r.Context(), r.PathValue("ws"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.KeyList{Keys: append([]apikeys.Info{}, list...)})
	return nil
}

func (a *service) handleRotateKey(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.keys(r)
	if err != nil {
		return err
	}
	req, err := decode[api.KeyActionRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	end, err := keyEnd(req.ExpiresAt)
	if err != nil {
		return err
	}
	issued, err := keys.RotateKey(withActor(r, req.Actor), r.PathValue("ws"), r.PathValue("id"), req.Actor, end)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, issued)
	return nil
}

func (a *service) handleRevokeKey(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.keys(r)
	if err != nil {
		return err
	}
	req, err := decode[api.KeyActionRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	if req.ExpiresAt != "" {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "expires_at", Message: "a revoked key ends now: leave expires_at out"}
	}
	info, err := keys.RevokeKey(withActor(r, req.Actor), r.PathValue("ws"), r.PathValue("id"), req.Actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

func (a *service) handleKeyUsage(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.keys(r)
	if err != nil {
		return err
	}
	usage, err := keys.KeyUsage(r.Context(), r.PathValue("ws"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, usage)
	return nil
}

// handleAuthenticate is what an app's gateway calls for each request an
// integration makes with its key: 200 with whom it authenticates, 401 for
// any key that does not (without saying why), 429 past the key's rate.
func (a *service) handleAuthenticate(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.keys(r)
	if err != nil {
		return err
	}
	req, err := decode[api.AuthenticateRequest](a, w, r, a.limits.question)
	if err != nil {
		return err
	}
	if k, err := apikeys.Parse(req.Key); err == nil {
		if err := reach(r.Context(), k.Workspace); err != nil {
			return err
		}
	}
	id, retry, err := keys.AuthenticateKey(r.Context(), req.Key)
	switch {
	case err != nil:
		return err
	case retry > 0:
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
		return domain.Errorf(domain.CodeRateLimited, "this key is over its rate limit: retry after the time in Retry-After")
	}
	writeJSON(w, http.StatusOK, id)
	return nil
}

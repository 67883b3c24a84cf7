package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/apikeys"
)

func keysPath(ws string, rest ...string) string {
	p := "/v1/workspaces/" + url.PathEscape(ws) + "/api-keys"
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// CreateKey makes an API key for a practice's service account; the answer's
// Key is its secret, shown this once.
func (c *Client) CreateKey(ctx context.Context, ws string, req api.CreateKeyRequest) (apikeys.Issued, error) {
	return call[apikeys.Issued](ctx, c, http.MethodPost, keysPath(ws), req)
}

// ListKeys lists a practice's live keys, without secrets.
func (c *Client) ListKeys(ctx context.Context, ws string) (api.KeyList, error) {
	return call[api.KeyList](ctx, c, http.MethodGet, keysPath(ws), nil)
}

// RotateKey makes a successor to key id; the old one works for a grace
// period (7 days, or less if it ends sooner).
func (c *Client) RotateKey(ctx context.Context, ws, id string, req api.KeyActionRequest) (apikeys.Issued, error) {
	return call[apikeys.Issued](ctx, c, http.MethodPost, keysPath(ws, id, "rotate"), req)
}

// RevokeKey ends key id at once.
func (c *Client) RevokeKey(ctx context.Context, ws, id string, req api.KeyActionRequest) (apikeys.Info, error) {
	return call[apikeys.Info](ctx, c, http.MethodPost, keysPath(ws, id, "revoke"), req)
}

// KeyUsage reads key id's authentications per day.
func (c *Client) KeyUsage(ctx context.Context, ws, id string) (api.KeyUsage, error) {
	return call[api.KeyUsage](ctx, c, http.MethodGet, keysPath(ws, id, "usage"), nil)
}

// Authenticate asks whom a practice API key authenticates. An *Error with
// Status 401 is a key that does not; 429, one over its rate (RetryAfter).
func (c *Client) Authenticate(ctx context.Context, key string) (apikeys.Identity, error) {
	return call[apikeys.Identity](ctx, c, http.MethodPost, "/v1/api-keys/authenticate", api.AuthenticateRequest{Key: key})
}

// CreatePlatformKey makes a key for Ward's own API, limited to verbs and,
// when listed, to some practices; its secret is shown this once.
func (c *Client) CreatePlatformKey(ctx context.Context, req api.CreatePlatformKeyRequest) (apikeys.PlatformIssued, error) {
	return call[apikeys.PlatformIssued](ctx, c, http.MethodPost, "/v1/keys", req)
}

// ListPlatformKeys lists the live platform keys, without secrets.
func (c *Client) ListPlatformKeys(ctx context.Context) (api.PlatformKeyList, error) {
	return call[api.PlatformKeyList](ctx, c, http.MethodGet, "/v1/keys", nil)
}

// RevokePlatformKey ends platform key id at once.
func (c *Client) RevokePlatformKey(ctx context.Context, id string) (apikeys.PlatformInfo, error) {
	return call[apikeys.PlatformInfo](ctx, c, http.MethodPost, "/v1/keys/"+url.PathEscape(id)+"/revoke", nil)
}

package spicedb

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	implv1 "github.com/authzed/spicedb/pkg/proto/impl/v1"
	"github.com/authzed/spicedb/pkg/zedtoken"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/schema"
)

// applyEvents plans events against everything the store holds and writes the
// plan, as Ward's service does for one writer; it returns the write's token.
func applyEvents(t *testing.T, c *Client, jsonl string) string {
	t.Helper()
	token, err := c.Write(context.Background(), planWrite(t, c, jsonl))
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// planWrite is the write applyEvents makes, not yet made.
func planWrite(t *testing.T, c *Client, jsonl string) domain.Write {
	t.Helper()
	ctx := context.Background()
	events, err := domain.ReadEvents(strings.NewReader(jsonl))
	if err != nil {
		t.Fatal(err)
	}
	state := domain.NewState()
	if err := c.Export(ctx, func(r domain.Relationship) error { state.Add(r); return nil }); err != nil {
		t.Fatal(err)
	}
	plan, err := domain.PlanEvents(events, state)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := domain.WriteOf(plan, state, false, func() string { return strconv.Itoa(int(time.Now().UnixNano())) })
	return w
}

// memoryClient starts an in-process SpiceDB on memdb holding Ward's schema and
// one practice, and returns a client for it and the ZedToken of that write.
func memoryClient(t *testing.T) (*Client, string) {
	t.Helper()
	return memoryClientWith(t, func(*Embedded) Config { return Config{} })
}

// memoryClientWith is memoryClient with the client configured by cfg, given
// the in-process server.
func memoryClientWith(t *testing.T, cfg func(*Embedded) Config) (*Client, string) {
	t.Helper()
	ctx := context.Background()
	emb, err := StartEmbedded(ctx, EmbeddedConfig{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emb.Close() })
	c := NewWithConfig(emb.Conn(), slog.New(slog.DiscardHandler), cfg(emb))
	if _, err := c.WriteSchema(ctx, schema.Text); err != nil {
		t.Fatal(err)
	}
	token := applyEvents(t, c, `{"type":"workspace.created","workspace":"p1","owner":"olivia","preset":"caspen"}
{"type":"client.created","workspace":"p1","client":"ann","practitioner":"olivia"}`)
	return c, token
}

// ahead forges token's revision an hour ahead: memdb's revisions (v1.57.1)
// are Unix nanoseconds.
func ahead(t *testing.T, token string) string {
	t.Helper()
	d, err := zedtoken.Decode(&v1.ZedToken{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	v := d.GetV1()
	ns, err := strconv.ParseInt(v.GetRevision(), 10, 64)
	if err != nil {
		t.Fatalf("memdb revision %q: %v", v.GetRevision(), err)
	}
	forged, err := zedtoken.Encode(&implv1.DecodedZedToken{VersionOneof: &implv1.DecodedZedToken_V1{V1: &implv1.DecodedZedToken_V1ZedToken{
		Revision: strconv.FormatInt(ns+int64(time.Hour), 10), DatastoreUniqueIdPrefix: v.GetDatastoreUniqueIdPrefix(), SchemaHash: v.GetSchemaHash(),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return forged.GetToken()
}

// edited is token with edit made to what it holds.
func edited(t *testing.T, token string, edit func(*implv1.DecodedZedToken_V1ZedToken)) string {
	t.Helper()
	d, err := zedtoken.Decode(&v1.ZedToken{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	edit(d.GetV1())
	e, err := zedtoken.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return e.GetToken()
}

// TestCallerTokens: a ZedToken that is malformed or of another datastore is
// the caller's error (invalid, field zedtoken), one from the future is not_yet
// (invalid when it names no datastore, as no token SpiceDB issues does),
// and none of them answers internal, on every read that takes a token. A bulk
// check never answers a forged token as the revision it checked at.
func TestCallerTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, token := memoryClient(t)
	_, foreign := memoryClient(t)
	tests := []struct {
		name  string
		token string
		want  domain.Code
	}{
		{"not base64", "not a token!", domain.CodeInvalid},
		{"base64, not a token", "Zm9vYmFy", domain.CodeInvalid},
		{"a revision that does not parse", edited(t, token, func(v *implv1.DecodedZedToken_V1ZedToken) { v.Revision = "xyz" }), domain.CodeInvalid},
		{"another datastore's", foreign, domain.CodeInvalid},
		{"from the future", ahead(t, token), domain.CodeNotYet},
		// SpiceDB's own tokens name their datastore: one ahead that names
		// none was made up, and waiting would never answer it
		{"from the future, naming no datastore", edited(t, ahead(t, token), func(v *implv1.DecodedZedToken_V1ZedToken) { v.DatastoreUniqueIdPrefix = "" }), domain.CodeInvalid},
	}
	q := domain.Question{Subject: domain.Object{Type: "user", ID: "olivia"}, Permission: "view", Resource: domain.Object{Type: "client", ID: "ann"}}
	user := domain.Object{Type: "user", ID: "olivia"}
	reads := map[string]func(token string) (string, error){
		"check": func(tok string) (string, error) { d, err := c.Check(ctx, q, tok); return d.Token, err },
		"bulk check": func(tok string) (string, error) {
			ds, at, err := c.CheckBulk(ctx, []domain.Question{q, q}, tok)
			for _, d := range ds {
				if d.Err != nil {
					return at, d.Err
				}
			}
			return at, err
		},
		"lookup resources": func(tok string) (string, error) {
			_, _, at, err := c.LookupResourcesPage(ctx, user, "view", domain.TypeClient, domain.Given{}, tok, "", 100)
			return at, err
		},
		"lookup subjects": func(tok string) (string, error) {
			_, _, at, err := c.LookupSubjectsPage(ctx, q.Resource, "view", domain.Given{}, tok, "", 100)
			return at, err
		},
		"stream": func(tok string) (string, error) {
			return c.StreamResources(ctx, user, "view", domain.TypeClient, domain.Given{}, tok, func(domain.Found) error { return nil })
		},
	}
	for name, read := range reads {
		if at, err := read(token); err != nil || at == "" {
			t.Errorf("%s with a good token: %q %v", name, at, err)
		}
		for _, tt := range tests {
			at, err := read(tt.token)
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != tt.want || e.Field != "zedtoken" {
				t.Errorf("%s, %s: answered at %q, error %v; want %s about field zedtoken", name, tt.name, at, err, tt.want)
			}
			if at == tt.token {
				t.Errorf("%s, %s: echoed the token as the revision read", name, tt.name)
			}
		}
	}
}

// TestHeadForTokenlessReads: with Config.Head, a check without a caller's
// token reads at the revision Head gave (Embedded.Head's token is one SpiceDB
// accepts, of its own datastore), sees the write before it, and falls back
// to full consistency when Head fails.
func TestHeadForTokenlessReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var emb *Embedded
	var calls atomic.Int32
	var fail atomic.Bool
	c, _ := memoryClientWith(t, func(e *Embedded) Config {
		emb = e
		return Config{Head: func(ctx context.Context) (string, error) {
			calls.Add(1)
			if fail.Load() {
				return "", errors.New("datastore down")
			}
			return emb.Head(ctx)
		}}
	})
	q := domain.Question{Subject: domain.Object{Type: "user", ID: "olivia"}, Permission: "view", Resource: domain.Object{Type: "client", ID: "ann"}}
	before := calls.Load()
	d, err := c.Check(ctx, q, "")
	if err != nil || !d.Allowed {
		t.Fatalf("check with Head's revision: %+v %v", d, err)
	}
	if calls.Load() != before+1 {
		t.Errorf("Head was called %d times for one tokenless check", calls.Load()-before)
	}
	tok, err := emb.Head(ctx)
	if err != nil || originOf(tok) == "" || originOf(tok) != originOf(d.Token) {
		t.Errorf("Head's token %q (origin %q) is not of the datastore that checked (%q): %v", tok, originOf(tok), originOf(d.Token), err)
	}
	fail.Store(true)
	if d, err := c.Check(ctx, q, ""); err != nil || !d.Allowed {
		t.Fatalf("check after Head failed: %+v %v", d, err)
	}
	if _, err := c.Check(ctx, q, d.Token); err != nil {
		t.Fatal(err)
	}
}

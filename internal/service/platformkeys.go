package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/domain"
)

// PlatformKeys manages keys for Ward's own API, stored hashed in SpiceDB as
// ward_key:ID/SHA256 with a verb relationship per verb (ending when the key
// does) and a scope relationship per practice (workspace:* for every one).
// A key is read afresh each time it is presented: a revoked one fails on the
// next request.
type PlatformKeys struct {
	store   Store
	now     func() time.Time
	confirm func(ctx context.Context, issued apikeys.PlatformIssued) error
}

// NewPlatformKeys returns platform key management over store.
func NewPlatformKeys(store Store) *PlatformKeys { return &PlatformKeys{store: store, now: time.Now} }

// Confirming returns p calling confirm with each key it makes before
// answering; when confirm fails, the key is taken back and the call fails
// with confirm's error (as Keys.Confirming).
func (p *PlatformKeys) Confirming(confirm func(ctx context.Context, issued apikeys.PlatformIssued) error) *PlatformKeys {
	p.confirm = confirm
	return p
}

// MaxPlatformKeys bounds the live platform keys.
const MaxPlatformKeys = 1000

// ErrBadPlatformKey is a platform key that is malformed, unknown, revoked or
// ended.
var ErrBadPlatformKey = errors.New("the platform key is not valid")

func invalid(field, format string, args ...any) error {
	return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Create makes a platform key with scope, ending at expires (never when zero).
func (p *PlatformKeys) Create(ctx context.Context, scope apikeys.Scope, expires time.Time) (apikeys.PlatformIssued, error) {
	if err := scope.Validate(domain.ValidateID); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return apikeys.PlatformIssued{}, invalid(field, "%s", msg)
	}
	if !expires.IsZero() && !expires.After(p.now()) {
		return apikeys.PlatformIssued{}, invalid("expires_at", "%s has passed: a key must end in the future", expires.Format(time.RFC3339))
	}
	live, err := p.List(ctx)
	if err != nil {
		return apikeys.PlatformIssued{}, err
	}
	if len(live) >= MaxPlatformKeys {
		return apikeys.PlatformIssued{}, &domain.Error{Code: domain.CodeConflict, Index: -1, Message: fmt.Sprintf("%d platform keys are live, the most Ward keeps: revoke some first", len(live))}
	}
	key, err := apikeys.NewPlatform()
	if err != nil {
		return apikeys.PlatformIssued{}, err
	}
	obj := domain.Object{Type: domain.TypePlatformKey, ID: key.ObjectID()}
	var w domain.Write
	for _, v := range scope.Verbs {
		r := domain.Rel(obj, "verb", domain.Object{Type: domain.TypeVerb, ID: v})
		if !expires.IsZero() {
			r.Expires = domain.EndAt(expires)
		}
		w.Updates = append(w.Updates, domain.Update{Op: domain.Create, Rel: r})
	}
	reach := scope.Workspaces
	if len(reach) == 0 {
		reach = []string{"*"}
	}
	for _, ws := range reach {
		// The scope ends with the key, so that an ended key leaves nothing.
		r := domain.Rel(obj, "scope", domain.Object{Type: domain.TypeWorkspace, ID: ws})
		if !expires.IsZero() {
			r.Expires = domain.EndAt(expires)
		}
		w.Updates = append(w.Updates, domain.Update{Op: domain.Create, Rel: r})
	}
	if _, err := p.store.Write(ctx, w); err != nil {
		return apikeys.PlatformIssued{}, err
	}
	info := apikeys.PlatformInfo{ID: key.ID, Scope: scope}
	if !expires.IsZero() {
		t := domain.EndAt(expires).Time()
		info.ExpiresAt = &t
	}
	issued := apikeys.PlatformIssued{PlatformInfo: info, Key: key.String()}
	if p.confirm == nil {
		return issued, nil
	}
	if err := p.confirm(ctx, issued); err != nil {
		undo := domain.Write{Updates: make([]domain.Update, len(w.Updates))}
		for i, u := range w.Updates {
			undo.Updates[i] = domain.Update{Op: domain.Delete, Rel: u.Rel}
		}
		if _, uerr := p.store.Write(context.WithoutCancel(ctx), undo); uerr != nil {
			return apikeys.PlatformIssued{}, domain.Errorf(domain.CodeUnavailable, "platform key %s was made, but %v, and taking it back failed too (%v): revoke it", key.ID, err, uerr)
		}
		return apikeys.PlatformIssued{}, err
	}
	return issued, nil
}

// infos groups a read's relationships into keys, live ones only (a key with
// no verb left has ended).
func (p *PlatformKeys) infos(rels []domain.Relationship) []apikeys.PlatformInfo {
	byID := map[string]*apikeys.PlatformInfo{}
	scoped := map[string]bool{}
	var order []string
	now := p.now()
	for _, r := range rels {
		id, _, ok := strings.Cut(r.Resource.ID, "/")
		if !ok {
			continue
		}
		k := byID[id]
		if k == nil {
			k = &apikeys.PlatformInfo{ID: id}
			byID[id] = k
			order = append(order, id)
		}
		switch {
		case r.Relation == "verb" && !r.Expires.PassedAt(now):
			k.Verbs = append(k.Verbs, r.Subject.ID)
			if !r.Expires.Never() {
				t := r.Expires.Time()
				k.ExpiresAt = &t
			}
		case r.Relation == "scope" && !r.Expires.PassedAt(now):
			scoped[id] = true
			if r.Subject.ID != "*" {
				k.Workspaces = append(k.Workspaces, r.Subject.ID)
			}
		}
	}
	var out []apikeys.PlatformInfo
	for _, id := range order {
		// A key without its scope (an empty one would read as every
		// practice) is not live: a lost scope denies, never widens.
		if k := byID[id]; len(k.Verbs) > 0 && scoped[id] {
			slices.SortFunc(k.Verbs, func(a, b string) int { return slices.Index(apikeys.Verbs, a) - slices.Index(apikeys.Verbs, b) })
			slices.Sort(k.Workspaces)
			out = append(out, *k)
		}
	}
	slices.SortFunc(out, func(a, b apikeys.PlatformInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// List returns the live platform keys, without secrets.
func (p *PlatformKeys) List(ctx context.Context) ([]apikeys.PlatformInfo, error) {
	rels, _, err := p.store.ReadAll(ctx, "", []domain.Filter{domain.ByPrefix(domain.TypePlatformKey, "")})
	if err != nil {
		return nil, err
	}
	return p.infos(rels), nil
}

// Revoke ends platform key id at once.
func (p *PlatformKeys) Revoke(ctx context.Context, id string) (apikeys.PlatformInfo, error) {
	if !apikeys.ValidID(id) {
		return apikeys.PlatformInfo{}, invalid("id", "%q is not a key ID: 16 lowercase hex digits, as creating the key answered", id)
	}
	rels, _, err := p.store.ReadAll(ctx, "", []domain.Filter{domain.ByPrefix(domain.TypePlatformKey, id+"/")})
	if err != nil {
		return apikeys.PlatformInfo{}, err
	}
	live := p.infos(rels)
	if len(live) == 0 {
		return apikeys.PlatformInfo{}, &domain.Error{Code: domain.CodeNotFound, Index: -1, Field: "id", Message: fmt.Sprintf("no live platform key %q: it never existed, was revoked, or has ended", id)}
	}
	var w domain.Write
	for _, r := range rels {
		w.Updates = append(w.Updates, domain.Update{Op: domain.Delete, Rel: r})
	}
	if _, err := p.store.Write(ctx, w); err != nil {
		return apikeys.PlatformInfo{}, err
	}
	return live[0], nil
}

// Authenticate returns platform key's scope and ID, reading it afresh.
func (p *PlatformKeys) Authenticate(ctx context.Context, key string) (apikeys.PlatformInfo, error) {
	parsed, err := apikeys.ParsePlatform(key)
	if err != nil {
		return apikeys.PlatformInfo{}, ErrBadPlatformKey
	}
	rels, _, err := p.store.ReadAll(ctx, "", []domain.Filter{domain.ByID(domain.Object{Type: domain.TypePlatformKey, ID: parsed.ObjectID()})})
	if err != nil {
		return apikeys.PlatformInfo{}, err
	}
	live := p.infos(rels)
	if len(live) != 1 {
		return apikeys.PlatformInfo{}, ErrBadPlatformKey
	}
	return live[0], nil
}

// WorkspacesOf names the practice each object belongs to, "" for one that
// belongs to none or does not exist, read afresh: what a platform key
// scoped to some practices may ask about. Objects whose ID names their
// practice (roles, staff members) are not read.
func (p *PlatformKeys) WorkspacesOf(ctx context.Context, objs []domain.Object) ([]string, error) {
	out := make([]string, len(objs))
	var filters []domain.Filter
	var read []int
	for i, o := range objs {
		switch o.Type {
		case domain.TypeWorkspace:
			out[i] = o.ID
		case domain.TypeRole, domain.TypeStaffMember:
			out[i], _, _ = strings.Cut(o.ID, "/")
		default:
			filters = append(filters, domain.Filter{ResourceType: o.Type, ResourceID: o.ID, Relation: "workspace"})
			read = append(read, i)
		}
	}
	if len(filters) == 0 {
		return out, nil
	}
	rels, _, err := p.store.ReadAll(ctx, "", filters)
	if err != nil {
		return nil, err
	}
	ws := make(map[domain.Object]string, len(rels))
	for _, r := range rels {
		if r.Subject.Type == domain.TypeWorkspace {
			ws[r.Resource] = r.Subject.ID
		}
	}
	for _, i := range read {
		out[i] = ws[objs[i]]
	}
	return out, nil
}

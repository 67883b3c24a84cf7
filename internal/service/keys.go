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

// Keys manages the API keys of practices' service accounts, stored in SpiceDB
// beside the accounts: one relationship per key,
// api_key:WORKSPACE/ID/SHA256#account@service_account:ACCOUNT, ending when the
// key does. The schema decides whether a key still authenticates (its
// `authenticate` permission: not ended, and the account an enabled member), so
// a revoked key, a deleted account or a disabled one fails the next request:
// nothing here caches a key.
type Keys struct {
	store   Store
	now     func() time.Time
	maxAge  time.Duration
	confirm func(ctx context.Context, issued apikeys.Issued, replaces string) error
}

// NewKeys returns key management over store, whose keys last at most
// DefaultKeyMaxAge.
func NewKeys(store Store) *Keys { return &Keys{store: store, now: time.Now, maxAge: DefaultKeyMaxAge} }

// WithMaxAge returns k making keys that last at most age (0: no limit): a
// key asked for without an end ends then, and a later end is refused.
func (k *Keys) WithMaxAge(age time.Duration) *Keys {
	k.maxAge = age
	return k
}

// Confirming returns k calling confirm with each key it makes (and, for a
// rotation, the ID of the key it replaces) before answering. When confirm
// fails, the key is taken back (a rotated predecessor gets its end back)
// and the call fails with confirm's error: a key exists only once confirm
// has taken it, as Ward's audit ledger does.
func (k *Keys) Confirming(confirm func(ctx context.Context, issued apikeys.Issued, replaces string) error) *Keys {
	k.confirm = confirm
	return k
}

// DefaultKeyMaxAge is how long a practice API key lasts at most, unless
// Ward is configured otherwise (--api-key-max-age): keys expire by
// themselves, and integrations rotate them.
const DefaultKeyMaxAge = 365 * 24 * time.Hour

// end is the end of a key asked to end at expires (zero: as late as
// allowed).
func (k *Keys) end(expires time.Time) (time.Time, error) {
	if k.maxAge <= 0 {
		return expires, nil
	}
	latest := k.now().Add(k.maxAge)
	switch {
	case expires.IsZero():
		return latest, nil
	case expires.After(latest):
		return time.Time{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "expires_at",
			Message: fmt.Sprintf("%s is later than keys may last (%s, until %s): rotate keys instead", expires.Format(time.RFC3339), k.maxAge, latest.Format(time.RFC3339))}
	}
	return expires, nil
}

// Key lifecycle bounds.
const (
	// RotationGrace is how long a rotated key keeps working beside its
	// successor, unless it ends sooner.
	RotationGrace = 7 * 24 * time.Hour
	// MaxKeysPerAccount bounds an account's live keys (rotations included).
	MaxKeysPerAccount = 20
)

func keyInfo(r domain.Relationship) (apikeys.Info, bool) {
	ws, id, ok := apikeys.SplitObjectID(r.Resource.ID)
	if !ok || r.Relation != "account" || r.Subject.Type != domain.TypeServiceAccount {
		return apikeys.Info{}, false
	}
	k := apikeys.Info{ID: id, Workspace: ws, Account: r.Subject.ID}
	if !r.Expires.Never() {
		t := r.Expires.Time()
		k.ExpiresAt = &t
	}
	return k, true
}

// requireManager refuses an actor who may not manage the practice's API keys
// (the schema's manage_api_keys: the account owner, or a role granted
// api_keys edit).
func (k *Keys) requireManager(ctx context.Context, ws, actor string) error {
	if actor == "" {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "actor", Message: `is required: the person managing keys, e.g. "user:olivia" (the account owner)`}
	}
	sub, err := domain.ParseSubject(actor)
	if err != nil {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "actor", Message: err.Error()}
	}
	if sub.Type != domain.TypeUser {
		// A key is a credential: one integration minting another's (or
		// its own successor's) would outlive any revocation of it.
		return &domain.Error{Code: domain.CodeForbidden, Index: -1, Field: "actor", Message: fmt.Sprintf("%s may not manage API keys: keys are made, rotated and revoked by people (user:ID), never by a service account", actor)}
	}
	d, err := k.store.Check(ctx, domain.Question{Subject: sub, Permission: "manage_api_keys", Resource: domain.Object{Type: domain.TypeWorkspace, ID: ws}}, "")
	if err != nil {
		return err
	}
	if !d.Allowed {
		return &domain.Error{Code: domain.CodeForbidden, Index: -1, Field: "actor", Message: fmt.Sprintf("%s may not manage API keys of workspace %q: only the account owner, or a role granted api_keys edit, may (manage_api_keys); ask one of them", actor, ws)}
	}
	return nil
}

// accountMember is the relationship that must hold while a key is made for
// account: it is an (enabled or disabled) member of ws.
func accountMember(ws, account string) domain.Filter {
	return domain.Filter{ResourceType: domain.TypeWorkspace, ResourceID: ws, Relation: "member", SubjectType: domain.TypeServiceAccount, SubjectID: account}
}

// keysOf reads the live keys of ws (of one account when account is not "").
func (k *Keys) keysOf(ctx context.Context, ws, account, at string) ([]apikeys.Info, error) {
	f := domain.Filter{ResourceType: domain.TypeAPIKey, ResourceIDPrefix: ws + "/", Relation: "account", SubjectType: domain.TypeServiceAccount, SubjectID: account}
	rels, _, err := k.store.ReadAll(ctx, at, []domain.Filter{f})
	if err != nil {
		return nil, err
	}
	now := k.now()
	var out []apikeys.Info
	for _, r := range rels {
		if info, ok := keyInfo(r); ok && !r.Expires.PassedAt(now) {
			out = append(out, info)
		}
	}
	slices.SortFunc(out, func(a, b apikeys.Info) int { return strings.Compare(a.Account+"/"+a.ID, b.Account+"/"+b.ID) })
	return out, nil
}

// Create makes a key for account, at the request of actor (who must manage
// the practice's keys), ending at expires (zero: after the longest a key may
// last, WithMaxAge).
func (k *Keys) Create(ctx context.Context, ws, account, actor string, expires time.Time) (apikeys.Issued, error) {
	if err := validKey(ws, expires, k.now()); err != nil {
		return apikeys.Issued{}, err
	}
	if err := domain.ValidateID(account); err != nil {
		return apikeys.Issued{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "account", Message: err.Error()}
	}
	expires, err := k.end(expires)
	if err != nil {
		return apikeys.Issued{}, err
	}
	if err := k.requireManager(ctx, ws, actor); err != nil {
		return apikeys.Issued{}, err
	}
	return k.counted(ctx, ws, account, func(g guard) (apikeys.Issued, error) {
		return k.write(ctx, ws, account, actor, expires, g, nil)
	})
}

// succession is a rotation's predecessor, as it was and as the rotation
// leaves it (ending after the grace).
type succession struct {
	id             string
	old, shortened domain.Relationship
}

// guard is what a key write carries so that it happens only if nothing
// else changed the practice since its keys were counted: the practice's
// write lock as read (the same lock every events request replaces) must
// still be there, or none if there was none, and the write replaces it.
type guard struct {
	updates       []domain.Update
	preconditions []domain.Precondition
}

// keyAttempts bounds how often a key request counts and writes again when
// another write to the practice came first.
const keyAttempts = 8

// counted counts account's live keys, refuses when it has
// MaxKeysPerAccount, and otherwise writes (through write, which carries the
// guard); when another write to the practice came first, it counts again.
// So concurrent requests cannot together pass the limit.
func (k *Keys) counted(ctx context.Context, ws, account string, write func(guard) (apikeys.Issued, error)) (apikeys.Issued, error) {
	for range keyAttempts {
		locks, at, err := lockedAt(ctx, k.store, ws)
		if err != nil {
			return apikeys.Issued{}, err
		}
		g := guardOf(ws, locks)
		live, err := k.keysOf(ctx, ws, account, at)
		if err != nil {
			return apikeys.Issued{}, err
		}
		if len(live) >= MaxKeysPerAccount {
			return apikeys.Issued{}, &domain.Error{Code: domain.CodeConflict, Index: -1, Field: "account", Message: fmt.Sprintf("service account %q has %d live keys (rotated keys count until their grace ends), the most it may have: revoke one first", account, len(live))}
		}
		issued, err := write(g)
		if !errors.Is(err, domain.ErrRaced) {
			return issued, err
		}
	}
	return apikeys.Issued{}, &domain.Error{Code: domain.CodeBusy, Index: -1, Message: fmt.Sprintf("workspace %q changed %d times while its keys were counted: try again", ws, keyAttempts)}
}

// guardOf is the guard that holds practice ws's write lock as read (locks:
// its lock relationships, none when it has none): they must still be there,
// and the write replaces them.
func guardOf(ws string, locks []domain.Relationship) guard {
	var g guard
	if len(locks) == 0 {
		g.preconditions = append(g.preconditions, domain.Precondition{Filter: domain.LockFilter(ws)})
	}
	for _, old := range locks {
		g.preconditions = append(g.preconditions, domain.Precondition{MustMatch: true, Filter: domain.Exactly(old)})
		g.updates = append(g.updates, domain.Update{Op: domain.Delete, Rel: old})
	}
	g.updates = append(g.updates, domain.Update{Op: domain.Touch, Rel: domain.Rel(domain.Object{Type: domain.TypeWorkspace, ID: ws}, "lock", domain.Object{Type: domain.TypeLock, ID: newLockID()})})
	return g
}

// validKey checks a key request's practice and end (zero: never), which
// must be in the future.
func validKey(ws string, expires, now time.Time) error {
	if err := domain.ValidateID(ws); err != nil {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "workspace", Message: err.Error()}
	}
	if !expires.IsZero() && !expires.After(now) {
		return &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "expires_at", Message: fmt.Sprintf("%s has passed: a key must end in the future", expires.Format(time.RFC3339))}
	}
	return nil
}

// write makes a new key for account, ending at expires, together with
// prev's shortening when it rotates one, in one write that happens only
// while account is a member of ws, g holds and prev's key is still there.
// It fails with domain.ErrRaced when g no longer holds. The key is answered
// once confirmed (Confirming).
func (k *Keys) write(ctx context.Context, ws, account, actor string, expires time.Time, g guard, prev *succession) (apikeys.Issued, error) {
	var also []domain.Update
	var present []domain.Filter
	if prev != nil {
		also = []domain.Update{{Op: domain.Touch, Rel: prev.shortened}}
		present = []domain.Filter{domain.Exactly(prev.old)}
	}
	key, err := apikeys.New(ws)
	if err != nil {
		return apikeys.Issued{}, err
	}
	r := domain.Rel(domain.Object{Type: domain.TypeAPIKey, ID: key.ObjectID()}, "account", domain.Object{Type: domain.TypeServiceAccount, ID: account})
	if !expires.IsZero() {
		r.Expires = domain.EndAt(expires)
	}
	info, _ := keyInfo(r)
	// Who made the key, and when, for the account's access review.
	made := domain.ProvenanceOf(ws, domain.ServiceAccountKey(account), domain.APIKeyItem(info.ID), strings.TrimPrefix(actor, domain.TypeUser+":"), k.now())
	also = append(also, domain.Update{Op: domain.Touch, Rel: made})
	w := domain.Write{
		Updates:       append(append(slices.Clone(also), g.updates...), domain.Update{Op: domain.Create, Rel: r}),
		Preconditions: append([]domain.Precondition{{MustMatch: true, Filter: accountMember(ws, account)}}, g.preconditions...),
	}
	for _, f := range present {
		w.Preconditions = append(w.Preconditions, domain.Precondition{MustMatch: true, Filter: f})
	}
	if _, err := k.store.Write(ctx, w); err != nil {
		if errors.Is(err, domain.ErrRaced) {
			return apikeys.Issued{}, k.whyRaced(ctx, ws, account, present)
		}
		return apikeys.Issued{}, err
	}
	issued := apikeys.Issued{Info: info, Key: key.String()}
	if k.confirm == nil {
		return issued, nil
	}
	replaces := ""
	if prev != nil {
		replaces = prev.id
	}
	if err := k.confirm(ctx, issued, replaces); err != nil {
		if uerr := k.takeBack(context.WithoutCancel(ctx), r, g, prev); uerr != nil {
			return apikeys.Issued{}, domain.Errorf(domain.CodeUnavailable, "key %s of workspace %q was made, but %v, and taking it back failed too (%v): revoke it", info.ID, ws, err, uerr)
		}
		return apikeys.Issued{}, err
	}
	return issued, nil
}

// takeBack undoes write's key r: r is deleted and a rotated predecessor
// gets its end back, but only if nothing was written to the practice since
// (its write lock is still the one the rotation set): revoked meanwhile, the
// predecessor stays revoked, and rotated again meanwhile, it keeps the end
// that rotation gave it, never a longer one than a recorded rotation said.
func (k *Keys) takeBack(ctx context.Context, r domain.Relationship, g guard, prev *succession) error {
	w := domain.Write{Updates: []domain.Update{{Op: domain.Delete, Rel: r}}}
	if prev != nil {
		w.Updates = append(w.Updates, domain.Update{Op: domain.Touch, Rel: prev.old})
		w.Preconditions = []domain.Precondition{{MustMatch: true, Filter: domain.Exactly(prev.shortened)}}
		for _, u := range g.updates {
			if u.Op == domain.Touch && u.Rel.Relation == "lock" {
				w.Preconditions = append(w.Preconditions, domain.Precondition{MustMatch: true, Filter: domain.Exactly(u.Rel)})
			}
		}
	}
	_, err := k.store.Write(ctx, w)
	if prev != nil && errors.Is(err, domain.ErrRaced) {
		_, err = k.store.Write(ctx, domain.Write{Updates: w.Updates[:1]})
	}
	return err
}

// whyRaced says why a key write's preconditions failed: account is not in
// ws, or a key it needed changed meanwhile (both errors for the caller), or
// else another write to the practice came first (domain.ErrRaced: count
// and write again).
func (k *Keys) whyRaced(ctx context.Context, ws, account string, present []domain.Filter) error {
	member, _, err := k.store.ReadAll(ctx, "", []domain.Filter{accountMember(ws, account)})
	if err != nil {
		return err
	}
	if len(member) == 0 {
		return &domain.Error{Code: domain.CodeNotFound, Index: -1, Field: "account", Message: fmt.Sprintf("service account %q is not in workspace %q: create it with service_account.created", account, ws)}
	}
	for _, f := range present {
		rels, _, err := k.store.ReadAll(ctx, "", []domain.Filter{f})
		if err != nil {
			return err
		}
		if len(rels) == 0 {
			return &domain.Error{Code: domain.CodeNotFound, Index: -1, Field: "id", Message: "the key was revoked while it was rotated: nothing was made"}
		}
	}
	return domain.ErrRaced
}

// find reads key id of ws, live or not found.
func (k *Keys) find(ctx context.Context, ws, id string) (domain.Relationship, error) {
	if !apikeys.ValidID(id) {
		return domain.Relationship{}, &domain.Error{Code: domain.CodeInvalid, Index: -1, Field: "id", Message: fmt.Sprintf("%q is not a key ID: 16 lowercase hex digits, as creating the key answered", id)}
	}
	f := domain.Filter{ResourceType: domain.TypeAPIKey, ResourceIDPrefix: apikeys.ObjectPrefix(ws, id), Relation: "account"}
	rels, _, err := k.store.ReadAll(ctx, "", []domain.Filter{f})
	if err != nil {
		return domain.Relationship{}, err
	}
	for _, r := range rels {
		if !r.Expires.PassedAt(k.now()) {
			return r, nil
		}
	}
	return domain.Relationship{}, &domain.Error{Code: domain.CodeNotFound, Index: -1, Field: "id", Message: fmt.Sprintf("no live key %q in workspace %q: it never existed, was revoked, or has ended", id, ws)}
}

// Rotate makes a successor to key id (same account, ending at expires: zero
// for the longest a key may last) and lets the old key work only until
// RotationGrace from now, or its own end if sooner.
func (k *Keys) Rotate(ctx context.Context, ws, id, actor string, expires time.Time) (apikeys.Issued, error) {
	if err := validKey(ws, expires, k.now()); err != nil {
		return apikeys.Issued{}, err
	}
	expires, err := k.end(expires)
	if err != nil {
		return apikeys.Issued{}, err
	}
	if err := k.requireManager(ctx, ws, actor); err != nil {
		return apikeys.Issued{}, err
	}
	old, err := k.find(ctx, ws, id)
	if err != nil {
		return apikeys.Issued{}, err
	}
	end := domain.EndAt(k.now().Add(RotationGrace))
	if !old.Expires.Never() && old.Expires.Time().Before(end.Time()) {
		end = old.Expires
	}
	shortened := old
	shortened.Expires = end
	// The successor counts against the account's keys (the old one lives
	// on through its grace), and the old key must still be there: a
	// concurrent revoke makes the write fail instead of bringing it back.
	return k.counted(ctx, ws, old.Subject.ID, func(g guard) (apikeys.Issued, error) {
		return k.write(ctx, ws, old.Subject.ID, actor, expires, g, &succession{id: id, old: old, shortened: shortened})
	})
}

// Revoke ends key id at once.
func (k *Keys) Revoke(ctx context.Context, ws, id, actor string) (apikeys.Info, error) {
	if err := validKey(ws, time.Time{}, k.now()); err != nil {
		return apikeys.Info{}, err
	}
	if err := k.requireManager(ctx, ws, actor); err != nil {
		return apikeys.Info{}, err
	}
	old, err := k.find(ctx, ws, id)
	if err != nil {
		return apikeys.Info{}, err
	}
	if _, err := k.store.Write(ctx, domain.Write{Updates: []domain.Update{{Op: domain.Delete, Rel: old}}}); err != nil {
		return apikeys.Info{}, err
	}
	info, _ := keyInfo(old)
	return info, nil
}

// List returns the live keys of ws, without secrets.
func (k *Keys) List(ctx context.Context, ws string) ([]apikeys.Info, error) {
	if err := validKey(ws, time.Time{}, k.now()); err != nil {
		return nil, err
	}
	if _, err := practiceOf(ctx, k.store, ws); err != nil {
		return nil, err
	}
	return k.keysOf(ctx, ws, "", "")
}

// Info returns key id of ws, without its secret.
func (k *Keys) Info(ctx context.Context, ws, id string) (apikeys.Info, error) {
	if err := validKey(ws, time.Time{}, k.now()); err != nil {
		return apikeys.Info{}, err
	}
	r, err := k.find(ctx, ws, id)
	if err != nil {
		return apikeys.Info{}, err
	}
	info, _ := keyInfo(r)
	return info, nil
}

// ErrBadKey is a key that does not authenticate: malformed, unknown, ended,
// revoked, or of a deleted or disabled account. Callers answer 401 and do
// not say which.
var ErrBadKey = errors.New("the API key is not valid")

// Authenticate says whom key authenticates, reading SpiceDB afresh: a key
// revoked or ended, or whose account was deleted or disabled, fails at once.
func (k *Keys) Authenticate(ctx context.Context, key string) (apikeys.Identity, error) {
	parsed, err := apikeys.Parse(key)
	if err != nil {
		return apikeys.Identity{}, ErrBadKey
	}
	obj := domain.Object{Type: domain.TypeAPIKey, ID: parsed.ObjectID()}
	rels, _, err := k.store.ReadAll(ctx, "", []domain.Filter{{ResourceType: obj.Type, ResourceID: obj.ID, Relation: "account"}})
	if err != nil {
		return apikeys.Identity{}, err
	}
	now := k.now()
	for _, r := range rels {
		if r.Subject.Type != domain.TypeServiceAccount || r.Expires.PassedAt(now) {
			continue
		}
		// Asked without a token, the check reads at least as fresh as every
		// write acknowledged before it, on every SpiceDB node (the store's
		// tokenless reads): a key revoked a moment ago fails here even if
		// the read above was served from an older snapshot.
		d, err := k.store.Check(ctx, domain.Question{Subject: r.Subject.Object(), Permission: "authenticate", Resource: obj}, "")
		if err != nil {
			return apikeys.Identity{}, err
		}
		if d.Allowed {
			return apikeys.Identity{Subject: domain.TypeServiceAccount + ":" + r.Subject.ID, Workspace: parsed.Workspace, KeyID: parsed.ID}, nil
		}
	}
	return apikeys.Identity{}, ErrBadKey
}

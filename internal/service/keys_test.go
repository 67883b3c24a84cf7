package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/apikeys"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/testenv"
)

// TestAPIKeysLifecycle runs a service account's keys through creation,
// authentication, rotation, revocation, disabling and deletion against
// SpiceDB: each step must take effect on the very next authentication.
func TestAPIKeysLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	apply := func(events string) {
		t.Helper()
		if _, err := w.Apply(ctx, testenv.Parsed(t, events)); err != nil {
			t.Fatal(err)
		}
	}
	apply(scenarios.Base)
	apply(`{"type":"service_account.created","workspace":"p1","account":"sync","name":"Calendar sync","role":"receptionist"}`)
	keys := service.NewKeys(w.Store)
	code := func(err error) domain.Code {
		var e *domain.Error
		if errors.As(err, &e) {
			return e.Code
		}
		return ""
	}
	authenticates := func(key string) bool {
		t.Helper()
		id, err := keys.Authenticate(ctx, key)
		if errors.Is(err, service.ErrBadKey) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if id.Subject != "service_account:sync" || id.Workspace != "p1" {
			t.Fatalf("authenticated as %+v, want service_account:sync of p1", id)
		}
		return true
	}

	for _, c := range []struct {
		name, ws, account, actor string
		want                     domain.Code
	}{
		{"staff who are not the owner", "p1", "sync", "user:maya", domain.CodeForbidden},
		{"no actor", "p1", "sync", "", domain.CodeInvalid},
		{"the owner of another practice", "p2", "sync", "user:hugo", domain.CodeNotFound},
		{"an unknown account", "p1", "nobody", "user:olivia", domain.CodeNotFound},
		{"a bad account ID", "p1", "a b", "user:olivia", domain.CodeInvalid},
		{"no account", "p1", "", "user:olivia", domain.CodeInvalid},
		{"a bad workspace", "p 1", "sync", "user:olivia", domain.CodeInvalid},
		{"the service account itself", "p1", "sync", "service_account:sync", domain.CodeForbidden},
	} {
		if _, err := keys.Create(ctx, c.ws, c.account, c.actor, time.Time{}); code(err) != c.want {
			t.Errorf("creating a key by %s: %v, want %s", c.name, err, c.want)
		}
	}

	first, err := keys.Create(ctx, "p1", "sync", "user:olivia", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	latest := time.Now().Add(service.DefaultKeyMaxAge)
	if !strings.HasPrefix(first.Key, "wk.p1.") || first.ExpiresAt == nil || first.ExpiresAt.After(latest) || first.ExpiresAt.Before(latest.Add(-time.Minute)) || first.Account != "sync" {
		t.Fatalf("created %+v; want a key of sync ending in %s", first, service.DefaultKeyMaxAge)
	}
	if _, err := keys.Create(ctx, "p1", "sync", "user:olivia", latest.Add(time.Hour)); code(err) != domain.CodeInvalid {
		t.Fatalf("a key asked to last longer than keys may: %v, want invalid", err)
	}
	if !authenticates(first.Key) {
		t.Fatal("a new key does not authenticate")
	}
	tampered := first.Key[:len(first.Key)-1] + map[bool]string{true: "0", false: "1"}[strings.HasSuffix(first.Key, "1")]
	for _, bad := range []string{tampered, "wk.p1.0000", "", strings.Replace(first.Key, "wk.p1.", "wk.p2.", 1)} {
		if authenticates(bad) {
			t.Errorf("%q authenticates", bad)
		}
	}
	list, err := keys.List(ctx, "p1")
	if err != nil || len(list) != 1 || list[0].ID != first.ID {
		t.Fatalf("p1 lists %+v, %v; want the one key", list, err)
	}
	if other, err := keys.List(ctx, "p2"); err != nil || len(other) != 0 {
		t.Fatalf("p2 lists %+v, %v; want none", other, err)
	}
	if _, err := keys.List(ctx, "nope"); domain.ErrorCode(err) != domain.CodeInvalid || !strings.Contains(err.Error(), `unknown workspace "nope"`) {
		t.Fatalf("a practice that does not exist lists: %v; want an invalid error naming it", err)
	}

	// Rotation: both work, the old one until the grace ends.
	second, err := keys.Rotate(ctx, "p1", first.ID, "user:olivia", time.Now().Add(90*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !authenticates(first.Key) || !authenticates(second.Key) {
		t.Fatal("after rotation, both keys must authenticate until the old one's grace ends")
	}
	old, err := keys.Info(ctx, "p1", first.ID)
	if err != nil || old.ExpiresAt == nil || old.ExpiresAt.After(time.Now().Add(service.RotationGrace)) || old.ExpiresAt.Before(time.Now().Add(service.RotationGrace-time.Minute)) {
		t.Fatalf("the rotated key ends %v (%v), want in %v", old.ExpiresAt, err, service.RotationGrace)
	}
	if _, err := keys.Rotate(ctx, "p1", first.ID, "user:maya", time.Time{}); code(err) != domain.CodeForbidden {
		t.Errorf("rotation by staff: %v, want forbidden", err)
	}

	// Revocation takes effect on the next request.
	if _, err := keys.Revoke(ctx, "p1", first.ID, "user:olivia"); err != nil {
		t.Fatal(err)
	}
	if authenticates(first.Key) {
		t.Fatal("a revoked key authenticates")
	}
	if _, err := keys.Revoke(ctx, "p1", first.ID, "user:olivia"); code(err) != domain.CodeNotFound {
		t.Errorf("revoking again: %v, want not found", err)
	}
	if !authenticates(second.Key) {
		t.Fatal("revoking one key stopped its successor")
	}

	// The account decides too: disabled, its keys stop; enabled, they work.
	apply(`{"type":"staff.disabled","workspace":"p1","user":"service_account:sync"}`)
	if authenticates(second.Key) {
		t.Fatal("a disabled account's key authenticates")
	}
	apply(`{"type":"staff.enabled","workspace":"p1","user":"service_account:sync"}`)
	if !authenticates(second.Key) {
		t.Fatal("an enabled account's key does not authenticate")
	}

	// A key ends by itself, with no write at that moment.
	short, err := keys.Create(ctx, "p1", "sync", "user:olivia", time.Now().Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !authenticates(short.Key) {
		t.Fatal("a key before its end does not authenticate")
	}
	time.Sleep(3 * time.Second)
	if authenticates(short.Key) {
		t.Fatal("a key past its end authenticates")
	}

	// Deleting the account ends every key of it, for good.
	apply(`{"type":"service_account.deleted","workspace":"p1","account":"sync"}`)
	if authenticates(second.Key) {
		t.Fatal("a deleted account's key authenticates")
	}
	if _, err := keys.Create(ctx, "p1", "sync", "user:olivia", time.Time{}); code(err) != domain.CodeNotFound {
		t.Errorf("a key for a deleted account: %v, want not found", err)
	}
}

// TestKeysPerAccountHoldUnderRotationAndRaces: an account never has more
// than MaxKeysPerAccount live keys, whether they come from rotations (the
// rotated key lives on through its grace) or from requests made at once.
func TestKeysPerAccountHoldUnderRotationAndRaces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.Practice(t, scenarios.Base+`{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync"}
{"type":"service_account.created","workspace":"p1","account":"burst","name":"Burst"}`)
	keys := service.NewKeys(w.Store)
	live := func(account string) int {
		t.Helper()
		infos, err := keys.List(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, i := range infos {
			if i.Account == account {
				n++
			}
		}
		return n
	}

	issued, err := keys.Create(ctx, "p1", "sync", "user:olivia", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	id, refused := issued.ID, 0
	for range service.MaxKeysPerAccount + 5 {
		next, err := keys.Rotate(ctx, "p1", id, "user:olivia", time.Time{})
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeConflict {
				t.Fatalf("a rotation past the limit: %v, want a conflict", err)
			}
			refused++
			continue
		}
		id = next.ID
	}
	if n := live("sync"); n != service.MaxKeysPerAccount || refused != 6 {
		t.Errorf("after %d rotations: %d live keys and %d refused, want %d live", service.MaxKeysPerAccount+5, n, refused, service.MaxKeysPerAccount)
	}

	const callers = 40
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := keys.Create(ctx, "p1", "burst", "user:olivia", time.Time{})
			errs <- err
		}()
	}
	made := 0
	for range callers {
		err := <-errs
		if err == nil {
			made++
			continue
		}
		switch domain.ErrorCode(err) {
		case domain.CodeConflict, domain.CodeBusy:
		default:
			t.Fatalf("a create made at once with others: %v", err)
		}
	}
	if n := live("burst"); n > service.MaxKeysPerAccount || n != made {
		t.Errorf("%d creates at once: %d answered made, %d live, at most %d allowed", callers, made, n, service.MaxKeysPerAccount)
	}
}

// TestPlatformKeyLeavesNothingWhenItEnds: every relationship of a platform
// key with an end (its verbs and its practices) ends with it, so an ended
// key leaves nothing behind in SpiceDB.
func TestPlatformKeyLeavesNothingWhenItEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	keys := service.NewPlatformKeys(w.Store)
	end := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	for _, scope := range []apikeys.Scope{{Verbs: []string{"check", "audit"}, Workspaces: []string{"p1", "p2"}}, {Verbs: []string{"check"}}} {
		issued, err := keys.Create(ctx, scope, end)
		if err != nil {
			t.Fatal(err)
		}
		rels, _, err := w.Store.ReadAll(ctx, "", []domain.Filter{domain.ByPrefix(domain.TypePlatformKey, issued.ID+"/")})
		if err != nil {
			t.Fatal(err)
		}
		if want := len(scope.Verbs) + max(len(scope.Workspaces), 1); len(rels) != want {
			t.Fatalf("key %+v wrote %d relationships, want %d", scope, len(rels), want)
		}
		for _, r := range rels {
			if r.Expires.Never() || !r.Expires.Time().Equal(end) {
				t.Errorf("%s#%s@%s ends %v, want with the key at %s", r.Resource, r.Relation, r.Subject, r.Expires, end)
			}
		}
	}
}

// TestUnconfirmedRotationsAreTakenBack: a rotation whose confirmation fails
// leaves no new key and gives the old one its end back; but when the
// practice was written to in between (another rotation, an event), the old
// key keeps the shorter end, never a longer one than a later rotation said.
func TestUnconfirmedRotationsAreTakenBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.Practice(t, scenarios.Base+`{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync","role":"receptionist"}`)
	var meanwhile func()
	refuse := false
	keys := service.NewKeys(w.Store).Confirming(func(context.Context, apikeys.Issued, string) error {
		if meanwhile != nil {
			meanwhile()
		}
		if refuse {
			return errors.New("the ledger is down")
		}
		return nil
	})
	first, err := keys.Create(ctx, "p1", "sync", "user:olivia", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	end := func() (time.Time, int) {
		t.Helper()
		list, err := keys.List(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range list {
			if k.ID == first.ID {
				return *k.ExpiresAt, len(list)
			}
		}
		t.Fatalf("key %s is gone: %+v", first.ID, list)
		return time.Time{}, 0
	}
	refuse = true
	if _, err := keys.Rotate(ctx, "p1", first.ID, "user:olivia", time.Time{}); err == nil {
		t.Fatal("a rotation whose confirmation failed was answered")
	}
	if at, n := end(); !at.Equal(*first.ExpiresAt) || n != 1 {
		t.Fatalf("after the unconfirmed rotation: key ends %s (want %s), %d keys (want 1)", at, first.ExpiresAt, n)
	}
	meanwhile = func() {
		if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"client.created","workspace":"p1","client":"meanwhile"}`)); err != nil {
			t.Error(err)
		}
	}
	if _, err := keys.Rotate(ctx, "p1", first.ID, "user:olivia", time.Time{}); err == nil {
		t.Fatal("a rotation whose confirmation failed was answered")
	}
	if at, n := end(); !at.Before(time.Now().Add(service.RotationGrace+time.Minute)) || n != 1 {
		t.Fatalf("after an unconfirmed rotation with a write in between: key ends %s (want within the grace), %d keys (want 1)", at, n)
	}
}

// TestPlatformKeyWithoutItsScopeDenies: a platform key whose scope
// relationships are gone does not authenticate (an empty scope would read as
// every practice): a lost scope denies, never widens.
func TestPlatformKeyWithoutItsScopeDenies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	keys := service.NewPlatformKeys(w.Store)
	issued, err := keys.Create(ctx, apikeys.Scope{Verbs: []string{"check"}, Workspaces: []string{"p1"}}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := keys.Authenticate(ctx, issued.Key); err != nil || got.Everywhere() || !got.Reaches("p1") {
		t.Fatalf("the key as made: %+v, %v", got, err)
	}
	rels, _, err := w.Store.ReadAll(ctx, "", []domain.Filter{domain.ByPrefix(domain.TypePlatformKey, issued.ID+"/")})
	if err != nil {
		t.Fatal(err)
	}
	var drop domain.Write
	for _, r := range rels {
		if r.Relation == "scope" {
			drop.Updates = append(drop.Updates, domain.Update{Op: domain.Delete, Rel: r})
		}
	}
	if _, err := w.Store.Write(ctx, drop); err != nil || len(drop.Updates) != 1 {
		t.Fatalf("deleting the scope (%d relationships): %v", len(drop.Updates), err)
	}
	if got, err := keys.Authenticate(ctx, issued.Key); !errors.Is(err, service.ErrBadPlatformKey) {
		t.Fatalf("the key without its scope authenticated as %+v (%v)", got, err)
	}
}

// TestKeysAreManagedByPeople: where a role has the api_keys area
// (ClinicSense's practice administrator), a person holding it manages the
// practice's keys, and a service account holding it does not: one
// integration minting keys would outlive its own revocation.
func TestKeysAreManagedByPeople(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testenv.SpiceDB(t)
	if _, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"workspace.created","workspace":"csk","owner":"cso","preset":"clinicsense"}
{"type":"staff.added","workspace":"csk","user":"csa","role":"practice_administrator"}
{"type":"service_account.created","workspace":"csk","account":"robot","name":"Admin robot","role":"practice_administrator"}
{"type":"service_account.created","workspace":"csk","account":"sync","name":"Calendar sync"}`)); err != nil {
		t.Fatal(err)
	}
	keys := service.NewKeys(w.Store)
	if _, err := keys.Create(ctx, "csk", "sync", "user:csa", time.Time{}); err != nil {
		t.Fatalf("a practice administrator who is not the owner making a key: %v", err)
	}
	var e *domain.Error
	if _, err := keys.Create(ctx, "csk", "sync", "service_account:robot", time.Time{}); !errors.As(err, &e) || e.Code != domain.CodeForbidden || !strings.Contains(e.Message, "never by a service account") {
		t.Fatalf("a service account holding the administrator role making a key: %v, want forbidden", err)
	}
}

package apikeys

import (
	"errors"
	"strings"
	"testing"
)

func TestPlatformKeysRoundTripAndParseStrictly(t *testing.T) {
	k, err := NewPlatform()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePlatform(k.String())
	if err != nil || got != k || !IsPlatform(k.String()) {
		t.Fatalf("ParsePlatform(%q) = %+v, %v", k, got, err)
	}
	if other, _ := NewPlatform(); other.ObjectID() == k.ObjectID() || !strings.HasPrefix(k.ObjectID(), k.ID+"/") {
		t.Fatalf("object IDs %q and %q", k.ObjectID(), other.ObjectID())
	}
	for _, bad := range []string{
		"", "wp", "wp." + k.ID, "wk." + k.ID + "." + k.Secret, "wp." + strings.ToUpper(k.ID) + "." + k.Secret,
		"wp." + k.ID + "." + k.Secret[:63], "wp." + k.ID + "." + k.Secret + "0", "wp." + k.ID + "." + k.Secret + ".x",
		"wp." + k.ID + "." + strings.Repeat("g", 64), strings.Repeat("w", 101),
	} {
		_, err := ParsePlatform(bad)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePlatform(%q) = %v, want ErrInvalid", bad, err)
		} else if strings.Contains(err.Error(), k.Secret[:16]) {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
}

func TestScopes(t *testing.T) {
	var none *Scope
	if !none.Allows("admin") || !none.Reaches("any") || !none.Everywhere() {
		t.Fatal("a nil scope must reach everything")
	}
	s := &Scope{Verbs: []string{"check", "lookup"}, Workspaces: []string{"riverside"}}
	if !s.Allows("check") || s.Allows("events") || !s.Reaches("riverside") || s.Reaches("hillside") || s.Everywhere() {
		t.Fatalf("scope %+v answers wrongly", s)
	}
	valid := func(string) error { return nil }
	for _, c := range []struct {
		scope Scope
		bad   string
	}{
		{Scope{Verbs: []string{"check"}}, ""},
		{Scope{}, "at least one"},
		{Scope{Verbs: []string{"write"}}, "not a verb"},
		{Scope{Verbs: []string{"check", "check"}}, "twice"},
		{Scope{Verbs: []string{"check"}, Workspaces: []string{"a", "a"}}, "twice"},
		{Scope{Verbs: []string{"check"}, Workspaces: make([]string, MaxScopeWorkspaces+1)}, "at most"},
	} {
		err := c.scope.Validate(valid)
		if (c.bad == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.bad) {
			t.Errorf("Validate(%+v) = %v, want %q", c.scope, err, c.bad)
		}
	}
}

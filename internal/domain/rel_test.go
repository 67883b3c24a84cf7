package domain

import "testing"

// TestWhereType: a type's relationships are found by type alone, and an
// object whose last relationship goes leaves the type's index.
func TestWhereType(t *testing.T) {
	ws := Object{Type: TypeWorkspace, ID: "w"}
	b1, b2 := Object{Type: TypeRoleBinding, ID: "w/a"}, Object{Type: TypeRoleBinding, ID: "w/b"}
	u := Object{Type: TypeUser, ID: "u"}
	s := NewState(Rel(b1, "member", u), Rel(b2, "member", u), Rel(ws, "member", u))
	all := func(Relationship) bool { return true }
	if got := s.WhereType(TypeRoleBinding, all); len(got) != 2 || got[0].Resource != b1 || got[1].Resource != b2 {
		t.Errorf("role bindings: %v", got)
	}
	if got := s.WhereType(TypeRoleBinding, func(r Relationship) bool { return r.Resource == b2 }); len(got) != 1 {
		t.Errorf("filtered: %v", got)
	}
	s.Remove(Rel(b1, "member", u))
	c := s.Clone()
	c.Remove(Rel(b2, "member", u))
	if got := s.WhereType(TypeRoleBinding, all); len(got) != 1 || got[0].Resource != b2 {
		t.Errorf("after removing one: %v", got)
	}
	if got := c.WhereType(TypeRoleBinding, all); len(got) != 0 || len(c.byType[TypeRoleBinding]) != 0 {
		t.Errorf("the clone, emptied of bindings, still has %v", got)
	}
	if got := s.WhereType(TypeClient, all); len(got) != 0 {
		t.Errorf("no clients, got %v", got)
	}
}

// TestToRole: the index of links to a role follows adds, removes and clones.
func TestToRole(t *testing.T) {
	parent, heir := roleObj("w", "base"), roleObj("w", "heir")
	link := Rel(heir, "inherits", parent)
	s := NewState(link, Rel(heir, "grant", capabilityObj("clients_view")))
	if got := s.ToRole(parent, "inherits"); len(got) != 1 || got[0] != link {
		t.Fatalf("ToRole after add: %v", got)
	}
	if got := s.ToRole(parent, "grant"); len(got) != 0 {
		t.Errorf("ToRole of another relation: %v", got)
	}
	c := s.Clone()
	s.Remove(link)
	if got := s.ToRole(parent, "inherits"); len(got) != 0 {
		t.Errorf("ToRole after remove: %v", got)
	}
	if got := c.ToRole(parent, "inherits"); len(got) != 1 {
		t.Errorf("clone lost the link: %v", got)
	}
}

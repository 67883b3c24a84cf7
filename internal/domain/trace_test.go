package domain

import (
	"fmt"
	"slices"
	"testing"
)

// TestSteps: a trace becomes the stored relations it looked up, in order and
// once each, in the practice's terms; objects SpiceDB looked up together are
// one step, and a relation Ward has no words for says so.
func TestSteps(t *testing.T) {
	priya := Object{Type: TypeUser, ID: "priya"}
	rel := func(typ, id, name string, found bool) TraceNode {
		return TraceNode{Resource: Object{Type: typ, ID: id}, Name: name, Relation: true, Subject: priya, Found: found}
	}
	perm := func(typ, id, name string, found bool, children ...TraceNode) TraceNode {
		return TraceNode{Resource: Object{Type: typ, ID: id}, Name: name, Subject: priya, Found: found, Children: children}
	}
	tests := []struct {
		name string
		root TraceNode
		want []Step
	}{
		{"a granted note view", perm(TypeClient, "ann", "view_notes", true,
			rel(TypeClient, "ann", "notes_reader", false),
			perm(TypeClient, "ann", "related", true, rel(TypeClient, "ann", "practitioner", true)),
			rel(TypeLocation, "north", "notes_view_own", true),
			perm(TypeClient, "ann", "related", true, rel(TypeClient, "ann", "practitioner", true))), []Step{
			{false, "client:ann#notes_reader@user:priya", "priya was not given notes access to client:ann alone"},
			{true, "client:ann#practitioner@user:priya", "priya is client:ann's practitioner"},
			{true, "location:north#notes_view_own@user:priya", "priya has notes view: own at location north, from their roles"},
		}},
		{"bindings looked up together, one found", rel(TypeRoleBinding, "p1/practitioner,p1/practitioner/north", "member", true), []Step{
			{true, "role_binding:p1/practitioner,p1/practitioner/north#member@user:priya",
				"at least one of these holds: priya holds role practitioner workspace-wide in p1; priya holds role practitioner at location north"},
		}},
		{"bindings looked up together, none found", rel(TypeRoleBinding, "p1/receptionist,p1/receptionist/north", "member", false), []Step{
			{false, "role_binding:p1/receptionist,p1/receptionist/north#member@user:priya",
				"none of these holds: priya holds role receptionist workspace-wide in p1; priya holds role receptionist at location north"},
		}},
		{"a relation without words", rel(TypeClient, "ann", "scope", false), []Step{
			{false, "client:ann#scope@user:priya", "SpiceDB looked up client:ann#scope@user:priya (not found), which Ward has no words for: please report it with this question"},
		}},
		{"a permission answered without looking anything up", perm(TypeRole, "p1/owner", "edit", false), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Steps(tt.root, Practice{}); !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestStepsAreBounded: past MaxSteps distinct relations, an explanation
// carries the first MaxSteps and says how many more it left out.
func TestStepsAreBounded(t *testing.T) {
	root := TraceNode{Resource: Object{Type: TypeClient, ID: "ann"}, Name: "view"}
	for i := range MaxSteps + 5 {
		step := TraceNode{Resource: Object{Type: TypeClient, ID: fmt.Sprint("c", i)}, Name: "practitioner", Relation: true, Subject: Object{Type: TypeUser, ID: "u"}}
		root.Children = append(root.Children, step, step)
	}
	got := Steps(root, Practice{})
	if len(got) != MaxSteps+1 || got[MaxSteps].Text != "and 5 more relations SpiceDB looked up, left out" || got[MaxSteps-1].Looked != fmt.Sprintf("client:c%d#practitioner@user:u", MaxSteps-1) {
		t.Errorf("%d steps, the last two %+v", len(got), got[len(got)-2:])
	}
}

// TestReachesAgreesWithAccessTargets: the predicate explain uses to name a
// relation's roles asks one target of the rule that lists every target the
// planner writes access on, and answers as that list does.
func TestReachesAgreesWithAccessTargets(t *testing.T) {
	ws := workspaceObj("w")
	locations := map[string]Object{"north": locationObj("north"), "south": locationObj("south"), "east": locationObj("east")}
	regions := map[string][]Object{"coast": {locations["north"], locations["east"]}}
	pr := Practice{S: NewState(Rel(regionObj("w", "coast"), "workspace", ws), Rel(regionObj("w", "coast"), "location", locations["north"]),
		Rel(regionObj("w", "coast"), "location", locations["east"])), WS: "w"}
	candidates := []Object{ws, locations["north"], locations["south"], locations["east"]}
	for _, at := range []string{"", "north", "elsewhere", RegionScope("coast"), RegionScope("inland")} {
		for _, located := range []bool{true, false} {
			want := accessTargets(at, located, ws, locations, regions)
			for _, target := range candidates {
				if got := reaches(pr, Holding{Location: at}, located, target); got != slices.Contains(want, target) {
					t.Errorf("holding at %q, located=%v, %s: reaches=%v, accessTargets %v", at, located, target, got, want)
				}
			}
		}
	}
}

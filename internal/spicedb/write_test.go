package spicedb

import (
	"testing"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"

	"github.com/wardhq/ward/internal/domain"
)

// TestWriteRequestCreatesNewObjects: when the ID markers prove the created
// objects new (the optimistic path), their relationships, as resource or
// subject, are CREATEd, and everything else is TOUCHed; after a full read,
// everything is TOUCHed under preconditions.
func TestWriteRequestCreatesNewObjects(t *testing.T) {
	ws := domain.Object{Type: domain.TypeWorkspace, ID: "w"}
	c := domain.Object{Type: domain.TypeClient, ID: "c"}
	loc := domain.Object{Type: domain.TypeLocation, ID: "l"}
	user := domain.Object{Type: domain.TypeUser, ID: "u"}
	plan := domain.Plan{
		Touch: []domain.Relationship{
			domain.Rel(c, "workspace", ws),
			domain.Rel(ws, "site", loc),
			domain.Rel(ws, "notes_view", user),
		},
		Created:    []domain.Object{c, loc},
		Workspaces: []string{"w"},
	}
	create, touch := v1.RelationshipUpdate_OPERATION_CREATE, v1.RelationshipUpdate_OPERATION_TOUCH
	tests := []struct {
		optimistic bool
		want       map[string]v1.RelationshipUpdate_Operation
		preconds   int
	}{
		{true, map[string]v1.RelationshipUpdate_Operation{
			"client:c#workspace@workspace:w": create, "workspace:w#site@location:l": create, "workspace:w#notes_view@user:u": touch,
			"ward_id:client#taken@client:c": create, "ward_id:location#taken@location:l": create,
		}, 1},
		{false, map[string]v1.RelationshipUpdate_Operation{
			"client:c#workspace@workspace:w": touch, "workspace:w#site@location:l": touch, "workspace:w#notes_view@user:u": touch,
			"ward_id:client#taken@client:c": touch, "ward_id:location#taken@location:l": touch,
		}, 3},
	}
	for _, tt := range tests {
		req, _, err := writeRequest(plan, domain.NewState(), tt.optimistic)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]v1.RelationshipUpdate_Operation{}
		for _, u := range req.GetUpdates() {
			r := u.GetRelationship()
			if r.GetRelation() == "lock" {
				continue
			}
			got[r.GetResource().GetObjectType()+":"+r.GetResource().GetObjectId()+"#"+r.GetRelation()+"@"+
				r.GetSubject().GetObject().GetObjectType()+":"+r.GetSubject().GetObject().GetObjectId()] = u.GetOperation()
		}
		if len(got) != len(tt.want) {
			t.Errorf("optimistic=%v: %v, want %v", tt.optimistic, got, tt.want)
		}
		for k, op := range tt.want {
			if got[k] != op {
				t.Errorf("optimistic=%v: %s is %v, want %v", tt.optimistic, k, got[k], op)
			}
		}
		// The lock's precondition, and after a full read one per created object.
		if n := len(req.GetOptionalPreconditions()); n != tt.preconds {
			t.Errorf("optimistic=%v: %d preconditions, want %d", tt.optimistic, n, tt.preconds)
		}
	}
}

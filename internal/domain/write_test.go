package domain_test

import (
	"testing"

	"github.com/wardhq/ward/internal/domain"
)

// TestWriteOf: when the ID markers prove the created objects new (the
// optimistic path), their relationships, as resource or subject, are
// created, and everything else is touched; after a full read, everything is
// touched under preconditions. Each workspace's lock is replaced under a
// precondition that it is still the one read.
func TestWriteOf(t *testing.T) {
	t.Parallel()
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
	oldLock := domain.Rel(ws, "lock", domain.Object{Type: domain.TypeLock, ID: "old"})
	tests := []struct {
		name       string
		optimistic bool
		read       *domain.State
		want       map[string]domain.Op
		preconds   []domain.Precondition
	}{
		{"optimistic, a practice without a lock", true, domain.NewState(), map[string]domain.Op{
			"client:c#workspace@workspace:w": domain.Create, "workspace:w#site@location:l": domain.Create, "workspace:w#notes_view@user:u": domain.Touch,
			"ward_id:client#taken@client:c": domain.Create, "ward_id:location#taken@location:l": domain.Create,
			"workspace:w#lock@ward_lock:new": domain.Touch,
		}, []domain.Precondition{{Filter: domain.Filter{ResourceType: "workspace", ResourceID: "w", Relation: "lock"}}}},
		{"after a full read, a locked practice", false, domain.NewState(oldLock), map[string]domain.Op{
			"client:c#workspace@workspace:w": domain.Touch, "workspace:w#site@location:l": domain.Touch, "workspace:w#notes_view@user:u": domain.Touch,
			"ward_id:client#taken@client:c": domain.Touch, "ward_id:location#taken@location:l": domain.Touch,
			"workspace:w#lock@ward_lock:old": domain.Delete, "workspace:w#lock@ward_lock:new": domain.Touch,
		}, []domain.Precondition{
			{MustMatch: true, Filter: domain.Exactly(oldLock)},
			{Filter: domain.Filter{ResourceType: "client", ResourceID: "c", Relation: "workspace"}},
			{Filter: domain.Filter{ResourceType: "location", ResourceID: "l", Relation: "workspace"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, locks := domain.WriteOf(plan, tt.read, tt.optimistic, func() string { return "new" })
			got := map[string]domain.Op{}
			for _, u := range w.Updates {
				got[u.Rel.String()] = u.Op
			}
			if len(got) != len(tt.want) || len(w.Updates) != len(tt.want) {
				t.Errorf("updates %v, want %v", got, tt.want)
			}
			for k, op := range tt.want {
				if op2, ok := got[k]; !ok || op2 != op {
					t.Errorf("%s: op %v (written %v), want %v", k, op2, ok, op)
				}
			}
			if len(w.Preconditions) != len(tt.preconds) {
				t.Fatalf("preconditions %+v, want %+v", w.Preconditions, tt.preconds)
			}
			for i, p := range tt.preconds {
				if w.Preconditions[i] != p {
					t.Errorf("precondition %d: %+v, want %+v", i, w.Preconditions[i], p)
				}
			}
			if len(locks) != 1 || locks[0].String() != "workspace:w#lock@ward_lock:new" {
				t.Errorf("new locks %v", locks)
			}
		})
	}
}

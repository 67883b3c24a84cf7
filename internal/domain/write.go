package domain

import (
	"cmp"
	"errors"
	"strings"
)

// Filter selects relationships: those of resources of ResourceType, and of
// them, where set, the one with ResourceID or those whose ID starts with
// ResourceIDPrefix, through Relation, to subjects of SubjectType (with
// SubjectID).
type Filter struct {
	ResourceType, ResourceID, ResourceIDPrefix, Relation string
	SubjectType, SubjectID                               string
}

// Matches reports whether f selects r.
func (f Filter) Matches(r Relationship) bool {
	switch {
	case r.Resource.Type != f.ResourceType,
		f.ResourceID != "" && r.Resource.ID != f.ResourceID,
		f.ResourceIDPrefix != "" && !strings.HasPrefix(r.Resource.ID, f.ResourceIDPrefix),
		f.Relation != "" && r.Relation != f.Relation,
		f.SubjectType != "" && r.Subject.Type != f.SubjectType,
		f.SubjectID != "" && r.Subject.ID != f.SubjectID:
		return false
	}
	return true
}

func (f Filter) String() string {
	s := f.ResourceType + ":" + cmp.Or(f.ResourceID, f.ResourceIDPrefix+"*")
	if f.Relation != "" {
		s += "#" + f.Relation
	}
	if f.SubjectType != "" {
		s += "@" + f.SubjectType + ":" + cmp.Or(f.SubjectID, "*")
	}
	return s
}

// ByID selects every relationship of o.
func ByID(o Object) Filter { return Filter{ResourceType: o.Type, ResourceID: o.ID} }

// LockFilter selects practice ws's write lock, which every write to the
// practice replaces (WriteOf).
func LockFilter(ws string) Filter {
	return Filter{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "lock"}
}

// PresetFilter selects practice ws's preset, which every practice has
// (Practice.Exists).
func PresetFilter(ws string) Filter {
	return Filter{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "preset"}
}

// ByPrefix selects every relationship of the resources of type typ whose ID
// starts with prefix (a workspace's roles: "ws/").
func ByPrefix(typ, prefix string) Filter {
	return Filter{ResourceType: typ, ResourceIDPrefix: prefix}
}

// Naming selects the relationships by which resources of type typ name sub
// through relation.
func Naming(typ, relation string, sub Object) Filter {
	return Filter{ResourceType: typ, Relation: relation, SubjectType: sub.Type, SubjectID: sub.ID}
}

// Exactly selects r, whatever its end.
func Exactly(r Relationship) Filter {
	return Filter{ResourceType: r.Resource.Type, ResourceID: r.Resource.ID, Relation: r.Relation, SubjectType: r.Subject.Type, SubjectID: r.Subject.ID}
}

// Op is what a write does with one relationship.
type Op int

const (
	// Touch writes the relationship, replacing one with its key.
	Touch Op = iota
	// Create writes a relationship that must not exist yet: the write fails
	// (ErrRaced) if it does.
	Create
	// Delete removes the relationship.
	Delete
)

// Update is one relationship a write changes.
type Update struct {
	Op  Op
	Rel Relationship
}

// Precondition must hold for a write to happen: some relationship matches
// Filter (MustMatch) or none does.
type Precondition struct {
	MustMatch bool
	Filter    Filter
}

// Write is one atomic change: every update, or, when a precondition fails,
// none (ErrRaced).
type Write struct {
	Updates       []Update
	Preconditions []Precondition
}

// ErrRaced marks a write that lost a race: another writer changed what its
// preconditions guard, or made an object it creates, first.
var ErrRaced = errors.New("a concurrent write changed the workspace first")

// WriteOf turns a plan into one atomic write, guarded by each workspace's
// lock: the lock read with state must still be there (or, for a workspace
// that has none, none may be), and the write replaces it with a new one,
// named by newLock. It also returns the new locks. optimistic says the plan
// was made without reading the objects it creates: each one's ID marker is
// then CREATEd, which fails if the object exists after all, and so are its
// relationships (on PostgreSQL a plain insert, where a touch must also
// replace). Otherwise a precondition per created object guards the write.
func WriteOf(plan Plan, state *State, optimistic bool, newLock func() string) (Write, []Relationship) {
	var w Write
	var locks []Relationship
	created := make(map[Object]bool, len(plan.Created))
	if optimistic {
		for _, o := range plan.Created {
			created[o] = true
		}
	}
	for _, r := range plan.Touch {
		op := Touch
		if created[r.Resource] || created[r.Subject.Object()] {
			op = Create
		}
		w.Updates = append(w.Updates, Update{op, r})
	}
	for _, r := range plan.Delete {
		w.Updates = append(w.Updates, Update{Delete, r})
	}
	for _, ws := range plan.Workspaces {
		wsObj := workspaceObj(ws)
		current := state.Of(wsObj, "lock")
		if len(current) == 0 {
			w.Preconditions = append(w.Preconditions, Precondition{Filter: LockFilter(ws)})
		}
		for _, old := range current {
			w.Preconditions = append(w.Preconditions, Precondition{MustMatch: true, Filter: Exactly(old)})
			w.Updates = append(w.Updates, Update{Delete, old})
		}
		lock := Rel(wsObj, "lock", Object{TypeLock, newLock()})
		locks = append(locks, lock)
		w.Updates = append(w.Updates, Update{Touch, lock})
	}
	for _, o := range plan.Created {
		op := Create
		if !optimistic {
			op = Touch
			w.Preconditions = append(w.Preconditions, Precondition{Filter: Filter{ResourceType: o.Type, ResourceID: o.ID, Relation: "workspace"}})
		}
		w.Updates = append(w.Updates, Update{op, IDTaken(o)})
	}
	for _, o := range plan.Removed {
		w.Updates = append(w.Updates, Update{Delete, IDTaken(o)})
	}
	return w, locks
}

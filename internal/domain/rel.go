package domain

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Object is a typed object, e.g. client:c1.
type Object struct {
	Type string
	ID   string
}

func (o Object) String() string { return o.Type + ":" + o.ID }

// Subject is the subject of a relationship: an object, or an object's relation
// (a userset such as role_binding:ws1/practitioner#member).
type Subject struct {
	Type     string
	ID       string
	Relation string
}

func (s Subject) String() string {
	if s.Relation == "" {
		return s.Type + ":" + s.ID
	}
	return s.Type + ":" + s.ID + "#" + s.Relation
}

// Object returns the subject's object, without its relation.
func (s Subject) Object() Object { return Object{Type: s.Type, ID: s.ID} }

// End is when something stops counting (a relationship, a holding, a grant):
// at a moment, to the second, or never. The zero End is never; every moment,
// the first second of 1970 included, is a moment: no time reads as "no end".
type End struct {
	unix int64
	set  bool
}

// EndAt is the end at t, to the second (a fraction of a second is dropped, so
// the end comes no later than asked).
func EndAt(t time.Time) End { return End{unix: t.Unix(), set: true} }

// Never reports whether e is no end at all.
func (e End) Never() bool { return !e.set }

// Time is the moment of e; only meaningful when !e.Never().
func (e End) Time() time.Time { return time.Unix(e.unix, 0).UTC() }

// PassedAt reports whether e has come by now.
func (e End) PassedAt(now time.Time) bool { return e.set && !now.Before(time.Unix(e.unix, 0)) }

func (e End) String() string {
	if !e.set {
		return "never"
	}
	return e.Time().Format(time.RFC3339)
}

// compare orders ends, moments before never.
func (e End) compare(o End) int {
	switch {
	case e.set != o.set && e.set:
		return -1
	case e.set != o.set:
		return 1
	}
	return cmp.Compare(e.unix, o.unix)
}

// LaterEnd is when something given by two grants ends: never if either never
// ends, else at the later end.
func LaterEnd(a, b End) End {
	if a.compare(b) >= 0 {
		return a
	}
	return b
}

// EarlierEnd is when something that needs two grants at once ends: at the
// earlier end, never only if neither ends.
func EarlierEnd(a, b End) End {
	if a.compare(b) <= 0 {
		return a
	}
	return b
}

// Relationship is one SpiceDB relationship.
type Relationship struct {
	Resource Object
	Relation string
	Subject  Subject
	// Expires is when the relationship stops counting.
	Expires End
	// During is, for a relationship that starts later than it is written,
	// when it counts (SpiceDB evaluates it by one of Ward's caveats: Span.Caveat);
	// Expires is then its end. It is the zero Span otherwise. Set both by
	// Lasting.
	During Span
	// Below is, for a grant limited to amounts (a role's binding that may
	// approve charges below an amount), that amount as a canonical decimal
	// ("500", "499.5"): SpiceDB evaluates it by caveat amount_below against
	// the amount a check gives. "" otherwise; never with During.
	Below string
}

// BelowCaveat is the caveat of a relationship limited to amounts below its
// Below.
const BelowCaveat = "amount_below"

// Caveat is the caveat SpiceDB evaluates r by, and its context: amount_below
// for a limited grant, else its span's (Span.Caveat); "" for none.
func (r Relationship) Caveat() (name string, context map[string]any) {
	if r.Below != "" {
		limit, _ := strconv.ParseFloat(r.Below, 64)
		return BelowCaveat, map[string]any{"limit": limit}
	}
	return r.During.Caveat()
}

// WithCaveat is r (read back from SpiceDB with expires as its expiration)
// with its caveat: a limit for amount_below, else the span of one of Ward's
// time caveats (SpanOfCaveat). Any other caveat is an error.
func (r Relationship) WithCaveat(name string, context map[string]any, expires End) (Relationship, error) {
	if name == BelowCaveat {
		limit, ok := context["limit"].(float64)
		if !ok || !validAmount(limit) {
			return r, fmt.Errorf("caveat %s needs a limit between 0 and %s, not %v", BelowCaveat, FormatAmount(MaxAmount), context["limit"])
		}
		r.Expires, r.During, r.Below = expires, Span{}, FormatAmount(limit)
		return r, nil
	}
	span, err := SpanOfCaveat(name, context, expires)
	if err != nil {
		return r, err
	}
	return r.Lasting(span), nil
}

// MaxAmount bounds an amount Ward keeps or is asked about: a trillion in the
// practice's currency.
const MaxAmount = 1e12

func validAmount(f float64) bool { return f > 0 && f <= MaxAmount && !math.IsNaN(f) }

// FormatAmount is an amount as Ward writes it: the shortest decimal that
// reads back as the same number ("500", "499.99").
func FormatAmount(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// plain reports whether r has neither an end, a start, nor a limit.
func (r Relationship) plain() bool { return r.Below == "" && r.Span().Always() }

// Lasting is r counting during s: its expiration is s's end, and a span with
// a start is kept whole, for the caveat.
func (r Relationship) Lasting(s Span) Relationship {
	r.Expires, r.During = s.End(), Span{}
	if s.HasStart() {
		r.During = s
	}
	return r
}

// Span is when r counts.
func (r Relationship) Span() Span {
	if r.During.HasStart() {
		return r.During
	}
	return Until(r.Expires)
}

func (r Relationship) String() string {
	s := r.Resource.String() + "#" + r.Relation + "@" + r.Subject.String()
	if r.During.HasStart() {
		s += "[during:" + r.During.String() + "]"
	}
	if r.Below != "" {
		s += "[" + BelowCaveat + ":" + r.Below + "]"
	}
	if !r.Expires.Never() {
		s += "[expiration:" + r.Expires.String() + "]"
	}
	return s
}

// Key is the relationship without its expiration and caveat: SpiceDB holds
// at most one relationship per key.
func (r Relationship) Key() Relationship {
	r.Expires, r.During, r.Below = End{}, Span{}, ""
	return r
}

// Rel builds a relationship to a plain subject.
func Rel(res Object, relation string, sub Object) Relationship {
	return Relationship{Resource: res, Relation: relation, Subject: Subject{Type: sub.Type, ID: sub.ID}}
}

// CompareRelationships orders relationships by their string form's parts.
func CompareRelationships(a, b Relationship) int {
	// Field by field, stopping at the first difference (cmp.Or would compare
	// every field first): planning sorts tens of thousands of relationships.
	if c := CompareObjects(a.Resource, b.Resource); c != 0 {
		return c
	}
	if c := strings.Compare(a.Relation, b.Relation); c != 0 {
		return c
	}
	if c := strings.Compare(a.Subject.Type, b.Subject.Type); c != 0 {
		return c
	}
	if c := strings.Compare(a.Subject.ID, b.Subject.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Subject.Relation, b.Subject.Relation); c != 0 {
		return c
	}
	if c := a.Span().compare(b.Span()); c != 0 {
		return c
	}
	return strings.Compare(a.Below, b.Below)
}

// CompareObjects orders objects by type, then ID: the order of their
// "type:id" strings, as type names are lowercase letters and underscores.
func CompareObjects(a, b Object) int {
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// State is a set of relationships indexed by resource: the part of SpiceDB's data
// that a request reads and changes.
type State struct {
	// byResource holds each resource's relationships by relation, so that one
	// relation of a workspace (its preset) is read without its thousands of
	// members.
	byResource map[Object]map[string]map[Relationship]struct{}
	// byType holds the resources of each type by scope (see scopeOf), so
	// that a question about one type (a practice's role bindings) does not
	// scan every client's records, nor, in an import of many practices,
	// every other practice's bindings.
	byType map[string]map[string]map[Object]struct{}
	// toRole holds the relationships whose subject is a role (a custom role's
	// link to the role it inherits), by that role, so that a role's heirs are
	// found without scanning every role's grants.
	toRole map[Object]map[Relationship]struct{}
	// lasting holds each relationship that ends or starts later, by its key,
	// so that a key's relationship is found without scanning its resource.
	lasting map[Relationship]Relationship
	// byUser holds, by user, resource type and relation, the relationships
	// that name the user directly on anything but a workspace or location
	// (their roles, switches, and the records that are theirs), so that one
	// person's are found without scanning everyone's, nor all of their
	// clients to find their roles. Written-out access, on workspaces and
	// locations, is left out: it is most of a practice, and nothing looks it
	// up by person.
	byUser map[naming]map[Relationship]struct{}
}

// IDTaken is the marker that o's ID is taken: the adapter CREATEs it with the
// object, so a second object of the same type and ID cannot be made.
func IDTaken(o Object) Relationship {
	return Rel(Object{Type: TypeIDs, ID: o.Type}, "taken", o)
}

// NewState returns a state holding rels.
func NewState(rels ...Relationship) *State {
	s := &State{
		byResource: map[Object]map[string]map[Relationship]struct{}{}, byType: map[string]map[string]map[Object]struct{}{},
		toRole: map[Object]map[Relationship]struct{}{}, lasting: map[Relationship]Relationship{}, byUser: map[naming]map[Relationship]struct{}{},
	}
	for _, r := range rels {
		s.Add(r)
	}
	return s
}

// naming is a key of byUser.
type naming struct{ user, typ, relation string }

// namesUser reports whether r is kept in byUser.
func namesUser(r Relationship) bool {
	return isPerson(r.Subject) && r.Resource.Type != TypeWorkspace && r.Resource.Type != TypeLocation
}

func namingOf(r Relationship) naming { return naming{personOf(r.Subject), r.Resource.Type, r.Relation} }

// Add inserts r, replacing the relationship with its key if its end differs:
// like SpiceDB, a state holds at most one relationship per key.
func (s *State) Add(r Relationship) {
	if s.Has(r) {
		return
	}
	s.RemoveKey(r)
	m := s.byResource[r.Resource]
	if m == nil {
		m = map[string]map[Relationship]struct{}{}
		s.byResource[r.Resource] = m
		scopes := s.byType[r.Resource.Type]
		if scopes == nil {
			scopes = map[string]map[Object]struct{}{}
			s.byType[r.Resource.Type] = scopes
		}
		scope := scopeOf(r.Resource)
		if scopes[scope] == nil {
			scopes[scope] = map[Object]struct{}{}
		}
		scopes[scope][r.Resource] = struct{}{}
	}
	if m[r.Relation] == nil {
		m[r.Relation] = map[Relationship]struct{}{}
	}
	m[r.Relation][r] = struct{}{}
	if !r.plain() {
		s.lasting[r.Key()] = r
	}
	if r.Subject.Type == TypeRole {
		sub := r.Subject.Object()
		if s.toRole[sub] == nil {
			s.toRole[sub] = map[Relationship]struct{}{}
		}
		s.toRole[sub][r] = struct{}{}
	}
	if namesUser(r) {
		k := namingOf(r)
		if s.byUser[k] == nil {
			s.byUser[k] = map[Relationship]struct{}{}
		}
		s.byUser[k][r] = struct{}{}
	}
}

// Remove deletes r if present.
func (s *State) Remove(r Relationship) {
	if !s.Has(r) {
		return
	}
	m := s.byResource[r.Resource]
	delete(m[r.Relation], r)
	if len(m[r.Relation]) == 0 {
		delete(m, r.Relation)
	}
	if len(m) == 0 {
		delete(s.byResource, r.Resource)
		scopes, scope := s.byType[r.Resource.Type], scopeOf(r.Resource)
		delete(scopes[scope], r.Resource)
		if len(scopes[scope]) == 0 {
			delete(scopes, scope)
		}
	}
	if !r.plain() {
		delete(s.lasting, r.Key())
	}
	if r.Subject.Type == TypeRole {
		sub := r.Subject.Object()
		delete(s.toRole[sub], r)
		if len(s.toRole[sub]) == 0 {
			delete(s.toRole, sub)
		}
	}
	if namesUser(r) {
		k := namingOf(r)
		delete(s.byUser[k], r)
		if len(s.byUser[k]) == 0 {
			delete(s.byUser, k)
		}
	}
}

// Naming returns the relationships by which resources of type typ name user
// directly through relation, sorted. typ is neither workspace nor location
// (see byUser).
func (s *State) Naming(user, typ, relation string) []Relationship {
	out := slices.Collect(maps.Keys(s.byUser[naming{user, typ, relation}]))
	slices.SortFunc(out, CompareRelationships)
	return out
}

// ToRole returns the relationships with the given relation whose subject is
// role, sorted.
func (s *State) ToRole(role Object, relation string) []Relationship {
	var out []Relationship
	for r := range s.toRole[role] {
		if r.Relation == relation {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, CompareRelationships)
	return out
}

// Has reports whether r is present.
func (s *State) Has(r Relationship) bool {
	_, ok := s.byResource[r.Resource][r.Relation][r]
	return ok
}

// HasKey reports whether a relationship with r's key is present, whatever its
// end: the question for relations whose relationships may end (holdings,
// notes readers, being office staff), where Has would need the end too.
func (s *State) HasKey(r Relationship) bool {
	k := r.Key()
	if s.Has(k) {
		return true
	}
	_, ok := s.lasting[k]
	return ok
}

// Of returns obj's relationships with the given relation ("" for all), sorted.
func (s *State) Of(obj Object, relation string) []Relationship {
	var out []Relationship
	if relation != "" {
		for r := range s.byResource[obj][relation] {
			out = append(out, r)
		}
	} else {
		out = s.each(obj, out, func(Relationship) bool { return true })
	}
	slices.SortFunc(out, CompareRelationships)
	return out
}

// each appends obj's relationships that match accepts to out.
func (s *State) each(obj Object, out []Relationship, match func(Relationship) bool) []Relationship {
	for _, rels := range s.byResource[obj] {
		for r := range rels {
			if match(r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// SpanOf returns when the relationship with r's key counts (always when it
// has neither start nor end, or is not held).
func (s *State) SpanOf(r Relationship) Span { return s.lasting[r.Key()].Span() }

// Subjects returns the subjects obj has through relation, sorted.
func (s *State) Subjects(obj Object, relation string) []Subject {
	var out []Subject
	for _, r := range s.Of(obj, relation) {
		out = append(out, r.Subject)
	}
	return out
}

// Where returns every relationship match accepts, sorted.
func (s *State) Where(match func(Relationship) bool) []Relationship {
	var out []Relationship
	for obj := range s.byResource {
		out = s.each(obj, out, match)
	}
	slices.SortFunc(out, CompareRelationships)
	return out
}

// WhereType returns every relationship of a resource of type typ that match
// accepts, sorted. It reads only that type's resources.
func (s *State) WhereType(typ string, match func(Relationship) bool) []Relationship {
	var out []Relationship
	for _, objs := range s.byType[typ] {
		for obj := range objs {
			out = s.each(obj, out, match)
		}
	}
	slices.SortFunc(out, CompareRelationships)
	return out
}

// WhereIn is WhereType for the resources of type typ in one workspace's
// scope (IDs "ws/..."), the only ones it reads.
func (s *State) WhereIn(typ, ws string, match func(Relationship) bool) []Relationship {
	var out []Relationship
	for obj := range s.byType[typ][ws] {
		out = s.each(obj, out, match)
	}
	slices.SortFunc(out, CompareRelationships)
	return out
}

// scopeOf is the workspace an object's ID is scoped by, the part before its
// first '/' (roles, role bindings, staff members: caller IDs never hold '/'),
// or "" for an object whose ID is not scoped.
func scopeOf(o Object) string {
	scope, _, ok := strings.Cut(o.ID, "/")
	if !ok {
		return ""
	}
	return scope
}

// All returns every relationship, sorted.
func (s *State) All() []Relationship {
	return s.Where(func(Relationship) bool { return true })
}

// CountingAt returns a copy of s without the relationships that do not count
// at now (they start later, or have ended): what SpiceDB reads at that moment.
func (s *State) CountingAt(now time.Time) *State {
	c := NewState()
	for obj := range s.byResource {
		for _, r := range s.each(obj, nil, func(r Relationship) bool { return r.Span().CountsAt(now) }) {
			c.Add(r)
		}
	}
	return c
}

// Clone returns an independent copy.
func (s *State) Clone() *State {
	c := NewState()
	for obj := range s.byResource {
		for _, r := range s.each(obj, nil, func(Relationship) bool { return true }) {
			c.Add(r)
		}
	}
	return c
}

// Diff returns what must be written to turn from into to. A relationship whose
// expiration changed is only touched: a touch replaces it.
func Diff(from, to *State) (touch, del []Relationship) {
	touch = to.Where(func(r Relationship) bool { return !from.Has(r) })
	touched := map[Relationship]bool{}
	for _, r := range touch {
		touched[r.Key()] = true
	}
	del = from.Where(func(r Relationship) bool { return !to.Has(r) && !touched[r.Key()] })
	return touch, del
}

// RemoveKey deletes the relationship with r's key, whatever its end.
func (s *State) RemoveKey(r Relationship) {
	k := r.Key()
	s.Remove(k)
	if held, ok := s.lasting[k]; ok {
		s.Remove(held)
	}
}

package domain

import (
	"maps"
	"slices"
	"strings"
)

// Roles' grants are stored once, on the role (role#grant@capability:NAME).
// What each person may do is written out from them onto the workspace and its
// locations (workspace#NAME@user:U), so a check reads one relation of the
// person instead of resolving their roles. This file keeps that written-out
// access equal to what the roles, holdings and staff say.

func capabilityObj(relation string) Object { return Object{TypeCapability, relation} }

// reach is whose written-out access an event may change. Its zero value is
// everyone's, so an event type declared without one is never under-read.
type reach int

const (
	// reachEveryone: anyone's in the practice (a role's grants, a setting, a
	// new location).
	reachEveryone reach = iota
	// reachPerson: only the event's user's (their holdings or standing).
	reachPerson
	// reachNobody: records only, one person's notes access to one client, or
	// the owner (whose rights are the schema's, owner & active, never
	// written out).
	reachNobody
	// reachOwners: the practice's owner's before the event and its new
	// owner's (e.To): an inactivity policy spares the owner, so a transfer
	// changes the lapse of those two and nobody else's.
	reachOwners
	// reachRole: the holders' of the event's role and of every role that
	// inherits it, at any remove, before the event and after it (a role's
	// grants, hours, networks or parent are theirs alone).
	reachRole
	// reachParties: the lender's and the delegate's of the event's
	// delegation (e.From and e.To when it is granted; its lender and
	// invitee, before the event, when it is revoked): a delegate's access is
	// written from the lender's holdings, so lending or ending a lending
	// changes the delegate's, and nobody else's but their own delegates'.
	reachParties
)

// reachOf is whose access e may change: its type's declared Reach, but the
// role's holders' for notes access given to a role, which changes its
// grants as role.updated does (the same types give it to one person for one
// client, which is nobody's), and everyone's for a role's event that names
// an action taking an amount limit (limits are written per binding, from
// the whole practice: writeLimits). Practice.reachOf says the same of a
// role that already has a limit.
func reachOf(e Event) reach {
	switch {
	case (e.Type == "notes_access.granted" || e.Type == "notes_access.revoked") && e.Role != "":
		return reachRole
	case EventTypes[e.Type].Reach == reachRole && touchesLimits(e):
		return reachEveryone
	}
	return EventTypes[e.Type].Reach
}

// reachOf is reachOf(e) in practice p: everyone's, too, for a role's event
// whose role has an amount limit, which it may change.
func (p Practice) reachOf(e Event) reach {
	if r := reachOf(e); r != reachRole || len(p.Limits(e.Role)) == 0 {
		return r
	}
	return reachEveryone
}

// reached is whom e reaches in p by reach r (see reach): its user, the
// owner and the new owner, the role's holders and lenders, or its
// delegation's parties; nobody named for everyone or nobody. Asked before
// the event and after it, the two answers together are whose access e may
// change.
func (p Practice) reached(e Event, r reach) []string {
	switch r {
	case reachPerson:
		return []string{e.User}
	case reachOwners:
		return []string{p.Owner(), e.To}
	case reachRole:
		return p.roleReach(e.Role)
	case reachParties:
		return p.parties(e)
	}
	return nil
}

// touchesLimits reports whether e names an action that takes an amount
// limit: giving it, with a limit or without, sets the role's limit
// (resolveLimits).
func touchesLimits(e Event) bool {
	for area, g := range e.Grants {
		a, _ := AreaByName(area)
		for _, action := range a.Limited {
			if _, ok := g.Actions[action]; ok {
				return true
			}
		}
	}
	return false
}

// setsConditions reports whether e, a role's event, may change the role's
// hours or networks (role.defined sets them anew).
func setsConditions(e Event) bool {
	return EventTypes[e.Type].Reach == reachRole && (e.HoursSet || e.NetworksSet || e.Type == "role.defined")
}

// changesAccess reports whether e may change what someone's roles give them.
func changesAccess(e Event) bool { return reachOf(e) != reachNobody }

// isAccess reports whether r is written-out access: a capability relation of a
// workspace or location naming a user.
func isAccess(r Relationship) bool {
	if r.Resource.Type != TypeWorkspace && r.Resource.Type != TypeLocation {
		return false
	}
	_, ok := grantByRelation()[r.Relation]
	return ok && isPerson(r.Subject)
}

// InactiveAccess returns the written-out access among rels that names
// someone who is not an enabled member of the practice it is in (the
// workspace's own, or a location's workspace). rels must hold the
// workspaces' and locations' relationships. Ward writes access only for
// enabled members and deletes it when they are disabled or removed, and the
// permissions of clients, appointments and invoices rely on that: they read
// their scope's access with no membership check of their own (docs/model.md).
// So the answer is always empty; tests ask it after every step.
func InactiveAccess(rels []Relationship) []Relationship {
	s := NewState(rels...)
	var out []Relationship
	for _, r := range rels {
		if !isAccess(r) {
			continue
		}
		if ws := ResourceWorkspace(s, r.Resource); ws == "" || !(Practice{S: s, WS: ws}).IsActive(personOf(r.Subject)) {
			out = append(out, r)
		}
	}
	return out
}

// writeAccess rewrites a practice's written-out access from its roles' grants
// and who holds them: every enabled holder of a role gets each capability the
// role grants, on the workspace for workspace-wide holders and on the location
// for a location's holders (areas whose records carry a location only).
// Workspace-wide holders get those areas on every location too (see
// accessTargets). A relationship ends when the last holding that gives it ends,
// or, under an inactivity policy, when the holder's activity does.
//
// users, when not nil, limits the rewrite to those staff members' access (and
// staff_member objects): the state then needs only their holdings and access,
// besides the practice's roles and locations.
//
// budget is how many relationships it may still add that the state does not
// hold yet, and is used up as it adds them: past it, writeAccess stops and
// reports false before building the rest, so that a small request asking for
// a lot (a thousand practitioner admins) costs memory in proportion to the
// limit, not to what it asks.
func writeAccess(s *State, pr Practice, users []string, budget *int) bool {
	ws, locations := pr.obj(), map[string]Object{}
	for _, loc := range pr.Locations() {
		locations[loc] = locationObj(loc)
	}
	regions := pr.regionLocations()
	var holdings []userHolding
	if users == nil {
		holdings = append(pr.allHoldings(), pr.delegatedHoldings("")...)
	}
	for _, u := range users {
		holdings = append(holdings, pr.holdings(u)...)
		holdings = append(holdings, pr.delegatedHoldings(u)...)
	}
	grants := map[string]map[Capability]map[Level]Span{}
	want := map[Relationship]Span{}
	activity := map[string]Span{}
	for _, h := range holdings {
		if !pr.IsActive(h.User) {
			continue
		}
		active, ok := activity[h.User]
		if !ok {
			active = pr.activity(h.User)
			activity[h.User] = active
		}
		lasts, counts := Intersect(h.Lasts, active) // an inactivity policy ends it too
		if !counts {
			continue
		}
		if _, ok := grants[h.Role]; !ok {
			grants[h.Role] = pr.grantSpans(h.Role)
		}
		for c, levels := range grants[h.Role] {
			for level, granted := range levels {
				given, counts := Intersect(lasts, granted) // a grant given for a time: while both last
				if !counts {
					continue
				}
				targets := accessTargets(h.Location, areaLocated(c.Area), ws, locations, regions)
				if !wantAccess(s, want, budget, targets, c.Relation(level), h.User, given) {
					return false
				}
			}
		}
	}
	targets := append(slices.Collect(maps.Values(locations)), ws)
	if users == nil {
		for _, target := range targets {
			for _, r := range s.Of(target, "") {
				if span, ok := want[r.Key()]; isAccess(r) && (!ok || span != r.Span()) {
					s.Remove(r)
				}
			}
		}
	} else {
		for _, target := range targets {
			for relation := range grantByRelation() {
				for _, u := range users {
					if r := Rel(target, relation, userObj(u)); s.HasKey(r) {
						if _, ok := want[r]; !ok {
							s.RemoveKey(r)
						}
					}
				}
			}
		}
	}
	for r, span := range want {
		s.Add(r.Lasting(span))
	}
	if users == nil && !writeLimits(s, pr, locations, regions, budget) {
		return false
	}
	writeStaffMembers(s, pr, users)
	return true
}

// wantAccess wants user's relation on each target for span, joined with
// what other holdings give there, counting a relationship not yet held
// against budget: false past it.
func wantAccess(s *State, want map[Relationship]Span, budget *int, targets []Object, relation, user string, span Span) bool {
	for _, target := range targets {
		r, joined := Rel(target, relation, userObj(user)), span
		prev, seen := want[r]
		if seen {
			joined = Union(prev, span)
		} else if !s.Has(r.Lasting(span)) {
			// a touch, unless a later holding's span makes it one that is held
			if *budget--; *budget < 0 {
				return false
			}
		}
		want[r] = joined
	}
	return true
}

// limitedRelations are the relations writeLimits writes: one per action an
// area limits by amount, at the full level.
var limitedRelations = func() []string {
	var out []string
	for _, a := range Areas {
		for _, action := range a.Limited {
			out = append(out, Cap(a.Name, action).Relation(LevelFull)+LimitedSuffix)
		}
	}
	return out
}()

// writeLimits rewrites, on the workspace and its locations, which role
// bindings hold a capability only below an amount: for each role's limited
// grant (Practice.Limits), each of its bindings with the limit, on the
// places accessTargets says (the workspace-wide one on the workspace and
// every location, as written-out access is: a check then follows one arrow,
// its record's scope, which measured 1.15-1.20x an unlimited approval's
// check against 1.36-1.38x when it also followed the workspace's; see
// docs/performance.md, step 37). Each binding is named whether or not anyone
// holds it, so that adding a holder, which a narrow batch does, needs no write
// here. Like writeAccess it uses up budget and stops, reporting false, past
// it.
// SpiceDB reads the binding's members (each until their holding ends) and
// compares the amount a check gives with the limit; the schema asks that the
// asker be an enabled member, as written-out access needs no such check.
func writeLimits(s *State, pr Practice, locations map[string]Object, regions map[string][]Object, budget *int) bool {
	ws := pr.obj()
	want := map[Relationship]bool{}
	for _, role := range pr.Roles() {
		for c, limit := range pr.Limits(role) {
			for _, b := range scopes(pr, role) {
				_, _, scope, _ := ParseBindingID(b)
				targets := accessTargets(scope, areaLocated(c.Area), ws, locations, regions)
				for _, target := range targets {
					r := Relationship{Resource: target, Relation: c.Relation(LevelFull) + LimitedSuffix, Subject: bindingMembers(b), Below: limit}
					if !want[r] && !s.Has(r) {
						if *budget--; *budget < 0 {
							return false
						}
					}
					want[r] = true
				}
			}
		}
	}
	for _, target := range append(slices.Collect(maps.Values(locations)), ws) {
		for _, rel := range limitedRelations {
			for _, r := range s.Of(target, rel) {
				if !want[r] {
					s.Remove(r)
				}
			}
		}
	}
	for r := range want {
		s.Add(r)
	}
	return true
}

// writtenStaffRelations are the relations of a staff_member that are
// written out from the practice (its practice, its person, the switched
// role it holds, whether they are the account owner); the others are set by
// events.
var writtenStaffRelations = []string{"workspace", "person", "switched", "account_owner"}

// writeStaffMembers keeps one staff_member object per member of the practice
// (who they are, until when they hold the preset's switched role, and, for
// the account owner's, that nobody changes their permissions), and none for
// anyone else; when users is not nil, only theirs.
func writeStaffMembers(s *State, pr Practice, users []string) {
	want := map[Relationship]bool{}
	var switchRole string
	if preset := Presets[pr.Preset()]; preset != nil {
		switchRole = preset.SwitchRole
	}
	spans := map[string]Span{}
	owner := pr.Owner()
	holdings := pr.allHoldings()
	var members []string
	for _, m := range pr.S.Subjects(pr.obj(), "member") {
		members = append(members, personOf(m))
	}
	var existing []Relationship
	if users != nil {
		holdings, members = nil, nil
		for _, u := range users {
			holdings = append(holdings, pr.holdings(u)...)
			if pr.IsMember(u) {
				members = append(members, u)
			}
			if !IsServiceAccount(u) {
				existing = append(existing, s.Of(Object{TypeStaffMember, StaffMemberID(pr.WS, u)}, "")...)
			}
		}
	} else {
		existing = s.WhereIn(TypeStaffMember, pr.WS, func(Relationship) bool { return true })
	}
	for _, h := range holdings {
		if h.Role == switchRole {
			extendSpan(spans, h.User, h.Lasts)
		}
	}
	for _, u := range members {
		if IsServiceAccount(u) {
			continue // staff_member questions are about people
		}
		sm := Object{TypeStaffMember, StaffMemberID(pr.WS, u)}
		want[Rel(sm, "workspace", pr.obj())] = true
		want[Rel(sm, "person", userObj(u))] = true
		if span, ok := spans[u]; ok {
			want[Rel(sm, "switched", pr.obj()).Lasting(span)] = true
		}
		if u == owner {
			for _, r := range ownerMark(sm) {
				want[r] = true
			}
		}
	}
	for _, r := range existing {
		// Only what this writes out is rewritten: a manager is set by
		// events (staff.manager_set).
		if !want[r] && slices.Contains(writtenStaffRelations, r.Relation) {
			s.Remove(r)
		}
	}
	for r := range want {
		s.Add(r)
	}
}

// accessTargets are the objects on which a holding at scope ("" for
// workspace-wide, a location, or a region's RegionScope) writes a capability
// out: a location's holders get located areas at that location only, a
// region's at each of its locations (regions, by region); workspace-wide
// holders get every area on the workspace and located ones on every location
// too, since records with a location read access there.
func accessTargets(scope string, located bool, ws Object, locations map[string]Object, regions map[string][]Object) []Object {
	if r, ok := RegionOfScope(scope); ok {
		if !located {
			return nil
		}
		return regions[r]
	}
	if scope != "" {
		if loc, ok := locations[scope]; ok && located {
			return []Object{loc}
		}
		return nil
	}
	if !located {
		return []Object{ws}
	}
	return append(slices.Collect(maps.Values(locations)), ws)
}

// regionLocations maps each region of the practice to its locations.
func (p Practice) regionLocations() map[string][]Object {
	out := map[string][]Object{}
	for _, r := range p.S.WhereIn(TypeRegion, p.WS, func(r Relationship) bool { return r.Relation == "location" }) {
		region := strings.TrimPrefix(r.Resource.ID, p.WS+"/")
		out[region] = append(out[region], r.Subject.Object())
	}
	return out
}

// reaches reports whether a holding's grant of an area (located or not) is
// written out on target (a workspace or location of its practice), by
// accessTargets, the rule writeAccess writes by.
func reaches(pr Practice, h Holding, located bool, target Object) bool {
	ws, locations, regions := target, map[string]Object{}, map[string][]Object{}
	if target.Type == TypeLocation {
		ws, locations[target.ID] = Object{}, target
		if r := pr.RegionOf(target.ID); r != "" {
			regions[r] = []Object{target}
		}
	}
	return slices.Contains(accessTargets(h.Location, located, ws, locations, regions), target)
}

// AccessSources returns the holdings that give the written-out access r (a
// capability relation of a workspace or location naming a person): the
// person's roles that grant its capability at exactly its level (for good
// or for a time) and whose
// place it is written on. It names, for explain, the roles behind a relation
// SpiceDB found; it decides nothing.
func AccessSources(pr Practice, r Relationship) []Holding {
	if !isAccess(r) {
		return nil
	}
	g := grantByRelation()[r.Relation]
	var out []Holding
	for _, h := range pr.ActingHoldings(personOf(r.Subject)) {
		if _, granted := pr.grantSpans(h.Role)[g.cap][g.level]; granted && reaches(pr, h, areaLocated(g.cap.Area), r.Resource) {
			out = append(out, h)
		}
	}
	return out
}

func areaLocated(area string) bool {
	a, _ := AreaByName(area)
	return a.Located
}

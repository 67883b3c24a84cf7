package domain

import (
	"maps"
	"slices"
)

// Roles' grants are stored once, on the role (role#grant@capability:NAME).
// What each person may do is written out from them onto the workspace and its
// locations (workspace#NAME@user:U), so a check reads one relation of the
// person instead of resolving their roles. This file keeps that written-out
// access equal to what the roles, holdings and staff say.

func capabilityObj(relation string) Object { return Object{TypeCapability, relation} }

// changesAccess reports whether e may change what someone's roles give them:
// every event not marked Records in EventTypes (new types included), and
// notes_access events that name a role.
func changesAccess(e Event) bool {
	switch e.Type {
	case "notes_access.granted", "notes_access.revoked":
		return e.Role != ""
	}
	return !EventTypes[e.Type].Records
}

// isAccess reports whether r is written-out access: a capability relation of a
// workspace or location naming a user.
func isAccess(r Relationship) bool {
	if r.Resource.Type != TypeWorkspace && r.Resource.Type != TypeLocation {
		return false
	}
	_, ok := grantByRelation()[r.Relation]
	return ok && r.Subject.Type == TypeUser && r.Subject.Relation == ""
}

// writeAccess rewrites a practice's written-out access from its roles' grants
// and who holds them: every enabled holder of a role gets each capability the
// role grants, on the workspace for workspace-wide holders and on the location
// for a location's holders (areas whose records carry a location only).
// Workspace-wide holders get those areas on every location too (see
// accessTargets). A relationship ends when the last holding that gives it ends.
//
// budget is how many relationships it may still add that the state does not
// hold yet, and is used up as it adds them: past it, writeAccess stops and
// reports false before building the rest, so that a small request asking for
// a lot (a thousand practitioner admins) costs memory in proportion to the
// limit, not to what it asks.
func writeAccess(s *State, pr Practice, budget *int) bool {
	ws, locations := pr.obj(), map[string]Object{}
	for _, loc := range pr.Locations() {
		locations[loc] = locationObj(loc)
	}
	grants := map[string]map[Capability]Level{}
	want := map[Relationship]End{}
	for _, h := range pr.allHoldings() {
		if !pr.IsActive(h.User) {
			continue
		}
		if _, ok := grants[h.Role]; !ok {
			grants[h.Role] = pr.Grants(h.Role)
		}
		for c, level := range grants[h.Role] {
			for _, target := range accessTargets(h.Location, areaLocated(c.Area), ws, locations) {
				r, end := Rel(target, c.Relation(level), userObj(h.User)), h.Expires
				prev, seen := want[r]
				if seen {
					end = LaterEnd(prev, end)
				} else if held := (Relationship{Resource: r.Resource, Relation: r.Relation, Subject: r.Subject, Expires: end}); !s.Has(held) {
					// a touch, unless a later holding's end makes it one that is held
					if *budget--; *budget < 0 {
						return false
					}
				}
				want[r] = end
			}
		}
	}
	for _, target := range append(slices.Collect(maps.Values(locations)), ws) {
		for _, r := range s.Of(target, "") {
			if end, ok := want[r.Key()]; isAccess(r) && (!ok || end != r.Expires) {
				s.Remove(r)
			}
		}
	}
	for r, end := range want {
		r.Expires = end
		s.Add(r)
	}
	writeStaffMembers(s, pr)
	return true
}

// writeStaffMembers keeps one staff_member object per member of the practice
// (who they are, and until when they hold the preset's switched role), and
// none for anyone else.
func writeStaffMembers(s *State, pr Practice) {
	want := map[Relationship]bool{}
	var switchRole string
	if preset := Presets[pr.Preset()]; preset != nil {
		switchRole = preset.SwitchRole
	}
	ends := map[string]End{}
	for _, h := range pr.allHoldings() {
		if h.Role == switchRole {
			extendEnd(ends, h.User, h.Expires)
		}
	}
	for _, u := range pr.S.Subjects(pr.obj(), "member") {
		sm := Object{TypeStaffMember, StaffMemberID(pr.WS, u.ID)}
		want[Rel(sm, "workspace", pr.obj())] = true
		want[Rel(sm, "person", userObj(u.ID))] = true
		if end, ok := ends[u.ID]; ok {
			r := Rel(sm, "switched", pr.obj())
			r.Expires = end
			want[r] = true
		}
	}
	for _, r := range s.WhereIn(TypeStaffMember, pr.WS, func(Relationship) bool { return true }) {
		if !want[r] {
			s.Remove(r)
		}
	}
	for r := range want {
		s.Add(r)
	}
}

// accessTargets are the objects on which a holding at location ("" for
// workspace-wide) writes a capability out: a location's holders get located
// areas at that location only; workspace-wide holders get every area on the
// workspace and located ones on every location too, since records with a
// location read access there.
func accessTargets(location string, located bool, ws Object, locations map[string]Object) []Object {
	if location != "" {
		if loc, ok := locations[location]; ok && located {
			return []Object{loc}
		}
		return nil
	}
	if !located {
		return []Object{ws}
	}
	return append(slices.Collect(maps.Values(locations)), ws)
}

func areaLocated(area string) bool {
	a, _ := AreaByName(area)
	return a.Located
}

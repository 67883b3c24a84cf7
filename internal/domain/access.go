package domain

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
	_, ok := capByRelation()[r.Relation]
	return ok && r.Subject.Type == TypeUser && r.Subject.Relation == ""
}

// writeAccess rewrites a practice's written-out access from its roles' grants
// and who holds them: every enabled holder of a role gets each capability the
// role grants, on the workspace for workspace-wide holders and on the location
// for a location's holders (areas whose records carry a location only).
// Workspace-wide holders get those areas on every location too, since records
// with a location read access there. A relationship ends when the last holding
// that gives it ends.
func writeAccess(s *State, pr Practice) {
	scope := map[string]Object{"": pr.obj()}
	for _, loc := range pr.Locations() {
		scope[loc] = locationObj(loc)
	}
	grants := map[string]map[Capability]Level{}
	want := map[Relationship]int64{}
	give := func(target Object, relation, user string, end int64) {
		r := Rel(target, relation, userObj(user))
		if prev, seen := want[r]; seen {
			end = laterEnd(prev, end)
		}
		want[r] = end
	}
	for _, h := range pr.AllHoldings() {
		target, ok := scope[h.Location]
		if !ok || !pr.IsActive(h.User) {
			continue
		}
		g, ok := grants[h.Role]
		if !ok {
			g = pr.Grants(h.Role)
			grants[h.Role] = g
		}
		for c, level := range g {
			located := areaLocated(c.Area)
			if h.Location != "" && !located {
				continue
			}
			give(target, c.Relation(level), h.User, h.Expires)
			if h.Location == "" && located {
				// Records with a location read access there only.
				for loc, obj := range scope {
					if loc != "" {
						give(obj, c.Relation(level), h.User, h.Expires)
					}
				}
			}
		}
	}
	for _, target := range scope {
		for _, r := range s.Of(target, "") {
			if isAccess(r) {
				if end, ok := want[r.Key()]; !ok || end != r.Expires {
					s.Remove(r)
				}
			}
		}
	}
	for r, end := range want {
		r.Expires = end
		s.Add(r)
	}
}

// laterEnd is when access given by two holdings ends: never (0) if either
// never ends, else at the later end.
func laterEnd(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	return max(a, b)
}

func areaLocated(area string) bool {
	a, _ := AreaByName(area)
	return a.Located
}

package domain

import (
	"slices"
	"strings"
)

// Switch is a permission switched on for one staff member at a time. It is in
// effect when it is on and every switch it depends on is in effect: "a
// permission that depends on a switched-off one is off, whatever its own
// switch says".
type Switch struct {
	Name      string
	Caps      []Capability
	DependsOn []string
	// Own: the switch grants its capabilities for the user's own records only.
	Own bool
}

// Need is one dependency between capabilities: holding Cap at a level needs
// Needs at that level or above, because switch Switch depends on switch On.
type Need struct {
	Cap, Needs Capability
	Switch, On string
}

// Needs lists the dependencies between capabilities that the preset's
// switches state. A switch needs what the switch it depends on is for: its
// view capabilities where it has some (what cannot be seen cannot be
// changed), else all of its capabilities.
func (p *Preset) Needs() []Need {
	var out []Need
	for _, sw := range p.Switches {
		for _, dep := range sw.DependsOn {
			on, _ := p.Switch(dep)
			needed := slices.DeleteFunc(slices.Clone(on.Caps), func(c Capability) bool { return c.Action != ActionView })
			if len(needed) == 0 {
				needed = on.Caps
			}
			for _, c := range sw.Caps {
				for _, n := range needed {
					if c != n {
						out = append(out, Need{Cap: c, Needs: n, Switch: sw.Name, On: dep})
					}
				}
			}
		}
	}
	return out
}

// Switch returns the preset's switch called name.
func (p *Preset) Switch(name string) (Switch, bool) {
	i := slices.IndexFunc(p.Switches, func(s Switch) bool { return s.Name == name })
	if i < 0 {
		return Switch{}, false
	}
	return p.Switches[i], true
}

// personalRole is the pseudo-role whose grants are one staff member's switched
// permissions; role names never start with '=' (nor do caller IDs contain '/'),
// so its binding, WS/=USER, collides with nothing.
func personalRole(user string) string { return "=" + user }

// IsPersonalRole reports whether a holding's role is someone's switched
// permissions.
func IsPersonalRole(role string) bool { return strings.HasPrefix(role, "=") }

func switchObj(ws, name string) Object { return Object{TypeSwitch, ws + "/" + name} }

// SwitchOn reports whether user's switch is on (in effect or not, now or
// for a time).
func (p Practice) SwitchOn(user, name string) bool {
	return p.S.HasKey(Rel(switchObj(p.WS, name), "enabled_for", userObj(user)))
}

// switchSpan is when user's switch is on: for good, or from a start until
// an end (staff_permission.changed with starts_at or expires_at).
func (p Practice) switchSpan(user, name string) Span {
	return p.S.SpanOf(Rel(switchObj(p.WS, name), "enabled_for", userObj(user)))
}

// Effective returns, for each switch of preset in effect for user at some
// moment, when it is: while it is on and every switch it depends on is in
// effect. A switch never in effect is absent.
func (p Practice) Effective(preset *Preset, user string) map[string]Span {
	out := map[string]Span{}
	done := map[string]bool{}
	var effective func(name string, seen map[string]bool) (Span, bool)
	effective = func(name string, seen map[string]bool) (Span, bool) {
		if done[name] {
			s, ok := out[name]
			return s, ok
		}
		sw, ok := preset.Switch(name)
		if !ok || seen[name] || !p.SwitchOn(user, name) {
			return Span{}, false
		}
		seen[name] = true
		span := p.switchSpan(user, name)
		for _, dep := range sw.DependsOn {
			d, ok := effective(dep, seen)
			if ok {
				span, ok = Intersect(span, d)
			}
			if !ok {
				done[name] = true
				return Span{}, false
			}
		}
		done[name], out[name] = true, span
		return span, true
	}
	for _, sw := range preset.Switches {
		effective(sw.Name, map[string]bool{})
	}
	return out
}

// applySwitches writes user's personal grants from their switches in effect,
// and makes them hold those grants wherever and until whenever they hold the
// preset's switch role. A capability's level for good is the highest its
// switches in effect for good give; a higher level that switches give for a
// time is a grant for that time beside it, so nothing is written when a
// switch's time starts or ends.
func (p *planner) applySwitches(pr Practice, preset *Preset, user string) {
	role := personalRole(user)
	effective := pr.Effective(preset, user)
	spans := map[Capability]map[Level]Span{} // when each capability has at least each level
	for _, sw := range preset.Switches {
		level := LevelFull
		if sw.Own {
			level = LevelOwn
		}
		for _, c := range sw.Caps {
			if spans[c] == nil {
				spans[c] = map[Level]Span{}
			}
			span, on := effective[sw.Name]
			if !on {
				continue
			}
			if s, ok := spans[c][level]; ok {
				span = Union(s, span)
			}
			spans[c][level] = span
		}
	}
	for c, levels := range spans {
		lasting := LevelNone
		for l, span := range levels {
			if span.Always() && rank(l) > rank(lasting) {
				lasting = l
			}
		}
		p.setGrant(pr, role, c, lasting)
		p.dropTimed(pr, role, c)
		for l, span := range levels {
			if rank(l) > rank(lasting) {
				p.setTimedGrant(pr, role, c, l, span)
			}
		}
	}
	// The switches count where, and for as long as, the user holds the switch
	// role: each holding of it gives a holding of the personal grants at the
	// same scope, lasting as it does.
	scopes := map[string]Span{}
	if pr.IsMember(user) {
		scopes = pr.heldAt(user, preset.SwitchRole)
	}
	for loc := range pr.heldAt(user, role) {
		if _, keep := scopes[loc]; !keep {
			p.s.RemoveKey(Rel(Object{TypeRoleBinding, BindingID(pr.WS, role, loc)}, "member", userObj(user)))
		}
	}
	for loc, span := range scopes {
		p.hold(pr, role, loc, user, span)
	}
}

func (p *planner) staffPermissionChanged(i int, pr Practice, e Event) error {
	preset := Presets[pr.Preset()]
	_, isSwitch := preset.Switch(e.Permission)
	isAdmin := slices.Contains(preset.AdminSwitches, e.Permission)
	if !isSwitch && !isAdmin {
		names := make([]string, 0, len(preset.Switches)+len(preset.AdminSwitches))
		for _, sw := range preset.Switches {
			names = append(names, sw.Name)
		}
		if len(names) == 0 {
			return fieldErr(CodeInvalid, i, "permission", "preset %s has no individually switched permissions", preset.Name)
		}
		names = append(names, preset.AdminSwitches...)
		return fieldErr(CodeInvalid, i, "permission", "unknown permission %q of preset %s (permissions: %s)", e.Permission, preset.Name, strings.Join(names, ", "))
	}
	if timed := !e.Span().Always(); timed && (isAdmin || e.Value != "on") {
		field := "expires_at"
		if !e.StartsAt.IsZero() {
			field = "starts_at"
		}
		if isAdmin {
			return fieldErr(CodeInvalid, i, field, "%s is not switched on for a time: give %s for a time instead (role.assigned with starts_at and expires_at)", e.Permission, preset.AdminRole)
		}
		return fieldErr(CodeInvalid, i, field, "only a permission switched on is given for a time; switched off, it is off from now (send value \"on\" with starts_at and expires_at for the time it is on)")
	}
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	holds := func(role string) bool {
		return slices.ContainsFunc(pr.Holdings(e.User), func(h Holding) bool { return h.Role == role })
	}
	switch {
	case holds(preset.AdminRole) && e.Value == "off":
		// "deactivating any other permission will remove administrator status"
		return p.demote(i, pr, preset, e)
	case holds(preset.AdminRole):
		return nil // an administrator has every permission on already
	case !holds(preset.SwitchRole):
		return fieldErr(CodeConflict, i, "user", "%q does not hold %s: only they have individually switched permissions", e.User, preset.SwitchRole)
	case e.Permission == preset.AdminSwitches[0] && e.Value == "on":
		return p.promote(pr, preset, e.User)
	case isAdmin && e.Value == "on":
		return fieldErr(CodeConflict, i, "permission", "%s is a practice administrator's: switch %s on for %q instead", e.Permission, preset.AdminSwitches[0], e.User)
	case isAdmin:
		return nil // office staff do not have it
	}
	r := Rel(switchObj(pr.WS, e.Permission), "enabled_for", userObj(e.User))
	if e.Value == "on" {
		p.s.Add(r.Lasting(e.Span())) // replaces the span it had: the last event says when it is on
	} else {
		p.s.RemoveKey(r)
	}
	p.applySwitches(pr, preset, e.User)
	return nil
}

// demote makes a practice administrator office staff with every individually
// switched permission on but the one switched off, in the same scopes and
// until the same ends. The account owner (the super administrator) stays one.
func (p *planner) demote(i int, pr Practice, preset *Preset, e Event) error {
	if pr.Owner() == e.User {
		return fieldErr(CodeConflict, i, "user", "%q is the account owner, who is always %s: transfer ownership first", e.User, preset.AdminRole)
	}
	p.swapRole(pr, e.User, preset.AdminRole, preset.SwitchRole)
	for _, sw := range preset.Switches {
		r := Rel(switchObj(pr.WS, sw.Name), "enabled_for", userObj(e.User))
		if sw.Name == e.Permission {
			p.s.RemoveKey(r)
		} else {
			p.s.Add(r) // for good, replacing a time it was on for
		}
	}
	p.applySwitches(pr, preset, e.User)
	p.syncNotesReaders(pr, e.User)
	return nil
}

// promote makes office staff a practice administrator ("Is Practice
// Administrator"), in the same scopes and until the same ends. Their switches
// are kept, and count again if they are made office staff again.
func (p *planner) promote(pr Practice, preset *Preset, user string) error {
	p.swapRole(pr, user, preset.SwitchRole, preset.AdminRole)
	p.applySwitches(pr, preset, user)
	p.syncNotesReaders(pr, user)
	return nil
}

// swapRole moves each of user's holdings of role from to role to, keeping its
// scope and span (joined with the span where they hold to there already).
func (p *planner) swapRole(pr Practice, user, from, to string) {
	scopes := pr.heldAt(user, to)
	for loc, span := range pr.heldAt(user, from) {
		p.s.RemoveKey(Rel(Object{TypeRoleBinding, BindingID(pr.WS, from, loc)}, "member", userObj(user)))
		extendSpan(scopes, loc, span)
		p.hold(pr, to, loc, user, scopes[loc])
	}
}

package domain

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Delegation ("temporary delegation: 'Acting Manager' role for coverage
// without changing base role", seed 004). A staff member lends some or all
// of their roles to another for a while (delegation.granted): the delegate
// acts with them, keeping their own, from starts_at until expires_at. It is
// a delegation object of the practice (WORKSPACE/ID) naming its lender,
// its delegate (with the delegation's span) and the roles lent; Ward writes
// the delegate's access out from the lender's holdings of those roles, each
// for as long as both the holding and the delegation last, so that it ends
// by itself with either, with nothing written then. It ends early when
// revoked (delegation.revoked), when either person is removed, and when
// the lender no longer holds any role lent; a role the lender loses stops
// being lent. What only the account owner may do is never a role's, so it
// is never lent.

const (
	// MaxDelegationDays is the longest a delegation lasts: cover for a
	// leave, not a change of role (that is role.assigned).
	MaxDelegationDays = 366
	// MaxDelegatedRoles is the most roles one delegation names.
	MaxDelegatedRoles = 20
	// MaxDelegations is the most delegations in force (scheduled or
	// active) one person may lend, and the most they may act by: each is
	// read, and followed, by every batch that rewrites the practice.
	MaxDelegations = 10
)

// Delegation states: a delegation granted is scheduled until it starts,
// active until it ends, then expired; or it was revoked, or it ended
// (a person removed, or the lender holding none of the roles lent).
const (
	DelegationScheduled = "scheduled"
	DelegationActive    = "active"
	DelegationExpired   = "expired"
	DelegationRevoked   = "revoked"
	DelegationEnded     = "ended"
	DelegationAll       = "all"
	delegationGranted   = "granted" // as recorded, until revoked or ended
)

// DelegationStates are the states a list of delegations may ask for.
var DelegationStates = []string{DelegationScheduled, DelegationActive, DelegationExpired, DelegationRevoked, DelegationEnded, DelegationAll}

// Delegation is one lending of roles, as its record tells it.
type Delegation struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	delegationRecord
}

// delegationRecord is what a delegation's record keeps.
type delegationRecord struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Roles are the roles lent that the lender still held at the last
	// change; Dropped, those they stopped holding, which stopped being lent.
	Roles     []string   `json:"roles"`
	Dropped   []string   `json:"dropped,omitempty"`
	StartsAt  *time.Time `json:"starts_at,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	GrantedBy string     `json:"granted_by"`
	GrantedAt time.Time  `json:"granted_at"`
	// AllRoles: the event named no roles, so every role held was lent.
	AllRoles bool `json:"all_roles,omitempty"`
	// ByOwner: the practice's owner granted it, and may lend guarded roles.
	ByOwner bool `json:"by_owner,omitempty"`
	// LendsUntil is when the last of the lender's own holdings of the roles
	// lent runs out, as of the last change to them (nil: one never does).
	// From then on the delegation lends nothing: it has ended, with no
	// event to say so.
	LendsUntil *time.Time `json:"lends_until,omitempty"`
	State      string     `json:"state"`
	// EndedAt, EndedBy and Why say how a revoked or ended delegation
	// ended (EndedBy is "" when Ward ended it).
	EndedAt *time.Time `json:"ended_at,omitempty"`
	EndedBy string     `json:"ended_by,omitempty"`
	Why     string     `json:"why,omitempty"`
}

// DelegationObject is the object of delegation id in practice ws.
func DelegationObject(ws, id string) Object { return Object{TypeDelegation, ws + "/" + id} }

// DelegationFilter selects every delegation of practice ws.
func DelegationFilter(ws string) Filter { return ByPrefix(TypeDelegation, ws+"/") }

// DelegationOf reads delegation obj from s; false when s has no record
// of it.
func DelegationOf(s *State, obj Object) (Delegation, bool) {
	var d Delegation
	ws, id, ok := recordOf(s, obj, &d.delegationRecord)
	if !ok {
		return Delegation{}, false
	}
	d.ID, d.Workspace = id, ws
	return d, true
}

// DelegationsOf reads every delegation of practice ws in s, oldest first.
func DelegationsOf(s *State, ws string) []Delegation {
	return recordsOf(s, TypeDelegation, ws, DelegationOf, func(a, b Delegation) int {
		return cmp.Or(a.GrantedAt.Compare(b.GrantedAt), strings.Compare(a.ID, b.ID))
	})
}

// StateAt is the delegation's state at now (see At).
func (d Delegation) StateAt(now time.Time) string { return d.At(now).State }

// At is the delegation as it stands at now: a granted one is scheduled,
// active or expired by its times, or ended once what it lends ran out
// (the lender's own holdings of every role lent, LendsUntil).
func (d Delegation) At(now time.Time) Delegation {
	if d.State != delegationGranted {
		return d
	}
	switch {
	case d.ranOutBy(now):
		// as the next event about the lender records it: every role lent
		// dropped, lent no more
		at := *d.LendsUntil
		d.State, d.EndedAt, d.Why = DelegationEnded, &at, d.ranOut()
		d.Dropped, d.Roles = slices.Concat(d.Dropped, d.Roles), nil
	case !now.Before(d.ExpiresAt):
		d.State = DelegationExpired
	case d.StartsAt != nil && now.Before(*d.StartsAt):
		d.State = DelegationScheduled
	default:
		d.State = DelegationActive
	}
	return d
}

// ranOutBy reports whether what d lends (the lender's holdings of it,
// LendsUntil) ran out by now, before d itself expires.
func (d delegationRecord) ranOutBy(now time.Time) bool {
	return d.LendsUntil != nil && d.LendsUntil.Before(d.ExpiresAt) && !now.Before(*d.LendsUntil)
}

// ranOut says why a delegation whose lender's holdings ran out ended.
func (d Delegation) ranOut() string {
	return d.From + "'s own holding of " + strings.Join(d.Roles, ", ") + " ran out"
}

// span is when the delegation lends, by its own times.
func (d delegationRecord) span() Span {
	var start time.Time
	if d.StartsAt != nil {
		start = *d.StartsAt
	}
	s, _ := Between(start, EndAt(d.ExpiresAt))
	return s
}

// lendsUntil is when the last of lender's own holdings in pr of the roles
// d lends runs out, as of now (nil: one never does; now, when none lends
// anything by d's times). A holding that has run out counts no more, one
// that falls wholly outside d's times lends nothing by it, and a one-time
// grant is never lent.
func lendsUntil(pr Practice, lender string, d delegationRecord, now time.Time) *time.Time {
	last, found, lends := now, false, d.span()
	for _, h := range pr.Holdings(lender) {
		end := h.Lasts.End()
		if !slices.Contains(d.Roles, h.Role) || h.once() || end.PassedAt(now) {
			continue
		}
		if _, overlaps := Intersect(h.Lasts, lends); !overlaps {
			continue
		}
		if end.Never() {
			return nil
		}
		if at := end.Time().UTC(); !found || at.After(last) {
			last, found = at, true
		}
	}
	return &last
}

// DelegationQuery asks for one page of a practice's delegations: those in
// State (DelegationStates; "" for all) at the moment of asking, lent by or
// to User when given, after Cursor (a delegation's ID), at most Limit.
type DelegationQuery struct {
	State, User, Cursor string
	Limit               int
}

// Check refuses a query that names no known state, or a person by
// something that is not an ID.
func (q DelegationQuery) Check() error {
	return checkList(q.State, DelegationStates, map[string]string{"user": q.User})
}

// DelegationPage is the page of all (oldest first) that q (Checked) asks
// for at now, each with its state then, and the next page's cursor.
func DelegationPage(all []Delegation, q DelegationQuery, now time.Time) ([]Delegation, string, error) {
	for i := range all {
		all[i] = all[i].At(now)
	}
	state := cmp.Or(q.State, DelegationAll)
	return pageOf(all, func(d Delegation) string { return d.ID }, func(d Delegation) bool {
		return (state == DelegationAll || d.State == state) && (q.User == "" || d.From == q.User || d.To == q.User)
	}, q.Cursor, q.Limit, "delegation")
}

// aboutLender is the staff member whose roles a delegation lends.
func aboutLender(e Event) (Object, string) {
	return Object{TypeStaffMember, StaffMemberID(e.Workspace, e.From)}, e.From
}

func aboutDelegation(e Event) (Object, string) {
	return DelegationObject(e.Workspace, e.Delegation), e.Delegation
}

// delegatedHoldings are the holdings user acts with by delegations in
// force in p ("" for every delegate's): the lender's own holdings of the
// roles lent, each for as long as both it and the delegation last, while
// the lender is an enabled, active member (and, under an inactivity
// policy, until their activity runs out). A delegate acts with what the
// lender holds themselves, never with what was lent to the lender.
func (p Practice) delegatedHoldings(user string) []userHolding {
	var out []userHolding
	var delegates []Relationship
	if user == "" {
		delegates = p.S.WhereIn(TypeDelegation, p.WS, func(r Relationship) bool { return r.Relation == "delegate" })
	} else {
		delegates = slices.DeleteFunc(p.S.Naming(user, TypeDelegation, "delegate"), func(r Relationship) bool { return !strings.HasPrefix(r.Resource.ID, p.WS+"/") })
	}
	for _, r := range delegates {
		lender := firstSubject(p.S, r.Resource, "lender")
		if lender == "" || !p.IsActive(lender) {
			continue
		}
		// what the delegation and the lender's activity allow (an
		// inactivity policy's lapse of the lender ends it too)
		span, ok := Intersect(r.Span(), p.activity(lender))
		if !ok {
			continue
		}
		_, id, _ := strings.Cut(r.Resource.ID, "/")
		var lent []string
		for _, s := range p.S.Subjects(r.Resource, "role") {
			lent = append(lent, strings.TrimPrefix(s.ID, p.WS+"/"))
		}
		for _, h := range p.Holdings(lender) {
			if !slices.Contains(lent, h.Role) || h.once() {
				continue
			}
			if lasts, ok := Intersect(h.Lasts, span); ok {
				h.Lasts, h.For, h.Delegation = lasts, lender, id
				out = append(out, userHolding{h, r.Subject.ID})
			}
		}
	}
	return out
}

// ActingHoldings are user's own holdings and those they act with by
// delegation: what their written-out access follows.
func (p Practice) ActingHoldings(user string) []Holding {
	out := p.Holdings(user)
	for _, h := range p.delegatedHoldings(user) {
		out = append(out, h.Holding)
	}
	return out
}

// heldRoleNames are the roles user holds in pr themselves, now or later
// (a holding that has ended counts no more), but their individually
// switched permissions and one-time grants, which are theirs alone.
func heldRoleNames(pr Practice, user string, now time.Time) []string {
	var out []string
	for _, h := range pr.Holdings(user) {
		if !IsPersonalRole(h.Role) && !h.once() && !h.Lasts.End().PassedAt(now) && !slices.Contains(out, h.Role) {
			out = append(out, h.Role)
		}
	}
	slices.Sort(out)
	return out
}

func (p *planner) delegationGranted(i int, pr Practice, e Event) error {
	obj := DelegationObject(pr.WS, e.Delegation)
	now := e.now().UTC().Truncate(time.Second)
	start := now
	rec := delegationRecord{From: e.From, To: e.To, ExpiresAt: e.ExpiresAt.Time().UTC(), AllRoles: len(e.Roles) == 0}
	if !e.StartsAt.IsZero() {
		at := e.StartsAt.UTC()
		rec.StartsAt, start = &at, at
	}
	if most := now.AddDate(0, 0, MaxDelegationDays); start.After(most) {
		return fieldErr(CodeInvalid, i, "starts_at", "%s is more than %d days away (at most %s): lend roles for a coming absence once it is within a year", start.Format(time.RFC3339), MaxDelegationDays, most.Format(time.RFC3339))
	}
	if most := start.AddDate(0, 0, MaxDelegationDays); rec.ExpiresAt.After(most) {
		return fieldErr(CodeInvalid, i, "expires_at", "%s is more than %d days after the delegation starts (at most %s): a delegation covers an absence; a lasting change is role.assigned", rec.ExpiresAt.Format(time.RFC3339), MaxDelegationDays, most.Format(time.RFC3339))
	}
	if old, ok := DelegationOf(p.s, obj); ok {
		if old.sentAgain(rec, e.Roles, now) {
			if state := old.StateAt(now); state != DelegationActive && state != DelegationScheduled {
				return fieldErr(CodeConflict, i, "delegation", "delegation %q is %s: it lends nothing any more; lend again under a new id", e.Delegation, state)
			}
			return nil // the same delegation sent again
		}
		return fieldErr(CodeConflict, i, "delegation", "delegation %q already exists in workspace %q: give each delegation its own id", e.Delegation, pr.WS)
	}
	if err := p.requireMember(i, pr, "from", e.From); err != nil {
		return err
	}
	if err := p.requireMember(i, pr, "to", e.To); err != nil {
		return err
	}
	if e.From == e.To {
		return fieldErr(CodeInvalid, i, "to", "%q is also from: a person acts with their own roles already", e.To)
	}
	if !pr.IsActive(e.From) {
		return fieldErr(CodeConflict, i, "from", "%q is disabled or inactive in workspace %q: a delegate acts with the lender's roles only while the lender may act", e.From, pr.WS)
	}
	held := heldRoleNames(pr, e.From, now)
	// A guarded role (fixed by the preset, or whose holders are never
	// disabled) is the owner's to give: only the owner lends it.
	byOwner := actorID(e) == pr.Owner()
	if len(e.Roles) > 0 {
		for _, role := range e.Roles {
			if err := p.requireRole(i, pr, role); err != nil {
				err.(*Error).Field = "roles"
				return err
			}
			if !slices.Contains(held, role) {
				if slices.ContainsFunc(pr.Holdings(e.From), func(h Holding) bool { return h.Role == role && h.once() }) {
					return fieldErr(CodeConflict, i, "roles", "%s holds role %q only as a one-time grant (an access request approved for once): it is theirs to use once, not to lend", e.From, role)
				}
				return fieldErr(CodeConflict, i, "roles", "%s does not hold role %q (they hold %s): only a role one holds is lent", e.From, role, cmp.Or(strings.Join(held, ", "), "no role"))
			}
			if pr.RoleGuarded(role) && !byOwner {
				return fieldErr(CodeConflict, i, "roles", "role %q is guarded (fixed by the preset, or its holders are never disabled): only the account owner lends it", role)
			}
		}
		rec.Roles = slices.Sorted(slices.Values(e.Roles))
	} else {
		// (on a copy: the refusal below names what they hold)
		rec.Roles = slices.DeleteFunc(slices.Clone(held), func(role string) bool { return pr.RoleGuarded(role) && !byOwner })
	}
	if len(rec.Roles) == 0 {
		return fieldErr(CodeConflict, i, "from", "%s holds no role in workspace %q that they may lend (%s; a guarded role is lent by the account owner only)", e.From, pr.WS, cmp.Or(strings.Join(held, ", "), "no role"))
	}
	for _, side := range []struct{ field, relation, user, does string }{{"from", "lender", e.From, "lends"}, {"to", "invitee", e.To, "acts by"}} {
		n := len(slices.DeleteFunc(p.s.Naming(side.user, TypeDelegation, side.relation), func(r Relationship) bool {
			return !strings.HasPrefix(r.Resource.ID, pr.WS+"/")
		}))
		if n >= MaxDelegations {
			return fieldErr(CodeConflict, i, side.field, "%s %s %d delegations in force in workspace %q, the most one person may: revoke one, or let one end, first", side.user, side.does, n, pr.WS)
		}
	}
	span, _ := Between(e.StartsAt, e.ExpiresAt) // parseEvent refused a start not before the end
	p.s.Add(Rel(obj, "workspace", pr.obj()))
	p.s.Add(Rel(obj, "lender", userObj(e.From)).Lasting(Until(e.ExpiresAt)))
	p.s.Add(Rel(obj, "delegate", userObj(e.To)).Lasting(span))
	p.s.Add(Rel(obj, "invitee", userObj(e.To)).Lasting(Until(e.ExpiresAt)))
	for _, role := range rec.Roles {
		p.s.Add(Rel(obj, "role", roleObj(pr.WS, role)))
	}
	rec.GrantedBy, rec.GrantedAt, rec.State, rec.ByOwner = actorID(e), now, delegationGranted, byOwner
	rec.LendsUntil = lendsUntil(pr, e.From, rec, now)
	if rec.ranOutBy(now) {
		return fieldErr(CodeConflict, i, "from", "%s holds %s only outside the delegation's times (%s): it would lend nothing; lend it while they hold it", e.From, strings.Join(rec.Roles, ", "), rec.span())
	}
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{e.From, e.To}}, pr, e.From, e.To, pr.Owner())
	return p.setRecordOf(obj, rec)
}

// parties are the lender and the delegate of e's delegation: those it
// names when it is granted (namedParties), else those the delegation names
// now (none once it ended).
func (p Practice) parties(e Event) []string {
	if named := namedParties(e); named != nil {
		return named
	}
	return p.partiesOf(DelegationObject(p.WS, e.Delegation))
}

// namedParties are the lender and the delegate a delegation.granted names
// (from, to); nil for an event that names a delegation only.
func namedParties(e Event) []string {
	if e.Type != "delegation.granted" {
		return nil
	}
	return []string{e.From, e.To}
}

// partiesOf are the lender and the delegate delegation d names (none once
// it ended).
func (p Practice) partiesOf(d Object) []string {
	var out []string
	for _, rel := range []string{"lender", "invitee"} {
		if u := firstSubject(p.S, d, rel); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// sentAgain reports whether rec, lending roles (none: all), asks for
// what d was granted as: the same people, times and roles (those still lent
// and those dropped since).
func (d Delegation) sentAgain(rec delegationRecord, roles []string, now time.Time) bool {
	granted := slices.Sorted(slices.Values(slices.Concat(d.Roles, d.Dropped)))
	return d.From == rec.From && d.To == rec.To && d.ExpiresAt.Equal(rec.ExpiresAt) && sameStart(d.StartsAt, rec.StartsAt, now) &&
		d.AllRoles == rec.AllRoles && (d.AllRoles || slices.Equal(slices.Sorted(slices.Values(roles)), granted))
}

// sameStart reports whether two delegations' starts are the same: equal,
// or both come by now (a start that has passed is read as now, so a
// delegation sent again after its start names none).
func sameStart(a, b *time.Time, now time.Time) bool {
	started := func(t *time.Time) bool { return t == nil || !t.After(now) }
	return sameTime(a, b) || (started(a) && started(b))
}

func (p *planner) delegationRevoked(i int, pr Practice, e Event) error {
	obj := DelegationObject(pr.WS, e.Delegation)
	d, ok := DelegationOf(p.s, obj)
	if !ok {
		return fieldErr(CodeInvalid, i, "delegation", "unknown delegation %q in workspace %q", e.Delegation, pr.WS)
	}
	now := e.now().UTC().Truncate(time.Second)
	d = d.At(now)
	switch d.State {
	case DelegationRevoked:
		if d.EndedBy == actorID(e) {
			return nil // the same revocation sent again
		}
		return fieldErr(CodeConflict, i, "delegation", "delegation %q was revoked already, by %s at %s", d.ID, d.EndedBy, d.EndedAt.Format(time.RFC3339))
	case DelegationEnded:
		return fieldErr(CodeConflict, i, "delegation", "delegation %q ended already at %s (%s): there is nothing to revoke", d.ID, d.EndedAt.Format(time.RFC3339), d.Why)
	case DelegationExpired:
		return fieldErr(CodeConflict, i, "delegation", "delegation %q expired at %s: there is nothing to revoke", d.ID, d.ExpiresAt.Format(time.RFC3339))
	}
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{d.From, d.To}}, pr, d.From, d.To)
	return p.endDelegation(obj, d, DelegationRevoked, actorID(e), "", now)
}

// endDelegation ends delegation d early: it lends nothing from now.
func (p *planner) endDelegation(obj Object, d Delegation, state, by, why string, now time.Time) error {
	for _, rel := range []string{"lender", "delegate", "invitee", "role"} {
		for _, r := range p.s.Of(obj, rel) {
			p.s.Remove(r)
		}
	}
	d.State, d.EndedBy, d.Why, d.EndedAt = state, by, why, &now
	return p.setRecordOf(obj, d.delegationRecord)
}

// followDelegations keeps delegations in force in practice pr true to what
// changed, those naming users (nil: every one): a delegation whose lender
// or delegate is no longer staff ends; a role lent that the lender no
// longer holds (revoked, ended, or deleted), or that has become guarded
// while it was lent by someone other than the owner, stops being lent, and
// a delegation left lending nothing ends. A batch that changes a lender's
// or a delegate's holdings or standing reads their delegations whole
// (Needs.Widened); the record of one is read only when it changes.
func (p *planner) followDelegations(pr Practice, now time.Time, users []string) error {
	now = now.UTC().Truncate(time.Second)
	seen := map[Object]bool{}
	var objs []Object
	add := func(r Relationship) {
		if strings.HasPrefix(r.Resource.ID, pr.WS+"/") && !seen[r.Resource] {
			seen[r.Resource] = true
			objs = append(objs, r.Resource)
		}
	}
	if users == nil {
		for _, r := range p.s.WhereIn(TypeDelegation, pr.WS, func(r Relationship) bool { return r.Relation == "invitee" }) {
			add(r)
		}
	}
	for _, u := range users {
		for _, rel := range []string{"lender", "invitee"} {
			for _, r := range p.s.Naming(u, TypeDelegation, rel) {
				add(r)
			}
		}
	}
	slices.SortFunc(objs, CompareObjects)
	for _, obj := range objs {
		lender, delegate := firstSubject(p.s, obj, "lender"), firstSubject(p.s, obj, "invitee")
		if lender == "" || delegate == "" {
			continue // ended
		}
		why := ""
		switch {
		case !pr.IsMember(lender):
			why = lender + " was removed from the practice"
		case !pr.IsMember(delegate):
			why = delegate + " was removed from the practice"
		}
		d, ok := DelegationOf(p.s, obj)
		if !ok || d.State != delegationGranted {
			continue
		}
		if at := d.At(now); at.State == DelegationEnded {
			// what it lent ran out before this batch: it ended then
			if err := p.endDelegation(obj, at, DelegationEnded, "", at.Why, *at.EndedAt); err != nil {
				return err
			}
			continue
		}
		held := heldRoleNames(pr, lender, now)
		var dropped []string
		for _, s := range p.s.Subjects(obj, "role") {
			role := strings.TrimPrefix(s.ID, pr.WS+"/")
			if !slices.Contains(held, role) || pr.RoleGuarded(role) && !d.ByOwner {
				dropped = append(dropped, role)
			}
		}
		if why != "" {
			if err := p.endDelegation(obj, d, DelegationEnded, "", why, now); err != nil {
				return err
			}
			continue
		}
		if len(dropped) > 0 {
			for _, role := range dropped {
				p.s.Remove(Rel(obj, "role", roleObj(pr.WS, role)))
			}
			d.Roles = slices.DeleteFunc(d.Roles, func(role string) bool { return slices.Contains(dropped, role) })
			d.Dropped = append(d.Dropped, dropped...)
			if len(d.Roles) == 0 {
				if err := p.endDelegation(obj, d, DelegationEnded, "", d.From+" no longer holds any role lent that they may lend ("+strings.Join(d.Dropped, ", ")+")", now); err != nil {
					return err
				}
				continue
			}
		}
		// what it still lends, and the lender's holdings of it, which may
		// last longer, or less long, than they did
		until := lendsUntil(pr, lender, d.delegationRecord, now)
		if len(dropped) == 0 && sameTime(until, d.LendsUntil) {
			continue
		}
		d.LendsUntil = until
		if d.ranOutBy(now) {
			// The lender still holds what it lends (or it would have been
			// dropped above), but only outside its times: it lends nothing
			// from now, and ends in this batch, not at the next event about
			// the lender.
			why := lender + "'s holdings of " + strings.Join(d.Roles, ", ") + " no longer fall within the delegation's times"
			if err := p.endDelegation(obj, d, DelegationEnded, "", why, now); err != nil {
				return err
			}
			continue
		}
		if err := p.setRecordOf(obj, d.delegationRecord); err != nil {
			return err
		}
	}
	return nil
}

package domain

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Object types of Ward's schema.
const (
	TypeUser        = "user"
	TypePreset      = "preset"
	TypeWorkspace   = "workspace"
	TypeLocation    = "location"
	TypeRegion      = "region"
	TypeRole        = "role"
	TypeRoleBinding = "role_binding"
	TypeCapability  = "capability"
	TypeClient      = "client"
	TypeNote        = "note"
	TypeAppointment = "appointment"
	TypeInvoice     = "invoice"
	TypeLock        = "ward_lock"
	TypeIDs         = "ward_id"
	TypeSetting     = "setting"
	TypePolicy      = "ward_policy"
	TypeSwitch      = "staff_switch"
	TypeLetter      = "letter"
	TypeFile        = "file"
	TypeForm        = "form"
	TypeTemplate    = "form_template"
	TypeExpense     = "expense"
	// TypeMessage is a message or comment posted on the practice's dashboard.
	TypeMessage = "message"
	// TypeBreakGlass is one emergency opening of a client's clinical record;
	// TypeText, a piece of text kept with one (its ID, base64url).
	TypeBreakGlass = "break_glass"
	TypeText       = "ward_text"
	// TypeRefund is a refund of a payment on an invoice, asked for,
	// approved and processed by people in turn (never the requester
	// approving, nor the approver processing).
	TypeRefund = "refund"
	// TypeAccessRequest is a staff member's request for a role for a while.
	TypeAccessRequest = "access_request"
	// TypeDelegation is one staff member's lending of their roles to
	// another for a while.
	TypeDelegation = "delegation"
	// TypeAccessReview keeps, for one person of a practice, who granted
	// their standing grants, their last review, and whether one is due.
	TypeAccessReview = "access_review"
	TypeStaffMember  = "staff_member"
	// TypeServiceAccount is an integration of one practice, a subject like
	// staff; TypeAPIKey is one of its keys.
	TypeServiceAccount = "service_account"
	TypeAPIKey         = "api_key"
	// TypePlatformKey is a key for Ward's own API; TypeVerb, a part of it.
	TypePlatformKey = "ward_key"
	TypeVerb        = "ward_verb"
)

func workspaceObj(id string) Object { return Object{TypeWorkspace, id} }

// userObj is the subject a person key names: a user's ID, or a service
// account as "service_account:ID" (user IDs cannot contain ':', so the two
// never meet).
func userObj(id string) Object {
	if sa, ok := strings.CutPrefix(id, serviceAccountPrefix); ok {
		return Object{TypeServiceAccount, sa}
	}
	return Object{TypeUser, id}
}

// serviceAccountPrefix starts the person key of a service account.
const serviceAccountPrefix = TypeServiceAccount + ":"

// ServiceAccountKey is the person key of service account id.
func ServiceAccountKey(id string) string { return serviceAccountPrefix + id }

// PersonRef is the subject a person key names, as "type:ID".
func PersonRef(person string) string { return userObj(person).String() }

// IsServiceAccount reports whether a person key names a service account.
func IsServiceAccount(person string) bool { return strings.HasPrefix(person, serviceAccountPrefix) }

// personOf is the person key of a subject: userObj's inverse.
func personOf(s Subject) string {
	if s.Type == TypeServiceAccount {
		return serviceAccountPrefix + s.ID
	}
	return s.ID
}

// isPerson reports whether a subject is a person: a user or a service account.
func isPerson(s Subject) bool {
	return (s.Type == TypeUser || s.Type == TypeServiceAccount) && s.Relation == ""
}
func locationObj(id string) Object { return Object{TypeLocation, id} }
func roleObj(ws, role string) Object {
	return Object{TypeRole, ws + "/" + role}
}

// StaffMemberID names user as staff of ws.
func StaffMemberID(ws, user string) string { return ws + "/" + user }

// BindingID names the role_binding of role in ws: workspace-wide when location is
// "", else at that location. Caller IDs cannot contain '/', so these never collide.
func BindingID(ws, role, location string) string {
	if location == "" {
		return ws + "/" + role
	}
	return ws + "/" + role + "/" + location
}

// ParseBindingID splits a role_binding ID into workspace, role and scope: ""
// workspace-wide, a location's ID, or a region's RegionScope.
func ParseBindingID(id string) (ws, role, location string, ok bool) {
	parts := strings.Split(id, "/")
	switch {
	case len(parts) == 2:
		return parts[0], parts[1], "", true
	case len(parts) == 3:
		return parts[0], parts[1], parts[2], true
	case len(parts) == 4 && parts[2] == regionPrefix:
		return parts[0], parts[1], RegionScope(parts[3]), true
	}
	return "", "", "", false
}

// regionPrefix starts the scope of a holding in a region.
const regionPrefix = "region"

// RegionScope is the scope of a holding in region r, where a location's ID
// would be: "region/r", which no location ID can be (IDs have no '/').
func RegionScope(r string) string { return regionPrefix + "/" + r }

// RegionOfScope returns the region a holding's scope names, if it names one
// ("" and false for a location or workspace-wide).
func RegionOfScope(scope string) (string, bool) {
	if r, ok := strings.CutPrefix(scope, regionPrefix+"/"); ok {
		return r, true
	}
	return "", false
}

// regionObj is region r of practice ws: "region:WS/R", so that a practice's
// regions are read by prefix, as its roles are.
func regionObj(ws, r string) Object { return Object{TypeRegion, ws + "/" + r} }

func bindingMembers(id string) Subject {
	return Subject{Type: TypeRoleBinding, ID: id, Relation: "member"}
}

// Practice answers questions about one practice's state. Both the planner and
// the explainer read state through it, so they agree on what the relations mean.
type Practice struct {
	S  *State
	WS string
}

func (p Practice) obj() Object { return workspaceObj(p.WS) }

// Exists reports whether the workspace was created.
func (p Practice) Exists() bool { return p.Preset() != "" }

// Preset returns the workspace's preset name, or "".
func (p Practice) Preset() string {
	for _, s := range p.S.Subjects(p.obj(), "preset") {
		return s.ID
	}
	return ""
}

// Owner returns the account owner's user ID.
func (p Practice) Owner() string {
	for _, s := range p.S.Subjects(p.obj(), "owner") {
		return s.ID
	}
	return ""
}

// IsMember reports whether user is staff (enabled or not).
func (p Practice) IsMember(user string) bool {
	return p.S.Has(Rel(p.obj(), "member", userObj(user)))
}

// IsDisabled reports whether user is disabled.
func (p Practice) IsDisabled(user string) bool {
	return p.S.Has(Rel(p.obj(), "disabled", userObj(user)))
}

// IsActive reports whether user is enabled staff who has not lapsed.
func (p Practice) IsActive(user string) bool {
	return p.IsMember(user) && !p.IsDisabled(user) && !p.IsLapsed(user)
}

// inactivityPolicy is the prefix of an inactivity policy's ward_policy ID.
const inactivityPolicy = "inactivity_days/"

// InactivityDays is the practice's inactivity policy: staff not seen for
// this many days lose every permission (0: no policy).
func (p Practice) InactivityDays() int { return p.policyDays(inactivityPolicy) }

// policyDays is the days of the practice's policy whose ward_policy IDs
// start with prefix (0: none).
func (p Practice) policyDays(prefix string) int {
	for _, s := range p.S.Subjects(p.obj(), "policy") {
		if n := daysOf(s.ID, prefix); n > 0 {
			return n
		}
	}
	return 0
}

// daysOf reads the days of a policy's ward_policy ID that starts with
// prefix (0 when it does not).
func daysOf(id, prefix string) int {
	days, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(days)
	return n
}

// policed is the relationship that puts a practice's staff under its
// inactivity policy.
func policed(ws string) Relationship {
	return Relationship{Resource: workspaceObj(ws), Relation: "policed", Subject: Subject{Type: TypeUser, ID: "*"}}
}

// seenRel is the relationship that says user was seen lately.
func seenRel(ws, user string) Relationship { return Rel(workspaceObj(ws), "seen", userObj(user)) }

// IsLapsed reports whether user is staff under the practice's inactivity
// policy who has not been seen within its days (their seen relationship has
// ended, so SpiceDB no longer returns it). Service accounts never lapse.
func (p Practice) IsLapsed(user string) bool {
	return p.S.Has(policed(p.WS)) && !IsServiceAccount(user) && p.IsMember(user) && !p.S.HasKey(seenRel(p.WS, user))
}

// activity is when user's access counts under the inactivity policy: until
// their seen relationship ends; always without a policy, for service
// accounts, and for staff it spares.
func (p Practice) activity(user string) Span {
	if IsServiceAccount(user) || !p.S.Has(policed(p.WS)) {
		return Span{}
	}
	return p.S.SpanOf(seenRel(p.WS, user))
}

// spared reports whether an inactivity policy spares user at now: the
// account owner, and holders of a role that can be neither disabled nor
// removed (Caspen's practitioner admin "cannot be disabled or locked out"),
// held from now on with no end. A holding that ends, or has not started,
// spares nobody: its holder signs in like other staff.
func (p Practice) spared(user string, now time.Time) bool {
	if p.Owner() == user {
		return true
	}
	preset := Presets[p.Preset()]
	if preset == nil {
		return false
	}
	return slices.ContainsFunc(p.Holdings(user), func(h Holding) bool {
		r, ok := preset.Role(h.Role)
		return ok && r.Undisableable && h.Lasts.StandsAt(now)
	})
}

// Roles lists the workspace's role names, sorted.
func (p Practice) Roles() []string {
	var out []string
	for _, r := range p.S.WhereIn(TypeRole, p.WS, func(r Relationship) bool {
		return r.Relation == "workspace" && r.Subject.Type == TypeWorkspace && r.Subject.ID == p.WS
	}) {
		_, role, _ := strings.Cut(r.Resource.ID, "/")
		out = append(out, role)
	}
	return out
}

// SettingOn reports whether an account-wide setting is on.
func (p Practice) SettingOn(name string) bool {
	return p.S.Has(Rel(p.obj(), "setting", Object{TypeSetting, name}))
}

// HasRole reports whether role exists in the workspace.
func (p Practice) HasRole(role string) bool {
	return p.S.Has(Rel(roleObj(p.WS, role), "workspace", p.obj()))
}

// Regions lists the workspace's region IDs, sorted.
func (p Practice) Regions() []string {
	var out []string
	for _, r := range p.S.WhereIn(TypeRegion, p.WS, func(r Relationship) bool { return r.Relation == "workspace" }) {
		out = append(out, strings.TrimPrefix(r.Resource.ID, p.WS+"/"))
	}
	return out
}

// HasRegion reports whether the workspace has region r.
func (p Practice) HasRegion(r string) bool {
	return p.S.Has(Rel(regionObj(p.WS, r), "workspace", p.obj()))
}

// RegionOf returns the region location loc is in, or "".
func (p Practice) RegionOf(loc string) string {
	for _, r := range p.S.WhereIn(TypeRegion, p.WS, func(r Relationship) bool {
		return r.Relation == "location" && r.Subject.ID == loc
	}) {
		return strings.TrimPrefix(r.Resource.ID, p.WS+"/")
	}
	return ""
}

// Locations lists the workspace's location IDs, sorted.
func (p Practice) Locations() []string {
	var out []string
	for _, sub := range p.S.Subjects(p.obj(), "site") {
		out = append(out, sub.ID)
	}
	return out
}

// grantRelation is what a grant relation names: a capability at a level.
type grantRelation struct {
	cap   Capability
	level Level
}

// grantByRelation maps each grant relation to its capability and level.
var grantByRelation = sync.OnceValue(func() map[string]grantRelation {
	m := map[string]grantRelation{}
	for _, a := range Areas {
		for _, c := range a.Capabilities() {
			for _, l := range a.GrantLevels() {
				m[c.Relation(l)] = grantRelation{c, l}
			}
		}
	}
	return m
})

// Limits returns the capabilities role holds only below an amount, with
// that amount (see planner.setLimit): those its grants say, less those an
// account-wide setting that is on narrows for the role (a limited grant is
// at the full level; a setting that allows less takes it away, as setGrant
// narrows any grant).
func (p Practice) Limits(role string) map[Capability]string {
	out := map[Capability]string{}
	for _, r := range p.S.Of(roleObj(p.WS, role), "limited") {
		if g, ok := grantByRelation()[r.Subject.ID]; ok && r.Below != "" && p.narrowed(role, g.cap, LevelFull) == LevelFull {
			out[g.cap] = r.Below
		}
	}
	return out
}

// narrowed is level of c for role as the preset's account-wide settings
// that are on allow it: no more than the least any of them allows (Cliniko's
// "practitioners cannot see financials" takes invoices to none).
func (p Practice) narrowed(role string, c Capability, level Level) Level {
	preset := Presets[p.Preset()]
	if preset == nil {
		return level
	}
	for name, setting := range preset.Settings {
		if limit, ok := setting.Limits[c]; ok && setting.Role == role && rank(level) > rank(limit) && p.SettingOn(name) {
			level = limit
		}
	}
	return level
}

// Grants returns role's level of every capability it reaches for good
// (capabilities it does not reach are absent). A grant given for a time
// (grantSpans) is not among them: heirs, settings, dependencies and the
// matrix read the role's lasting grants.
func (p Practice) Grants(role string) map[Capability]Level {
	out := map[Capability]Level{}
	for c, levels := range p.grantSpans(role) {
		for level, span := range levels {
			if span.Always() && rank(level) > rank(out[c]) {
				out[c] = level
			}
		}
	}
	return out
}

// grantRel is role object ro's grant of the capability relation (a level
// of a capability: Capability.Relation).
func grantRel(ro Object, relation string) Relationship {
	return Rel(ro, "grant", capabilityObj(relation))
}

// grantSpans is role's grants, each capability at each level it has, with
// when that grant counts: always, except for grants given for a time (a
// role's notes access from a start until an end), which a role may hold
// beside a lower level that stays.
func (p Practice) grantSpans(role string) map[Capability]map[Level]Span {
	out := map[Capability]map[Level]Span{}
	ro := roleObj(p.WS, role)
	for _, sub := range p.S.Subjects(ro, "grant") {
		g, ok := grantByRelation()[sub.ID]
		if !ok {
			continue
		}
		if out[g.cap] == nil {
			out[g.cap] = map[Level]Span{}
		}
		out[g.cap][g.level] = p.S.SpanOf(grantRel(ro, sub.ID))
	}
	return out
}

// levelCounting returns role's highest level of a capability among all its
// grants, those given for a time included, with when that grant counts:
// what the role has at a moment, read from a state of what counts then
// (State.CountingAt).
func (p Practice) levelCounting(role string, c Capability) (Level, Span) {
	return highest(p.grantSpans(role)[c])
}

// highest is the highest of a capability's levels (grantSpans), with its
// span; none when there are none.
func highest(levels map[Level]Span) (Level, Span) {
	level, span := LevelNone, Span{}
	for l, s := range levels {
		if rank(l) > rank(level) || (l == level && s.Always()) {
			level, span = l, s
		}
	}
	return level, span
}

// Level returns role's level of a capability.
func (p Practice) Level(role string, c Capability) Level {
	if l, ok := p.Grants(role)[c]; ok {
		return l
	}
	return LevelNone
}

// Parent returns the role whose grants role inherits, "" when it inherits
// none.
func (p Practice) Parent(role string) string {
	subs := p.S.Subjects(roleObj(p.WS, role), "inherits")
	if len(subs) == 0 {
		return ""
	}
	_, name, _ := strings.Cut(subs[0].ID, "/")
	return name
}

// Heirs lists the roles that inherit role's grants directly, sorted.
func (p Practice) Heirs(role string) []string {
	var out []string
	for _, r := range p.S.ToRole(roleObj(p.WS, role), "inherits") {
		_, name, _ := strings.Cut(r.Resource.ID, "/")
		out = append(out, name)
	}
	return out
}

// Overrides returns what an inheriting role's own events set, over what it
// inherits: a level of each capability they named, none included.
func (p Practice) Overrides(role string) map[Capability]Level {
	out := map[Capability]Level{}
	ro := roleObj(p.WS, role)
	for _, sub := range p.S.Subjects(ro, "override") {
		if g, ok := grantByRelation()[sub.ID]; ok {
			out[g.cap] = g.level
		}
	}
	for _, sub := range p.S.Subjects(ro, "override_none") {
		if g, ok := grantByRelation()[sub.ID]; ok {
			out[g.cap] = LevelNone
		}
	}
	return out
}

// RoleHasCalendar reports whether holders of role are bookable.
func (p Practice) RoleHasCalendar(role string) bool {
	return p.S.Has(Relationship{Resource: p.obj(), Relation: "calendar", Subject: bindingMembers(BindingID(p.WS, role, ""))})
}

// Holding is one role a user holds, workspace-wide (Location ""), in one
// region (Location is its RegionScope) or at one
// location, during Lasts.
type Holding struct {
	Role     string
	Location string
	Lasts    Span
	// For is the lender and Delegation the delegation's ID of a holding
	// acted with by delegation ("" for one's own).
	For, Delegation string
}

// once reports whether the holding counts only once, for the check that
// uses it (an access request approved for once): its holder's to use, never
// lent.
func (h Holding) once() bool {
	return slices.ContainsFunc(h.Lasts.Conds(), func(c Cond) bool { return len(c.Once) > 0 })
}

// location is the location the holding is at, "" when it is workspace-wide
// or in a region.
func (h Holding) location() string {
	if _, ok := RegionOfScope(h.Location); ok {
		return ""
	}
	return h.Location
}

// region is the region the holding is in, or "".
func (h Holding) region() string {
	r, _ := RegionOfScope(h.Location)
	return r
}

// Holdings lists the roles user holds in the workspace.
func (p Practice) Holdings(user string) []Holding {
	var out []Holding
	for _, h := range p.holdings(user) {
		out = append(out, h.Holding)
	}
	return out
}

// userHolding is one role held by one user.
type userHolding struct {
	Holding
	User string
}

// allHoldings lists every role every staff member holds in the workspace.
func (p Practice) allHoldings() []userHolding { return p.holdings("") }

// holdings lists the roles held in the workspace, by user ("" for everyone).
func (p Practice) holdings(user string) []userHolding {
	prefix := p.WS + "/"
	var rels []Relationship
	if user != "" {
		rels = slices.DeleteFunc(p.S.Naming(user, TypeRoleBinding, "member"), func(r Relationship) bool { return !strings.HasPrefix(r.Resource.ID, prefix) })
	} else {
		rels = p.S.WhereIn(TypeRoleBinding, p.WS, func(r Relationship) bool {
			return r.Relation == "member" && namesUser(r)
		})
	}
	var out []userHolding
	for _, r := range rels {
		if _, role, loc, ok := ParseBindingID(r.Resource.ID); ok {
			out = append(out, userHolding{Holding{Role: role, Location: loc, Lasts: r.Span()}, personOf(r.Subject)})
		}
	}
	return out
}

// heldAt returns the scopes ("" for workspace-wide) at which user holds
// role, each while a holding there lasts.
func (p Practice) heldAt(user, role string) map[string]Span {
	out := map[string]Span{}
	for _, h := range p.Holdings(user) {
		if h.Role == role {
			extendSpan(out, h.Location, h.Lasts)
		}
	}
	return out
}

// notesReaderSpan tells whether per-client notes access may count for user
// (they are enabled and hold a role that may ever read treatment notes), and
// when: while any such holding lasts. A lapse under an inactivity policy does
// not take it away: the schema's active gates notes_reader for that, so
// turning the policy off gives it back.
func (p Practice) notesReaderSpan(user string) (Span, bool) {
	if !p.IsMember(user) || p.IsDisabled(user) {
		return Span{}, false
	}
	return p.notesRoleSpan(user)
}

// notesRoleSpan tells whether user holds a role that may ever read treatment
// notes, and when.
func (p Practice) notesRoleSpan(user string) (Span, bool) {
	preset := Presets[p.Preset()]
	var span Span
	found := false
	for _, h := range p.Holdings(user) {
		if r, builtin := preset.Role(h.Role); builtin && r.Never(Cap("notes", ActionView)) {
			continue
		}
		if found {
			span = Union(span, h.Lasts)
		} else {
			span, found = h.Lasts, true
		}
	}
	return span, found
}

// heldRoles lists the roles user holds, for messages.
func (p Practice) heldRoles(user string) []string {
	var out []string
	for _, h := range p.Holdings(user) {
		if !IsPersonalRole(h.Role) && !slices.Contains(out, h.Role) {
			out = append(out, h.Role)
		}
	}
	if len(out) == 0 {
		return []string{"no role"}
	}
	return out
}

// HasCalendar reports whether user holds a bookable role anywhere in the workspace.
func (p Practice) HasCalendar(user string) bool {
	return slices.ContainsFunc(p.Holdings(user), func(h Holding) bool { return p.RoleHasCalendar(h.Role) })
}

// WorkspaceOf returns the workspace obj belongs to, or "".
func WorkspaceOf(s *State, obj Object) string {
	for _, sub := range s.Subjects(obj, "workspace") {
		return sub.ID
	}
	return ""
}

// firstSubject returns the ID of obj's first subject through relation, or "".
func firstSubject(s *State, obj Object, relation string) string {
	for _, sub := range s.Subjects(obj, relation) {
		return sub.ID
	}
	return ""
}

package domain

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Level is how much of an area a role reaches.
type Level string

const (
	// LevelFull reaches every record of the area.
	LevelFull Level = "full"
	// LevelOwn reaches only records related to the user: their own clients and
	// the patients shared with them (Caspen calls it "Limited").
	LevelOwn Level = "own"
	// LevelWritten reaches only the records the user wrote or uploaded, not the
	// other records of their clients (Cliniko's "only the notes they have
	// written"); areas whose records have an author have it.
	LevelWritten Level = "written"
	// LevelNone reaches nothing.
	LevelNone Level = "none"
)

// Actions a role can be granted on an area.
const (
	ActionView   = "view"
	ActionCreate = "create"
	ActionEdit   = "edit"
	ActionDelete = "delete"
	ActionExport = "export"
	// ActionApprove is approving charges ("can approve charges only if <
	// $500", seed 004): granted only by name, and the one action a grant may
	// limit by amount.
	ActionApprove = "approve"
	// ActionOpen is opening a client's clinical record in an emergency
	// (break-glass); ActionReview, reviewing staff access and those openings.
	ActionOpen   = "open"
	ActionReview = "review"
	// ActionRequest, ActionProcess (and ActionApprove) are the refunds
	// area's: asking for a refund, approving it, paying it out.
	ActionRequest = "request"
	ActionProcess = "process"
)

// AreaBreakGlass is the area whose one action, open, lets its holders open
// a client's clinical record in an emergency (break_glass.opened). A preset
// role that does not name it has it when it reads clinical notes at all, and
// never otherwise (Role.Level); a role that reads no notes cannot be given it.
const AreaBreakGlass = "break_glass"

// AreaRefunds is the area of refunds of payments: request, approve and
// process, each a person's step (separation of duties: the schema never
// lets the requester approve or the approver process). A preset role that
// does not name it may request and process refunds when it edits invoices
// everywhere, and approves none.
const AreaRefunds = "refunds"

// AreaAccess is the area of raising and reviewing staff's access: review
// lets its holders review staff access and break-glass openings
// (review_access), approve lets them approve staff's requests for a role
// (approve_access). A preset role that does not name it has neither.
const AreaAccess = "access"

// Area is a category of a practice's data or functions; roles are granted a
// level of each of its actions.
type Area struct {
	Name string
	// Actions are what can be done in the area, each granted on its own.
	Actions []string
	// Own tells whether the area has an "own" level.
	Own bool
	// Written tells whether the area has a "written" level: its records have an
	// author, and the level reaches only what the user wrote or uploaded.
	Written bool
	// Located tells whether the area's records belong to a location, so that a role
	// held at one location reaches that location's records.
	Located bool
	// About says what the area covers, for people.
	About string
	// Fields are the area's groups of sensitive fields (the clients area's
	// government identifiers and insurance). Each has two actions of its own,
	// view_<group> and edit_<group>, granted like the others; an area-wide
	// level leaves them out (it reaches them only when it is none), so that
	// "clients": "all" never shows a role someone's SSN by accident.
	Fields []Field
	// Apart are actions granted only by name, as field groups are: an
	// area-wide level other than none leaves them out (approving charges is
	// not part of "invoices": "all").
	Apart []string
	// Limited are actions whose grants may carry an amount limit
	// (amount_below): the grant holds only for amounts strictly below it.
	Limited []string
}

// Field is a group of a record's sensitive fields.
type Field struct {
	Name  string
	About string
	// Clinical: a preset role that does not name it has it by default only
	// if it edits the area's records and reads clinical notes (see
	// Role.Level).
	Clinical bool
}

// FieldVerbs are what a field group's actions do: see it, change it.
var FieldVerbs = []string{ActionView, ActionEdit}

// FieldAction is the action of the field group that does verb: view_insurance.
func FieldAction(verb, group string) string { return verb + "_" + group }

var (
	crud       = []string{ActionView, ActionCreate, ActionEdit, ActionDelete}
	crudExport = []string{ActionView, ActionCreate, ActionEdit, ActionDelete, ActionExport}
	viewEdit   = []string{ActionView, ActionEdit}
	viewExport = []string{ActionView, ActionExport}
)

// Areas are every area Ward models. The schema (generated from this list) has a
// `<area>_<action>` relation for each action and, where Own, an
// `<area>_<action>_own` one (where Written, also `<area>_<action>_written`), on
// workspace and, where Located, on location.
var Areas = []Area{
	{Name: "clients", Actions: crudExport, Own: true, Located: true, About: "client records and contact details", Fields: []Field{
		{Name: "identifiers", About: "government identifiers (SSN, Medicare or NHS number)", Clinical: true},
		{Name: "insurance", About: "insurance and funding details"},
	}},
	{Name: "notes", Actions: crud, Own: true, Written: true, Located: true, About: "clinical (treatment) notes"},
	{Name: "letters", Actions: crud, Own: true, Written: true, Located: true, About: "letters about clients"},
	{Name: "forms", Actions: crud, Own: true, Located: true, About: "client forms"},
	{Name: "files", Actions: crud, Own: true, Written: true, Located: true, About: "files attached to client records"},
	{Name: "appointments", Actions: crud, Own: true, Located: true, About: "appointments and calendars"},
	{Name: "invoices", Actions: crudExport, Own: true, Located: true, About: "invoices, payments and receipts; approve: approving charges, by name only, with an amount limit if given",
		Apart: []string{ActionApprove}, Limited: []string{ActionApprove}},
	{Name: "communications", Actions: []string{ActionView}, Own: true, Located: true, About: "a client's communications log (messages and emails sent and received)"},
	{Name: "reports", Actions: viewExport, Own: true, About: "operational and performance reports"},
	{Name: "note_completion_report", Actions: []string{ActionView}, Own: true, About: "the treatment note completion report; own: their own notes only"},
	{Name: "expenses_report", Actions: []string{ActionView}, About: "the expenses report"},
	{Name: "marketing_reports", Actions: []string{ActionView}, About: "marketing reports"},
	{Name: "financial_reports", Actions: viewExport, Own: true, About: "financial reports; own: their own revenue"},
	{Name: "practice_financial_reports", Actions: []string{ActionView}, About: "the practice's financial reports Cliniko shows its practitioners: uninvoiced appointments, daily payments, patients by total invoiced (roles with every financial report have them too)"},
	{Name: "catalog", Actions: crud, About: "services, products and packages"},
	{Name: "settings", Actions: viewEdit, About: "workspace configuration"},
	{Name: "sms_settings", Actions: viewEdit, About: "SMS settings"},
	{Name: "tax_settings", Actions: viewEdit, About: "tax settings"},
	{Name: "integrations", Actions: viewEdit, About: "integrations with other software"},
	{Name: "templates", Actions: crud, About: "note, letter and form templates"},
	{Name: "staff", Actions: crud, About: "adding staff and assigning their roles"},
	{Name: "medical_alerts", Actions: crud, Own: true, Located: true, About: "clients' medical alerts"},
	{Name: "contacts", Actions: crud, About: "contacts such as referrers and other providers (not clients)"},
	{Name: "products", Actions: crudExport, About: "products and their stock"},
	{Name: "expenses", Actions: crudExport, Own: true, About: "expenses; own: those the user recorded"},
	{Name: "messages", Actions: crud, Own: true, About: "messages and comments on the practice's dashboard (delete: archive); own: those the user posted"},
	{Name: "sms", Actions: []string{ActionCreate}, About: "SMS messages to clients"},
	{Name: "data", Actions: []string{ActionExport, ActionDelete}, About: "exporting or deleting all of the practice's data"},
	{Name: "subscription", Actions: viewEdit, About: "the practice's subscription to the software (owner, or roles granted it)"},
	{Name: "permissions", Actions: []string{ActionEdit}, About: "what roles may do (owner, or roles granted it)"},
	{Name: "api_keys", Actions: []string{ActionEdit}, About: "creating, rotating and revoking the practice's API keys (owner, or roles granted it)"},
	{Name: "memos", Actions: crud, Own: true, Located: true, About: "memos attached to client files"},
	{Name: "practitioner_profiles", Actions: crud, About: "practitioners' profiles: about, hours, services, online scheduling"},
	{Name: "office_staff_profiles", Actions: viewEdit, Own: true, About: "office staff profiles; own: their own"},
	{Name: "past_appointments", Actions: []string{ActionEdit}, About: "adding and changing appointments in the past"},
	{Name: "newsletters", Actions: []string{ActionView, ActionCreate}, About: "email newsletters (create: send)"},
	{Name: "birthday_campaign", Actions: []string{ActionEdit}, About: "the birthday email campaign"},
	{Name: "winback_campaign", Actions: []string{ActionEdit}, About: "the wellness check-in (win-back) campaign"},
	{Name: "availability_campaign", Actions: []string{ActionEdit}, About: "the availability summary campaign"},
	{Name: "referral_campaign", Actions: []string{ActionEdit}, About: "the client referral campaign"},
	{Name: "google_reviews_campaign", Actions: []string{ActionEdit}, About: "the Google reviews booster campaign"},
	{Name: AreaBreakGlass, Actions: []string{ActionOpen}, Located: true, About: "opening a client's clinical record in an emergency (break-glass), for a short time and fully audited; by default every role that reads clinical notes, never one that reads none"},
	{Name: AreaRefunds, Actions: []string{ActionRequest, ActionApprove, ActionProcess}, Located: true, About: "refunds of payments: request, approve, process; the requester never approves and the approver never processes, and nothing is processed before it is approved; by default roles that edit every invoice request and process, and only roles granted it approve"},
	{Name: AreaAccess, Actions: []string{ActionReview, ActionApprove}, About: "reviewing staff access and break-glass openings, and approving staff's requests for a role for a while (the owner, or a role granted it)"},
	{Name: "gift_certificates", Actions: []string{ActionView, ActionCreate}, About: "gift certificates (create: sell)"},
	{Name: "packages", Actions: []string{ActionView, ActionCreate, ActionDelete}, About: "service packages (create: sell)"},
	{Name: "promo_codes", Actions: crud, About: "promo codes"},
	{Name: "services", Actions: crud, About: "services offered"},
	{Name: "location_settings", Actions: viewEdit, About: "a location's address, contact details and other details"},
	{Name: "locations", Actions: []string{ActionCreate, ActionDelete}, About: "adding and archiving the practice's locations"},
	{Name: "revenue_report", Actions: []string{ActionView}, About: "the revenue report"},
	{Name: "sales_tax_report", Actions: []string{ActionView}, About: "the sales tax report"},
	{Name: "appointment_report", Actions: []string{ActionView}, About: "the appointments report"},
	{Name: "payments_report", Actions: []string{ActionView}, About: "the payments report"},
	{Name: "receivables_report", Actions: []string{ActionView}, About: "the receivables report"},
	{Name: "winback_report", Actions: []string{ActionView}, About: "the win-back campaign report"},
	{Name: "reminder_report", Actions: []string{ActionView}, About: "the reminder messages report"},
	{Name: "calls", Actions: []string{ActionView, ActionCreate, ActionEdit}, About: "incoming calls (call centre)"},
	{Name: "transcriptions", Actions: []string{ActionView}, About: "AI transcriptions of calls"},
	{Name: "time_tracking", Actions: viewEdit, About: "staff time tracking"},
}

// AreaByName returns the area called name.
func AreaByName(name string) (Area, bool) {
	i := slices.IndexFunc(Areas, func(a Area) bool { return a.Name == name })
	if i < 0 {
		return Area{}, false
	}
	return Areas[i], true
}

// Capability is one action on one area: the unit a role is granted a level of.
type Capability struct {
	Area   string
	Action string
}

// Cap names a capability.
func Cap(area, action string) Capability { return Capability{Area: area, Action: action} }

func (c Capability) String() string { return c.Area + "." + c.Action }

// Relation is the schema relation that grants c at level (full, own or written).
func (c Capability) Relation(level Level) string {
	switch level {
	case LevelOwn, LevelWritten:
		return c.Area + "_" + c.Action + "_" + string(level)
	}
	return c.Area + "_" + c.Action
}

// AllActions lists the area's actions: its record actions, those granted
// apart, then each field group's view and edit.
func (a Area) AllActions() []string {
	out := slices.Concat(a.Actions, a.Apart)
	for _, f := range a.Fields {
		for _, verb := range FieldVerbs {
			out = append(out, FieldAction(verb, f.Name))
		}
	}
	return out
}

// HasAction reports whether action is one of the area's (AllActions).
func (a Area) HasAction(action string) bool { return slices.Contains(a.AllActions(), action) }

// WholeArea lists the actions an area-wide level sets: the record actions,
// and those granted apart and the field groups' too only when the level is
// none.
func (a Area) WholeArea(level Level) []string {
	if level == LevelNone {
		return a.AllActions()
	}
	return a.Actions
}

// field returns the field group c's action belongs to, and the verb.
func (c Capability) field() (Field, string, bool) {
	a, _ := AreaByName(c.Area)
	for _, f := range a.Fields {
		for _, verb := range FieldVerbs {
			if c.Action == FieldAction(verb, f.Name) {
				return f, verb, true
			}
		}
	}
	return Field{}, "", false
}

// HasLevel reports whether the area offers level: every area has full and
// none, Own areas own, Written areas written.
func (a Area) HasLevel(level Level) bool {
	switch level {
	case LevelFull, LevelNone:
		return true
	case LevelOwn:
		return a.Own
	case LevelWritten:
		return a.Written
	}
	return false
}

// Capabilities lists every capability, area by area.
func Capabilities() []Capability {
	var out []Capability
	for _, a := range Areas {
		out = append(out, a.Capabilities()...)
	}
	return out
}

// GrantLevels lists the levels of the area that a grant carries, each its own
// relation: full, and own and written where the area has them.
func (a Area) GrantLevels() []Level {
	return slices.DeleteFunc([]Level{LevelFull, LevelOwn, LevelWritten}, func(l Level) bool { return !a.HasLevel(l) })
}

// Levels names the levels a grant of the area may ask for, for error messages.
func (a Area) Levels() []string {
	var out []string
	for _, l := range a.GrantLevels() {
		if l == LevelFull {
			l = "all" // the word events use
		}
		out = append(out, string(l))
	}
	return append(out, "none")
}

// Capabilities lists the area's capabilities, its field groups' included.
func (a Area) Capabilities() []Capability {
	actions := a.AllActions()
	out := make([]Capability, len(actions))
	for i, action := range actions {
		out[i] = Cap(a.Name, action)
	}
	return out
}

// Role is a built-in role of a preset and its defaults.
type Role struct {
	Name string
	// Grants are the default level of every action of an area; areas not listed
	// are none.
	Grants map[string]Level
	// Overrides set single capabilities apart from their area's level.
	Overrides map[Capability]Level
	// Calendar: holders are practitioners who can be booked and invoiced for.
	Calendar bool
	// Fixed: the role's grants cannot be changed at all.
	Fixed bool
	// FixedAreas cannot be changed for this role.
	FixedAreas []string
	// ManagesOwnHolders: holders may manage who else holds this role.
	ManagesOwnHolders bool
	// Undisableable: holders can be neither disabled nor removed (revoke the
	// role first).
	Undisableable bool
}

// Level returns the role's default level of a capability. A field group the
// preset does not name follows the documents' silence the same way in every
// preset: a group's view and edit go with the role's view and edit of the
// area's records (the role that sees contact details sees insurance), and a
// Clinical group only to roles that also edit those records and read clinical
// notes (government identifiers).
func (r Role) Level(c Capability) Level {
	if l, ok := r.Overrides[c]; ok {
		return l
	}
	if a, _ := AreaByName(c.Area); slices.Contains(a.Apart, c.Action) {
		return LevelNone // granted by name only (Preset.OwnerRole's, by approvals)
	}
	if f, verb, ok := c.field(); ok {
		if f.Clinical && (r.Level(Cap(c.Area, ActionEdit)) == LevelNone || r.Level(Cap("notes", ActionView)) == LevelNone) {
			return LevelNone
		}
		return r.Level(Cap(c.Area, verb))
	}
	if l, ok := r.Grants[c.Area]; ok {
		return l
	}
	if c.Area == AreaBreakGlass && r.Level(Cap("notes", ActionView)) != LevelNone {
		return LevelFull
	}
	if c.Area == AreaRefunds && c.Action != ActionApprove && r.Level(Cap("invoices", ActionEdit)) == LevelFull {
		return LevelFull
	}
	return LevelNone
}

// Guarded reports whether only the account owner and the role's own
// workspace-wide holders may give it or take it away: a role fixed at its
// preset's grants (Caspen's practitioner admin, the platform's owner/admin)
// or whose holders can never be disabled. Giving one is changing the
// practice's foundational access, which a staff manager's role does not
// reach ("should not alter foundational access controls", seed 000).
func (r Role) Guarded() bool { return r.Fixed || r.Undisableable }

// Never reports whether the role can never be given c: its area is fixed for
// the role and the preset gives it none.
func (r Role) Never(c Capability) bool { return !r.Changeable(c.Area) && r.Level(c) == LevelNone }

// Changeable reports whether area may be changed for this role.
func (r Role) Changeable(area string) bool {
	return !r.Fixed && !slices.Contains(r.FixedAreas, area)
}

// Preset is a product's permission model: its built-in roles.
type Preset struct {
	Name string
	// OwnerRole is the role the account owner holds day to day.
	OwnerRole string
	// OwnerHoldsOwnerRole: the account owner always holds OwnerRole
	// workspace-wide with no end, where the product has no owner above its
	// roles (Cliniko's administrators alone change the subscription,
	// ClinicSense's super administrator has the practice administrator's
	// full access, the clinic platform's Owner/Admin is one role). Ownership
	// then passes only to a holder, and the owner keeps the role. Caspen's
	// owner is "an extra layer of authority on top of" whatever standard role
	// they hold.
	OwnerHoldsOwnerRole bool
	Roles               []Role
	// OwnerOnly are areas no role may be granted: only the account owner has them.
	OwnerOnly []string
	// Reserved are capabilities only the named built-in role may hold: no
	// other role is granted them, nor inherits them.
	Reserved map[Capability]string
	// Settings are the account-wide switches that narrow a role, by name.
	Settings map[string]Setting
	// Switches are permissions switched on one by one for each holder of
	// SwitchRole (ClinicSense's office staff).
	Switches   []Switch
	SwitchRole string
	// AdminRole holds every switched permission at once; switching one of its
	// holders' permissions off makes them SwitchRole holders with the others on.
	AdminRole string
	// AdminSwitches are the permissions that only say whether someone is an
	// AdminRole holder; the first makes office staff one when switched on.
	AdminSwitches []string
}

// Setting is an account-wide switch: while on, Role reaches at most the given
// level of each capability in Limits, whatever its own grants say.
type Setting struct {
	Role   string
	Limits map[Capability]Level
	About  string
}

// rank orders levels: none < written < own < full (the own level reaches what
// the user wrote too).
func rank(l Level) int {
	switch l {
	case LevelFull:
		return 3
	case LevelOwn:
		return 2
	case LevelWritten:
		return 1
	}
	return 0
}

// reservesAll reports whether every capability of area is reserved for roles
// other than role.
func (p *Preset) reservesAll(area, role string) bool {
	a, _ := AreaByName(area)
	for _, c := range a.Capabilities() {
		if holder, ok := p.Reserved[c]; !ok || holder == role {
			return false
		}
	}
	return true
}

// Grantable reports whether roles of this preset may be granted area.
func (p *Preset) Grantable(area string) bool { return !slices.Contains(p.OwnerOnly, area) }

// Role returns the preset's role called name.
func (p *Preset) Role(name string) (Role, bool) {
	i := slices.IndexFunc(p.Roles, func(r Role) bool { return r.Name == name })
	if i < 0 {
		return Role{}, false
	}
	return p.Roles[i], true
}

// Presets are the product models workspaces can be created from, by name.
var Presets = map[string]*Preset{
	"caspen":  approvals(caspen()),
	"cliniko": approvals(cliniko()),
	// The clinic platform of the user-management guide (seed 004).
	"clinic_platform": approvals(clinicPlatform()),
	"clinicsense":     approvals(clinicSense()),
}

// approvals gives the preset's owner role, the one the account owner holds
// day to day (full access to the practice), every action granted apart
// (approving charges) with no limit: no product's guide says who approves
// charges, and the owner's role is the one that surely may. Other roles get
// them by name (role.updated, role.defined).
func approvals(p *Preset) *Preset {
	for i, r := range p.Roles {
		if r.Name != p.OwnerRole {
			continue
		}
		r.Overrides = maps.Clone(r.Overrides)
		if r.Overrides == nil {
			r.Overrides = map[Capability]Level{}
		}
		for _, a := range Areas {
			for _, action := range a.Apart {
				r.Overrides[Cap(a.Name, action)] = LevelFull
			}
		}
		p.Roles[i] = r
	}
	return p
}

// PresetNames lists the presets, sorted.
func PresetNames() []string { return slices.Sorted(maps.Keys(Presets)) }

func all(level Level, areas ...string) map[string]Level {
	m := map[string]Level{}
	for _, a := range areas {
		m[a] = level
	}
	return m
}

func merge(ms ...map[string]Level) map[string]Level {
	out := map[string]Level{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// grantSet builds capability grants.
type grantSet map[Capability]Level

// add grants level of the named actions of area (all of its actions when none
// are named).
func (g grantSet) add(level Level, area string, actions ...string) grantSet {
	if len(actions) == 0 {
		a, _ := AreaByName(area)
		actions = a.WholeArea(level)
	}
	for _, action := range actions {
		g[Cap(area, action)] = level
	}
	return g
}

// then returns a copy of g, to build a role on another.
func (g grantSet) then() grantSet { return maps.Clone(g) }

// Validate checks that the preset names only what exists: areas, their
// actions and levels, its own roles and switches. The presets are data; a
// typo in one is a wrong permission model, so a test runs this on each.
func (p *Preset) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(p.Name+": "+format, args...)) }
	capability := func(where string, c Capability) {
		if a, ok := AreaByName(c.Area); !ok || !a.HasAction(c.Action) {
			bad("%s: %s is not an action of an area", where, c)
		}
	}
	level := func(where, area string, l Level) {
		if a, ok := AreaByName(area); !ok {
			bad("%s: no area %q", where, area)
		} else if !a.HasLevel(l) {
			bad("%s: area %s has no level %q (levels: %v)", where, area, l, a.Levels())
		}
	}
	role := func(where, name string) {
		if _, ok := p.Role(name); !ok {
			bad("%s: no role %q", where, name)
		}
	}
	role("owner role", p.OwnerRole)
	for _, r := range p.Roles {
		for area, l := range r.Grants {
			level("role "+r.Name, area, l)
		}
		for c, l := range r.Overrides {
			capability("role "+r.Name, c)
			level("role "+r.Name, c.Area, l)
		}
		for _, area := range r.FixedAreas {
			level("role "+r.Name+" fixed areas", area, LevelNone)
		}
	}
	for _, area := range p.OwnerOnly {
		level("owner-only areas", area, LevelNone)
	}
	for c, holder := range p.Reserved {
		capability("reserved", c)
		role("reserved "+c.String(), holder)
	}
	for name, s := range p.Settings {
		role("setting "+name, s.Role)
		for c, l := range s.Limits {
			capability("setting "+name, c)
			level("setting "+name, c.Area, l)
		}
	}
	switches := map[string]bool{}
	for _, s := range p.Switches {
		switches[s.Name] = true
	}
	for _, s := range p.Switches {
		for _, c := range s.Caps {
			capability("switch "+s.Name, c)
			if s.Own {
				level("switch "+s.Name, c.Area, LevelOwn)
			}
		}
		for _, d := range s.DependsOn {
			if !switches[d] {
				bad("switch %s depends on %q, which is not a switch", s.Name, d)
			}
		}
	}
	for _, name := range p.AdminSwitches {
		if switches[name] {
			bad("admin switches: %q is also an ordinary switch", name)
		}
	}
	if len(p.AdminSwitches) > 0 && p.AdminRole == "" {
		bad("admin switches without an admin role")
	}
	if p.SwitchRole != "" {
		role("switch role", p.SwitchRole)
	}
	if p.AdminRole != "" {
		role("admin role", p.AdminRole)
	}
	return errors.Join(errs...)
}

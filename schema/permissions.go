package schema

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/wardhq/ward/internal/domain"
)

// perm is one permission line of the schema: its doc comment, name and
// expression.
type perm struct{ Doc, Name, Expr string }

// permissions turns the catalogue's questions (domain.Permissions) into the
// schema's permissions, type by type: each one Ward answers, with its About as
// its doc comment, and after them the helpers those read (a client's
// `notes_view`: who reaches its notes). What each flag of a Permission means
// in SpiceDB terms is decided here and only here; explain reads the same flags
// in words. A flag that means nothing on a type is an error, not ignored.
func permissions() (map[string][]perm, error) {
	g := &gen{out: map[string][]perm{}, helpers: map[string]map[string]bool{}}
	for _, typ := range []string{
		domain.TypeWorkspace, domain.TypeLocation, domain.TypeStaffMember, domain.TypeRole, domain.TypeClient,
		domain.TypeLetter, domain.TypeFile, domain.TypeForm, domain.TypeExpense, domain.TypeMessage, domain.TypeNote,
		domain.TypeAppointment, domain.TypeInvoice, domain.TypeBreakGlass, domain.TypeRefund, domain.TypeAccessRequest,
		domain.TypeDelegation,
	} {
		for _, p := range domain.Permissions[typ] {
			expr, err := g.expr(typ, p)
			if err != nil {
				return nil, fmt.Errorf("%s#%s: %w", typ, p.Name, err)
			}
			if slices.Contains(ownPractice, typ) {
				expr = group(expr) + " & workspace->active"
			}
			g.out[typ] = append(g.out[typ], perm{Doc: p.About, Name: p.Name, Expr: expr})
		}
	}
	for typ := range domain.Permissions {
		if _, ok := g.out[typ]; !ok {
			return nil, fmt.Errorf("resource type %s has permissions but no place in the schema", typ)
		}
	}
	// Ward's own question about API keys, which it asks itself when a key is
	// presented (never through /v1/check): does this key still name an
	// enabled service account? Checked with the account as the subject.
	g.out[domain.TypeServiceAccount] = []perm{
		{Doc: "an enabled member of its practice (asked with the account itself as the subject)", Name: "active", Expr: "workspace->active"},
		{Doc: "review the account's access (access.reviewed, GET /v1/workspaces/{ws}/access-review): one who reviews access (the owner by default)", Name: "review_access", Expr: "workspace->review_access"},
	}
	g.out[domain.TypeAPIKey] = []perm{{Doc: "the key authenticates its account: not expired, not revoked, and the account enabled", Name: "authenticate", Expr: "account & account->active"}}
	// Helpers go after the permissions that read them, in the order first read.
	for typ, hs := range g.pending {
		g.out[typ] = append(g.out[typ], hs...)
	}
	return g.out, nil
}

// ownPractice are the types of records whose permissions read their client's
// grants: every permission on them also needs the asker to be an enabled
// member of the record's own practice. Nothing Ward writes grants anyone
// outside it, so this changes no answer; it keeps one practice's records out
// of another's reach whatever links them (a client ID deleted in one practice
// and created in another, with the first one's notes still naming it).
//
// A client, an appointment and an invoice are not among them: every term of
// their permissions ends at a grant on their own scope (a location or the
// workspace of their practice, which Ward writes only for that practice's
// enabled holders), and a link to another practice's client can only add
// candidates that still need that grant. A client's direct notes access, a
// link to the client alone, carries the gate itself (see client). Gating the
// whole permission made SpiceDB's LookupResources check every record it found,
// one by one: a manager's list of every client took three to five times as
// long (docs/performance.md, step 32).
var ownPractice = []string{domain.TypeNote, domain.TypeLetter, domain.TypeFile, domain.TypeForm}

type gen struct {
	out     map[string][]perm
	pending map[string][]perm
	helpers map[string]map[string]bool
}

// helper adds a helper permission to typ once and returns its name.
func (g *gen) helper(typ, name, expr string) string {
	if g.helpers[typ] == nil {
		g.helpers[typ] = map[string]bool{}
	}
	if !g.helpers[typ][name] {
		g.helpers[typ][name] = true
		if g.pending == nil {
			g.pending = map[string][]perm{}
		}
		g.pending[typ] = append(g.pending[typ], perm{Name: name, Expr: expr})
	}
	return name
}

func union(terms ...string) string { return strings.Join(terms, " + ") }

// group parenthesises an expression that has an operator, for use inside
// another.
func group(expr string) string {
	if strings.Contains(expr, " + ") || strings.Contains(expr, " & ") || strings.Contains(expr, " - ") {
		return "(" + expr + ")"
	}
	return expr
}

func full(c domain.Capability) string { return c.Relation(domain.LevelFull) }

// limited is the relation naming the role bindings that hold c only below an
// amount (domain.LimitedSuffix).
func limited(c domain.Capability) string { return full(c) + domain.LimitedSuffix }

// limitedCaps are p's capabilities that a grant may limit by amount.
func limitedCaps(p domain.Permission) []domain.Capability {
	var out []domain.Capability
	for _, c := range p.Caps {
		if a, ok := domain.AreaByName(c.Area); ok && slices.Contains(a.Limited, c.Action) {
			out = append(out, c)
		}
	}
	return out
}
func own(c domain.Capability) string { return c.Relation(domain.LevelOwn) }

// area returns c's area, checking that it has the levels asked for.
func area(c domain.Capability, ownToo bool) (domain.Area, error) {
	a, ok := domain.AreaByName(c.Area)
	if !ok || !a.HasAction(c.Action) {
		return a, fmt.Errorf("capability %s is not an action of an area", c)
	}
	if ownToo && !a.Own {
		return a, fmt.Errorf("area %s has no own level", a.Name)
	}
	return a, nil
}

// workspacePermission names the workspace permission that asks the same: the
// one with the same owner rule, capabilities and own level. Where twins ask
// exactly the same under two names (review_access and view_activity_log), the
// first listed. A role, location or staff member reads it through an arrow.
func workspacePermission(owner bool, caps []domain.Capability, ownToo bool) (string, error) {
	var found []domain.Permission
	for _, p := range domain.Permissions[domain.TypeWorkspace] {
		if p.Owner == owner && p.Own == ownToo && !p.Calendar && !p.BackupOwner && !p.ClaimApprover && slices.Equal(p.Caps, caps) {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return "", fmt.Errorf("want a workspace permission with owner=%v own=%v caps %v, found none", owner, ownToo, caps)
	}
	// Twins must ask exactly the same, or the arrow would read whichever is
	// listed first by accident.
	for _, twin := range found[1:] {
		a, b := found[0], twin
		a.Name, a.About, b.Name, b.About = "", "", "", ""
		if !reflect.DeepEqual(a, b) {
			return "", fmt.Errorf("workspace permissions %s and %s share owner=%v own=%v caps %v but differ otherwise: give one its own capabilities", found[0].Name, twin.Name, owner, ownToo, caps)
		}
	}
	return found[0].Name, nil
}

// unused refuses flags that mean nothing on typ.
func unused(typ string, p domain.Permission, allowed ...string) error {
	set := map[string]bool{
		"Owner": p.Owner, "Calendar": p.Calendar, "NotesReader": p.NotesReader, "AuthorDraft": p.AuthorDraft,
		"HolderManager": p.HolderManager, "Editable": p.Editable, "SwitchedCaps": len(p.SwitchedCaps) > 0,
		"NotSelf": p.NotSelf, "NotOwner": p.NotOwner, "SelfCaps": len(p.SelfCaps) > 0, "PastToo": p.PastToo, "Template": p.Template,
		"Within": p.Within != "", "Guarded": p.Guarded, "Emergency": p.Emergency, "EmergencyNeedsCaps": p.EmergencyNeedsCaps, "Opener": p.Opener, "Step": p.Step != nil,
		"BackupOwner": p.BackupOwner, "ClaimApprover": p.ClaimApprover, "Decision": p.Decision != "", "Member": p.Member,
		"Parties": p.Parties, "Manager": p.Manager,
	}
	for name, on := range set {
		if on && !slices.Contains(allowed, name) {
			return fmt.Errorf("%s means nothing on %s", name, typ)
		}
	}
	return nil
}

func (g *gen) expr(typ string, p domain.Permission) (string, error) {
	switch typ {
	case domain.TypeWorkspace:
		return g.workspace(p)
	case domain.TypeLocation:
		return g.location(p)
	case domain.TypeRole:
		return g.role(p)
	case domain.TypeStaffMember:
		return g.staffMember(p)
	case domain.TypeClient:
		return g.client(p)
	case domain.TypeNote, domain.TypeLetter, domain.TypeFile:
		return g.authored(typ, p)
	case domain.TypeForm:
		return g.form(p)
	case domain.TypeExpense, domain.TypeMessage:
		return g.postedRecord(typ, p)
	case domain.TypeAppointment, domain.TypeInvoice:
		return g.booked(typ, p)
	case domain.TypeBreakGlass:
		return g.breakGlass(p)
	case domain.TypeRefund:
		return g.step(p)
	case domain.TypeAccessRequest:
		return g.accessRequest(p)
	case domain.TypeDelegation:
		return g.delegation(p)
	}
	return "", fmt.Errorf("no schema rule for resource type %s", typ)
}

// capTerms are a workspace's or location's relations that grant p's
// capabilities: every record, and the user's own where p.Own.
func capTerms(p domain.Permission, located bool) ([]string, error) {
	var terms []string
	for _, c := range p.Caps {
		a, err := area(c, p.Own)
		if err != nil {
			return nil, err
		}
		if located && !a.Located {
			continue
		}
		terms = append(terms, full(c))
		if p.Own {
			terms = append(terms, own(c))
		}
	}
	return terms, nil
}

// workspace: the owner (while active), bookable staff, and the capabilities'
// relations.
func (g *gen) workspace(p domain.Permission) (string, error) {
	if err := unused(domain.TypeWorkspace, p, "Owner", "Calendar", "BackupOwner", "ClaimApprover"); err != nil {
		return "", err
	}
	switch {
	case (p.BackupOwner || p.ClaimApprover) && (p.Owner || p.Calendar || len(p.Caps) > 0 || p.BackupOwner == p.ClaimApprover):
		return "", fmt.Errorf("BackupOwner and ClaimApprover stand alone")
	case p.BackupOwner:
		return "backup_owner & active", nil
	case p.ClaimApprover:
		return "(claim_approvers & active) - claimant", nil
	}
	g.helper(domain.TypeWorkspace, "active", "member - disabled - lapsed")
	g.helper(domain.TypeWorkspace, "lapsed", "policed - seen")
	var terms []string
	if p.Owner {
		terms = append(terms, "owner & active")
	}
	if p.Calendar {
		terms = append(terms, "calendar & active")
	}
	caps, err := capTerms(p, false)
	if err != nil {
		return "", err
	}
	terms = append(terms, caps...)
	for _, c := range limitedCaps(p) {
		terms = append(terms, limited(c)+" & active")
	}
	if len(terms) == 0 {
		return "", fmt.Errorf("nothing grants it")
	}
	if len(terms) > 1 {
		for i, t := range terms {
			terms[i] = group(t)
		}
	}
	return union(terms...), nil
}

// location: this location's relations of located areas, and the workspace's
// permission that asks the same.
func (g *gen) location(p domain.Permission) (string, error) {
	if err := unused(domain.TypeLocation, p); err != nil {
		return "", err
	}
	terms, err := capTerms(p, true)
	if err != nil {
		return "", err
	}
	ws, err := workspacePermission(false, p.Caps, p.Own)
	if err != nil {
		return "", err
	}
	return union(append(terms, "workspace->"+ws)...), nil
}

// role: the workspace's permission, only on editable roles where Editable;
// on the switched role, its switched capabilities; holders of a role that
// manages its own holders, while active.
func (g *gen) role(p domain.Permission) (string, error) {
	if err := unused(domain.TypeRole, p, "Owner", "Editable", "SwitchedCaps", "HolderManager", "Guarded"); err != nil {
		return "", err
	}
	var terms []string
	if len(p.Caps) > 0 || p.Owner {
		ws, err := workspacePermission(p.Owner, p.Caps, p.Own)
		if err != nil {
			return "", err
		}
		via := "workspace"
		if p.Editable {
			via = "editable"
		}
		if p.Guarded {
			if p.Editable || p.Owner {
				return "", fmt.Errorf("Guarded with Editable or Owner: a guarded role's own rule names the owner")
			}
			// On a guarded role the capabilities count only for its own
			// workspace-wide holders, and the owner has it besides.
			owner := g.helper(domain.TypeWorkspace, "owner_active", "owner & active")
			terms = append(terms, "(workspace->"+ws+" - guarded->"+ws+")", "(guarded->"+ws+" & peers)", "guarded->"+owner)
		} else {
			terms = append(terms, via+"->"+ws)
		}
	} else if p.Editable {
		return "", fmt.Errorf("Editable needs capabilities or the owner")
	}
	if len(p.SwitchedCaps) > 0 {
		ws, err := workspacePermission(false, p.SwitchedCaps, false)
		if err != nil {
			return "", err
		}
		// Not gated by Editable: the switched role is one whose permissions
		// its own holders change (ClinicSense's office staff), fixed or not.
		terms = append(terms, "switched->"+ws)
	}
	if p.HolderManager {
		terms = append(terms, "(holder_manager & workspace->active)")
	}
	return union(terms...), nil
}

// staffMember: the workspace's permission; for a switched staff member, the
// switched capabilities; the person themselves by SelfCaps (at the own level),
// and never them where NotSelf.
func (g *gen) staffMember(p domain.Permission) (string, error) {
	if err := unused(domain.TypeStaffMember, p, "Owner", "SwitchedCaps", "NotSelf", "NotOwner", "SelfCaps", "Member", "Manager"); err != nil {
		return "", err
	}
	if p.Member {
		if len(p.Caps) > 0 || len(p.SwitchedCaps) > 0 || len(p.SelfCaps) > 0 || p.NotSelf || p.NotOwner {
			return "", fmt.Errorf("Member stands alone, or with Owner")
		}
		if p.Owner {
			owner := g.helper(domain.TypeWorkspace, "owner_active", "owner & active")
			return "(person & workspace->active) + workspace->" + owner, nil
		}
		return "person & workspace->active", nil
	}
	var terms []string
	if len(p.SelfCaps) > 0 {
		ws, err := workspacePermission(false, p.SelfCaps, true)
		if err != nil {
			return "", err
		}
		terms = append(terms, "(person & workspace->"+ws+")")
	}
	if len(p.Caps) > 0 || p.Owner {
		ws, err := workspacePermission(p.Owner, p.Caps, p.Own)
		if err != nil {
			return "", err
		}
		terms = append(terms, "workspace->"+ws)
	}
	if len(p.SwitchedCaps) > 0 {
		ws, err := workspacePermission(false, p.SwitchedCaps, false)
		if err != nil {
			return "", err
		}
		terms = append(terms, "switched->"+ws)
	}
	expr := union(terms...)
	if p.Manager {
		expr = "(" + union(append(terms, "manager")...) + ") & workspace->active"
	}
	if p.NotSelf {
		if len(p.SelfCaps) > 0 {
			return "", fmt.Errorf("NotSelf and SelfCaps contradict each other")
		}
		expr = group(expr) + " - person"
	}
	if p.NotOwner {
		expr = group(expr) + " - account_owner"
	}
	return expr, nil
}

// clientCap is the client's helper for c: who reaches the client by c, at
// every record in its scope or, at the own level, as their own client; where
// the area has a written level, X_records (see clientRecords) reaches all of
// the client's records and X adds the client itself for those who may reach
// what they wrote.
func (g *gen) clientCap(c domain.Capability) (string, error) {
	a, err := area(c, false)
	if err != nil {
		return "", err
	}
	if !a.Located {
		return "", fmt.Errorf("area %s is not located: a client cannot read it", a.Name)
	}
	if !a.Own {
		return g.helper(domain.TypeClient, full(c), "scope->"+full(c)), nil
	}
	if !a.Written {
		return g.helper(domain.TypeClient, full(c), g.reach(c)), nil
	}
	r := g.clientRecords(c)
	return g.helper(domain.TypeClient, full(c), r+" + ("+g.related()+" & scope->"+c.Relation(domain.LevelWritten)+")"), nil
}

// clientCaps are the client's helpers for caps (see clientCap), each read
// through via ("" on the client itself, "client->" from one of its records).
func (g *gen) clientCaps(caps []domain.Capability, via string) ([]string, error) {
	terms := make([]string, len(caps))
	for i, c := range caps {
		h, err := g.clientCap(c)
		if err != nil {
			return nil, err
		}
		terms[i] = via + h
	}
	return terms, nil
}

// clientRecords is the client's helper that reaches every record of the
// client by c (of an area with a written level, whose records have authors).
func (g *gen) clientRecords(c domain.Capability) string {
	return g.helper(domain.TypeClient, full(c)+"_records", g.reach(c))
}

// reach: c's full level in the client's scope, and its own level for the
// user's own clients.
func (g *gen) reach(c domain.Capability) string {
	return "scope->" + full(c) + " + (" + g.related() + " & scope->" + own(c) + ")"
}

// related is the client's helper naming the staff whose own client it is.
func (g *gen) related() string {
	return g.helper(domain.TypeClient, "related", "practitioner + shared_with")
}

// client: its capabilities' helpers, read on its scope, and staff given notes
// access where NotesReader, while they are enabled members of its practice.
func (g *gen) client(p domain.Permission) (string, error) {
	if err := unused(domain.TypeClient, p, "NotesReader", "Within", "Emergency", "EmergencyNeedsCaps"); err != nil {
		return "", err
	}
	if !p.Own {
		return "", fmt.Errorf("a client's permissions reach the user's own clients: set Own")
	}
	terms, err := g.clientCaps(p.Caps, "")
	if err != nil {
		return "", err
	}
	if p.NotesReader {
		// A link to this client alone: gated as a record's are (ownPractice).
		terms = append(terms, "(notes_reader & workspace->active)")
	}
	if p.Emergency {
		h, err := g.emergency()
		if err != nil {
			return "", err
		}
		if p.EmergencyNeedsCaps {
			h = "(" + h + " & " + g.anyLevel(p.Caps) + ")"
		}
		terms = append(terms, h)
	}
	if p.Within != "" {
		within, ok := domain.LookupPermission(domain.TypeClient, p.Within)
		if !ok || within.Within != "" {
			return "", fmt.Errorf("Within %q must name a client permission that is not itself within another", p.Within)
		}
		return group(union(terms...)) + " & " + p.Within, nil
	}
	return union(terms...), nil
}

// authored: a note, letter or file of a client, written or uploaded by its
// author. Every record of the client's by the capability's full reach (and
// staff given notes access where NotesReader), the author's own by the own and
// written levels; a note's AuthorDraft permission reaches anyone's notes only
// at the full level, and none once the note is final.
func (g *gen) authored(typ string, p domain.Permission) (string, error) {
	if err := unused(typ, p, "NotesReader", "AuthorDraft", "Emergency"); err != nil {
		return "", err
	}
	if !p.Own {
		return "", fmt.Errorf("an authored record's permissions read its client's, which reach the user's own clients: set Own")
	}
	if p.AuthorDraft && (p.NotesReader || p.Emergency) {
		return "", fmt.Errorf("AuthorDraft with NotesReader or Emergency: notes access and break-glass read, they never edit drafts")
	}
	var terms []string
	for _, c := range p.Caps {
		a, err := area(c, p.Own)
		if err != nil {
			return "", err
		}
		if !a.Written || !a.Located {
			return "", fmt.Errorf("area %s has no written level or no location: its records are not authored client records", a.Name)
		}
		var every string
		switch {
		case p.AuthorDraft:
			every = g.helper(domain.TypeClient, full(c)+"_all_holders", "scope->"+full(c))
		case p.NotesReader:
			every = g.helper(domain.TypeClient, c.Area+"_readers", g.clientRecords(c)+" + notes_reader")
		default:
			every = g.clientRecords(c)
		}
		terms = append(terms, "client->"+every)
		if p.Own {
			holders := g.helper(domain.TypeClient, own(c)+"_holders", "scope->"+own(c)+" + scope->"+c.Relation(domain.LevelWritten))
			terms = append(terms, "(author & client->"+holders+")")
		}
	}
	if p.AuthorDraft {
		return group(union(terms...)) + " - finalized", nil
	}
	if p.Emergency {
		h, err := g.emergency()
		if err != nil {
			return "", err
		}
		terms = append(terms, "client->"+h)
	}
	return union(terms...), nil
}

// anyLevel is the client's helper naming who has one of caps, at any
// level, in its scope: whether or not the client is theirs.
func (g *gen) anyLevel(caps []domain.Capability) string {
	var terms, names []string
	for _, c := range caps {
		a, _ := domain.AreaByName(c.Area)
		for _, l := range a.GrantLevels() {
			terms = append(terms, "scope->"+c.Relation(l))
		}
		names = append(names, full(c))
	}
	return g.helper(domain.TypeClient, strings.Join(names, "_")+"_anywhere", union(terms...))
}

// emergency is the client's helper naming who reads it by break-glass: the
// openers of its openings still open (client#emergency), while they are
// enabled members of its practice and may still open one there (an opener
// who loses the role that let them, or whose practice takes break_glass
// away, loses what they opened with no write).
func (g *gen) emergency() (string, error) {
	open, err := g.clientCap(domain.Cap(domain.AreaBreakGlass, domain.ActionOpen))
	if err != nil {
		return "", err
	}
	return g.helper(domain.TypeClient, "emergency_access", "emergency & "+open+" & workspace->active"), nil
}

// form: a client's form; while its template is restricted, its forms' grants
// count for nothing, and (for view, the one thing a restricted template
// allows) the template's chosen roles see forms of clients they may see.
func (g *gen) form(p domain.Permission) (string, error) {
	if err := unused(domain.TypeForm, p, "Template", "Emergency"); err != nil {
		return "", err
	}
	if !p.Own {
		return "", fmt.Errorf("a form's permissions read its client's, which reach the user's own clients: set Own")
	}
	terms, err := g.clientCaps(p.Caps, "client->")
	if err != nil {
		return "", err
	}
	expr := union(terms...)
	if !p.Template {
		return expr, nil
	}
	expr = group(expr) + " - template->restricted"
	// A restricted template's chosen roles, and the holders of the preset's
	// owner role, only ever view its forms (explain says the same): every
	// other Template permission is nobody's there.
	if p.Name == "view" {
		expr = group(expr) + " + (client->view & (template->viewer + workspace->sees_every_form) & template->restricted)"
	}
	if p.Emergency {
		// Break-glass opens the whole clinical record, restricted forms too.
		h, err := g.emergency()
		if err != nil {
			return "", err
		}
		expr = group(expr) + " + client->" + h
	}
	return expr, nil
}

// breakGlass: an emergency opening of a client's record, acted on by those
// who hold the workspace permission that asks the same, and by its opener
// where Opener, never by its opener where NotSelf.
func (g *gen) breakGlass(p domain.Permission) (string, error) {
	if err := unused(domain.TypeBreakGlass, p, "Owner", "Opener", "NotSelf"); err != nil {
		return "", err
	}
	if p.Opener && p.NotSelf {
		return "", fmt.Errorf("Opener and NotSelf contradict each other")
	}
	ws, err := workspacePermission(p.Owner, p.Caps, false)
	if err != nil {
		return "", err
	}
	expr := "workspace->" + ws
	switch {
	case p.Opener:
		expr = "(opener & workspace->active) + " + expr // an opener disabled or removed closes nothing
	case p.NotSelf:
		expr += " - opener"
	}
	return expr, nil
}

// step: a refund's step, read on its invoice (Step.Via, an invoice
// permission), once the step before is taken (Requires), never by the
// people of the steps before (Excludes).
func (g *gen) step(p domain.Permission) (string, error) {
	if err := unused(domain.TypeRefund, p, "Step"); err != nil {
		return "", err
	}
	if p.Step == nil || len(p.Caps) > 0 || p.Step.Requires == "" || (p.Step.Done == "") != (p.Step.Taker == "") {
		return "", fmt.Errorf("a refund's permission is a Step, read on its invoice, once the step before is marked (Requires), with no capabilities of its own; Done and Taker come together")
	}
	if _, ok := domain.LookupPermission(domain.TypeInvoice, p.Step.Via); !ok {
		return "", fmt.Errorf("Step.Via %q is not an invoice permission", p.Step.Via)
	}
	expr := "invoice->" + p.Step.Via + " & " + p.Step.Requires
	for _, x := range p.Step.Excludes {
		expr = group(expr) + " - " + x
	}
	if p.Step.Done != "" {
		// once taken, the step is its taker's alone (they may send it again)
		expr = group(expr) + " - (" + p.Step.Done + " - " + p.Step.Taker + ")"
	}
	return expr, nil
}

// accessRequest: decided by the requester's manager and the holders of the
// workspace permission that asks the same (approve_access), while enabled,
// never by the requester; approving at the step the request waits at.
func (g *gen) accessRequest(p domain.Permission) (string, error) {
	if err := unused(domain.TypeAccessRequest, p, "Owner", "Decision"); err != nil {
		return "", err
	}
	if p.Decision == domain.DecideConsume {
		if p.Owner || len(p.Caps) > 0 {
			return "", fmt.Errorf("consume is the requester's alone: no owner, no capabilities")
		}
		return "unused & workspace->active", nil
	}
	ws, err := workspacePermission(p.Owner, p.Caps, false)
	if err != nil {
		return "", err
	}
	approvers, manager := "workspace->"+ws, "staff->manager"
	var expr string
	switch p.Decision {
	case domain.DecideApprove:
		// Alone, a manager gives only a role they may give anyway (its
		// holders' manager): more takes one who approves access, or two steps.
		expr = union("(("+approvers+" + ("+manager+" & role->manage_holders)) & any_step)", "("+manager+" & manager_step)", "(("+approvers+" & admin_step) - first_approver)")
	case domain.DecideDeny:
		expr = "(" + approvers + " + " + manager + ") & (any_step + manager_step + admin_step)"
	default:
		return "", fmt.Errorf("an access request's permission is a Decision: %s or %s", domain.DecideApprove, domain.DecideDeny)
	}
	return "(" + group(expr) + " & workspace->active) - requester", nil
}

// postedRecord: an expense or dashboard message, recorded or posted by its
// author, read on the workspace.
func (g *gen) postedRecord(typ string, p domain.Permission) (string, error) {
	if err := unused(typ, p); err != nil {
		return "", err
	}
	var terms []string
	for _, c := range p.Caps {
		if _, err := area(c, p.Own); err != nil {
			return "", err
		}
		terms = append(terms, "workspace->"+full(c))
		if p.Own {
			terms = append(terms, "(author & workspace->"+own(c)+")")
		}
	}
	return union(terms...), nil
}

// booked: an appointment or invoice of a client, with its practitioner, read
// in its scope; PastToo also needs past appointments edit on the workspace.
func (g *gen) booked(typ string, p domain.Permission) (string, error) {
	if err := unused(typ, p, "PastToo"); err != nil {
		return "", err
	}
	g.related()
	related := g.helper(typ, "related", "practitioner + client->related")
	var terms []string
	for _, c := range p.Caps {
		a, err := area(c, p.Own)
		if err != nil {
			return "", err
		}
		if !a.Located {
			return "", fmt.Errorf("area %s is not located: its records have no scope", a.Name)
		}
		if !p.Own {
			terms = append(terms, "scope->"+full(c)) // the helper below counts the own level
			continue
		}
		terms = append(terms, g.helper(typ, full(c), "scope->"+full(c)+" + ("+related+" & scope->"+own(c)+")"))
	}
	for _, c := range limitedCaps(p) {
		// bindings, not written-out access: the asker must be an enabled
		// member, which written-out access already says
		terms = append(terms, "(scope->"+limited(c)+" & workspace->active)")
	}
	expr := union(terms...)
	if p.PastToo {
		expr = group(expr) + " & workspace->" + full(domain.PastEdit)
	}
	return expr, nil
}

// delegation: its lender and delegate (Parties), while enabled, and the
// owner (Owner).
func (g *gen) delegation(p domain.Permission) (string, error) {
	if err := unused(domain.TypeDelegation, p, "Parties", "Owner"); err != nil {
		return "", err
	}
	if !p.Parties || len(p.Caps) > 0 {
		return "", fmt.Errorf("a delegation's permission is its Parties' (and the Owner's), with no capabilities")
	}
	expr := "((lender + invitee) & workspace->active)"
	if p.Owner {
		expr += " + workspace->" + g.helper(domain.TypeWorkspace, "owner_active", "owner & active")
	}
	return expr, nil
}

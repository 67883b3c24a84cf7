package domain

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reason is one line of an explanation in the practice's terms.
type Reason struct {
	// Grants is true when this reason gives the access, false when it tells why a
	// path that could have given it did not.
	Grants bool `json:"grants"`
	// Kind is one of: not_found, not_staff, disabled, owner, role, calendar,
	// notes_access, holder_manager, author, finalized, template, self,
	// switched, shared, inactive, unexplained.
	Kind     string `json:"kind"`
	Role     string `json:"role,omitempty"`
	Location string `json:"location,omitempty"`
	Region   string `json:"region,omitempty"`
	Area     string `json:"area,omitempty"`
	Action   string `json:"action,omitempty"`
	Level    Level  `json:"level,omitempty"`
	Text     string `json:"text"`
	// Conditional: what the reason names holds only under conditions
	// (business hours, networks) that SpiceDB decides at the check; its
	// trace says whether they held.
	Conditional bool `json:"conditional,omitempty"`
}

// Explanation says why a question came out as it did.
type Explanation struct {
	Allowed bool     `json:"allowed"`
	Reasons []Reason `json:"reasons"`
	// Trace is SpiceDB's own account of the check that gave the verdict
	// (Steps): what it looked up, not what Ward reads into the practice.
	Trace []Step `json:"trace,omitempty"`
	// Missing is, for a denial that depends on context the question did not
	// give, that context (as a check's answer names it).
	Missing []string `json:"missing,omitempty"`
}

// ExplainNeeds is what explaining q reads, given s holding the resource's
// own relationships: the resource's client and form template whole, and the
// practice narrowly (see Needs.First), with the asker's standing and
// holdings: an explanation is about one person, so it never reads everyone's
// access.
func ExplainNeeds(s *State, q Question) Needs {
	n := Needs{Narrow: true, Users: []string{q.Person()}, Acting: []string{q.Person()}, Ownership: q.Resource.Type == TypeWorkspace}
	if ws := ResourceWorkspace(s, q.Resource); ws != "" {
		n.Workspaces = []string{ws}
	}
	switch q.Resource.Type {
	case TypeNote, TypeAppointment, TypeInvoice, TypeLetter, TypeFile, TypeForm:
		if c := firstSubject(s, q.Resource, "client"); c != "" {
			n.Objects = append(n.Objects, Object{TypeClient, c})
		}
		if t := firstSubject(s, q.Resource, "template"); t != "" {
			n.Objects = append(n.Objects, Object{TypeTemplate, t})
		}
	case TypeRefund:
		if i := firstSubject(s, q.Resource, "invoice"); i != "" {
			n.Objects = append(n.Objects, Object{TypeInvoice, i})
		}
	case TypeAccessRequest:
		if m := firstSubject(s, q.Resource, "staff"); m != "" {
			n.Objects = append(n.Objects, Object{TypeStaffMember, m})
		}
	}
	return n
}

// ResourceWorkspace returns the practice a resource belongs to, or "".
func ResourceWorkspace(s *State, res Object) string {
	switch res.Type {
	case TypeWorkspace:
		return res.ID
	case TypeRole:
		ws, _, _ := strings.Cut(res.ID, "/")
		return ws
	}
	return WorkspaceOf(s, res)
}

// madeBy words how the author of a record of no client made it (past, then
// infinitive): an expense is recorded, a dashboard message posted.
var madeBy = map[string][2]string{TypeExpense: {"recorded", "record"}, TypeMessage: {"posted", "post"}}

// record is what Explain knows of the resource: where it is and who it belongs to.
type record struct {
	location string
	client   string
	author   string            // who wrote or uploaded it, for records with an author
	related  map[string]string // user -> how the record is theirs
}

func describe(s *State, res Object) record {
	rec := record{related: map[string]string{}}
	client := ""
	switch res.Type {
	case TypeClient:
		client = res.ID
	case TypeNote, TypeAppointment, TypeInvoice, TypeLetter, TypeFile, TypeForm:
		client = firstSubject(s, res, "client")
		for _, u := range s.Subjects(res, "practitioner") {
			rec.related[u.ID] = fmt.Sprintf("%s is the %s's practitioner", u.ID, res.Type)
		}
	}
	rec.client = client
	if client != "" {
		c := Object{TypeClient, client}
		for _, u := range s.Subjects(c, "practitioner") {
			rec.related[u.ID] = fmt.Sprintf("%s is client %s's practitioner", u.ID, client)
		}
		for _, r := range s.Of(c, "shared_with") {
			if _, ok := rec.related[r.Subject.ID]; !ok {
				rec.related[r.Subject.ID] = fmt.Sprintf("client %s is shared with %s%s", client, r.Subject.ID, r.Span().Text())
			}
		}
	}
	if res.Type == TypeLetter || res.Type == TypeFile || res.Type == TypeExpense || res.Type == TypeMessage || res.Type == TypeNote {
		if a := firstSubject(s, res, "author"); a != "" {
			rec.author = a
			made := "wrote or uploaded"
			if v, ok := madeBy[res.Type]; ok {
				made = v[0]
			}
			rec.related[a] = fmt.Sprintf("%s %s %s", a, made, res)
		}
	}
	switch res.Type {
	case TypeAppointment, TypeInvoice:
		rec.location = firstSubject(s, res, "location")
	case TypeClient, TypeNote, TypeLetter, TypeFile, TypeForm:
		if client != "" {
			rec.location = firstSubject(s, Object{TypeClient, client}, "location")
		}
	}
	return rec
}

// ExplainAt is Explain as at the moment at, with trace (SpiceDB's trace of
// the check made then; zero for none) in the practice's terms: both read
// what counts then, what SpiceDB reads at that moment. What would give the
// asker access but does not count then (it starts later, or is between its
// windows) is named as such: their holdings, and a share or notes access of
// the record's client.
func ExplainAt(q Question, s *State, at time.Time, trace TraceNode) Explanation {
	counting := s.CountingAt(at)
	ex := Explain(q, counting)
	ws := ResourceWorkspace(s, q.Resource)
	ex.Trace = Steps(trace, Practice{S: counting, WS: ResourceWorkspace(counting, q.Resource)})
	if ws == "" {
		return ex
	}
	user := q.Person()
	pr, now := Practice{S: s, WS: ws}, Practice{S: counting, WS: ws}
	perm, _ := LookupPermission(q.Resource.Type, q.Permission)
	caps := slices.Concat(perm.Caps, perm.SwitchedCaps)
	if perm.PastToo {
		caps = append(caps, PastEdit)
	}
	for _, h := range pr.ActingHoldings(user) {
		if !h.Lasts.CountsAt(at) {
			ex.Reasons = append(ex.Reasons, Reason{Kind: "role", Role: h.Role, Location: h.location(), Region: h.region(),
				Text: fmt.Sprintf("%s holds %s, which does not count now", user, holdingText(h))})
			continue
		}
		all, counting := pr.grantSpans(h.Role), now.grantSpans(h.Role)
		for _, c := range caps {
			a, _ := AreaByName(c.Area)
			has, _ := highest(counting[c])
			for _, level := range a.GrantLevels() {
				// a grant for a time that does not count now, and would give more than the role has now
				if granted, ok := all[c][level]; ok && !granted.CountsAt(at) && rank(level) > rank(has) {
					ex.Reasons = append(ex.Reasons, Reason{Kind: "role", Role: h.Role, Location: h.location(), Region: h.region(), Area: c.Area, Action: c.Action, Level: level,
						Text: fmt.Sprintf("%s holds %s, which has %s %s: %s%s, which does not count now", user, holdingText(h), a.Name, c.Action, level, granted.Text())})
				}
			}
		}
	}
	client := describe(s, q.Resource).client
	if client == "" {
		return ex
	}
	for _, link := range []struct{ relation, kind, text string }{
		{"shared_with", "shared", "client %[2]s is shared with %[1]s%[3]s, which does not count now"},
		{"notes_access", "notes_access", "%[1]s was given notes access to client %[2]s%[3]s, which does not count now"},
	} {
		r := Rel(Object{TypeClient, client}, link.relation, userObj(user))
		if span := s.SpanOf(r); s.HasKey(r) && !span.CountsAt(at) {
			ex.Reasons = append(ex.Reasons, Reason{Kind: link.kind, Text: fmt.Sprintf(link.text, user, client, span.Text())})
		}
	}
	return ex
}

// Explain tells, from the practice's state, whether q is allowed and why. It
// follows the schema's rules step by step; tests hold it to SpiceDB's answers.
func Explain(q Question, s *State) Explanation {
	perm, _ := LookupPermission(q.Resource.Type, q.Permission)
	user := q.Person()
	ws := ResourceWorkspace(s, q.Resource)
	pr := Practice{S: s, WS: ws}
	if ws == "" || !pr.Exists() || (q.Resource.Type == TypeRole && !s.Has(Rel(q.Resource, "workspace", workspaceObj(ws)))) {
		return deny(Reason{Kind: "not_found", Text: fmt.Sprintf("%s does not exist", q.Resource)})
	}
	if !pr.IsMember(user) {
		return deny(Reason{Kind: "not_staff", Text: fmt.Sprintf("%s is not staff of workspace %s", user, ws)})
	}
	if pr.IsDisabled(user) {
		return deny(Reason{Kind: "disabled", Text: fmt.Sprintf("%s is disabled in workspace %s: disabled staff lose every permission", user, ws)})
	}
	if pr.IsLapsed(user) {
		return deny(Reason{Kind: "inactive", Text: fmt.Sprintf("%s was not seen within %s in workspace %s: under its inactivity policy they lose every permission until staff.enabled", user, daysText(pr.InactivityDays()), ws)})
	}
	switch q.Resource.Type {
	case TypeStaffMember:
		return explainStaffMember(q, s, pr, perm)
	case TypeBreakGlass:
		return explainOpening(q, s, pr, perm)
	case TypeRefund:
		return explainRefund(q, s, pr, perm)
	case TypeAccessRequest:
		return explainAccessRequest(q, s, pr, perm)
	case TypeDelegation:
		return explainDelegation(q, s, pr)
	}

	rec := describe(s, q.Resource)
	var reasons []Reason
	add := func(r Reason) { reasons = append(reasons, r) }

	if perm.Owner {
		if owner := pr.Owner(); owner == user {
			add(Reason{Grants: true, Kind: "owner", Text: fmt.Sprintf("%s is the account owner of %s", user, ws)})
		} else {
			add(Reason{Kind: "owner", Text: fmt.Sprintf("only the account owner (%s) may %s", owner, perm.About)})
		}
		if perm.Editable {
			if !s.Has(Rel(q.Resource, "editable", workspaceObj(ws))) {
				return deny(append(reasons, Reason{Kind: "role", Text: fmt.Sprintf("role %s is fixed and cannot be changed", q.Resource.ID)})...)
			}
		}
	}
	if perm.BackupOwner {
		add(backupOwnerReason(s, pr, user, perm))
	}
	if perm.ClaimApprover {
		for _, r := range claimApproverReasons(s, pr, user) {
			add(r)
		}
	}
	if perm.Calendar {
		for _, h := range pr.Holdings(user) {
			if pr.RoleHasCalendar(h.Role) {
				add(Reason{Grants: true, Kind: "calendar", Role: h.Role, Location: h.location(), Region: h.region(), Conditional: h.Lasts.Conditional(), Text: fmt.Sprintf("%s holds %s, a role with a calendar", user, holdingText(h))})
			}
		}
		if len(reasons) == 0 {
			add(Reason{Kind: "calendar", Text: fmt.Sprintf("none of %s's roles has a calendar", user)})
		}
	}
	if perm.HolderManager {
		_, role, _ := strings.Cut(q.Resource.ID, "/")
		for _, h := range pr.Holdings(user) {
			if h.Role == role && s.Has(Relationship{Resource: q.Resource, Relation: "holder_manager", Subject: bindingMembers(BindingID(ws, h.Role, h.Location))}) {
				add(Reason{Grants: true, Kind: "holder_manager", Role: h.Role, Location: h.location(), Region: h.region(), Conditional: h.Lasts.Conditional(), Text: fmt.Sprintf("%s holds %s, whose holders manage who holds it", user, holdingText(h))})
			}
		}
	}
	if reader := Rel(Object{TypeClient, rec.client}, "notes_reader", userObj(user)); perm.NotesReader && rec.client != "" && s.HasKey(reader) {
		add(Reason{Grants: true, Kind: "notes_access", Conditional: s.SpanOf(reader).Conditional(), Text: fmt.Sprintf("%s was given notes access to client %s%s", user, rec.client, s.SpanOf(reader).Text())})
	}
	acting := pr.ActingHoldings(user)
	if perm.Emergency && rec.client != "" {
		can, conditional := mayOpen(pr, acting, q, rec)
		reasons := emergencyReasons(s, user, rec.client, can, conditional)
		if perm.EmergencyNeedsCaps && can && len(reasons) > 0 {
			does, doesConditional := hasAnyLevel(pr, acting, rec, perm.Caps)
			for i, r := range reasons {
				if does {
					reasons[i].Conditional = r.Conditional || doesConditional
				} else {
					reasons[i].Grants = false
					reasons[i].Text += fmt.Sprintf(", but no role of theirs where the client is may %s at any level: break-glass widens which clients they reach, not what they may do", capsText(perm.Caps))
				}
			}
		}
		for _, r := range reasons {
			add(r)
		}
	}
	caps := perm.Caps
	if len(perm.SwitchedCaps) > 0 && s.Has(Rel(q.Resource, "switched", workspaceObj(ws))) {
		caps = append(slices.Clip(caps), perm.SwitchedCaps...)
	}
	for _, c := range caps {
		for _, h := range acting {
			if limit, ok := pr.Limits(h.Role)[c]; ok {
				if h.For != "" {
					add(Reason{Kind: "role", Role: h.Role, Area: c.Area, Action: c.Action, Text: fmt.Sprintf("%s holds %s, whose %s %s below %s is not lent: amount-limited approvals stay with the role's own holders", user, holdingText(h), c.Area, c.Action, limit)})
				} else {
					add(limitReason(pr, perm, c, h, rec, q, limit))
				}
				continue
			}
			level, granted := pr.levelCounting(h.Role, c)
			add(capReason(pr, perm, c, h, rec, q, level, granted))
		}
	}
	if len(perm.Caps) > 0 && len(acting) == 0 {
		add(Reason{Kind: "role", Text: fmt.Sprintf("%s holds no role in workspace %s that counts now", user, ws)})
	}

	if perm.Guarded && s.Has(Rel(q.Resource, "guarded", workspaceObj(ws))) {
		reasons = guardedReasons(pr, q, user, reasons)
	}
	allowed := slices.ContainsFunc(reasons, func(r Reason) bool { return r.Grants })
	if perm.Within != "" && allowed {
		if within := Explain(Question{Subject: q.Subject, Permission: perm.Within, Resource: q.Resource}, s); !within.Allowed {
			return deny(slices.Concat(falsify(reasons), []Reason{{Kind: "role",
				Text: fmt.Sprintf("%s also needs %s on %s, which %s does not have", q.Permission, perm.Within, q.Resource, user)}}, within.Reasons)...)
		}
	}
	if perm.Template {
		if tmpl := firstSubject(s, q.Resource, "template"); tmpl != "" &&
			s.Has(Relationship{Resource: Object{TypeTemplate, tmpl}, Relation: "restricted", Subject: Subject{Type: TypeUser, ID: "*"}}) {
			return explainTemplate(q, s, pr, perm, tmpl, rec)
		}
	}
	if perm.PastToo && allowed {
		past := PastEdit
		i := slices.IndexFunc(acting, func(h Holding) bool {
			level, _ := pr.levelCounting(h.Role, past)
			return h.Location == "" && level == LevelFull
		})
		if i < 0 {
			return deny(append(falsify(reasons), Reason{Kind: "role", Area: past.Area, Action: past.Action, Text: fmt.Sprintf("%s may not add or change appointments in the past", user)})...)
		}
		h := acting[i]
		reasons = append(reasons, Reason{Grants: true, Kind: "role", Role: h.Role, Area: past.Area, Action: past.Action, Level: LevelFull, Text: fmt.Sprintf("%s holds %s, which may change past appointments", user, holdingText(h))})
	}
	if perm.AuthorDraft && allowed {
		author := rec.author
		finalized := s.Has(Relationship{Resource: q.Resource, Relation: "finalized", Subject: Subject{Type: TypeUser, ID: "*"}})
		anyones := slices.ContainsFunc(reasons, func(r Reason) bool { return r.Grants && r.Level == LevelFull })
		switch {
		case finalized:
			return deny(append(falsify(reasons), Reason{Kind: "finalized", Text: "the note is final: nobody may change it"})...)
		case anyones:
			// notes edit for all reaches every draft in its scope, whoever wrote it
		case author != user:
			return deny(append(falsify(reasons), Reason{Kind: "author", Text: fmt.Sprintf("%s may change only notes they wrote, and %s wrote this one", user, author)})...)
		default:
			reasons = append(reasons, Reason{Grants: true, Kind: "author", Text: fmt.Sprintf("%s wrote the note and it is still a draft", user)})
		}
	}
	return Explanation{Allowed: allowed, Reasons: reasons}
}

// guardedReasons reads reasons about a guarded role (Role.Guarded) as the
// schema does: the account owner gives it; the capabilities count only for
// its own workspace-wide holders.
func guardedReasons(pr Practice, q Question, user string, reasons []Reason) []Reason {
	_, role, _ := strings.Cut(q.Resource.ID, "/")
	if pr.Owner() == user {
		return append(reasons, Reason{Grants: true, Kind: "owner", Text: fmt.Sprintf("%s is the account owner of %s, who gives role %s", user, pr.WS, role)})
	}
	if slices.ContainsFunc(pr.Holdings(user), func(h Holding) bool { return h.Role == role && h.Location == "" }) {
		return reasons
	}
	out := slices.Clone(reasons)
	for i := range out {
		if out[i].Kind == "role" {
			out[i].Grants = false
		}
	}
	return append(out, Reason{Kind: "role", Role: role,
		Text: fmt.Sprintf("role %s is guarded: only the account owner and its own workspace-wide holders give it or take it away, and %s does not hold it workspace-wide", role, user)})
}

// limitReason is capReason for a holding whose role has c only below an
// amount: it gives access where the holding reaches the record and the
// question's amount is below the limit; with no amount it cannot.
func limitReason(pr Practice, perm Permission, c Capability, h Holding, rec record, q Question, limit string) Reason {
	r := capReason(pr, perm, c, h, rec, q, LevelFull, Span{})
	r.Text += " below " + limit
	if !r.Grants {
		return r
	}
	amount, _ := strconv.ParseFloat(q.Amount, 64)
	max, _ := strconv.ParseFloat(limit, 64)
	switch {
	case q.Amount == "":
		r.Grants, r.Text = false, r.Text+", and the question gives no amount (context.amount): it is conditional"
	case amount < max:
		r.Text += ", and " + q.Amount + " is below it"
	default:
		r.Grants, r.Text = false, r.Text+", and "+q.Amount+" is not below it"
	}
	return r
}

// capReason is what holding h gives of c: the role's level of it, which it
// has for granted (always, or for a time: a role's notes access until a
// date, a switch on until one).
// mayOpen reports whether the asker still holds break_glass open where the
// record's client is: what their openings count on (client#emergency_access);
// conditional when every holding that gives it has conditions (hours,
// networks).
func mayOpen(pr Practice, acting []Holding, q Question, rec record) (can, conditional bool) {
	c := Cap(AreaBreakGlass, ActionOpen)
	open, _ := LookupPermission(TypeClient, "open_break_glass")
	client := Question{Subject: q.Subject, Permission: open.Name, Resource: Object{TypeClient, rec.client}}
	conditional = true
	for _, h := range acting {
		level, granted := pr.levelCounting(h.Role, c)
		if r := capReason(pr, open, c, h, rec, client, level, granted); r.Grants {
			can, conditional = true, conditional && r.Conditional
		}
	}
	return can, can && conditional
}

// hasAnyLevel reports whether one of acting (the asker's holdings) reaches
// where the record's client is with a role that has one of caps at any
// level (client#<cap>_anywhere); conditional when every such holding has
// conditions.
func hasAnyLevel(pr Practice, acting []Holding, rec record, caps []Capability) (does, conditional bool) {
	conditional = true
	scope := pr.obj()
	if rec.location != "" {
		scope = Object{TypeLocation, rec.location}
	}
	for _, h := range acting {
		for _, c := range caps {
			if level, _ := pr.levelCounting(h.Role, c); level != LevelNone && reaches(pr, h, areaLocated(c.Area), scope) {
				does, conditional = true, conditional && h.Lasts.Conditional()
			}
		}
	}
	return does, does && conditional
}

// capsText names caps as "create notes" (or "a or b").
func capsText(caps []Capability) string {
	names := make([]string, len(caps))
	for i, c := range caps {
		names[i] = c.Action + " " + c.Area
	}
	return strings.Join(names, " or ")
}

func capReason(pr Practice, perm Permission, c Capability, h Holding, rec record, q Question, level Level, granted Span) Reason {
	a, _ := AreaByName(c.Area)
	r := Reason{Kind: "role", Role: h.Role, Location: h.location(), Region: h.region(), Area: c.Area, Action: c.Action, Level: level, Conditional: h.Lasts.Conditional()}
	what := fmt.Sprintf("%s holds %s, which has %s %s: %s%s", q.Person(), holdingText(h), a.Name, c.Action, level, granted.Text())
	isRecord := q.Resource.Type != TypeWorkspace && q.Resource.Type != TypeRole && q.Resource.Type != TypeLocation
	if region := h.region(); region != "" {
		switch {
		case !a.Located || q.Resource.Type == TypeWorkspace || q.Resource.Type == TypeRole:
			r.Text = fmt.Sprintf("%s holds %s, and %s here is granted only by workspace-wide roles", q.Person(), holdingText(h), a.Name)
			return r
		case q.Resource.Type == TypeLocation && pr.RegionOf(q.Resource.ID) != region:
			r.Text = what + fmt.Sprintf(", but only in region %s and location %s is in %s", region, q.Resource.ID, regionText(pr.RegionOf(q.Resource.ID)))
			return r
		case isRecord && (rec.location == "" || pr.RegionOf(rec.location) != region):
			where := locationText(rec.location)
			if rec.location != "" {
				where += ", in " + regionText(pr.RegionOf(rec.location))
			}
			r.Text = what + fmt.Sprintf(", but only in region %s and %s is %s", region, q.Resource, where) + notHere(rec, perm, q, level)
			return r
		}
	} else if h.Location != "" {
		switch {
		case !a.Located || q.Resource.Type == TypeWorkspace || q.Resource.Type == TypeRole:
			r.Text = fmt.Sprintf("%s holds %s, and %s here is granted only by workspace-wide roles", q.Person(), holdingText(h), a.Name)
			return r
		case q.Resource.Type == TypeLocation && q.Resource.ID != h.Location:
			r.Text = what + fmt.Sprintf(", but only at location %s", h.Location)
			return r
		case isRecord && h.Location != rec.location:
			r.Text = what + fmt.Sprintf(", but only at location %s and %s is %s", h.Location, q.Resource, locationText(rec.location)) + notHere(rec, perm, q, level)
			return r
		}
	}
	switch {
	case level == LevelFull:
		r.Grants, r.Text = true, what
	case level == LevelWritten && !perm.Written():
		r.Text = what + fmt.Sprintf(", and %s needs own or full", q.Permission)
	case level == LevelWritten && q.Resource.Type != TypeClient: // a note, letter or file
		if rec.author == q.Person() {
			r.Grants, r.Text = true, what+fmt.Sprintf(", and %s wrote or uploaded %s", q.Person(), q.Resource)
		} else {
			r.Text = what + fmt.Sprintf(", and %s did not write or upload %s", q.Person(), q.Resource)
		}
	case level == LevelOwn && !perm.Own:
		r.Text = what + fmt.Sprintf(", and %s needs full", q.Permission)
	case level == LevelOwn && !isRecord:
		r.Grants, r.Text = true, what
	case level == LevelOwn, level == LevelWritten: // written, on a client, reaches it as own does
		if how, ok := rec.related[q.Person()]; ok {
			r.Grants, r.Text = true, what+", and "+how
		} else if v, ok := madeBy[q.Resource.Type]; ok {
			r.Text = what + fmt.Sprintf(", and %s is not theirs (%s did not %s it)", q.Resource, q.Person(), v[1])
		} else {
			r.Text = what + fmt.Sprintf(", and %s is not theirs (not their client, nor shared with them)", q.Resource)
		}
	default:
		r.Text = what
	}
	return r
}

// notHere says, of a record outside where a holding reaches, that its being
// the asker's own (their client, shared with them, written by them) does not
// carry the holding's own or written level there: "" where that level would
// not count even here (a permission without it, or, at the written level on
// a note, letter or file, anything but having written it).
func notHere(rec record, perm Permission, q Question, level Level) string {
	person := q.Person()
	how, ok := rec.related[person] // an author's is that they wrote it (describe)
	counts := (level == LevelOwn && perm.Own) ||
		(level == LevelWritten && perm.Written() && (q.Resource.Type == TypeClient || rec.author == person))
	if !ok || !counts {
		return ""
	}
	return fmt.Sprintf("; %s, but their own and shared records count only where their roles reach", how)
}

func holdingText(h Holding) string {
	if IsPersonalRole(h.Role) {
		return "their individually switched permissions"
	}
	text := "role " + h.Role + " workspace-wide"
	if region := h.region(); region != "" {
		text = "role " + h.Role + " in region " + region
	} else if h.Location != "" {
		text = "role " + h.Role + " at location " + h.Location
	}
	if h.For != "" {
		text += fmt.Sprintf(", acting for %s (delegation %s)", h.For, h.Delegation)
	}
	return text + h.Lasts.Text()
}

func locationText(loc string) string {
	if loc == "" {
		return "at no location"
	}
	return "at location " + loc
}

// Unexplained is the explanation of a verdict that Ward's reading of the
// practice does not account for: SpiceDB's verdict stands, none of the
// reasons claims to give it, and one more says so, for a bug report. The
// trace is kept.
func Unexplained(allowed bool, ex Explanation) Explanation {
	verdict := "denied"
	if allowed {
		verdict = "allowed"
	}
	return Explanation{Allowed: allowed, Trace: ex.Trace, Missing: ex.Missing, Reasons: append(falsify(ex.Reasons), Reason{Kind: "unexplained",
		Text: "SpiceDB " + verdict + " this, and Ward's reading of the practice at the same revision does not say why: please report it with this question"})}
}

func deny(reasons ...Reason) Explanation {
	return Explanation{Allowed: false, Reasons: reasons}
}

// Conditioned is ex, which Ward read without deciding conditions, with
// SpiceDB's verdict, which decided them: when every reason that gives
// access gives it under conditions, they held if SpiceDB allowed it and
// did not (or needed context the question did not give: missing) if it
// denied it, and the reasons say so; when another reason gives access
// outright, the conditional ones claim nothing. ok is false when the
// conditions do not account for a disagreement.
func Conditioned(allowed bool, missing []string, ex Explanation) (out Explanation, ok bool) {
	if !allowed {
		ex.Missing = missing
	}
	granting, outright := 0, false
	for _, r := range ex.Reasons {
		if r.Grants {
			outright = outright || !r.Conditional
			granting++
		}
	}
	if outright {
		if ex.Allowed != allowed {
			return ex, false
		}
		// Another reason gives access whatever the conditions: the verdict
		// says nothing of them, so those reasons claim nothing.
		ex.Reasons = slices.Clone(ex.Reasons)
		for i, r := range ex.Reasons {
			if r.Grants && r.Conditional {
				ex.Reasons[i].Grants = false
				ex.Reasons[i].Text += ", under conditions this answer does not need: another reason gives access"
			}
		}
		return ex, true
	}
	if granting == 0 {
		return ex, ex.Allowed == allowed
	}
	out = ex
	out.Allowed, out.Reasons = allowed, slices.Clone(ex.Reasons)
	for i, r := range out.Reasons {
		switch {
		case !r.Grants:
		case allowed:
			out.Reasons[i].Text += ", and its conditions held"
		case len(missing) > 0:
			out.Reasons[i].Grants = false
			out.Reasons[i].Text += ", and its conditions need " + strings.Join(missing, " and ") + " (context." + strings.Join(missing, ", context.") + "), which the question does not give: it is conditional"
		default:
			out.Reasons[i].Grants = false
			out.Reasons[i].Text += ", and its conditions did not hold"
		}
	}
	return out, true
}

func falsify(reasons []Reason) []Reason {
	out := slices.Clone(reasons)
	for i := range out {
		out[i].Grants = false
	}
	return out
}

// explainTemplate decides a form of a restricted template: only roles the
// template names, and the workspace-wide holders of the preset's owner role,
// may view its forms (and see the client), and nobody edits them.
func explainTemplate(q Question, s *State, pr Practice, perm Permission, tmpl string, rec record) Explanation {
	if perm.Name != "view" {
		return deny(Reason{Kind: "template", Text: fmt.Sprintf("forms of template %s are limited to chosen roles and cannot be changed", tmpl)})
	}
	clientView := Explain(Question{Subject: q.Subject, Permission: "view", Resource: Object{TypeClient, rec.client}}, s)
	preset := Presets[pr.Preset()]
	for _, h := range pr.Holdings(q.Person()) {
		if preset != nil && h.Role == preset.OwnerRole && h.Location == "" {
			if !clientView.Allowed {
				return deny(Reason{Kind: "template", Role: h.Role, Text: fmt.Sprintf("%s holds %s, whose holders see every template's forms, but cannot see client %s", q.Person(), holdingText(h), rec.client)})
			}
			return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "template", Role: h.Role, Conditional: h.Lasts.Conditional(),
				Text: fmt.Sprintf("%s holds %s, whose holders see the completed forms of every template, template %s's too", q.Person(), holdingText(h), tmpl)}}}
		}
		if chosen := (Relationship{Resource: Object{TypeTemplate, tmpl}, Relation: "viewer", Subject: bindingMembers(BindingID(pr.WS, h.Role, h.Location))}); s.HasKey(chosen) {
			if !clientView.Allowed {
				return deny(Reason{Kind: "template", Role: h.Role, Text: fmt.Sprintf("template %s allows %s, but %s cannot see client %s", tmpl, holdingText(h), q.Person(), rec.client)})
			}
			return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "template", Role: h.Role, Location: h.location(), Region: h.region(), Conditional: h.Lasts.Conditional(),
				Text: fmt.Sprintf("template %s lets %s see its completed forms%s", tmpl, holdingText(h), s.SpanOf(chosen).Text())}}}
		}
	}
	return deny(Reason{Kind: "template", Text: fmt.Sprintf("template %s limits its completed forms to chosen roles, and none of %s's roles is one", tmpl, q.Person())})
}

// explainStaffMember decides a question about a staff member as a person:
// whose permissions the asker may change or see.
func explainStaffMember(q Question, s *State, pr Practice, perm Permission) Explanation {
	user, target := q.Person(), firstSubject(s, q.Resource, "person")
	if perm.Member {
		if q.Subject.Type == TypeUser && user == target {
			return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "self", Text: fmt.Sprintf("%s is %s, enabled staff of %s", user, q.Resource, pr.WS)}}}
		}
		if perm.Owner {
			if pr.Owner() == user {
				return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "owner", Text: fmt.Sprintf("%s is the account owner of %s", user, pr.WS)}}}
			}
			return deny(Reason{Kind: "self", Text: fmt.Sprintf("only %s themselves, or the account owner (%s), has it", q.Resource, pr.Owner())})
		}
		return deny(Reason{Kind: "self", Text: fmt.Sprintf("only %s themselves has it", q.Resource)})
	}
	ask := func(permission string) Explanation {
		return Explain(Question{Subject: q.Subject, Permission: permission, Resource: pr.obj()}, s)
	}
	var reasons []Reason
	if perm.Manager { // review_access: one who reviews access, or the manager
		if user == target {
			return deny(Reason{Kind: "self", Text: fmt.Sprintf("nobody reviews their own access, and %s is %s", q.Resource, user)})
		}
		review := ask("review_access")
		if review.Allowed {
			return Explanation{Allowed: true, Reasons: granting(review.Reasons)}
		}
		if manager := pr.ManagerOf(target); manager == user {
			return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "manager", Text: fmt.Sprintf("%s is %s's manager, who reviews their access", user, target)}}}
		}
		return deny(append(review.Reasons, Reason{Kind: "manager", Text: fmt.Sprintf("%s is not %s's manager (%s)", user, target, cmp.Or(pr.ManagerOf(target), "they have none"))})...)
	}
	if perm.Name == "view_permissions" && user == target {
		own := ask("change_own_profile")
		if own.Allowed {
			return Explanation{Allowed: true, Reasons: append(granting(own.Reasons), Reason{Grants: true, Kind: "self", Text: fmt.Sprintf("%s sees their own permissions, as they may change their own profile", user)})}
		}
		reasons = append(reasons, Reason{Kind: "self", Text: fmt.Sprintf("%s may not change their own profile, which shows their own permissions", user)})
	}
	if perm.Name == "change_permissions" && user == target {
		return deny(Reason{Kind: "self", Text: fmt.Sprintf("nobody changes their own permissions, and %s is %s", q.Resource, user)})
	}
	if perm.NotOwner && s.HasKey(ownerMark(q.Resource)[0]) {
		return deny(Reason{Kind: "owner", Text: fmt.Sprintf("%s is the account owner of %s, who sits above every role: nobody changes their permissions", target, pr.WS)})
	}
	manage := ask("manage_permissions")
	if manage.Allowed {
		return Explanation{Allowed: true, Reasons: granting(manage.Reasons)}
	}
	reasons = append(reasons, manage.Reasons...)
	if user == target {
		return deny(reasons...)
	}
	switched := s.HasKey(Rel(q.Resource, "switched", pr.obj()))
	if !switched {
		return deny(append(reasons, Reason{Kind: "switched", Text: fmt.Sprintf("%s is not office staff, whose permissions other office staff may change", target)})...)
	}
	change := ask("change_office_staff_profiles")
	if change.Allowed {
		return Explanation{Allowed: true, Reasons: append(granting(change.Reasons), Reason{Grants: true, Kind: "switched", Text: fmt.Sprintf("%s is office staff, and %s may change other office staff's profiles and permissions", target, user)})}
	}
	return deny(append(reasons, change.Reasons...)...)
}

// explainOpening: an emergency opening is closed by its opener or a holder
// of review_access, and reviewed by such a holder who did not open it
// (break_glass#close, #review).
func explainOpening(q Question, s *State, pr Practice, perm Permission) Explanation {
	user, opener := q.Person(), firstSubject(s, q.Resource, "opener")
	switch {
	case perm.Opener && user == opener:
		return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "opener", Text: fmt.Sprintf("%s opened %s", user, q.Resource)}}}
	case perm.NotSelf && user == opener:
		return deny(Reason{Kind: "opener", Text: fmt.Sprintf("%s opened %s, and an opening is never reviewed by its opener", user, q.Resource)})
	}
	review := Explain(Question{Subject: q.Subject, Permission: "review_access", Resource: pr.obj()}, s)
	if review.Allowed {
		return Explanation{Allowed: true, Reasons: granting(review.Reasons)}
	}
	if perm.Opener {
		review.Reasons = append(review.Reasons, Reason{Kind: "opener", Text: fmt.Sprintf("%s did not open %s", user, q.Resource)})
	}
	return deny(review.Reasons...)
}

// explainDelegation: a delegation in force is revoked by its lender, its
// delegate and the account owner.
func explainDelegation(q Question, s *State, pr Practice) Explanation {
	user := q.Person()
	if pr.Owner() == user {
		return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "owner", Text: fmt.Sprintf("%s is the account owner of %s", user, pr.WS)}}}
	}
	var reasons []Reason
	for _, rel := range []string{"lender", "invitee"} {
		found := s.HasKey(Rel(q.Resource, rel, userObj(user)))
		text, _ := StepText(q.Resource, rel, userObj(user), found)
		if found {
			return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "delegation", Text: text}}}
		}
		reasons = append(reasons, Reason{Kind: "delegation", Text: text})
	}
	return deny(append(reasons, Reason{Kind: "owner", Text: fmt.Sprintf("only its lender, its delegate or the account owner (%s) may", pr.Owner())})...)
}

// explainAccessRequest: a request waiting is decided by the requester's
// manager and those who approve access (approve_access), never by the
// requester; approving, at the step it waits at.
func explainAccessRequest(q Question, s *State, pr Practice, perm Permission) Explanation {
	user := q.Person()
	r, _ := AccessRequestOf(s, q.Resource)
	if q.Subject.Type != TypeUser {
		return deny(Reason{Kind: "separation", Text: fmt.Sprintf("%s is not a person: requests for access are decided by people", q.Subject)})
	}
	if perm.Decision == DecideConsume {
		text, _ := StepText(q.Resource, "unused", userObj(user), true)
		if s.HasKey(Rel(q.Resource, "unused", userObj(user))) {
			return Explanation{Allowed: true, Reasons: []Reason{{Grants: true, Kind: "once", Text: text}}}
		}
		text, _ = StepText(q.Resource, "unused", userObj(user), false)
		return deny(Reason{Kind: "once", Text: text})
	}
	if user == r.User {
		text, _ := StepText(q.Resource, "requester", userObj(user), true)
		return deny(Reason{Kind: "separation", Text: text})
	}
	waits := func(step string) bool {
		return s.HasKey(Relationship{Resource: q.Resource, Relation: step, Subject: everyUser})
	}
	if !slices.ContainsFunc(requestSteps, waits) {
		return deny(Reason{Kind: "request", Text: fmt.Sprintf("%s waits for no decision: it is %s", q.Resource, r.State)})
	}
	manager := pr.ManagerOf(r.User)
	managerReason := Reason{Kind: "manager", Text: fmt.Sprintf("%s does not manage %s (the requester)", user, r.User)}
	if manager == user {
		managerReason = Reason{Grants: true, Kind: "manager", Text: fmt.Sprintf("%s manages %s, who asked", user, r.User)}
	}
	approvers := Explain(Question{Subject: q.Subject, Permission: "approve_access", Resource: pr.obj()}, s)
	var reasons []Reason
	switch {
	case perm.Decision == DecideApprove && waits(stepManager):
		reasons = []Reason{managerReason}
		if !managerReason.Grants {
			reasons = append(reasons, Reason{Kind: "request", Text: fmt.Sprintf("%s waits for the first of two approvals, which is the requester's manager's", q.Resource)})
		}
	case perm.Decision == DecideApprove && waits(stepAdmin):
		if firstSubject(s, q.Resource, "first_approver") == user {
			text, _ := StepText(q.Resource, "first_approver", userObj(user), true)
			return deny(Reason{Kind: "separation", Text: text})
		}
		reasons = approvers.Reasons
	default:
		reasons = []Reason{managerReason}
		if managerReason.Grants && perm.Decision == DecideApprove {
			// alone, a manager approves only a role they may give (the
			// request's role, as it waits; a request with none gives them
			// nothing to approve)
			role := firstSubject(s, q.Resource, "role")
			obj := Object{TypeRole, role}
			gives := Explanation{}
			if role != "" {
				gives = Explain(Question{Subject: q.Subject, Permission: "manage_holders", Resource: obj}, s)
			}
			if how := granting(gives.Reasons); gives.Allowed {
				// how they may give it: under conditions only, their
				// approval is too
				conditional := !slices.ContainsFunc(how, func(r Reason) bool { return !r.Conditional })
				reasons[0].Conditional = conditional
				reasons = append(reasons, Reason{Grants: true, Kind: "manager", Conditional: conditional, Text: fmt.Sprintf("%s may give %s", user, obj)})
				reasons = append(reasons, how...)
			} else {
				name := "the role asked for"
				if role != "" {
					name = obj.String()
				}
				reasons[0].Grants = false
				reasons = append(reasons, Reason{Kind: "manager", Text: fmt.Sprintf("%s may not give %s: alone, a manager approves only a role they may give", user, name)})
			}
		}
		reasons = append(reasons, approvers.Reasons...)
	}
	if g := granting(reasons); len(g) > 0 {
		return Explanation{Allowed: true, Reasons: g}
	}
	return deny(reasons...)
}

// explainRefund: a refund's step is taken by those who may take it on its
// invoice (Step.Via), once the step before is taken, never by the people of
// the steps before.
func explainRefund(q Question, s *State, pr Practice, perm Permission) Explanation {
	user, step := q.Person(), perm.Step
	if q.Subject.Type != TypeUser {
		return deny(Reason{Kind: "separation", Text: fmt.Sprintf("%s is not a person: refunds are approved and processed by people", q.Subject)})
	}
	for _, x := range step.Excludes {
		if firstSubject(s, q.Resource, x) == user {
			text, _ := StepText(q.Resource, x, userObj(user), true)
			return deny(Reason{Kind: "separation", Text: text})
		}
	}
	if taker := firstSubject(s, q.Resource, step.Taker); step.Done != "" && taker != "" && taker != user {
		return deny(Reason{Kind: "separation", Text: fmt.Sprintf("%s %s %s already, and only they may again", taker, step.Done, q.Resource)})
	}
	if step.Requires != "" && !s.HasKey(Relationship{Resource: q.Resource, Relation: step.Requires, Subject: Subject{Type: TypeUser, ID: "*"}}) {
		text, _ := StepText(q.Resource, step.Requires, Object{TypeUser, "*"}, false)
		return deny(Reason{Kind: "separation", Text: text})
	}
	invoice := firstSubject(s, q.Resource, "invoice")
	return Explain(Question{Subject: q.Subject, Permission: step.Via, Resource: Object{TypeInvoice, invoice}}, s)
}

// granting keeps the reasons that give access.
func granting(reasons []Reason) []Reason {
	return slices.DeleteFunc(slices.Clone(reasons), func(r Reason) bool { return !r.Grants })
}

package domain

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Access reviews ("access review scheduling: notifications to review user
// access quarterly", seed 004). Each person of a practice (staff and
// service accounts) has an access_review object (WORKSPACE/USER, or
// WORKSPACE/service_account/ID) that keeps:
//   - granted: who granted each standing grant and when, one JSON a grant,
//     written in the same write as the grant;
//   - record: their last review (access.reviewed), as JSON;
//   - current: under a review policy (policy.set review_every_days), set
//     until their next review falls due, so that it falls due by itself,
//     with nothing written then;
//   - told: set once the review's falling due was told, until reviewed.
//
// The reviewer is one who reviews access (review_access: the owner by
// default) or the person's manager, never the person themselves; the
// schema answers it (staff_member#review_access, service_account#review_access).

const (
	// MaxReviewDays is the longest a review policy waits between reviews:
	// ten years, as the inactivity policy.
	MaxReviewDays = 3650
	// MaxReviewItems bounds the grants one access.reviewed names.
	MaxReviewItems = 100
	// reviewPolicy is the prefix of a review policy's ward_policy ID.
	reviewPolicy = "review_every_days/"
)

// Review outcomes (access.reviewed's outcome).
const (
	ReviewKeep   = "keep"
	ReviewRevoke = "revoke"
)

// Kinds of standing grant, and the prefix of each one's item.
const (
	GrantHolding    = "role"
	GrantShare      = "share"
	GrantNotes      = "notes"
	GrantDelegation = "delegation"
	GrantBreakGlass = "break_glass"
	GrantSwitch     = "switch"
	GrantAPIKey     = "api_key"
)

// grantKinds are the kinds of standing grant, in the order a review lists them.
var grantKinds = []string{GrantHolding, GrantSwitch, GrantShare, GrantNotes, GrantDelegation, GrantBreakGlass, GrantAPIKey}

// ReviewObject is person's access_review in practice ws.
func ReviewObject(ws, person string) Object {
	if sa, ok := strings.CutPrefix(person, serviceAccountPrefix); ok {
		return Object{TypeAccessReview, ws + "/" + TypeServiceAccount + "/" + sa}
	}
	return Object{TypeAccessReview, ws + "/" + person}
}

// reviewOf is the object a person's review is asked about: their
// staff_member, or the service account itself.
func reviewOf(ws, person string) Object {
	if sa, ok := strings.CutPrefix(person, serviceAccountPrefix); ok {
		return Object{TypeServiceAccount, sa}
	}
	return Object{TypeStaffMember, StaffMemberID(ws, person)}
}

// ReviewEveryDays is the practice's review policy: each person's access is
// reviewed every this many days (0: no policy).
func (p Practice) ReviewEveryDays() int { return p.policyDays(reviewPolicy) }

// currentRel is the relationship that says person's review is not due.
func currentRel(ws, person string) Relationship {
	return Rel(ReviewObject(ws, person), "current", workspaceObj(ws))
}

// toldRel is the relationship that says person's due review was told.
func toldRel(ws, person string) Relationship {
	return Rel(ReviewObject(ws, person), "told", workspaceObj(ws))
}

// ReviewDue reports whether person's review is due: the practice has a
// review policy and their last review (or the policy's start, or their
// joining) was at least its days ago.
func (p Practice) ReviewDue(person string) bool {
	return p.ReviewEveryDays() > 0 && p.IsMember(person) && !p.S.HasKey(currentRel(p.WS, person))
}

// Grant is one standing grant of a person: what it is (Item, which
// access.reviewed names to revoke it), when it counts, and who granted it
// and when (GrantedBy is the granting request's actor; both are absent for
// a grant made before Ward kept them, or by an import, and GrantedBy for
// one whose request named no actor).
type Grant struct {
	Item       string     `json:"item"`
	Kind       string     `json:"kind"`
	Role       string     `json:"role,omitempty"`
	Location   string     `json:"location,omitempty"`
	Region     string     `json:"region,omitempty"`
	Client     string     `json:"client,omitempty"`
	Delegation string     `json:"delegation,omitempty"`
	BreakGlass string     `json:"break_glass,omitempty"`
	Permission string     `json:"permission,omitempty"`
	Key        string     `json:"key,omitempty"`
	Detail     string     `json:"detail,omitempty"`
	StartsAt   *time.Time `json:"starts_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	GrantedBy  string     `json:"granted_by,omitempty"`
	GrantedAt  *time.Time `json:"granted_at,omitempty"`
}

// ReviewRecord is what an access review decided.
type ReviewRecord struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Outcome string    `json:"outcome"`
	Revoked []string  `json:"revoked,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// AccessReview is one person's access as a reviewer sees it.
type AccessReview struct {
	Workspace string `json:"workspace"`
	User      string `json:"user"`
	Manager   string `json:"manager,omitempty"`
	// Due: the practice's review policy asks for a review now; DueAt is
	// when the next one falls due (absent without a policy, and when due).
	Due        bool          `json:"due"`
	DueAt      *time.Time    `json:"due_at,omitempty"`
	LastReview *ReviewRecord `json:"last_review,omitempty"`
	Grants     []Grant       `json:"grants"`
}

// provenance is who granted an item and when, as an access_review's
// granted relationship keeps it (JSON, base64url, in a ward_text ID).
type provenance struct {
	Item string `json:"i"`
	By   string `json:"by,omitempty"`
	At   int64  `json:"at"`
}

// ProvenanceOf is the relationship that records, in the write that makes
// it, who granted item to person in practice ws and when (by "" when the
// request named no actor).
func ProvenanceOf(ws, person, item, by string, at time.Time) Relationship {
	data, _ := json.Marshal(provenance{Item: item, By: by, At: at.Unix()}) // strings and a number
	return Rel(ReviewObject(ws, person), "granted", Object{TypeText, base64.RawURLEncoding.EncodeToString(data)})
}

func provenanceOf(sub Subject) (provenance, bool) {
	var pv provenance
	data, err := base64.RawURLEncoding.DecodeString(sub.ID)
	return pv, err == nil && json.Unmarshal(data, &pv) == nil && pv.Item != ""
}

// grantedBy returns, for each item of person's that s keeps who granted,
// the latest record.
func grantedBy(s *State, ws, person string) map[string]provenance {
	out := map[string]provenance{}
	for _, r := range s.Of(ReviewObject(ws, person), "granted") {
		if pv, ok := provenanceOf(r.Subject); ok && pv.At >= out[pv.Item].At {
			out[pv.Item] = pv
		}
	}
	return out
}

// grantingEvents are the events that may give their user a standing grant
// (access.approved, once its user is resolved): NeedsOf reads the records
// of who granted what of that person.
var grantingEvents = []string{"staff.added", "role.assigned", "service_account.created", "patient.shared", "notes_access.granted", "staff_permission.changed", "access.approved"}

// standingItem tells whether r is a standing grant of a person whose
// provenance Ward keeps (delegations and break-glass keep their own):
// its practice, the person, and the item that names it. State s finds a
// client's practice.
func standingItem(s *State, r Relationship) (ws, person, item string, ok bool) {
	if !isPerson(r.Subject) {
		return "", "", "", false
	}
	person = personOf(r.Subject)
	switch {
	case r.Resource.Type == TypeRoleBinding && r.Relation == "member":
		w, role, scope, parsed := ParseBindingID(r.Resource.ID)
		if !parsed || IsPersonalRole(role) {
			return "", "", "", false
		}
		return w, person, holdingItem(role, scope), true
	case r.Resource.Type == TypeClient && (r.Relation == "shared_with" || r.Relation == "notes_access"):
		w := WorkspaceOf(s, r.Resource)
		kind := GrantShare
		if r.Relation == "notes_access" {
			kind = GrantNotes
		}
		return w, person, kind + ":" + r.Resource.ID, w != ""
	case r.Resource.Type == TypeSwitch && r.Relation == "enabled_for":
		w, name, _ := strings.Cut(r.Resource.ID, "/")
		return w, person, GrantSwitch + ":" + name, true
	}
	return "", "", "", false
}

// withProvenance adds to a plan's changes (touch and del, from before to
// after) who granted each standing grant it makes, and when: a grant new,
// or given again by an event that gives that very grant. A grant that only
// changed (a role's conditions rewritten into its holdings) keeps who
// granted it. An item keeps one record: a new one replaces it.
func withProvenance(before, after *State, touch, del []Relationship, events []Event) ([]Relationship, []Relationship) {
	if len(events) == 0 {
		return touch, del
	}
	by, at := actorID(events[0]), events[0].now().UTC()
	regranted := map[string]bool{} // WORKSPACE/PERSON/ITEM given again by an event
	named := map[string]bool{}     // WORKSPACE/PERSON whose records were read
	for _, e := range events {
		if item := grantedItem(e); item != "" {
			regranted[e.Workspace+"/"+e.User+"/"+item] = true
		}
		if slices.Contains(grantingEvents, e.Type) {
			named[e.Workspace+"/"+e.User] = true
		}
	}
	deleted := map[Relationship]bool{}
	for _, r := range del {
		deleted[r.Key()] = true
	}
	made := map[Relationship]bool{}
	var added []Relationship
	for _, r := range touch {
		ws, person, item, ok := standingItem(after, r)
		if !ok || (before.HasKey(r) && !regranted[ws+"/"+person+"/"+item]) {
			continue
		}
		pv := ProvenanceOf(ws, person, item, by, at)
		if made[pv] {
			continue
		}
		made[pv] = true
		// One record an item: the earlier one goes, where the batch read
		// them (NeedsOf reads the person's records for every event that
		// grants; a grant made otherwise, an owner's role on a transfer,
		// leaves an earlier record beside its own, which is older).
		for _, old := range after.Of(ReviewObject(ws, person), "granted") {
			if !named[ws+"/"+person] {
				break
			}
			if was, ok := provenanceOf(old.Subject); ok && was.Item == item && old != pv && !deleted[old.Key()] {
				deleted[old.Key()] = true
				del = append(del, old)
			}
		}
		if !before.Has(pv) {
			added = append(added, pv)
		}
	}
	return append(touch, added...), del
}

// grantedItem is the standing grant event e gives its user, as an item, or
// "" (it gives none, or none that a review names).
func grantedItem(e Event) string {
	switch e.Type {
	case "staff.added", "role.assigned", "service_account.created":
		if e.Role == "" {
			return ""
		}
		return holdingItem(e.Role, e.scope())
	case "patient.shared":
		return GrantShare + ":" + e.Client
	case "notes_access.granted":
		if e.Client == "" {
			return ""
		}
		return GrantNotes + ":" + e.Client
	case "staff_permission.changed":
		if e.Value != "on" {
			return ""
		}
		return GrantSwitch + ":" + e.Permission
	}
	return ""
}

// holdingItem names a holding of role at scope.
func holdingItem(role, scope string) string {
	if scope == "" {
		return GrantHolding + ":" + role
	}
	return GrantHolding + ":" + role + "@" + scope
}

// APIKeyItem names a service account's key.
func APIKeyItem(id string) string { return GrantAPIKey + ":" + id }

// StandingGrants lists person's standing grants in the practice (those
// that count now or will).
func (p Practice) StandingGrants(person string, now time.Time) []Grant {
	return p.standingGrants(person, now, DelegationsOf(p.S, p.WS), BreakGlassesOf(p.S, p.WS))
}

// standingGrants is StandingGrants with the practice's delegations and
// openings decoded.
func (p Practice) standingGrants(person string, now time.Time, delegations []Delegation, openings []BreakGlass) []Grant {
	var out []Grant
	standing := func(span Span) bool { return span.Always() || span.End().Never() || !span.End().PassedAt(now) }
	times := func(g *Grant, span Span) {
		if ws := span.Windows(); len(ws) > 0 && ws[0].Start.After(now) {
			start := ws[0].Start
			g.StartsAt = &start
		}
		if end := span.End(); !end.Never() {
			t := end.Time()
			g.ExpiresAt = &t
		}
	}
	for _, h := range p.Holdings(person) {
		if IsPersonalRole(h.Role) || !standing(h.Lasts) {
			continue
		}
		g := Grant{Item: holdingItem(h.Role, h.Location), Kind: GrantHolding, Role: h.Role, Location: h.location(), Region: h.region()}
		times(&g, h.Lasts)
		out = append(out, g)
	}
	if !IsServiceAccount(person) {
		for _, r := range p.S.Naming(person, TypeSwitch, "enabled_for") {
			ws, name, _ := strings.Cut(r.Resource.ID, "/")
			if ws != p.WS || !standing(r.Span()) {
				continue
			}
			g := Grant{Item: GrantSwitch + ":" + name, Kind: GrantSwitch, Permission: name}
			times(&g, r.Span())
			out = append(out, g)
		}
		for _, rel := range []string{"shared_with", "notes_access"} {
			for _, r := range p.S.Naming(person, TypeClient, rel) {
				if WorkspaceOf(p.S, r.Resource) != p.WS || !standing(r.Span()) {
					continue
				}
				kind := GrantShare
				if rel == "notes_access" {
					kind = GrantNotes
				}
				g := Grant{Item: kind + ":" + r.Resource.ID, Kind: kind, Client: r.Resource.ID}
				times(&g, r.Span())
				out = append(out, g)
			}
		}
		for _, d := range delegations {
			state := d.StateAt(now)
			if (d.From != person && d.To != person) || (state != DelegationScheduled && state != DelegationActive) {
				continue
			}
			g := Grant{Item: GrantDelegation + ":" + d.ID, Kind: GrantDelegation, Delegation: d.ID, StartsAt: d.StartsAt, ExpiresAt: &d.ExpiresAt,
				GrantedBy: d.GrantedBy, GrantedAt: &d.GrantedAt}
			if d.From == person {
				g.Detail = "lends " + strings.Join(d.Roles, ", ") + " to " + d.To
			} else {
				g.Detail = "acts for " + d.From + " with " + strings.Join(d.Roles, ", ")
			}
			out = append(out, g)
		}
		for _, b := range openings {
			if b.User != person || !b.OpenAt(now) {
				continue
			}
			until, at := b.Until, b.OpenedAt
			out = append(out, Grant{Item: GrantBreakGlass + ":" + b.ID, Kind: GrantBreakGlass, BreakGlass: b.ID, Client: b.Client, ExpiresAt: &until,
				Detail: "emergency access: " + b.Reason, GrantedBy: person, GrantedAt: &at})
		}
	} else {
		sa := strings.TrimPrefix(person, serviceAccountPrefix)
		for _, r := range p.S.WhereIn(TypeAPIKey, p.WS, func(r Relationship) bool {
			return r.Relation == "account" && r.Subject.Type == TypeServiceAccount && r.Subject.ID == sa
		}) {
			parts := strings.Split(r.Resource.ID, "/")
			if len(parts) != 3 || !standing(r.Span()) {
				continue
			}
			g := Grant{Item: APIKeyItem(parts[1]), Kind: GrantAPIKey, Key: parts[1]}
			times(&g, r.Span())
			out = append(out, g)
		}
	}
	given := grantedBy(p.S, p.WS, person)
	for i := range out {
		if pv, ok := given[out[i].Item]; ok && out[i].GrantedAt == nil {
			at := time.Unix(pv.At, 0).UTC()
			out[i].GrantedBy, out[i].GrantedAt = pv.By, &at
		}
	}
	slices.SortStableFunc(out, func(a, b Grant) int {
		return cmp.Or(cmp.Compare(slices.Index(grantKinds, a.Kind), slices.Index(grantKinds, b.Kind)), strings.Compare(a.Item, b.Item))
	})
	return out
}

// lastReview reads person's last review.
func lastReview(s *State, ws, person string) (ReviewRecord, bool) {
	var rec ReviewRecord
	data, ok := textOf(s, ReviewObject(ws, person), "record")
	return rec, ok && json.Unmarshal(data, &rec) == nil
}

// reviewOf is person's access review in the practice at now, with the
// practice's delegations and openings decoded.
func (p Practice) reviewOf(person string, now time.Time, delegations []Delegation, openings []BreakGlass) AccessReview {
	r := AccessReview{Workspace: p.WS, User: person, Grants: p.standingGrants(person, now, delegations, openings)}
	if r.Grants == nil {
		r.Grants = []Grant{}
	}
	if !IsServiceAccount(person) {
		r.Manager = p.ManagerOf(person)
	}
	if p.ReviewEveryDays() > 0 {
		r.Due = p.ReviewDue(person)
		if span := p.S.SpanOf(currentRel(p.WS, person)); !r.Due && !span.End().Never() {
			t := span.End().Time()
			r.DueAt = &t
		}
	}
	if rec, ok := lastReview(p.S, p.WS, person); ok {
		r.LastReview = &rec
	}
	return r
}

// Members lists the practice's people (staff and service accounts), sorted.
func (p Practice) Members() []string {
	var out []string
	for _, m := range p.S.Subjects(p.obj(), "member") {
		out = append(out, personOf(m))
	}
	slices.Sort(out)
	return out
}

// AccessReviewQuery is a page of a practice's access review: every
// person's (User ""), or one's; only those due (Due); after Cursor (a
// person's ID), at most Limit.
type AccessReviewQuery struct {
	User   string
	Due    bool
	Cursor string
	Limit  int
	// Actor, when set ("user:ID"), keeps only the people whose access they
	// may review (review_access: one who reviews access, or their manager).
	Actor string
}

// Check refuses a query whose user is not a person's key, or whose actor
// is not "user:ID".
func (q AccessReviewQuery) Check() error {
	if q.User != "" {
		if err := ValidateID(strings.TrimPrefix(q.User, serviceAccountPrefix)); err != nil {
			return &Error{Code: CodeInvalid, Index: -1, Field: "user", Message: err.Error() + ` (a user's ID, or "service_account:ID")`}
		}
	}
	if q.Actor != "" {
		id, ok := strings.CutPrefix(q.Actor, TypeUser+":")
		if err := ValidateID(id); !ok || err != nil {
			return &Error{Code: CodeInvalid, Index: -1, Field: "actor", Message: fmt.Sprintf(`%q: must name a person as "user:ID", e.g. "user:olivia"`, q.Actor)}
		}
	}
	if q.Cursor != "" {
		if err := ValidateID(strings.TrimPrefix(q.Cursor, serviceAccountPrefix)); err != nil {
			return &Error{Code: CodeInvalid, Index: -1, Field: "cursor", Message: "give back the cursor of the page before, unchanged"}
		}
	}
	return nil
}

// MaxReviewPageGrants bounds the grants one page of an access review lists:
// a page ends before the person who would take it past this many, so it
// holds fewer people than its limit when they hold many grants; a page
// always holds one person, whatever their grants.
const MaxReviewPageGrants = 1000

// FitReviewPage is the first of reviews whose grants stay within
// MaxReviewPageGrants (the first review at least, when there is one), and
// whether it left any out.
func FitReviewPage(reviews []AccessReview) ([]AccessReview, bool) {
	grants := 0
	for i, r := range reviews {
		grants += len(r.Grants)
		if i > 0 && grants > MaxReviewPageGrants {
			return reviews[:i], true
		}
	}
	return reviews, false
}

// AccessReviewPage is the page of people q asks for among people (sorted),
// those kept by keep, after q.Cursor, at most q.Limit, and the next page's
// cursor ("" on the last).
func AccessReviewPage(people []string, q AccessReviewQuery, keep func(string) bool) ([]string, string) {
	if q.Limit < 1 {
		q.Limit = 100
	}
	var out []string
	for _, person := range people {
		if q.Cursor != "" && person <= q.Cursor || q.User != "" && person != q.User || !keep(person) {
			continue
		}
		if len(out) == q.Limit {
			return out, out[len(out)-1]
		}
		out = append(out, person)
	}
	return out, ""
}

// AccessReviewFilters read what a practice's access review needs, but
// clients: the practice, its holdings, switches, reviews, delegations,
// openings, managers and keys.
func AccessReviewFilters(ws string) []Filter {
	return []Filter{
		ByID(workspaceObj(ws)),
		{ResourceType: TypeRoleBinding, ResourceIDPrefix: ws + "/", Relation: "member"},
		ByPrefix(TypeSwitch, ws+"/"),
		ByPrefix(TypeAccessReview, ws+"/"),
		DelegationFilter(ws),
		BreakGlassFilter(ws),
		{ResourceType: TypeStaffMember, ResourceIDPrefix: ws + "/", Relation: "manager"},
		{ResourceType: TypeAPIKey, ResourceIDPrefix: ws + "/", Relation: "account"},
	}
}

// ClientGrantFilters read person's shares and notes access (any practice's:
// Grants keeps those of its own).
func ClientGrantFilters(person string) []Filter {
	sub := userObj(person)
	return []Filter{
		{ResourceType: TypeClient, Relation: "shared_with", SubjectType: sub.Type, SubjectID: sub.ID},
		{ResourceType: TypeClient, Relation: "notes_access", SubjectType: sub.Type, SubjectID: sub.ID},
	}
}

// ReviewQuestion asks whether actor may review person's access.
func ReviewQuestion(ws, person, actor string) Question {
	return Question{Subject: userObj(actor), Permission: "review_access", Resource: reviewOf(ws, person)}
}

// setReviewPolicy sets the practice's review policy to days (0: off):
// everyone's next review falls due days from now, or, for a change of
// days, as many days later or sooner as the policy changed.
func (p *planner) setReviewPolicy(pr Practice, days int, now time.Time) {
	old := pr.ReviewEveryDays()
	for _, s := range p.s.Subjects(pr.obj(), "policy") {
		if strings.HasPrefix(s.ID, reviewPolicy) {
			p.s.Remove(Relationship{Resource: pr.obj(), Relation: "policy", Subject: s})
		}
	}
	if days > 0 {
		p.s.Add(Rel(pr.obj(), "policy", Object{TypePolicy, reviewPolicy + strconv.Itoa(days)}))
	}
	for _, person := range pr.Members() {
		cur, told := currentRel(pr.WS, person), toldRel(pr.WS, person)
		held := p.s.SpanOf(cur)
		had := p.s.HasKey(cur)
		p.s.RemoveKey(cur)
		switch {
		case days == 0:
			p.s.RemoveKey(told)
		case old == 0:
			p.s.RemoveKey(told)
			p.s.Add(cur.Lasting(Until(EndAt(now.AddDate(0, 0, days)))))
		case !had:
			// due already: it stays due until reviewed
		case held.End().Never():
			p.s.Add(cur.Lasting(Until(EndAt(now.AddDate(0, 0, days)))))
		default:
			moved := EndAt(held.End().Time().AddDate(0, 0, days-old))
			if !moved.PassedAt(now) {
				p.s.Add(cur.Lasting(Until(moved)))
			}
		}
	}
}

// reviewJoined starts a person's review period as they join the practice.
func (p *planner) reviewJoined(pr Practice, person string, now time.Time) {
	if days := pr.ReviewEveryDays(); days > 0 {
		p.s.Add(currentRel(pr.WS, person).Lasting(Until(EndAt(now.AddDate(0, 0, days)))))
		p.s.RemoveKey(toldRel(pr.WS, person))
	}
}

// forgetReview takes away what Ward keeps of a person's reviews and grants
// as they leave: whoever later has the same ID starts afresh (the ledger
// keeps the history).
func (p *planner) forgetReview(pr Practice, person string) {
	for _, r := range p.s.Of(ReviewObject(pr.WS, person), "") {
		p.s.Remove(r)
	}
}

// ParseItem reads a grant's item: its kind and what it names.
func ParseItem(item string) (kind, id string, err error) {
	kind, id, ok := strings.Cut(item, ":")
	if !ok || !slices.Contains(grantKinds, kind) {
		return "", "", fmt.Errorf("%q is not a grant: use kind:ID with kind one of %s, as GET /v1/workspaces/{ws}/access-review lists them", item, strings.Join(grantKinds, ", "))
	}
	switch kind {
	case GrantHolding:
		role, scope, at := strings.Cut(id, "@")
		if err := validateName(role); err != nil {
			return "", "", fmt.Errorf("%q: %v", item, err)
		}
		if !at {
			return kind, id, nil
		}
		if r, ok := strings.CutPrefix(scope, regionPrefix+"/"); ok {
			scope = r
		}
		if err := ValidateID(scope); err != nil {
			return "", "", fmt.Errorf("%q: its place (after '@', a location, or region/ID) %v", item, err)
		}
	case GrantSwitch:
		if err := validateName(id); err != nil {
			return "", "", fmt.Errorf("%q: %v", item, err)
		}
	default:
		if err := ValidateID(id); err != nil {
			return "", "", fmt.Errorf("%q: %v", item, err)
		}
	}
	return kind, id, nil
}

// revokeChecks are what a review's revocations need of its actor beyond
// reviewing the person: each grant is ended by someone who could end it
// otherwise (a holding by one who manages the role's holders, a switch by
// one who changes the person's permissions, a delegation by one who may
// revoke it, an opening by one who may close it, a key by one who manages
// the practice's keys). Shares and notes access have no other rule: the
// review's is theirs. A review that revokes every standing grant names them
// (ResolveReviews) before these are asked.
func revokeChecks(i int, e Event) []ActorCheck {
	if e.Outcome != ReviewRevoke {
		return nil
	}
	actor, err := actorPerson(i, e)
	if err != nil {
		return nil // the review's own check says so
	}
	var out []ActorCheck
	ask := func(permission string, res Object, item, why string) {
		out = append(out, ActorCheck{Question: Question{Subject: userObj(actor), Permission: permission, Resource: res},
			Refused: fmt.Sprintf("%s may not revoke %s in a review of %s: %s", e.Actor, item, e.User, why)})
	}
	for _, item := range e.Items {
		kind, id, err := ParseItem(item)
		if err != nil {
			continue // refused as the event was read
		}
		switch kind {
		case GrantHolding:
			role, _, _ := strings.Cut(id, "@")
			ask("manage_holders", roleObj(e.Workspace, role), item, "it needs role#manage_holders (a guarded role's: the account owner or its own workspace-wide holders)")
		case GrantSwitch:
			ask("change_permissions", Object{TypeStaffMember, StaffMemberID(e.Workspace, e.User)}, item, "it needs staff_member#change_permissions")
		case GrantDelegation:
			ask("revoke", DelegationObject(e.Workspace, id), item, "it needs delegation#revoke (its lender, its delegate, or the account owner)")
		case GrantBreakGlass:
			ask("close", BreakGlassObject(e.Workspace, id), item, "it needs break_glass#close (its opener, or one who reviews access)")
		case GrantAPIKey:
			ask("manage_api_keys", workspaceObj(e.Workspace), item, "it needs workspace#manage_api_keys (the account owner, or a role granted api_keys edit)")
		}
	}
	return out
}

// ResolveReviews names, in each access.reviewed that revokes every standing
// grant, the grants it revokes: those of its person standing in grants
// (read by the service), so that the actor is asked about each
// (revokeChecks) and the ledger records them. More than MaxReviewItems is a
// conflict: such a review names them, in several.
func ResolveReviews(events []Event, grants func(ws, person string) ([]Grant, error)) ([]Event, error) {
	out := slices.Clone(events)
	for i, e := range out {
		if e.Type != "access.reviewed" || e.Outcome != ReviewRevoke || len(e.Items) > 0 {
			continue
		}
		standing, err := grants(e.Workspace, e.User)
		if err != nil {
			return nil, err
		}
		if len(standing) > MaxReviewItems {
			return nil, fieldErr(CodeConflict, i, "items", "%s holds %d standing grants, and a review revokes at most %d at once: name them in items, over several reviews", e.User, len(standing), MaxReviewItems)
		}
		for _, g := range standing {
			out[i].Items = append(out[i].Items, g.Item)
		}
	}
	return out, nil
}

// ReviewsToResolve reports whether events hold a review that revokes every
// standing grant (ResolveReviews).
func ReviewsToResolve(events []Event) bool {
	return slices.ContainsFunc(events, func(e Event) bool {
		return e.Type == "access.reviewed" && e.Outcome == ReviewRevoke && len(e.Items) == 0
	})
}

// reviewAllLinks are what a review revoking every standing grant, not
// named yet (ResolveReviews names them), reads of its person: their notes
// access, shares and open emergency openings.
var reviewAllLinks = append(slices.Clone(notesLinks), Link{TypeClient, "shared_with"}, Link{TypeBreakGlass, "holder"})

// linksOf are the links planning e reads of its user.
func linksOf(e Event) []Link {
	if e.Type == "access.reviewed" && e.Outcome == ReviewRevoke && len(e.Items) == 0 {
		return reviewAllLinks
	}
	return EventTypes[e.Type].Links
}

// aboutReviewed is the object whose review_access an access.reviewed asks.
func aboutReviewed(e Event) (Object, string) { return reviewOf(e.Workspace, e.User), e.User }

// accessReviewed records a review of e.User's access by the actor: kept,
// or the grants named (every standing one, when none is) revoked, in the
// same write; their next review falls due the policy's days from now.
func (p *planner) accessReviewed(i int, pr Practice, e Event) error {
	if !pr.IsMember(e.User) {
		return fieldErr(CodeInvalid, i, "user", "%q is not staff or a service account of workspace %q", e.User, pr.WS)
	}
	if e.Outcome == ReviewKeep && len(e.Items) > 0 {
		return fieldErr(CodeInvalid, i, "items", "names grants to revoke, and outcome keep revokes nothing: send outcome revoke, or leave items out")
	}
	now := e.now().UTC().Truncate(time.Second)
	actor := actorID(e)
	rec := ReviewRecord{At: now, By: actor, Outcome: e.Outcome, Note: e.Remark}
	if e.Outcome == ReviewRevoke {
		standing := map[string]Grant{}
		var all []string
		for _, g := range pr.StandingGrants(e.User, now) {
			standing[g.Item] = g
			all = append(all, g.Item)
		}
		items := e.Items
		if len(items) == 0 {
			items = all
		}
		if len(items) > MaxReviewItems {
			return fieldErr(CodeConflict, i, "items", "%s holds %d standing grants, and a review revokes at most %d at once: name them in items, over several reviews", e.User, len(items), MaxReviewItems)
		}
		for _, item := range items {
			g, ok := standing[item]
			if !ok {
				return fieldErr(CodeConflict, i, "items", "%s is not a standing grant of %s in workspace %q: it may have ended or been revoked already (GET /v1/workspaces/%s/access-review?user=%s lists theirs)", item, e.User, pr.WS, pr.WS, e.User)
			}
			if err := p.revokeGrant(i, pr, e, g, now); err != nil {
				return err
			}
			rec.Revoked = append(rec.Revoked, item)
		}
	}
	obj := ReviewObject(pr.WS, e.User)
	for _, r := range p.s.Of(obj, "record") {
		p.s.Remove(r)
	}
	// Who granted what no longer stands goes with the review (the ledger
	// keeps it): grants revoked, and holdings, switches, keys and notes
	// access that ended (a review reads all of those; a share that ended
	// goes when the person is shared it again, or removed).
	kept, revoked := map[string]bool{}, map[string]bool{}
	for _, g := range pr.StandingGrants(e.User, now) {
		kept[g.Item] = true
	}
	for _, item := range rec.Revoked {
		revoked[item] = true
	}
	for _, r := range p.s.Of(obj, "granted") {
		pv, ok := provenanceOf(r.Subject)
		kind, _, _ := strings.Cut(pv.Item, ":")
		if !ok || revoked[pv.Item] || !kept[pv.Item] && kind != GrantShare {
			p.s.Remove(r)
		}
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	for _, r := range textRels(obj, "record", data) {
		p.s.Add(r)
	}
	p.s.RemoveKey(toldRel(pr.WS, e.User))
	if days := pr.ReviewEveryDays(); days > 0 {
		p.s.Add(currentRel(pr.WS, e.User).Lasting(Until(EndAt(now.AddDate(0, 0, days)))))
	}
	people := []string{pr.Owner()}
	if !IsServiceAccount(e.User) {
		people = append(people, e.User)
	}
	// The clients whose shares, notes access or openings it ended: their
	// records' audit trail holds the review.
	var clients []string
	for _, item := range rec.Revoked {
		if kind, id, _ := ParseItem(item); (kind == GrantShare || kind == GrantNotes) && !slices.Contains(clients, id) {
			clients = append(clients, id)
		}
	}
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{e.User}, Clients: clients}, pr, people...)
	return nil
}

// revokeGrant ends one standing grant g of e.User, as the events that end
// such grants do, by the reviewer.
func (p *planner) revokeGrant(i int, pr Practice, e Event, g Grant, now time.Time) error {
	sub := Event{Workspace: e.Workspace, User: e.User, Actor: e.Actor, Received: e.Received}
	switch g.Kind {
	case GrantHolding:
		// As role.revoked, without asking again that the role and its
		// place exist: the holding does.
		scope := g.Location
		if g.Region != "" {
			scope = RegionScope(g.Region)
		}
		held := ownerRoleHeld(pr, e.User, p.now)
		p.s.RemoveKey(Rel(Object{TypeRoleBinding, BindingID(pr.WS, g.Role, scope)}, "member", userObj(e.User)))
		if err := p.ownerStands(i, pr, e.User, held); err != nil {
			return err
		}
		p.holdingsChanged(pr, g.Role, e.User)
		return nil
	case GrantSwitch:
		preset := Presets[pr.Preset()]
		if preset != nil && slices.ContainsFunc(pr.Holdings(e.User), func(h Holding) bool { return h.Role == preset.SwitchRole || h.Role == preset.AdminRole }) {
			sub.Type, sub.Permission, sub.Value = "staff_permission.changed", g.Permission, "off"
			return p.staffPermissionChanged(i, pr, sub)
		}
		// A switch left on after its role went (it comes back with the
		// role) is switched off all the same.
		p.s.RemoveKey(Rel(switchObj(pr.WS, g.Permission), "enabled_for", userObj(e.User)))
		if preset != nil {
			p.applySwitches(pr, preset, e.User)
		}
		return nil
	case GrantShare:
		sub.Type, sub.Client = "patient.unshared", g.Client
		return p.patientShare(i, pr, sub)
	case GrantNotes:
		sub.Type, sub.Client = "notes_access.revoked", g.Client
		return p.notesAccess(i, pr, sub)
	case GrantDelegation:
		obj := DelegationObject(pr.WS, g.Delegation)
		d, _ := DelegationOf(p.s, obj)
		p.notify(Notice{Type: "delegation.revoked", Index: i, Users: []string{d.From, d.To}}, pr, d.From, d.To)
		return p.endDelegation(obj, d, DelegationRevoked, actorID(e), "", now)
	case GrantBreakGlass:
		obj := BreakGlassObject(pr.WS, g.BreakGlass)
		b, _ := BreakGlassOf(p.s, obj)
		return p.endOpening(i, pr, obj, b, now, actorID(e))
	case GrantAPIKey:
		for _, r := range p.s.WhereIn(TypeAPIKey, pr.WS, func(r Relationship) bool {
			parts := strings.Split(r.Resource.ID, "/")
			return r.Relation == "account" && len(parts) == 3 && parts[1] == g.Key
		}) {
			p.s.Remove(r)
		}
		return nil
	}
	return fieldErr(CodeInvalid, i, "items", "%s cannot be revoked in a review", g.Item)
}

// reviewTargets are the objects an access.reviewed names in its items,
// which planning it reads whole.
func reviewTargets(e Event) []Object {
	var out []Object
	for _, item := range e.Items {
		kind, id, err := ParseItem(item)
		if err != nil {
			continue
		}
		switch kind {
		case GrantShare, GrantNotes:
			out = append(out, Object{TypeClient, id})
		case GrantDelegation:
			out = append(out, DelegationObject(e.Workspace, id))
		case GrantBreakGlass:
			out = append(out, BreakGlassObject(e.Workspace, id))
		}
	}
	return out
}

// DueReview is the people of one practice whose review fell due and who
// were not told yet, and whom to tell: the account owner and their
// managers.
type DueReview struct {
	Workspace string   `json:"workspace"`
	Users     []string `json:"users"`
	Notify    []string `json:"notify"`
}

// MaxToldPerSweep bounds the people of one practice one sweep tells of
// (each is a precondition of its write); the next sweep tells the rest.
const MaxToldPerSweep = 200

// CurrentOf is the relationship that says a review is not due, of the
// person whose told relationship is told.
func CurrentOf(ws string, told Relationship) Relationship {
	return Rel(told.Resource, "current", workspaceObj(ws))
}

// ClientsOf reads which clients practice ws has.
func ClientsOf(ws string) Filter {
	return Filter{ResourceType: TypeClient, Relation: "workspace", SubjectType: TypeWorkspace, SubjectID: ws}
}

// ReviewsOf is the access review of each of people at now (their grants'
// delegations and openings decoded once).
func (p Practice) ReviewsOf(people []string, now time.Time) []AccessReview {
	delegations, openings := DelegationsOf(p.S, p.WS), BreakGlassesOf(p.S, p.WS)
	out := make([]AccessReview, 0, len(people))
	for _, person := range people {
		out = append(out, p.reviewOf(person, now, delegations, openings))
	}
	return out
}

// DueReviewsOf finds practice ws's reviews due and not told, at most most,
// in s (read with ReviewSweepFilters), and the relationships that mark them
// told.
func DueReviewsOf(s *State, ws string, most int) (DueReview, []Relationship) {
	pr := Practice{S: s, WS: ws}
	due := DueReview{Workspace: ws}
	var told []Relationship
	tell := func(u string) {
		if u != "" && !slices.Contains(due.Notify, u) {
			due.Notify = append(due.Notify, u)
		}
	}
	tell(pr.Owner())
	for _, person := range pr.Members() {
		if len(told) == most {
			break
		}
		if pr.ReviewDue(person) && !s.HasKey(toldRel(ws, person)) {
			due.Users = append(due.Users, person)
			told = append(told, toldRel(ws, person))
			if !IsServiceAccount(person) {
				tell(pr.ManagerOf(person))
			}
		}
	}
	return due, told
}

// ReviewPolicies reads which practices have a review policy (across every
// practice: one read).
func ReviewPolicies() Filter {
	return Filter{ResourceType: TypeWorkspace, Relation: "policy", SubjectType: TypePolicy}
}

// ReviewPolicyDays reads a practice's review policy from one of its policy
// relationships (0 when it is another policy).
func ReviewPolicyDays(r Relationship) int { return daysOf(r.Subject.ID, reviewPolicy) }

// ReviewSweepFilters read what finding practice ws's due reviews needs:
// its owner, people and policies, when each review falls due and whether
// that was told, and managers. The practice's write lock, which the sweep's
// write holds, is read first (LockFilter), and these at its revision.
func ReviewSweepFilters(ws string) []Filter {
	return []Filter{
		{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "owner"},
		{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "member"},
		{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "policy"},
		{ResourceType: TypeAccessReview, ResourceIDPrefix: ws + "/", Relation: "current"},
		{ResourceType: TypeAccessReview, ResourceIDPrefix: ws + "/", Relation: "told"},
		{ResourceType: TypeStaffMember, ResourceIDPrefix: ws + "/", Relation: "manager"},
	}
}

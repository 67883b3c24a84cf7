package domain

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Access requests ("just-in-time access: request temporary elevated
// permissions", "approval workflows: staff request → manager → admin",
// seed 004). A staff member asks for a role for a while
// (access.requested, as the actor); the request is an access_request
// object of the practice (WORKSPACE/ID) that waits, by its step relation,
// for the approval the schema allows: one (access_request#approve: a
// holder of approve_access, or the requester's manager if they may give
// the role), or, under a policy
// of two, the manager's and then another's who holds approve_access. The
// requester never decides it. Approved, it becomes an ordinary holding of
// the role, from the approval for the minutes asked: it ends by itself, as
// every holding with an end does. Its record (role, reason, times,
// decisions) is JSON kept in ward_text IDs, as an opening's is.

const (
	// DecideApprove and DecideDeny are an access request's permissions'
	// decisions (Permission.Decision).
	DecideApprove = "approve"
	DecideDeny    = "deny"
	// DecideConsume is the requester's using a one-time grant up.
	DecideConsume = "consume"
	// MaxOnceGrants is the most unused one-time grants a check that
	// consumes tries, for one person.
	MaxOnceGrants = 16
	// MaxWaitingRequests is the most requests one person may have waiting
	// in a practice: each is a decision someone owes, and removing the
	// person cancels them all in one write.
	MaxWaitingRequests = 20
	// MaxAccessMinutes is the longest an approved request lasts: a week.
	// Longer access is a holding given by someone who may (role.assigned
	// with expires_at).
	MaxAccessMinutes = 7 * 24 * 60
	// MaxApprovals is the most approvals a policy may require.
	MaxApprovals = 2
)

// Access request states.
const (
	RequestPending   = "pending"
	RequestApproved  = "approved"
	RequestDenied    = "denied"
	RequestCancelled = "cancelled"
	// RequestExpired is a pending request whose expires_at has passed: no
	// one can approve it any more (deny it to close it). It is a state of
	// the request now, not a decision.
	RequestExpired = "expired"
	RequestAll     = "all"
)

// RequestStates are the states a list of requests may ask for.
var RequestStates = []string{RequestPending, RequestApproved, RequestDenied, RequestCancelled, RequestExpired, RequestAll}

// At is r as it stands at now: pending past its expires_at is expired.
func (r AccessRequest) At(now time.Time) AccessRequest {
	if r.State == RequestPending && r.ExpiresAt != nil && !now.Before(*r.ExpiresAt) {
		r.State = RequestExpired
	}
	return r
}

// The step relations of a waiting request: one approval, the manager's
// first of two, another's second.
const (
	stepAny     = "any_step"
	stepManager = "manager_step"
	stepAdmin   = "admin_step"
)

var requestSteps = []string{stepAny, stepManager, stepAdmin}

// AccessRequest is one request for a role, as its relationships tell it.
type AccessRequest struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	// User asked, for themselves.
	User string `json:"user"`
	requestRecord
}

// requestRecord is what a request's record keeps beyond its
// relationships.
type requestRecord struct {
	Role     string `json:"role"`
	Location string `json:"location,omitempty"`
	Reason   string `json:"reason"`
	// Minutes is how long an approval gives the role (or, when 0, until
	// ExpiresAt).
	Minutes   int        `json:"minutes,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Approvals is how many approvals it needs (the policy's when asked).
	Approvals   int               `json:"approvals_required"`
	RequestedAt time.Time         `json:"requested_at"`
	State       string            `json:"state"`
	Decisions   []RequestDecision `json:"decisions,omitempty"`
	// Until is when the holding an approval gave ends.
	Until *time.Time `json:"until,omitempty"`
	// Once: the approval gives a one-time grant, which only a check made
	// with consume counts, and uses up (UsedAt).
	Once   bool       `json:"once,omitempty"`
	UsedAt *time.Time `json:"used_at,omitempty"`
}

// RequestDecision is one person's decision on a request: approved (at step
// manager or approver) or denied; or, by Ward, cancelled when the
// requester was removed.
type RequestDecision struct {
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at"`
	Outcome string    `json:"outcome"`
	Step    string    `json:"step,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

// AccessRequestObject is the object of request id in practice ws.
func AccessRequestObject(ws, id string) Object { return Object{TypeAccessRequest, ws + "/" + id} }

// AccessRequestFilter selects every request of practice ws.
func AccessRequestFilter(ws string) Filter { return ByPrefix(TypeAccessRequest, ws+"/") }

// AccessRequestOf reads request obj from s; false when s has no such
// request.
func AccessRequestOf(s *State, obj Object) (AccessRequest, bool) {
	var r AccessRequest
	ws, id, ok := recordOf(s, obj, &r.requestRecord)
	if !ok {
		return AccessRequest{}, false
	}
	r.ID, r.Workspace, r.User = id, ws, firstSubject(s, obj, "requester")
	return r, true
}

// AccessRequestsOf reads every request of practice ws in s, oldest first.
func AccessRequestsOf(s *State, ws string) []AccessRequest {
	return recordsOf(s, TypeAccessRequest, ws, AccessRequestOf, func(a, b AccessRequest) int {
		return cmp.Or(a.RequestedAt.Compare(b.RequestedAt), strings.Compare(a.ID, b.ID))
	})
}

// AccessRequestQuery asks for one page of a practice's requests: those in
// State (RequestStates; "" for all), asked by User when given, after
// Cursor (a request's ID: the page before's last), at most Limit.
type AccessRequestQuery struct {
	State, User, Cursor string
	Limit               int
}

// Check refuses a query that names no known state, or a person by
// something that is not an ID.
func (q AccessRequestQuery) Check() error {
	return checkList(q.State, RequestStates, map[string]string{"user": q.User})
}

// AccessRequestPage is the page of all (oldest first) that q (Checked)
// asks for, each as it stands at now, and the next page's cursor ("" on
// the last).
func AccessRequestPage(all []AccessRequest, q AccessRequestQuery, now time.Time) ([]AccessRequest, string, error) {
	state := cmp.Or(q.State, RequestAll)
	for i := range all {
		all[i] = all[i].At(now)
	}
	return pageOf(all, func(r AccessRequest) string { return r.ID }, func(r AccessRequest) bool {
		return (state == RequestAll || r.State == state) && (q.User == "" || r.User == q.User)
	}, q.Cursor, q.Limit, "request")
}

// approvalsPolicy is the prefix of a two-approvals policy's ward_policy ID.
const approvalsPolicy = "approvals_required/"

// ApprovalsRequired is how many approvals the practice's requests for
// access need: 1 unless a policy says 2.
func (p Practice) ApprovalsRequired() int {
	for _, s := range p.S.Subjects(p.obj(), "policy") {
		if n, ok := strings.CutPrefix(s.ID, approvalsPolicy); ok {
			if v, err := strconv.Atoi(n); err == nil && v >= 1 && v <= MaxApprovals {
				return v
			}
		}
	}
	return 1
}

// setApprovals records the practice's policy of n approvals (1 is the
// default, kept as no policy).
func (p *planner) setApprovals(pr Practice, n int) {
	for _, s := range p.s.Subjects(pr.obj(), "policy") {
		if strings.HasPrefix(s.ID, approvalsPolicy) {
			p.s.Remove(Relationship{Resource: pr.obj(), Relation: "policy", Subject: s})
		}
	}
	if n > 1 {
		p.s.Add(Rel(pr.obj(), "policy", Object{TypePolicy, approvalsPolicy + strconv.Itoa(n)}))
	}
}

// ManagerOf is user's manager in practice p, or "".
func (p Practice) ManagerOf(user string) string {
	return firstSubject(p.S, Object{TypeStaffMember, StaffMemberID(p.WS, user)}, "manager")
}

// setRequestRecord writes r's record, replacing the one obj had.
func (p *planner) setRequestRecord(obj Object, r AccessRequest) error {
	return p.setRecordOf(obj, r.requestRecord)
}

// everyUser is the subject of a step relation (user:*): only people decide.
var everyUser = Subject{Type: TypeUser, ID: "*"}

func (p *planner) setStep(obj Object, step string) {
	for _, s := range requestSteps {
		p.s.Remove(Relationship{Resource: obj, Relation: s, Subject: everyUser})
	}
	if step != "" {
		p.s.Add(Relationship{Resource: obj, Relation: step, Subject: everyUser})
	}
}

// requestable refuses a role user may not be given by a request in pr:
// one unknown, or at an unknown place; a guarded one (a fixed preset role,
// or one whose holders are never disabled: changing foundational access is
// the owner's, with role.assigned); one they hold there already.
func (p *planner) requestable(i int, pr Practice, field string, user string, r requestRecord) error {
	e := Event{Role: r.Role, Location: r.Location}
	if err := p.requireRoleScope(i, pr, e); err != nil {
		if err, ok := err.(*Error); ok && field != "" {
			// At a decision, the request's role or place is gone: what the
			// practice's state refuses, answered after the actor question.
			err.Field, err.Code = field, CodeConflict
		}
		return err
	}
	if pr.RoleGuarded(r.Role) {
		return fieldErr(CodeConflict, i, cmp.Or(field, "role"), "role %q is guarded (fixed by the preset, or its holders are never disabled): it is not given for a while on request; the account owner gives it with role.assigned", r.Role)
	}
	if slices.ContainsFunc(pr.Holdings(user), func(h Holding) bool {
		return h.Role == r.Role && h.Location == r.Location && !h.Lasts.End().PassedAt(p.now)
	}) {
		return fieldErr(CodeConflict, i, cmp.Or(field, "role"), "%s holds %s %s already: there is nothing to ask for (a request gives the role afresh, and would cut that holding short)", user, r.Role, placeText(r.Location))
	}
	return nil
}

// sameTime reports whether two optional times are both absent or equal.
func sameTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

func placeText(loc string) string {
	if loc == "" {
		return "workspace-wide"
	}
	return "at location " + loc
}

func (p *planner) accessRequested(i int, pr Practice, e Event) error {
	obj := AccessRequestObject(pr.WS, e.Request)
	rec := requestRecord{Role: e.Role, Location: e.Location, Reason: e.Reason, Minutes: e.Minutes, Once: e.Once}
	now := e.now().UTC().Truncate(time.Second)
	if !e.ExpiresAt.Never() {
		end := e.ExpiresAt.Time().UTC()
		rec.ExpiresAt = &end
	}
	if rec.ExpiresAt != nil {
		if most := now.Add(MaxAccessMinutes * time.Minute); rec.ExpiresAt.After(most) {
			return fieldErr(CodeInvalid, i, "expires_at", "%s is more than %d minutes (a week) away (at most %s): longer access is a holding given with role.assigned", rec.ExpiresAt.Format(time.RFC3339), MaxAccessMinutes, most.Format(time.RFC3339))
		}
	}
	if old, ok := AccessRequestOf(p.s, obj); ok {
		same := old.User == e.User && old.Role == rec.Role && old.Location == rec.Location && old.Reason == rec.Reason && old.Minutes == rec.Minutes && sameTime(old.ExpiresAt, rec.ExpiresAt) && old.Once == rec.Once
		if same && old.State == RequestCancelled {
			return fieldErr(CodeConflict, i, "request", "access request %q was cancelled (%s): ask again under a new id", e.Request, old.Decisions[len(old.Decisions)-1].Reason)
		}
		if same {
			return nil // the same request sent again
		}
		return fieldErr(CodeConflict, i, "request", "access request %q already exists in workspace %q: give each request its own id", e.Request, pr.WS)
	}
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	if err := p.requestable(i, pr, "", e.User, rec); err != nil {
		return err
	}
	n := 0 // waiting, and not past the end they asked for
	for _, r := range p.links(pr, e.User, waitingLink) {
		if w, ok := AccessRequestOf(p.s, r.Resource); !ok || w.At(p.now).State == RequestPending {
			n++
		}
	}
	if n >= MaxWaitingRequests {
		return fieldErr(CodeConflict, i, "request", "%s has %d requests waiting in workspace %q, the most one person may: wait for them to be decided (or denied) before asking again", e.User, n, pr.WS)
	}
	rec.Approvals = pr.ApprovalsRequired()
	manager := pr.ManagerOf(e.User)
	step := stepAny
	if rec.Approvals == 2 {
		if manager == "" {
			return fieldErr(CodeConflict, i, "user", "%s has no manager, and workspace %q's policy needs two approvals, the first their manager's: set one with staff.manager_set first", e.User, pr.WS)
		}
		step = stepManager
	}
	rec.RequestedAt, rec.State = now, RequestPending
	p.s.Add(Rel(obj, "workspace", pr.obj()))
	p.s.Add(Rel(obj, "staff", Object{TypeStaffMember, StaffMemberID(pr.WS, e.User)}))
	p.s.Add(Rel(obj, "requester", userObj(e.User)))
	p.s.Add(Rel(obj, "role", roleObj(pr.WS, e.Role)))
	p.s.Add(Rel(obj, "waiting", userObj(e.User)))
	p.setStep(obj, step)
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{e.User}}, pr, manager, pr.Owner())
	return p.setRequestRecord(obj, AccessRequest{requestRecord: rec})
}

// requestOf reads the request an event names, or says it is unknown.
func (p *planner) requestOf(i int, pr Practice, e Event) (Object, AccessRequest, error) {
	obj := AccessRequestObject(pr.WS, e.Request)
	r, ok := AccessRequestOf(p.s, obj)
	if !ok {
		return obj, r, fieldErr(CodeInvalid, i, "request", "unknown access request %q in workspace %q", e.Request, pr.WS)
	}
	if e.Type != "access.requested" && r.User != e.User {
		// ResolveEvents names the requester, whose access the step reads.
		return obj, r, fieldErr(CodeInvalid, i, "request", "access request %q was not resolved to its requester (%q): send the step to Ward's API", e.Request, r.User)
	}
	return obj, r, nil
}

// decided answers a decision on a request no longer waiting: the same
// decision by the same person again changes nothing; any other is a
// conflict.
func decided(i int, e Event, r AccessRequest, outcome string) error {
	if n := len(r.Decisions); n > 0 {
		last := r.Decisions[n-1]
		if last.By == actorID(e) && last.Outcome == outcome && last.Reason == e.Reason {
			return nil
		}
	}
	what := r.State
	if n := len(r.Decisions); n > 0 && r.Decisions[n-1].By != "" {
		what += " by " + r.Decisions[n-1].By
	}
	return fieldErr(CodeConflict, i, "request", "access request %q was %s already: a decision is not changed", r.ID, what)
}

func (p *planner) accessApproved(i int, pr Practice, e Event) error {
	obj, r, err := p.requestOf(i, pr, e)
	if err != nil {
		return err
	}
	if r.State != RequestPending {
		return decided(i, e, r, RequestApproved)
	}
	now := e.now().UTC().Truncate(time.Second)
	if r.At(now).State == RequestExpired { // at either step
		return fieldErr(CodeConflict, i, "request", "access request %q asked for %s until %s, which has passed: deny it, and ask again", r.ID, r.Role, r.ExpiresAt.Format(time.RFC3339))
	}
	actor := actorID(e)
	if actor == r.User || actor == firstSubject(p.s, obj, "first_approver") {
		// The schema refuses them too; two steps sent in one request are
		// refused by ActorChecks before they get here.
		return fieldErr(CodeConflict, i, "actor", "%s may not approve access request %q: the requester never does, nor the first approver a second time", e.Actor, r.ID)
	}
	// What would refuse the final approval refuses the first too: the
	// requester must still be enabled staff who may be given the role.
	switch {
	case !pr.IsMember(r.User):
		return fieldErr(CodeConflict, i, "request", "%s, who asked, is no longer staff of workspace %q", r.User, pr.WS)
	case pr.IsDisabled(r.User), pr.IsLapsed(r.User):
		return fieldErr(CodeConflict, i, "request", "%s, who asked, is disabled (or lapsed under the inactivity policy) in workspace %q: enable them first, or deny the request", r.User, pr.WS)
	}
	if err := p.requestable(i, pr, "request", r.User, r.requestRecord); err != nil {
		return err
	}
	d := RequestDecision{By: actor, At: now, Outcome: RequestApproved, Reason: e.Reason, Step: "approver"}
	if p.s.HasKey(Relationship{Resource: obj, Relation: stepManager, Subject: everyUser}) {
		// The first of two: the manager's; the request waits for another's.
		d.Step = "manager"
		r.Decisions = append(r.Decisions, d)
		p.setStep(obj, stepAdmin)
		p.s.Add(Rel(obj, "first_approver", userObj(actor)))
		p.notify(Notice{Type: e.Type, Index: i, Users: []string{r.User}}, pr, r.User, pr.Owner())
		return p.setRequestRecord(obj, r)
	}
	until := now.Add(time.Duration(r.Minutes) * time.Minute)
	if r.ExpiresAt != nil {
		until = *r.ExpiresAt // not passed: an expired request was refused above
	}
	lasts := Until(EndAt(until))
	if r.Once {
		// Only a check that consumes it counts it (Given.Consume), and the
		// requester may use it while it is unused.
		lasts, _ = Intersect(lasts, CondSpan(Cond{Once: []string{obj.ID}}))
		unused := Rel(obj, "unused", userObj(r.User))
		unused.Expires = EndAt(until)
		p.s.Add(unused)
	}
	p.hold(pr, r.Role, r.Location, r.User, lasts)
	p.holdingsChanged(pr, r.Role, r.User)
	r.State, r.Until = RequestApproved, &until
	r.Decisions = append(r.Decisions, d)
	p.closeRequest(obj, r.User)
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{r.User}}, pr, r.User)
	return p.setRequestRecord(obj, r)
}

func (p *planner) accessDenied(i int, pr Practice, e Event) error {
	obj, r, err := p.requestOf(i, pr, e)
	if err != nil {
		return err
	}
	if r.State != RequestPending {
		return decided(i, e, r, RequestDenied)
	}
	r.State = RequestDenied
	r.Decisions = append(r.Decisions, RequestDecision{By: actorID(e), At: e.now().UTC().Truncate(time.Second), Outcome: RequestDenied, Reason: e.Reason})
	p.closeRequest(obj, r.User)
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{r.User}}, pr, r.User)
	return p.setRequestRecord(obj, r)
}

// accessConsumed uses up the one-time grant of an approved request, as
// its requester (the actor), whom a check made with consume found allowed
// by it: the holding goes, unless a later event replaced it.
func (p *planner) accessConsumed(i int, pr Practice, e Event) error {
	obj, r, err := p.requestOf(i, pr, e)
	if err != nil {
		return err
	}
	unused := Rel(obj, "unused", userObj(r.User))
	if !r.Once || r.State != RequestApproved || !p.s.HasKey(unused) {
		return fieldErr(CodeConflict, i, "request", "access request %q gives no one-time grant left to use: it was not for once, is not approved, was used already, or has ended", r.ID)
	}
	p.s.RemoveKey(unused)
	binding := Rel(Object{TypeRoleBinding, BindingID(pr.WS, r.Role, r.Location)}, "member", userObj(r.User))
	if slices.ContainsFunc(p.s.SpanOf(binding).Conds(), func(c Cond) bool { return slices.Contains(c.Once, obj.ID) }) {
		p.s.RemoveKey(binding)
		p.holdingsChanged(pr, r.Role, r.User)
	}
	now := e.now().UTC().Truncate(time.Second)
	r.UsedAt = &now
	return p.setRequestRecord(obj, r)
}

// cancelRequestsOf cancels user's requests still waiting in pr (they are
// removed: whoever is later added under their ID must not be given what
// they asked for).
func (p *planner) cancelRequestsOf(pr Practice, user string, now time.Time) error {
	return p.cancelRequests(p.links(pr, user, waitingLink), now, "the requester was removed")
}

// cancelRequests cancels the requests of rels (relationships of theirs)
// still waiting, saying why.
func (p *planner) cancelRequests(rels []Relationship, now time.Time, why string) error {
	for _, rel := range rels {
		r, ok := AccessRequestOf(p.s, rel.Resource)
		if !ok || r.State != RequestPending {
			continue
		}
		r.State = RequestCancelled
		r.Decisions = append(r.Decisions, RequestDecision{At: now, Outcome: RequestCancelled, Reason: why})
		p.closeRequest(rel.Resource, r.User)
		if err := p.setRequestRecord(rel.Resource, r); err != nil {
			return err
		}
	}
	return nil
}

// syncUnused keeps user's unused one-time grants in pr to those a holding
// of theirs still carries: a grant whose holding was revoked, replaced or
// removed with them can never be used (nor by whoever is later added under
// their ID).
func (p *planner) syncUnused(pr Practice, user string) {
	carried := map[string]bool{}
	for _, h := range pr.Holdings(user) {
		for _, c := range h.Lasts.Conds() {
			for _, o := range c.Once {
				carried[o] = true
			}
		}
	}
	for _, r := range p.s.Naming(user, TypeAccessRequest, "unused") {
		if strings.HasPrefix(r.Resource.ID, pr.WS+"/") && !carried[r.Resource.ID] {
			p.s.Remove(r)
		}
	}
}

// waitingLink names the requester of a request that waits: asking again,
// and removing them, read those.
var waitingLink = Link{TypeAccessRequest, "waiting"}

// closeRequest ends obj's waiting (it was decided or cancelled): no step
// is left to take, and neither its requester's count of waiting requests
// nor its role's deletion reads it any more.
func (p *planner) closeRequest(obj Object, requester string) {
	p.setStep(obj, "")
	p.s.Remove(Rel(obj, "waiting", userObj(requester)))
	for _, r := range p.s.Of(obj, "role") {
		p.s.Remove(r)
	}
}

// managerLink names a staff member's manager.
var managerLink = Link{TypeStaffMember, "manager"}

// staffManager sets (staff.manager_set) or clears (staff.manager_cleared)
// user's manager: a member of the practice other than them, never one who
// is, at any remove, managed by them.
func (p *planner) staffManager(i int, pr Practice, e Event) error {
	staff := Object{TypeStaffMember, StaffMemberID(pr.WS, e.User)}
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	if e.Type == "staff.manager_cleared" {
		if m := pr.ManagerOf(e.User); m != e.Manager {
			if m == "" {
				return fieldErr(CodeConflict, i, "manager", "%s has no manager to clear", e.User)
			}
			return fieldErr(CodeConflict, i, "manager", "%s is not %s's manager (%s is)", e.Manager, e.User, m)
		}
		p.s.Remove(Rel(staff, "manager", userObj(e.Manager)))
		return nil
	}
	if e.Manager == e.User {
		return fieldErr(CodeConflict, i, "manager", "%s cannot manage themselves: their requests are decided by someone else", e.User)
	}
	if e.User == pr.Owner() {
		return fieldErr(CodeConflict, i, "user", "%s is the account owner, who has no manager in the practice: a manager reviews their reports' access and decides their requests", e.User)
	}
	if err := p.requireMember(i, pr, "manager", e.Manager); err != nil {
		return err
	}
	seen := map[string]bool{e.User: true}
	for m := e.Manager; m != ""; m = pr.ManagerOf(m) {
		if seen[m] {
			return fieldErr(CodeConflict, i, "manager", "%s is managed, at some remove, by %s: a manager of theirs would make a cycle", e.Manager, e.User)
		}
		seen[m] = true
	}
	for _, r := range p.s.Of(staff, "manager") {
		p.s.Remove(r)
	}
	p.s.Add(Rel(staff, "manager", userObj(e.Manager))) // staff.added made its staff_member
	return nil
}

// requesterCheck: a person asks for access for themselves (the actor is
// the user), as an enabled member of the practice.
func requesterCheck(i int, e Event) (ActorCheck, error) {
	actor, err := actorPerson(i, e)
	if err != nil {
		return ActorCheck{}, err
	}
	if actor != e.User {
		return ActorCheck{}, &Error{Code: CodeConflict, Index: i, Field: "actor", Message: fmt.Sprintf("%s may not ask for access for %s: a request is made by the person who needs it, as user", e.Actor, e.User)}
	}
	return ActorCheck{
		Question: Question{Subject: userObj(e.User), Permission: "request_access", Resource: Object{TypeStaffMember, StaffMemberID(e.Workspace, e.User)}},
		Refused:  fmt.Sprintf("%s may not ask for access in workspace %q: only its enabled staff may", e.User, e.Workspace),
	}, nil
}

func aboutRequest(e Event) (Object, string) {
	return AccessRequestObject(e.Workspace, e.Request), e.Request
}

// Consumed is what a check made with consume used up: the one-time grant
// (Request, "" for none: access_request:WORKSPACE/ID), and the event that
// used it, with what applying it did, for the audit ledger.
type Consumed struct {
	Request string
	Events  []Event
	Applied Applied
}

// UnusedGrantsOf selects the one-time grants user has not used (an
// access_request's unused, which ends with the grant).
func UnusedGrantsOf(user string) Filter {
	return Filter{ResourceType: TypeAccessRequest, Relation: "unused", SubjectType: TypeUser, SubjectID: user}
}

// ResolveNeeds are what ResolveEvents reads: the requests decisions name.
func ResolveNeeds(events []Event) []Filter {
	var out []Filter
	for _, e := range events {
		if namesRequest(e) {
			out = append(out, ByID(AccessRequestObject(e.Workspace, e.Request)))
		}
	}
	return out
}

// namesRequest reports whether e is a step on a request made before it.
func namesRequest(e Event) bool {
	return strings.HasPrefix(e.Type, "access.") && e.Type != "access.requested" && e.Type != "access.reviewed"
}

// ResolveEvents gives each step on a request the request's requester as
// its user and its location as its location (s holds what ResolveNeeds
// reads): whose access approving it rewrites, and where. Neither ever
// changes for a request, so reading them apart from the rest is safe; the
// planner reads the request again, and holds it to them. A step on a
// request s does not hold is refused here, before anything else is read.
func ResolveEvents(events []Event, s *State) ([]Event, error) {
	out := slices.Clone(events)
	for i, e := range out {
		if !namesRequest(e) {
			continue
		}
		r, ok := AccessRequestOf(s, AccessRequestObject(e.Workspace, e.Request))
		if !ok {
			return nil, fieldErr(CodeInvalid, i, "request", "unknown access request %q in workspace %q", e.Request, e.Workspace)
		}
		out[i].User, out[i].Location = r.User, r.Location
	}
	return out, nil
}

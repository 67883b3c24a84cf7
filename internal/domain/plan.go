package domain

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Needs lists what a batch of events reads before it can be planned.
type Needs struct {
	// Workspaces whose practice state (roles, grants, staff, locations) is read.
	Workspaces []string
	// Objects whose relationships are read.
	Objects []Object
	// Linked are staff members whose links to single records are read, each
	// record whole, when they are staff of one of Workspaces.
	Linked []UserLinks
	// Fresh are objects the batch creates before anything else names them. A
	// writer may skip reading them: the write's preconditions fail if they exist
	// after all, and the writer then reads everything and plans again.
	Fresh []Object
	// Narrow is set when the events change nobody's written-out access
	// (records, one person's notes access to one client) or only that of a
	// few people they name (Persons): the practices are read narrowly, without
	// everyone else's written-out access (see First).
	Narrow bool
	// Users are the staff members the events name (as user, practitioner,
	// author or new owner); a Narrow batch reads only their standing.
	Users []string
	// Persons are the staff members whose written-out access a Narrow batch
	// rewrites (events of reachPerson, a new owner); it reads theirs.
	Persons []string
	// Owners is set when the events change a practice's owner: its owner,
	// once First read who that is, is one of Persons too (Widened).
	Owners bool
	// Roles are roles whose holders' access a Narrow batch rewrites (events
	// of reachRole): their holders are read first, then (Widened) the roles
	// that inherit them and their holders, who are Persons too.
	Roles []Object
	// Conditioned are roles whose hours or networks the events may change:
	// their holders' per-client notes access, which lasts as their holdings
	// do, is read too (Links).
	Conditioned []Object
	// Templates is set when the batch creates a location or region or deletes
	// a role: a role a form template chose counts at a new scope too, and a
	// deleted role's choices go with it, so the practices' templates are read
	// whole (Links finds them, Records reads them).
	Templates bool
	// Ownership is set when events read the practices' backup owner and
	// claim of ownership (a narrow read leaves them out otherwise).
	Ownership bool
	// DeletedRoles are roles events delete, whose requests are read
	// (Links: those that name them; Records: each whole).
	DeletedRoles []Object
	// Managers is set when events read who manages whom in the practices
	// (every staff member's manager: one relationship each).
	Managers bool
	// Openings are clients whose emergency openings still open are read
	// whole (client.deleted closes them), found by Records from what the
	// client reaches (client#emergency).
	Openings []Object
	// Parties are delegations the events revoke: their lender and delegate,
	// once First read who they are, are Persons too (Widened).
	Parties []Object
	// Delegations are delegations read whole: those naming a person a
	// Narrow batch rewrites (Widened); widened counts Widened's rounds.
	Delegations []Object
	widened     int
	// Acting are persons whose delegations to them are read whole, with
	// their lenders' standing and holdings (what explain needs of a
	// delegate; a batch that plans reads every delegation in force).
	Acting []string
}

// practiceRelations are the relations of a workspace that a Narrow
// batch reads: what the practice is and has, never who may do what.
var practiceRelations = []string{"preset", "owner", "lock", "setting", "site", "calendar", "policy", "policed"}

// perUserReads is how many named users a Narrow batch reads one by one
// (membership, disabled, holdings: three reads each); past it, it reads those
// three relations of the practice whole, which is one read each and still no
// written-out access.
const perUserReads = 16

// Link is a relation by which a record names a staff member.
type Link struct{ Type, Relation string }

// UserLinks are the links of one staff member that a batch reads.
type UserLinks struct {
	User  string
	Links []Link
}

// notesLinks tie a staff member to single clients' notes: what changing their
// roles or standing rewrites.
var notesLinks = []Link{{TypeClient, "notes_access"}, {TypeClient, "notes_reader"}}

// personLinks are every relation by which a practice's records name a staff
// member: what removing them undoes, so that nothing of theirs reaches whoever
// later has the same ID.
var personLinks = []Link{
	{TypeClient, "practitioner"}, {TypeClient, "shared_with"}, {TypeClient, "notes_access"}, {TypeClient, "notes_reader"},
	{TypeNote, "author"}, {TypeLetter, "author"}, {TypeFile, "author"}, {TypeExpense, "author"}, {TypeMessage, "author"},
	{TypeAppointment, "practitioner"}, {TypeInvoice, "practitioner"},
	{TypeBreakGlass, "holder"}, managerLink,
}

// removalLinks are what removing a staff member reads: personLinks, which
// it undoes, and their requests for access, which it cancels while they
// wait (each keeps its requester, for its history).
var removalLinks = append(slices.Clone(personLinks), waitingLink)

// forgetting are the events that prune or forget what is kept of their
// user's grants and reviews (access_review): read whole, however wide the
// batch.
var forgetting = []string{"access.reviewed", "staff.removed", "service_account.deleted"}

// NeedsOf returns what events read.
func NeedsOf(events []Event) Needs {
	ws, objs := map[string]bool{}, map[Object]bool{}
	fresh := map[Object]bool{}
	links := map[string][]Link{}
	users, persons := map[string]bool{}, map[string]bool{}
	narrow, templates := true, false
	openings, ownership, managers, deleted := map[Object]bool{}, false, false, map[Object]bool{}
	owners, roles, conditioned, parties := false, map[Object]bool{}, map[Object]bool{}, map[Object]bool{}
	for _, e := range events {
		ws[e.Workspace] = true
		templates = templates || e.Type == "location.created" || e.Type == "region.created" || e.Type == "role.deleted"
		switch reachOf(e) {
		case reachEveryone:
			narrow = false
		case reachPerson:
			if e.User != "" { // a step not resolved to a person reaches no one
				persons[e.User] = true
			}
		case reachOwners:
			persons[e.To], owners = true, true
		case reachRole:
			roles[roleObj(e.Workspace, e.Role)] = true
		case reachParties:
			if named := namedParties(e); named != nil {
				for _, u := range named {
					persons[u] = true
				}
			} else {
				parties[DelegationObject(e.Workspace, e.Delegation)] = true
			}
		}
		if setsConditions(e) {
			conditioned[roleObj(e.Workspace, e.Role)] = true
		}
		actor := ""
		if EventTypes[e.Type].Actor != nil && strings.HasPrefix(e.Actor, TypeUser+":") {
			actor = actorID(e) // the person deciding, whose standing a step may read
		}
		for _, u := range []string{e.User, e.Practitioner, e.Author, e.To, e.Manager, actor} {
			if u != "" {
				users[u] = true
			}
		}
		if typ := EventTypes[e.Type].Creates; typ != "" {
			if o := (Object{typ, e.objectID(typ)}); !objs[o] {
				fresh[o] = true
			}
		}
		for _, typ := range objectTypes {
			if id := e.objectID(typ); id != "" {
				objs[Object{typ, id}] = true
			}
		}
		if e.ID != "" {
			objs[BreakGlassObject(e.Workspace, e.ID)] = true
		}
		if e.Refund != "" {
			objs[RefundObject(e.Workspace, e.Refund)] = true
		}
		if e.Request != "" {
			objs[AccessRequestObject(e.Workspace, e.Request)] = true
		}
		if e.Delegation != "" {
			objs[DelegationObject(e.Workspace, e.Delegation)] = true
		}
		for _, o := range reviewTargets(e) {
			objs[o] = true
		}
		if (slices.Contains(forgetting, e.Type) || slices.Contains(grantingEvents, e.Type)) && e.User != "" {
			objs[ReviewObject(e.Workspace, e.User)] = true // what is kept of their grants and reviews
		}
		if e.Type == "role.deleted" {
			deleted[roleObj(e.Workspace, e.Role)] = true
		}
		managers = managers || EventTypes[e.Type].Managers
		if e.Type == "client.deleted" {
			openings[Object{TypeClient, e.Client}] = true
		}
		ownership = ownership || EventTypes[e.Type].Ownership
		if e.User != "" && !IsServiceAccount(e.User) { // nothing links to a service account
			for _, l := range linksOf(e) {
				if !slices.Contains(links[e.User], l) {
					links[e.User] = append(links[e.User], l)
				}
			}
		}
	}
	n := Needs{Workspaces: slices.Sorted(maps.Keys(ws)), Templates: templates, Ownership: ownership, Managers: managers, DeletedRoles: slices.SortedFunc(maps.Keys(deleted), CompareObjects), Openings: slices.SortedFunc(maps.Keys(openings), CompareObjects),
		Conditioned: slices.SortedFunc(maps.Keys(conditioned), CompareObjects)}
	if narrow && len(persons) <= perUserReads {
		n.Narrow, n.Users = true, slices.Sorted(maps.Keys(users))
		if len(persons) > 0 {
			n.Persons = slices.Sorted(maps.Keys(persons))
		}
		n.Owners = owners
		n.Roles = slices.SortedFunc(maps.Keys(roles), CompareObjects)
		n.Parties = slices.SortedFunc(maps.Keys(parties), CompareObjects)
	}
	for _, user := range slices.Sorted(maps.Keys(links)) {
		n.Linked = append(n.Linked, UserLinks{User: user, Links: links[user]})
	}
	for o := range objs {
		n.Objects = append(n.Objects, o)
		if fresh[o] {
			n.Fresh = append(n.Fresh, o)
		}
	}
	byName := func(a, b Object) int { return strings.Compare(a.String(), b.String()) }
	slices.SortFunc(n.Objects, byName)
	slices.SortFunc(n.Fresh, byName)
	return n
}

// Reading what events need takes three rounds, each read from what the
// earlier ones found: the practices and the objects named (First), the links
// of the staff members named who are staff there (Links), and the practices'
// locations and every linked record whole (Records).

// First is what is read first: each practice (its own relationships, roles,
// role holders, switches and staff) and each object named, but, when
// skipFresh, the objects the batch creates (Fresh).
//
// A Narrow batch reads each practice narrowly: its practiceRelations,
// its roles, and the named users' membership, disabling and holdings; of a
// location named, only which practice it is in; and of each person whose
// access it rewrites (Persons), everything that names them. What it reads
// grows with the practice's roles (ClinicSense's per-person switched roles
// included) and locations, not with its clients, and the only written-out
// access in it is the Persons'.
func (n Needs) First(skipFresh bool) []Filter {
	var out []Filter
	for _, ws := range n.Workspaces {
		if n.Narrow {
			out = append(out, n.narrow(ws)...)
			continue
		}
		out = append(out, ByID(workspaceObj(ws)))
		for _, typ := range []string{TypeRole, TypeRoleBinding, TypeSwitch, TypeStaffMember, TypeRegion} {
			out = append(out, ByPrefix(typ, ws+"/"))
		}
		// one-time grants not used yet, which go with their holdings
		out = append(out, Filter{ResourceType: TypeAccessRequest, ResourceIDPrefix: ws + "/", Relation: "unused"})
		// delegations in force (Links reads each whole)
		out = append(out, Filter{ResourceType: TypeDelegation, ResourceIDPrefix: ws + "/", Relation: "delegate"})
		// the practice's API keys, which a review may revoke
		out = append(out, Filter{ResourceType: TypeAPIKey, ResourceIDPrefix: ws + "/", Relation: "account"})
		// each person's last review, when the next falls due, and
		// whether that was told (who granted what is read only for the
		// persons whose access is rewritten, or reviewed or removed)
		for _, rel := range []string{"record", "current", "told"} {
			out = append(out, Filter{ResourceType: TypeAccessReview, ResourceIDPrefix: ws + "/", Relation: rel})
		}
	}
	for _, ws := range n.Workspaces {
		for _, u := range n.Acting {
			out = append(out, Filter{ResourceType: TypeDelegation, ResourceIDPrefix: ws + "/", Relation: "delegate", SubjectType: TypeUser, SubjectID: u})
		}
	}
	for _, ws := range n.Workspaces {
		if n.Managers {
			out = append(out, Filter{ResourceType: TypeStaffMember, ResourceIDPrefix: ws + "/", Relation: "manager"})
		}
	}
	for _, o := range n.Delegations {
		out = append(out, ByID(o))
	}
	for _, o := range n.Objects {
		switch {
		case skipFresh && slices.Contains(n.Fresh, o):
		case n.Narrow && o.Type == TypeLocation:
			out = append(out, Filter{ResourceType: o.Type, ResourceID: o.ID, Relation: "workspace"})
		default:
			out = append(out, ByID(o))
		}
	}
	return out
}

// narrow is what a Narrow batch reads of practice ws (see First).
func (n Needs) narrow(ws string) []Filter {
	var out []Filter
	for _, rel := range practiceRelations {
		out = append(out, Filter{ResourceType: TypeWorkspace, ResourceID: ws, Relation: rel})
	}
	if n.Ownership {
		for _, rel := range ownershipRelations {
			out = append(out, Filter{ResourceType: TypeWorkspace, ResourceID: ws, Relation: rel})
		}
	}
	out = append(out, ByPrefix(TypeRole, ws+"/"), ByPrefix(TypeRegion, ws+"/"))
	for _, role := range n.Roles {
		if id := role.ID; strings.HasPrefix(id, ws+"/") { // its holders, at every scope, and its lendings
			out = append(out,
				Filter{ResourceType: TypeRoleBinding, ResourceID: id, Relation: "member"},
				Filter{ResourceType: TypeRoleBinding, ResourceIDPrefix: id + "/", Relation: "member"},
				Filter{ResourceType: TypeDelegation, ResourceIDPrefix: ws + "/", Relation: "role", SubjectType: TypeRole, SubjectID: id})
		}
	}
	if len(n.Users) > perUserReads {
		out = append(out,
			Filter{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "member"},
			Filter{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "disabled"},
			Filter{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "seen"},
			Filter{ResourceType: TypeRoleBinding, ResourceIDPrefix: ws + "/", Relation: "member"})
	}
	for _, u := range n.Users {
		if len(n.Users) > perUserReads || slices.Contains(n.Persons, u) {
			continue // read above, or whole below
		}
		out = append(out, standingFilters(ws, userObj(u))...)
	}
	// A person whose access is rewritten: everything of the workspace and its
	// locations that names them (standing and written-out access), their
	// holdings, switches and staff_member object, however many others the
	// events name (at most perUserReads persons: NeedsOf).
	for _, u := range n.Persons {
		sub := userObj(u)
		out = append(out,
			// their reviews
			ByID(ReviewObject(ws, u)),
			Filter{ResourceType: TypeWorkspace, ResourceID: ws, SubjectType: sub.Type, SubjectID: sub.ID},
			Filter{ResourceType: TypeLocation, SubjectType: sub.Type, SubjectID: sub.ID},
			Filter{ResourceType: TypeRoleBinding, ResourceIDPrefix: ws + "/", Relation: "member", SubjectType: sub.Type, SubjectID: sub.ID})
		if sub.Type == TypeUser { // a service account has no switches, staff_member or requests
			out = append(out,
				Filter{ResourceType: TypeSwitch, ResourceIDPrefix: ws + "/", SubjectType: sub.Type, SubjectID: sub.ID},
				ByID(Object{TypeStaffMember, StaffMemberID(ws, u)}),
				Filter{ResourceType: TypeAccessRequest, ResourceIDPrefix: ws + "/", Relation: "unused", SubjectType: sub.Type, SubjectID: sub.ID},
				// delegations they lend or act with, which widen the batch (Widened)
				Filter{ResourceType: TypeDelegation, ResourceIDPrefix: ws + "/", SubjectType: sub.Type, SubjectID: sub.ID})
		} else { // a service account's keys, which a review may revoke
			out = append(out, Filter{ResourceType: TypeAPIKey, ResourceIDPrefix: ws + "/", Relation: "account", SubjectType: sub.Type, SubjectID: sub.ID})
		}
	}
	return out
}

// standingFilters read sub's standing in practice ws (membership, disabling,
// when last seen) and their holdings: what a narrow read knows of a person
// whose access it does not rewrite.
func standingFilters(ws string, sub Object) []Filter {
	return []Filter{
		{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "member", SubjectType: sub.Type, SubjectID: sub.ID},
		{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "disabled", SubjectType: sub.Type, SubjectID: sub.ID},
		{ResourceType: TypeWorkspace, ResourceID: ws, Relation: "seen", SubjectType: sub.Type, SubjectID: sub.ID},
		{ResourceType: TypeRoleBinding, ResourceIDPrefix: ws + "/", Relation: "member", SubjectType: sub.Type, SubjectID: sub.ID},
	}
}

// Links is what is read next, from s (what First found): the links of the
// staff members named, only of those who are staff of a practice read, since
// nobody else has links there (removing someone takes theirs away); and, for
// Templates, which form templates each practice has (one read a practice;
// Records then reads each whole).
func (n Needs) Links(s *State) []Filter {
	var out []Filter
	if n.Templates {
		for _, ws := range n.Workspaces {
			out = append(out, Filter{ResourceType: TypeTemplate, Relation: "workspace", SubjectType: TypeWorkspace, SubjectID: ws})
		}
	}
	for _, ws := range n.Workspaces {
		if n.Narrow && len(n.Acting) == 0 {
			break // a narrow batch read its delegations whole (Widened)
		}
		seen := map[Object]bool{}
		for _, r := range s.WhereIn(TypeDelegation, ws, func(r Relationship) bool { return r.Relation == "delegate" }) {
			if !seen[r.Resource] {
				seen[r.Resource] = true
				out = append(out, ByID(r.Resource))
			}
		}
	}
	for _, role := range n.DeletedRoles {
		ws, _, _ := strings.Cut(role.ID, "/")
		out = append(out, Filter{ResourceType: TypeAccessRequest, ResourceIDPrefix: ws + "/", Relation: "role", SubjectType: TypeRole, SubjectID: role.ID})
	}
	linked := slices.Clone(n.Linked)
	for _, role := range n.Conditioned {
		ws, name, _ := strings.Cut(role.ID, "/")
		for _, u := range (Practice{S: s, WS: ws}).holdersOf(name) {
			if !IsServiceAccount(u) { // nothing links to a service account
				linked = append(linked, UserLinks{User: u, Links: notesLinks})
			}
		}
	}
	seen := map[Filter]bool{}
	for _, ul := range linked {
		user := userObj(ul.User)
		if !slices.ContainsFunc(n.Workspaces, func(ws string) bool { return s.Has(Rel(workspaceObj(ws), "member", user)) }) {
			continue
		}
		for _, l := range ul.Links {
			if f := Naming(l.Type, l.Relation, user); !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// Records is what is read last, from s (what was found so far) and linked
// (what Links found): every location of the practices, and every linked
// record whole (to know its practice).
func (n Needs) Records(s *State, linked []Relationship) []Filter {
	more := map[Object]bool{}
	if !n.Narrow { // no narrow planner reads another location
		for _, ws := range n.Workspaces {
			for _, loc := range s.Subjects(workspaceObj(ws), "site") {
				more[loc.Object()] = true
			}
		}
	}
	var lenders []Filter
	for _, r := range linked {
		if r.Resource.Type != TypeDelegation {
			more[r.Resource] = true
		} else if r.Relation == "lender" && n.Narrow && len(n.Acting) > 0 {
			// a delegate's lender: their standing and holdings
			ws, _, _ := strings.Cut(r.Resource.ID, "/")
			lenders = append(lenders, standingFilters(ws, r.Subject.Object())...)
		}
	}
	for _, c := range n.Openings {
		for _, sub := range s.Subjects(c, "emergency") {
			more[Object{sub.Type, sub.ID}] = true
		}
	}
	out := lenders
	for _, o := range slices.SortedFunc(maps.Keys(more), CompareObjects) {
		out = append(out, ByID(o))
	}
	return out
}

// Widened is what a Narrow batch reads instead once First found (in s)
// who owns a practice whose ownership it transfers (Owners), who holds or
// lends the roles it changes and the roles that inherit them (Roles), or
// that a person whose access it rewrites lends roles or acts with them, and
// ok; ok is false when n reads enough as it is. Those owners, holders and
// lenders are Persons. Each delegation naming a person is read whole
// (Delegations); then a person's delegates, whose access is written from
// theirs, are persons too, and a person's lenders, from whose holdings
// theirs is written, are read as users; and so on, round by round, until
// nothing more is named. Past perUserReads persons, or for a role with an
// amount limit (writeLimits), the batch reads the practices whole.
func (n Needs) Widened(s *State) (wide Needs, ok bool) {
	if !n.Narrow {
		return n, false
	}
	persons, users := set(n.Persons), set(n.Users)
	objs := map[Object]bool{}
	for _, o := range n.Delegations {
		objs[o] = true
	}
	grew, whole := false, false
	roles := set(nil)
	for _, role := range n.Roles {
		roles[role.ID] = true
	}
	for _, ws := range n.Workspaces {
		pr := Practice{S: s, WS: ws}
		var reached []string
		if owner := pr.Owner(); n.Owners && owner != "" {
			reached = append(reached, owner)
		}
		for _, o := range n.Parties {
			if strings.HasPrefix(o.ID, ws+"/") {
				reached = append(reached, pr.partiesOf(o)...)
			}
		}
		for _, role := range n.Roles {
			if !strings.HasPrefix(role.ID, ws+"/") {
				continue
			}
			_, name, _ := strings.Cut(role.ID, "/")
			if len(pr.Limits(name)) > 0 {
				whole = true // its amount limits may change with it (writeLimits)
			}
			// its heirs, whose holders are read next round, and its and their
			// lendings, read whole next round (their lenders are reached then)
			for r := range pr.withHeirs(name) {
				if id := ws + "/" + r; !roles[id] {
					roles[id], grew = true, true
				}
				for _, d := range pr.lending(r) {
					if !objs[d] {
						objs[d], grew = true, true
					}
				}
			}
			reached = append(reached, pr.roleReach(name)...)
		}
		for _, u := range reached {
			if !persons[u] {
				persons[u], grew = true, true
			}
		}
		for _, r := range s.WhereIn(TypeDelegation, ws, func(r Relationship) bool {
			return r.Subject.Type == TypeUser && persons[r.Subject.ID] // lender, delegate or invitee
		}) {
			if !objs[r.Resource] {
				objs[r.Resource], grew = true, true
			}
		}
		// Only delegations read whole name both parties: their delegates'
		// access is rewritten too.
		before := len(persons)
		withDelegates(s, ws, persons)
		grew = grew || len(persons) > before
	}
	for _, o := range n.Delegations { // read whole: both parties' standing
		for _, rel := range []string{"lender", "invitee"} {
			if u := firstSubject(s, o, rel); u != "" && !users[u] {
				users[u], grew = true, true
			}
		}
	}
	if !grew && !whole {
		return n, false
	}
	if n.widened++; whole || len(persons) > perUserReads || n.widened > maxWidenRounds {
		n.Narrow, n.Users, n.Persons, n.Delegations, n.Roles, n.Parties = false, nil, nil, nil, nil, nil
		return n, true
	}
	n.Persons, n.Users = slices.Sorted(maps.Keys(persons)), slices.Sorted(maps.Keys(users))
	n.Delegations = slices.SortedFunc(maps.Keys(objs), CompareObjects)
	n.Roles = nil
	for _, id := range slices.Sorted(maps.Keys(roles)) {
		n.Roles = append(n.Roles, Object{TypeRole, id})
	}
	return n, true
}

// roleReach is who holds role or a role that inherits it, at any remove,
// and who lends one of them (a lending outlives a holding that ended by
// itself until an event of its lender, or of the role, drops it).
func (p Practice) roleReach(role string) []string {
	var out []string
	for r := range p.withHeirs(role) {
		out = append(out, p.holdersOf(r)...)
		for _, d := range p.lending(r) {
			if lender := firstSubject(p.S, d, "lender"); lender != "" {
				out = append(out, lender)
			}
		}
	}
	return out
}

// lending is the delegations that lend role.
func (p Practice) lending(role string) []Object {
	var out []Object
	for _, r := range p.S.ToRole(roleObj(p.WS, role), "role") {
		if r.Resource.Type == TypeDelegation {
			out = append(out, r.Resource)
		}
	}
	return out
}

// withHeirs is role and every role that inherits it, at any remove.
func (p Practice) withHeirs(role string) map[string]bool {
	out := map[string]bool{}
	for next := []string{role}; len(next) > 0; {
		r := next[0]
		next = next[1:]
		if r != "" && !out[r] {
			out[r] = true
			next = append(next, p.Heirs(r)...)
		}
	}
	return out
}

// holdersOf is who holds role in the practice, at any scope.
func (p Practice) holdersOf(role string) []string {
	var out []string
	for _, h := range p.allHoldings() {
		if h.Role == role {
			out = append(out, h.User)
		}
	}
	return out
}

// maxWidenRounds bounds Widened's rounds: a longer chain of lenders and
// delegates reads the practices whole, in one more round.
const maxWidenRounds = 16

// ReadFirst reads what n asks first (First), then, while Widened asks for
// more, the filters of each wider First not read before, each round
// through read, which adds what it reads to s; it returns the needs the
// batch plans with, whose Links and Records are read next.
func (n Needs) ReadFirst(s *State, skipFresh bool, read func([]Filter) error) (Needs, error) {
	issued := map[Filter]bool{}
	for {
		var fresh []Filter
		for _, f := range n.First(skipFresh) {
			if !issued[f] {
				issued[f] = true
				fresh = append(fresh, f)
			}
		}
		if err := read(fresh); err != nil {
			return n, err
		}
		more, ok := n.Widened(s)
		if !ok {
			return n, nil
		}
		n = more
	}
}

func set(ids []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// withDelegates is persons and, round by round, the delegates of
// delegations s holds whose lender is one: whose written-out access
// follows theirs (Needs.Widened read them).
func withDelegates(s *State, ws string, persons map[string]bool) {
	for grew := true; grew; {
		grew = false
		for _, r := range s.WhereIn(TypeDelegation, ws, func(r Relationship) bool { return r.Relation == "lender" }) {
			if delegate := firstSubject(s, r.Resource, "invitee"); persons[r.Subject.ID] && delegate != "" && !persons[delegate] {
				persons[delegate], grew = true, true
			}
		}
	}
}

// ReadFrom reads from s what n asks, round by round as the service reads
// from the store, and returns what it read. each, if not nil, sees every
// round's filters.
func (n Needs) ReadFrom(s *State, each func(round []Filter)) *State {
	read := NewState()
	all := s.All()
	take := func(filters []Filter) []Relationship {
		if each != nil && len(filters) > 0 {
			each(filters)
		}
		var rels []Relationship
		for _, r := range all {
			if slices.ContainsFunc(filters, func(f Filter) bool { return f.Matches(r) }) {
				read.Add(r)
				rels = append(rels, r)
			}
		}
		return rels
	}
	n, _ = n.ReadFirst(read, false, func(filters []Filter) error {
		take(filters)
		return nil
	})
	linked := take(n.Links(read))
	take(n.Records(read, linked))
	return read
}

// Plan is what applying a batch of events writes.
type Plan struct {
	Touch  []Relationship
	Delete []Relationship
	// Created are objects this plan gives a workspace; the write must fail if
	// another request gave them one first.
	Created []Object
	// Removed are objects this plan takes out of their workspace.
	Removed []Object
	// Workspaces are the workspaces the events touch.
	Workspaces []string
	// Notices are what people must be told once the plan is written.
	Notices []Notice
}

// Empty reports whether the plan writes nothing.
func (p Plan) Empty() bool { return len(p.Touch) == 0 && len(p.Delete) == 0 }

// PlanEvents applies events, in order, to a copy of s (which must hold what
// NeedsOf asked for) and returns the difference. Any invalid event fails the
// whole batch.
func PlanEvents(events []Event, s *State) (Plan, error) {
	return planWithin(events, s, planOpts{maxChanges: MaxChangesPerRequest, provenance: true})
}

// planOpts are how planWithin plans: within maxChanges updates, keeping who
// granted what (provenance), and, for tests (everyone), rewriting every
// person's access and following every delegation after each event, as if
// each reached everyone: what a narrower reach must plan too.
type planOpts struct {
	maxChanges           int
	provenance, everyone bool
}

func planWithin(events []Event, s *State, opts planOpts) (Plan, error) {
	p := &planner{s: s.Clone(), created: map[Object]bool{}, regranted: map[Object]bool{}, changed: map[Object]bool{}, readNotes: map[Object]bool{}, maxChanges: opts.maxChanges}
	// access holds, for each practice whose written-out access the events
	// change, whose: nil for everyone's, else the persons (see Needs).
	ws, access := map[string]bool{}, map[string]map[string]bool{}
	for i, e := range events {
		ws[e.Workspace] = true
		// Delegations follow what the practice allows before the event (a
		// lent holding that ended by itself ends its lending, which giving
		// the role again does not bring back) and after it.
		reach := p.practice(e.Workspace).reachOf(e)
		if opts.everyone {
			reach = reachEveryone
		}
		// whom the event reaches before it (a transfer's old owner, a role's
		// holders, a revoked delegation's parties) and, with reached, after
		// it as well; never nil, which would be everyone
		before := p.practice(e.Workspace).reached(e, reach)
		reached := func() []string {
			return append(slices.Clone(before), p.practice(e.Workspace).reached(e, reach)...)
		}
		follow := func() error {
			switch pr := p.practice(e.Workspace); {
			case !pr.Exists() || reach == reachNobody || (reach == reachPerson && e.User == ""):
				return nil
			case reach == reachEveryone:
				return p.followDelegations(pr, e.now(), nil)
			default:
				return p.followDelegations(pr, e.now(), reached())
			}
		}
		if err := follow(); err != nil {
			return Plan{}, err
		}
		if err := p.apply(i, e); err != nil {
			return Plan{}, err
		}
		if err := follow(); err != nil {
			return Plan{}, err
		}
		p.passOnGrants()
		if err := p.checkDependencies(i, e); err != nil {
			return Plan{}, err
		}
		persons, seen := access[e.Workspace]
		switch reach {
		case reachEveryone:
			access[e.Workspace] = nil
		case reachPerson, reachOwners, reachRole, reachParties:
			if !seen {
				persons = map[string]bool{}
				access[e.Workspace] = persons
			}
			for _, u := range reached() {
				if persons != nil && u != "" {
					persons[u] = true
				}
			}
		}
	}
	// A lender's holdings are their delegates' too: a batch that rewrites a
	// lender's access rewrites their delegates' (Needs.Widened read them).
	for w, persons := range access {
		if persons != nil {
			withDelegates(s, w, persons)
			withDelegates(p.s, w, persons)
		}
	}
	budget := p.maxChanges // shared by the practices the events touch
	for _, w := range slices.Sorted(maps.Keys(access)) {
		var users []string
		if persons := access[w]; persons != nil && len(persons) <= perUserReads {
			users = append([]string{}, slices.Sorted(maps.Keys(persons))...) // none is nobody, not everyone
		}
		if pr := p.practice(w); pr.Exists() {
			if !writeAccess(p.s, pr, users, &budget) {
				return Plan{}, tooManyChanges(p.maxChanges)
			}
		}
	}
	touch, del := Diff(s, p.s)
	if opts.provenance {
		touch, del = withProvenance(s, p.s, touch, del, events)
	}
	for _, r := range touch {
		if n := r.During.count(); n > MaxWindows {
			return Plan{}, &Error{Code: CodeTooLarge, Index: -1, Field: "starts_at", Message: fmt.Sprintf(
				"%s would count in %d separate windows (business hours and networks count too), and Ward keeps at most %d on one relationship (SpiceDB bounds a relationship's caveat): let some of the holdings, shares or choices that give it end, or start when another ends, or give fewer of them different hours and networks", r.Key(), n, MaxWindows)}
		}
	}
	plan := Plan{Touch: touch, Delete: del, Workspaces: slices.Sorted(maps.Keys(ws)), Notices: p.notices}
	// An ID's marker changes only when the ID is taken or freed over the
	// whole batch: one deleted and created again (in this practice or
	// another) keeps its marker, guarded by both practices' locks, instead
	// of freeing and taking it in one write, which SpiceDB refuses.
	for o := range p.created {
		if WorkspaceOf(p.s, o) != "" && WorkspaceOf(s, o) == "" {
			plan.Created = append(plan.Created, o)
		}
	}
	for _, r := range del {
		if r.Relation == "workspace" && slices.Contains(objectTypes, r.Resource.Type) && WorkspaceOf(p.s, r.Resource) == "" {
			plan.Removed = append(plan.Removed, r.Resource)
		}
	}
	slices.SortFunc(plan.Created, CompareObjects)
	if plan.Updates() > p.maxChanges {
		return Plan{}, tooManyChanges(p.maxChanges)
	}
	return plan, nil
}

// Updates is how many relationship updates writing the plan takes: its
// changes, an ID marker per object created or removed, and a lock per
// workspace (its old one deleted, a new one written).
func (p Plan) Updates() int {
	return len(p.Touch) + len(p.Delete) + len(p.Created) + len(p.Removed) + 2*len(p.Workspaces)
}

// MaxChangesPerRequest bounds the relationship updates of one atomic events
// request (Plan.Updates), which is one SpiceDB write: SpiceDB must take at
// least this many updates in a call (--write-relationships-max-updates-per-call).
// It is the most SpiceDB can be set to take (the setting is a 16-bit count),
// so that a role change at a large practice, which rewrites each holder's
// written-out access, is still one atomic request: 41,012 updates for 4,080
// practitioners over 20 locations (docs/performance.md). Planning stops once
// a request passes it, which bounds what a request may make Ward hold.
const MaxChangesPerRequest = math.MaxUint16

// MaxImportChanges bounds the relationships one import writes. Planning holds
// them all in memory (300,000 took 356 MB resident in planning alone, 105,000
// took 169 MB), so this bounds an import's memory; larger migrations are
// split into several imports.
const MaxImportChanges = 300000

func tooManyChanges(most int) *Error {
	return Errorf(CodeTooLarge, "the events would change more than %d relationships, the most one atomic request may (each role holder's access is written out): split them into smaller requests, for instance fewer staff added or roles changed at once", most)
}

// PlanImport plans an import of new practices: every event must be about a
// workspace created earlier in the same import, so the plan is made against an
// empty state and only adds relationships.
func PlanImport(events []Event) (Plan, error) {
	created := map[string]bool{}
	for i, e := range events {
		if EventTypes[e.Type].Actor != nil {
			return Plan{}, fieldErr(CodeInvalid, i, "type", "%s is not imported: a person decides it, whose permission is asked of the stored practice; send it to /v1/events with the actor", e.Type)
		}
		if e.Type == "workspace.created" {
			created[e.Workspace] = true
		} else if !created[e.Workspace] {
			return Plan{}, fieldErr(CodeInvalid, i, "workspace", "an import only creates new practices, and %q is not created earlier in it: send events about existing practices to /v1/events", e.Workspace)
		}
	}
	// An import names no actor, and its ledger record says when: it keeps
	// no provenance (who granted what).
	return planWithin(events, NewState(), planOpts{maxChanges: MaxImportChanges})
}

type planner struct {
	s       *State
	created map[Object]bool
	// regranted are the roles whose grants setGrant changed since their heirs
	// last followed them.
	regranted map[Object]bool
	// changed are the roles whose grants changed in the event being applied.
	changed map[Object]bool
	// readNotes is, for each role setGrant changed in the event being
	// applied, whether it read clinical notes before the event.
	readNotes map[Object]bool
	// maxChanges bounds the plan's updates (Plan.Updates).
	maxChanges int
	// now is when the event being applied was received (Event.Received).
	now time.Time
	// notices are what people must be told once the plan is written.
	notices []Notice
}

// passOnGrants has every role that inherits from a regranted role follow it.
// Following rewrites the heir's grants, so its own heirs follow in turn.
func (p *planner) passOnGrants() {
	for len(p.regranted) > 0 {
		roles := slices.SortedFunc(maps.Keys(p.regranted), CompareObjects)
		clear(p.regranted)
		for _, ro := range roles {
			for _, link := range p.s.ToRole(ro, "inherits") {
				ws, heir, _ := strings.Cut(link.Resource.ID, "/")
				p.inherit(p.practice(ws), heir)
			}
		}
	}
}

func (p *planner) practice(ws string) Practice { return Practice{S: p.s, WS: ws} }

// changesOwnGrants reports whether e changes role's grants by name (a
// role's update or notes access, an office staff member's switch), not as
// an heir following its parent, which follows it in break-glass too, nor
// by defining it whole (role.defined gives what it names).
func changesOwnGrants(e Event, role string) bool {
	switch e.Type {
	case "role.updated", "notes_access.granted":
		return e.Role == role
	case "staff_permission.changed":
		return IsPersonalRole(role)
	}
	return false
}

// startedReading reports whether role ro read no clinical notes before the
// event (readNotes knows it for the roles setGrant changed).
func startedReading(readNotes map[Object]bool, ro Object) bool {
	before, known := readNotes[ro]
	return known && !before
}

// checkDependencies refuses an event that leaves a role with a capability
// whose prerequisites it lacks, in a preset whose permissions depend on one
// another (ClinicSense: "Inactive: ... Consequently, they will not be able to
// make any changes"): whatever path gave it, grants, inheritance or notes
// access, no role may edit what it cannot see.
func (p *planner) checkDependencies(i int, e Event) error {
	defer clear(p.changed)
	defer clear(p.readNotes)
	pr := p.practice(e.Workspace)
	field := "grants"
	if e.Type == "notes_access.granted" || e.Type == "notes_access.revoked" || e.Type == "setting.changed" {
		field = "role"
	}
	// Break-glass opens clinical records: never for a role that reads none.
	// Granting it to one is refused; a role that stops reading notes loses it,
	// and one that starts reading them has it, as a preset's roles that read
	// notes do, unless the event names it.
	open := Cap(AreaBreakGlass, ActionOpen)
	regranted := false
	for _, ro := range slices.SortedFunc(maps.Keys(p.changed), CompareObjects) {
		ws, role, _ := strings.Cut(ro.ID, "/")
		if ws != pr.WS {
			continue
		}
		grants := pr.Grants(role)
		opens, reads := cmp.Or(grants[open], LevelNone) != LevelNone, cmp.Or(grants[Cap("notes", ActionView)], LevelNone) != LevelNone
		_, named := e.Grants[AreaBreakGlass]
		named = named && e.Role == role
		switch {
		case opens && !reads && named:
			return fieldErr(CodeConflict, i, field, "role %q would have %s open but reads no clinical notes: break-glass opens clinical records, so a role that never reads them cannot have it; grant notes view too", role, AreaBreakGlass)
		case opens && !reads:
			p.setGrant(pr, role, open, LevelNone)
			regranted = true
		case !opens && reads && !named && changesOwnGrants(e, role) && startedReading(p.readNotes, ro):
			p.setGrant(pr, role, open, LevelFull)
			regranted = true
		}
	}
	if regranted {
		p.passOnGrants()
	}
	preset := Presets[pr.Preset()]
	if preset == nil || len(preset.Switches) == 0 {
		return nil
	}
	needs := preset.Needs()
	for _, ro := range slices.SortedFunc(maps.Keys(p.changed), CompareObjects) {
		ws, role, _ := strings.Cut(ro.ID, "/")
		if ws != pr.WS || IsPersonalRole(role) {
			continue // switched permissions follow their dependencies already
		}
		grants := pr.Grants(role)
		for _, need := range needs {
			if has, needed := grants[need.Cap], grants[need.Needs]; rank(has) > rank(needed) {
				return fieldErr(CodeConflict, i, field, "role %q would have %s at level %s but %s only at level %s: %q depends on %q in preset %s; grant %s too",
					role, need.Cap, has, need.Needs, cmp.Or(needed, LevelNone), need.Switch, need.On, preset.Name, need.Needs)
			}
		}
	}
	return nil
}

func (p *planner) apply(i int, e Event) error {
	p.now = e.now()
	if e.Type == "workspace.created" {
		return p.workspaceCreated(i, e)
	}
	pr := p.practice(e.Workspace)
	if !pr.Exists() {
		return fieldErr(CodeInvalid, i, "workspace", "unknown workspace %q: create it with workspace.created first", e.Workspace)
	}
	if spec, ok := EventTypes[e.Type]; ok && spec.plan != nil {
		return spec.plan(p, i, pr, e)
	}
	return fieldErr(CodeInvalid, i, "type", "event type %q has no handler", e.Type)
}

func (p *planner) letterCreated(i int, pr Practice, e Event) error {
	return p.authoredRecord(i, pr, e, Object{TypeLetter, e.Letter}, "letter", true)
}

func (p *planner) fileUploaded(i int, pr Practice, e Event) error {
	return p.authoredRecord(i, pr, e, Object{TypeFile, e.File}, "file", true)
}

func (p *planner) expenseCreated(i int, pr Practice, e Event) error {
	return p.authoredRecord(i, pr, e, Object{TypeExpense, e.Expense}, "expense", false)
}

func (p *planner) messagePosted(i int, pr Practice, e Event) error {
	return p.authoredRecord(i, pr, e, Object{TypeMessage, e.Message}, "message", false)
}

func (p *planner) appointmentBooked(i int, pr Practice, e Event) error {
	return p.recordCreated(i, pr, e, Object{TypeAppointment, e.Appointment}, "appointment", true)
}

func (p *planner) invoiceCreated(i int, pr Practice, e Event) error {
	return p.recordCreated(i, pr, e, Object{TypeInvoice, e.Invoice}, "invoice", e.Practitioner != "")
}

func (p *planner) noteFinalized(i int, pr Practice, e Event) error {
	note := Object{TypeNote, e.Note}
	if err := p.requireIn(i, pr, "note", note); err != nil {
		return err
	}
	for _, r := range everyone(note, "finalized") {
		p.s.Add(r)
	}
	return nil
}

func (p *planner) workspaceCreated(i int, e Event) error {
	preset, ok := Presets[e.Preset]
	if !ok {
		return fieldErr(CodeInvalid, i, "preset", "unknown preset %q (known: %s)", e.Preset, strings.Join(PresetNames(), ", "))
	}
	pr := p.practice(e.Workspace)
	if pr.Exists() {
		if pr.Preset() != e.Preset {
			return fieldErr(CodeConflict, i, "preset", "workspace %q already exists with preset %q", e.Workspace, pr.Preset())
		}
		if !pr.IsMember(e.Owner) {
			return fieldErr(CodeConflict, i, "owner", "workspace %q already exists and %q is not its staff", e.Workspace, e.Owner)
		}
		return nil // re-applied: leave the practice as later events made it
	}
	ws := pr.obj()
	p.s.Add(Rel(ws, "preset", Object{TypePreset, preset.Name}))
	p.s.Add(Rel(ws, "owner", userObj(e.Owner)))
	p.s.Add(Rel(ws, "member", userObj(e.Owner)))
	for _, role := range preset.Roles {
		p.createRole(pr, role)
	}
	p.s.Add(Rel(Object{TypeRoleBinding, BindingID(e.Workspace, preset.OwnerRole, "")}, "member", userObj(e.Owner)))
	p.s.Add(seesEveryForm(pr, preset))
	return nil
}

// seesEveryForm is who sees the completed forms of every template of pr,
// restricted or not: the workspace-wide holders of its preset's owner role,
// who have "full access" (Caspen's practitioner admin, ClinicSense's practice
// administrator, the clinic platform's owner/admin) or "can do everything"
// (Cliniko's administrator).
func seesEveryForm(pr Practice, preset *Preset) Relationship {
	return Relationship{Resource: pr.obj(), Relation: "sees_every_form", Subject: bindingMembers(BindingID(pr.WS, preset.OwnerRole, ""))}
}

// scopes returns the binding of role for the whole workspace and for each location.
func scopes(pr Practice, role string) []string {
	out := []string{BindingID(pr.WS, role, "")}
	for _, loc := range pr.Locations() {
		out = append(out, BindingID(pr.WS, role, loc))
	}
	for _, r := range pr.Regions() {
		out = append(out, BindingID(pr.WS, role, RegionScope(r)))
	}
	return out
}

func (p *planner) createRole(pr Practice, role Role) {
	ro := roleObj(pr.WS, role.Name)
	p.s.Add(Rel(ro, "workspace", pr.obj()))
	if !role.Fixed {
		p.s.Add(Rel(ro, "editable", pr.obj()))
	}
	if role.Calendar {
		for _, b := range scopes(pr, role.Name) {
			p.addCalendar(pr, b)
		}
	}
	// Managing a role's holders is the staff area's, which only roles held
	// workspace-wide give: a holding at one location does not manage the
	// role's holders (who could then give it workspace-wide).
	if role.ManagesOwnHolders {
		p.s.Add(Relationship{Resource: ro, Relation: "holder_manager", Subject: bindingMembers(BindingID(pr.WS, role.Name, ""))})
	}
	for _, r := range guardOf(pr.WS, role) {
		p.s.Add(r)
	}
	for _, c := range Capabilities() {
		p.setGrant(pr, role.Name, c, role.Level(c))
	}
}

// guardOf is what marks a built-in role as guarded (Role.Guarded): the
// mark, and its workspace-wide holders as the peers who may give it.
func guardOf(ws string, role Role) []Relationship {
	if !role.Guarded() {
		return nil
	}
	return guard(ws, role.Name)
}

func guard(ws, role string) []Relationship {
	ro := roleObj(ws, role)
	return []Relationship{Rel(ro, "guarded", workspaceObj(ws)), {Resource: ro, Relation: "peers", Subject: bindingMembers(BindingID(ws, role, ""))}}
}

// RoleGuarded reports whether role is guarded in p: marked so (fixed, or
// never disabled), or inheriting a guarded built-in role. Only the owner
// gives it on request or lends it.
func (p Practice) RoleGuarded(role string) bool {
	return p.S.Has(Rel(roleObj(p.WS, role), "guarded", p.obj())) || guardedAncestor(p, role)
}

// guardedAncestor reports whether role inherits, at any remove, a guarded
// built-in role: it has that role's reach, so it is guarded too (a staff
// manager could otherwise give a copy of the practitioner admin role).
func guardedAncestor(pr Practice, role string) bool {
	preset := Presets[pr.Preset()]
	if preset == nil {
		return false
	}
	seen := map[string]bool{}
	for r := pr.Parent(role); r != "" && !seen[r]; r = pr.Parent(r) {
		seen[r] = true
		if b, ok := preset.Role(r); ok && b.Guarded() {
			return true
		}
	}
	return false
}

// GuardFilters select what GuardRepairs reads: every practice's preset and
// every role's practice, parent and guard.
var GuardFilters = []Filter{{ResourceType: TypeWorkspace, Relation: "preset"}, {ResourceType: TypeRole, Relation: "workspace"},
	{ResourceType: TypeRole, Relation: "inherits"}, {ResourceType: TypeRole, Relation: "guarded"}, {ResourceType: TypeRole, Relation: "peers"}}

// GuardRepairs returns the guards (guardOf) that built-in roles of stored
// practices lack: practices created before roles were guarded. s holds what
// GuardFilters select. Written at start, they are the same relationships
// createRole writes today, which no event removes (built-in roles are never
// deleted).
func GuardRepairs(s *State) []Relationship {
	var out []Relationship
	for _, r := range s.WhereType(TypeRole, func(r Relationship) bool { return r.Relation == "workspace" }) {
		ws, name, ok := strings.Cut(r.Resource.ID, "/")
		if !ok || r.Subject.ID != ws {
			continue
		}
		preset := Presets[firstSubject(s, workspaceObj(ws), "preset")]
		if preset == nil {
			continue
		}
		var want []Relationship
		if role, ok := preset.Role(name); ok {
			want = guardOf(ws, role)
		} else if guardedAncestor(Practice{S: s, WS: ws}, name) {
			want = guard(ws, name)
		}
		for _, g := range want {
			if !s.Has(g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// catalogueMarks are the grants a practice made with the current catalogue
// has wherever the preset gives them, and one made before field groups
// existed lacks: every level of every field group's actions.
func catalogueMarks() []string {
	var out []string
	for _, c := range Capabilities() {
		if lateCapability(c) {
			a, _ := AreaByName(c.Area)
			for _, l := range a.GrantLevels() {
				out = append(out, c.Relation(l))
			}
		}
	}
	return out
}

// lateCapability reports whether c came to the catalogue after practices
// were first stored: a field group's action, one granted apart (approving
// charges), opening a record in an emergency, reviewing access or managing
// API keys, the practice financial reports of Cliniko practitioners, or
// dashboard messages.
func lateCapability(c Capability) bool {
	a, _ := AreaByName(c.Area)
	_, _, field := c.field()
	return field || slices.Contains(a.Apart, c.Action) || slices.Contains([]string{AreaBreakGlass, AreaAccess, AreaRefunds, "api_keys", "practice_financial_reports", "messages"}, c.Area)
}

// CatalogueFilters select what CatalogueBehind reads: every practice's
// preset and roles, and the grants that tell a practice's roles are behind
// the catalogue (catalogueMarks), with the clients area's view and edit they
// follow.
func CatalogueFilters() []Filter {
	out := []Filter{{ResourceType: TypeWorkspace, Relation: "preset"}, {ResourceType: TypeRole, Relation: "workspace"}}
	for _, rel := range append(catalogueMarks(), Cap("clients", ActionView).Relation(LevelFull), Cap("clients", ActionView).Relation(LevelOwn)) {
		out = append(out, Filter{ResourceType: TypeRole, Relation: "grant", SubjectType: TypeCapability, SubjectID: rel})
	}
	return out
}

// CatalogueBehind returns the practices whose built-in roles are behind the
// catalogue in a way no event can set right: a fixed role (which no event
// changes) without a field group its preset gives it, or a personal role of
// switched permissions that views clients without the insurance its switch
// now gives. s holds what CatalogueFilters select.
func CatalogueBehind(s *State) []string {
	has := func(role Object, rel string) bool { return s.Has(Rel(role, "grant", capabilityObj(rel))) }
	behind := map[string]bool{}
	for _, r := range s.WhereType(TypeRole, func(r Relationship) bool { return r.Relation == "workspace" }) {
		ws, name, ok := strings.Cut(r.Resource.ID, "/")
		preset := Presets[firstSubject(s, workspaceObj(ws), "preset")]
		if !ok || r.Subject.ID != ws || preset == nil {
			continue
		}
		if role, builtin := preset.Role(name); builtin && role.Fixed {
			for _, c := range Capabilities() {
				if lateCapability(c) && role.Level(c) != LevelNone && !has(r.Resource, c.Relation(role.Level(c))) {
					behind[ws] = true
				}
			}
		}
	}
	for _, r := range s.WhereType(TypeRole, func(r Relationship) bool { return r.Relation == "grant" }) {
		ws, name, _ := strings.Cut(r.Resource.ID, "/")
		for _, l := range []Level{LevelFull, LevelOwn} {
			if IsPersonalRole(name) && r.Subject.ID == Cap("clients", ActionView).Relation(l) && !has(r.Resource, Cap("clients", "view_insurance").Relation(l)) {
				behind[ws] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(behind))
}

// CatalogueRepair plans bringing practice ws (s holds it whole, as a
// non-narrow batch reads it) up to the current catalogue where events cannot:
// its fixed built-in roles get every capability at the preset's level, and
// holders of its switched role their personal grants from their switches
// again; access is written out again from them. It is empty when nothing
// is behind.
func CatalogueRepair(s *State, ws string) (Plan, error) {
	p := &planner{s: s.Clone(), created: map[Object]bool{}, regranted: map[Object]bool{}, changed: map[Object]bool{}, readNotes: map[Object]bool{}, maxChanges: MaxChangesPerRequest, now: time.Now()}
	pr := p.practice(ws)
	preset := Presets[pr.Preset()]
	if preset == nil {
		return Plan{}, nil
	}
	for _, role := range preset.Roles {
		if role.Fixed && pr.HasRole(role.Name) {
			for _, c := range Capabilities() {
				p.setGrant(pr, role.Name, c, role.Level(c))
			}
		}
	}
	if preset.SwitchRole != "" {
		// Everyone with a personal role, whether they hold the switched
		// role now, held it once (its grants stay) or left (it loses
		// them): CatalogueBehind looks at them all.
		for _, r := range p.s.WhereType(TypeRole, func(r Relationship) bool { return r.Relation == "grant" }) {
			if _, name, _ := strings.Cut(r.Resource.ID, "/"); strings.HasPrefix(r.Resource.ID, ws+"/") && IsPersonalRole(name) {
				p.applySwitches(pr, preset, strings.TrimPrefix(name, "="))
			}
		}
	}
	p.passOnGrants()
	budget := p.maxChanges
	if !writeAccess(p.s, pr, nil, &budget) {
		return Plan{}, tooManyChanges(p.maxChanges)
	}
	touch, del := Diff(s, p.s)
	return Plan{Touch: touch, Delete: del, Workspaces: []string{ws}}, nil
}

// MarkFilters select what MarksBehind reads: every practice's preset and
// owner, whom it says sees every template's forms, and which staff members
// are marked as the account owner's.
var MarkFilters = []Filter{
	{ResourceType: TypeWorkspace, Relation: "preset"}, {ResourceType: TypeWorkspace, Relation: "owner"},
	{ResourceType: TypeWorkspace, Relation: "sees_every_form"}, {ResourceType: TypeStaffMember, Relation: "account_owner"},
}

// MarksBehind returns the practices stored before the marks the schema now
// reads, those MarkRepair would change. s holds what MarkFilters select.
func MarksBehind(s *State) []string {
	var behind []string
	for _, r := range s.WhereType(TypeWorkspace, func(r Relationship) bool { return r.Relation == "preset" }) {
		if p, _ := MarkRepair(s, r.Resource.ID); !p.Empty() {
			behind = append(behind, r.Resource.ID)
		}
	}
	return behind
}

// MarkRepair plans setting practice ws's marks right (s holds at least what
// MarkFilters select of it): who sees every template's forms
// (workspace#sees_every_form), and the account owner's staff member marked
// (staff_member#account_owner, which change_permissions subtracts), and
// nobody else's. It writes nothing else.
func MarkRepair(s *State, ws string) (Plan, error) {
	pr := Practice{S: s, WS: ws}
	preset := Presets[pr.Preset()]
	if preset == nil {
		return Plan{}, nil
	}
	p := Plan{Workspaces: []string{ws}}
	owner := Object{TypeStaffMember, StaffMemberID(ws, pr.Owner())}
	for _, r := range append(ownerMark(owner), seesEveryForm(pr, preset)) {
		if !s.HasKey(r) {
			p.Touch = append(p.Touch, r)
		}
	}
	for _, r := range s.WhereIn(TypeStaffMember, ws, func(r Relationship) bool { return r.Relation == "account_owner" }) {
		if r.Resource != owner {
			p.Delete = append(p.Delete, r)
		}
	}
	return p, nil
}

// ownerMark is what marks staff member sm as the account owner's: set to
// every user and service account, whom change_permissions subtracts.
func ownerMark(sm Object) []Relationship { return everyone(sm, "account_owner") }

// addCalendar makes the holders of one binding of a role bookable.
func (p *planner) addCalendar(pr Practice, binding string) {
	p.s.Add(Relationship{Resource: pr.obj(), Relation: "calendar", Subject: bindingMembers(binding)})
}

// HolderManagers selects every role's holder_manager relationships, which
// Outdated sorts.
var HolderManagers = Filter{ResourceType: TypeRole, Relation: "holder_manager"}

// Outdated returns those of rels that earlier versions of Ward wrote and
// this one would not, to be deleted at start: a location binding's members
// managing a role's holders (before createRole gave that to the
// workspace-wide binding only).
func Outdated(rels []Relationship) []Relationship {
	var out []Relationship
	for _, r := range rels {
		if r.Resource.Type != TypeRole || r.Relation != "holder_manager" || r.Subject.Type != TypeRoleBinding {
			continue
		}
		if _, _, location, ok := ParseBindingID(r.Subject.ID); ok && location != "" {
			out = append(out, r)
		}
	}
	return out
}

// TemplateChoices selects every template's chosen bindings, every practice's
// locations and every role's practice: what ViewerRepairWorkspaces reads.
var TemplateChoices = []Filter{{ResourceType: TypeTemplate, Relation: "viewer"}, {ResourceType: TypeWorkspace, Relation: "site"}, {ResourceType: TypeRole, Relation: "workspace"}, {ResourceType: TypeRegion, Relation: "workspace"}}

// ViewerRepairWorkspaces returns, from what TemplateChoices selects, the
// practices, sorted, whose templates' choices of roles an earlier Ward left
// wrong (see ViewerRepairs): those a start repairs, each under its lock.
func ViewerRepairWorkspaces(s *State) []string {
	missing, orphaned := ViewerRepairs(s, "")
	seen := map[string]bool{}
	for _, r := range append(missing, orphaned...) {
		ws, _, _, _ := ParseBindingID(r.Subject.ID)
		seen[ws] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// ViewerRepairs returns what earlier versions of Ward left wrong in the
// templates' choices of roles of practice ws (of every practice s holds
// when ws is ""), for a start to set right. Missing: a template that chose
// a role chose it at every location, but a location created after the
// choice did not get it before locationCreated gave it. Orphaned: a deleted
// role's choices stayed, and would have counted for a role later defined
// with its name, before roleDeleted read them. s must hold the templates,
// the practice's locations and its roles' workspace relationships.
func ViewerRepairs(s *State, ws string) (missing, orphaned []Relationship) {
	for _, r := range s.WhereType(TypeTemplate, func(r Relationship) bool { return r.Relation == "viewer" }) {
		of, role, location, ok := ParseBindingID(r.Subject.ID)
		switch {
		case !ok || (ws != "" && of != ws):
		case !s.Has(Rel(roleObj(of, role), "workspace", workspaceObj(of))):
			orphaned = append(orphaned, r)
		case location == "":
			var scopes []string
			for _, loc := range s.Subjects(workspaceObj(of), "site") {
				scopes = append(scopes, loc.ID)
			}
			for _, region := range (Practice{S: s, WS: of}).Regions() {
				scopes = append(scopes, RegionScope(region))
			}
			for _, scope := range scopes {
				v := Relationship{Resource: r.Resource, Relation: "viewer", Subject: bindingMembers(BindingID(of, role, scope))}.Lasting(r.Span())
				if !s.HasKey(v) {
					missing = append(missing, v)
				}
			}
		}
	}
	return missing, orphaned
}

// setGrant gives role level of a capability, narrowed by the account-wide
// settings that are on. The planner then passes the change on to the roles
// that inherit from role, and writes out what it gives holders.
func (p *planner) setGrant(pr Practice, role string, c Capability, level Level) {
	level = pr.narrowed(role, c, level)
	ro := roleObj(pr.WS, role)
	if _, ok := p.readNotes[ro]; !ok {
		p.readNotes[ro] = cmp.Or(pr.Grants(role)[Cap("notes", ActionView)], LevelNone) != LevelNone
	}
	p.regranted[ro] = true
	p.changed[ro] = true
	p.dropLevels(ro, "grant", c)
	if a, _ := AreaByName(c.Area); level != LevelNone && a.HasLevel(level) {
		p.s.Add(grantRel(ro, c.Relation(level)))
	}
}

// setTimedGrant gives role c at level for span only (a role's notes access
// from a start until an end), beside the level it has for good, which
// stays and counts again once the span ends: nothing is written at either
// moment. A role that has the level for good already needs nothing more;
// given again, the span is replaced.
func (p *planner) setTimedGrant(pr Practice, role string, c Capability, level Level, span Span) {
	level = pr.narrowed(role, c, level)
	for l, s := range pr.grantSpans(role)[c] {
		if rank(l) >= rank(level) && s.Always() {
			return
		}
	}
	if a, _ := AreaByName(c.Area); level == LevelNone || !a.HasLevel(level) {
		return
	}
	ro := roleObj(pr.WS, role)
	p.regranted[ro] = true
	p.changed[ro] = true
	r := grantRel(ro, c.Relation(level))
	p.s.RemoveKey(r)
	p.s.Add(r.Lasting(span))
}

// dropLevels removes role object ro's relation to every level of c.
func (p *planner) dropLevels(ro Object, relation string, c Capability) {
	a, _ := AreaByName(c.Area)
	for _, l := range a.GrantLevels() {
		p.s.Remove(Rel(ro, relation, capabilityObj(c.Relation(l)))) // the lasting ones: a grant given for a time stays beside
	}
}

// dropTimed removes role's grants of c given for a time.
func (p *planner) dropTimed(pr Practice, role string, c Capability) {
	ro := roleObj(pr.WS, role)
	for l, span := range pr.grantSpans(role)[c] {
		if !span.Always() {
			p.s.RemoveKey(grantRel(ro, c.Relation(l)))
			p.regranted[ro], p.changed[ro] = true, true
		}
	}
}

// narrowTimed narrows role's grants of c given for a time as the
// practice's settings now do, keeping their spans.
func (p *planner) narrowTimed(pr Practice, role string, c Capability) {
	for l, span := range pr.grantSpans(role)[c] {
		if to := pr.narrowed(role, c, l); !span.Always() && to != l {
			p.s.RemoveKey(grantRel(roleObj(pr.WS, role), c.Relation(l)))
			p.setTimedGrant(pr, role, c, to, span)
		}
	}
}

// ownerRule says why user could not become pr's account owner at now, or
// "" when they could.
func ownerRule(pr Practice, user string, now time.Time) string {
	if !pr.IsActive(user) {
		return fmt.Sprintf("%q is not enabled staff of %q: only a current staff member can become the account owner", user, pr.WS)
	}
	// Ownership has no end, so the new owner holds a role that has none
	// either: not someone whose every holding has ended, or will (a
	// contractor would keep the owner's powers past their contract).
	if !standing(pr, user, now) {
		return fmt.Sprintf("%q holds no role in %q that has started and has no end: the account owner holds a standing role from the moment they own; give them one (role.assigned without starts_at or expires_at) first", user, pr.WS)
	}
	if preset := Presets[pr.Preset()]; preset != nil && preset.OwnerHoldsOwnerRole && !holdsOwnerRole(pr, preset, user, now) {
		return fmt.Sprintf("%q does not hold %s workspace-wide without an end: in a %s practice the account owner is one of its %s holders; give them the role first (role.assigned without location or expires_at)", user, preset.OwnerRole, preset.Name, preset.OwnerRole)
	}
	return ""
}

func (p *planner) ownershipTransferred(i int, pr Practice, e Event) error {
	if why := ownerRule(pr, e.To, p.now); why != "" {
		return fieldErr(CodeConflict, i, "to", "%s", why)
	}
	old := pr.Owner() // before the change: the old owner is spared no longer
	for _, s := range p.s.Subjects(pr.obj(), "owner") {
		p.s.Remove(Relationship{Resource: pr.obj(), Relation: "owner", Subject: s})
	}
	p.s.Add(Rel(pr.obj(), "owner", userObj(e.To)))
	// The owner has no manager (staff.manager_set): one they had goes.
	for _, r := range p.s.Of(Object{TypeStaffMember, StaffMemberID(pr.WS, e.To)}, "manager") {
		p.s.Remove(r)
	}
	p.syncSeen(pr, old, false)
	p.syncSeen(pr, e.To, false)
	// A waiting claim is moot once the ownership moved (its claimant is told
	// unless they are the new owner); a backup owner who became the owner is
	// one no longer.
	p.endClaim(i, pr, e.To)
	p.s.Remove(Rel(pr.obj(), "backup_owner", userObj(e.To)))
	return nil
}

// OwnerRoles selects what OwnersWithoutOwnerRole reads: every practice's
// preset and owner, and every role holding.
var OwnerRoles = []Filter{{ResourceType: TypeWorkspace, Relation: "preset"}, {ResourceType: TypeWorkspace, Relation: "owner"}, {ResourceType: TypeRoleBinding, Relation: "member"}}

// OwnersWithoutOwnerRole returns, from what OwnerRoles selects, the
// practices, sorted, whose preset has the owner hold its owner role
// (Preset.OwnerHoldsOwnerRole) and whose owner does not: an earlier Ward let
// ownership pass to anyone with a standing role. Nothing is changed for
// them; ownership.transferred to a holder sets it right.
func OwnersWithoutOwnerRole(rels []Relationship) []string {
	s := NewState(rels...)
	var out []string
	for _, r := range s.WhereType(TypeWorkspace, func(r Relationship) bool { return r.Relation == "owner" }) {
		pr := Practice{S: s, WS: r.Resource.ID}
		if preset := Presets[pr.Preset()]; preset != nil && preset.OwnerHoldsOwnerRole && !holdsOwnerRole(pr, preset, pr.Owner(), time.Now()) {
			out = append(out, pr.WS)
		}
	}
	return out
}

// standing reports whether user holds a role that counts from now on with
// no end (one that started later counts once its start has come).
func standing(pr Practice, user string, now time.Time) bool {
	return slices.ContainsFunc(pr.Holdings(user), func(h Holding) bool { return h.Lasts.StandsAt(now) })
}

// holdsOwnerRole reports whether user holds the preset's owner role
// workspace-wide, counting from now on with no end
// (Preset.OwnerHoldsOwnerRole).
func holdsOwnerRole(pr Practice, preset *Preset, user string, now time.Time) bool {
	return slices.ContainsFunc(pr.Holdings(user), func(h Holding) bool {
		return h.Role == preset.OwnerRole && h.Location == "" && h.Lasts.StandsAt(now)
	})
}

// ownerRoleHeld tells, before a change to user's roles, whether they are the
// account owner holding the owner role their preset requires: ownerStands
// then refuses a change that takes it away. An owner an earlier Ward left
// without it is not refused other changes.
func ownerRoleHeld(pr Practice, user string, now time.Time) bool {
	preset := Presets[pr.Preset()]
	return preset != nil && preset.OwnerHoldsOwnerRole && user != "" && pr.Owner() == user && holdsOwnerRole(pr, preset, user, now)
}

// ownerStands refuses a change that leaves the account owner (user, if they
// are) without a standing role: ownership has no end, so it never outlives
// the owner's last role. Where the preset has the owner hold its owner role
// (Preset.OwnerHoldsOwnerRole), it also refuses one that takes that role
// from an owner who held it before the change (heldOwnerRole, from
// ownerRoleHeld).
func (p *planner) ownerStands(i int, pr Practice, user string, heldOwnerRole bool) error {
	if user == "" || pr.Owner() != user {
		return nil
	}
	if preset := Presets[pr.Preset()]; heldOwnerRole && !holdsOwnerRole(pr, preset, user, p.now) {
		return fieldErr(CodeConflict, i, "user", "%q is the account owner of %q and would no longer hold %s workspace-wide without an end: in a %s practice the owner keeps it; transfer ownership to another %s holder first (ownership.transferred)", user, pr.WS, preset.OwnerRole, preset.Name, preset.OwnerRole)
	}
	if standing(pr, user, p.now) {
		return nil
	}
	return fieldErr(CodeConflict, i, "user", "%q is the account owner of %q and would hold no role without an end: the owner keeps a standing role; transfer ownership first (ownership.transferred), or give them another role", user, pr.WS)
}

func (p *planner) locationCreated(i int, pr Practice, e Event) error {
	if e.Region != "" {
		if err := p.requireRegion(i, pr, e.Region); err != nil {
			return err
		}
	}
	loc := locationObj(e.Location)
	existed, err := p.claim(i, pr, "location", loc)
	if err != nil {
		return err
	}
	if existed {
		// Created again changes nothing, as an app replaying its log or
		// retrying expects, even after the location moved; only one that
		// names another region is refused: that would be a move, which
		// location.moved says.
		if now := pr.RegionOf(e.Location); e.Region != "" && now != e.Region {
			return fieldErr(CodeConflict, i, "region", "location %q exists in %s: move it with location.moved", e.Location, regionText(now))
		}
		return nil
	}
	p.s.Add(Rel(pr.obj(), "site", loc))
	p.openScope(pr, e.Location)
	if e.Region != "" {
		p.s.Add(Rel(regionObj(pr.WS, e.Region), "location", loc))
	}
	return nil
}

// openScope gives a new scope (a location, or a region's RegionScope) what
// every role has at each scope: its holders are bookable if the role has a
// calendar, and a form template that chose the role chose it at every scope
// (templateAccess), this one too.
func (p *planner) openScope(pr Practice, scope string) {
	for _, role := range pr.Roles() {
		here := bindingMembers(BindingID(pr.WS, role, scope))
		if pr.RoleHasCalendar(role) {
			p.addCalendar(pr, BindingID(pr.WS, role, scope))
		}
		wide := bindingMembers(BindingID(pr.WS, role, ""))
		for _, r := range p.s.WhereType(TypeTemplate, func(r Relationship) bool { return r.Relation == "viewer" && r.Subject == wide }) {
			p.s.Add(Relationship{Resource: r.Resource, Relation: "viewer", Subject: here}.Lasting(r.Span()))
		}
	}
}

// regionCreated adds a region: a group of locations (a regional manager's)
// where a role can be held at every location in it at once, those added or
// moved in later too.
func (p *planner) regionCreated(i int, pr Practice, e Event) error {
	if pr.HasRegion(e.Region) {
		return nil
	}
	p.s.Add(Rel(regionObj(pr.WS, e.Region), "workspace", pr.obj()))
	p.openScope(pr, RegionScope(e.Region))
	return nil
}

// locationMoved puts a location in another region, or in none when region
// is absent: holdings in its old region stop reaching it and those in the new
// one reach it, in the same write.
func (p *planner) locationMoved(i int, pr Practice, e Event) error {
	if err := p.requireIn(i, pr, "location", locationObj(e.Location)); err != nil {
		return err
	}
	if e.Region != "" {
		if err := p.requireRegion(i, pr, e.Region); err != nil {
			return err
		}
	}
	if old := pr.RegionOf(e.Location); old != "" {
		p.s.Remove(Rel(regionObj(pr.WS, old), "location", locationObj(e.Location)))
	}
	if e.Region != "" {
		p.s.Add(Rel(regionObj(pr.WS, e.Region), "location", locationObj(e.Location)))
	}
	return nil
}

func regionText(r string) string {
	if r == "" {
		return "no region"
	}
	return "region " + r
}

func (p *planner) requireRegion(i int, pr Practice, r string) error {
	if !pr.HasRegion(r) {
		return fieldErr(CodeInvalid, i, "region", "unknown region %q in workspace %q: create it with region.created first", r, pr.WS)
	}
	return nil
}

func (p *planner) staffAdded(i int, pr Practice, e Event) error {
	if err := p.requireRoleScope(i, pr, e); err != nil {
		return err
	}
	joined := !pr.IsMember(e.User)
	p.s.Add(Rel(pr.obj(), "member", userObj(e.User)))
	held := ownerRoleHeld(pr, e.User, p.now)
	p.hold(pr, e.Role, e.scope(), e.User, e.Span())
	if err := p.ownerStands(i, pr, e.User, held); err != nil {
		return err
	}
	if preset := Presets[pr.Preset()]; preset != nil && preset.SwitchRole == e.Role {
		p.applySwitches(pr, preset, e.User)
	}
	p.syncSeen(pr, e.User, joined) // adding a role to a lapsed member does not restore them
	p.syncNotesReaders(pr, e.User)
	if joined {
		p.reviewJoined(pr, e.User, p.now)
	}
	return nil
}

// undisableableHolding returns a role user holds whose holders may be neither
// disabled nor removed.
func undisableableHolding(pr Practice, user string) (string, bool) {
	preset := Presets[pr.Preset()]
	if preset == nil {
		return "", false
	}
	for _, h := range pr.Holdings(user) {
		if r, ok := preset.Role(h.Role); ok && r.Undisableable {
			return h.Role, true
		}
	}
	return "", false
}

func (p *planner) staffDisabled(i int, pr Practice, e Event) error {
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	if pr.Owner() == e.User {
		return fieldErr(CodeConflict, i, "user", "%q is the account owner and cannot be disabled: transfer ownership first", e.User)
	}
	if role, ok := undisableableHolding(pr, e.User); ok {
		return fieldErr(CodeConflict, i, "user", "%q holds %s, whose holders cannot be disabled: revoke the role first", e.User, role)
	}
	p.s.Add(Rel(pr.obj(), "disabled", userObj(e.User)))
	p.syncNotesReaders(pr, e.User)
	return nil
}

// staffEnabled gives a disabled staff member their permissions back, notes
// access to single clients included.
func (p *planner) staffEnabled(i int, pr Practice, e Event) error {
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	p.s.Remove(Rel(pr.obj(), "disabled", userObj(e.User)))
	p.syncSeen(pr, e.User, true) // enabling restores a lapsed member too
	p.syncNotesReaders(pr, e.User)
	return nil
}

// staffSeen records that a staff member was seen (signed in) at e.At, or
// now: under an inactivity policy their access lasts the policy's days from
// then (the last sign-in sent counts, as the app sends them in order).
// Without a policy, and for staff the policy spares, it writes nothing; it
// never restores someone who has lapsed (staff.enabled does).
func (p *planner) staffSeen(i int, pr Practice, e Event) error {
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	days := pr.InactivityDays()
	if days == 0 || pr.spared(e.User, p.now) || IsServiceAccount(e.User) {
		return nil
	}
	if pr.IsLapsed(e.User) {
		return fieldErr(CodeConflict, i, "user", "%q was not seen within %s and has lost access under the practice's inactivity policy: staff.enabled restores them", e.User, daysText(days))
	}
	at := e.At
	if at.IsZero() {
		at = p.now
	}
	end := EndAt(at.AddDate(0, 0, days))
	if end.PassedAt(p.now) {
		return fieldErr(CodeInvalid, i, "at", "%s is more than the policy's %s ago: the user would have lapsed by now", at.Format(time.RFC3339), daysText(days))
	}
	p.s.Add(seenRel(pr.WS, e.User).Lasting(Until(end)))
	return nil
}

// daysText is n days in words ("1 day", "30 days").
func daysText(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// policySet sets the practice's inactivity policy (inactivity_days; 0 or
// absent: none). Turning it on counts every member as seen now; changing
// the days moves each member's end by the difference (their last sign-in
// stays where it was); turning it off removes it all.
func (p *planner) policySet(i int, pr Practice, e Event) error {
	if e.Approvals != 0 {
		p.setApprovals(pr, e.Approvals)
	}
	if e.ReviewSet {
		p.setReviewPolicy(pr, e.ReviewDays, p.now)
	}
	if (e.Approvals != 0 || e.ReviewSet) && !e.InactivitySet {
		return nil // the inactivity policy stays as it is
	}
	old := pr.InactivityDays()
	for _, s := range p.s.Subjects(pr.obj(), "policy") {
		if strings.HasPrefix(s.ID, inactivityPolicy) {
			p.s.Remove(Relationship{Resource: pr.obj(), Relation: "policy", Subject: s})
		}
	}
	if e.InactivityDays == 0 {
		p.s.Remove(policed(pr.WS))
		for _, r := range p.s.Of(pr.obj(), "seen") {
			p.s.Remove(r)
		}
		return nil
	}
	p.s.Add(Rel(pr.obj(), "policy", Object{TypePolicy, inactivityPolicy + strconv.Itoa(e.InactivityDays)}))
	p.s.Add(policed(pr.WS))
	for _, m := range p.s.Subjects(pr.obj(), "member") {
		user := personOf(m)
		r := seenRel(pr.WS, user)
		if held := p.s.SpanOf(r); old != 0 && !held.End().Never() {
			moved := EndAt(held.End().Time().AddDate(0, 0, e.InactivityDays-old))
			p.s.RemoveKey(r)
			if !moved.PassedAt(p.now) {
				p.s.Add(r.Lasting(Until(moved)))
			}
			continue
		}
		p.syncSeen(pr, user, old == 0)
	}
	return nil
}

// syncSeen keeps user's seen relationship right for the practice's
// inactivity policy: none without a policy, or for service accounts and
// non-members; no end for staff the policy spares; the policy's days from
// now for a fresh start (added, enabled, the policy just on) and for someone
// it stopped sparing; otherwise as it is (an end, or lapsed).
func (p *planner) syncSeen(pr Practice, user string, fresh bool) {
	r := seenRel(pr.WS, user)
	days := pr.InactivityDays()
	if days == 0 || IsServiceAccount(user) || !pr.IsMember(user) {
		p.s.RemoveKey(r)
		return
	}
	if pr.spared(user, p.now) {
		p.s.Add(r) // Add replaces the key's relationship with an end
		return
	}
	if held := p.s.HasKey(r); fresh || (held && p.s.SpanOf(r).Always()) {
		p.s.Add(r.Lasting(Until(EndAt(p.now.AddDate(0, 0, days)))))
	}
}

// syncNotesReaders keeps user's per-client notes access in effect
// (notes_reader) exactly where it was given (notes_access), while they are
// enabled and hold a role that may ever read treatment notes: while both
// such a holding and the access given last.
func (p *planner) syncNotesReaders(pr Practice, user string) {
	span, ok := pr.notesReaderSpan(user)
	given := map[Object]bool{}
	for _, r := range p.links(pr, user, Link{TypeClient, "notes_access"}) {
		given[r.Resource] = true
		reader := Rel(r.Resource, "notes_reader", userObj(user))
		p.s.RemoveKey(reader)
		if both, overlap := Intersect(span, r.Span()); ok && overlap {
			p.s.Add(reader.Lasting(both))
		}
	}
	for _, r := range p.links(pr, user, Link{TypeClient, "notes_reader"}) {
		if !given[r.Resource] {
			p.s.Remove(r)
		}
	}
}

// links returns the relationships by which the practice's records of link's
// type name user through link's relation.
func (p *planner) links(pr Practice, user string, link Link) []Relationship {
	return slices.DeleteFunc(p.s.Naming(user, link.Type, link.Relation), func(r Relationship) bool {
		// An ID with a '/' is WORKSPACE/...: no caller's ID has one.
		if ws, _, composite := strings.Cut(r.Resource.ID, "/"); composite {
			return ws != pr.WS
		}
		return WorkspaceOf(p.s, r.Resource) != pr.WS
	})
}

// staffRemoved takes a staff member out of the practice with everything that
// names them: holdings, switches, shares, notes access, and the links that
// made records theirs (treating practitioner, author). The records stay, but
// no longer count as anyone's own, so nothing of theirs reaches whoever is
// later added with the same ID (IDs such as emails are reused).
func (p *planner) staffRemoved(i int, pr Practice, e Event) error {
	if !pr.IsMember(e.User) {
		return nil // already removed
	}
	if pr.Owner() == e.User {
		return fieldErr(CodeConflict, i, "user", "%q is the account owner and cannot be removed: transfer ownership first", e.User)
	}
	// Removing is locking out too: Caspen's practitioner admin "cannot be
	// disabled or locked out from the platform".
	if role, ok := undisableableHolding(pr, e.User); ok {
		return fieldErr(CodeConflict, i, "user", "%q holds %s, whose holders cannot be removed: revoke the role first", e.User, role)
	}
	u := userObj(e.User)
	p.s.Remove(Rel(pr.obj(), "member", u))
	p.s.Remove(Rel(pr.obj(), "disabled", u))
	p.s.RemoveKey(seenRel(pr.WS, e.User))
	for _, h := range pr.Holdings(e.User) {
		p.s.RemoveKey(Rel(Object{TypeRoleBinding, BindingID(pr.WS, h.Role, h.Location)}, "member", u))
	}
	for _, r := range p.s.Naming(e.User, TypeSwitch, "enabled_for") {
		if strings.HasPrefix(r.Resource.ID, pr.WS+"/") {
			p.s.Remove(r)
		}
	}
	for _, r := range p.s.Of(roleObj(pr.WS, personalRole(e.User)), "") {
		p.s.Remove(r)
	}
	// A backup owner removed is one no longer, nor is their claim waiting:
	// whoever is later added under their ID must not inherit either.
	p.s.Remove(Rel(pr.obj(), "backup_owner", u))
	if c, ok := ClaimOf(p.s, pr.WS); ok && c.Claimant == e.User {
		p.endClaim(i, pr, "")
	}
	if err := p.closeOpeningsOf(i, pr, e.User, e.now().UTC().Truncate(time.Second), actorID(e)); err != nil {
		return err
	}
	if err := p.cancelRequestsOf(pr, e.User, e.now().UTC().Truncate(time.Second)); err != nil {
		return err
	}
	p.syncUnused(pr, e.User) // their holdings went above
	for _, r := range p.s.Of(Object{TypeStaffMember, StaffMemberID(pr.WS, e.User)}, "manager") {
		p.s.Remove(r)
	}
	for _, link := range personLinks {
		for _, r := range p.links(pr, e.User, link) {
			p.s.Remove(r)
		}
	}
	p.forgetReview(pr, e.User)
	return nil
}

func (p *planner) roleMembership(i int, pr Practice, e Event) error {
	if err := p.requireRoleScope(i, pr, e); err != nil {
		return err
	}
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	if e.Type == "role.assigned" && IsServiceAccount(e.User) {
		if err := p.requireAccountRole(i, pr, e.Role); err != nil {
			return err
		}
	}
	held := ownerRoleHeld(pr, e.User, p.now)
	if e.Type == "role.assigned" {
		p.hold(pr, e.Role, e.scope(), e.User, e.Span())
	} else {
		p.s.RemoveKey(Rel(Object{TypeRoleBinding, BindingID(pr.WS, e.Role, e.scope())}, "member", userObj(e.User)))
	}
	if err := p.ownerStands(i, pr, e.User, held); err != nil {
		return err
	}
	p.holdingsChanged(pr, e.Role, e.User)
	return nil
}

// holdingsChanged follows a change of user's holdings of role with what
// else follows them: the preset's individually switched permissions (held
// as a personal role, lasting as the switch role's holding does), the
// inactivity policy's sparing (a role that cannot be disabled spares its
// holders), and per-client notes access.
func (p *planner) holdingsChanged(pr Practice, role, user string) {
	if preset := Presets[pr.Preset()]; preset != nil && preset.SwitchRole == role {
		p.applySwitches(pr, preset, user)
	}
	p.syncSeen(pr, user, false)
	p.syncNotesReaders(pr, user)
	p.syncUnused(pr, user)
}

// serviceAccountCreated adds an integration to the practice as a member that
// holds role (if given) like staff. Its ID is never reused in the practice
// once taken (claim keeps it), so keys of a deleted account cannot come back
// to life with a new one of the same ID.
func (p *planner) serviceAccountCreated(i int, pr Practice, e Event) error {
	existed, err := p.claim(i, pr, "account", Object{TypeServiceAccount, e.Account})
	if err != nil {
		return err
	}
	if existed {
		if pr.IsMember(e.User) {
			return fieldErr(CodeConflict, i, "account", "service account %q already exists in workspace %q", e.Account, pr.WS)
		}
		return fieldErr(CodeConflict, i, "account", "service account %q was deleted from workspace %q, and IDs of service accounts are never reused (its old keys must stay dead): choose another ID", e.Account, pr.WS)
	}
	p.s.Add(Rel(pr.obj(), "member", userObj(e.User)))
	p.reviewJoined(pr, e.User, p.now)
	if e.Role == "" {
		if e.scope() != "" || !e.Span().Always() {
			return fieldErr(CodeInvalid, i, "role", "is required with location, region, starts_at, expires_at, hours or networks: they say where, when and from where the account holds it")
		}
		return nil
	}
	if err := p.requireRoleScope(i, pr, e); err != nil {
		return err
	}
	if err := p.requireAccountRole(i, pr, e.Role); err != nil {
		return err
	}
	p.hold(pr, e.Role, e.scope(), e.User, e.Span())
	return nil
}

// requireAccountRole refuses roles a service account cannot hold: the
// preset's individually switched role (its switches are per person), and
// roles whose holders can never be disabled (a leaked key's account must be
// one that can be switched off).
func (p *planner) requireAccountRole(i int, pr Practice, role string) error {
	preset := Presets[pr.Preset()]
	if preset == nil {
		return nil
	}
	if role == preset.SwitchRole {
		return fieldErr(CodeConflict, i, "role", "a service account cannot hold %s in preset %s: its permissions are switched on person by person", role, pr.Preset())
	}
	if r, ok := preset.Role(role); ok && r.Undisableable {
		return fieldErr(CodeConflict, i, "role", "a service account cannot hold %s in preset %s: its holders can never be disabled, and an integration must be one that can be switched off", role, pr.Preset())
	}
	return nil
}

// serviceAccountDeleted takes an integration out of the practice: it holds
// nothing and its keys stop authenticating (they need an enabled member).
func (p *planner) serviceAccountDeleted(i int, pr Practice, e Event) error {
	if err := p.requireIn(i, pr, "account", Object{TypeServiceAccount, e.Account}); err != nil {
		return err
	}
	if !pr.IsMember(e.User) {
		return nil // already deleted
	}
	u := userObj(e.User)
	p.s.Remove(Rel(pr.obj(), "member", u))
	p.s.Remove(Rel(pr.obj(), "disabled", u))
	for _, h := range pr.Holdings(e.User) {
		p.s.RemoveKey(Rel(Object{TypeRoleBinding, BindingID(pr.WS, h.Role, h.Location)}, "member", u))
	}
	p.forgetReview(pr, e.User)
	return nil
}

// hold makes user hold role at loc ("" workspace-wide) during span
// (replacing any earlier start and end).
func (p *planner) hold(pr Practice, role, loc, user string, span Span) {
	r := Rel(Object{TypeRoleBinding, BindingID(pr.WS, role, loc)}, "member", userObj(user))
	p.s.Add(r.Lasting(span.withRole(role, pr.RoleCond(role)))) // replaces the holding with another span
}

// setRoleConds gives role the conditions c (business hours, networks): in
// the role's own record, and in every holding of it, beside the holding's
// own, so that everything a holding gives carries them.
func (p *planner) setRoleConds(pr Practice, role string, c Cond) {
	c = c.asRole(role)
	if c.key() == pr.RoleCond(role).key() {
		return
	}
	r := Rel(roleObj(pr.WS, role), "conditions", pr.obj())
	p.s.RemoveKey(r)
	if !c.IsZero() {
		p.s.Add(r.Lasting(CondSpan(c)))
	}
	holders := map[string]bool{}
	for _, h := range pr.allHoldings() {
		if h.Role == role {
			m := Rel(Object{TypeRoleBinding, BindingID(pr.WS, role, h.Location)}, "member", userObj(h.User))
			p.s.Add(m.Lasting(h.Lasts.withRole(role, c)))
			holders[h.User] = true
		}
	}
	// What else follows their holdings follows the new span too: per-client
	// notes access, and the individually switched permissions of the
	// preset's switch role (held as a personal role, lasting as it does).
	preset := Presets[pr.Preset()]
	for _, user := range slices.Sorted(maps.Keys(holders)) {
		if preset != nil && preset.SwitchRole == role {
			p.applySwitches(pr, preset, user)
		}
		p.syncNotesReaders(pr, user)
	}
}

// roleConds is the conditions e leaves a role with: those it gives, and for
// role.updated, those it does not name as they were.
func roleConds(pr Practice, e Event) Cond {
	c := Cond{}
	if e.Type == "role.updated" {
		c = pr.RoleCond(e.Role)
	}
	if e.HoursSet || e.Type == "role.defined" {
		c.Hours = e.Cond.Hours
	}
	if e.NetworksSet || e.Type == "role.defined" {
		c.Networks = e.Cond.Networks
	}
	return c
}

// resolveGrants turns an event's grants into capability levels, checking that
// every area and action exists and allows the level.
func resolveGrants(i int, grants map[string]AreaGrant) (map[Capability]Level, error) {
	out := map[Capability]Level{}
	for _, area := range slices.Sorted(maps.Keys(grants)) {
		g := grants[area]
		a, ok := AreaByName(area)
		if !ok {
			return nil, fieldErr(CodeInvalid, i, "grants", "unknown area %q (areas: %s)", area, strings.Join(areaNames(), ", "))
		}
		levels := g.Actions
		if levels == nil {
			levels = map[string]Level{}
			for _, action := range a.WholeArea(g.Level) {
				levels[action] = g.Level
			}
		}
		for _, action := range slices.Sorted(maps.Keys(levels)) {
			if !a.HasAction(action) {
				return nil, fieldErr(CodeInvalid, i, "grants", "area %q has no action %q (actions: %s)", area, action, strings.Join(a.AllActions(), ", "))
			}
			if !a.HasLevel(levels[action]) {
				return nil, fieldErr(CodeInvalid, i, "grants", "area %q has no %q level: use %s", area, levels[action], strings.Join(a.Levels(), ", "))
			}
			out[Cap(area, action)] = levels[action]
		}
	}
	return out, nil
}

func (p *planner) builtinRole(pr Practice, role string) (Role, bool) {
	if preset := Presets[pr.Preset()]; preset != nil {
		return preset.Role(role)
	}
	return Role{}, false
}

func (p *planner) roleUpdated(i int, pr Practice, e Event) error {
	if err := p.requireRole(i, pr, e.Role); err != nil {
		return err
	}
	p.setRoleConds(pr, e.Role, roleConds(pr, e))
	if len(e.Grants) == 0 {
		return nil // conditions only: every role takes them, fixed ones too
	}
	if !p.s.Has(Rel(roleObj(pr.WS, e.Role), "editable", pr.obj())) {
		return fieldErr(CodeConflict, i, "role", "role %q cannot be changed: its grants are fixed (its hours and networks can be)", e.Role)
	}
	caps, err := roleGrants(i, pr, e.Role, e.Grants)
	if err != nil {
		return err
	}
	inherits := pr.Parent(e.Role) != ""
	limits, err := resolveLimits(i, e.Grants, inherits || len(pr.Heirs(e.Role)) > 0)
	if err != nil {
		return err
	}
	for c, level := range caps {
		p.setGrant(pr, e.Role, c, level)
		if inherits {
			p.setOverride(pr, e.Role, c, level)
		}
		p.setLimit(pr, e.Role, c, limits[c])
	}
	return nil
}

// resolveLimits reads the amount limits of an event's grants: only on
// actions an area limits (Area.Limited), at level all, and not for a role
// that inherits or is inherited (a limit is not passed on: its heirs would
// get the action with no limit, or none).
func resolveLimits(i int, grants map[string]AreaGrant, inheriting bool) (map[Capability]string, error) {
	out := map[Capability]string{}
	for _, area := range slices.Sorted(maps.Keys(grants)) {
		g := grants[area]
		a, _ := AreaByName(area)
		for _, action := range slices.Sorted(maps.Keys(g.Below)) {
			switch {
			case !slices.Contains(a.Limited, action):
				return nil, fieldErr(CodeInvalid, i, "grants", "area %q action %q takes no amount_below: only %s", area, action, limitedText())
			case g.Actions[action] != LevelFull:
				return nil, fieldErr(CodeInvalid, i, "grants", "amount_below on area %q action %q needs level \"all\": a limit on one's own records only is not modelled", area, action)
			case inheriting:
				return nil, fieldErr(CodeInvalid, i, "grants", "amount_below is not given to a role that inherits another or is inherited: give it to a role that stands alone")
			}
			out[Cap(area, action)] = FormatAmount(g.Below[action])
		}
	}
	return out, nil
}

// limitedText names the actions a grant may limit by amount.
func limitedText() string {
	var out []string
	for _, a := range Areas {
		for _, action := range a.Limited {
			out = append(out, fmt.Sprintf("area %q action %q", a.Name, action))
		}
	}
	return strings.Join(out, ", ")
}

// LimitedSuffix ends the relation, on a workspace and its locations, that
// names the role bindings whose members hold a capability only below an
// amount (Relationship.Below): invoices_approve_limited.
const LimitedSuffix = "_limited"

// setLimit makes role hold c only for amounts below limit ("": no limit, as
// setGrant says). A limited grant is role#limited@capability (with the
// limit as Below) instead of role#grant: nobody's access is written out for
// it; writeLimits names the role's bindings on each place instead, and
// SpiceDB compares the amount a check gives.
func (p *planner) setLimit(pr Practice, role string, c Capability, limit string) {
	ro := roleObj(pr.WS, role)
	r := Rel(ro, "limited", capabilityObj(c.Relation(LevelFull)))
	if limit == "" {
		p.s.RemoveKey(r)
		return
	}
	p.setGrant(pr, role, c, LevelNone)
	r.Below = limit
	p.s.Add(r)
	p.regranted[ro], p.changed[ro] = true, true
}

// roleGrants resolves an event's grants for role and refuses, capability by
// capability in order, what the preset does not let role be given: its
// owner-only areas, a capability reserved for another role when the event
// names it (an area-wide level, as in "staff": "all", leaves it out instead),
// and the fixed areas of a built-in role.
func roleGrants(i int, pr Practice, role string, grants map[string]AreaGrant) (map[Capability]Level, error) {
	caps, err := resolveGrants(i, grants)
	if err != nil {
		return nil, err
	}
	preset := Presets[pr.Preset()]
	if preset == nil {
		return caps, nil
	}
	// An area-wide level leaves out what the area reserves for another role,
	// unless that is all of the area: then it asks for what is reserved.
	for c, holder := range preset.Reserved {
		if g, ok := grants[c.Area]; ok && g.Actions == nil && holder != role && !preset.reservesAll(c.Area, role) {
			delete(caps, c)
		}
	}
	builtin, isBuiltin := preset.Role(role)
	for _, c := range slices.SortedFunc(maps.Keys(caps), compareCaps) {
		if !preset.Grantable(c.Area) && c.Area != "" {
			return nil, fieldErr(CodeConflict, i, "grants", "area %q belongs to the account owner alone in preset %s and cannot be granted to a role", c.Area, preset.Name)
		}
		if holder, ok := preset.Reserved[c]; ok && holder != role && caps[c] != LevelNone {
			return nil, fieldErr(CodeConflict, i, "grants", "%s is reserved for role %q in preset %s and cannot be granted to role %q", c, holder, preset.Name, role)
		}
		// A fixed area may only be set back to the preset's own level: a
		// grant stored before the preset fixed the area can be taken away.
		if isBuiltin && !builtin.Changeable(c.Area) && caps[c] != builtin.Level(c) {
			return nil, fieldErr(CodeConflict, i, "grants", "area %q of role %q is fixed and cannot be changed (only set back to the preset's level, %s %s: %s)", c.Area, role, c.Area, c.Action, builtin.Level(c))
		}
	}
	return caps, nil
}

func compareCaps(a, b Capability) int { return strings.Compare(a.String(), b.String()) }

// roleDefined creates or replaces a custom role. One that inherits another
// has the parent's grants, as they are now and as they change later,
// overridden by what its own events grant ("custom roles inherit and override
// parent permissions").
func (p *planner) roleDefined(i int, pr Practice, e Event) error {
	if _, ok := p.builtinRole(pr, e.Role); ok {
		return fieldErr(CodeConflict, i, "role", "%q is a built-in role of preset %s: change it with role.updated", e.Role, pr.Preset())
	}
	caps, err := roleGrants(i, pr, e.Role, e.Grants)
	if err != nil {
		return err
	}
	calendar := false
	if e.Inherits != "" {
		if !pr.HasRole(e.Inherits) {
			return fieldErr(CodeInvalid, i, "inherits", "unknown role %q in workspace %q (roles: %s)", e.Inherits, pr.WS, strings.Join(pr.Roles(), ", "))
		}
		for r := e.Inherits; r != ""; r = pr.Parent(r) {
			if r == e.Role {
				return fieldErr(CodeInvalid, i, "inherits", "role %q cannot inherit %q, which inherits from it", e.Role, e.Inherits)
			}
		}
		calendar = pr.RoleHasCalendar(e.Inherits)
	}
	if e.Calendar != nil {
		calendar = *e.Calendar
	}
	ro := roleObj(pr.WS, e.Role)
	p.s.Add(Rel(ro, "workspace", pr.obj()))
	p.s.Add(Rel(ro, "editable", pr.obj()))
	for _, b := range scopes(pr, e.Role) {
		r := Relationship{Resource: pr.obj(), Relation: "calendar", Subject: bindingMembers(b)}
		if calendar {
			p.s.Add(r)
		} else {
			p.s.Remove(r)
		}
	}
	limits, err := resolveLimits(i, e.Grants, e.Inherits != "" || len(pr.Heirs(e.Role)) > 0)
	if err != nil {
		return err
	}
	p.disinherit(pr, e.Role)
	p.setRoleConds(pr, e.Role, roleConds(pr, e))
	if e.Inherits != "" {
		p.s.Add(Rel(ro, "inherits", roleObj(pr.WS, e.Inherits)))
		for c, level := range caps {
			p.setOverride(pr, e.Role, c, level)
		}
		p.inherit(pr, e.Role)
	} else {
		for _, c := range Capabilities() {
			p.setGrant(pr, e.Role, c, caps[c]) // absent: none
		}
	}
	for _, c := range Capabilities() {
		p.setLimit(pr, e.Role, c, limits[c])
	}
	for _, g := range guard(pr.WS, e.Role) {
		if guardedAncestor(pr, e.Role) {
			p.s.Add(g)
		} else {
			p.s.Remove(g)
		}
	}
	return nil
}

// inherit rewrites role's grants as its parent's current ones overridden by
// its own. A capability reserved for one role is not inherited from it.
func (p *planner) inherit(pr Practice, role string) {
	grants := pr.Grants(pr.Parent(role))
	maps.Copy(grants, pr.Overrides(role))
	if preset := Presets[pr.Preset()]; preset != nil {
		for c := range preset.Reserved {
			delete(grants, c)
		}
	}
	for _, c := range Capabilities() {
		p.setGrant(pr, role, c, grants[c]) // absent: none
	}
}

// disinherit makes role stand alone, keeping the grants it has now.
func (p *planner) disinherit(pr Practice, role string) {
	ro := roleObj(pr.WS, role)
	for _, rel := range []string{"inherits", "override", "override_none"} {
		for _, sub := range p.s.Subjects(ro, rel) {
			p.s.Remove(Relationship{Resource: ro, Relation: rel, Subject: sub})
		}
	}
}

// clearOverride leaves an inheriting role with its parent's level of c.
func (p *planner) clearOverride(pr Practice, role string, c Capability) {
	ro := roleObj(pr.WS, role)
	p.s.Remove(Rel(ro, "override_none", capabilityObj(c.Relation(LevelFull))))
	p.dropLevels(ro, "override", c)
}

// setOverride records the level an inheriting role's own events give it of a
// capability, whatever its parent's.
func (p *planner) setOverride(pr Practice, role string, c Capability, level Level) {
	p.clearOverride(pr, role, c)
	ro := roleObj(pr.WS, role)
	a, _ := AreaByName(c.Area)
	if level != LevelNone && a.HasLevel(level) {
		p.s.Add(Rel(ro, "override", capabilityObj(c.Relation(level))))
	} else {
		p.s.Add(Rel(ro, "override_none", capabilityObj(c.Relation(LevelFull))))
	}
}

// settingChanged switches an account-wide setting. On, it narrows its role at
// once (and every later grant to it); off, the role gets the preset's defaults
// back for what the setting covered.
func (p *planner) settingChanged(i int, pr Practice, e Event) error {
	preset := Presets[pr.Preset()]
	setting, ok := preset.Settings[e.Setting]
	if !ok {
		names := slices.Sorted(maps.Keys(preset.Settings))
		return fieldErr(CodeInvalid, i, "setting", "preset %s has no setting %q (settings: %s)", preset.Name, e.Setting, strings.Join(names, ", "))
	}
	r := Rel(pr.obj(), "setting", Object{TypeSetting, e.Setting})
	if !pr.HasRole(setting.Role) {
		return nil
	}
	if e.Value == "on" {
		p.s.Add(r)
		grants := pr.Grants(setting.Role)
		for c := range setting.Limits {
			p.setGrant(pr, setting.Role, c, grants[c])
			p.narrowTimed(pr, setting.Role, c)
		}
		return nil
	}
	p.s.Remove(r)
	builtin, _ := preset.Role(setting.Role)
	for c := range setting.Limits {
		p.setGrant(pr, setting.Role, c, builtin.Level(c))
	}
	return nil
}

// roleDeleted removes a custom role nobody holds.
func (p *planner) roleDeleted(i int, pr Practice, e Event) error {
	if !pr.HasRole(e.Role) {
		return nil // already deleted
	}
	if _, ok := p.builtinRole(pr, e.Role); ok {
		return fieldErr(CodeConflict, i, "role", "%q is a built-in role of preset %s and cannot be deleted", e.Role, pr.Preset())
	}
	prefix := BindingID(pr.WS, e.Role, "")
	holders := p.s.WhereIn(TypeRoleBinding, pr.WS, func(r Relationship) bool {
		return (r.Resource.ID == prefix || strings.HasPrefix(r.Resource.ID, prefix+"/")) && r.Relation == "member"
	})
	if len(holders) > 0 {
		return fieldErr(CodeConflict, i, "role", "role %q is held by %d staff: revoke it from them first", e.Role, len(holders))
	}
	// Requests for it that wait are cancelled: a role defined later under
	// its name is another.
	if err := p.cancelRequests(p.s.Where(func(r Relationship) bool {
		return r.Resource.Type == TypeAccessRequest && r.Relation == "role" && r.Subject.Object() == roleObj(pr.WS, e.Role)
	}), e.now().UTC().Truncate(time.Second), "its role was deleted"); err != nil {
		return err
	}
	// Its heirs keep what they have now, and stand alone.
	for _, heir := range pr.Heirs(e.Role) {
		p.disinherit(pr, heir)
	}
	ro := roleObj(pr.WS, e.Role)
	for _, r := range p.s.Where(func(r Relationship) bool {
		if r.Resource == ro {
			return true
		}
		if r.Subject.Type != TypeRoleBinding {
			return false
		}
		return r.Subject.ID == prefix || strings.HasPrefix(r.Subject.ID, prefix+"/")
	}) {
		p.s.Remove(r)
	}
	return nil
}

func areaNames() []string {
	out := make([]string, len(Areas))
	for i, a := range Areas {
		out[i] = a.Name
	}
	return out
}

func (p *planner) clientCreated(i int, pr Practice, e Event) error {
	client := Object{TypeClient, e.Client}
	if e.Location != "" {
		if err := p.requireIn(i, pr, "location", locationObj(e.Location)); err != nil {
			return err
		}
	}
	if e.Practitioner != "" {
		if err := p.requireCalendar(i, pr, "practitioner", e.Practitioner); err != nil {
			return err
		}
	}
	if _, err := p.claim(i, pr, "client", client); err != nil {
		return err
	}
	if e.Location != "" {
		p.setSingle(client, "location", locationObj(e.Location))
	}
	p.setScope(pr, client)
	if e.Practitioner != "" {
		p.s.Add(Rel(client, "practitioner", userObj(e.Practitioner)))
	}
	return nil
}

func (p *planner) clientDeleted(i int, pr Practice, e Event) error {
	client := Object{TypeClient, e.Client}
	switch WorkspaceOf(p.s, client) {
	case "":
		return nil // already deleted
	case pr.WS:
	default:
		return fieldErr(CodeConflict, i, "client", "client %q belongs to another workspace", e.Client)
	}
	// Its openings still open end with it (the opening stays, as history).
	now := e.now().UTC().Truncate(time.Second)
	for _, sub := range p.s.Subjects(client, "emergency") {
		obj := Object{sub.Type, sub.ID}
		if b, ok := BreakGlassOf(p.s, obj); ok && b.OpenAt(now) {
			if err := p.endOpening(i, pr, obj, b, now, actorID(e)); err != nil {
				return err
			}
		}
	}
	for _, r := range p.s.Of(client, "") {
		p.s.Remove(r)
	}
	return nil
}

func (p *planner) clientPractitioner(i int, pr Practice, e Event) error {
	return p.clientLink(i, pr, e, "practitioner", e.Type == "client.practitioner_assigned", p.requireCalendar)
}

func (p *planner) patientShare(i int, pr Practice, e Event) error {
	return p.clientLink(i, pr, e, "shared_with", e.Type == "patient.shared", p.requireMember)
}

// clientLink adds (after requireUser accepts e.User) or removes e.User under
// one of a client's relations. An added link lasts e's span (from starts_at
// until expires_at), replacing the span of one already there.
func (p *planner) clientLink(i int, pr Practice, e Event, relation string, add bool, requireUser func(int, Practice, string, string) error) error {
	client := Object{TypeClient, e.Client}
	if err := p.requireIn(i, pr, "client", client); err != nil {
		return err
	}
	r := Rel(client, relation, userObj(e.User))
	if !add {
		p.s.RemoveKey(r)
		return nil
	}
	if err := requireUser(i, pr, "user", e.User); err != nil {
		return err
	}
	p.s.Add(r.Lasting(e.Span()))
	return nil
}

func (p *planner) notesAccess(i int, pr Practice, e Event) error {
	granted := e.Type == "notes_access.granted"
	if e.Role == "" {
		client := Object{TypeClient, e.Client}
		if err := p.requireIn(i, pr, "client", client); err != nil {
			return err
		}
		access := Rel(client, "notes_access", userObj(e.User))
		if !granted {
			p.s.RemoveKey(access)
			p.syncNotesReaders(pr, e.User)
			return nil
		}
		if err := p.requireMember(i, pr, "user", e.User); err != nil {
			return err
		}
		if _, ok := pr.notesRoleSpan(e.User); !ok {
			return fieldErr(CodeConflict, i, "user", "%q holds no role that may ever read treatment notes in preset %s (%s): give them such a role first", e.User, pr.Preset(), strings.Join(pr.heldRoles(e.User), ", "))
		}
		p.s.Add(access.Lasting(e.Span()))
		p.syncNotesReaders(pr, e.User) // a disabled person's access counts once they are enabled
		return nil
	}
	if err := p.requireRole(i, pr, e.Role); err != nil {
		return err
	}
	builtin, isBuiltin := Role{}, false
	if preset := Presets[pr.Preset()]; preset != nil {
		builtin, isBuiltin = preset.Role(e.Role)
	}
	editable := p.s.Has(Rel(roleObj(pr.WS, e.Role), "editable", pr.obj()))
	for _, area := range []string{"notes", "letters"} {
		if !editable || (isBuiltin && !builtin.Changeable(area)) {
			return fieldErr(CodeConflict, i, "role", "notes and letters access of role %q is fixed and cannot be changed", e.Role)
		}
	}
	heir := pr.Parent(e.Role) != ""
	timed := granted && !e.Span().Always()
	if timed && (heir || len(pr.Heirs(e.Role)) > 0) {
		field := "expires_at"
		if !e.StartsAt.IsZero() {
			field = "starts_at"
		}
		return fieldErr(CodeInvalid, i, field, "notes access for a time is not given to a role that inherits another or is inherited (its heirs would keep it for good): give it to a role that stands alone, or give the role to the people for a time (role.assigned with starts_at and expires_at)")
	}
	for _, area := range []string{"notes", "letters"} {
		a, _ := AreaByName(area)
		for _, c := range a.Capabilities() {
			level := LevelFull
			if c == Cap("notes", ActionEdit) || c.Action == ActionDelete {
				level = LevelOwn // notes access writes and reads notes; it changes or deletes only what they wrote
			}
			if !granted {
				p.dropTimed(pr, e.Role, c) // revoked: for a time too
			}
			switch {
			case timed:
				p.setTimedGrant(pr, e.Role, c, level, e.Span())
				continue
			case granted && heir:
				p.setOverride(pr, e.Role, c, level)
			case heir:
				p.clearOverride(pr, e.Role, c) // back to what its parent has
				continue
			case !granted:
				level = builtin.Level(c) // the preset's default; none for custom roles
			}
			p.setGrant(pr, e.Role, c, level)
		}
	}
	if heir && !granted {
		p.inherit(pr, e.Role)
	}
	return nil
}

func (p *planner) noteCreated(i int, pr Practice, e Event) error {
	note, client := Object{TypeNote, e.Note}, Object{TypeClient, e.Client}
	if err := p.requireIn(i, pr, "client", client); err != nil {
		return err
	}
	if err := p.requireMember(i, pr, "author", e.Author); err != nil {
		return err
	}
	existed, err := p.claim(i, pr, "note", note)
	if err != nil {
		return err
	}
	if existed && (firstSubject(p.s, note, "client") != e.Client || firstSubject(p.s, note, "author") != e.Author) {
		return fieldErr(CodeConflict, i, "note", "note %q already exists with another client or author", e.Note)
	}
	p.s.Add(Rel(note, "client", client))
	p.s.Add(Rel(note, "author", userObj(e.Author)))
	return nil
}

// recordCreated handles appointments and invoices: records of a client, at a
// location (the client's unless given), optionally of a practitioner.
func (p *planner) recordCreated(i int, pr Practice, e Event, rec Object, field string, needsPractitioner bool) error {
	client := Object{TypeClient, e.Client}
	if err := p.requireIn(i, pr, "client", client); err != nil {
		return err
	}
	loc := e.Location
	if loc != "" {
		if err := p.requireIn(i, pr, "location", locationObj(loc)); err != nil {
			return err
		}
	} else {
		loc = firstSubject(p.s, client, "location")
	}
	if needsPractitioner {
		if err := p.requireCalendar(i, pr, "practitioner", e.Practitioner); err != nil {
			return err
		}
	}
	existed, err := p.claim(i, pr, field, rec)
	if err != nil {
		return err
	}
	if existed && firstSubject(p.s, rec, "client") != e.Client {
		return fieldErr(CodeConflict, i, field, "%s %q already exists for another client", field, rec.ID)
	}
	p.s.Add(Rel(rec, "client", client))
	if loc != "" {
		p.setSingle(rec, "location", locationObj(loc))
	}
	p.setScope(pr, rec)
	if e.Practitioner != "" {
		p.setSingle(rec, "practitioner", userObj(e.Practitioner))
	}
	return nil
}

// authoredRecord records a letter, file, expense or dashboard message and who
// wrote, uploaded, recorded or posted it: the author's "own" level (for letters and files, "written" too)
// reaches it.
func (p *planner) authoredRecord(i int, pr Practice, e Event, rec Object, field string, ofClient bool) error {
	if ofClient {
		if err := p.requireIn(i, pr, "client", Object{TypeClient, e.Client}); err != nil {
			return err
		}
	}
	if err := p.requireMember(i, pr, "author", e.Author); err != nil {
		return err
	}
	existed, err := p.claim(i, pr, field, rec)
	if err != nil {
		return err
	}
	if existed && (firstSubject(p.s, rec, "author") != e.Author || (ofClient && firstSubject(p.s, rec, "client") != e.Client)) {
		return fieldErr(CodeConflict, i, field, "%s %q already exists with another client or author", field, rec.ID)
	}
	if ofClient {
		p.s.Add(Rel(rec, "client", Object{TypeClient, e.Client}))
	}
	p.s.Add(Rel(rec, "author", userObj(e.Author)))
	return nil
}

func (p *planner) formCompleted(i int, pr Practice, e Event) error {
	form, client := Object{TypeForm, e.Form}, Object{TypeClient, e.Client}
	if err := p.requireIn(i, pr, "client", client); err != nil {
		return err
	}
	if e.Template != "" {
		if _, err := p.claim(i, pr, "template", Object{TypeTemplate, e.Template}); err != nil {
			return err
		}
	}
	existed, err := p.claim(i, pr, "form", form)
	if err != nil {
		return err
	}
	if existed && firstSubject(p.s, form, "client") != e.Client {
		return fieldErr(CodeConflict, i, "form", "form %q already exists for another client", e.Form)
	}
	p.s.Add(Rel(form, "client", client))
	if e.Template != "" {
		p.setSingle(form, "template", Object{TypeTemplate, e.Template})
	}
	return nil
}

// everyone is obj's flag relation set for every subject a check may ask
// about: each user and each service account.
func everyone(obj Object, relation string) []Relationship {
	return []Relationship{
		{Resource: obj, Relation: relation, Subject: Subject{Type: TypeUser, ID: "*"}},
		{Resource: obj, Relation: relation, Subject: Subject{Type: TypeServiceAccount, ID: "*"}},
	}
}

// templateAccess limits a form template's completed forms to chosen roles
// ("permissions can be modified for each form template").
func (p *planner) templateAccess(i int, pr Practice, e Event) error {
	tmpl := Object{TypeTemplate, e.Template}
	if _, err := p.claim(i, pr, "template", tmpl); err != nil {
		return err
	}
	switch e.Type {
	case "form_template.restricted":
		for _, r := range everyone(tmpl, "restricted") {
			if e.Value == "on" {
				p.s.Add(r)
			} else {
				p.s.Remove(r)
			}
		}
		return nil
	}
	if err := p.requireRole(i, pr, e.Role); err != nil {
		return err
	}
	if builtin, ok := p.builtinRole(pr, e.Role); ok && e.Type == "form_template.access_granted" && builtin.Never(Cap("forms", ActionView)) {
		return fieldErr(CodeConflict, i, "role", "role %q of preset %s never sees completed client forms, whatever a template allows", e.Role, pr.Preset())
	}
	for _, b := range scopes(pr, e.Role) {
		r := Relationship{Resource: tmpl, Relation: "viewer", Subject: bindingMembers(b)}.Lasting(e.Span())
		if e.Type == "form_template.access_granted" {
			p.s.Add(r)
		} else {
			p.s.RemoveKey(r)
		}
	}
	return nil
}

// setScope makes rec read access at its location, or on the workspace when it
// has none.
func (p *planner) setScope(pr Practice, rec Object) {
	target := pr.obj()
	if loc := firstSubject(p.s, rec, "location"); loc != "" {
		target = locationObj(loc)
	}
	p.setSingle(rec, "scope", target)
}

// setSingle makes sub the only subject of obj's relation.
func (p *planner) setSingle(obj Object, relation string, sub Object) {
	for _, r := range p.s.Of(obj, relation) {
		p.s.Remove(r)
	}
	p.s.Add(Rel(obj, relation, sub))
}

// claim gives obj to the practice unless it has one; it fails if obj belongs to
// another practice and reports whether obj already existed in this one.
func (p *planner) claim(i int, pr Practice, field string, obj Object) (existed bool, err error) {
	switch owner := WorkspaceOf(p.s, obj); owner {
	case "":
		p.s.Add(Rel(obj, "workspace", pr.obj()))
		p.created[obj] = true
		return false, nil
	case pr.WS:
		return true, nil
	default:
		return false, fieldErr(CodeConflict, i, field, "%s %q belongs to another workspace", obj.Type, obj.ID)
	}
}

func (p *planner) requireIn(i int, pr Practice, field string, obj Object) error {
	switch owner := WorkspaceOf(p.s, obj); owner {
	case pr.WS:
		return nil
	case "":
		return fieldErr(CodeInvalid, i, field, "unknown %s %q in workspace %q", obj.Type, obj.ID, pr.WS)
	default:
		return fieldErr(CodeConflict, i, field, "%s %q belongs to another workspace", obj.Type, obj.ID)
	}
}

func (p *planner) requireRole(i int, pr Practice, role string) error {
	if !pr.HasRole(role) {
		return fieldErr(CodeInvalid, i, "role", "unknown role %q in workspace %q (roles: %s)", role, pr.WS, strings.Join(pr.Roles(), ", "))
	}
	return nil
}

func (p *planner) requireRoleScope(i int, pr Practice, e Event) error {
	if err := p.requireRole(i, pr, e.Role); err != nil {
		return err
	}
	switch {
	case e.Location != "" && e.Region != "":
		return fieldErr(CodeInvalid, i, "region", "give location or region, not both: a role is held workspace-wide, at one location, or in one region")
	case e.Region != "":
		return p.requireRegion(i, pr, e.Region)
	case e.Location != "":
		return p.requireIn(i, pr, "location", locationObj(e.Location))
	}
	return nil
}

func (p *planner) requireMember(i int, pr Practice, field, user string) error {
	if !pr.IsMember(user) {
		return fieldErr(CodeConflict, i, field, "%q is not staff of workspace %q: add them with staff.added first", user, pr.WS)
	}
	return nil
}

func (p *planner) requireCalendar(i int, pr Practice, field, user string) error {
	if err := p.requireMember(i, pr, field, user); err != nil {
		return err
	}
	if !pr.HasCalendar(user) {
		return fieldErr(CodeConflict, i, field, "%q has no calendar in workspace %q: only holders of a role with a calendar (a practitioner role, or a custom role defined with calendar: true) can be booked or invoiced for", user, pr.WS)
	}
	if pr.IsDisabled(user) {
		return fieldErr(CodeConflict, i, field, "%q is disabled in workspace %q", user, pr.WS)
	}
	return nil
}

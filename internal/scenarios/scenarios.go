// Package scenarios holds practice stories, as events and the decisions that
// must follow, that Ward's tests run through every client: the Go adapter, the
// HTTP API and the CLI. They are data, not tests, so each client's test file
// stays a thin runner.
package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Base is a practice every scenario starts from.
const Base = `
{"type":"workspace.created","workspace":"p1","owner":"olivia","preset":"caspen"}
{"type":"location.created","workspace":"p1","location":"north"}
{"type":"location.created","workspace":"p1","location":"south"}
{"type":"staff.added","workspace":"p1","user":"priya","role":"practitioner"}
{"type":"staff.added","workspace":"p1","user":"pete","role":"practitioner"}
{"type":"staff.added","workspace":"p1","user":"sam","role":"practitioner","location":"south"}
{"type":"staff.added","workspace":"p1","user":"rita","role":"receptionist"}
{"type":"staff.added","workspace":"p1","user":"maya","role":"practice_manager"}
{"type":"staff.added","workspace":"p1","user":"alex","role":"accountant"}
{"type":"client.created","workspace":"p1","client":"ann","location":"north","practitioner":"priya"}
{"type":"client.created","workspace":"p1","client":"ben","location":"north","practitioner":"pete"}
{"type":"client.created","workspace":"p1","client":"cat","location":"south","practitioner":"sam"}
{"type":"note.created","workspace":"p1","note":"n-ann","client":"ann","author":"priya"}
{"type":"note.created","workspace":"p1","note":"n-ben","client":"ben","author":"pete"}
{"type":"appointment.booked","workspace":"p1","appointment":"ap-ann","client":"ann","practitioner":"priya"}
{"type":"invoice.created","workspace":"p1","invoice":"in-ann","client":"ann","practitioner":"priya"}
{"type":"workspace.created","workspace":"p2","owner":"hugo","preset":"caspen"}
{"type":"client.created","workspace":"p2","client":"zed","practitioner":"hugo"}
{"type":"workspace.created","workspace":"k9","owner":"kim","preset":"cliniko"}
{"type":"workspace.created","workspace":"cp9","owner":"cara","preset":"clinic_platform"}
`

// Check is a question and the answer it must get.
type Check struct {
	Subject, Permission, Resource string
	Allowed                       bool
	// Amount is the check's context.amount ("" for none).
	Amount string
	// IP is the check's context.ip ("" for none).
	IP string
	// Conditional: the answer must say it depends on context not given
	// (clients that report it: ConditionalChecker), which is Missing
	// (amount when it names none).
	Conditional bool
	Missing     []string
}

// at is c asked with context.amount.
func (c Check) at(amount string) Check { c.Amount = amount; return c }

// from is c asked with context.ip.
func (c Check) from(ip string) Check { c.IP = ip; return c }

// conditionally is c answered as depending on context not given: keys, or
// the amount when none are named.
func (c Check) conditionally(keys ...string) Check {
	c.Conditional, c.Missing = true, keys
	if len(keys) == 0 {
		c.Missing = []string{"amount"}
	}
	return c
}

// Lookup is a lookup and the sorted answer it must get: the resources of
// ResourceType ("type:id") a Subject reaches when Subject is set, else the
// subjects ("user:id") that reach Resource.
type Lookup struct {
	Subject, ResourceType string
	Resource              string
	Permission            string
	Want                  []string
	// IP is the lookup's context.ip ("" for none).
	IP string
	// Conditional, when not nil, asks the lookup again listing too what
	// would be allowed with more context: those results, each with the
	// context it needs ("client:ann": ["ip"]), and Want again outright.
	Conditional map[string][]string
}

// Explanation is a question whose explanation must hold a reason with Text.
type Explanation struct {
	Check
	Text string
}

// BreakGlassList is a list of a practice's emergency openings in State (by
// User, of Client, when set) and what it must hold: each opening as
// "ID:USER:CLIENT:OUTCOME", oldest first.
type BreakGlassList struct {
	Workspace, State, User, Client string
	Want                           []string
}

// RequestList is a list of a practice's requests for access in State (by
// User, when set) and what it must hold: each request as
// "ID:USER:ROLE:STATE", then ":BY" for each decision (empty for Ward's),
// oldest first.
type RequestList struct {
	Workspace, State, User string
	Want                   []string
}

// DelegationList is a list of a practice's delegations (in State, lent by
// or to User) and what it must hold: each "ID:FROM>TO:ROLE+ROLE:STATE",
// oldest first.
type DelegationList struct {
	Workspace, State, User string
	Want                   []string
}

// ReviewList is a practice's access review (one person's with User, those
// due with Due, those Actor may review with Actor) and what it must hold:
// each person as "USER:STATE:GRANTS", STATE "due", "current" (a review
// policy, not due) or "-" (no policy), GRANTS each grant's item followed
// by "<BY" when the request that granted it named an actor, joined by
// ","; then ";OUTCOME by REVIEWER" for the last review, if any.
type ReviewList struct {
	Workspace, User, Actor string
	Due                    bool
	Want                   []string
}

// Step applies events (JSON Lines; none for a step that only asks), then asks.
type Step struct {
	Events string
	// Actor is the person on whose behalf Events are sent ("user:ID").
	Actor string
	// Refused: applying Events must be refused as a conflict whose error
	// says this (and nothing is written); EndToken in it stands for the end
	// as an error writes it (RFC 3339, UTC).
	Refused string
	// NoChange: applying Events must write nothing (they are already in effect).
	NoChange bool
	// PastEnd: the step waits until the moment EndToken stood for has passed.
	// With no Events, its checks prove that access ended with no write.
	PastEnd      bool
	Checks       []Check
	Lookups      []Lookup
	Explanations []Explanation
	// Fields are asked of clients that can (FieldsAsker).
	Fields []Fields
	// BreakGlass are lists of emergency openings.
	BreakGlass []BreakGlassList
	// Requests are lists of requests for access.
	Requests []RequestList
	// Delegations are lists of delegations.
	Delegations []DelegationList
	// Reviews are access reviews.
	Reviews []ReviewList
	// Consumes are checks made with consume, in order, after Checks (and
	// their bulk check): each
	// may use up a one-time grant, so each is asked once.
	Consumes []Consume
}

// Consume is a check made with consume and what it must answer: the grant
// it used up ("access_request:WORKSPACE/ID"), or "".
type Consume struct {
	Check
	Consumed string
}

// Scenario is a named story on top of Base.
type Scenario struct {
	Name  string
	Steps []Step
}

func yes(s, p, r string) Check { return Check{Subject: s, Permission: p, Resource: r, Allowed: true} }
func no(s, p, r string) Check  { return Check{Subject: s, Permission: p, Resource: r} }

// All are the scenarios.
var All = slices.Concat(stories, endings, timedGrants, sealed, unmodelled, sensitiveFields, regions, guardedRoles, amountLimits, conditions, breakGlass, refunds, backupOwner, accessRequests, delegations, accessReviews)

// stories are the practices' everyday stories.
var stories = []Scenario{
	{Name: "roles_by_default", Steps: []Step{{Checks: []Check{
		yes("user:olivia", "manage_permissions", "workspace:p1"),
		no("user:maya", "manage_permissions", "workspace:p1"),
		yes("user:olivia", "view_notes", "client:ben"),
		yes("user:priya", "view_notes", "client:ann"),
		no("user:priya", "view_notes", "client:ben"),
		no("user:priya", "view", "client:ben"),
		yes("user:rita", "book_appointment", "client:ben"),
		no("user:rita", "view_notes", "client:ben"),
		yes("user:maya", "view", "client:cat"),
		no("user:maya", "view_notes", "client:cat"),
		yes("user:alex", "view", "invoice:in-ann"),
		no("user:alex", "view_files", "client:ann"),
		yes("user:priya", "has_calendar", "workspace:p1"),
		no("user:rita", "has_calendar", "workspace:p1"),
		yes("user:sam", "view", "client:cat"),
		no("user:sam", "view", "client:ann"),
		no("user:olivia", "view", "client:zed"),
		no("user:hugo", "view", "client:ann"),
	}}}},
	{Name: "role_change_takes_effect_immediately", Steps: []Step{
		{Checks: []Check{no("user:rita", "view_notes", "client:ann")}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"notes":"full"}}`,
			Checks: []Check{yes("user:rita", "view_notes", "client:ann"), yes("user:rita", "view", "note:n-ben")}},
		{Events: `{"type":"notes_access.revoked","workspace":"p1","role":"receptionist"}`,
			Checks: []Check{no("user:rita", "view_notes", "client:ann")}},
		{Events: `{"type":"notes_access.granted","workspace":"p1","role":"practice_manager"}`,
			Checks: []Check{yes("user:maya", "view_notes", "client:ann"), yes("user:maya", "view_letters", "client:cat"), no("user:rita", "view_notes", "client:ann"),
				no("user:maya", "edit", "note:n-ann")}}, // notes access changes only the drafts they wrote
		{Events: `{"type":"role.updated","workspace":"p1","role":"practitioner","grants":{"notes":"none"}}`,
			Checks: []Check{no("user:priya", "view_notes", "client:ann"), no("user:sam", "view_notes", "client:cat"), yes("user:priya", "view", "client:ann")}},
	}},
	{Name: "notes_access_for_one_client", Steps: []Step{
		{Events: `{"type":"notes_access.granted","workspace":"p1","user":"maya","client":"ann"}`,
			Checks: []Check{yes("user:maya", "view_notes", "client:ann"), yes("user:maya", "view", "note:n-ann"), no("user:maya", "write_notes", "client:ann"), no("user:maya", "view_notes", "client:ben")}},
		{Events: `{"type":"notes_access.revoked","workspace":"p1","user":"maya","client":"ann"}`,
			Checks: []Check{no("user:maya", "view_notes", "client:ann")}},
	}},
	{Name: "patient_shared_and_unshared", Steps: []Step{
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ben","user":"priya"}`,
			Checks: []Check{yes("user:priya", "view", "client:ben"), yes("user:priya", "view_notes", "client:ben"), yes("user:priya", "view", "note:n-ben")}},
		{Events: `{"type":"patient.unshared","workspace":"p1","client":"ben","user":"priya"}`,
			Checks: []Check{no("user:priya", "view", "client:ben"), no("user:priya", "view", "note:n-ben")}},
		// A share reaches only where the person's roles do: sam practises at
		// south, ben is at north.
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ben","user":"sam"}`,
			Checks: []Check{no("user:sam", "view", "client:ben"), yes("user:sam", "view", "client:cat")},
			Explanations: []Explanation{{no("user:sam", "view", "client:ben"),
				"sam holds role practitioner at location south, which has clients view: own, but only at location south and client:ben is at location north; client ben is shared with sam, but their own and shared records count only where their roles reach"}}},
	}},
	{Name: "ownership_transferred", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"adam","role":"practitioner_admin"}
{"type":"ownership.transferred","workspace":"p1","to":"adam"}`,
			Checks: []Check{
				yes("user:adam", "manage_permissions", "workspace:p1"), yes("user:adam", "manage_api_keys", "workspace:p1"),
				no("user:olivia", "manage_permissions", "workspace:p1"), no("user:olivia", "manage_subscription", "workspace:p1"),
				yes("user:olivia", "view_notes", "client:ben"), yes("user:olivia", "manage_staff", "workspace:p1"),
				yes("user:adam", "change_permissions", "staff_member:p1/olivia"), no("user:olivia", "change_permissions", "staff_member:p1/adam"),
			}},
	}},
	// Cliniko has no owner above its roles: "Change the subscription ...
	// (they are the only role that can do this)" of administrators. The owner
	// is one of them, ownership passes only to another, and every
	// administrator keeps the subscription.
	{Name: "cliniko_ownership_passes_between_administrators", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"k9","user":"k9b","role":"administrator"}
{"type":"staff.added","workspace":"k9","user":"k9s","role":"scheduler"}
{"type":"ownership.transferred","workspace":"k9","to":"k9b"}`,
			Checks: []Check{
				yes("user:k9b", "manage_subscription", "workspace:k9"), yes("user:kim", "manage_subscription", "workspace:k9"),
				no("user:k9s", "manage_subscription", "workspace:k9"), yes("user:k9b", "manage_api_keys", "workspace:k9"),
				no("user:kim", "manage_api_keys", "workspace:k9"),
				// the owner's permissions are nobody's to change; the old owner's are
				yes("user:k9b", "change_permissions", "staff_member:k9/kim"), no("user:kim", "change_permissions", "staff_member:k9/k9b"),
			},
			Explanations: []Explanation{{no("user:kim", "change_permissions", "staff_member:k9/k9b"),
				"k9b is the account owner of k9, who sits above every role: nobody changes their permissions"}}},
		{Events: `{"type":"role.revoked","workspace":"k9","user":"kim","role":"administrator"}`,
			Checks: []Check{no("user:kim", "manage_subscription", "workspace:k9")}},
	}},
	{Name: "service_accounts_are_checked_like_staff", Steps: []Step{
		{Events: `{"type":"service_account.created","workspace":"p1","account":"books","name":"Bookkeeping sync","role":"accountant"}
{"type":"service_account.created","workspace":"p1","account":"kiosk","name":"Check-in kiosk","role":"receptionist","location":"south"}`,
			Checks: []Check{
				yes("service_account:books", "view", "invoice:in-ann"), no("service_account:books", "view_notes", "client:ann"),
				no("service_account:books", "view_files", "client:ann"), no("service_account:books", "manage_api_keys", "workspace:p1"),
				yes("service_account:kiosk", "book_appointment", "client:cat"), no("service_account:kiosk", "book_appointment", "client:ann"),
				no("service_account:kiosk", "view_notes", "client:cat"), no("user:books", "view", "invoice:in-ann"),
				no("service_account:books", "view", "client:zed"),
			},
			Lookups: []Lookup{{Subject: "service_account:kiosk", Permission: "book_appointment", ResourceType: "client", Want: []string{"client:cat"}}},
		},
		{Events: `{"type":"role.assigned","workspace":"p1","user":"service_account:kiosk","role":"receptionist","location":"north"}`,
			Checks: []Check{yes("service_account:kiosk", "book_appointment", "client:ann")}},
		{Events: `{"type":"staff.disabled","workspace":"p1","user":"service_account:books"}`,
			Checks:  []Check{no("service_account:books", "view", "invoice:in-ann"), no("service_account:books", "view", "client:ann"), no("service_account:books", "view_invoices", "client:ann")},
			Lookups: []Lookup{{Subject: "service_account:books", Permission: "view", ResourceType: "client"}}},
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"service_account:books"}`,
			Checks: []Check{yes("service_account:books", "view", "invoice:in-ann"), yes("service_account:books", "view", "client:ann")}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"notes":"full"}}
{"type":"note.finalized","workspace":"p1","note":"n-ann"}`,
			Checks:  []Check{yes("service_account:kiosk", "view", "note:n-ann"), yes("service_account:kiosk", "edit", "note:n-ben"), no("service_account:kiosk", "edit", "note:n-ann")},
			Lookups: []Lookup{{Resource: "note:n-ben", Permission: "view", Want: []string{"user:olivia", "user:pete", "user:rita", "service_account:kiosk"}}}},
		{Events: `{"type":"service_account.deleted","workspace":"p1","account":"books"}`,
			Checks: []Check{no("service_account:books", "view", "invoice:in-ann"), no("service_account:books", "view", "note:n-ben")}},
	}},
	{Name: "client_ids_reused_within_one_batch", Steps: []Step{
		{Events: `{"type":"client.deleted","workspace":"p1","client":"ben"}
{"type":"client.created","workspace":"p1","client":"ben","location":"north","practitioner":"priya"}`,
			Checks: []Check{yes("user:priya", "view", "client:ben"), no("user:pete", "view", "client:ben"), no("user:pete", "view_notes", "client:ben")}},
		{Events: `{"type":"client.deleted","workspace":"p1","client":"ann"}
{"type":"client.created","workspace":"p2","client":"ann","practitioner":"hugo"}`,
			Checks: []Check{yes("user:hugo", "view", "client:ann"), no("user:priya", "view", "client:ann"), no("user:olivia", "view", "client:ann"), no("user:priya", "view", "note:n-ann"),
				no("user:hugo", "view", "note:n-ann"), no("user:hugo", "view", "appointment:ap-ann"), no("user:hugo", "view", "invoice:in-ann")},
			// p1's records still name client ann, now p2's: listing from hugo's side finds none of them.
			Lookups: []Lookup{
				{Subject: "user:hugo", Permission: "view", ResourceType: "appointment"},
				{Subject: "user:hugo", Permission: "view", ResourceType: "invoice"},
				{Subject: "user:hugo", Permission: "view", ResourceType: "note"},
				{Subject: "user:hugo", Permission: "view", ResourceType: "client", Want: []string{"client:ann", "client:zed"}},
			}},
	}},
	{Name: "disabled_staff_lose_everything_until_enabled", Steps: []Step{
		{Events: `{"type":"staff.disabled","workspace":"p1","user":"priya"}`,
			Checks: []Check{no("user:priya", "view", "client:ann"), no("user:priya", "has_calendar", "workspace:p1"), no("user:priya", "view", "note:n-ann"), no("user:priya", "view_own_reports", "workspace:p1")},
			// Lookups walk the schema from the person's side: no path may remain.
			Lookups: []Lookup{{Subject: "user:priya", Permission: "view", ResourceType: "client"}, {Subject: "user:priya", Permission: "view_notes", ResourceType: "client"},
				{Subject: "user:priya", Permission: "view", ResourceType: "appointment"}, {Subject: "user:priya", Permission: "view", ResourceType: "invoice"}}},
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"priya"}`,
			Checks: []Check{yes("user:priya", "view", "client:ann"), yes("user:priya", "edit", "note:n-ann")},
			Lookups: []Lookup{{Subject: "user:priya", Permission: "view", ResourceType: "appointment", Want: []string{"appointment:ap-ann"}},
				{Subject: "user:priya", Permission: "view", ResourceType: "invoice", Want: []string{"invoice:in-ann"}}}},
	}},
	{Name: "notes_access_pauses_while_disabled", Steps: []Step{
		{Events: `{"type":"notes_access.granted","workspace":"p1","user":"maya","client":"ann"}
{"type":"staff.disabled","workspace":"p1","user":"maya"}`,
			Checks: []Check{no("user:maya", "view_notes", "client:ann"), no("user:maya", "view_letters", "client:ann"), no("user:maya", "view", "note:n-ann")}},
		{Events: `{"type":"notes_access.granted","workspace":"p1","user":"maya","client":"ben"}`,
			Checks: []Check{no("user:maya", "view_notes", "client:ben")}},
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"maya"}`,
			Checks: []Check{yes("user:maya", "view_notes", "client:ann"), yes("user:maya", "view_notes", "client:ben"), yes("user:maya", "view", "note:n-ann")}},
	}},
	{Name: "staff_removed", Steps: []Step{
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete"}
{"type":"staff.removed","workspace":"p1","user":"pete"}`,
			Checks: []Check{no("user:pete", "view", "client:ben"), no("user:pete", "view", "client:ann"), yes("user:olivia", "view", "note:n-ben")}},
	}},
	{Name: "practitioner_reassigned", Steps: []Step{
		{Events: `{"type":"client.practitioner_unassigned","workspace":"p1","client":"ann","user":"priya"}
{"type":"client.practitioner_assigned","workspace":"p1","client":"ann","user":"pete"}`,
			Checks: []Check{no("user:priya", "view", "client:ann"), yes("user:pete", "view", "client:ann"), yes("user:pete", "view", "note:n-ann"), yes("user:pete", "view", "appointment:ap-ann"), yes("user:priya", "view", "appointment:ap-ann")}},
	}},
	{Name: "roles_revoked_and_held_at_one_location", Steps: []Step{
		{Events: `{"type":"role.revoked","workspace":"p1","user":"rita","role":"receptionist"}`,
			Checks: []Check{no("user:rita", "view", "client:ann")}},
		{Events: `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","location":"north"}`,
			Checks: []Check{yes("user:rita", "view", "client:ann"), no("user:rita", "view", "client:cat"), yes("user:rita", "create_client", "location:north"), no("user:rita", "create_client", "workspace:p1"),
				// Managing who holds the role is the staff area's, given only
				// workspace-wide: at north she could otherwise give it
				// workspace-wide, and so reach south's clients.
				no("user:rita", "manage_holders", "role:p1/receptionist")}},
		{Events: `{"type":"location.created","workspace":"p1","location":"west"}
{"type":"staff.added","workspace":"p1","user":"rw","role":"receptionist","location":"west"}
{"type":"staff.added","workspace":"p1","user":"ra","role":"receptionist"}`,
			Checks: []Check{no("user:rw", "manage_holders", "role:p1/receptionist"), yes("user:ra", "manage_holders", "role:p1/receptionist")}},
	}},
	{Name: "note_finalized", Steps: []Step{
		// The author (notes edit for own) and a practitioner admin (notes edit
		// for all) change a draft; another practitioner does not.
		{Checks: []Check{yes("user:priya", "edit", "note:n-ann"), yes("user:olivia", "edit", "note:n-ann"), no("user:pete", "edit", "note:n-ann")}},
		{Events: `{"type":"note.finalized","workspace":"p1","note":"n-ann"}`,
			Checks: []Check{no("user:priya", "edit", "note:n-ann"), no("user:olivia", "edit", "note:n-ann"), yes("user:priya", "view", "note:n-ann")}},
	}},
	{Name: "client_deleted", Steps: []Step{
		{Events: `{"type":"client.deleted","workspace":"p1","client":"ann"}`,
			Checks: []Check{no("user:priya", "view", "client:ann"), no("user:olivia", "view", "client:ann"), no("user:priya", "view", "note:n-ann")}},
	}},
	// A location created on its own, with only records after it: staff who
	// hold roles workspace-wide reach its records at once (their access there
	// used to wait for the next staff or role event).
	{Name: "a_location_alone_reaches_workspace_wide_staff", Steps: []Step{
		{Events: `{"type":"location.created","workspace":"p1","location":"west"}`},
		{Events: `{"type":"client.created","workspace":"p1","client":"wes","location":"west","practitioner":"pete"}`,
			Checks: []Check{yes("user:maya", "view", "client:wes"), yes("user:pete", "view_notes", "client:wes"), yes("user:rita", "book_appointment", "client:wes"),
				no("user:priya", "view_notes", "client:wes"), no("user:sam", "view", "client:wes")}},
	}},
	{Name: "later_location_gets_role_grants", Steps: []Step{
		{Events: `{"type":"location.created","workspace":"p1","location":"east"}
{"type":"staff.added","workspace":"p1","user":"rob","role":"receptionist","location":"east"}
{"type":"client.created","workspace":"p1","client":"dan","location":"east","practitioner":"pete"}`,
			Checks: []Check{yes("user:rob", "view", "client:dan"), no("user:rob", "view", "client:ann"), yes("user:pete", "view", "client:dan")}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"clients":"none","invoices":"none"}}`,
			Checks: []Check{no("user:rob", "view", "client:dan"), no("user:rita", "view", "client:ann")}},
	}},
	// Caspen's levels are "Full, Limited, or None"; limited is "User can only
	// access items related to them": own.
	{Name: "caspen_limited_is_own", Steps: []Step{
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"clients":"limited","invoices":"limited"}}`,
			Checks: []Check{no("user:rita", "view", "client:ann")}},
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"rita"}`,
			Checks: []Check{yes("user:rita", "view", "client:ann"), no("user:rita", "view", "client:ben")}},
	}},
	// A practitioner admin "cannot be disabled or locked out" (BadInputs);
	// revoking the role first lets them go.
	{Name: "practitioner_admin_removed_after_revoking", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"adam","role":"practitioner_admin"}`,
			Checks: []Check{yes("user:adam", "view_notes", "client:ben")}},
		{Events: `{"type":"role.revoked","workspace":"p1","user":"adam","role":"practitioner_admin"}
{"type":"staff.removed","workspace":"p1","user":"adam"}`,
			Checks: []Check{no("user:adam", "view_notes", "client:ben"), no("user:adam", "view", "client:ben")}},
	}},
	// "Custom roles inherit and override parent permissions": a change to the
	// parent reaches the heir, except where the heir's own grants differ; a
	// deleted parent leaves its heir as it was.
	{Name: "custom_role_follows_its_parent", Steps: []Step{
		{Events: `{"type":"role.defined","workspace":"cp9","role":"base","grants":{"clients":{"view":"all"}}}
{"type":"role.defined","workspace":"cp9","role":"heir","inherits":"base","grants":{"invoices":{"view":"all"}}}
{"type":"role.defined","workspace":"cp9","role":"grandheir","inherits":"heir"}
{"type":"staff.added","workspace":"cp9","user":"hal","role":"heir"}
{"type":"staff.added","workspace":"cp9","user":"gus","role":"grandheir"}
{"type":"client.created","workspace":"cp9","client":"cq1"}`,
			Checks: []Check{yes("user:hal", "view_contact", "client:cq1"), yes("user:hal", "view_invoices", "client:cq1"), no("user:hal", "edit", "client:cq1")}},
		{Events: `{"type":"role.updated","workspace":"cp9","role":"base","grants":{"clients":{"edit":"all"},"invoices":{"view":"none"}}}`,
			Checks: []Check{yes("user:hal", "edit", "client:cq1"), yes("user:hal", "view_invoices", "client:cq1"), yes("user:gus", "edit", "client:cq1")}},
		{Events: `{"type":"role.updated","workspace":"cp9","role":"heir","grants":{"clients":{"edit":"none"}}}
{"type":"role.updated","workspace":"cp9","role":"base","grants":{"clients":{"delete":"all"}}}`,
			Checks: []Check{no("user:hal", "edit", "client:cq1"), yes("user:hal", "delete", "client:cq1"), no("user:gus", "edit", "client:cq1")}},
		{Events: `{"type":"role.deleted","workspace":"cp9","role":"base"}
{"type":"role.defined","workspace":"cp9","role":"base","grants":{"appointments":{"view":"all"}}}`,
			Checks: []Check{yes("user:hal", "view_contact", "client:cq1"), yes("user:hal", "delete", "client:cq1"), yes("user:gus", "delete", "client:cq1")}},
	}},
	// Notes access given to a role is a change of its grants like any other:
	// it reaches the role's heirs, and given to an heir it outlasts changes to
	// the parent; taken from an heir, the parent's level is back.
	{Name: "notes_access_and_inheriting_roles", Steps: []Step{
		{Events: `{"type":"role.defined","workspace":"cp9","role":"nbase","grants":{"clients":{"view":"all"}}}
{"type":"role.defined","workspace":"cp9","role":"nheir","inherits":"nbase"}
{"type":"staff.added","workspace":"cp9","user":"nina","role":"nheir"}
{"type":"client.created","workspace":"cp9","client":"cq2"}
{"type":"notes_access.granted","workspace":"cp9","role":"nbase"}`,
			Checks: []Check{yes("user:nina", "view_notes", "client:cq2"), yes("user:nina", "view_letters", "client:cq2")}},
		{Events: `{"type":"notes_access.revoked","workspace":"cp9","role":"nbase"}`,
			Checks: []Check{no("user:nina", "view_notes", "client:cq2")}},
		{Events: `{"type":"notes_access.granted","workspace":"cp9","role":"nheir"}
{"type":"role.updated","workspace":"cp9","role":"nbase","grants":{"forms":{"view":"all"}}}`,
			Checks: []Check{yes("user:nina", "view_notes", "client:cq2"), yes("user:nina", "view_forms", "client:cq2")}},
		{Events: `{"type":"notes_access.revoked","workspace":"cp9","role":"nheir"}`,
			Checks: []Check{no("user:nina", "view_notes", "client:cq2"), yes("user:nina", "view_forms", "client:cq2")}},
		{Events: `{"type":"notes_access.granted","workspace":"cp9","role":"nbase"}
{"type":"notes_access.revoked","workspace":"cp9","role":"nheir"}`,
			Checks: []Check{yes("user:nina", "view_notes", "client:cq2")}},
	}},
	{Name: "lookups_and_explanations", Steps: []Step{{
		Lookups: []Lookup{
			{Subject: "user:priya", Permission: "view", ResourceType: "client", Want: []string{"client:ann"}},
			{Subject: "user:maya", Permission: "view", ResourceType: "client", Want: []string{"client:ann", "client:ben", "client:cat"}},
			{Subject: "user:sam", Permission: "view", ResourceType: "invoice", Want: nil},
			{Resource: "client:ann", Permission: "view_notes", Want: []string{"user:olivia", "user:priya"}},
			{Resource: "workspace:p1", Permission: "manage_api_keys", Want: []string{"user:olivia"}},
		},
		Explanations: []Explanation{
			{yes("user:priya", "view_notes", "client:ann"), "priya holds role practitioner workspace-wide, which has notes view: own, and priya is client ann's practitioner"},
			{no("user:rita", "view_notes", "client:ann"), "rita holds role receptionist workspace-wide, which has notes view: none"},
			{no("user:maya", "manage_api_keys", "workspace:p1"), "only the account owner (olivia) may create and manage API keys (the owner, or a role granted it)"},
		},
	}}},
	{Name: "custom_roles_reach_what_they_grant_and_no_further", Steps: []Step{
		{Events: `{"type":"role.defined","workspace":"p1","role":"lead_therapist","grants":{"clients":{"view":"all","create":"all","edit":"all"},"appointments":"all","invoices":{"view":"all"},"notes":"own"}}
{"type":"staff.added","workspace":"p1","user":"lee","role":"lead_therapist"}`,
			Checks: []Check{
				yes("user:lee", "view", "client:ben"), yes("user:lee", "edit", "client:ben"), no("user:lee", "delete", "client:ben"),
				yes("user:lee", "create_client", "workspace:p1"), yes("user:lee", "book_appointment", "client:cat"),
				yes("user:lee", "view", "invoice:in-ann"), no("user:lee", "edit", "invoice:in-ann"), no("user:lee", "void", "invoice:in-ann"),
				no("user:lee", "view_notes", "client:ben"), no("user:lee", "has_calendar", "workspace:p1"), no("user:lee", "manage_staff", "workspace:p1"),
			}},
		{Events: `{"type":"role.defined","workspace":"p1","role":"junior","inherits":"practitioner","grants":{"invoices":"none","forms":{"view":"all"}}}
{"type":"staff.added","workspace":"p1","user":"jo","role":"junior"}
{"type":"client.created","workspace":"p1","client":"dee","location":"north","practitioner":"jo"}`,
			Checks: []Check{
				yes("user:jo", "has_calendar", "workspace:p1"), yes("user:jo", "view", "client:dee"), yes("user:jo", "view_notes", "client:dee"),
				no("user:jo", "view", "client:ben"), no("user:jo", "view_notes", "client:ben"), no("user:jo", "view_invoices", "client:dee"),
				yes("user:jo", "view_forms", "client:ben"), no("user:jo", "view_files", "client:ben"),
			}},
		{Events: `{"type":"role.defined","workspace":"p1","role":"lead_therapist","grants":{"clients":{"view":"own"}}}`,
			Checks: []Check{no("user:lee", "view", "client:ben"), no("user:lee", "book_appointment", "client:cat")}},
		{Events: `{"type":"role.revoked","workspace":"p1","user":"lee","role":"lead_therapist"}
{"type":"role.deleted","workspace":"p1","role":"lead_therapist"}`,
			Checks: []Check{no("user:lee", "view", "client:ben")}},
	}},
	{Name: "written_level_reaches_only_what_they_wrote", Steps: []Step{
		{Events: `{"type":"role.defined","workspace":"p1","role":"scribe","grants":{"clients":{"view":"all"},"notes":{"view":"written","create":"all","edit":"written"}}}
{"type":"staff.added","workspace":"p1","user":"sue","role":"scribe"}
{"type":"note.created","workspace":"p1","note":"n-sue","client":"ann","author":"sue"}`,
			Checks: []Check{
				yes("user:sue", "view", "note:n-sue"), yes("user:sue", "edit", "note:n-sue"), yes("user:sue", "write_notes", "client:ann"),
				no("user:sue", "view", "note:n-ann"), no("user:sue", "edit", "note:n-ann"), no("user:sue", "view_notes", "client:ann"),
			}},
		// Shared with her, the client is hers: the written level answers for the
		// client itself as own does, and still reaches no colleague's note.
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"sue"}`,
			Checks: []Check{yes("user:sue", "view_notes", "client:ann"), no("user:sue", "view", "note:n-ann"), yes("user:sue", "view", "note:n-sue")}},
	}},
	{Name: "cliniko_roles_nest", Steps: []Step{{
		Events: `{"type":"workspace.created","workspace":"k1","owner":"kay","preset":"cliniko"}
{"type":"staff.added","workspace":"k1","user":"ks","role":"scheduler"}
{"type":"staff.added","workspace":"k1","user":"kr","role":"receptionist"}
{"type":"staff.added","workspace":"k1","user":"kpr","role":"power_receptionist"}
{"type":"staff.added","workspace":"k1","user":"kp","role":"practitioner"}
{"type":"staff.added","workspace":"k1","user":"kb","role":"bookkeeper"}
{"type":"client.created","workspace":"k1","client":"kc","practitioner":"kp"}
{"type":"invoice.created","workspace":"k1","invoice":"ki","client":"kc","practitioner":"kp"}`,
		Checks: []Check{
			yes("user:ks", "book_appointment", "client:kc"), no("user:ks", "view", "invoice:ki"), no("user:ks", "view_notes", "client:kc"),
			yes("user:kr", "view", "invoice:ki"), no("user:kr", "void", "invoice:ki"), yes("user:kr", "book_appointment", "client:kc"),
			yes("user:kpr", "void", "invoice:ki"), yes("user:kpr", "delete", "client:kc"), no("user:kpr", "view_notes", "client:kc"), no("user:kpr", "manage_staff", "workspace:k1"),
			yes("user:kp", "view_notes", "client:kc"), yes("user:kp", "view_medical_alerts", "client:kc"), yes("user:kp", "has_calendar", "workspace:k1"),
			yes("user:kb", "void", "invoice:ki"), no("user:kb", "view_forms", "client:kc"),
			yes("user:kay", "manage_subscription", "workspace:k1"), yes("user:kay", "export_data", "workspace:k1"), no("user:kay", "write_notes", "client:kc"),
			yes("user:kay", "delete_data", "workspace:k1"), no("user:kpr", "delete_data", "workspace:k1"), no("user:kpr", "export_data", "workspace:k1"), no("user:kpr", "manage_subscription", "workspace:k1"),
		},
	}}},
	{Name: "cliniko_settings_narrow_practitioners_until_switched_off", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k2","owner":"kz","preset":"cliniko"}
{"type":"staff.added","workspace":"k2","user":"kx","role":"practitioner"}
{"type":"staff.added","workspace":"k2","user":"ky","role":"practitioner"}
{"type":"client.created","workspace":"k2","client":"kcx","practitioner":"kx"}
{"type":"client.created","workspace":"k2","client":"kcy","practitioner":"ky"}
{"type":"invoice.created","workspace":"k2","invoice":"kiy","client":"kcy","practitioner":"ky"}`,
			Checks: []Check{yes("user:kx", "view_notes", "client:kcy"), yes("user:kx", "view", "invoice:kiy")}},
		{Events: `{"type":"setting.changed","workspace":"k2","setting":"practitioners_see_own_notes_only","value":"on"}
{"type":"setting.changed","workspace":"k2","setting":"practitioners_cannot_see_financials","value":"on"}`,
			Checks: []Check{no("user:kx", "view_notes", "client:kcy"), yes("user:kx", "view_notes", "client:kcx"), no("user:ky", "view", "invoice:kiy"), yes("user:kx", "book_appointment", "client:kcy")}},
		{Events: `{"type":"role.updated","workspace":"k2","role":"practitioner","grants":{"notes":"all","invoices":"all"}}`,
			Checks: []Check{no("user:kx", "view_notes", "client:kcy"), no("user:ky", "view", "invoice:kiy")}},
		{Events: `{"type":"setting.changed","workspace":"k2","setting":"practitioners_see_own_notes_only","value":"off"}`,
			Checks: []Check{yes("user:kx", "view_notes", "client:kcy"), no("user:ky", "view", "invoice:kiy")}},
	}},
	{Name: "clinicsense_office_staff_permissions_switch_one_by_one", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs1","owner":"csa","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs1","user":"csp","role":"practitioner"}
{"type":"staff.added","workspace":"cs1","user":"cso","role":"office_staff"}
{"type":"client.created","workspace":"cs1","client":"csc","practitioner":"csp"}
{"type":"invoice.created","workspace":"cs1","invoice":"csi","client":"csc","practitioner":"csp"}`,
			Checks: []Check{no("user:cso", "view", "invoice:csi"), yes("user:cso", "view_all_calendars", "workspace:cs1"), no("user:cso", "book_appointment", "client:csc")}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs1","user":"cso","permission":"edit_invoices","value":"on"}`,
			Checks: []Check{no("user:cso", "edit", "invoice:csi")}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs1","user":"cso","permission":"view_invoices","value":"on"}`,
			Checks: []Check{yes("user:cso", "view", "invoice:csi"), yes("user:cso", "edit", "invoice:csi"), no("user:cso", "manage_payments", "invoice:csi"), no("user:cso", "view_notes", "client:csc")}},
		// "Add & edit payments" is its own switch, beside "Edit invoices".
		{Events: `{"type":"staff_permission.changed","workspace":"cs1","user":"cso","permission":"add_edit_payments","value":"on"}
{"type":"staff_permission.changed","workspace":"cs1","user":"cso","permission":"edit_invoices","value":"off"}`,
			Checks: []Check{yes("user:cso", "manage_payments", "invoice:csi"), no("user:cso", "edit", "invoice:csi")}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs1","user":"cso","permission":"view_invoices","value":"off"}`,
			Checks: []Check{no("user:cso", "view", "invoice:csi"), no("user:cso", "edit", "invoice:csi"), no("user:cso", "manage_payments", "invoice:csi")}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs1","user":"cso","permission":"view_invoices","value":"on"}
{"type":"role.revoked","workspace":"cs1","user":"cso","role":"office_staff"}
{"type":"role.assigned","workspace":"cs1","user":"cso","role":"practitioner"}`,
			Checks: []Check{no("user:cso", "view", "invoice:csi"), no("user:cso", "edit", "invoice:csi")}},
	}},
	// "Change office staff profiles: ... able to change other office staff
	// permissions"; "Change practitioners: ... will not be able to change their
	// ... permissions".
	{Name: "clinicsense_office_staff_change_only_office_staff_permissions", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs2","owner":"csb","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs2","user":"cpr","role":"practitioner"}
{"type":"staff.added","workspace":"cs2","user":"osa","role":"office_staff"}
{"type":"staff.added","workspace":"cs2","user":"osb","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"cs2","user":"osa","permission":"view_office_staff_profiles","value":"on"}
{"type":"staff_permission.changed","workspace":"cs2","user":"osa","permission":"change_practitioners","value":"on"}
{"type":"staff_permission.changed","workspace":"cs2","user":"osa","permission":"view_practitioners","value":"on"}
{"type":"staff_permission.changed","workspace":"cs2","user":"osa","permission":"change_office_staff_profiles","value":"on"}`,
			Checks: []Check{
				// other office staff's switches, never the office_staff role, which would reach their own
				no("user:osa", "edit", "role:cs2/office_staff"), yes("user:osa", "change_office_staff_profiles", "workspace:cs2"),
				yes("user:osa", "change_permissions", "staff_member:cs2/osb"), no("user:osa", "change_permissions", "staff_member:cs2/osa"),
				no("user:osa", "edit", "role:cs2/practitioner"), no("user:osa", "edit", "role:cs2/practice_administrator"),
				no("user:osa", "manage_permissions", "workspace:cs2"), no("user:osb", "edit", "role:cs2/office_staff"),
				yes("user:csb", "edit", "role:cs2/practitioner"), yes("user:csb", "edit", "role:cs2/office_staff"),
			}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs2","user":"osa","permission":"view_office_staff_profiles","value":"off"}`,
			Checks: []Check{no("user:osa", "change_permissions", "staff_member:cs2/osb"), no("user:osa", "change_office_staff_profiles", "workspace:cs2")}},
	}},
	{Name: "clinic_platform_only_owner_admin_removes_staff", Steps: []Step{{
		Events: `{"type":"workspace.created","workspace":"cq","owner":"cqo","preset":"clinic_platform"}
{"type":"staff.added","workspace":"cq","user":"cqa","role":"owner_admin"}
{"type":"role.defined","workspace":"cq","role":"deputy","inherits":"owner_admin","grants":{"calls":"none"}}
{"type":"staff.added","workspace":"cq","user":"cqd","role":"deputy"}
{"type":"role.defined","workspace":"cq","role":"hr","grants":{"staff":"all"}}
{"type":"staff.added","workspace":"cq","user":"cqh","role":"hr"}
{"type":"role.updated","workspace":"cq","role":"manager","grants":{"staff":"all"}}
{"type":"staff.added","workspace":"cq","user":"cqm","role":"manager"}`,
		// An area-wide "all" gives every staff action but the reserved one.
		Checks: []Check{
			yes("user:cqo", "remove_staff", "workspace:cq"), yes("user:cqa", "remove_staff", "workspace:cq"),
			// "Owner/Admin: full access to all features", API keys included.
			yes("user:cqa", "manage_api_keys", "workspace:cq"), no("user:cqm", "manage_api_keys", "workspace:cq"),
			no("user:cqd", "remove_staff", "workspace:cq"), yes("user:cqd", "manage_staff", "workspace:cq"),
			no("user:cqh", "remove_staff", "workspace:cq"), yes("user:cqh", "manage_staff", "workspace:cq"),
			no("user:cqm", "remove_staff", "workspace:cq"), yes("user:cqm", "manage_staff", "workspace:cq"),
		},
	}}},
	{Name: "clinic_platform_roles_per_feature_and_location", Steps: []Step{{
		Events: `{"type":"workspace.created","workspace":"cp","owner":"cpo","preset":"clinic_platform"}
{"type":"location.created","workspace":"cp","location":"cp-a"}
{"type":"location.created","workspace":"cp","location":"cp-b"}
{"type":"staff.added","workspace":"cp","user":"cpv","role":"provider"}
{"type":"role.defined","workspace":"cp","role":"lead_therapist","grants":[{"area":"patients","action":"read","level":"all"},{"area":"patients","action":"create","level":"all"},{"area":"appointments","level":"all"},{"area":"billing","action":"read","level":"all"},{"area":"notes","action":"edit","level":"own"}]}
{"type":"staff.added","workspace":"cp","user":"cpl","role":"lead_therapist"}
{"type":"staff.added","workspace":"cp","user":"cpm","role":"manager"}
{"type":"staff.added","workspace":"cp","user":"cpf","role":"front_desk","location":"cp-a"}
{"type":"role.assigned","workspace":"cp","user":"cpf","role":"billing","location":"cp-b"}
{"type":"client.created","workspace":"cp","client":"cpa","location":"cp-a","practitioner":"cpv"}
{"type":"client.created","workspace":"cp","client":"cpb","location":"cp-b"}
{"type":"invoice.created","workspace":"cp","invoice":"cpia","client":"cpa"}
{"type":"invoice.created","workspace":"cp","invoice":"cpib","client":"cpb"}
{"type":"appointment.booked","workspace":"cp","appointment":"cpap","client":"cpa","practitioner":"cpv"}
{"type":"note.created","workspace":"cp","note":"cpn","client":"cpa","author":"cpv"}
{"type":"role.defined","workspace":"cp","role":"appt_nodel","grants":{"appointments":{"view":"all","create":"all","edit":"all","delete":"none"}}}
{"type":"staff.added","workspace":"cp","user":"cpx","role":"appt_nodel"}`,
		Checks: []Check{
			yes("user:cpv", "view_notes", "client:cpa"), no("user:cpv", "view", "client:cpb"), no("user:cpv", "view", "invoice:cpia"),
			yes("user:cpf", "book_appointment", "client:cpa"), no("user:cpf", "view", "invoice:cpia"), no("user:cpf", "edit", "client:cpa"),
			yes("user:cpf", "view", "invoice:cpib"), no("user:cpf", "book_appointment", "client:cpb"), no("user:cpf", "view_notes", "client:cpb"),
			yes("user:cpo", "remove_staff", "workspace:cp"), no("user:cpv", "remove_staff", "workspace:cp"),
			yes("user:cpl", "view", "client:cpb"), no("user:cpl", "edit", "client:cpb"), yes("user:cpl", "view", "invoice:cpib"), no("user:cpl", "edit", "invoice:cpib"),
			yes("user:cpl", "book_appointment", "client:cpb"), no("user:cpl", "view_notes", "client:cpb"),
			// the manager "can view all patient records": alerts and memos too
			yes("user:cpm", "view_notes", "client:cpb"), yes("user:cpm", "view_medical_alerts", "client:cpb"), yes("user:cpm", "view_memos", "client:cpa"),
			no("user:cpm", "edit", "client:cpb"), no("user:cpv", "view_memos", "client:cpa"), yes("user:cpv", "view_medical_alerts", "client:cpa"),
			// Delete is its own action on appointments, notes, letters and forms.
			yes("user:cpx", "edit", "appointment:cpap"), no("user:cpx", "delete", "appointment:cpap"),
			yes("user:cpm", "delete", "appointment:cpap"), yes("user:cpv", "edit", "appointment:cpap"), no("user:cpv", "delete", "appointment:cpap"),
			no("user:cpm", "delete_past", "appointment:cpap"), yes("user:cpo", "delete_past", "appointment:cpap"),
			yes("user:cpv", "edit", "note:cpn"), no("user:cpv", "delete", "note:cpn"), yes("user:cpo", "delete", "note:cpn"),
			yes("user:cpv", "has_calendar", "workspace:cp"), no("user:cpl", "has_calendar", "workspace:cp"),
			// "Settings > Activity Log": the owner/admin, not the manager
			yes("user:cpo", "view_activity_log", "workspace:cp"), no("user:cpm", "view_activity_log", "workspace:cp"),
		},
	}, {
		// A custom role made from scratch has no calendar unless it says so.
		Events:  `{"type":"appointment.booked","workspace":"cp","appointment":"cpal","client":"cpb","practitioner":"cpl"}`,
		Refused: `"cpl" has no calendar in workspace "cp"`,
	}, {
		Events: `{"type":"role.defined","workspace":"cp","role":"lead_therapist","grants":[{"area":"patients","action":"read","level":"all"},{"area":"patients","action":"create","level":"all"},{"area":"appointments","level":"all"},{"area":"billing","action":"read","level":"all"},{"area":"notes","action":"edit","level":"own"}],"calendar":true}
{"type":"appointment.booked","workspace":"cp","appointment":"cpal","client":"cpb","practitioner":"cpl"}
{"type":"client.practitioner_assigned","workspace":"cp","client":"cpb","user":"cpl"}`,
		Checks: []Check{
			yes("user:cpl", "has_calendar", "workspace:cp"), yes("user:cpl", "view", "appointment:cpal"),
			no("user:cpx", "has_calendar", "workspace:cp"), yes("user:cpl", "view", "client:cpb"),
		},
		Explanations: []Explanation{
			{yes("user:cpl", "has_calendar", "workspace:cp"), "cpl holds role lead_therapist workspace-wide, a role with a calendar"},
		},
	}}},
	// ClinicSense: "Add & edit payments: ... add or refund payments to
	// invoices"; "View packages: ... view and delete"; who edits, adds or
	// removes services sees them.
	{Name: "clinicsense_payments_refunds_services_and_packages", Steps: []Step{{
		Events: `{"type":"workspace.created","workspace":"cs7","owner":"cs7o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs7","user":"cs7s","role":"office_staff"}
{"type":"staff.added","workspace":"cs7","user":"cs7t","role":"office_staff"}
{"type":"staff.added","workspace":"cs7","user":"cs7p","role":"practitioner"}
{"type":"client.created","workspace":"cs7","client":"cs7c","practitioner":"cs7p"}
{"type":"invoice.created","workspace":"cs7","invoice":"cs7i","client":"cs7c","practitioner":"cs7p"}
{"type":"staff_permission.changed","workspace":"cs7","user":"cs7s","permission":"view_invoices","value":"on"}
{"type":"staff_permission.changed","workspace":"cs7","user":"cs7s","permission":"add_edit_payments","value":"on"}
{"type":"staff_permission.changed","workspace":"cs7","user":"cs7s","permission":"edit_services","value":"on"}
{"type":"staff_permission.changed","workspace":"cs7","user":"cs7s","permission":"view_packages","value":"on"}
{"type":"staff_permission.changed","workspace":"cs7","user":"cs7t","permission":"view_invoices","value":"on"}`,
		Checks: []Check{
			yes("user:cs7s", "request_refund", "invoice:cs7i"), yes("user:cs7s", "process_refund", "invoice:cs7i"), no("user:cs7s", "approve_refund", "invoice:cs7i"),
			no("user:cs7t", "request_refund", "invoice:cs7i"), yes("user:cs7t", "view", "invoice:cs7i"),
			yes("user:cs7s", "view_services", "workspace:cs7"), yes("user:cs7s", "edit_services", "workspace:cs7"), no("user:cs7t", "view_services", "workspace:cs7"),
			yes("user:cs7s", "delete_packages", "workspace:cs7"), no("user:cs7s", "sell_packages", "workspace:cs7"), no("user:cs7t", "delete_packages", "workspace:cs7"),
		},
	}, {
		Events: `{"type":"refund.requested","workspace":"cs7","refund":"cs7r","invoice":"cs7i"}`, Actor: "user:cs7s",
		Checks: []Check{no("user:cs7s", "approve", "refund:cs7/cs7r"), yes("user:cs7o", "approve", "refund:cs7/cs7r")},
	}}},
	// Cliniko: every role views and changes its own user details; "cannot
	// see any financial details" covers every report of money and refunds;
	// a scheduler never sees financials or confidential patient details,
	// a bookkeeper no patient details, whatever role.updated asks.
	{Name: "cliniko_own_details_and_what_stays_out_of_reach", Steps: []Step{{
		Events: `{"type":"workspace.created","workspace":"k7","owner":"k7a","preset":"cliniko"}
{"type":"staff.added","workspace":"k7","user":"k7s","role":"scheduler"}
{"type":"staff.added","workspace":"k7","user":"k7b","role":"bookkeeper"}
{"type":"staff.added","workspace":"k7","user":"k7p","role":"practitioner"}
{"type":"staff.added","workspace":"k7","user":"k7r","role":"receptionist"}
{"type":"setting.changed","workspace":"k7","setting":"practitioners_cannot_see_financials","value":"on"}
{"type":"role.updated","workspace":"k7","role":"practitioner","grants":{"payments_report":"all","revenue_report":"all","refunds":"all"}}`,
		Checks: []Check{
			yes("user:k7s", "change_own_profile", "workspace:k7"), yes("user:k7b", "change_own_profile", "workspace:k7"),
			yes("user:k7r", "change_own_profile", "workspace:k7"), yes("user:k7p", "change_own_profile", "workspace:k7"),
			yes("user:k7s", "view_permissions", "staff_member:k7/k7s"), no("user:k7s", "view_permissions", "staff_member:k7/k7b"),
			no("user:k7p", "view_payments_report", "workspace:k7"), no("user:k7p", "view_revenue_report", "workspace:k7"),
		},
	}, {
		Events:  `{"type":"role.updated","workspace":"k7","role":"scheduler","grants":{"payments_report":"all"}}`,
		Refused: "payments_report",
	}, {
		Events:  `{"type":"role.updated","workspace":"k7","role":"scheduler","grants":{"memos":"all"}}`,
		Refused: "memos",
	}, {
		Events:  `{"type":"role.updated","workspace":"k7","role":"bookkeeper","grants":{"communications":"all"}}`,
		Refused: "communications",
	}}},
	{Name: "reapplying_changes_nothing", Steps: []Step{
		{Events: Base, NoChange: true, Checks: []Check{yes("user:priya", "view", "client:ann")}},
	}},
}

// BadInput is a request that must be refused with nothing written.
type BadInput struct {
	Name   string
	Events string
	Status int
	// Index and Field locate the error (Index -1: none).
	Index int
	Field string
}

// BadInputActor is the request's actor every bad input is sent with (a
// practitioner of Base's practice), so that events a person decides are
// refused for what is wrong with them, not for a missing actor.
const BadInputActor = "user:priya"

// JSONL is the bad input's events, with LaterToken standing for a moment
// thirty days from now.
func (b BadInput) JSONL() string {
	return strings.ReplaceAll(b.Events, LaterToken, Later(time.Now()))
}

// BadInputs cover every class of bad input the events API must refuse.
var BadInputs = []BadInput{
	{"role_calendar_not_a_boolean", `{"type":"role.defined","workspace":"p1","role":"lead","grants":{"clients":"all"},"calendar":"yes"}`, 400, 0, "calendar"},
	{"role_calendar_null", `{"type":"role.defined","workspace":"p1","role":"lead","grants":{"clients":"all"},"calendar":null}`, 400, 0, "calendar"},
	{"role_calendar_on_a_built_in_role", `{"type":"role.updated","workspace":"p1","role":"receptionist","calendar":true}`, 400, 0, "calendar"},
	{"break_glass_minutes_zero", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"x","minutes":0}`, 400, 0, "minutes"},
	{"break_glass_minutes_past_the_cap", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"x","minutes":241}`, 400, 0, "minutes"},
	{"break_glass_minutes_a_fraction", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"x","minutes":1.5}`, 400, 0, "minutes"},
	{"break_glass_minutes_null", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"x","minutes":null}`, 400, 0, "minutes"},
	{"break_glass_minutes_and_an_end", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"x","minutes":5,"expires_at":"2099-01-01T00:00:00Z"}`, 400, 0, "expires_at"},
	{"break_glass_end_past_the_cap", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"x","expires_at":"2099-01-01T00:00:00Z"}`, 400, 0, "expires_at"},
	{"break_glass_without_a_reason", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":""}`, 400, 0, "reason"},
	{"break_glass_reason_too_long", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"` + strings.Repeat("x", 201) + `"}`, 400, 0, "reason"},
	{"break_glass_reason_of_spaces", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"   "}`, 400, 0, "reason"},
	{"break_glass_reason_of_blanks", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"\u00a0\u3000\u3164\u2800\ufe0f"}`, 400, 0, "reason"},
	{"break_glass_review_note_of_a_filler", `{"type":"break_glass.reviewed","workspace":"p1","id":"bg","outcome":"justified","note":"\u3164"}`, 400, 0, "note"},
	{"break_glass_reason_with_a_control_character", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"a\u0007b"}`, 400, 0, "reason"},
	{"break_glass_unknown_client", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"nobody","reason":"x"}`, 400, 0, "client"},
	{"break_glass_for_someone_else", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"pete","client":"ann","reason":"x"}`, 409, 0, "actor"},
	{"break_glass_beside_other_events", `{"type":"patient.shared","workspace":"p1","client":"ben","user":"priya"}
{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"priya","client":"ben","reason":"x"}`, 400, 0, "type"},
	{"break_glass_unknown_opening_closed", `{"type":"break_glass.closed","workspace":"p1","id":"nobody"}`, 400, 0, "id"},
	{"break_glass_for_a_service_account", `{"type":"break_glass.opened","workspace":"p1","id":"bg","user":"service_account:kiosk","client":"ben","reason":"x"}`, 400, 0, "user"},
	{"break_glass_review_outcome_unknown", `{"type":"break_glass.reviewed","workspace":"p1","id":"bg","outcome":"maybe"}`, 400, 0, "outcome"},
	{"break_glass_review_note_too_long", `{"type":"break_glass.reviewed","workspace":"p1","id":"bg","outcome":"justified","note":"` + strings.Repeat("x", 201) + `"}`, 400, 0, "note"},
	{"break_glass_id_with_a_slash", `{"type":"break_glass.opened","workspace":"p1","id":"p2/bg","user":"priya","client":"ben","reason":"x"}`, 400, 0, "id"},
	{"access_minutes_zero", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x","minutes":0}`, 400, 0, "minutes"},
	{"access_minutes_past_the_cap", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x","minutes":10081}`, 400, 0, "minutes"},
	{"access_minutes_a_fraction", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x","minutes":2.5}`, 400, 0, "minutes"},
	{"access_without_minutes_or_an_end", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x"}`, 400, 0, "minutes"},
	{"access_minutes_and_an_end", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x","minutes":5,"expires_at":"2099-01-01T00:00:00Z"}`, 400, 0, "expires_at"},
	{"access_end_past_the_cap", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x","expires_at":"2099-01-01T00:00:00Z"}`, 400, 0, "expires_at"},
	{"access_without_a_reason", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","minutes":5}`, 400, 0, "reason"},
	{"access_reason_of_blanks", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"\u3164 ","minutes":5}`, 400, 0, "reason"},
	{"access_unknown_role", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"astronaut","reason":"x","minutes":5}`, 400, 0, "role"},
	{"access_unknown_location", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","location":"mars","reason":"x","minutes":5}`, 400, 0, "location"},
	{"access_request_id_with_a_slash", `{"type":"access.requested","workspace":"p1","request":"p2/ar","user":"priya","role":"accountant","reason":"x","minutes":5}`, 400, 0, "request"},
	{"access_for_someone_else", `{"type":"access.requested","workspace":"p1","request":"ar","user":"pete","role":"accountant","reason":"x","minutes":5}`, 409, 0, "actor"},
	{"access_for_a_service_account", `{"type":"access.requested","workspace":"p1","request":"ar","user":"service_account:kiosk","role":"accountant","reason":"x","minutes":5}`, 400, 0, "user"},
	{"access_beside_other_events", `{"type":"patient.shared","workspace":"p1","client":"ben","user":"priya"}
{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x","minutes":5}`, 400, 0, "type"},
	{"access_two_steps_on_one_request", `{"type":"access.approved","workspace":"p1","request":"ar"}
{"type":"access.approved","workspace":"p1","request":"ar"}`, 400, 1, "type"},
	{"refund_two_steps_on_one_refund", `{"type":"refund.approved","workspace":"p1","refund":"r"}
{"type":"refund.processed","workspace":"p1","refund":"r"}`, 400, 1, "type"},
	{"access_unknown_request_approved", `{"type":"access.approved","workspace":"p1","request":"nope"}`, 400, 0, "request"},
	{"access_unknown_request_denied", `{"type":"access.denied","workspace":"p1","request":"nope"}`, 400, 0, "request"},
	{"access_approval_naming_a_user", `{"type":"access.approved","workspace":"p1","request":"ar","user":"priya"}`, 400, 0, "user"},
	{"access_denial_reason_too_long", `{"type":"access.denied","workspace":"p1","request":"ar","reason":"` + strings.Repeat("x", 201) + `"}`, 400, 0, "reason"},
	{"access_once_not_a_bool", `{"type":"access.requested","workspace":"p1","request":"ar","user":"priya","role":"accountant","reason":"x","minutes":5,"once":"yes"}`, 400, 0, "once"},
	{"access_unknown_request_consumed", `{"type":"access.consumed","workspace":"p1","request":"nope"}`, 400, 0, "request"},
	{"approvals_required_three", `{"type":"policy.set","workspace":"p1","approvals_required":3}`, 400, 0, "approvals_required"},
	{"approvals_required_zero", `{"type":"policy.set","workspace":"p1","approvals_required":0}`, 400, 0, "approvals_required"},
	{"delegation_without_an_end", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita"}`, 400, 0, "expires_at"},
	{"delegation_end_past_the_cap", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","starts_at":"{{later}}","expires_at":"2099-01-03T00:00:00Z"}`, 400, 0, "expires_at"},
	{"delegation_start_past_the_cap", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","starts_at":"2098-01-01T00:00:00Z","expires_at":"2098-02-01T00:00:00Z"}`, 400, 0, "starts_at"},
	{"delegation_of_a_guarded_role_not_by_the_owner", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":["practitioner_admin"],"expires_at":"{{later}}"}`, 409, 0, "roles"},
	{"delegation_starts_after_it_ends", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","starts_at":"2099-02-01T00:00:00Z","expires_at":"2099-01-01T00:00:00Z"}`, 400, 0, "starts_at"},
	{"delegation_roles_empty", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":[],"expires_at":"{{later}}"}`, 400, 0, "roles"},
	{"delegation_roles_not_a_list", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":"practitioner","expires_at":"{{later}}"}`, 400, 0, "roles"},
	{"delegation_role_named_twice", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":["practitioner","practitioner"],"expires_at":"{{later}}"}`, 400, 0, "roles"},
	{"delegation_21_roles", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":["r0","r1","r2","r3","r4","r5","r6","r7","r8","r9","r10","r11","r12","r13","r14","r15","r16","r17","r18","r19","r20"],"expires_at":"{{later}}"}`, 400, 0, "roles"},
	{"delegation_role_not_a_name", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":["Practitioner!"],"expires_at":"{{later}}"}`, 400, 0, "roles"},
	{"delegation_unknown_role", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":["astronaut"],"expires_at":"{{later}}"}`, 400, 0, "roles"},
	{"delegation_role_not_held", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","roles":["accountant"],"expires_at":"{{later}}"}`, 409, 0, "roles"},
	{"delegation_to_themselves", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"priya","expires_at":"{{later}}"}`, 400, 0, "to"},
	{"delegation_to_someone_not_staff", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"hugo","expires_at":"{{later}}"}`, 409, 0, "to"},
	{"delegation_to_a_service_account", `{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"service_account:kiosk","expires_at":"{{later}}"}`, 400, 0, "to"},
	{"delegation_id_with_a_slash", `{"type":"delegation.granted","workspace":"p1","delegation":"p2/d","from":"priya","to":"rita","expires_at":"{{later}}"}`, 400, 0, "delegation"},
	{"delegation_unknown_revoked", `{"type":"delegation.revoked","workspace":"p1","delegation":"nope"}`, 400, 0, "delegation"},
	{"delegation_beside_other_events", `{"type":"patient.shared","workspace":"p1","client":"ben","user":"priya"}
{"type":"delegation.granted","workspace":"p1","delegation":"d","from":"priya","to":"rita","expires_at":"{{later}}"}`, 400, 0, "type"},
	{"approvals_required_null", `{"type":"policy.set","workspace":"p1","approvals_required":null}`, 400, 0, "approvals_required"},
	{"manager_of_themselves", `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"rita"}`, 409, 0, "manager"},
	{"manager_not_staff", `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"hugo"}`, 409, 0, "manager"},
	{"manager_a_service_account", `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"service_account:kiosk"}`, 400, 0, "manager"},
	{"manager_of_a_service_account", `{"type":"staff.manager_set","workspace":"p1","user":"service_account:kiosk","manager":"rita"}`, 400, 0, "user"},
	{"manager_without_a_manager", `{"type":"staff.manager_set","workspace":"p1","user":"rita"}`, 400, 0, "manager"},
	{"ownership_claimed_without_a_reason", `{"type":"ownership.claimed","workspace":"p1"}`, 400, 0, "reason"},
	{"refund_of_an_unknown_invoice", `{"type":"refund.requested","workspace":"p1","refund":"r","invoice":"nope"}`, 400, 0, "invoice"},
	{"refund_unknown_approved", `{"type":"refund.approved","workspace":"p1","refund":"nope"}`, 400, 0, "refund"},
	{"refund_unknown_processed", `{"type":"refund.processed","workspace":"p1","refund":"nope"}`, 400, 0, "refund"},
	{"refund_id_with_a_slash", `{"type":"refund.requested","workspace":"p1","refund":"p2/r","invoice":"in-ann"}`, 400, 0, "refund"},
	{"refund_without_its_invoice", `{"type":"refund.requested","workspace":"p1","refund":"r"}`, 400, 0, "invoice"},
	{"refund_beside_other_events", `{"type":"refund.requested","workspace":"p1","refund":"r","invoice":"in-ann"}
{"type":"invoice.created","workspace":"p1","invoice":"in2","client":"ann"}`, 400, 1, "type"},
	{"break_glass_given_to_a_role_without_notes", `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"break_glass":"all"}}`, 409, 0, "grants"},
	{"unknown_type", `{"type":"staff.hired","workspace":"p1","user":"x"}`, 400, 0, "type"},
	{"missing_field", `{"type":"staff.added","workspace":"p1","user":"zoe"}`, 400, 0, "role"},
	{"extra_field", `{"type":"staff.added","workspace":"p1","user":"zoe","role":"receptionist","email":"z@x"}`, 400, 0, "email"},
	{"malformed_id", `{"type":"staff.added","workspace":"p1","user":"zoe smith","role":"receptionist"}`, 400, 0, "user"},
	{"wildcard_id", `{"type":"patient.shared","workspace":"p1","client":"ann","user":"*"}`, 400, 0, "user"},
	{"id_widening_scope", `{"type":"staff.added","workspace":"p1","user":"p1/receptionist","role":"receptionist"}`, 400, 0, "user"},
	{"unknown_role", `{"type":"staff.added","workspace":"p1","user":"zoe","role":"janitor"}`, 400, 0, "role"},
	{"role_in_a_region_and_at_a_location", `{"type":"region.created","workspace":"p1","region":"coast"}
{"type":"staff.added","workspace":"p1","user":"zoe","role":"receptionist","location":"north","region":"coast"}`, 400, 1, "region"},
	{"unknown_region", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","region":"coast"}`, 400, 0, "region"},
	{"location_moved_to_an_unknown_region", `{"type":"location.moved","workspace":"p1","location":"north","region":"coast"}`, 400, 0, "region"},
	{"unknown_location_moved", `{"type":"region.created","workspace":"p1","region":"coast"}
{"type":"location.moved","workspace":"p1","location":"west","region":"coast"}`, 400, 1, "location"},
	{"location_created_again_in_another_region", `{"type":"region.created","workspace":"p1","region":"coast"}
{"type":"location.created","workspace":"p1","location":"north","region":"coast"}`, 409, 1, "region"},
	{"region_with_a_slash", `{"type":"region.created","workspace":"p1","region":"a/b"}`, 400, 0, "region"},
	{"notes_access_for_a_time_of_an_inheriting_role", `{"type":"role.defined","workspace":"p1","role":"heir","inherits":"receptionist"}
{"type":"notes_access.granted","workspace":"p1","role":"heir","expires_at":"2099-01-01T00:00:00Z"}`, 400, 1, "expires_at"},
	{"unshare_with_an_end", `{"type":"patient.unshared","workspace":"p1","client":"ann","user":"pete","expires_at":"2099-01-01T00:00:00Z"}`, 400, 0, "expires_at"},
	{"share_that_ended_already", `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","expires_at":"2020-03-31T00:00:00Z"}`, 400, 0, "expires_at"},
	{"service_account_shared_a_patient", `{"type":"patient.shared","workspace":"p1","client":"ann","user":"service_account:sync"}`, 400, 0, "user"},
	{"service_account_added_as_staff", `{"type":"staff.added","workspace":"p1","user":"service_account:sync","role":"receptionist"}`, 400, 0, "user"},
	{"other_subject_type_as_user", `{"type":"role.assigned","workspace":"p1","user":"client:ann","role":"receptionist"}`, 400, 0, "user"},
	{"service_account_without_name", `{"type":"service_account.created","workspace":"p1","account":"sync"}`, 400, 0, "name"},
	{"service_account_name_with_control_characters", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"a\u0000b"}`, 400, 0, "name"},
	{"service_account_name_turning_the_text_around", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync \u202egnp.exe"}`, 400, 0, "name"},
	{"service_account_name_with_an_invisible_space", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sy\u200bnc"}`, 400, 0, "name"},
	{"service_account_name_with_a_hangul_filler", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sy\u3164nc"}`, 400, 0, "name"},
	{"service_account_name_with_a_variation_selector", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync\ufe0f"}`, 400, 0, "name"},
	{"service_account_name_ending_in_a_space", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync "}`, 400, 0, "name"},
	{"break_glass_reason_of_private_use_characters", `{"type":"break_glass.opened","workspace":"p1","id":"bg-x","user":"priya","client":"ann","reason":"\ue000\ue001"}`, 400, 0, "reason"},
	{"service_account_name_with_a_lone_surrogate", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"a\ud800b"}`, 400, 0, "name"},
	{"service_account_holding_an_undisableable_role", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync","role":"practitioner_admin"}`, 409, 0, "role"},
	{"service_account_location_without_role", `{"type":"service_account.created","workspace":"p1","account":"sync","name":"Sync","location":"north"}`, 400, 0, "role"},
	{"unknown_service_account_deleted", `{"type":"service_account.deleted","workspace":"p1","account":"nobody"}`, 400, 0, "account"},
	{"unknown_location", `{"type":"staff.added","workspace":"p1","user":"zoe","role":"receptionist","location":"west"}`, 400, 0, "location"},
	{"unknown_workspace", `{"type":"staff.added","workspace":"p9","user":"zoe","role":"receptionist"}`, 400, 0, "workspace"},
	{"object_of_another_workspace", `{"type":"patient.shared","workspace":"p1","client":"zed","user":"priya"}`, 409, 0, "client"},
	{"creating_object_of_another_workspace", `{"type":"client.created","workspace":"p1","client":"zed"}`, 409, 0, "client"},
	{"transfer_to_non_member", `{"type":"ownership.transferred","workspace":"p1","to":"hugo"}`, 409, 0, "to"},
	{"owner_role_revoked", `{"type":"role.revoked","workspace":"p1","user":"olivia","role":"practitioner_admin"}`, 409, 0, "user"},
	{"owner_role_given_an_end", `{"type":"role.assigned","workspace":"p1","user":"olivia","role":"practitioner_admin","expires_at":"2099-01-01T00:00:00Z"}`, 409, 0, "user"},
	{"new_owner_role_revoked", `{"type":"ownership.transferred","workspace":"p1","to":"maya"}
{"type":"role.revoked","workspace":"p1","user":"maya","role":"practice_manager"}`, 409, 1, "user"},
	{"cliniko_ownership_to_a_receptionist", `{"type":"staff.added","workspace":"k9","user":"k9r","role":"receptionist"}
{"type":"ownership.transferred","workspace":"k9","to":"k9r"}`, 409, 1, "to"},
	{"cliniko_ownership_to_an_administrator_at_one_location", `{"type":"location.created","workspace":"k9","location":"k9-east"}
{"type":"staff.added","workspace":"k9","user":"k9a","role":"administrator","location":"k9-east"}
{"type":"ownership.transferred","workspace":"k9","to":"k9a"}`, 409, 2, "to"},
	{"cliniko_owner_left_without_administrator", `{"type":"role.assigned","workspace":"k9","user":"kim","role":"scheduler"}
{"type":"role.revoked","workspace":"k9","user":"kim","role":"administrator"}`, 409, 1, "user"},
	{"cliniko_owner_administrator_given_an_end", `{"type":"role.assigned","workspace":"k9","user":"kim","role":"administrator","expires_at":"2099-01-01T00:00:00Z"}`, 409, 0, "user"},
	{"clinicsense_ownership_to_office_staff", `{"type":"workspace.created","workspace":"cs20","owner":"cs20o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs20","user":"cs20s","role":"office_staff"}
{"type":"ownership.transferred","workspace":"cs20","to":"cs20s"}`, 409, 2, "to"},
	{"clinic_platform_ownership_to_a_manager", `{"type":"staff.added","workspace":"cp9","user":"cp9m","role":"manager"}
{"type":"ownership.transferred","workspace":"cp9","to":"cp9m"}`, 409, 1, "to"},
	{"transfer_to_a_holding_that_ends", `{"type":"staff.added","workspace":"p1","user":"con","role":"receptionist","expires_at":"2099-01-01T00:00:00Z"}
{"type":"ownership.transferred","workspace":"p1","to":"con"}`, 409, 1, "to"},
	{"booking_user_without_calendar", `{"type":"appointment.booked","workspace":"p1","appointment":"ap-x","client":"ann","practitioner":"rita"}`, 409, 0, "practitioner"},
	{"changing_practitioner_admin", `{"type":"role.updated","workspace":"p1","role":"practitioner_admin","grants":{"notes":"none"}}`, 409, 0, "role"},
	{"fixed_area", `{"type":"role.updated","workspace":"p1","role":"accountant","grants":{"notes":"full"}}`, 409, 0, "grants"},
	{"bad_level", `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"notes":"some"}}`, 400, 0, "grants"},
	{"unknown_area", `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"parking":"full"}}`, 400, 0, "grants"},
	{"disabling_the_owner", `{"type":"staff.disabled","workspace":"p1","user":"olivia"}`, 409, 0, "user"},
	{"disabling_a_practitioner_admin", `{"type":"staff.added","workspace":"p1","user":"adam","role":"practitioner_admin"}
{"type":"staff.disabled","workspace":"p1","user":"adam"}`, 409, 1, "user"},
	{"removing_a_practitioner_admin", `{"type":"staff.added","workspace":"p1","user":"adam","role":"practitioner_admin"}
{"type":"staff.removed","workspace":"p1","user":"adam"}`, 409, 1, "user"},
	{"redefining_a_builtin_role", `{"type":"role.defined","workspace":"p1","role":"receptionist","grants":{"notes":"all"}}`, 409, 0, "role"},
	{"deleting_a_builtin_role", `{"type":"role.deleted","workspace":"p1","role":"accountant"}`, 409, 0, "role"},
	{"deleting_a_held_role", `{"type":"role.defined","workspace":"p1","role":"temp","grants":{"clients":"all"}}
{"type":"role.assigned","workspace":"p1","user":"rita","role":"temp"}
{"type":"role.deleted","workspace":"p1","role":"temp"}`, 409, 2, "role"},
	{"unknown_action", `{"type":"role.defined","workspace":"p1","role":"temp","grants":{"clients":{"teleport":"all"}}}`, 400, 0, "grants"},
	{"inheriting_an_unknown_role", `{"type":"role.defined","workspace":"p1","role":"temp","inherits":"boss","grants":{"clients":"all"}}`, 400, 0, "inherits"},
	{"roles_inheriting_in_a_circle", `{"type":"role.defined","workspace":"p1","role":"ra","grants":{"clients":"all"}}
{"type":"role.defined","workspace":"p1","role":"rb","inherits":"ra","grants":{"forms":"all"}}
{"type":"role.defined","workspace":"p1","role":"ra","inherits":"rb","grants":{"forms":"all"}}`, 400, 2, "inherits"},
	{"own_for_a_workspace_area", `{"type":"role.defined","workspace":"p1","role":"temp","grants":{"settings":"own"}}`, 400, 0, "grants"},
	{"written_for_an_area_without_authors", `{"type":"role.defined","workspace":"p1","role":"temp","grants":{"clients":{"view":"written"}}}`, 400, 0, "grants"},
	{"granting_an_owner_only_area", `{"type":"role.updated","workspace":"p1","role":"practice_manager","grants":{"subscription":"all"}}`, 409, 0, "grants"},
	// Cliniko's roles never do what its guide rules out, whatever role.updated asks.
	{"cliniko_scheduler_seeing_financials", `{"type":"role.updated","workspace":"k9","role":"scheduler","grants":{"invoices":"all"}}`, 409, 0, "grants"},
	{"cliniko_administrator_writing_notes", `{"type":"role.updated","workspace":"k9","role":"administrator","grants":{"notes":"all"}}`, 409, 0, "grants"},
	{"cliniko_receptionist_changing_subscription", `{"type":"role.updated","workspace":"k9","role":"receptionist","grants":{"subscription":"all"}}`, 409, 0, "grants"},
	// Cliniko's administrators alone add and modify users, adjust
	// permissions, export and delete data, and change the subscription: no
	// other role, built-in or custom.
	{"cliniko_power_receptionist_adding_users", `{"type":"role.updated","workspace":"k9","role":"power_receptionist","grants":{"staff":"all"}}`, 409, 0, "grants"},
	// "everything in the settings area except for adjusting permissions"
	{"cliniko_power_receptionist_adjusting_permissions", `{"type":"role.updated","workspace":"k9","role":"power_receptionist","grants":{"permissions":"all"}}`, 409, 0, "grants"},
	{"cliniko_custom_role_adjusting_permissions", `{"type":"role.defined","workspace":"k9","role":"hr2","grants":{"permissions":{"edit":"all"}}}`, 409, 0, "grants"},
	{"cliniko_practitioner_viewing_users", `{"type":"role.updated","workspace":"k9","role":"practitioner","grants":{"users":{"view":"all"}}}`, 409, 0, "grants"},
	{"cliniko_bookkeeper_exporting_data", `{"type":"role.updated","workspace":"k9","role":"bookkeeper","grants":{"data":{"export":"all"}}}`, 409, 0, "grants"},
	{"cliniko_custom_role_deleting_data", `{"type":"role.defined","workspace":"k9","role":"cleaner","grants":{"data":"all"}}`, 409, 0, "grants"},
	{"cliniko_custom_role_changing_subscription", `{"type":"role.defined","workspace":"k9","role":"finance","grants":[{"area":"subscription","action":"edit","level":"all"}]}`, 409, 0, "grants"},
	{"cliniko_custom_role_managing_users", `{"type":"role.defined","workspace":"k9","role":"hr","grants":{"clients":{"view":"all"},"staff":"all"}}`, 409, 0, "grants"},
	// The clinic platform: "Permanently remove a user (only Owner/Admin)".
	{"platform_custom_role_removing_staff", `{"type":"role.defined","workspace":"cp9","role":"hr","grants":{"staff":{"view":"all","delete":"all"}}}`, 409, 0, "grants"},
	{"platform_manager_removing_staff", `{"type":"role.updated","workspace":"cp9","role":"manager","grants":{"staff":{"delete":"all"}}}`, 409, 0, "grants"},
	{"bad_expiry", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","expires_at":"next tuesday"}`, 400, 0, "expires_at"},
	// Zero is never "no end": the first second of 1970, however written, has passed.
	{"expiry_at_the_epoch", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","expires_at":"1970-01-01T00:00:00Z"}`, 400, 0, "expires_at"},
	{"expiry_in_the_epochs_first_second", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","expires_at":"1970-01-01T00:00:00.9Z"}`, 400, 0, "expires_at"},
	{"expiry_at_the_epoch_with_an_offset", `{"type":"staff.added","workspace":"p1","user":"zoe","role":"receptionist","expires_at":"1970-01-01T01:00:00+01:00"}`, 400, 0, "expires_at"},
	{"expiry_passed", `{"type":"staff.added","workspace":"p1","user":"zoe","role":"receptionist","expires_at":"2020-03-31T00:00:00Z"}`, 400, 0, "expires_at"},
	{"expiry_offset_of_24_hours", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","expires_at":"2099-01-01T00:00:00+24:00"}`, 400, 0, "expires_at"},
	{"hours_never_in_the_span", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","starts_at":"2099-01-03T00:00:00Z","expires_at":"2099-01-04T00:00:00Z","hours":{"timezone":"UTC","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}}`, 400, 0, "hours"},
	{"expiry_offset_of_minus_24_hours", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","expires_at":"2099-01-01T00:00:00-24:00"}`, 400, 0, "expires_at"},
	{"expiry_past_the_year_9999", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","expires_at":"9999-12-31T23:59:59-23:59"}`, 400, 0, "expires_at"},
	{"expiry_offset_of_60_minutes", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","expires_at":"2099-01-01T00:00:00+05:60"}`, 400, 0, "expires_at"},
	// What a role can never have is refused on every path that would give it.
	{"cliniko_scheduler_chosen_by_a_form_template", `{"type":"form_template.access_granted","workspace":"k9","template":"k9t","role":"scheduler"}`, 409, 0, "role"},
	{"cliniko_bookkeeper_chosen_by_a_form_template", `{"type":"form_template.access_granted","workspace":"k9","template":"k9t","role":"bookkeeper"}`, 409, 0, "role"},
	{"cliniko_bookkeeper_given_forms", `{"type":"role.updated","workspace":"k9","role":"bookkeeper","grants":{"forms":{"view":"all"}}}`, 409, 0, "grants"},
	{"cliniko_scheduler_given_notes_of_one_client", `{"type":"staff.added","workspace":"k9","user":"k9s","role":"scheduler"}
{"type":"client.created","workspace":"k9","client":"k9c"}
{"type":"notes_access.granted","workspace":"k9","user":"k9s","client":"k9c"}`, 409, 2, "user"},
	{"caspen_accountant_given_notes_of_one_client", `{"type":"notes_access.granted","workspace":"p1","user":"alex","client":"ann"}`, 409, 0, "user"},
	// ClinicSense: the super administrator stays one; what only says someone is
	// an administrator is not switched on for office staff; and no role edits
	// what it cannot see, whatever path gave it.
	{"clinicsense_owner_switching_a_permission_off", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"staff_permission.changed","workspace":"csx","user":"csxo","permission":"view_invoices","value":"off"}`, 409, 1, "user"},
	{"clinicsense_office_staff_adding_practitioners", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"staff.added","workspace":"csx","user":"csxs","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"csx","user":"csxs","permission":"add_remove_practitioners","value":"on"}`, 409, 2, "permission"},
	{"clinicsense_office_staff_editing_unseen_invoices", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"role.updated","workspace":"csx","role":"office_staff","grants":{"invoices":{"edit":"all"}}}`, 409, 1, "grants"},
	{"clinicsense_custom_role_taking_payments_on_unseen_invoices", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"role.defined","workspace":"csx","role":"till","grants":{"invoices":{"create":"all"}}}`, 409, 1, "grants"},
	{"clinicsense_editing_more_clients_than_seen", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"role.updated","workspace":"csx","role":"practitioner","grants":{"clients":{"edit":"all"}}}`, 409, 1, "grants"},
	{"clinicsense_heir_losing_a_view_it_needs", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"role.defined","workspace":"csx","role":"base","grants":{"invoices":{"view":"all","edit":"all"}}}
{"type":"role.defined","workspace":"csx","role":"heir","inherits":"base"}
{"type":"role.updated","workspace":"csx","role":"heir","grants":{"invoices":{"view":"none"}}}`, 409, 3, "grants"},
	{"clinicsense_switching_off_for_a_time", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"staff.added","workspace":"csx","user":"csxs","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"csx","user":"csxs","permission":"view_invoices","value":"off","expires_at":"2099-01-01T00:00:00Z"}`, 400, 2, "expires_at"},
	{"clinicsense_administrator_for_a_time_by_a_switch", `{"type":"workspace.created","workspace":"csx","owner":"csxo","preset":"clinicsense"}
{"type":"staff.added","workspace":"csx","user":"csxs","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"csx","user":"csxs","permission":"is_practice_administrator","value":"on","starts_at":"2099-01-01T00:00:00Z"}`, 400, 2, "starts_at"},
	{"inactivity_days_of_null", `{"type":"policy.set","workspace":"p1","inactivity_days":null}`, 400, 0, "inactivity_days"},
	{"a_start_of_null", `{"type":"role.assigned","workspace":"p1","user":"rita","role":"receptionist","starts_at":null}`, 400, 0, "starts_at"},
	{"an_end_of_null", `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","expires_at":null}`, 400, 0, "expires_at"},
	{"unknown_setting", `{"type":"setting.changed","workspace":"p1","setting":"dark_mode","value":"on"}`, 400, 0, "setting"},
	{"bad_setting_value", `{"type":"setting.changed","workspace":"p1","setting":"dark_mode","value":"yes"}`, 400, 0, "value"},
	{"switching_a_permission_of_a_preset_without_switches", `{"type":"staff_permission.changed","workspace":"p1","user":"rita","permission":"view_invoices","value":"on"}`, 400, 0, "permission"},
	{"review_every_days_past_the_cap", `{"type":"policy.set","workspace":"p1","review_every_days":3651}`, 400, 0, "review_every_days"},
	{"review_every_days_negative", `{"type":"policy.set","workspace":"p1","review_every_days":-1}`, 400, 0, "review_every_days"},
	{"review_every_days_as_text", `{"type":"policy.set","workspace":"p1","review_every_days":"90"}`, 400, 0, "review_every_days"},
	{"review_every_days_of_null", `{"type":"policy.set","workspace":"p1","review_every_days":null}`, 400, 0, "review_every_days"},
	{"review_without_a_user", `{"type":"access.reviewed","workspace":"p1","outcome":"keep"}`, 400, 0, "user"},
	{"review_of_an_unknown_outcome", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"justified"}`, 400, 0, "outcome"},
	{"review_naming_no_items", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":[]}`, 400, 0, "items"},
	{"review_naming_an_unknown_kind_of_grant", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":["owner:olivia"]}`, 400, 0, "items"},
	{"review_naming_a_grant_twice", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":["role:receptionist","role:receptionist"]}`, 400, 0, "items"},
	{"review_naming_a_bad_role", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":["role:Front Desk@north"]}`, 400, 0, "items"},
	{"review_naming_a_bad_place", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":["role:receptionist@no*rth"]}`, 400, 0, "items"},
	{"review_naming_items_as_text", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":"share:ann"}`, 400, 0, "items"},
	{"review_naming_too_many_items", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":["role:r0","role:r1","role:r2","role:r3","role:r4","role:r5","role:r6","role:r7","role:r8","role:r9","role:r10","role:r11","role:r12","role:r13","role:r14","role:r15","role:r16","role:r17","role:r18","role:r19","role:r20","role:r21","role:r22","role:r23","role:r24","role:r25","role:r26","role:r27","role:r28","role:r29","role:r30","role:r31","role:r32","role:r33","role:r34","role:r35","role:r36","role:r37","role:r38","role:r39","role:r40","role:r41","role:r42","role:r43","role:r44","role:r45","role:r46","role:r47","role:r48","role:r49","role:r50","role:r51","role:r52","role:r53","role:r54","role:r55","role:r56","role:r57","role:r58","role:r59","role:r60","role:r61","role:r62","role:r63","role:r64","role:r65","role:r66","role:r67","role:r68","role:r69","role:r70","role:r71","role:r72","role:r73","role:r74","role:r75","role:r76","role:r77","role:r78","role:r79","role:r80","role:r81","role:r82","role:r83","role:r84","role:r85","role:r86","role:r87","role:r88","role:r89","role:r90","role:r91","role:r92","role:r93","role:r94","role:r95","role:r96","role:r97","role:r98","role:r99","role:r100"]}`, 400, 0, "items"},
	{"review_of_a_bad_user", `{"type":"access.reviewed","workspace":"p1","user":"client:ann","outcome":"keep"}`, 400, 0, "user"},
	{"review_note_of_control_characters", `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"keep","note":"ok\u0007"}`, 400, 0, "note"},
	{"atomic_batch_second_event_bad", `{"type":"staff.added","workspace":"p1","user":"zoe","role":"receptionist"}
{"type":"staff.added","workspace":"p1","user":"zed2","role":"nobody"}`, 400, 1, "role"},
}

// PractitionerWithClients is a Caspen practice, w, whose practitioner p
// treats n clients, c0000 on: a list long enough to page and stream.
func PractitionerWithClients(n int) string {
	var b strings.Builder
	b.WriteString(`{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}` + "\n")
	b.WriteString(`{"type":"staff.added","workspace":"w","user":"p","role":"practitioner"}` + "\n")
	for i := range n {
		fmt.Fprintf(&b, `{"type":"client.created","workspace":"w","client":"c%04d","practitioner":"p"}`+"\n", i)
	}
	return b.String()
}

// Admins are n staff.added events of practitioner admins (admin0 on) in
// workspace ws: each one's access is written out, so they ask a lot of a
// request or an import.
func Admins(ws string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"type":"staff.added","workspace":%q,"user":"admin%d","role":"practitioner_admin"}`+"\n", ws, i)
	}
	return b.String()
}

// StaffedPractice is a Caspen practice, w (owner o), of locations l0, l1,
// ... each with perLocation staff held there (u<l>_<i>: five practitioners
// to a receptionist) and five clients (c<l>_<i>, treated by u<l>_0, each
// with a note n<l>_<i> by them), and wide more staff held workspace-wide
// (x<i>: practice managers, accountants and practitioner admins in turn).
// Its staff number 1 + locations*perLocation + wide.
func StaffedPractice(locations, perLocation, wide int) string {
	var b strings.Builder
	b.WriteString(`{"type":"workspace.created","workspace":"w","owner":"o","preset":"caspen"}` + "\n")
	for l := range locations {
		fmt.Fprintf(&b, `{"type":"location.created","workspace":"w","location":"l%d"}`+"\n", l)
	}
	local := []string{"practitioner", "practitioner", "practitioner", "practitioner", "practitioner", "receptionist"}
	for l := range locations {
		for i := range perLocation {
			fmt.Fprintf(&b, `{"type":"staff.added","workspace":"w","user":"u%d_%d","role":%q,"location":"l%d"}`+"\n", l, i, local[i%len(local)], l)
		}
		for i := range 5 {
			fmt.Fprintf(&b, `{"type":"client.created","workspace":"w","client":"c%d_%d","location":"l%d","practitioner":"u%d_0"}`+"\n", l, i, l, l)
			fmt.Fprintf(&b, `{"type":"note.created","workspace":"w","note":"n%d_%d","client":"c%d_%d","author":"u%d_0"}`+"\n", l, i, l, i, l)
		}
	}
	wideRoles := []string{"practice_manager", "accountant", "practitioner_admin"}
	for i := range wide {
		fmt.Fprintf(&b, `{"type":"staff.added","workspace":"w","user":"x%d","role":%q}`+"\n", i, wideRoles[i%len(wideRoles)])
	}
	return b.String()
}

// Cost is one event, or one request of several, applied to a StaffedPractice
// to count what it reads and writes.
type Cost struct{ Name, Events string }

// Costs name every event type Caspen has (Cliniko's settings and
// ClinicSense's switched permissions are not Caspen's), on the people of a
// StaffedPractice with at least two locations and twelve staff at each.
var Costs = []Cost{
	{"workspace.created", `{"type":"workspace.created","workspace":"w2","owner":"o2","preset":"caspen"}`},
	{"ownership.transferred", `{"type":"ownership.transferred","workspace":"w","to":"u1_1"}`},
	{"location.created", `{"type":"location.created","workspace":"w","location":"new"}`},
	{"staff.added", `{"type":"staff.added","workspace":"w","user":"new","role":"receptionist","location":"l1"}`},
	{"staff.disabled", `{"type":"staff.disabled","workspace":"w","user":"u1_1"}`},
	{"staff.disabled, staff.enabled", `{"type":"staff.disabled","workspace":"w","user":"u1_1"}
{"type":"staff.enabled","workspace":"w","user":"u1_1"}`},
	{"staff.removed", `{"type":"staff.removed","workspace":"w","user":"u1_0"}`},
	{"role.assigned", `{"type":"role.assigned","workspace":"w","user":"u1_5","role":"practitioner","location":"l1"}`},
	{"role.revoked", `{"type":"role.revoked","workspace":"w","user":"u1_1","role":"practitioner","location":"l1"}`},
	{"role.updated (a workspace area)", `{"type":"role.updated","workspace":"w","role":"practitioner","grants":{"reports":"all"}}`},
	{"role.updated (receptionists' forms)", `{"type":"role.updated","workspace":"w","role":"receptionist","grants":{"forms":"all"}}`},
	{"role.updated (practitioners' invoices)", `{"type":"role.updated","workspace":"w","role":"practitioner","grants":{"invoices":"all"}}`},
	{"role.defined", `{"type":"role.defined","workspace":"w","role":"front","grants":{"clients":{"view":"all"}}}`},
	{"role.defined, role.deleted", `{"type":"role.defined","workspace":"w","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"role.deleted","workspace":"w","role":"front"}`},
	{"notes_access.granted (a role)", `{"type":"notes_access.granted","workspace":"w","role":"receptionist"}`},
	{"notes_access.granted (one client)", `{"type":"notes_access.granted","workspace":"w","user":"u1_1","client":"c1_0"}`},
	{"notes_access.revoked (one client)", `{"type":"notes_access.revoked","workspace":"w","user":"u1_1","client":"c1_0"}`},
	{"client.created", `{"type":"client.created","workspace":"w","client":"new","location":"l1","practitioner":"u1_1"}`},
	{"client.deleted", `{"type":"client.deleted","workspace":"w","client":"c1_0"}`},
	{"client.practitioner_assigned", `{"type":"client.practitioner_assigned","workspace":"w","client":"c1_0","user":"u1_1"}`},
	{"client.practitioner_unassigned", `{"type":"client.practitioner_unassigned","workspace":"w","client":"c1_0","user":"u1_0"}`},
	{"patient.shared", `{"type":"patient.shared","workspace":"w","client":"c1_0","user":"u1_2"}`},
	{"patient.unshared", `{"type":"patient.unshared","workspace":"w","client":"c1_0","user":"u1_2"}`},
	{"note.created", `{"type":"note.created","workspace":"w","note":"new","client":"c1_0","author":"u1_0"}`},
	{"note.finalized", `{"type":"note.finalized","workspace":"w","note":"n1_0"}`},
	{"letter.created", `{"type":"letter.created","workspace":"w","letter":"new","client":"c1_0","author":"u1_0"}`},
	{"file.uploaded", `{"type":"file.uploaded","workspace":"w","file":"new","client":"c1_0","author":"u1_0"}`},
	{"form.completed", `{"type":"form.completed","workspace":"w","form":"new","client":"c1_0","template":"intake"}`},
	{"form_template.restricted", `{"type":"form_template.restricted","workspace":"w","template":"intake","value":"on"}`},
	{"form_template.access_granted", `{"type":"form_template.access_granted","workspace":"w","template":"intake","role":"practitioner"}`},
	{"form_template.access_revoked", `{"type":"form_template.access_revoked","workspace":"w","template":"intake","role":"practitioner"}`},
	{"expense.created", `{"type":"expense.created","workspace":"w","expense":"new","author":"u1_5"}`},
	{"message.posted", `{"type":"message.posted","workspace":"w","message":"new","author":"u1_5"}`},
	{"appointment.booked", `{"type":"appointment.booked","workspace":"w","appointment":"new","client":"c1_0","practitioner":"u1_0"}`},
	{"invoice.created", `{"type":"invoice.created","workspace":"w","invoice":"new","client":"c1_0","practitioner":"u1_0"}`},
	{"20 note.created by 20 authors", twentyNotes()},
	{"staff.disabled and 18 patient.shared", `{"type":"staff.disabled","workspace":"w","user":"u1_1"}` + "\n" + shares(18)},
	{"staff.removed and 18 patient.shared", `{"type":"staff.removed","workspace":"w","user":"u1_2"}` + "\n" + shares(18)},
}

// shares are n patient.shared events of client c0_0 with n staff (u0_1 on,
// then u1_3 on): more users named than are read one by one.
func shares(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"type":"patient.shared","workspace":"w","client":"c0_0","user":"u%d_%d"}`+"\n", i%2, 3+i/2)
	}
	return b.String()
}

func twentyNotes() string {
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, `{"type":"note.created","workspace":"w","note":"new%d","client":"c%d_0","author":"u%d_%d"}`+"\n", i, i%2, i%2, i/2)
	}
	return b.String()
}

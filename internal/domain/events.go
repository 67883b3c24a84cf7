package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Event is one practice event. Which fields an event carries depends on its Type;
// see EventTypes.
type Event struct {
	Type       string               `json:"type"`
	Workspace  string               `json:"workspace,omitempty"`
	Owner      string               `json:"owner,omitempty"`
	Preset     string               `json:"preset,omitempty"`
	To         string               `json:"to,omitempty"`
	Location   string               `json:"location,omitempty"`
	Region     string               `json:"region,omitempty"`
	User       string               `json:"user,omitempty"`
	Role       string               `json:"role,omitempty"`
	Grants     map[string]AreaGrant `json:"grants,omitempty"`
	Inherits   string               `json:"inherits,omitempty"`
	Setting    string               `json:"setting,omitempty"`
	Permission string               `json:"permission,omitempty"`
	Value      string               `json:"value,omitempty"`
	// InactivityDays is policy.set's inactivity_days: 0 is off.
	// InactivitySet says the field was there.
	InactivityDays int  `json:"inactivity_days,omitempty"`
	InactivitySet  bool `json:"-"`
	// Approvals is policy.set's approvals_required (0: not given).
	Approvals int `json:"approvals_required,omitempty"`
	// ReviewDays is policy.set's review_every_days (0 is off); ReviewSet
	// says the field was there.
	ReviewDays int  `json:"review_every_days,omitempty"`
	ReviewSet  bool `json:"-"`
	// Items are the grants an access.reviewed revokes (GrantItem's items).
	Items []string `json:"items,omitempty"`
	// At is when staff.seen saw the user (at; its zero value is now).
	At time.Time `json:"-"`
	// Received is when the event was read: the "now" of what it starts
	// (an inactivity policy's days count from it).
	Received time.Time `json:"-"`
	// StartsAt and ExpiresAt bound what the event grants (expires_at and
	// starts_at): their zero values are now and never. Span is both.
	StartsAt  time.Time `json:"-"`
	ExpiresAt End       `json:"-"`
	// Cond is the conditions the event gives (hours, networks): a holding's
	// on staff.added, role.assigned and service_account.created, a role's on
	// role.defined and role.updated. HoursSet and NetworksSet say that the
	// field was there, null (remove them) or not.
	Cond         Cond   `json:"-"`
	HoursSet     bool   `json:"-"`
	NetworksSet  bool   `json:"-"`
	Client       string `json:"client,omitempty"`
	Practitioner string `json:"practitioner,omitempty"`
	Note         string `json:"note,omitempty"`
	Author       string `json:"author,omitempty"`
	Appointment  string `json:"appointment,omitempty"`
	Invoice      string `json:"invoice,omitempty"`
	Letter       string `json:"letter,omitempty"`
	File         string `json:"file,omitempty"`
	Form         string `json:"form,omitempty"`
	Template     string `json:"template,omitempty"`
	Expense      string `json:"expense,omitempty"`
	Message      string `json:"message,omitempty"`
	// Account is a service account's ID (service_account.* events); its
	// Name is what people call it. Such events also set User to the account's
	// person key ("service_account:ID"), which the planner reads.
	Account string `json:"account,omitempty"`
	Name    string `json:"name,omitempty"`
	// ID names a break-glass opening within its practice (break_glass.*);
	// Reason is why it was opened, Minutes how long it lasts (0: the
	// default). Outcome and Remark are a review's (justified or
	// unjustified, and its note).
	ID string `json:"id,omitempty"`
	// Refund names a refund within its practice (refund.*).
	Refund string `json:"refund,omitempty"`
	// Request names a request for access within its practice (access.*);
	// Manager is a staff member's manager (staff.manager_*).
	Request string `json:"request,omitempty"`
	Manager string `json:"manager,omitempty"`
	// Delegation names a delegation within its practice (delegation.*):
	// From lends To (the event's to) the Roles named, or all they hold.
	Delegation string   `json:"delegation,omitempty"`
	From       string   `json:"from,omitempty"`
	Roles      []string `json:"roles,omitempty"`
	// Once: access.requested asks for a one-time grant.
	Once bool `json:"once,omitempty"`
	// Calendar is role.defined's calendar: whether the role's holders can be
	// booked and invoiced for (nil: as the role it inherits, or not).
	Calendar *bool  `json:"calendar,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Minutes  int    `json:"minutes,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	Remark   string `json:"-"`
	// Actor is the request's actor ("user:ID"): the person deciding, whom
	// events that need one (EventSpec.Actor) are held to.
	Actor string `json:"-"`
}

// EventSpec declares an event type: its fields, what it reads besides the
// practice and the objects it names, and how it is planned.
type EventSpec struct {
	Required []string
	Optional []string
	// Creates is the type of object the event makes (named by the field of the
	// same name), or "".
	Creates string
	// Reach is whose written-out access the event may change (see reach):
	// everyone's unless declared otherwise.
	Reach reach
	// Links are the relations by which records name the event's user that
	// planning it reads (notes access that follows their roles; everything
	// of theirs, for a removal).
	Links []Link
	// Fields declare, for this event type alone, fields it reads otherwise
	// than eventFields does (break_glass.reviewed's note is text).
	Fields map[string]eventField
	// Ownership: the event reads the practice's backup owner and claim of
	// ownership (ownershipRelations).
	Ownership bool
	// Managers: the event reads who manages whom in the practice (Needs.Managers).
	Managers bool
	// Actor, when set, is what the event needs of the request's actor
	// (ActorChecks): the schema answers it before the event is applied.
	Actor func(i int, e Event) (ActorCheck, error)
	// MoreChecks, when set, are further questions about the actor: each must
	// be allowed too (a review revoking a delegation needs delegation#revoke).
	MoreChecks func(i int, e Event) []ActorCheck
	// plan applies the event to the practice's state (see planner).
	plan func(p *planner, i int, pr Practice, e Event) error
}

// EventTypes are the events Ward accepts, with their fields. The names are a
// contract with app services: extend beside them, never rename them.
var EventTypes = map[string]EventSpec{
	"workspace.created": {Required: []string{"workspace", "owner", "preset"}},
	// ownership.transferred reaches the old and the new owner's access: the
	// owner is spared by an inactivity policy.
	"ownership.transferred":          {Required: []string{"workspace", "to"}, Reach: reachOwners, Ownership: true, plan: (*planner).ownershipTransferred},
	"location.created":               {Required: []string{"workspace", "location"}, Optional: []string{"region"}, Creates: TypeLocation, plan: (*planner).locationCreated},
	"region.created":                 {Required: []string{"workspace", "region"}, Reach: reachNobody, plan: (*planner).regionCreated},
	"location.moved":                 {Required: []string{"workspace", "location"}, Optional: []string{"region"}, plan: (*planner).locationMoved},
	"staff.added":                    {Required: []string{"workspace", "user", "role"}, Optional: []string{"location", "region", "starts_at", "expires_at", "hours", "networks"}, Links: notesLinks, Reach: reachPerson, plan: (*planner).staffAdded},
	"staff.disabled":                 {Required: []string{"workspace", "user"}, Links: notesLinks, Reach: reachPerson, plan: (*planner).staffDisabled},
	"staff.enabled":                  {Required: []string{"workspace", "user"}, Links: notesLinks, Reach: reachPerson, plan: (*planner).staffEnabled},
	"staff.seen":                     {Required: []string{"workspace", "user"}, Optional: []string{"at"}, Reach: reachPerson, plan: (*planner).staffSeen},
	"policy.set":                     {Required: []string{"workspace"}, Optional: []string{"inactivity_days", "approvals_required", "review_every_days"}, plan: (*planner).policySet},
	"staff.removed":                  {Required: []string{"workspace", "user"}, Links: removalLinks, Reach: reachPerson, Ownership: true, plan: (*planner).staffRemoved},
	"role.assigned":                  {Required: []string{"workspace", "user", "role"}, Optional: []string{"location", "region", "starts_at", "expires_at", "hours", "networks"}, Links: notesLinks, Reach: reachPerson, plan: (*planner).roleMembership},
	"role.revoked":                   {Required: []string{"workspace", "user", "role"}, Optional: []string{"location", "region"}, Links: notesLinks, Reach: reachPerson, plan: (*planner).roleMembership},
	"role.updated":                   {Required: []string{"workspace", "role"}, Optional: []string{"grants", "hours", "networks"}, Reach: reachRole, plan: (*planner).roleUpdated},
	"role.defined":                   {Required: []string{"workspace", "role"}, Optional: []string{"grants", "inherits", "hours", "networks", "calendar"}, Reach: reachRole, plan: (*planner).roleDefined},
	"role.deleted":                   {Required: []string{"workspace", "role"}, Reach: reachRole, plan: (*planner).roleDeleted},
	"setting.changed":                {Required: []string{"workspace", "setting", "value"}, plan: (*planner).settingChanged},
	"staff_permission.changed":       {Required: []string{"workspace", "user", "permission", "value"}, Optional: []string{"starts_at", "expires_at"}, Links: notesLinks, Reach: reachPerson, plan: (*planner).staffPermissionChanged},
	"letter.created":                 {Required: []string{"workspace", "letter", "client", "author"}, Creates: TypeLetter, Reach: reachNobody, plan: (*planner).letterCreated},
	"file.uploaded":                  {Required: []string{"workspace", "file", "client", "author"}, Creates: TypeFile, Reach: reachNobody, plan: (*planner).fileUploaded},
	"form.completed":                 {Required: []string{"workspace", "form", "client"}, Optional: []string{"template"}, Creates: TypeForm, Reach: reachNobody, plan: (*planner).formCompleted},
	"form_template.restricted":       {Required: []string{"workspace", "template", "value"}, Reach: reachNobody, plan: (*planner).templateAccess},
	"form_template.access_granted":   {Required: []string{"workspace", "template", "role"}, Optional: []string{"starts_at", "expires_at"}, Reach: reachNobody, plan: (*planner).templateAccess},
	"form_template.access_revoked":   {Required: []string{"workspace", "template", "role"}, Reach: reachNobody, plan: (*planner).templateAccess},
	"expense.created":                {Required: []string{"workspace", "expense", "author"}, Creates: TypeExpense, Reach: reachNobody, plan: (*planner).expenseCreated},
	"message.posted":                 {Required: []string{"workspace", "message", "author"}, Creates: TypeMessage, Reach: reachNobody, plan: (*planner).messagePosted},
	"client.created":                 {Required: []string{"workspace", "client"}, Optional: []string{"location", "practitioner"}, Creates: TypeClient, Reach: reachNobody, plan: (*planner).clientCreated},
	"client.deleted":                 {Required: []string{"workspace", "client"}, Reach: reachNobody, plan: (*planner).clientDeleted},
	"client.practitioner_assigned":   {Required: []string{"workspace", "client", "user"}, Reach: reachNobody, plan: (*planner).clientPractitioner},
	"client.practitioner_unassigned": {Required: []string{"workspace", "client", "user"}, Reach: reachNobody, plan: (*planner).clientPractitioner},
	"patient.shared":                 {Required: []string{"workspace", "client", "user"}, Optional: []string{"starts_at", "expires_at"}, Reach: reachNobody, plan: (*planner).patientShare},
	"patient.unshared":               {Required: []string{"workspace", "client", "user"}, Reach: reachNobody, plan: (*planner).patientShare},
	"notes_access.granted":           {Required: []string{"workspace"}, Optional: []string{"role", "user", "client", "starts_at", "expires_at"}, Reach: reachNobody, Links: notesLinks, plan: (*planner).notesAccess},
	"notes_access.revoked":           {Required: []string{"workspace"}, Optional: []string{"role", "user", "client"}, Reach: reachNobody, Links: notesLinks, plan: (*planner).notesAccess},
	"note.created":                   {Required: []string{"workspace", "note", "client", "author"}, Creates: TypeNote, Reach: reachNobody, plan: (*planner).noteCreated},
	"note.finalized":                 {Required: []string{"workspace", "note"}, Reach: reachNobody, plan: (*planner).noteFinalized},
	"appointment.booked":             {Required: []string{"workspace", "appointment", "client", "practitioner"}, Optional: []string{"location"}, Creates: TypeAppointment, Reach: reachNobody, plan: (*planner).appointmentBooked},
	"invoice.created":                {Required: []string{"workspace", "invoice", "client"}, Optional: []string{"practitioner", "location"}, Creates: TypeInvoice, Reach: reachNobody, plan: (*planner).invoiceCreated},
	"service_account.created":        {Required: []string{"workspace", "account", "name"}, Optional: []string{"role", "location", "region", "starts_at", "expires_at", "hours", "networks"}, Creates: TypeServiceAccount, Reach: reachPerson, plan: (*planner).serviceAccountCreated},
	"service_account.deleted":        {Required: []string{"workspace", "account"}, Reach: reachPerson, plan: (*planner).serviceAccountDeleted},
	"break_glass.opened": {Required: []string{"workspace", "id", "user", "client", "reason"}, Optional: []string{"minutes", "expires_at"}, Reach: reachNobody, Links: []Link{{TypeBreakGlass, "holder"}},
		Actor: openerCheck, plan: (*planner).breakGlassOpened},
	"break_glass.closed": {Required: []string{"workspace", "id"}, Reach: reachNobody,
		Actor: actorMay("close", aboutOpening, "%s may not close break-glass %q: only the person who opened it, or a holder of review_access (the owner by default), may"),
		plan:  (*planner).breakGlassClosed},
	"break_glass.reviewed": {Required: []string{"workspace", "id", "outcome"}, Optional: []string{"note"}, Reach: reachNobody,
		Fields: map[string]eventField{"note": {kind: textField, text: func(e *Event) *string { return &e.Remark }}},
		Actor:  actorMay("review", aboutOpening, "%s may not review break-glass %q: only a holder of review_access (the owner by default) who did not open it may"),
		plan:   (*planner).breakGlassReviewed},
	"backup_owner.designated": {Required: []string{"workspace", "user"}, Reach: reachNobody, Ownership: true,
		Actor: actorMay("transfer_ownership", aboutWorkspace, "%s may not designate the backup owner of %q: only the account owner may"),
		plan:  (*planner).backupOwnerDesignated},
	"ownership.claimed": {Required: []string{"workspace", "reason"}, Reach: reachNobody, Ownership: true,
		Actor: actorMay("claim_ownership", aboutWorkspace, "%s may not claim the ownership of %q: only its backup owner may (backup_owner.designated), while enabled"),
		plan:  (*planner).ownershipClaimed},
	"ownership.claim_approved": {Required: []string{"workspace"}, Ownership: true,
		Actor: actorMay("approve_ownership_claim", aboutWorkspace, "%s may not approve the claim of the ownership of %q: only a workspace-wide holder of the preset's owner role may, never the claimant, and only while a claim waits"),
		plan:  (*planner).ownershipClaimApproved},
	"ownership.claim_rejected": {Required: []string{"workspace"}, Reach: reachNobody, Ownership: true,
		Actor: actorMay("transfer_ownership", aboutWorkspace, "%s may not reject the claim of the ownership of %q: only the account owner may"),
		plan:  (*planner).ownershipClaimRejected},
	"delegation.granted": {Required: []string{"workspace", "delegation", "from", "to", "expires_at"}, Optional: []string{"roles", "starts_at"}, Reach: reachParties,
		Actor: actorMay("lend_roles", aboutLender, "%s may not lend %s's roles: only they themselves (while enabled staff of the practice) or the account owner may, and only a staff member's"),
		plan:  (*planner).delegationGranted},
	"delegation.revoked": {Required: []string{"workspace", "delegation"}, Reach: reachParties,
		Actor: actorMay("revoke", aboutDelegation, "%s may not revoke delegation %q: only its lender or its delegate, while enabled and until it ends, or the account owner may"),
		plan:  (*planner).delegationRevoked},
	"staff.manager_set":     {Required: []string{"workspace", "user", "manager"}, Reach: reachNobody, Managers: true, plan: (*planner).staffManager},
	"staff.manager_cleared": {Required: []string{"workspace", "user", "manager"}, Reach: reachNobody, Managers: true, plan: (*planner).staffManager},
	"access.requested": {Required: []string{"workspace", "request", "user", "role", "reason"}, Optional: []string{"location", "minutes", "expires_at", "once"}, Reach: reachNobody, Links: []Link{waitingLink}, Managers: true,
		Fields: map[string]eventField{"minutes": {kind: accessMinutesField}},
		Actor:  requesterCheck, plan: (*planner).accessRequested},
	"access.approved": {Required: []string{"workspace", "request"}, Optional: []string{"reason"}, Links: notesLinks, Reach: reachPerson,
		Actor: actorMay(DecideApprove, aboutRequest, "%s may not approve access request %q: only a holder of approve_access (the owner by default), or the requester's manager if they may give the role asked for, may, while it waits, never the requester; under a policy of two approvals the manager approves first, then someone else who holds approve_access"),
		plan:  (*planner).accessApproved},
	"access.consumed": {Required: []string{"workspace", "request"}, Links: notesLinks, Reach: reachPerson,
		Actor: actorMay(DecideConsume, aboutRequest, "%s may not use the one-time grant of access request %q: only its requester may, once, while it is approved and has not ended"),
		plan:  (*planner).accessConsumed},
	"access.denied": {Required: []string{"workspace", "request"}, Optional: []string{"reason"}, Reach: reachNobody,
		Actor: actorMay(DecideDeny, aboutRequest, "%s may not deny access request %q: only the requester's manager or a holder of approve_access (the owner by default) may, while it waits, never the requester"),
		plan:  (*planner).accessDenied},
	"access.reviewed": {Required: []string{"workspace", "user", "outcome"}, Optional: []string{"items", "note"}, Links: notesLinks, Reach: reachPerson, MoreChecks: revokeChecks,
		Fields: map[string]eventField{"note": {kind: textField, text: func(e *Event) *string { return &e.Remark }}, "outcome": {kind: reviewOutcomeField, text: func(e *Event) *string { return &e.Outcome }}},
		Actor:  actorMay("review_access", aboutReviewed, "%s may not review the access of %s: only a holder of review_access (the owner by default) or their manager may, while enabled, never the person themselves"),
		plan:   (*planner).accessReviewed},
	"refund.requested": {Required: []string{"workspace", "refund", "invoice"}, Reach: reachNobody,
		Actor: actorMay("request_refund", aboutRefundInvoice, "%s may not ask for refund %q: no role of theirs where the invoice is has refunds request"),
		plan:  (*planner).refundRequested},
	"refund.approved": {Required: []string{"workspace", "refund"}, Reach: reachNobody,
		Actor: actorMay("approve", aboutRefund, "%s may not approve refund %q: the person who asked for it never approves it, someone else may have approved it already, and approving needs refunds approve where its invoice is"),
		plan:  (*planner).refundApproved},
	"refund.processed": {Required: []string{"workspace", "refund"}, Reach: reachNobody,
		Actor: actorMay("process", aboutRefund, "%s may not process refund %q: it is processed only once approved, never by the person who approved it, only once (someone else may have processed it already), and processing needs refunds process where its invoice is"),
		plan:  (*planner).refundProcessed},
}

// serviceAccountEvents are the events whose user may be a service account
// ("service_account:ID"): the roles it holds, and switching it off and on.
// Every other event names people only.
var serviceAccountEvents = []string{"role.assigned", "role.revoked", "staff.disabled", "staff.enabled", "access.reviewed"}

// MaxEventsPerRequest bounds one request, which is applied atomically.
const MaxEventsPerRequest = 1000

// MaxInactivityDays is the longest inactivity a policy may allow: ten years.
const MaxInactivityDays = 3650

// MaxImportEvents bounds one import of new practices, also applied
// atomically. Its relationships are bounded too (MaxImportChanges): a client
// takes about five, so 50,000 events of new clients stay within both.
const MaxImportEvents = 50000

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9_|=+\-]{1,128}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

// ValidateID checks an object ID supplied by a caller.
func ValidateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("must not be empty")
	case strings.Contains(id, "*"):
		return fmt.Errorf("%q: the wildcard '*' is not an ID: it would reach every object", id)
	case !idPattern.MatchString(id):
		return fmt.Errorf("%q is not a valid ID: use 1-128 letters, digits, '_', '-', '=', '+' or '|'", id)
	}
	return nil
}

// validateText checks a display name: 1-200 characters of UTF-8 that print,
// none of them control, invisible or direction-changing, not beginning or
// ending with a space. A name that could pass for another in a list of
// accounts ("Sync" and "Sy\u200bnc", "Sync" and "Sync ") is refused.
func validateText(v string) error {
	if v == "" || utf8.RuneCountInString(v) > 200 || !utf8.ValidString(v) {
		return fmt.Errorf("must be 1-200 characters of UTF-8")
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return fmt.Errorf("must not contain control characters")
	}
	// JSON decoding turns bytes that are not UTF-8, and lone surrogates, into
	// U+FFFD: refusing it is how such a name is refused.
	if strings.ContainsRune(v, utf8.RuneError) {
		return fmt.Errorf("must be UTF-8 (U+FFFD stands for bytes that were not UTF-8 or a lone surrogate)")
	}
	for i, r := range []rune(v) {
		if invisible(r) {
			return fmt.Errorf("character %d (%U) does not print, prints as nothing or changes the text's direction: take it out (emoji variation selectors, joiners and private-use characters are refused too)", i+1, r)
		}
	}
	if first, _ := utf8.DecodeRuneInString(v); unicode.IsSpace(first) {
		return fmt.Errorf("must not begin with a space")
	}
	if last, _ := utf8.DecodeLastRuneInString(v); unicode.IsSpace(last) {
		return fmt.Errorf("must not end with a space")
	}
	if !strings.ContainsFunc(v, visible) {
		return fmt.Errorf("must have a visible character: spaces, blanks and marks alone say nothing")
	}
	return nil
}

// invisible reports whether r prints as nothing, or changes how the text
// around it prints, without being a space: format characters (joiners,
// direction marks and overrides), line and paragraph separators, private-use,
// unassigned and noncharacter code points (none is graphic), the code points
// Unicode says to ignore when displaying (Hangul fillers, the combining
// grapheme joiner), variation selectors and the braille blank.
func invisible(r rune) bool {
	return !unicode.IsGraphic(r) ||
		unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) ||
		r == '\u2800'
}

// visible reports whether r prints as something: not a space, a mark that
// only changes another character, or an invisible character.
func visible(r rune) bool {
	return !invisible(r) && !unicode.IsSpace(r) && !unicode.In(r, unicode.Mn, unicode.Me)
}

func validateName(name string) error {
	if strings.Contains(name, "*") {
		return fmt.Errorf("%q: the wildcard '*' is not a name", name)
	}
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%q is not a valid name: use lowercase letters, digits and '_', starting with a letter", name)
	}
	return nil
}

// ParseEvents decodes and validates each raw JSON object as an event. Errors name
// the event's index and field. Ends (expires_at) must come after now.
func ParseEvents(raws []json.RawMessage) ([]Event, error) {
	return ParseEventsAt(raws, time.Now())
}

// ParseEventsAt is ParseEvents with the present moment given: an end at or
// before now is refused.
func ParseEventsAt(raws []json.RawMessage, now time.Time) ([]Event, error) {
	return parseEvents(raws, MaxEventsPerRequest, now)
}

// ParseImport parses an import's events, up to MaxImportEvents.
func ParseImport(raws []json.RawMessage) ([]Event, error) {
	return parseEvents(raws, MaxImportEvents, time.Now())
}

func parseEvents(raws []json.RawMessage, most int, now time.Time) ([]Event, error) {
	if len(raws) == 0 {
		return nil, Errorf(CodeInvalid, "events: at least one event is required")
	}
	if len(raws) > most {
		return nil, Errorf(CodeInvalid, "events: %d events in one request; at most %d are applied atomically, split the request", len(raws), most)
	}
	events := make([]Event, 0, len(raws))
	for i, raw := range raws {
		e, err := parseEvent(i, raw, now)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, nil
}

func parseEvent(i int, raw json.RawMessage, now time.Time) (Event, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return Event{}, &Error{Code: CodeInvalid, Index: i, Message: "must be a JSON object"}
	}
	var typ string
	if rawType, ok := fields["type"]; !ok {
		return Event{}, fieldErr(CodeInvalid, i, "type", "is required")
	} else if isNull(rawType) {
		return Event{}, fieldErr(CodeInvalid, i, "type", "is null: give the event's type, e.g. staff.added")
	} else if err := json.Unmarshal(rawType, &typ); err != nil {
		return Event{}, fieldErr(CodeInvalid, i, "type", "must be a string")
	}
	spec, ok := EventTypes[typ]
	if !ok {
		return Event{}, fieldErr(CodeInvalid, i, "type", "unknown event type %q (known: %s)", typ, strings.Join(slices.Sorted(maps.Keys(EventTypes)), ", "))
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if name != "type" && !slices.Contains(spec.Required, name) && !slices.Contains(spec.Optional, name) {
			return Event{}, fieldErr(CodeInvalid, i, name, "is not a field of %s (fields: %s)", typ, strings.Join(append(slices.Clone(spec.Required), spec.Optional...), ", "))
		}
	}
	for _, name := range spec.Required {
		if _, ok := fields[name]; !ok {
			return Event{}, fieldErr(CodeInvalid, i, name, "is required for %s", typ)
		}
	}
	e := Event{Type: typ, Received: now}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if name == "type" {
			continue
		}
		if err := setField(&e, spec, name, fields[name], now); err != nil {
			return Event{}, fieldErr(CodeInvalid, i, name, "%v", err)
		}
	}
	// A role is given something: grants, conditions, or (role.defined) a
	// role to inherit.
	if typ == "role.updated" || typ == "role.defined" {
		given := e.HoursSet || e.NetworksSet // role.updated: null removes them
		if typ == "role.defined" {
			given = !e.Cond.IsZero()
		}
		if len(e.Grants) == 0 && e.Inherits == "" && !given {
			why := "must name at least one area"
			if typ == "role.defined" {
				why += ", unless the role inherits another"
			}
			why += " (or give the role hours or networks)"
			return Event{}, fieldErr(CodeInvalid, i, "grants", "%s", why)
		}
	}
	if strings.HasPrefix(typ, "service_account.") {
		e.User = ServiceAccountKey(e.Account)
	} else if IsServiceAccount(e.User) && !slices.Contains(serviceAccountEvents, typ) {
		return Event{}, fieldErr(CodeInvalid, i, "user", "%s names people only, not a service account: a service account is added and removed with service_account.created and service_account.deleted, and takes only %s", typ, strings.Join(serviceAccountEvents, ", "))
	}
	if strings.HasPrefix(typ, "notes_access.") {
		byRole := e.Role != "" && e.User == "" && e.Client == ""
		byClient := e.Role == "" && e.User != "" && e.Client != ""
		if !byRole && !byClient {
			return Event{}, &Error{Code: CodeInvalid, Index: i, Message: typ + " takes either {workspace, role} or {workspace, user, client}"}
		}
	}
	if typ == "access.requested" && e.Minutes == 0 && e.ExpiresAt.Never() {
		return Event{}, fieldErr(CodeInvalid, i, "minutes", "is required for access.requested, or expires_at: how long the role is held once approved (at most %d minutes), or until when", MaxAccessMinutes)
	}
	if e.Minutes != 0 && !e.ExpiresAt.Never() {
		return Event{}, fieldErr(CodeInvalid, i, "expires_at", "is given with minutes: give one of them")
	}
	if !e.StartsAt.IsZero() && !e.ExpiresAt.Never() && !e.StartsAt.Before(e.ExpiresAt.Time()) {
		return Event{}, fieldErr(CodeInvalid, i, "starts_at", "%s is not before expires_at (%s): the grant would never count", e.StartsAt.Format(time.RFC3339), e.ExpiresAt)
	}
	if from := later(e.StartsAt, now); !e.ExpiresAt.Never() && from.Before(e.ExpiresAt.Time()) {
		for _, h := range e.Cond.Hours { // the grant counts from now or its start, whichever is later
			if !h.fallsIn(from, e.ExpiresAt.Time()) {
				start := "now"
				if from.Equal(e.StartsAt) {
					start = "starts_at"
				}
				return Event{}, fieldErr(CodeInvalid, i, "hours", "%s never fall between %s (%s) and expires_at (%s): the grant would never count; widen the hours or the dates", h.Text(), start, from.UTC().Format(time.RFC3339), e.ExpiresAt)
			}
		}
	}
	return e, nil
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// now is when e was received (Received), or, for an event made in code
// rather than read, the current time.
func (e Event) now() time.Time {
	if e.Received.IsZero() {
		return time.Now()
	}
	return e.Received
}

// Span is when what e grants counts: from starts_at (or now) until
// expires_at (or never), while its conditions hold (a holding's hours and
// networks; the events that give a role conditions, role.defined and
// role.updated, grant no span: roleConds reads their Cond).
func (e Event) Span() Span {
	s, _ := Between(e.StartsAt, e.ExpiresAt) // parseEvent refused a start not before the end
	s, _ = Intersect(s, CondSpan(e.Cond))    // a condition narrows every moment, and takes none away
	return s
}

// fieldKind is how a field's value is read.
type fieldKind int

const (
	idField            fieldKind = iota // an object's ID (ValidateID)
	personField                         // a user's ID, or "service_account:ID"
	textField                           // a display name: 1-200 printable characters
	nameField                           // a role, preset, setting or permission name
	endField                            // an RFC 3339 end (expires_at)
	startField                          // an RFC 3339 start (starts_at)
	atField                             // an RFC 3339 moment that has come (at)
	daysField                           // a whole number of days, 0 to MaxInactivityDays
	switchField                         // on or off
	grantsField                         // a role's grants
	hoursField                          // business hours (ParseHours), or null
	networksField                       // networks (ParseNetworks), or null
	minutesField                        // a whole number of minutes, 1 to MaxBreakGlassMinutes
	accessMinutesField                  // a whole number of minutes, 1 to MaxAccessMinutes
	approvalsField                      // a number of approvals, 1 to MaxApprovals
	boolField                           // true or false
	calendarField                       // true or false, kept as given
	outcomeField                        // a review's outcome: justified or unjustified
	rolesField                          // role names, 1 to MaxDelegatedRoles, each once
	reviewDaysField                     // a whole number of days, 0 to MaxReviewDays
	reviewOutcomeField                  // an access review's outcome: keep or revoke
	itemsField                          // grants (ParseItem), 1 to MaxReviewItems, each once
)

// eventField declares one field events carry: how its value is read, the
// type of the object it names (for objects events create or name), and
// where it goes in an Event.
type eventField struct {
	kind   fieldKind
	object string
	text   func(*Event) *string
}

// eventFields are every field any event carries, by name.
var eventFields = map[string]eventField{
	"workspace":          {kind: idField, text: func(e *Event) *string { return &e.Workspace }},
	"owner":              {kind: idField, text: func(e *Event) *string { return &e.Owner }},
	"preset":             {kind: nameField, text: func(e *Event) *string { return &e.Preset }},
	"to":                 {kind: idField, text: func(e *Event) *string { return &e.To }},
	"user":               {kind: personField, text: func(e *Event) *string { return &e.User }},
	"account":            {kind: idField, object: TypeServiceAccount, text: func(e *Event) *string { return &e.Account }},
	"name":               {kind: textField, text: func(e *Event) *string { return &e.Name }},
	"role":               {kind: nameField, text: func(e *Event) *string { return &e.Role }},
	"inherits":           {kind: nameField, text: func(e *Event) *string { return &e.Inherits }},
	"setting":            {kind: nameField, text: func(e *Event) *string { return &e.Setting }},
	"permission":         {kind: nameField, text: func(e *Event) *string { return &e.Permission }},
	"value":              {kind: switchField, text: func(e *Event) *string { return &e.Value }},
	"practitioner":       {kind: idField, text: func(e *Event) *string { return &e.Practitioner }},
	"author":             {kind: idField, text: func(e *Event) *string { return &e.Author }},
	"expires_at":         {kind: endField},
	"starts_at":          {kind: startField},
	"at":                 {kind: atField},
	"inactivity_days":    {kind: daysField},
	"grants":             {kind: grantsField},
	"hours":              {kind: hoursField},
	"networks":           {kind: networksField},
	"location":           {kind: idField, object: TypeLocation, text: func(e *Event) *string { return &e.Location }},
	"region":             {kind: idField, text: func(e *Event) *string { return &e.Region }},
	"client":             {kind: idField, object: TypeClient, text: func(e *Event) *string { return &e.Client }},
	"note":               {kind: idField, object: TypeNote, text: func(e *Event) *string { return &e.Note }},
	"appointment":        {kind: idField, object: TypeAppointment, text: func(e *Event) *string { return &e.Appointment }},
	"invoice":            {kind: idField, object: TypeInvoice, text: func(e *Event) *string { return &e.Invoice }},
	"letter":             {kind: idField, object: TypeLetter, text: func(e *Event) *string { return &e.Letter }},
	"file":               {kind: idField, object: TypeFile, text: func(e *Event) *string { return &e.File }},
	"form":               {kind: idField, object: TypeForm, text: func(e *Event) *string { return &e.Form }},
	"template":           {kind: idField, object: TypeTemplate, text: func(e *Event) *string { return &e.Template }},
	"expense":            {kind: idField, object: TypeExpense, text: func(e *Event) *string { return &e.Expense }},
	"message":            {kind: idField, object: TypeMessage, text: func(e *Event) *string { return &e.Message }},
	"id":                 {kind: idField, text: func(e *Event) *string { return &e.ID }},
	"refund":             {kind: idField, text: func(e *Event) *string { return &e.Refund }},
	"request":            {kind: idField, text: func(e *Event) *string { return &e.Request }},
	"manager":            {kind: idField, text: func(e *Event) *string { return &e.Manager }},
	"delegation":         {kind: idField, text: func(e *Event) *string { return &e.Delegation }},
	"from":               {kind: idField, text: func(e *Event) *string { return &e.From }},
	"roles":              {kind: rolesField},
	"approvals_required": {kind: approvalsField},
	"review_every_days":  {kind: reviewDaysField},
	"items":              {kind: itemsField},
	"once":               {kind: boolField},
	"calendar":           {kind: calendarField},
	"reason":             {kind: textField, text: func(e *Event) *string { return &e.Reason }},
	"minutes":            {kind: minutesField},
	"outcome":            {kind: outcomeField, text: func(e *Event) *string { return &e.Outcome }},
}

// stringList reads a JSON list of strings; a null in it is an error (JSON
// decoding would read it as "", and the error would name an empty value
// the caller never sent).
func stringList(raw json.RawMessage) ([]string, error) {
	var ptrs []*string
	if err := json.Unmarshal(raw, &ptrs); err != nil {
		return nil, err
	}
	out := make([]string, len(ptrs))
	for i, p := range ptrs {
		if p == nil {
			return nil, fmt.Errorf("item %d is null", i)
		}
		out[i] = *p
	}
	return out, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// nullError says what to send instead of null for a field of kind k.
func nullError(k fieldKind) error {
	switch k {
	case startField, atField:
		return fmt.Errorf("is null, which is not a time: leave it out for now")
	case endField:
		return fmt.Errorf("is null, which is not a time: leave it out for no end")
	case daysField:
		return fmt.Errorf("is null: give 0 to turn the inactivity policy off, or leave the field out")
	}
	return fmt.Errorf("is null: give a value, or leave the field out where it is optional")
}

func setField(e *Event, spec EventSpec, name string, raw json.RawMessage, now time.Time) error {
	f, ok := spec.Fields[name]
	if !ok {
		f, ok = eventFields[name]
	}
	if !ok {
		return fmt.Errorf("is not a known field")
	}
	if isNull(raw) && f.kind != hoursField && f.kind != networksField { // only conditions are removed by null
		return nullError(f.kind)
	}
	if f.kind == minutesField {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 1 || n > MaxBreakGlassMinutes {
			return fmt.Errorf("must be a whole number of minutes from 1 to %d (default %d): longer access is a role or a share", MaxBreakGlassMinutes, DefaultBreakGlassMinutes)
		}
		e.Minutes = n
		return nil
	}
	if f.kind == accessMinutesField {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 1 || n > MaxAccessMinutes {
			return fmt.Errorf("must be a whole number of minutes from 1 to %d (a week): longer access is a holding given with role.assigned", MaxAccessMinutes)
		}
		e.Minutes = n
		return nil
	}
	if f.kind == boolField || f.kind == calendarField {
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return fmt.Errorf("must be true or false")
		}
		if f.kind == boolField {
			e.Once = b
		} else {
			e.Calendar = &b
		}
		return nil
	}
	if f.kind == rolesField {
		names, err := stringList(raw)
		if err != nil || len(names) == 0 || len(names) > MaxDelegatedRoles {
			return fmt.Errorf("must be a list of 1 to %d role names (leave it out to lend every role held)", MaxDelegatedRoles)
		}
		for _, n := range names {
			if err := validateName(n); err != nil {
				return err
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(names)))) != len(names) {
			return fmt.Errorf("names a role twice: give each once")
		}
		e.Roles = names
		return nil
	}
	if f.kind == reviewDaysField {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 0 || n > MaxReviewDays {
			return fmt.Errorf("must be a whole number of days from 0 (off) to %d, e.g. 90 for a quarterly review", MaxReviewDays)
		}
		e.ReviewDays, e.ReviewSet = n, true
		return nil
	}
	if f.kind == itemsField {
		items, err := stringList(raw)
		if err != nil || len(items) == 0 || len(items) > MaxReviewItems {
			return fmt.Errorf("must be a list of 1 to %d grants, as GET /v1/workspaces/{ws}/access-review lists them (leave it out to revoke every standing grant)", MaxReviewItems)
		}
		for _, item := range items {
			if _, _, err := ParseItem(item); err != nil {
				return err
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(items)))) != len(items) {
			return fmt.Errorf("names a grant twice: give each once")
		}
		e.Items = items
		return nil
	}
	if f.kind == approvalsField {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 1 || n > MaxApprovals {
			return fmt.Errorf("must be 1 (a holder of approve_access, or the requester's manager if they may give the role) or 2 (the manager, then another who holds approve_access)")
		}
		e.Approvals = n
		return nil
	}
	if f.kind == daysField {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 0 || n > MaxInactivityDays {
			return fmt.Errorf("must be a whole number of days from 0 (off) to %d", MaxInactivityDays)
		}
		e.InactivityDays, e.InactivitySet = n, true
		return nil
	}
	var err error
	switch f.kind {
	case hoursField:
		e.HoursSet = true
		e.Cond.Hours, err = nullable(raw, ParseHours)
		return err
	case networksField:
		e.NetworksSet = true
		e.Cond.Networks, err = nullable(raw, ParseNetworks)
		return err
	}
	if f.kind == grantsField {
		grants, err := parseGrants(raw)
		if err != nil {
			return err
		}
		e.Grants = grants
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("must be a string")
	}
	switch f.kind {
	case endField:
		end, err := parseEnd(v, now)
		if err != nil {
			return err
		}
		e.ExpiresAt = end
		return nil
	case atField:
		t, err := ParseTime(v)
		if err != nil {
			return err
		}
		if t.After(now) {
			return fmt.Errorf("%q has not come yet (it is %s now): say when the user was seen, not when they will be", v, now.UTC().Format(time.RFC3339))
		}
		if t.Before(time.Unix(0, 0)) {
			return fmt.Errorf("%q is before 1970: say when the user signed in, or leave at out for now", v)
		}
		e.At = t.UTC()
		return nil
	case startField:
		start, err := parseStart(v, now)
		if err != nil {
			return err
		}
		e.StartsAt = start
		return nil
	case outcomeField:
		if v != OutcomeJustified && v != OutcomeUnjustified {
			return fmt.Errorf("%q: use %s or %s", v, OutcomeJustified, OutcomeUnjustified)
		}
	case reviewOutcomeField:
		if v != ReviewKeep && v != ReviewRevoke {
			return fmt.Errorf("%q: use %s (the access stays) or %s (the grants named in items, or every standing grant, are revoked)", v, ReviewKeep, ReviewRevoke)
		}
	case switchField:
		if v != "on" && v != "off" {
			return fmt.Errorf("%q: use on or off", v)
		}
	case nameField:
		if err := validateName(v); err != nil {
			return err
		}
	case textField:
		if err := validateText(v); err != nil {
			return err
		}
	case personField:
		id := v
		if sa, ok := strings.CutPrefix(v, serviceAccountPrefix); ok {
			id = sa
		} else if strings.Contains(v, ":") {
			return fmt.Errorf("%q: name a user by ID, or a service account as service_account:ID", v)
		}
		if err := ValidateID(id); err != nil {
			return err
		}
	default:
		if err := ValidateID(v); err != nil {
			return err
		}
	}
	*f.text(e) = v
	return nil
}

// nullable reads a condition field: null is none, anything else what parse
// reads.
func nullable[T any](raw json.RawMessage, parse func(json.RawMessage) (T, error)) ([]T, error) {
	if isNull(raw) {
		return nil, nil
	}
	v, err := parse(raw)
	if err != nil {
		return nil, err
	}
	return []T{v}, nil
}

// ParseTime reads a time as Ward takes them: RFC 3339, with an offset RFC
// 3339 allows (Z or -23:59 to +23:59: Go also accepts +24:00 and minutes of
// 60) and a year, in UTC, from 1 to 9999 (JSON, SpiceDB's timestamps and
// PostgreSQL stop there, so a later time could be taken and never shown).
// Its error says what was wrong, for the caller to name the field.
func ParseTime(v string) (time.Time, error) {
	// RFC 3339 allows a lower-case t and z, which Go's layout does not.
	t, err := time.Parse(time.RFC3339, strings.ToUpper(v))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time such as 2027-02-28T17:00:00Z", v)
	}
	if !strings.HasSuffix(v, "Z") && !strings.HasSuffix(v, "z") {
		off := v[len(v)-6:]
		if off[1:3] > "23" || off[4:6] > "59" {
			return time.Time{}, fmt.Errorf("%q: the offset %s is out of range: use Z or -23:59 to +23:59", v, off)
		}
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("%q is in the year %d in UTC: times run from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z", v, y)
	}
	return t, nil
}

// parseEnd reads an end: an RFC 3339 time whose offset is Z or within
// -23:59..+23:59, after now (a holding starts when its event is applied, and
// an end that has passed would grant nothing).
func parseEnd(v string, now time.Time) (End, error) {
	t, err := ParseTime(v)
	if err != nil {
		return End{}, err
	}
	end := EndAt(t)
	if end.PassedAt(now) {
		return End{}, fmt.Errorf("%q has passed already (it is %s now): an end must be in the future; to end access now, revoke it", v, now.UTC().Format(time.RFC3339))
	}
	return end, nil
}

// parseStart reads a start: an RFC 3339 time as ParseTime takes them, to the
// second (a fraction is rounded up: a grant starts no sooner than asked). A
// start that has come by now is no start: the grant counts at once.
func parseStart(v string, now time.Time) (time.Time, error) {
	t, err := ParseTime(v)
	if err != nil {
		return time.Time{}, err
	}
	if t.Nanosecond() != 0 {
		t = t.Truncate(time.Second).Add(time.Second)
	}
	if !t.After(now) {
		return time.Time{}, nil
	}
	if !t.Before(neverUntil) {
		return time.Time{}, fmt.Errorf("%q is not before %s, the last moment Ward takes: a grant must start before it", v, neverUntil.Format(time.RFC3339))
	}
	return t.UTC(), nil
}

// AreaGrant is what an event grants of one area: one level for every action
// (Level), or a level per action (Actions).
type AreaGrant struct {
	Level   Level
	Actions map[string]Level
	// Below holds, by action, an amount limit the grant was given
	// (amount_below): it holds only for amounts strictly below it.
	Below map[string]float64
}

// grantItems writes grants as the list form parseGrants reads (the one
// form that holds an area's level beside its actions'): areas in order, each
// area's whole level before its actions.
func grantItems(grants map[string]AreaGrant) []grantItem {
	var out []grantItem
	for _, area := range slices.Sorted(maps.Keys(grants)) {
		g := grants[area]
		if g.Level != "" {
			out = append(out, grantItem{Area: area, Level: string(g.Level)})
		}
		for _, action := range slices.Sorted(maps.Keys(g.Actions)) {
			item := grantItem{Area: area, Action: action, Level: string(g.Actions[action])}
			if below, ok := g.Below[action]; ok {
				item.Below = &below
			}
			out = append(out, item)
		}
	}
	return out
}

// parseAmount reads an amount limit: a JSON number above 0 and at most
// MaxAmount.
func parseAmount(raw json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || !validAmount(f) {
		return 0, fmt.Errorf("amount_below must be a number above 0 and at most %s (an amount in the practice's currency), not %s", FormatAmount(MaxAmount), raw)
	}
	return f, nil
}

// parseActionGrant reads one action's grant: a level, or {"level": ...,
// "amount_below": N}.
func parseActionGrant(raw json.RawMessage) (Level, *float64, error) {
	var level string
	if json.Unmarshal(raw, &level) == nil {
		l, err := parseLevel(level)
		return l, nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return "", nil, fmt.Errorf(`want a level ("all", "own", "written" or "none") or {"level": ..., "amount_below": N}`)
	}
	var l Level
	var below *float64
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		switch key {
		case "level":
			if err := json.Unmarshal(obj[key], &level); err != nil {
				return "", nil, fmt.Errorf(`"level" must be a string`)
			}
			var err error
			if l, err = parseLevel(level); err != nil {
				return "", nil, err
			}
		case "amount_below":
			f, err := parseAmount(obj[key])
			if err != nil {
				return "", nil, err
			}
			below = &f
		default:
			return "", nil, fmt.Errorf("%q is not a key of an action's grant (keys: level, amount_below)", key)
		}
	}
	if l == "" {
		return "", nil, fmt.Errorf(`"level" is required`)
	}
	return l, below, nil
}

// parseLevel reads full (or its synonym all), own (or Caspen's word for it,
// limited: "User can only access items related to them"), written or none.
func parseLevel(s string) (Level, error) {
	switch s {
	case "full", "all":
		return LevelFull, nil
	case "own", "limited":
		return LevelOwn, nil
	case "written":
		return LevelWritten, nil
	case "none":
		return LevelNone, nil
	}
	return "", fmt.Errorf("level %q is not all (or full), own (or limited), written or none", s)
}

// areaAliases are the words the products' guides use for Ward's areas.
var areaAliases = map[string]string{
	"patients": "clients", "patient": "clients", "client": "clients",
	"billing": "invoices", "payments": "invoices", "invoice": "invoices",
	"scheduling": "appointments", "calendar": "appointments", "appointment": "appointments",
	"treatment_notes": "notes", "clinical_notes": "notes", "medical_notes": "notes", "medical_records": "notes",
	"inventory": "products", "stock": "products",
	"users": "staff", "staff_management": "staff",
}

// actionAliases: the clinic platform's guide says "Read" for view.
var actionAliases = map[string]string{"read": ActionView, "update": ActionEdit, "modify": ActionEdit, "remove": ActionDelete, "archive": ActionDelete}

func canonicalArea(name string) string {
	if a, ok := areaAliases[name]; ok {
		return a
	}
	return name
}

func canonicalAction(name string) string {
	if a, ok := actionAliases[name]; ok {
		return a
	}
	return name
}

// grantItem is one grant in the list form: [{"area", "action", "level",
// "amount_below"}].
type grantItem struct {
	Area   string   `json:"area"`
	Action string   `json:"action,omitempty"`
	Level  string   `json:"level"`
	Below  *float64 `json:"amount_below,omitempty"`
}

// parseGrantList reads the list form; an item without an action grants every
// action of its area.
func parseGrantList(items []grantItem) (map[string]AreaGrant, error) {
	out := map[string]AreaGrant{}
	// given names where each area and (area, action) was granted, so that
	// two items for the same one, in any spelling, are refused: which one
	// counts would be a guess.
	given := map[[2]string]int{}
	for n, it := range items {
		area := canonicalArea(it.Area)
		if err := validateName(area); err != nil {
			return nil, fmt.Errorf("item %d: area %v", n, err)
		}
		l, err := parseLevel(it.Level)
		if err != nil {
			return nil, fmt.Errorf("item %d (%s): %v", n, it.Area, err)
		}
		key := [2]string{area, canonicalAction(it.Action)}
		if first, ok := given[key]; ok {
			return nil, fmt.Errorf("items %d and %d both grant %s: give each area, and each action of an area, once", first, n, grantName(key))
		}
		given[key] = n
		g := out[area]
		if it.Action == "" {
			if g.Actions != nil {
				return nil, fmt.Errorf("item %d grants all of area %q after items for some of its actions: give the whole area first, then the actions that differ", n, area)
			}
			g.Level = l
		} else {
			if g.Actions == nil {
				g.Actions = map[string]Level{}
				if g.Level != "" {
					// an earlier whole-area item: keep it for the other actions
					if a, ok := AreaByName(area); ok {
						for _, action := range a.WholeArea(g.Level) {
							g.Actions[action] = g.Level
						}
					}
				}
			}
			g.Actions[canonicalAction(it.Action)] = l
		}
		if it.Below != nil {
			if it.Action == "" {
				return nil, fmt.Errorf("item %d: amount_below limits one action: name it (\"action\": \"approve\")", n)
			}
			if g.Below == nil {
				g.Below = map[string]float64{}
			}
			g.Below[canonicalAction(it.Action)] = *it.Below
		}
		out[area] = g
	}
	return out, nil
}

// grantName is "area notes" or "action view of area notes".
func grantName(key [2]string) string {
	if key[1] == "" {
		return fmt.Sprintf("area %q", key[0])
	}
	return fmt.Sprintf("action %q of area %q", key[1], key[0])
}

// parseGrants reads {"area": "level"} or {"area": {"action": "level"}}, mixed
// freely, or a list [{"area", "action", "level"}]. Areas and actions may use
// the guides' words (patients, billing, read, ...).
func parseGrants(raw json.RawMessage) (map[string]AreaGrant, error) {
	var items []map[string]json.RawMessage
	if json.Unmarshal(raw, &items) == nil && items != nil {
		list := make([]grantItem, len(items))
		for n, item := range items {
			for _, key := range slices.Sorted(maps.Keys(item)) {
				if key == "amount_below" {
					f, err := parseAmount(item[key])
					if err != nil {
						return nil, fmt.Errorf("item %d: %v", n, err)
					}
					list[n].Below = &f
					continue
				}
				var v string
				if err := json.Unmarshal(item[key], &v); err != nil {
					return nil, fmt.Errorf("item %d: %q must be a string", n, key)
				}
				switch key {
				case "area":
					list[n].Area = v
				case "action":
					list[n].Action = v
				case "level":
					list[n].Level = v
				default:
					return nil, fmt.Errorf("item %d: %q is not a key of a grant (keys: area, action, level, amount_below)", n, key)
				}
			}
			if list[n].Area == "" || list[n].Level == "" {
				return nil, fmt.Errorf("item %d: area and level are required", n)
			}
		}
		return parseGrantList(list)
	}
	var areas map[string]json.RawMessage
	if err := json.Unmarshal(raw, &areas); err != nil || areas == nil {
		return nil, fmt.Errorf(`must be an object of area to level ("all", "own", "written" or "none") or to {action: level}`)
	}
	out := map[string]AreaGrant{}
	spelled := map[string]string{} // area -> the key that named it
	for _, given := range slices.Sorted(maps.Keys(areas)) {
		area := canonicalArea(given)
		if err := validateName(area); err != nil {
			return nil, fmt.Errorf("area %v", err)
		}
		if other, ok := spelled[area]; ok {
			return nil, fmt.Errorf("%q and %q both name area %q: give it once", other, given, area)
		}
		spelled[area] = given
		var level string
		if json.Unmarshal(areas[given], &level) == nil {
			l, err := parseLevel(level)
			if err != nil {
				return nil, fmt.Errorf("area %q: %v", area, err)
			}
			out[area] = AreaGrant{Level: l}
			continue
		}
		var actions map[string]json.RawMessage
		if err := json.Unmarshal(areas[given], &actions); err != nil || len(actions) == 0 {
			return nil, fmt.Errorf("area %q: want a level or an object of action (view, create, edit, delete, export) to level", area)
		}
		g := AreaGrant{Actions: map[string]Level{}}
		named := map[string]string{} // action -> the key that named it
		for _, action := range slices.Sorted(maps.Keys(actions)) {
			l, below, err := parseActionGrant(actions[action])
			if err != nil {
				return nil, fmt.Errorf("area %q action %q: %v", area, action, err)
			}
			canon := canonicalAction(action)
			if other, ok := named[canon]; ok {
				return nil, fmt.Errorf("area %q: %q and %q both name action %q: give it once", area, other, action, canon)
			}
			named[canon] = action
			g.Actions[canon] = l
			if below != nil {
				if g.Below == nil {
					g.Below = map[string]float64{}
				}
				g.Below[canon] = *below
			}
		}
		out[area] = g
	}
	return out, nil
}

// objectFields are the fields that name an object, by the object's type.
var objectFields = func() map[string]eventField {
	out := map[string]eventField{}
	for _, f := range eventFields {
		if f.object != "" {
			out[f.object] = f
		}
	}
	return out
}()

// objectTypes are the object types events name.
var objectTypes = slices.Sorted(maps.Keys(objectFields))

// objectID returns the ID the event names for an object type, or "".
func (e Event) objectID(typ string) string {
	if f, ok := objectFields[typ]; ok {
		return *f.text(&e)
	}
	return ""
}

// scope is where the event's holding is: "" workspace-wide, a location's ID,
// or its region's RegionScope.
func (e Event) scope() string {
	if e.Region != "" {
		return RegionScope(e.Region)
	}
	return e.Location
}

// MarshalJSON writes the event as Ward reads it, its start and end
// (starts_at and expires_at, which the struct keeps as times) included.
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	out := struct {
		plain
		StartsAt  string `json:"starts_at,omitempty"`
		ExpiresAt string `json:"expires_at,omitempty"`
		At        string `json:"at,omitempty"`
		// what the struct keeps in another shape, or where 0 is a value
		Grants         []grantItem     `json:"grants,omitempty"`
		Hours          json.RawMessage `json:"hours,omitempty"`
		Networks       json.RawMessage `json:"networks,omitempty"`
		InactivityDays *int            `json:"inactivity_days,omitempty"`
		ReviewDays     *int            `json:"review_every_days,omitempty"`
	}{plain: plain(e), Grants: grantItems(e.Grants)}
	if e.InactivitySet {
		out.InactivityDays = &e.InactivityDays
	}
	if e.ReviewSet {
		out.ReviewDays = &e.ReviewDays
	}
	if e.HoursSet {
		out.Hours = json.RawMessage("null")
		if len(e.Cond.Hours) > 0 {
			h := e.Cond.Hours[0]
			b, err := json.Marshal(hoursInput{h.Zone, h.Windows()})
			if err != nil {
				return nil, err
			}
			out.Hours = b
		}
	}
	if e.NetworksSet {
		out.Networks = json.RawMessage("null")
		if len(e.Cond.Networks) > 0 {
			b, err := json.Marshal(e.Cond.Networks[0].CIDRs)
			if err != nil {
				return nil, err
			}
			out.Networks = b
		}
	}
	if !e.StartsAt.IsZero() {
		out.StartsAt = e.StartsAt.UTC().Format(time.RFC3339)
	}
	if !e.At.IsZero() {
		out.At = e.At.Format(time.RFC3339)
	}
	if strings.HasPrefix(e.Type, "service_account.") {
		out.User = "" // set from account when read, not sent
	}
	if e.Remark != "" {
		out.Note = e.Remark // break_glass.reviewed's note, which names no note
	}
	if !e.ExpiresAt.Never() {
		out.ExpiresAt = e.ExpiresAt.Time().Format(time.RFC3339)
	}
	return json.Marshal(out)
}

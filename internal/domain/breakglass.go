package domain

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Break-glass: a person who holds break_glass open on a client's record
// (the schema's client#open_break_glass) opens that record in an emergency,
// at once and without approval, for a short time (break_glass.opened). The
// opening is a break_glass object of the practice (WORKSPACE/ID): its
// holder relationship, which ends by itself, is what the client's clinical
// permissions read (client#emergency); its record (reason, times, review)
// is JSON kept in ward_text IDs. Someone other than the opener, holding
// review_access, reviews it afterwards (break_glass.reviewed).

const (
	// DefaultBreakGlassMinutes is how long an opening lasts when the event
	// gives no minutes.
	DefaultBreakGlassMinutes = 60
	// MaxBreakGlassMinutes is the longest an opening may last: four hours.
	// Longer access is a holding or a share, given by someone who may.
	MaxBreakGlassMinutes = 240
	// MaxOpenBreakGlass is how many openings one person may have open in a
	// practice at once: an emergency is a few records, and what removing
	// or reviewing them reads stays small.
	MaxOpenBreakGlass = 10
	// OutcomeJustified and OutcomeUnjustified are a review's outcomes.
	OutcomeJustified   = "justified"
	OutcomeUnjustified = "unjustified"
)

// BreakGlass is one emergency opening, as its relationships tell it.
type BreakGlass struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	Client    string `json:"client"`
	// User opened it, for themselves.
	User string `json:"user"`
	// openingRecord is the rest, kept as the opening's record.
	openingRecord
}

// OpenAt reports whether the opening still gives access at now.
func (b BreakGlass) OpenAt(now time.Time) bool {
	return b.ClosedAt == nil && now.Before(b.Until)
}

// Ended is when the opening stopped giving access, or the zero time while it
// still does at now.
func (b BreakGlass) Ended(now time.Time) time.Time {
	switch {
	case b.ClosedAt != nil:
		return *b.ClosedAt
	case !now.Before(b.Until):
		return b.Until
	}
	return time.Time{}
}

// openingRecord is what an opening's record keeps beyond its
// relationships (its JSON, in ward_text IDs).
type openingRecord struct {
	Reason string `json:"reason"`
	// OpenedAt is when it opened; Until, when it ends by itself.
	OpenedAt time.Time `json:"opened_at"`
	Until    time.Time `json:"until"`
	// ClosedAt and ClosedBy say who ended it early (break_glass.closed, or a
	// review that found it unjustified while it was open).
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	ClosedBy string     `json:"closed_by,omitempty"`
	// Outcome is the review's (justified or unjustified), "" before one.
	Outcome    string     `json:"outcome,omitempty"`
	ReviewedBy string     `json:"reviewed_by,omitempty"`
	ReviewedAt *time.Time `json:"reviewed_at,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// BreakGlassObject is the object of opening id in practice ws.
func BreakGlassObject(ws, id string) Object { return Object{TypeBreakGlass, ws + "/" + id} }

// BreakGlassFilter selects every opening of practice ws.
func BreakGlassFilter(ws string) Filter { return ByPrefix(TypeBreakGlass, ws+"/") }

// textChunk is the most of a record's base64url one ward_text ID holds,
// with its "N|" index, within SpiceDB's 1,024 characters an ID.
const textChunk = 1000

// textRels keeps data as ward_text subjects of obj's relation: base64url,
// cut into IDs "0|...", "1|..." that read back in order.
func textRels(obj Object, relation string, data []byte) []Relationship {
	enc := base64.RawURLEncoding.EncodeToString(data)
	var out []Relationship
	for i := 0; len(enc) > 0 || i == 0; i++ {
		n := min(len(enc), textChunk)
		out = append(out, Rel(obj, relation, Object{TypeText, strconv.Itoa(i) + "|" + enc[:n]}))
		enc = enc[n:]
	}
	return out
}

// textOf reads back what textRels kept.
func textOf(s *State, obj Object, relation string) ([]byte, bool) {
	parts := map[int]string{}
	for _, sub := range s.Subjects(obj, relation) {
		n, chunk, ok := strings.Cut(sub.ID, "|")
		i, err := strconv.Atoi(n)
		if !ok || err != nil || i < 0 {
			return nil, false
		}
		parts[i] = chunk
	}
	var enc strings.Builder
	for i := range len(parts) {
		chunk, ok := parts[i]
		if !ok {
			return nil, false
		}
		enc.WriteString(chunk)
	}
	data, err := base64.RawURLEncoding.DecodeString(enc.String())
	return data, err == nil && len(parts) > 0
}

// BreakGlassOf reads opening obj from s; false when s has no such opening.
func BreakGlassOf(s *State, obj Object) (BreakGlass, bool) {
	var b BreakGlass
	ws, id, ok := recordOf(s, obj, &b.openingRecord)
	if !ok {
		return BreakGlass{}, false
	}
	b.ID, b.Workspace, b.Client, b.User = id, ws, firstSubject(s, obj, "client"), firstSubject(s, obj, "opener")
	return b, true
}

// BreakGlassesOf reads every opening of practice ws in s, oldest first.
func BreakGlassesOf(s *State, ws string) []BreakGlass {
	return recordsOf(s, TypeBreakGlass, ws, BreakGlassOf, func(a, b BreakGlass) int {
		return cmp.Or(a.OpenedAt.Compare(b.OpenedAt), strings.Compare(a.ID, b.ID))
	})
}

// BreakGlass states a list may ask for.
const (
	BreakGlassOpen       = "open"
	BreakGlassUnreviewed = "unreviewed"
	BreakGlassAll        = "all"
)

// BreakGlassStates are the states a list of openings may ask for.
var BreakGlassStates = []string{BreakGlassOpen, BreakGlassUnreviewed, BreakGlassAll}

// InState reports whether b is in state (BreakGlassStates) at now.
func (b BreakGlass) InState(state string, now time.Time) bool {
	switch state {
	case BreakGlassOpen:
		return b.OpenAt(now)
	case BreakGlassUnreviewed:
		return b.Outcome == ""
	}
	return true
}

// BreakGlassQuery asks for one page of a practice's openings: those in
// State (BreakGlassStates; "" for all), opened by User and of Client when
// given, after Cursor (an opening's ID: the page before's last), at most
// Limit.
type BreakGlassQuery struct {
	State, User, Client, Cursor string
	Limit                       int
}

// Check refuses a query that names no known state, or a person or client
// by something that is not an ID.
func (q BreakGlassQuery) Check() error {
	return checkList(q.State, BreakGlassStates, map[string]string{"user": q.User, "client": q.Client})
}

// BreakGlassPage is the page of all (oldest first) that q (Checked) asks
// for at now, and the next page's cursor ("" on the last).
func BreakGlassPage(all []BreakGlass, q BreakGlassQuery, now time.Time) ([]BreakGlass, string, error) {
	state := cmp.Or(q.State, BreakGlassAll)
	return pageOf(all, func(b BreakGlass) string { return b.ID }, func(b BreakGlass) bool {
		return b.InState(state, now) && (q.User == "" || b.User == q.User) && (q.Client == "" || b.Client == q.Client)
	}, q.Cursor, q.Limit, "opening")
}

// setRecord writes b's record, replacing the one obj had.
func (p *planner) setRecord(obj Object, b BreakGlass) error {
	return p.setRecordOf(obj, b.openingRecord)
}

func (p *planner) breakGlassOpened(i int, pr Practice, e Event) error {
	obj := BreakGlassObject(pr.WS, e.ID)
	if old, ok := BreakGlassOf(p.s, obj); ok {
		// The same opening sent again changes nothing, whatever happened
		// since (its time runs from the first); another under its ID is a
		// conflict.
		if old.User == e.User && old.Client == e.Client && old.Reason == e.Reason {
			return nil
		}
		return fieldErr(CodeConflict, i, "id", "break-glass %q already exists in workspace %q: give each opening its own id", e.ID, pr.WS)
	}
	client := Object{TypeClient, e.Client}
	if err := p.requireIn(i, pr, "client", client); err != nil {
		return err
	}
	if err := p.requireMember(i, pr, "user", e.User); err != nil {
		return err
	}
	if pr.IsDisabled(e.User) {
		return fieldErr(CodeConflict, i, "user", "%q is disabled in workspace %q: disabled staff open nothing", e.User, pr.WS)
	}
	now := e.now().UTC().Truncate(time.Second)
	open := 0
	for _, r := range p.links(pr, e.User, Link{TypeBreakGlass, "holder"}) {
		if !r.Expires.PassedAt(now) {
			open++
		}
	}
	if open >= MaxOpenBreakGlass {
		return fieldErr(CodeConflict, i, "user", "%q has %d openings open in workspace %q, the most one person may have at once: close one (break_glass.closed) or wait for one to end", e.User, open, pr.WS)
	}
	minutes := e.Minutes
	if minutes == 0 {
		minutes = DefaultBreakGlassMinutes
	}
	b := BreakGlass{openingRecord: openingRecord{Reason: e.Reason, OpenedAt: now, Until: now.Add(time.Duration(minutes) * time.Minute)}}
	if !e.ExpiresAt.Never() {
		b.Until = e.ExpiresAt.Time()
		if most := now.Add(MaxBreakGlassMinutes * time.Minute); b.Until.After(most) {
			return fieldErr(CodeInvalid, i, "expires_at", "%s is more than %d minutes away (at most %s): longer access is a role or a share", b.Until.Format(time.RFC3339), MaxBreakGlassMinutes, most.Format(time.RFC3339))
		}
	}
	p.s.Add(Rel(obj, "workspace", pr.obj()))
	p.s.Add(Rel(obj, "client", client))
	p.s.Add(Rel(obj, "opener", userObj(e.User)))
	holder := Rel(obj, "holder", userObj(e.User))
	holder.Expires = EndAt(b.Until)
	p.s.Add(holder)
	reach := emergencyOf(client, obj)
	reach.Expires = holder.Expires
	p.s.Add(reach)
	// The owner is told at once (HIPAA's emergency access is audited as it
	// happens, not only at review).
	p.notify(Notice{Type: e.Type, Index: i}, pr, pr.Owner())
	return p.setRecord(obj, b)
}

// openingOf reads the opening an event names, or says it is unknown.
func (p *planner) openingOf(i int, pr Practice, e Event) (Object, BreakGlass, error) {
	obj := BreakGlassObject(pr.WS, e.ID)
	b, ok := BreakGlassOf(p.s, obj)
	if !ok {
		return obj, b, fieldErr(CodeInvalid, i, "id", "unknown break-glass %q in workspace %q", e.ID, pr.WS)
	}
	return obj, b, nil
}

// emergencyOf is the relationship by which client's clinical permissions
// reach opening obj's holder (its expiration is the opening's).
func emergencyOf(client, obj Object) Relationship {
	return Relationship{Resource: client, Relation: "emergency", Subject: Subject{Type: TypeBreakGlass, ID: obj.ID, Relation: "holder"}}
}

// closeOpening ends b's access now, by actor: its holder goes, which is
// all client#emergency reaches (that relationship ends with its expiration).
func (p *planner) closeOpening(obj Object, b *BreakGlass, now time.Time, actor string) {
	for _, r := range p.s.Of(obj, "holder") {
		p.s.Remove(r)
	}
	b.ClosedAt, b.ClosedBy = &now, actor
}

// closeOpeningsOf closes every opening of user's in pr still open (they
// are removed: whoever is later added under their ID must not hold it), as
// part of event i.
func (p *planner) closeOpeningsOf(i int, pr Practice, user string, now time.Time, actor string) error {
	for _, r := range p.links(pr, user, Link{TypeBreakGlass, "holder"}) {
		b, ok := BreakGlassOf(p.s, r.Resource)
		if !ok {
			p.s.Remove(r)
			continue
		}
		if err := p.endOpening(i, pr, r.Resource, b, now, actor); err != nil {
			return err
		}
	}
	return nil
}

// endOpening closes b (obj) by actor as part of event i (a
// break_glass.closed, or an event that ends the opening with its person or
// client): the owner is told of a break_glass.closed.
func (p *planner) endOpening(i int, pr Practice, obj Object, b BreakGlass, now time.Time, actor string) error {
	p.closeOpening(obj, &b, now, actor)
	p.notify(Notice{Type: "break_glass.closed", Index: i, Users: []string{b.User}, Clients: []string{b.Client}}, pr, pr.Owner())
	return p.setRecord(obj, b)
}

func (p *planner) breakGlassClosed(i int, pr Practice, e Event) error {
	obj, b, err := p.openingOf(i, pr, e)
	if err != nil {
		return err
	}
	now := e.now().UTC().Truncate(time.Second)
	if !b.OpenAt(now) {
		return nil // closed, or ended by itself: nothing is left to end
	}
	return p.endOpening(i, pr, obj, b, now, actorID(e))
}

// notify tells people (person IDs, each once) of n once the plan is
// written.
func (p *planner) notify(n Notice, pr Practice, people ...string) {
	n.Workspace = pr.WS
	for _, u := range people {
		if u != "" && !slices.Contains(n.Notify, u) {
			n.Notify = append(n.Notify, u)
		}
	}
	p.notices = append(p.notices, n)
}

func (p *planner) breakGlassReviewed(i int, pr Practice, e Event) error {
	obj, b, err := p.openingOf(i, pr, e)
	if err != nil {
		return err
	}
	if b.Outcome != "" {
		if b.Outcome == e.Outcome && b.ReviewedBy == actorID(e) && b.Note == e.Remark {
			return nil // the same review sent again
		}
		return fieldErr(CodeConflict, i, "id", "break-glass %q was reviewed already, as %s by %s at %s: a review is not changed", e.ID, b.Outcome, b.ReviewedBy, b.ReviewedAt.Format(time.RFC3339))
	}
	now := e.now().UTC().Truncate(time.Second)
	b.Outcome, b.ReviewedBy, b.ReviewedAt, b.Note = e.Outcome, actorID(e), &now, e.Remark
	if e.Outcome == OutcomeUnjustified && b.OpenAt(now) {
		p.closeOpening(obj, &b, now, actorID(e)) // found unjustified: it ends now
	}
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{b.User}, Clients: []string{b.Client}}, pr, b.User, pr.Owner()) // the opener learns the outcome
	return p.setRecord(obj, b)
}

// EmergencyFilters read the openings of the client of q's resource, which
// explaining q names when its permission is one break-glass gives; s holds
// the resource and its client.
func EmergencyFilters(s *State, q Question) []Filter {
	perm, ok := LookupPermission(q.Resource.Type, q.Permission)
	client := describe(s, q.Resource).client
	if !ok || !perm.Emergency || client == "" {
		return nil
	}
	var out []Filter
	for _, sub := range s.Subjects(Object{TypeClient, client}, "emergency") {
		out = append(out, ByID(Object{sub.Type, sub.ID}))
	}
	return out
}

// emergencyReasons are the openings of client by user that s holds open
// (s holds what counts at the moment explained: an opening that ended has
// no holder); they grant while the user may still open one there (canOpen),
// under that right's conditions when it has them.
func emergencyReasons(s *State, user, client string, canOpen, conditional bool) []Reason {
	var out []Reason
	for _, sub := range s.Subjects(Object{TypeClient, client}, "emergency") {
		obj := Object{sub.Type, sub.ID}
		b, ok := BreakGlassOf(s, obj)
		if !ok || b.User != user || !s.HasKey(Rel(obj, "holder", userObj(user))) {
			continue
		}
		text := fmt.Sprintf("emergency access opened at %s for reason %q, until %s: %s opened client %s's record (break-glass %s)",
			b.OpenedAt.Format(time.RFC3339), b.Reason, b.Until.Format(time.RFC3339), user, client, b.ID)
		if !canOpen {
			text += ", which no longer counts: no role of theirs where the client is has break_glass open now"
		}
		out = append(out, Reason{Grants: canOpen, Kind: "break_glass", Conditional: conditional, Text: text})
	}
	return out
}

// openerCheck: the person opening a record in an emergency opens it for
// themselves (the actor is the user), and must hold break_glass open where
// the client is.
func openerCheck(i int, e Event) (ActorCheck, error) {
	actor, err := actorPerson(i, e)
	if err != nil {
		return ActorCheck{}, err
	}
	if actor != e.User {
		return ActorCheck{}, &Error{Code: CodeConflict, Index: i, Field: "actor", Message: fmt.Sprintf("%s may not open a record in an emergency for %s: break-glass is opened by the person who needs it, as user", e.Actor, e.User)}
	}
	return ActorCheck{
		Question: Question{Subject: userObj(e.User), Permission: "open_break_glass", Resource: Object{TypeClient, e.Client}},
		Refused:  fmt.Sprintf("%s may not open client %s's record in an emergency: no role of theirs there has break_glass open (a role that reads clinical notes has it unless the practice took it away)", e.User, e.Client),
	}, nil
}

package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A backup owner ("designate backup administrator", seed 004): the owner
// names one enabled staff member (backup_owner.designated); when the owner
// cannot act, the backup owner claims the ownership (ownership.claimed) and
// the owner is told; another workspace-wide holder of the preset's owner
// role completes it (ownership.claim_approved), or the owner refuses it
// (ownership.claim_rejected). The schema decides who may each time
// (transfer_ownership, claim_ownership, approve_ownership_claim).

// ownershipRelations are the workspace relations a claim of ownership
// reads and writes, read with the practice by events about one.
var ownershipRelations = []string{"backup_owner", "claimant", "claim_approvers", "claim"}

// Claim is a waiting claim of ownership.
type Claim struct {
	Claimant  string    `json:"claimant"`
	Reason    string    `json:"reason"`
	ClaimedAt time.Time `json:"claimed_at"`
}

// claimRecord is what the claim keeps beyond its claimant.
type claimRecord struct {
	Reason    string    `json:"reason"`
	ClaimedAt time.Time `json:"claimed_at"`
}

// ClaimOf reads practice ws's waiting claim of ownership from s.
func ClaimOf(s *State, ws string) (Claim, bool) {
	c := Claim{Claimant: firstSubject(s, workspaceObj(ws), "claimant")}
	data, ok := textOf(s, workspaceObj(ws), "claim")
	if c.Claimant == "" || !ok {
		return Claim{}, false
	}
	var rec claimRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return Claim{}, false
	}
	c.Reason, c.ClaimedAt = rec.Reason, rec.ClaimedAt
	return c, true
}

// endClaim drops practice pr's waiting claim, if any, as part of event i,
// telling its claimant unless they are winner (who became the owner).
func (p *planner) endClaim(i int, pr Practice, winner string) {
	c, ok := ClaimOf(p.s, pr.WS)
	if !ok {
		return
	}
	p.clearClaim(pr)
	if c.Claimant != winner {
		p.notify(Notice{Type: "ownership.claim_cancelled", Index: i, Users: []string{c.Claimant}}, pr, c.Claimant)
	}
}

// clearClaim drops practice pr's waiting claim, if any.
func (p *planner) clearClaim(pr Practice) {
	for _, rel := range []string{"claimant", "claim_approvers", "claim"} {
		for _, r := range p.s.Of(pr.obj(), rel) {
			p.s.Remove(r)
		}
	}
}

func (p *planner) backupOwnerDesignated(i int, pr Practice, e Event) error {
	if firstSubject(p.s, pr.obj(), "backup_owner") == e.User {
		return nil // designated already
	}
	if e.User == pr.Owner() {
		return fieldErr(CodeConflict, i, "user", "%q is the account owner: the backup owner is someone else", e.User)
	}
	if why := ownerRule(pr, e.User, p.now); why != "" {
		return fieldErr(CodeConflict, i, "user", "%s, so they cannot be the backup owner either", why)
	}
	for _, r := range p.s.Of(pr.obj(), "backup_owner") {
		p.s.Remove(r)
	}
	p.endClaim(i, pr, "") // a claim by the backup owner replaced goes with them
	p.s.Add(Rel(pr.obj(), "backup_owner", userObj(e.User)))
	p.notify(Notice{Type: e.Type, Index: i}, pr, e.User)
	return nil
}

func (p *planner) ownershipClaimed(i int, pr Practice, e Event) error {
	claimant := actorID(e)
	if c, ok := ClaimOf(p.s, pr.WS); ok {
		if c.Claimant == claimant && c.Reason == e.Reason {
			return nil // the same claim sent again
		}
		return fieldErr(CodeConflict, i, "reason", "%s claimed the ownership of %q already, at %s: it is approved or rejected before another claim", c.Claimant, pr.WS, c.ClaimedAt.Format(time.RFC3339))
	}
	preset := Presets[pr.Preset()]
	if preset == nil || preset.OwnerRole == "" {
		return fieldErr(CodeConflict, i, "workspace", "practice %q has no owner role whose holders could approve a claim", pr.WS)
	}
	if why := ownerRule(pr, claimant, p.now); why != "" {
		return fieldErr(CodeConflict, i, "actor", "%s: a claim they could never complete is refused now", why)
	}
	data, err := json.Marshal(claimRecord{Reason: e.Reason, ClaimedAt: e.now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	p.s.Add(Rel(pr.obj(), "claimant", userObj(claimant)))
	p.s.Add(Relationship{Resource: pr.obj(), Relation: "claim_approvers", Subject: bindingMembers(BindingID(pr.WS, preset.OwnerRole, ""))})
	for _, r := range textRels(pr.obj(), "claim", data) {
		p.s.Add(r)
	}
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{claimant}}, pr, pr.Owner()) // the owner is told at once
	return nil
}

func (p *planner) ownershipClaimApproved(i int, pr Practice, e Event) error {
	c, ok := ClaimOf(p.s, pr.WS)
	if !ok {
		return fieldErr(CodeConflict, i, "workspace", "no claim of the ownership of %q waits", pr.WS)
	}
	old := pr.Owner()
	if err := p.ownershipTransferred(i, pr, Event{Type: e.Type, Workspace: pr.WS, To: c.Claimant, Received: e.Received}); err != nil {
		var de *Error
		if errors.As(err, &de) {
			de.Field, de.Message = "workspace", fmt.Sprintf("the claimant %s cannot become the owner: %s", c.Claimant, de.Message)
		}
		return err
	}
	for _, r := range p.s.Of(pr.obj(), "backup_owner") {
		p.s.Remove(r) // the backup owner is the owner now
	}
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{c.Claimant, old}}, pr, old, c.Claimant)
	return nil
}

func (p *planner) ownershipClaimRejected(i int, pr Practice, e Event) error {
	c, ok := ClaimOf(p.s, pr.WS)
	if !ok {
		return nil // none waits: rejected already, or never made
	}
	p.clearClaim(pr)
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{c.Claimant}}, pr, c.Claimant)
	return nil
}

// backupOwnerReason says whether user is pr's backup owner (claim_ownership).
func backupOwnerReason(s *State, pr Practice, user string, perm Permission) Reason {
	switch backup := firstSubject(s, pr.obj(), "backup_owner"); backup {
	case user:
		return Reason{Grants: true, Kind: "backup_owner", Text: fmt.Sprintf("%s is the backup owner of %s", user, pr.WS)}
	case "":
		return Reason{Kind: "backup_owner", Text: fmt.Sprintf("%s has no backup owner (backup_owner.designated)", pr.WS)}
	default:
		return Reason{Kind: "backup_owner", Text: fmt.Sprintf("only the backup owner (%s) may %s", backup, perm.About)}
	}
}

// claimApproverReasons say whether user may complete pr's waiting claim of
// the ownership (approve_ownership_claim): a workspace-wide holder of the
// role the claim names, never its claimant.
func claimApproverReasons(s *State, pr Practice, user string) []Reason {
	c, ok := ClaimOf(s, pr.WS)
	if !ok {
		return []Reason{{Kind: "claim", Text: fmt.Sprintf("no claim of the ownership of %s waits", pr.WS)}}
	}
	if c.Claimant == user {
		return []Reason{{Kind: "claim", Text: fmt.Sprintf("%s claimed the ownership of %s, and a claimant never approves their own claim", user, pr.WS)}}
	}
	var role string
	for _, sub := range s.Subjects(pr.obj(), "claim_approvers") {
		_, role, _, _ = ParseBindingID(sub.ID)
	}
	var out []Reason
	for _, h := range pr.Holdings(user) {
		if h.Role == role && h.Location == "" && h.region() == "" {
			out = append(out, Reason{Grants: true, Kind: "claim", Role: h.Role, Conditional: h.Lasts.Conditional(),
				Text: fmt.Sprintf("%s holds %s, whose workspace-wide holders complete %s's claim of the ownership", user, holdingText(h), c.Claimant)})
		}
	}
	if len(out) == 0 {
		out = append(out, Reason{Kind: "claim", Text: fmt.Sprintf("%s does not hold role %s workspace-wide, whose holders complete %s's claim of the ownership", user, role, c.Claimant)})
	}
	return out
}

package domain

import (
	"fmt"
	"strings"
)

// TraceNode is one sub-question SpiceDB answered while checking a
// permission, as its debug trace reports it: whether Subject has Name (a
// stored relation when Relation is true, else a permission) on Resource, and
// the sub-questions it asked to find out.
type TraceNode struct {
	Resource Object
	Name     string
	Relation bool
	Subject  Object
	Found    bool
	Children []TraceNode
	// Condition is what SpiceDB found of the caveat it evaluated here (a
	// grant's conditions, span or amount): "held", "did not hold", or
	// "needs K" for context K the question did not give; "" for none. With
	// is the question's context it read, in words ("now 2026-..., ip ...").
	Condition, With string
}

// Step is one stored relation SpiceDB looked up while checking, in the
// practice's terms: what it read (Looked), whether it found the subject
// there, and what that means.
type Step struct {
	Found  bool   `json:"found"`
	Looked string `json:"looked"`
	Text   string `json:"text"`
}

// MaxSteps bounds how many steps of a trace an explanation carries.
const MaxSteps = 200

// Steps lists the stored relations a check looked up, in the order SpiceDB
// reports them, each once, at most MaxSteps (a last step says how many more
// there were). The permissions between them are SpiceDB's schema, the same
// for every practice; the relations are the practice's. With pr, the
// practice of the question as read at the check's revision, a person's access
// that SpiceDB found there names the roles it comes from (AccessSources);
// with Practice{} (no workspace), or when none does, it says "from their
// roles".
func Steps(root TraceNode, pr Practice) []Step {
	var out []Step
	seen := map[string]bool{}
	more := 0
	var walk func(n TraceNode)
	walk = func(n TraceNode) {
		if looked := n.Resource.String() + "#" + n.Name + "@" + n.Subject.String(); n.Relation && !seen[looked] {
			seen[looked] = true
			if len(out) < MaxSteps {
				text := stepText(n, looked, pr)
				if n.Condition != "" {
					text += fmt.Sprintf(" (its conditions %s, with %s)", n.Condition, n.With)
				}
				out = append(out, Step{Found: n.Found, Looked: looked, Text: text})
			} else {
				more++
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	if more > 0 {
		out = append(out, Step{Text: fmt.Sprintf("and %d more relations SpiceDB looked up, left out", more)})
	}
	return out
}

// stepText is StepText for a trace node. SpiceDB looks one relation up on
// several objects at once and reports them as one node, their IDs joined by
// commas (no object ID has one), with one result for them all: found when
// the subject is on any of them.
func stepText(n TraceNode, looked string, pr Practice) string {
	ids := strings.Split(n.Resource.ID, ",")
	if len(ids) == 1 {
		if text, ok := sourcedText(n, pr); ok {
			return text
		}
	}
	texts := make([]string, 0, len(ids))
	for _, id := range ids {
		text, ok := StepText(Object{Type: n.Resource.Type, ID: id}, n.Name, n.Subject, n.Found || len(ids) > 1)
		if !ok {
			return fmt.Sprintf("SpiceDB looked up %s (%s), which Ward has no words for: please report it with this question", looked, foundText(n.Found))
		}
		texts = append(texts, text)
	}
	switch {
	case len(texts) == 1:
		return texts[0]
	case n.Found:
		return "at least one of these holds: " + strings.Join(texts, "; ")
	}
	return "none of these holds: " + strings.Join(texts, "; ")
}

func foundText(found bool) string {
	if found {
		return "found"
	}
	return "not found"
}

// sourcedText is the text of a person's access that SpiceDB found on pr's
// workspace or one of its locations, naming the holdings it comes from; ok is
// false for any other node, or when no holding accounts for it.
func sourcedText(n TraceNode, pr Practice) (string, bool) {
	r := Rel(n.Resource, n.Name, n.Subject)
	if pr.WS == "" || !n.Found || !n.Relation || !isAccess(r) {
		return "", false
	}
	// A location of another practice, as far as the state knows, is not
	// pr's (explain's state may not hold the location's workspace).
	if ws := ResourceWorkspace(pr.S, n.Resource); ws != "" && ws != pr.WS {
		return "", false
	}
	sources := AccessSources(pr, r)
	if len(sources) == 0 {
		return "", false
	}
	from := make([]string, len(sources))
	for i, h := range sources {
		from[i] = holdingText(h)
	}
	return wordsFor(n.Resource, n.Name, n.Subject, true, strings.Join(from, " and "))
}

// StepText says, in the practice's terms, what it means that subject was
// (found) or was not on relation of res; ok is false for a relation Ward
// has no words for. Relations that only Ward's planner reads never appear
// in a check's trace and have none.
func StepText(res Object, relation string, subject Object, found bool) (text string, ok bool) {
	return wordsFor(res, relation, subject, found, "their roles")
}

// wordsFor is StepText, saying that access found comes from from.
func wordsFor(res Object, relation string, subject Object, found bool, from string) (text string, ok bool) {
	who := subject.ID
	if subject.Type != TypeUser {
		who = subject.String()
	}
	yes := func(positive, negative string) (string, bool) {
		if found {
			return positive, true
		}
		return negative, true
	}
	if g, isGrant := grantByRelation()[relation]; isGrant && (res.Type == TypeWorkspace || res.Type == TypeLocation) {
		where := "workspace-wide in " + res.ID
		if res.Type == TypeLocation {
			where = "at location " + res.ID
		}
		return yes(fmt.Sprintf("%s has %s %s: %s %s, from %s", who, g.cap.Area, g.cap.Action, g.level, where, from),
			fmt.Sprintf("%s does not have %s %s: %s %s", who, g.cap.Area, g.cap.Action, g.level, where))
	}
	if g, isLimited := grantByRelation()[strings.TrimSuffix(relation, LimitedSuffix)]; isLimited && strings.HasSuffix(relation, LimitedSuffix) && (res.Type == TypeWorkspace || res.Type == TypeLocation) {
		where := "workspace-wide in " + res.ID
		if res.Type == TypeLocation {
			where = "at location " + res.ID
		}
		return yes(fmt.Sprintf("%s holds a role with %s %s below an amount %s (the check's amount is compared with it)", who, g.cap.Area, g.cap.Action, where),
			fmt.Sprintf("%s holds no role with %s %s below an amount %s", who, g.cap.Area, g.cap.Action, where))
	}
	switch res.Type + "#" + relation {
	case "workspace#owner":
		return yes(fmt.Sprintf("%s is the account owner of %s", who, res.ID), fmt.Sprintf("%s is not the account owner of %s", who, res.ID))
	case "workspace#backup_owner":
		return yes(fmt.Sprintf("%s is the backup owner of %s", who, res.ID), fmt.Sprintf("%s is not the backup owner of %s", who, res.ID))
	case "workspace#claimant":
		return yes(fmt.Sprintf("%s claimed the ownership of %s, and a claimant never approves their own claim", who, res.ID), fmt.Sprintf("%s has not claimed the ownership of %s", who, res.ID))
	case "workspace#sees_every_form":
		return yes(fmt.Sprintf("%s holds the owner role of %s workspace-wide, whose holders see every template's forms", who, res.ID), fmt.Sprintf("%s does not hold the owner role of %s workspace-wide", who, res.ID))
	case "workspace#claim_approvers":
		return yes(fmt.Sprintf("a claim of the ownership of %s waits, and %s holds the owner role whose workspace-wide holders approve it", res.ID, who), fmt.Sprintf("no claim of the ownership of %s waits that %s may approve", res.ID, who))
	case "workspace#member":
		return yes(fmt.Sprintf("%s is staff of %s", who, res.ID), fmt.Sprintf("%s is not staff of %s", who, res.ID))
	case "workspace#disabled":
		return yes(fmt.Sprintf("%s is disabled in %s: disabled staff lose every permission", who, res.ID), fmt.Sprintf("%s is not disabled in %s", who, res.ID))
	case "workspace#policed":
		return yes(fmt.Sprintf("%s has an inactivity policy: staff not seen within its days lose every permission", res.ID), fmt.Sprintf("%s has no inactivity policy", res.ID))
	case "workspace#seen":
		return yes(fmt.Sprintf("%s was seen in %s within its inactivity policy's days (or is spared by it)", who, res.ID), fmt.Sprintf("%s was not seen in %s within its inactivity policy's days", who, res.ID))
	case "workspace#calendar":
		return yes(fmt.Sprintf("%s holds a role with a calendar in %s", who, res.ID), fmt.Sprintf("none of %s's roles in %s has a calendar", who, res.ID))
	case "role_binding#member":
		ws, role, loc, parsed := ParseBindingID(res.ID)
		if !parsed {
			return "", false
		}
		held := "role " + role + " workspace-wide in " + ws
		if region, ok := RegionOfScope(loc); ok {
			held = "role " + role + " in region " + region
		} else if loc != "" {
			held = "role " + role + " at location " + loc
		}
		return yes(fmt.Sprintf("%s holds %s", who, held), fmt.Sprintf("%s does not hold %s", who, held))
	case "role#holder_manager":
		return yes(fmt.Sprintf("%s holds role %s workspace-wide, whose holders manage who holds it", who, roleName(res.ID)),
			fmt.Sprintf("%s holds no role whose holders manage who holds role %s", who, roleName(res.ID)))
	case "role#peers":
		return yes(fmt.Sprintf("%s holds role %s workspace-wide, which only its holders and the owner give", who, roleName(res.ID)),
			fmt.Sprintf("%s does not hold role %s workspace-wide, which only its holders and the owner give", who, roleName(res.ID)))
	case "role#editable":
		return yes(fmt.Sprintf("role %s can be changed", roleName(res.ID)), fmt.Sprintf("role %s is fixed and cannot be changed", roleName(res.ID)))
	case "client#practitioner", "appointment#practitioner", "invoice#practitioner":
		return yes(fmt.Sprintf("%s is %s's practitioner", who, res), fmt.Sprintf("%s is not %s's practitioner", who, res))
	case "client#shared_with":
		return yes(fmt.Sprintf("%s is shared with %s", res, who), fmt.Sprintf("%s is not shared with %s", res, who))
	case "client#emergency":
		return yes(fmt.Sprintf("%s was opened in an emergency by %s", res, subject.Type+":"+subject.ID), fmt.Sprintf("%s has no emergency (break-glass) opening", res))
	case "break_glass#holder":
		return yes(fmt.Sprintf("%s opened %s, which is still open", who, res), fmt.Sprintf("%s holds no open emergency access by %s (it ended, was closed, or is another's)", who, res))
	case "break_glass#opener":
		return yes(fmt.Sprintf("%s opened %s", who, res), fmt.Sprintf("%s did not open %s", who, res))
	case "staff_member#manager":
		return yes(fmt.Sprintf("%s manages %s", who, res), fmt.Sprintf("%s does not manage %s", who, res))
	case "access_request#requester":
		return yes(fmt.Sprintf("%s asked for %s, and who asks never decides it", who, res), fmt.Sprintf("%s did not ask for %s", who, res))
	case "access_request#any_step":
		return yes(fmt.Sprintf("%s waits for one approval, by one who approves access or the requester's manager who may give the role, and %s is a person", res, who), fmt.Sprintf("%s does not wait for one approval", res))
	case "access_request#manager_step":
		return yes(fmt.Sprintf("%s waits for the first of two approvals, the requester's manager's, and %s is a person", res, who), fmt.Sprintf("%s does not wait for its manager's approval", res))
	case "access_request#admin_step":
		return yes(fmt.Sprintf("%s waits for the second of two approvals, by one who approves access other than the first approver, and %s is a person", res, who), fmt.Sprintf("%s does not wait for a second approval", res))
	case "access_request#unused":
		return yes(fmt.Sprintf("%s has the one-time grant of %s, unused and not ended", who, res), fmt.Sprintf("%s has no one-time grant of %s left: it was not for once, not approved, used, or ended", who, res))
	case "access_request#first_approver":
		return yes(fmt.Sprintf("%s gave the first approval of %s, and the second is another's", who, res), fmt.Sprintf("%s did not give the first approval of %s", who, res))
	case "delegation#lender":
		return yes(fmt.Sprintf("%s lends their roles by %s, which has not ended", who, res), fmt.Sprintf("%s does not lend roles by %s (it is another's, or ended)", who, res))
	case "delegation#invitee":
		return yes(fmt.Sprintf("%s is the delegate of %s, which has not ended", who, res), fmt.Sprintf("%s is not the delegate of %s (it is another's, or ended)", who, res))
	case "delegation#delegate":
		return yes(fmt.Sprintf("%s acts with the roles lent by %s, which counts now", who, res), fmt.Sprintf("%s does not act by %s now (it is another's, has not started, or ended)", who, res))
	case "refund#requester":
		return yes(fmt.Sprintf("%s asked for %s, and who asks for a refund never approves it", who, res), fmt.Sprintf("%s did not ask for %s", who, res))
	case "refund#approver":
		return yes(fmt.Sprintf("%s approved %s, and who approves a refund never processes it", who, res), fmt.Sprintf("%s did not approve %s", who, res))
	case "refund#approved":
		return yes(fmt.Sprintf("%s is approved", res), fmt.Sprintf("%s is not approved yet: it is processed only once approved", res))
	case "refund#requested":
		return yes(fmt.Sprintf("%s was asked for, and %s is a person, who may approve it", res, who), fmt.Sprintf("%s is not a person: refunds are approved and processed by people", who))
	case "refund#processed":
		return yes(fmt.Sprintf("%s is processed", res), fmt.Sprintf("%s is not processed yet", res))
	case "refund#processor":
		return yes(fmt.Sprintf("%s processed %s", who, res), fmt.Sprintf("%s did not process %s", who, res))
	case "client#notes_reader":
		return yes(fmt.Sprintf("%s was given notes access to %s", who, res), fmt.Sprintf("%s was not given notes access to %s alone", who, res))
	case "note#author", "letter#author", "file#author", "expense#author":
		return yes(fmt.Sprintf("%s wrote or uploaded %s", who, res), fmt.Sprintf("%s did not write or upload %s", who, res))
	case "message#author":
		return yes(fmt.Sprintf("%s posted %s", who, res), fmt.Sprintf("%s did not post %s", who, res))
	case "note#finalized":
		return yes(fmt.Sprintf("%s is final: nobody may change it", res), fmt.Sprintf("%s is still a draft", res))
	case "form_template#restricted":
		return yes(fmt.Sprintf("template %s limits its completed forms to chosen roles", res.ID), fmt.Sprintf("template %s does not limit its forms to chosen roles", res.ID))
	case "form_template#viewer":
		return yes(fmt.Sprintf("template %s lets one of %s's roles see its completed forms", res.ID, who), fmt.Sprintf("template %s lets none of %s's roles see its completed forms", res.ID, who))
	case "api_key#account":
		return yes(fmt.Sprintf("%s is a key of %s", res, who), fmt.Sprintf("%s is not a key of %s", res, who))
	case "staff_member#person":
		return yes(fmt.Sprintf("%s is %s", res, who), fmt.Sprintf("%s is not %s", res, who))
	case "staff_member#account_owner":
		return yes(fmt.Sprintf("%s is the account owner's, whose permissions nobody changes", res), fmt.Sprintf("%s is not the account owner's", res))
	case "staff_member#switched":
		return yes(fmt.Sprintf("%s is switched on for office staff", res), fmt.Sprintf("%s is not switched on for office staff", res))
	}
	return "", false
}

// roleName is the role of a role object's ID (workspace/role).
func roleName(id string) string {
	_, role, _ := strings.Cut(id, "/")
	return role
}

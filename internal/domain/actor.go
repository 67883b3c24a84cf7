package domain

import (
	"fmt"
	"slices"
	"strings"
)

// ActorCheck is what an event needs of the request's actor, asked of the
// schema before the event is planned: the actor may do it when Question is
// allowed. Refused says why not, for the 409.
type ActorCheck struct {
	Index    int
	Question Question
	Refused  string
}

// ActorChecks are the questions events need answered about the request's
// actor (Event.Actor) before they are planned, in the events' order; an
// event that needs an actor and has none, or names another person where
// only its own user may act, is an error naming the field.
//
// The schema answers as the practice stood before the request, so such
// events come in a request of their own: an event before them that changed
// someone's roles or grants would not count for them.
func ActorChecks(events []Event) ([]ActorCheck, error) {
	var out []ActorCheck
	stepped := map[Object]int{} // the record each step is on, and its event
	for i, e := range events {
		if EventTypes[e.Type].Actor == nil {
			if j := slices.IndexFunc(events, func(e Event) bool { return EventTypes[e.Type].Actor != nil }); j >= 0 {
				return nil, fieldErr(CodeInvalid, i, "type", "%s is in the same request as %s (event %d): events a person decides are asked of the practice as it stood before the request, so send them in a request of their own", e.Type, events[j].Type, j)
			}
			continue
		}
		c, err := EventTypes[e.Type].Actor(i, e)
		if err != nil {
			return nil, err
		}
		c.Index = i
		// Two steps on one record (two approvals of one request, say)
		// would both be asked of it as it stood before either: one a
		// request.
		if res := c.Question.Resource; slices.Contains(steppedTypes, res.Type) {
			if j, ok := stepped[res]; ok {
				return nil, fieldErr(CodeInvalid, i, "type", "%s is a second step on %s in one request (event %d is the first): each step is asked of the record as it stood before the request, so send one step per record in a request", e.Type, res, j)
			}
			stepped[res] = i
		}
		out = append(out, c)
		if more := EventTypes[e.Type].MoreChecks; more != nil {
			for _, m := range more(i, e) {
				m.Index = i
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// steppedTypes are the records people take steps on, one step a record
// in a request.
var steppedTypes = []string{TypeAccessRequest, TypeRefund, TypeBreakGlass}

// actorID is the person ID of the event's actor (checked by ActorChecks).
func actorID(e Event) string { return strings.TrimPrefix(e.Actor, TypeUser+":") }

// actorPerson reads a request's actor ("user:ID") as a person's ID.
func actorPerson(i int, e Event) (string, error) {
	if e.Actor == "" {
		return "", &Error{Code: CodeInvalid, Index: i, Field: "actor", Message: fmt.Sprintf(`is required for %s: the person deciding, e.g. "user:olivia", given beside the events`, e.Type)}
	}
	id, ok := strings.CutPrefix(e.Actor, TypeUser+":")
	if !ok || ValidateID(id) != nil {
		return "", &Error{Code: CodeInvalid, Index: i, Field: "actor", Message: fmt.Sprintf(`%q: must name a person as "user:ID"`, e.Actor)}
	}
	return id, nil
}

// actorMay is what an event needs of its actor: permission on the object
// on names, refused (formatted with the actor and the name on gives)
// saying why not.
func actorMay(permission string, on func(Event) (res Object, name string), refused string) func(int, Event) (ActorCheck, error) {
	return func(i int, e Event) (ActorCheck, error) {
		actor, err := actorPerson(i, e)
		if err != nil {
			return ActorCheck{}, err
		}
		res, name := on(e)
		return ActorCheck{
			Question: Question{Subject: userObj(actor), Permission: permission, Resource: res},
			Refused:  fmt.Sprintf(refused, e.Actor, name),
		}, nil
	}
}

// The objects events a person decides are about, and the name their
// refusals use.
func aboutOpening(e Event) (Object, string)       { return BreakGlassObject(e.Workspace, e.ID), e.ID }
func aboutWorkspace(e Event) (Object, string)     { return workspaceObj(e.Workspace), e.Workspace }
func aboutRefund(e Event) (Object, string)        { return RefundObject(e.Workspace, e.Refund), e.Refund }
func aboutRefundInvoice(e Event) (Object, string) { return Object{TypeInvoice, e.Invoice}, e.Refund }

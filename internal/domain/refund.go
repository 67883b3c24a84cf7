package domain

// Refunds: separation of duties ("one person approves refunds, a different
// person processes refund", seed 004). A refund is an object of its
// practice (WORKSPACE/ID) on one invoice; each step is taken by the
// request's actor, whom the schema holds to the step: refund#approve never
// for its requester, refund#process only once approved and never for its
// approver, each only for people, and once taken only for whoever took it.
// The planner writes who took each step (and, should two race past the
// schema's answer, refuses the second).

// RefundObject is the object of refund id in practice ws.
func RefundObject(ws, id string) Object { return Object{TypeRefund, ws + "/" + id} }

func (p *planner) refundRequested(i int, pr Practice, e Event) error {
	obj, invoice := RefundObject(pr.WS, e.Refund), Object{TypeInvoice, e.Invoice}
	requester := actorID(e)
	if WorkspaceOf(p.s, obj) != "" {
		if firstSubject(p.s, obj, "invoice") == e.Invoice && firstSubject(p.s, obj, "requester") == requester {
			return nil // the same request sent again
		}
		return fieldErr(CodeConflict, i, "refund", "refund %q already exists in workspace %q: give each refund its own id", e.Refund, pr.WS)
	}
	if err := p.requireIn(i, pr, "invoice", invoice); err != nil {
		return err
	}
	p.s.Add(Rel(obj, "workspace", pr.obj()))
	p.s.Add(Rel(obj, "invoice", invoice))
	p.s.Add(Rel(obj, "requester", userObj(requester)))
	p.s.Add(Relationship{Resource: obj, Relation: "requested", Subject: Subject{Type: TypeUser, ID: "*"}})
	p.notify(Notice{Type: e.Type, Index: i, Users: []string{requester}}, pr, pr.Owner()) // the owner approves by default
	return nil
}

// refundStep records the actor as the refund's person of relation (approver
// or processor) and sets mark; the same step by the same person again
// changes nothing, by another is a conflict.
func (p *planner) refundStep(i int, pr Practice, e Event, relation, mark string, notify ...string) error {
	obj := RefundObject(pr.WS, e.Refund)
	if WorkspaceOf(p.s, obj) == "" {
		return fieldErr(CodeInvalid, i, "refund", "unknown refund %q in workspace %q", e.Refund, pr.WS)
	}
	actor := actorID(e)
	if done := firstSubject(p.s, obj, relation); done != "" {
		if done == actor {
			return nil
		}
		return fieldErr(CodeConflict, i, "refund", "refund %q was %s already by %s", e.Refund, mark, done)
	}
	p.s.Add(Rel(obj, relation, userObj(actor)))
	p.s.Add(Relationship{Resource: obj, Relation: mark, Subject: Subject{Type: TypeUser, ID: "*"}})
	var who []string
	for _, rel := range notify {
		who = append(who, firstSubject(p.s, obj, rel))
	}
	p.notify(Notice{Type: e.Type, Index: i, Users: who}, pr, who...)
	return nil
}

func (p *planner) refundApproved(i int, pr Practice, e Event) error {
	return p.refundStep(i, pr, e, "approver", "approved", "requester")
}

func (p *planner) refundProcessed(i int, pr Practice, e Event) error {
	return p.refundStep(i, pr, e, "processor", "processed", "requester", "approver")
}

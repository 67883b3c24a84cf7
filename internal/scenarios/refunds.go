package scenarios

// refunds is the clinic platform guide's separation of duties ("One person
// approves refunds - Different person processes refund", seed 004): the
// requester never approves, the approver never processes, nothing is
// processed before approval, whatever roles they hold.
var refunds = []Scenario{
	{Name: "refunds_are_asked_approved_and_processed_by_different_people", Steps: []Step{
		// By default roles that edit every invoice ask for and process
		// refunds; only the owner's role, which has every area, approves.
		{Checks: []Check{
			yes("user:rita", "request_refund", "invoice:in-ann"), yes("user:alex", "process_refund", "invoice:in-ann"),
			no("user:priya", "request_refund", "invoice:in-ann"), no("user:maya", "approve_refund", "invoice:in-ann"),
			yes("user:olivia", "approve_refund", "invoice:in-ann"),
		}},
		{Events: `{"type":"refund.requested","workspace":"p1","refund":"r1","invoice":"in-ann"}`,
			Actor: "user:priya", Refused: `user:priya may not ask for refund "r1"`},
		{Events: `{"type":"refund.requested","workspace":"p1","refund":"r1","invoice":"in-ann"}`,
			Actor: "user:rita",
			Checks: []Check{
				no("user:rita", "approve", "refund:p1/r1"), yes("user:olivia", "approve", "refund:p1/r1"),
				no("user:maya", "approve", "refund:p1/r1"), no("user:alex", "process", "refund:p1/r1"),
			}},
		{Events: `{"type":"refund.requested","workspace":"p1","refund":"r1","invoice":"in-ann"}`, Actor: "user:rita", NoChange: true},
		// Nothing is processed before it is approved; the requester never
		// approves.
		{Events: `{"type":"refund.processed","workspace":"p1","refund":"r1"}`,
			Actor: "user:alex", Refused: `user:alex may not process refund "r1"`,
			Explanations: []Explanation{{Check: no("user:alex", "process", "refund:p1/r1"), Text: "refund:p1/r1 is not approved yet: it is processed only once approved"}}},
		{Events: `{"type":"refund.approved","workspace":"p1","refund":"r1"}`,
			Actor: "user:rita", Refused: `user:rita may not approve refund "r1"`},
		{Events: `{"type":"refund.approved","workspace":"p1","refund":"r1"}`,
			Actor: "user:olivia",
			Checks: []Check{
				no("user:olivia", "process", "refund:p1/r1"), yes("user:alex", "process", "refund:p1/r1"),
				yes("user:rita", "process", "refund:p1/r1"), no("user:priya", "process", "refund:p1/r1"),
			}},
		{Events: `{"type":"refund.approved","workspace":"p1","refund":"r1"}`, Actor: "user:olivia", NoChange: true},
		{Explanations: []Explanation{
			{Check: no("user:olivia", "process", "refund:p1/r1"), Text: "olivia approved refund:p1/r1, and who approves a refund never processes it"},
			{Check: no("user:rita", "approve", "refund:p1/r1"), Text: "rita asked for refund:p1/r1, and who asks for a refund never approves it"},
			{Check: yes("user:alex", "process", "refund:p1/r1"), Text: "alex holds role accountant workspace-wide, which has refunds process: full"},
		}},
		// The approver never processes, whatever roles they hold.
		{Events: `{"type":"refund.processed","workspace":"p1","refund":"r1"}`,
			Actor: "user:olivia", Refused: `user:olivia may not process refund "r1"`},
		{Events: `{"type":"refund.processed","workspace":"p1","refund":"r1"}`, Actor: "user:alex"},
		{Events: `{"type":"refund.processed","workspace":"p1","refund":"r1"}`, Actor: "user:alex", NoChange: true},
		{Events: `{"type":"refund.processed","workspace":"p1","refund":"r1"}`,
			Actor: "user:maya", Refused: `user:maya may not process refund "r1"`,
			Checks:       []Check{no("user:maya", "process", "refund:p1/r1"), yes("user:alex", "process", "refund:p1/r1")},
			Explanations: []Explanation{{Check: no("user:maya", "process", "refund:p1/r1"), Text: "alex processed refund:p1/r1 already, and only they may again"}}},
		// A practice that lets its accountant approve: alex approves what
		// maya asks for, and then may not process it.
		{Events: `{"type":"role.updated","workspace":"p1","role":"accountant","grants":{"refunds":{"approve":"all"}}}`},
		{Events: `{"type":"refund.requested","workspace":"p1","refund":"r2","invoice":"in-ann"}`, Actor: "user:maya"},
		{Events: `{"type":"refund.approved","workspace":"p1","refund":"r2"}`, Actor: "user:alex",
			Checks: []Check{
				no("user:alex", "process", "refund:p1/r2"), yes("user:rita", "process", "refund:p1/r2"), yes("user:maya", "process", "refund:p1/r2"),
				no("user:olivia", "approve", "refund:p1/r2"), yes("user:alex", "approve", "refund:p1/r2"),
			}},
		{Events: `{"type":"refund.approved","workspace":"p1","refund":"r2"}`, Actor: "user:olivia", Refused: `user:olivia may not approve refund "r2"`},
		{Events: `{"type":"refund.processed","workspace":"p1","refund":"r2"}`,
			Actor: "user:alex", Refused: `user:alex may not process refund "r2"`},
		{Events: `{"type":"refund.processed","workspace":"p1","refund":"r2"}`, Actor: "user:rita"},
		// Another practice's owner reaches nothing of it.
		{Checks: []Check{no("user:hugo", "approve", "refund:p1/r2"), no("user:hugo", "request_refund", "invoice:in-ann")}},
	}},
}

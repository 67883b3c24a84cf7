package scenarios

// accessReviews are the clinic platform guide's "access review scheduling:
// notifications to review user access quarterly" (seed 004): under a review
// policy each person's access falls due for review; a holder of
// review_access (the owner by default) or the person's manager, never the
// person themselves, keeps it or revokes the grants named, and the review
// lists who granted each standing grant and when.
var accessReviews = []Scenario{
	{Name: "a_review_keeps_or_revokes_what_it_names_and_only_reviewers_review", Steps: []Step{
		{Events: `{"type":"policy.set","workspace":"p1","review_every_days":90}
{"type":"staff.manager_set","workspace":"p1","user":"priya","manager":"maya"}`,
			Checks: []Check{
				yes("user:olivia", "review_access", "staff_member:p1/priya"), yes("user:maya", "review_access", "staff_member:p1/priya"),
				no("user:priya", "review_access", "staff_member:p1/priya"), no("user:rita", "review_access", "staff_member:p1/priya"),
				no("user:maya", "review_access", "staff_member:p1/rita"), no("user:olivia", "review_access", "staff_member:p1/olivia"),
			},
			Reviews: []ReviewList{
				{Workspace: "p1", User: "priya", Want: []string{"priya:current:role:practitioner"}},
				{Workspace: "p1", Due: true},
			}},
		// Who granted a grant is the request's actor.
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ben","user":"priya"}`, Actor: "user:olivia",
			Checks: []Check{yes("user:priya", "view", "client:ben")},
			Reviews: []ReviewList{
				{Workspace: "p1", User: "priya", Want: []string{"priya:current:role:practitioner,share:ben<olivia"}},
				// a manager sees their reports' review, and nobody else's
				{Workspace: "p1", Actor: "user:maya", Want: []string{"priya:current:role:practitioner,share:ben<olivia"}},
				{Workspace: "p1", Actor: "user:rita"},
			}},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"keep"}`, Actor: "user:priya",
			Refused: `user:priya may not review the access of priya`},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"keep"}`, Actor: "user:rita",
			Refused: `user:rita may not review the access of priya`},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"keep","note":"still covers Pete's clients"}`, Actor: "user:maya",
			Checks:  []Check{yes("user:priya", "view", "client:ben")},
			Reviews: []ReviewList{{Workspace: "p1", User: "priya", Want: []string{"priya:current:role:practitioner,share:ben<olivia;keep by maya"}}}},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"revoke","items":["share:ben"]}`, Actor: "user:olivia",
			Checks:  []Check{no("user:priya", "view", "client:ben"), yes("user:priya", "view", "client:ann")},
			Reviews: []ReviewList{{Workspace: "p1", User: "priya", Want: []string{"priya:current:role:practitioner;revoke by olivia"}}}},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"revoke","items":["share:ben"]}`, Actor: "user:olivia",
			Refused: `share:ben is not a standing grant of priya`},
		// A guarded role is revoked in a review by the owner alone.
		{Events: `{"type":"role.assigned","workspace":"p1","user":"priya","role":"practitioner_admin"}`, Actor: "user:olivia"},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"revoke","items":["role:practitioner_admin"]}`, Actor: "user:maya",
			Refused: `user:maya may not revoke role:practitioner_admin in a review of priya`},
		// Revoking with no items revokes every standing grant.
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"revoke"}`, Actor: "user:olivia",
			Checks:  []Check{no("user:priya", "view", "client:ann"), no("user:priya", "view_notes", "client:ann")},
			Reviews: []ReviewList{{Workspace: "p1", User: "priya", Want: []string{"priya:current:;revoke by olivia"}}}},
		// Turned off, nobody is due and no review falls due.
		{Events: `{"type":"policy.set","workspace":"p1","review_every_days":0}`,
			Reviews: []ReviewList{{Workspace: "p1", User: "priya", Want: []string{"priya:-:;revoke by olivia"}}}},
	}},
	{Name: "a_review_lists_and_revokes_delegations_openings_and_timed_grants", Steps: []Step{
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"cover","from":"maya","to":"rita","roles":["practice_manager"],"expires_at":"{{later}}"}`, Actor: "user:maya",
			Checks: []Check{yes("user:rita", "manage_staff", "workspace:p1")}},
		{Events: `{"type":"role.assigned","workspace":"p1","user":"rita","role":"accountant","expires_at":"{{later}}"}`, Actor: "user:olivia",
			Reviews: []ReviewList{{Workspace: "p1", User: "rita", Want: []string{"rita:-:role:accountant<olivia,role:receptionist,delegation:cover<maya"}}}},
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg1","user":"priya","client":"ben","reason":"collapsed in the waiting room"}`, Actor: "user:priya",
			Reviews: []ReviewList{{Workspace: "p1", User: "priya", Want: []string{"priya:-:role:practitioner,break_glass:bg1<priya"}}}},
		// Her manager reviews her, but ends only what they could end
		// otherwise: not a delegation they are no party to, nor an opening.
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"pete"}
{"type":"staff.manager_set","workspace":"p1","user":"priya","manager":"pete"}`},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":["delegation:cover"]}`, Actor: "user:pete",
			Refused: `user:pete may not revoke delegation:cover in a review of rita`},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke"}`, Actor: "user:pete",
			Refused: `user:pete may not revoke`},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"revoke","items":["break_glass:bg1"]}`, Actor: "user:pete",
			Refused: `user:pete may not revoke break_glass:bg1 in a review of priya`},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"keep"}`, Actor: "user:pete",
			Reviews: []ReviewList{{Workspace: "p1", User: "rita", Want: []string{"rita:-:role:accountant<olivia,role:receptionist,delegation:cover<maya;keep by pete"}}}},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"rita","outcome":"revoke","items":["delegation:cover","role:accountant"]}`, Actor: "user:olivia",
			Checks:      []Check{no("user:rita", "manage_staff", "workspace:p1"), no("user:rita", "manage_tax_settings", "workspace:p1"), yes("user:rita", "book_appointment", "client:ben")},
			Delegations: []DelegationList{{Workspace: "p1", Want: []string{"cover:maya>rita:practice_manager:revoked"}}},
			Reviews:     []ReviewList{{Workspace: "p1", User: "rita", Want: []string{"rita:-:role:receptionist;revoke by olivia"}}}},
		{Events: `{"type":"access.reviewed","workspace":"p1","user":"priya","outcome":"revoke","items":["break_glass:bg1"]}`, Actor: "user:olivia",
			Checks:     []Check{no("user:priya", "view_notes", "client:ben")},
			BreakGlass: []BreakGlassList{{Workspace: "p1", State: "open"}}},
	}},
}

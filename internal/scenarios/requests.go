package scenarios

// accessRequests are the clinic platform guide's just-in-time access and
// approval workflows ("request temporary elevated permissions", "require
// multi-level approval (staff request → manager → admin)", "manager
// manages certain staff", seed 004): a staff member asks for a role for a
// while; a holder of approve_access, or their manager if the manager may
// give the role, decides, never the requester; under a policy of two
// approvals the manager first, then someone else; approved, the role is
// held until the request's end, which passes with no write.
var accessRequests = []Scenario{
	{Name: "access_requests_wait_for_a_manager_or_an_approver_never_the_requester", Steps: []Step{
		{Checks: []Check{
			yes("user:rita", "request_access", "staff_member:p1/rita"), no("user:pete", "request_access", "staff_member:p1/rita"),
			no("user:hugo", "request_access", "staff_member:p1/rita"),
			yes("user:olivia", "approve_access", "workspace:p1"), no("user:maya", "approve_access", "workspace:p1"),
			no("user:rita", "manage_tax_settings", "workspace:p1"),
		}},
		// A request is made by the person who needs it.
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"month-end invoices while alex is away","minutes":60}`,
			Actor: "user:pete", Refused: `user:pete may not ask for access for rita`},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"month-end invoices while alex is away","minutes":60}`,
			Actor: "user:rita",
			Checks: []Check{
				no("user:rita", "approve", "access_request:p1/ar1"), yes("user:olivia", "approve", "access_request:p1/ar1"),
				yes("user:olivia", "deny", "access_request:p1/ar1"), no("user:maya", "approve", "access_request:p1/ar1"),
				no("user:pete", "deny", "access_request:p1/ar1"), no("user:hugo", "approve", "access_request:p1/ar1"),
				no("user:rita", "manage_tax_settings", "workspace:p1"),
			},
			Requests: []RequestList{{Workspace: "p1", State: "pending", Want: []string{"ar1:rita:accountant:pending"}}},
			Explanations: []Explanation{
				{Check: no("user:rita", "approve", "access_request:p1/ar1"), Text: "rita asked for access_request:p1/ar1, and who asks never decides it"},
				{Check: yes("user:olivia", "approve", "access_request:p1/ar1"), Text: "olivia is the account owner of p1"},
			}},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"month-end invoices while alex is away","minutes":60}`,
			Actor: "user:rita", NoChange: true},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`,
			Actor: "user:rita", Refused: `user:rita may not approve access request "ar1"`},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`,
			Actor: "user:maya", Refused: `user:maya may not approve access request "ar1"`},
		// Her manager decides her requests.
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"maya"}`,
			Checks: []Check{yes("user:maya", "approve", "access_request:p1/ar1"), yes("user:maya", "deny", "access_request:p1/ar1")},
			Explanations: []Explanation{
				{Check: yes("user:maya", "approve", "access_request:p1/ar1"), Text: "maya manages rita, who asked"},
				{Check: no("user:pete", "approve", "access_request:p1/ar1"), Text: "pete does not manage rita (the requester)"},
			}},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1","reason":"alex is on leave"}`, Actor: "user:maya",
			Checks: []Check{
				yes("user:rita", "manage_tax_settings", "workspace:p1"), yes("user:rita", "view", "invoice:in-ann"),
				no("user:olivia", "approve", "access_request:p1/ar1"), no("user:maya", "deny", "access_request:p1/ar1"),
			},
			Requests: []RequestList{
				{Workspace: "p1", State: "approved", Want: []string{"ar1:rita:accountant:approved:maya"}},
				{Workspace: "p1", State: "pending"},
			},
			Explanations: []Explanation{{Check: no("user:olivia", "approve", "access_request:p1/ar1"), Text: "access_request:p1/ar1 waits for no decision: it is approved"}}},
		{Events: `{"type":"access.denied","workspace":"p1","request":"ar1"}`,
			Actor: "user:olivia", Refused: `user:olivia may not deny access request "ar1"`},
		// What she holds already is not asked for; a guarded role is not
		// given on request.
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar2","user":"rita","role":"accountant","reason":"again","minutes":30}`,
			Actor: "user:rita", Refused: `rita holds accountant workspace-wide already`},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar2","user":"rita","role":"practitioner_admin","reason":"cover","minutes":30}`,
			Actor: "user:rita", Refused: `role "practitioner_admin" is guarded`},
		// A request denied gives nothing.
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar3","user":"pete","role":"practice_manager","location":"north","reason":"run north this week","minutes":120}`,
			Actor: "user:pete"},
		{Events: `{"type":"access.denied","workspace":"p1","request":"ar3","reason":"maya covers north"}`, Actor: "user:olivia",
			Checks: []Check{no("user:pete", "edit", "invoice:in-ann"), no("user:olivia", "approve", "access_request:p1/ar3")},
			Requests: []RequestList{
				{Workspace: "p1", State: "denied", Want: []string{"ar3:pete:practice_manager:denied:olivia"}},
				{Workspace: "p1", User: "pete", Want: []string{"ar3:pete:practice_manager:denied:olivia"}},
				{Workspace: "p1", Want: []string{"ar1:rita:accountant:approved:maya", "ar3:pete:practice_manager:denied:olivia"}},
			}},
		{Events: `{"type":"access.denied","workspace":"p1","request":"ar3","reason":"maya covers north"}`, Actor: "user:olivia", Refused: `user:olivia may not deny access request "ar3"`},
	}},
	// Alone, a manager gives only a role they may give anyway: a manager
	// who may not change roles (seed 004: a manager "cannot change roles"),
	// or a colleague made someone's manager, hands out nothing more.
	{Name: "a_manager_alone_approves_only_a_role_they_may_give", Steps: []Step{
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"pete"}`,
			Checks: []Check{no("user:pete", "manage_holders", "role:p1/accountant"), yes("user:maya", "manage_holders", "role:p1/accountant")}},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar9","user":"rita","role":"accountant","reason":"month end","minutes":60}`, Actor: "user:rita",
			Checks: []Check{
				no("user:pete", "approve", "access_request:p1/ar9"), yes("user:pete", "deny", "access_request:p1/ar9"),
				yes("user:olivia", "approve", "access_request:p1/ar9"),
			},
			Explanations: []Explanation{
				{Check: no("user:pete", "approve", "access_request:p1/ar9"), Text: "pete may not give role:p1/accountant{{any}}"},
			}},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar9"}`, Actor: "user:pete", Refused: `user:pete may not approve access request "ar9"`},
		// Her manager who may give the role approves it alone.
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"maya"}`,
			Checks: []Check{yes("user:maya", "approve", "access_request:p1/ar9"), no("user:pete", "deny", "access_request:p1/ar9")},
			Explanations: []Explanation{
				{Check: yes("user:maya", "approve", "access_request:p1/ar9"), Text: "maya may give role:p1/accountant"},
			}},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar9"}`, Actor: "user:maya",
			Checks: []Check{yes("user:rita", "manage_tax_settings", "workspace:p1")}},
	}},
	{Name: "two_approvals_the_managers_then_another_approvers", Steps: []Step{
		{Events: `{"type":"policy.set","workspace":"p1","approvals_required":2}`},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"pete","role":"practice_manager","reason":"cover maya","minutes":30}`,
			Actor: "user:pete", Refused: `pete has no manager`},
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"pete","manager":"maya"}`},
		// No cycles: maya manages pete, so pete does not manage maya.
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"maya","manager":"pete"}`, Refused: `pete is managed, at some remove, by maya`},
		// alex's role approves access too.
		{Events: `{"type":"role.updated","workspace":"p1","role":"accountant","grants":{"access":{"approve":"all"}}}`},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"pete","role":"practice_manager","reason":"cover maya","minutes":30}`,
			Actor: "user:pete",
			Checks: []Check{
				yes("user:maya", "approve", "access_request:p1/ar1"), no("user:olivia", "approve", "access_request:p1/ar1"),
				no("user:alex", "approve", "access_request:p1/ar1"), yes("user:olivia", "deny", "access_request:p1/ar1"),
			},
			Explanations: []Explanation{{Check: no("user:olivia", "approve", "access_request:p1/ar1"), Text: "access_request:p1/ar1 waits for the first of two approvals, which is the requester's manager's"}}},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:olivia", Refused: `user:olivia may not approve access request "ar1"`},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:maya",
			Checks: []Check{
				no("user:maya", "approve", "access_request:p1/ar1"), yes("user:olivia", "approve", "access_request:p1/ar1"),
				yes("user:alex", "approve", "access_request:p1/ar1"), no("user:pete", "edit", "invoice:in-ann"),
			},
			Requests:     []RequestList{{Workspace: "p1", State: "pending", Want: []string{"ar1:pete:practice_manager:pending:maya"}}},
			Explanations: []Explanation{{Check: no("user:maya", "approve", "access_request:p1/ar1"), Text: "maya gave the first approval of access_request:p1/ar1, and the second is another's"}}},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:alex",
			Checks:   []Check{yes("user:pete", "edit", "invoice:in-ann"), yes("user:pete", "manage_staff", "workspace:p1"), no("user:olivia", "approve", "access_request:p1/ar1")},
			Requests: []RequestList{{Workspace: "p1", State: "approved", Want: []string{"ar1:pete:practice_manager:approved:maya:alex"}}}},
		// A disabled manager decides nothing.
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar2","user":"pete","role":"accountant","reason":"month end","minutes":30}`, Actor: "user:pete"},
		{Events: `{"type":"staff.disabled","workspace":"p1","user":"maya"}`,
			Checks: []Check{no("user:maya", "approve", "access_request:p1/ar2"), yes("user:olivia", "deny", "access_request:p1/ar2")}},
		{Events: `{"type":"staff.manager_cleared","workspace":"p1","user":"pete","manager":"maya"}`},
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"maya"}`,
			Checks: []Check{no("user:maya", "approve", "access_request:p1/ar2"), no("user:maya", "deny", "access_request:p1/ar2")}},
	}},
	{Name: "approved_access_ends_by_itself", Steps: []Step{
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"month end","expires_at":"{{end}}"}`, Actor: "user:rita"},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar2","user":"sam","role":"accountant","reason":"month end","expires_at":"{{end}}"}`, Actor: "user:sam"},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:olivia",
			Checks: []Check{yes("user:rita", "manage_tax_settings", "workspace:p1")}},
		{PastEnd: true,
			Checks:   []Check{no("user:rita", "manage_tax_settings", "workspace:p1"), no("user:rita", "view_notes", "client:ann")},
			Requests: []RequestList{{Workspace: "p1", State: "approved", Want: []string{"ar1:rita:accountant:approved:olivia"}}}},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar2"}`, Actor: "user:olivia", Refused: `which has passed`},
		{Events: `{"type":"access.denied","workspace":"p1","request":"ar2"}`, Actor: "user:olivia"},
	}},
	{Name: "removing_a_requester_cancels_what_waits_and_a_manager_manages_no_one", Steps: []Step{
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"maya"}`},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"month end","minutes":60}`, Actor: "user:rita"},
		{Events: `{"type":"staff.removed","workspace":"p1","user":"rita"}`,
			Requests: []RequestList{{Workspace: "p1", State: "cancelled", Want: []string{"ar1:rita:accountant:cancelled:"}}}},
		{Events: `{"type":"staff.added","workspace":"p1","user":"rita","role":"receptionist"}`,
			Checks: []Check{no("user:olivia", "approve", "access_request:p1/ar1"), no("user:maya", "approve", "access_request:p1/ar1")}},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:olivia", Refused: `user:olivia may not approve access request "ar1"`},
		// maya, removed and added again, manages no one.
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar2","user":"rita","role":"accountant","reason":"month end","minutes":60}`, Actor: "user:rita",
			Checks: []Check{no("user:maya", "approve", "access_request:p1/ar2")}},
		{Events: `{"type":"staff.manager_set","workspace":"p1","user":"rita","manager":"maya"}`,
			Checks: []Check{yes("user:maya", "approve", "access_request:p1/ar2")}},
		{Events: `{"type":"staff.removed","workspace":"p1","user":"maya"}`},
		{Events: `{"type":"staff.added","workspace":"p1","user":"maya","role":"practice_manager"}`,
			Checks: []Check{no("user:maya", "approve", "access_request:p1/ar2"), yes("user:olivia", "approve", "access_request:p1/ar2")}},
	}},
	{Name: "a_one_time_grant_counts_for_one_check_that_consumes_it", Steps: []Step{
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"rita","role":"accountant","reason":"fix one tax setting","minutes":60,"once":true}`, Actor: "user:rita"},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar2","user":"sam","role":"accountant","reason":"one invoice","expires_at":"{{end}}","once":true}`, Actor: "user:sam"},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:olivia",
			// Only a check made with consume counts it.
			Checks: []Check{no("user:rita", "manage_tax_settings", "workspace:p1"), yes("user:rita", "consume", "access_request:p1/ar1"), no("user:pete", "consume", "access_request:p1/ar1")},
			Consumes: []Consume{
				{Check: no("user:rita", "manage_settings", "workspace:p1")},        // not what the role gives: the grant stays
				{Check: no("user:pete", "manage_tax_settings", "workspace:p1")},    // not theirs
				{Check: yes("user:olivia", "manage_tax_settings", "workspace:p1")}, // allowed outright: nothing used
				{Check: yes("user:rita", "manage_tax_settings", "workspace:p1"), Consumed: "access_request:p1/ar1"},
				{Check: no("user:rita", "manage_tax_settings", "workspace:p1")}, // used up
			}},
		{Checks: []Check{no("user:rita", "manage_tax_settings", "workspace:p1"), no("user:rita", "consume", "access_request:p1/ar1")},
			Requests: []RequestList{{Workspace: "p1", User: "rita", Want: []string{"ar1:rita:accountant:approved:olivia"}}}},
		{Events: `{"type":"access.consumed","workspace":"p1","request":"ar1"}`, Actor: "user:rita", Refused: `user:rita may not use the one-time grant of access request "ar1"`},
		// One that ends unused counts for nothing after, with no write.
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar2"}`, Actor: "user:olivia",
			Checks: []Check{no("user:sam", "view", "invoice:in-ann"), yes("user:sam", "consume", "access_request:p1/ar2")}},
		{PastEnd: true,
			Checks:   []Check{no("user:sam", "consume", "access_request:p1/ar2")},
			Consumes: []Consume{{Check: no("user:sam", "view", "invoice:in-ann")}}},
		// A grant whose holding is revoked, or whose person is removed, is
		// gone: nobody uses it, whoever is later added under their ID.
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar3","user":"rita","role":"accountant","reason":"again","minutes":60,"once":true}`, Actor: "user:rita"},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar3"}`, Actor: "user:olivia",
			Checks: []Check{yes("user:rita", "consume", "access_request:p1/ar3"), no("user:olivia", "consume", "access_request:p1/ar3")},
			Explanations: []Explanation{
				{Check: yes("user:rita", "consume", "access_request:p1/ar3"), Text: "rita has the one-time grant of access_request:p1/ar3, unused and not ended"},
				{Check: no("user:olivia", "consume", "access_request:p1/ar3"), Text: "olivia has no one-time grant of access_request:p1/ar3 left: it was not for once, not approved, used, or ended"},
			}},
		{Events: `{"type":"role.revoked","workspace":"p1","user":"rita","role":"accountant"}`,
			Checks:   []Check{no("user:rita", "consume", "access_request:p1/ar3")},
			Consumes: []Consume{{Check: no("user:rita", "manage_tax_settings", "workspace:p1")}}},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar4","user":"rita","role":"accountant","reason":"once more","minutes":60,"once":true}`, Actor: "user:rita"},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar4"}`, Actor: "user:olivia"},
		{Events: `{"type":"staff.removed","workspace":"p1","user":"rita"}
{"type":"staff.added","workspace":"p1","user":"rita","role":"receptionist"}`,
			Checks:   []Check{no("user:rita", "consume", "access_request:p1/ar4")},
			Consumes: []Consume{{Check: no("user:rita", "manage_tax_settings", "workspace:p1")}}},
		{Events: `{"type":"access.consumed","workspace":"p1","request":"ar4"}`, Actor: "user:rita", Refused: `may not use the one-time grant of access request "ar4"`},
	}},
	{Name: "access_requests_hold_where_asked_and_end_with_their_role", Steps: []Step{
		// Two steps on one request in one request are refused: each would
		// be asked of the request as it stood before either.
		{Events: `{"type":"policy.set","workspace":"p1","approvals_required":2}
{"type":"staff.manager_set","workspace":"p1","user":"pete","manager":"maya"}`},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar1","user":"pete","role":"receptionist","location":"north","reason":"cover the north desk","minutes":60}`, Actor: "user:pete"},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:maya",
			Checks: []Check{no("user:maya", "approve", "access_request:p1/ar1"), yes("user:olivia", "approve", "access_request:p1/ar1")}},
		// At a location: held there, not elsewhere.
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar1"}`, Actor: "user:olivia",
			Checks: []Check{yes("user:pete", "view_contact", "client:ann"), no("user:pete", "view_contact", "client:cat")}},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar2","user":"pete","role":"accountant","reason":"month end","minutes":60}`, Actor: "user:pete"},
		{Events: `{"type":"access.approved","workspace":"p1","request":"ar2"}`, Actor: "user:maya",
			Checks: []Check{no("user:pete", "manage_tax_settings", "workspace:p1")}},
		// Clearing names the manager they have.
		{Events: `{"type":"staff.manager_cleared","workspace":"p1","user":"pete","manager":"olivia"}`, Refused: `olivia is not pete's manager (maya is)`},
		// A role deleted cancels the requests for it that wait; one defined
		// later under its name is another.
		{Events: `{"type":"role.defined","workspace":"p1","role":"cover","grants":{"clients":{"view":"all"}}}`},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar3","user":"pete","role":"cover","reason":"cover","minutes":60}`, Actor: "user:pete"},
		{Events: `{"type":"role.deleted","workspace":"p1","role":"cover"}`,
			Requests: []RequestList{{Workspace: "p1", State: "cancelled", Want: []string{"ar3:pete:cover:cancelled:"}}}},
		{Events: `{"type":"role.defined","workspace":"p1","role":"cover","grants":{"access":{"approve":"all"}}}`,
			Checks: []Check{no("user:olivia", "approve", "access_request:p1/ar3")}},
		{Events: `{"type":"access.requested","workspace":"p1","request":"ar3","user":"pete","role":"cover","reason":"cover","minutes":60}`, Actor: "user:pete", Refused: `was cancelled (its role was deleted)`},
	}},
	{Name: "an_approved_request_for_the_switch_role_carries_its_switches", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs7","owner":"cs7o","preset":"clinicsense"}
{"type":"location.created","workspace":"cs7","location":"main"}
{"type":"location.created","workspace":"cs7","location":"annex"}
{"type":"staff.added","workspace":"cs7","user":"cs7s","role":"office_staff","location":"main"}
{"type":"staff_permission.changed","workspace":"cs7","user":"cs7s","permission":"view_client_contact_information","value":"on"}
{"type":"client.created","workspace":"cs7","client":"cs7c","location":"annex"}`,
			Checks: []Check{no("user:cs7s", "view", "client:cs7c")}},
		{Events: `{"type":"access.requested","workspace":"cs7","request":"ar1","user":"cs7s","role":"office_staff","reason":"cover the annex","minutes":60}`, Actor: "user:cs7s"},
		{Events: `{"type":"access.approved","workspace":"cs7","request":"ar1"}`, Actor: "user:cs7o",
			Checks: []Check{yes("user:cs7s", "view", "client:cs7c")}},
	}},
}

package scenarios

// delegations are the clinic platform guide's temporary delegation
// ("'Acting Manager' role for coverage without changing base role", seed
// 004): a staff member lends some or all of their roles to another for a
// while; the delegate acts with them beside their own, at the places the
// lender holds them, until the delegation expires (no write then), is
// revoked, or the lender loses the role; what only the account owner may
// do is never lent.
var delegations = []Scenario{
	{Name: "a_delegate_acts_with_the_lenders_role_until_it_expires", Steps: []Step{
		{Checks: []Check{
			yes("user:alex", "lend_roles", "staff_member:p1/alex"), yes("user:olivia", "lend_roles", "staff_member:p1/alex"),
			no("user:rita", "lend_roles", "staff_member:p1/alex"), no("user:maya", "lend_roles", "staff_member:p1/alex"),
			no("user:rita", "manage_tax_settings", "workspace:p1"),
		}},
		// Only the lender (or the owner) lends their roles.
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d1","from":"alex","to":"rita","roles":["accountant"],"expires_at":"{{end}}"}`,
			Actor: "user:rita", Refused: `user:rita may not lend alex's roles`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d1","from":"alex","to":"rita","roles":["receptionist"],"expires_at":"{{end}}"}`,
			Actor: "user:alex", Refused: `alex does not hold role "receptionist"`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d1","from":"alex","to":"rita","roles":["accountant"],"expires_at":"{{end}}"}`,
			Actor: "user:alex",
			Checks: []Check{
				yes("user:rita", "manage_tax_settings", "workspace:p1"), yes("user:rita", "view", "invoice:in-ann"),
				// her own role stays hers, and his stays his
				yes("user:rita", "book_appointment", "client:ann"), no("user:rita", "view_notes", "client:ann"),
				yes("user:alex", "manage_tax_settings", "workspace:p1"),
				yes("user:rita", "revoke", "delegation:p1/d1"), yes("user:alex", "revoke", "delegation:p1/d1"),
				yes("user:olivia", "revoke", "delegation:p1/d1"), no("user:maya", "revoke", "delegation:p1/d1"),
			},
			Delegations: []DelegationList{
				{Workspace: "p1", Want: []string{"d1:alex>rita:accountant:active"}},
				{Workspace: "p1", User: "rita", State: "active", Want: []string{"d1:alex>rita:accountant:active"}},
				{Workspace: "p1", User: "maya"},
			},
			Explanations: []Explanation{
				{Check: yes("user:rita", "manage_tax_settings", "workspace:p1"), Text: "rita holds role accountant workspace-wide, acting for alex (delegation d1) until {{end}}, which has{{any}}"},
			}},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d1","from":"alex","to":"rita","roles":["accountant"],"expires_at":"{{end}}"}`,
			Actor: "user:alex", NoChange: true},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d1","from":"alex","to":"maya","roles":["accountant"],"expires_at":"{{end}}"}`,
			Actor: "user:alex", Refused: `delegation "d1" already exists`},
		// It ends by itself.
		{PastEnd: true,
			Checks: []Check{
				no("user:rita", "manage_tax_settings", "workspace:p1"), no("user:rita", "revoke", "delegation:p1/d1"),
				yes("user:rita", "book_appointment", "client:ann"), yes("user:alex", "manage_tax_settings", "workspace:p1"),
			},
			Delegations: []DelegationList{{Workspace: "p1", State: "expired", Want: []string{"d1:alex>rita:accountant:expired"}}}},
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"d1"}`, Actor: "user:olivia", Refused: `delegation "d1" expired`},
	}},
	{Name: "the_owners_roles_are_lent_but_never_what_only_the_owner_may", Steps: []Step{
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"cover","from":"olivia","to":"maya","expires_at":"{{later}}"}`,
			Actor: "user:olivia",
			Checks: []Check{
				yes("user:maya", "view_notes", "client:ann"), yes("user:maya", "view_notes", "client:cat"),
				no("user:maya", "manage_api_keys", "workspace:p1"), no("user:maya", "transfer_ownership", "workspace:p1"),
				// a guarded role is given by its own holders, and a delegate is not one
				no("user:maya", "manage_holders", "role:p1/practitioner_admin"),
				yes("user:olivia", "view_notes", "client:ann"),
			},
			Delegations: []DelegationList{{Workspace: "p1", State: "active", Want: []string{"cover:olivia>maya:practitioner_admin:active"}}},
			Explanations: []Explanation{
				{Check: yes("user:maya", "view_notes", "client:ann"), Text: "maya holds role practitioner_admin workspace-wide, acting for olivia (delegation cover) until {{later}}, which has{{any}}"},
			}},
		// The delegate gives it back.
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"cover"}`, Actor: "user:maya",
			Checks:      []Check{no("user:maya", "view_notes", "client:ann"), yes("user:maya", "edit", "client:ann")},
			Delegations: []DelegationList{{Workspace: "p1", Want: []string{"cover:olivia>maya:practitioner_admin:revoked"}}}},
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"cover"}`, Actor: "user:maya", Refused: `user:maya may not revoke delegation "cover"`},
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"cover"}`, Actor: "user:olivia", Refused: `delegation "cover" was revoked already, by maya`},
	}},
	{Name: "a_delegation_follows_the_lenders_holding_and_standing", Steps: []Step{
		// Rita manages north only; what she lends counts at north only.
		{Events: `{"type":"role.assigned","workspace":"p1","user":"rita","role":"practice_manager","location":"north"}`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d3","from":"rita","to":"alex","roles":["practice_manager"],"expires_at":"{{later}}"}`,
			Actor:  "user:rita",
			Checks: []Check{yes("user:alex", "edit", "client:ann"), yes("user:alex", "edit", "client:ben"), no("user:alex", "edit", "client:cat")}},
		// While the lender is disabled, nothing is lent; enabled, it is again.
		{Events: `{"type":"staff.disabled","workspace":"p1","user":"rita"}`,
			Checks: []Check{no("user:alex", "edit", "client:ann"), yes("user:alex", "view", "invoice:in-ann")}},
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"rita"}`,
			Checks: []Check{yes("user:alex", "edit", "client:ann")}},
		// A disabled lender lends nothing new.
		{Events: `{"type":"staff.disabled","workspace":"p1","user":"maya"}`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d4","from":"maya","to":"alex","expires_at":"{{later}}"}`,
			Actor: "user:olivia", Refused: `"maya" is disabled or inactive`},
		// The lender loses the role: it is lent no more, and the delegation ends.
		{Events: `{"type":"role.revoked","workspace":"p1","user":"rita","role":"practice_manager","location":"north"}`,
			Checks:      []Check{no("user:alex", "edit", "client:ann"), yes("user:rita", "book_appointment", "client:ann")},
			Delegations: []DelegationList{{Workspace: "p1", State: "ended", Want: []string{"d3:rita>alex::ended"}}}},
		{Events: `{"type":"role.assigned","workspace":"p1","user":"rita","role":"practice_manager","location":"north"}`,
			Checks: []Check{no("user:alex", "edit", "client:ann"), yes("user:rita", "edit", "client:ann")}},
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"d3"}`, Actor: "user:rita", Refused: `user:rita may not revoke delegation "d3"`},
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"d3"}`, Actor: "user:olivia", Refused: `delegation "d3" ended already`},
		// Removing a delegate ends what was lent to them: whoever is added
		// later under the same ID acts for no one.
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d5","from":"rita","to":"alex","expires_at":"{{later}}"}`,
			Actor: "user:rita", Checks: []Check{yes("user:alex", "edit", "client:ann")}},
		{Events: `{"type":"staff.removed","workspace":"p1","user":"alex"}
{"type":"staff.added","workspace":"p1","user":"alex","role":"accountant"}`,
			Checks:      []Check{no("user:alex", "edit", "client:ann"), yes("user:alex", "view", "invoice:in-ann")},
			Delegations: []DelegationList{{Workspace: "p1", User: "alex", Want: []string{"d3:rita>alex::ended", "d5:rita>alex:practice_manager+receptionist:ended"}}}},
	}},
	{Name: "a_lenders_inactivity_ends_what_they_lend_with_no_write", Steps: []Step{
		{Events: `{"type":"policy.set","workspace":"p1","inactivity_days":1}
{"type":"staff.seen","workspace":"p1","user":"alex","at":"{{end-1d}}"}
{"type":"staff.seen","workspace":"p1","user":"rita"}`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d7","from":"alex","to":"rita","expires_at":"{{later}}"}`,
			Actor: "user:alex", Checks: []Check{yes("user:rita", "manage_tax_settings", "workspace:p1")}},
		{PastEnd: true,
			Checks: []Check{
				no("user:rita", "manage_tax_settings", "workspace:p1"), no("user:alex", "manage_tax_settings", "workspace:p1"),
				yes("user:rita", "book_appointment", "client:ann"),
			}},
		// Enabled again, he lends again.
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"alex"}`,
			Checks: []Check{yes("user:rita", "manage_tax_settings", "workspace:p1")}},
	}},
	{Name: "a_delegation_starts_by_itself", Steps: []Step{
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d6","from":"alex","to":"rita","starts_at":"{{end}}","expires_at":"{{later}}"}`,
			Actor:       "user:alex",
			Checks:      []Check{no("user:rita", "manage_tax_settings", "workspace:p1"), yes("user:rita", "revoke", "delegation:p1/d6")},
			Delegations: []DelegationList{{Workspace: "p1", State: "scheduled", Want: []string{"d6:alex>rita:accountant:scheduled"}}}},
		// A delegate may give one back before it starts.
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d8","from":"alex","to":"priya","starts_at":"{{end}}","expires_at":"{{later}}"}`,
			Actor: "user:alex"},
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"d8"}`, Actor: "user:priya",
			Delegations: []DelegationList{{Workspace: "p1", State: "revoked", Want: []string{"d8:alex>priya:accountant:revoked"}}}},
		{PastEnd: true,
			Checks:      []Check{yes("user:rita", "manage_tax_settings", "workspace:p1"), no("user:priya", "manage_tax_settings", "workspace:p1")},
			Delegations: []DelegationList{{Workspace: "p1", State: "active", Want: []string{"d6:alex>rita:accountant:active"}}}},
		// Sent again after it started, it changes nothing.
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d6","from":"alex","to":"rita","starts_at":"{{end}}","expires_at":"{{later}}"}`,
			Actor: "user:alex", NoChange: true},
	}},
	{Name: "a_role_that_becomes_guarded_is_lent_no_more_unless_the_owner_lent_it", Steps: []Step{
		{Events: `{"type":"role.defined","workspace":"p1","role":"acting","inherits":"practice_manager"}
{"type":"role.assigned","workspace":"p1","user":"alex","role":"acting"}`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"x1","from":"alex","to":"rita","roles":["acting"],"expires_at":"{{later}}"}`,
			Actor: "user:alex", Checks: []Check{yes("user:rita", "manage_staff", "workspace:p1"), no("user:rita", "view_notes", "client:ann")}},
		// The role now inherits the guarded practitioner admin: only the
		// owner lends it, so alex's lending of it ends.
		{Events: `{"type":"role.defined","workspace":"p1","role":"acting","inherits":"practitioner_admin"}`,
			Checks:      []Check{no("user:rita", "view_notes", "client:ann"), no("user:rita", "manage_staff", "workspace:p1"), yes("user:alex", "view_notes", "client:ann")},
			Delegations: []DelegationList{{Workspace: "p1", Want: []string{"x1:alex>rita::ended"}}}},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"x2","from":"alex","to":"rita","roles":["acting"],"expires_at":"{{later}}"}`,
			Actor: "user:alex", Refused: `role "acting" is guarded`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"x2","from":"alex","to":"rita","roles":["acting"],"expires_at":"{{later}}"}`,
			Actor: "user:olivia", Checks: []Check{yes("user:rita", "view_notes", "client:ann")}},
	}},
	{Name: "a_lent_holding_that_ends_by_itself_ends_the_lending", Steps: []Step{
		{Events: `{"type":"role.assigned","workspace":"p1","user":"pete","role":"accountant","expires_at":"{{end}}"}`},
		{Events: `{"type":"delegation.granted","workspace":"p1","delegation":"d9","from":"pete","to":"sam","roles":["accountant"],"expires_at":"{{later}}"}`,
			Actor: "user:pete", Checks: []Check{yes("user:sam", "manage_tax_settings", "workspace:p1")}},
		// Listed ended as soon as pete's holding ran out, with no event to say so.
		{PastEnd: true, Checks: []Check{no("user:sam", "manage_tax_settings", "workspace:p1")},
			Delegations: []DelegationList{{Workspace: "p1", User: "sam", Want: []string{"d9:pete>sam::ended"}}, {Workspace: "p1", State: "active"}}},
		{Events: `{"type":"delegation.revoked","workspace":"p1","delegation":"d9"}`,
			Actor: "user:pete", Refused: `delegation "d9" ended already at {{end}} (pete's own holding of accountant ran out)`},
		// Given the role again, pete lends it no more: it ended with his holding.
		{Events: `{"type":"role.assigned","workspace":"p1","user":"pete","role":"accountant"}`,
			Checks:      []Check{no("user:sam", "manage_tax_settings", "workspace:p1"), yes("user:pete", "manage_tax_settings", "workspace:p1")},
			Delegations: []DelegationList{{Workspace: "p1", User: "sam", Want: []string{"d9:pete>sam::ended"}}}},
	}},
}

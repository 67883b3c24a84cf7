package scenarios

import "github.com/wardhq/ward/internal/domain"

// conditions: "Time-based permissions - access only during business hours",
// "IP restriction per role" (seed 004). A role's business hours and networks
// hold for all its holders, a holding's for that holding, both at once where
// both have them; SpiceDB decides them at each check, with the moment Ward
// gives and the ip the check gives, so no write happens when hours open or
// close. The hours tokens are relative to the moment each step runs
// (HoursToken), in two time zones.
var conditions = []Scenario{
	{Name: "business_hours_of_a_role_open_and_close_its_access", Steps: []Step{
		{Events: `{"type":"role.defined","workspace":"p1","role":"desk","grants":{"clients":{"view":"all"},"invoices":{"approve":{"level":"all","amount_below":500}}},"hours":{{hours-now:Australia/Sydney}}}
{"type":"staff.added","workspace":"p1","user":"dina","role":"desk"}`,
			Checks: []Check{
				yes("user:dina", "view", "client:ann"), yes("user:dina", "view", "client:cat"),
				yes("user:dina", "approve_charge", "invoice:in-ann").at("100"), no("user:dina", "approve_charge", "invoice:in-ann").at("900"),
				no("user:dina", "approve_charge", "invoice:in-ann").conditionally(),
			},
			Lookups: []Lookup{
				{Subject: "user:dina", Permission: "view", ResourceType: "client", Want: []string{"client:ann", "client:ben", "client:cat"}},
				{Subject: "user:dina", Permission: "approve_charge", ResourceType: "invoice", Want: nil, Conditional: map[string][]string{"invoice:in-ann": {"amount"}}},
			}},
		// Closed: the role's hours begin later today, in another zone.
		{Events: `{"type":"role.updated","workspace":"p1","role":"desk","hours":{{hours-later:America/New_York}}}`,
			Checks: []Check{
				no("user:dina", "view", "client:ann"), no("user:dina", "approve_charge", "invoice:in-ann").at("100"),
				yes("user:rita", "view", "client:ann"), // other roles are as they were
			},
			Lookups: []Lookup{{Subject: "user:dina", Permission: "view", ResourceType: "client", Want: nil}}},
		// null removes them; the grants stay as they were.
		{Events: `{"type":"role.updated","workspace":"p1","role":"desk","hours":null}`,
			Checks: []Check{yes("user:dina", "view", "client:ann"), yes("user:dina", "approve_charge", "invoice:in-ann").at("100")}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"desk","hours":null}`, NoChange: true},
		// One holding's own hours: closed for hana, whatever the role's.
		{Events: `{"type":"staff.added","workspace":"p1","user":"hana","role":"desk","hours":{{hours-later:Australia/Sydney}}}`,
			Checks: []Check{no("user:hana", "view", "client:ann"), yes("user:dina", "view", "client:ann")}},
		// Given again without hours, the holding has none.
		{Events: `{"type":"role.assigned","workspace":"p1","user":"hana","role":"desk"}`,
			Checks: []Check{yes("user:hana", "view", "client:ann")}},
	}},
	{Name: "networks_of_a_holding_and_of_its_role_both_hold", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"nico","role":"receptionist","networks":["10.0.0.0/8","2001:db8::/32"]}`,
			Checks: []Check{
				yes("user:nico", "view", "client:ann").from("10.1.2.3"), yes("user:nico", "view", "client:ann").from("2001:db8::7"),
				no("user:nico", "view", "client:ann").from("192.168.1.9"),
				no("user:nico", "view", "client:ann").conditionally("ip"),
				yes("user:rita", "view", "client:ann"), yes("user:rita", "view", "client:ann").from("192.168.1.9"),
			},
			// Lookups list what is allowed outright with the context they give.
			Lookups: []Lookup{
				{Subject: "user:nico", Permission: "view", ResourceType: "client", IP: "10.1.2.3", Want: []string{"client:ann", "client:ben", "client:cat"}, Conditional: map[string][]string{}},
				{Subject: "user:nico", Permission: "view", ResourceType: "client", IP: "192.168.1.9", Want: nil, Conditional: map[string][]string{}},
				// and, asked to, what would be allowed with more context, naming it.
				{Subject: "user:nico", Permission: "view", ResourceType: "client", Want: nil,
					Conditional: map[string][]string{"client:ann": {"ip"}, "client:ben": {"ip"}, "client:cat": {"ip"}}},
				{Resource: "client:ann", Permission: "view", IP: "192.168.1.9", Want: []string{"user:alex", "user:maya", "user:olivia", "user:priya", "user:rita"}, Conditional: map[string][]string{}},
				{Resource: "client:ann", Permission: "view", Want: []string{"user:alex", "user:maya", "user:olivia", "user:priya", "user:rita"},
					Conditional: map[string][]string{"user:nico": {"ip"}}},
			},
			// Field groups take the same context, and say when it was needed.
			Fields: []Fields{
				{Subject: "user:nico", Resource: "client:ann", IP: "10.1.2.3", Want: map[string]domain.FieldAccess{"identifiers": {}, "insurance": {View: true, Edit: true}}},
				{Subject: "user:nico", Resource: "client:ann", Want: map[string]domain.FieldAccess{"identifiers": {}, "insurance": {Missing: []string{"ip"}}}},
				{Subject: "user:rita", Resource: "client:ann", Want: map[string]domain.FieldAccess{"identifiers": {}, "insurance": {View: true, Edit: true}}},
			},
			Explanations: []Explanation{
				{yes("user:nico", "view", "client:ann").from("10.1.2.3"), "nico holds role receptionist workspace-wide on network 10.0.0.0/8 or 2001:db8::/32, which has clients view: full, and its conditions held"},
				{no("user:nico", "view", "client:ann").from("192.168.1.9"), "nico holds role receptionist workspace-wide on network 10.0.0.0/8 or 2001:db8::/32, which has clients view: full, and its conditions did not hold"},
				{no("user:nico", "view", "client:ann"), "nico holds role receptionist workspace-wide on network 10.0.0.0/8 or 2001:db8::/32, which has clients view: full, and its conditions need ip (context.ip), which the question does not give: it is conditional"},
			}},
		// The role's networks too: every receptionist, and nico only where both hold.
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","networks":["192.168.0.0/16","10.9.0.0/16"]}`,
			Checks: []Check{
				yes("user:rita", "view", "client:ann").from("192.168.1.9"), no("user:rita", "view", "client:ann").from("172.16.0.1"),
				no("user:rita", "view", "client:ann").conditionally("ip"),
				no("user:nico", "view", "client:ann").from("10.1.2.3"), yes("user:nico", "view", "client:ann").from("10.9.2.3"),
				no("user:nico", "view", "client:ann").from("192.168.1.9"),
			}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","networks":null}`,
			Checks: []Check{yes("user:rita", "view", "client:ann"), yes("user:nico", "view", "client:ann").from("10.1.2.3"), no("user:nico", "view", "client:ann").from("10.9.2.3").from("172.16.0.1")}},
		// A second holding without networks gives its access anywhere.
		{Events: `{"type":"role.assigned","workspace":"p1","user":"nico","role":"practice_manager"}`,
			Checks: []Check{yes("user:nico", "view", "client:ann").from("172.16.0.1"), yes("user:nico", "view", "client:ann")},
			// The verdict says nothing of the networks then, and explain claims nothing of them.
			Explanations: []Explanation{{yes("user:nico", "view", "client:ann").from("172.16.0.1"),
				"nico holds role receptionist workspace-wide on network 10.0.0.0/8 or 2001:db8::/32, which has clients view: full, under conditions this answer does not need: another reason gives access"}}},
	}},
}

package scenarios

// endings are stories of access that must end: at a holding's end, with no
// write at that moment, by every path that holding gave.
var endings = []Scenario{
	// Every path a holding gives ends with it: written-out access, a calendar,
	// managing the role's holders, a template's chosen role, being office
	// staff whose permissions others change, and one's own permissions.
	{Name: "every_path_a_holding_gives_ends_with_it", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"rx2","role":"receptionist","expires_at":"{{end}}"}
{"type":"staff.added","workspace":"p1","user":"px","role":"practitioner","expires_at":"{{end}}"}
{"type":"workspace.created","workspace":"k7","owner":"k7o","preset":"cliniko"}
{"type":"role.defined","workspace":"k7","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"k7","user":"k7f","role":"front","expires_at":"{{end}}"}
{"type":"client.created","workspace":"k7","client":"k7c"}
{"type":"form.completed","workspace":"k7","form":"k7form","client":"k7c","template":"k7t"}
{"type":"form_template.restricted","workspace":"k7","template":"k7t","value":"on"}
{"type":"form_template.access_granted","workspace":"k7","template":"k7t","role":"front"}
{"type":"workspace.created","workspace":"cs9","owner":"cs9o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs9","user":"cs9a","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"cs9","user":"cs9a","permission":"view_office_staff_profiles","value":"on"}
{"type":"staff_permission.changed","workspace":"cs9","user":"cs9a","permission":"change_office_staff_profiles","value":"on"}
{"type":"staff.added","workspace":"cs9","user":"cs9b","role":"office_staff","expires_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs9","user":"cs9b","permission":"change_own_office_staff_profile","value":"on"}`,
			Checks: []Check{
				yes("user:rx2", "view", "client:ann"), yes("user:rx2", "manage_holders", "role:p1/receptionist"),
				yes("user:px", "has_calendar", "workspace:p1"), yes("user:k7f", "view", "form:k7form"),
				yes("user:cs9a", "change_permissions", "staff_member:cs9/cs9b"), yes("user:cs9b", "view_permissions", "staff_member:cs9/cs9b"),
				// Cliniko's administrator "can do everything": a template chosen for others hides nothing from them
				yes("user:k7o", "view", "form:k7form"),
			},
			Explanations: []Explanation{{Check: yes("user:k7o", "view", "form:k7form"),
				Text: "k7o holds role administrator workspace-wide, whose holders see the completed forms of every template, template k7t's too"}}},
		{PastEnd: true,
			Checks: []Check{
				no("user:rx2", "view", "client:ann"), no("user:rx2", "manage_holders", "role:p1/receptionist"),
				no("user:px", "has_calendar", "workspace:p1"), no("user:k7f", "view", "form:k7form"),
				no("user:cs9a", "change_permissions", "staff_member:cs9/cs9b"), no("user:cs9b", "view_permissions", "staff_member:cs9/cs9b"),
				yes("user:cs9o", "change_permissions", "staff_member:cs9/cs9b"),
			},
			Explanations: []Explanation{{Check: no("user:rx2", "view", "client:ann"), Text: "rx2 holds no role in workspace p1 that counts now"}}},
	}},
	// ClinicSense's switched permissions count only while the person holds
	// office_staff: they end with that holding, and disabling and enabling the
	// person in between does not give them back without an end.
	{Name: "clinicsense_switches_end_with_the_office_staff_holding", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs3","owner":"cs3o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs3","user":"cs3p","role":"practitioner"}
{"type":"client.created","workspace":"cs3","client":"cs3c","practitioner":"cs3p"}
{"type":"invoice.created","workspace":"cs3","invoice":"cs3i","client":"cs3c","practitioner":"cs3p"}
{"type":"staff.added","workspace":"cs3","user":"cs3s","role":"office_staff","expires_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs3","user":"cs3s","permission":"view_client_contact_information","value":"on"}
{"type":"staff_permission.changed","workspace":"cs3","user":"cs3s","permission":"view_invoices","value":"on"}`,
			Checks: []Check{yes("user:cs3s", "view_contact", "client:cs3c"), yes("user:cs3s", "view", "invoice:cs3i"), yes("user:cs3s", "view_all_calendars", "workspace:cs3")}},
		{Events: `{"type":"staff.disabled","workspace":"cs3","user":"cs3s"}
{"type":"staff.enabled","workspace":"cs3","user":"cs3s"}`,
			Checks: []Check{yes("user:cs3s", "view_contact", "client:cs3c"), yes("user:cs3s", "view", "invoice:cs3i")}},
		{PastEnd: true,
			Checks:       []Check{no("user:cs3s", "view_contact", "client:cs3c"), no("user:cs3s", "view", "invoice:cs3i"), no("user:cs3s", "view_all_calendars", "workspace:cs3")},
			Explanations: []Explanation{{Check: no("user:cs3s", "view_contact", "client:cs3c"), Text: "cs3s holds no role in workspace cs3 that counts now"}}},
	}},
	// Office staff held at one location have their switched permissions there
	// only, as any role held at a location.
	{Name: "clinicsense_switches_at_one_location", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs4","owner":"cs4o","preset":"clinicsense"}
{"type":"location.created","workspace":"cs4","location":"cs4-a"}
{"type":"location.created","workspace":"cs4","location":"cs4-b"}
{"type":"staff.added","workspace":"cs4","user":"cs4p","role":"practitioner"}
{"type":"client.created","workspace":"cs4","client":"cs4ca","location":"cs4-a","practitioner":"cs4p"}
{"type":"client.created","workspace":"cs4","client":"cs4cb","location":"cs4-b","practitioner":"cs4p"}
{"type":"staff.added","workspace":"cs4","user":"cs4s","role":"office_staff","location":"cs4-a"}
{"type":"staff_permission.changed","workspace":"cs4","user":"cs4s","permission":"view_client_contact_information","value":"on"}`,
			Checks: []Check{yes("user:cs4s", "view_contact", "client:cs4ca"), no("user:cs4s", "view_contact", "client:cs4cb")}},
		{Events: `{"type":"role.assigned","workspace":"cs4","user":"cs4s","role":"office_staff"}`,
			Checks: []Check{yes("user:cs4s", "view_contact", "client:cs4cb")}},
		{Events: `{"type":"role.revoked","workspace":"cs4","user":"cs4s","role":"office_staff"}`,
			Checks: []Check{yes("user:cs4s", "view_contact", "client:cs4ca"), no("user:cs4s", "view_contact", "client:cs4cb")}},
	}},
	// Per-client notes access counts only while the person holds a role that
	// may ever read treatment notes: it ends with the last such holding.
	{Name: "notes_access_for_one_client_ends_with_the_role_that_allows_it", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"rx","role":"receptionist","expires_at":"{{end}}"}
{"type":"role.assigned","workspace":"p1","user":"rx","role":"accountant"}
{"type":"notes_access.granted","workspace":"p1","user":"rx","client":"ann"}`,
			Checks: []Check{yes("user:rx", "view_notes", "client:ann"), yes("user:rx", "view", "note:n-ann"), yes("user:rx", "view", "invoice:in-ann")}},
		{PastEnd: true,
			Checks: []Check{no("user:rx", "view_notes", "client:ann"), no("user:rx", "view", "note:n-ann"), yes("user:rx", "view", "invoice:in-ann")}},
	}},
}

// Grants given for a time end by themselves: a patient shared with a locum
// until a day, and a person's notes access to one client until a day, count
// until then and give nothing after, with no write at that moment; those given
// without an end stay, and both can be given again after they ended.
var timedGrants = []Scenario{
	{Name: "shares_and_notes_access_given_for_a_time_end_by_themselves", Steps: []Step{
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","expires_at":"{{end}}"}
{"type":"patient.shared","workspace":"p1","client":"cat","user":"pete"}
{"type":"notes_access.granted","workspace":"p1","user":"rita","client":"ben","expires_at":"{{end}}"}`,
			Checks: []Check{
				yes("user:pete", "view", "client:ann"), yes("user:pete", "view_notes", "client:ann"), yes("user:pete", "view", "appointment:ap-ann"),
				yes("user:pete", "view", "client:cat"), yes("user:rita", "view_notes", "client:ben"), yes("user:rita", "view", "note:n-ben"),
				no("user:rita", "view_notes", "client:ann"),
			},
			Lookups: []Lookup{
				{Subject: "user:pete", Permission: "view", ResourceType: "client", Want: []string{"client:ann", "client:ben", "client:cat"}},
				{Subject: "user:rita", Permission: "view_notes", ResourceType: "client", Want: []string{"client:ben"}},
			},
			Explanations: []Explanation{
				{Check: yes("user:pete", "view", "client:ann"), Text: "pete holds role practitioner workspace-wide, which has clients view: own, and client ann is shared with pete until {{end}}"},
				{Check: yes("user:rita", "view_notes", "client:ben"), Text: "rita was given notes access to client ben until {{end}}"},
			}},
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","expires_at":"{{end}}"}`, NoChange: true},
		{PastEnd: true,
			Checks: []Check{
				no("user:pete", "view", "client:ann"), no("user:pete", "view_notes", "client:ann"), no("user:pete", "view", "appointment:ap-ann"),
				yes("user:pete", "view", "client:cat"), no("user:rita", "view_notes", "client:ben"), no("user:rita", "view", "note:n-ben"),
				yes("user:rita", "view", "client:ben"),
			},
			Lookups: []Lookup{
				{Subject: "user:pete", Permission: "view", ResourceType: "client", Want: []string{"client:ben", "client:cat"}},
				{Subject: "user:rita", Permission: "view_notes", ResourceType: "client"},
			}},
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete"}
{"type":"notes_access.granted","workspace":"p1","user":"rita","client":"ben"}`,
			Checks: []Check{yes("user:pete", "view", "client:ann"), yes("user:rita", "view_notes", "client:ben")}},
		{Events: `{"type":"patient.unshared","workspace":"p1","client":"ann","user":"pete"}
{"type":"notes_access.revoked","workspace":"p1","user":"rita","client":"ben"}`,
			Checks: []Check{no("user:pete", "view", "client:ann"), no("user:rita", "view_notes", "client:ben")}},
	}},
	// A form template's choice of a role can end by itself too, at every
	// location, also one created after the choice.
	{Name: "a_template_chooses_a_role_for_a_time", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k11","owner":"k11o","preset":"cliniko"}
{"type":"role.defined","workspace":"k11","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.restricted","workspace":"k11","template":"k11t","value":"on"}
{"type":"form_template.access_granted","workspace":"k11","template":"k11t","role":"front","expires_at":"{{end}}"}
{"type":"location.created","workspace":"k11","location":"k11-west"}
{"type":"staff.added","workspace":"k11","user":"k11a","role":"front"}
{"type":"staff.added","workspace":"k11","user":"k11w","role":"front","location":"k11-west"}
{"type":"client.created","workspace":"k11","client":"k11c","location":"k11-west"}
{"type":"form.completed","workspace":"k11","form":"k11f","client":"k11c","template":"k11t"}`,
			Checks:       []Check{yes("user:k11a", "view", "form:k11f"), yes("user:k11w", "view", "form:k11f")},
			Explanations: []Explanation{{Check: yes("user:k11a", "view", "form:k11f"), Text: "template k11t lets role front workspace-wide see its completed forms until {{end}}"}}},
		{PastEnd: true,
			Checks: []Check{no("user:k11a", "view", "form:k11f"), no("user:k11w", "view", "form:k11f"), yes("user:k11a", "view", "client:k11c")}},
		{Events: `{"type":"form_template.access_granted","workspace":"k11","template":"k11t","role":"front"}`,
			Checks: []Check{yes("user:k11a", "view", "form:k11f"), yes("user:k11w", "view", "form:k11f")}},
	}},
	// A share or notes access that has an end can still be taken back before it.
	{Name: "timed_shares_and_notes_access_can_be_taken_back", Steps: []Step{
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","expires_at":"2099-01-01T00:00:00Z"}
{"type":"notes_access.granted","workspace":"p1","user":"rita","client":"ben","expires_at":"2099-01-01T00:00:00Z"}`,
			Checks: []Check{yes("user:pete", "view", "client:ann"), yes("user:rita", "view_notes", "client:ben")}},
		{Events: `{"type":"patient.unshared","workspace":"p1","client":"ann","user":"pete"}
{"type":"notes_access.revoked","workspace":"p1","user":"rita","client":"ben"}`,
			Checks: []Check{no("user:pete", "view", "client:ann"), no("user:rita", "view_notes", "client:ben")}},
		{Events: `{"type":"workspace.created","workspace":"k12","owner":"k12o","preset":"cliniko"}
{"type":"role.defined","workspace":"k12","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.restricted","workspace":"k12","template":"k12t","value":"on"}
{"type":"form_template.access_granted","workspace":"k12","template":"k12t","role":"front","expires_at":"2099-01-01T00:00:00Z"}
{"type":"staff.added","workspace":"k12","user":"k12a","role":"front"}
{"type":"client.created","workspace":"k12","client":"k12c"}
{"type":"form.completed","workspace":"k12","form":"k12f","client":"k12c","template":"k12t"}`,
			Checks: []Check{yes("user:k12a", "view", "form:k12f")}},
		{Events: `{"type":"form_template.access_revoked","workspace":"k12","template":"k12t","role":"front"}`,
			Checks: []Check{no("user:k12a", "view", "form:k12f")}},
	}},
	// A locum added today for next week: a grant with a start counts from it,
	// with no write at that moment; before it, nothing it gives counts, nor
	// does explain give it as a reason.
	{Name: "grants_that_start_later_count_from_their_start", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"lou","role":"practitioner","starts_at":"{{end}}"}
{"type":"client.created","workspace":"p1","client":"lou-c","location":"north","practitioner":"lou"}
{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","starts_at":"{{end}}","expires_at":"2099-01-01T00:00:00Z"}
{"type":"notes_access.granted","workspace":"p1","user":"rita","client":"ben","starts_at":"{{end}}"}`,
			Checks: []Check{
				no("user:lou", "view", "client:lou-c"), no("user:lou", "view_notes", "client:lou-c"), no("user:pete", "view", "client:ann"),
				no("user:rita", "view_notes", "client:ben"), yes("user:rita", "view", "client:ben"), yes("user:pete", "view", "client:ben"),
			},
			Lookups: []Lookup{
				{Subject: "user:lou", Permission: "view", ResourceType: "client"},
				{Resource: "client:lou-c", Permission: "view_notes", Want: []string{"user:olivia"}},
			},
			Explanations: []Explanation{
				{Check: no("user:lou", "view", "client:lou-c"), Text: "lou holds no role in workspace p1 that counts now"},
				{Check: no("user:lou", "view", "client:lou-c"), Text: "lou holds role practitioner workspace-wide from {{end}}, which does not count now"},
				{Check: no("user:pete", "view", "client:ann"), Text: "client ann is shared with pete from {{end}} until 2099-01-01T00:00:00Z, which does not count now"},
				{Check: no("user:rita", "view_notes", "client:ben"), Text: "rita was given notes access to client ben from {{end}}, which does not count now"},
			}},
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","starts_at":"{{end}}","expires_at":"2099-01-01T00:00:00Z"}
{"type":"staff.added","workspace":"p1","user":"lou","role":"practitioner","starts_at":"{{end}}"}`, NoChange: true},
		{PastEnd: true,
			Checks: []Check{
				yes("user:lou", "view", "client:lou-c"), yes("user:lou", "view_notes", "client:lou-c"), yes("user:pete", "view", "client:ann"),
				yes("user:pete", "view_notes", "client:ann"), yes("user:rita", "view_notes", "client:ben"), yes("user:rita", "view", "note:n-ben"),
			},
			Lookups: []Lookup{
				{Subject: "user:lou", Permission: "view", ResourceType: "client", Want: []string{"client:lou-c"}},
				{Resource: "client:lou-c", Permission: "view_notes", Want: []string{"user:lou", "user:olivia"}},
			},
			Explanations: []Explanation{
				{Check: yes("user:lou", "view", "client:lou-c"), Text: "lou holds role practitioner workspace-wide from {{end}}, which has clients view: own, and lou is client lou-c's practitioner"},
				{Check: yes("user:pete", "view", "client:ann"), Text: "pete holds role practitioner workspace-wide, which has clients view: own, and client ann is shared with pete from {{end}} until 2099-01-01T00:00:00Z"},
				{Check: yes("user:rita", "view_notes", "client:ben"), Text: "rita was given notes access to client ben from {{end}}"},
			}},
	}},
	// Two holdings one after the other give access without a gap, and a
	// template's choice of a role can start later too.
	{Name: "a_holding_that_starts_as_another_ends_leaves_no_gap", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k14","owner":"k14o","preset":"cliniko"}
{"type":"role.defined","workspace":"k14","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"role.defined","workspace":"k14","role":"desk","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"k14","user":"k14a","role":"front","expires_at":"{{end}}"}
{"type":"role.assigned","workspace":"k14","user":"k14a","role":"desk","starts_at":"{{end}}"}
{"type":"staff.added","workspace":"k14","user":"k14b","role":"front"}
{"type":"form_template.restricted","workspace":"k14","template":"k14t","value":"on"}
{"type":"form_template.access_granted","workspace":"k14","template":"k14t","role":"front","starts_at":"{{end}}"}
{"type":"client.created","workspace":"k14","client":"k14c"}
{"type":"form.completed","workspace":"k14","form":"k14f","client":"k14c","template":"k14t"}`,
			Checks: []Check{yes("user:k14a", "view", "client:k14c"), no("user:k14b", "view", "form:k14f")}},
		{PastEnd: true,
			Checks: []Check{yes("user:k14a", "view", "client:k14c"), yes("user:k14b", "view", "form:k14f"), no("user:k14a", "view", "form:k14f")},
			Explanations: []Explanation{
				{Check: yes("user:k14a", "view", "client:k14c"), Text: "k14a holds role desk workspace-wide from {{end}}, which has clients view: full"},
				{Check: yes("user:k14b", "view", "form:k14f"), Text: "template k14t lets role front workspace-wide see its completed forms from {{end}}"},
			}},
	}},
	// Clinic platform: "Access expires after 30 days of inactivity". Staff
	// not seen within the policy's days lose every permission by themselves,
	// with no write at that moment; the owner and Caspen's practitioner admin
	// ("cannot be disabled or locked out") are spared; staff.enabled restores,
	// and turning the policy off lifts it.
	{Name: "staff_not_seen_within_the_inactivity_policy_lose_access", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k15","owner":"k15o","preset":"caspen"}
{"type":"location.created","workspace":"k15","location":"k15-n"}
{"type":"staff.added","workspace":"k15","user":"k15p","role":"practitioner"}
{"type":"staff.added","workspace":"k15","user":"k15a","role":"practitioner_admin"}
{"type":"staff.added","workspace":"k15","user":"k15r","role":"receptionist"}
{"type":"client.created","workspace":"k15","client":"k15c","location":"k15-n","practitioner":"k15p"}
{"type":"note.created","workspace":"k15","note":"k15n","client":"k15c","author":"k15p"}
{"type":"policy.set","workspace":"k15","inactivity_days":1}
{"type":"staff.seen","workspace":"k15","user":"k15p","at":"{{end-1d}}"}
{"type":"staff.seen","workspace":"k15","user":"k15r","at":"{{end-1d}}"}
{"type":"staff.seen","workspace":"k15","user":"k15a","at":"{{end-1d}}"}`,
			Checks: []Check{
				yes("user:k15p", "view", "client:k15c"), yes("user:k15p", "view", "note:k15n"), yes("user:k15r", "view", "client:k15c"),
				yes("user:k15r", "view_all_calendars", "workspace:k15"), yes("user:k15a", "view", "client:k15c"), yes("user:k15o", "view", "client:k15c"),
			}},
		{PastEnd: true,
			Checks: []Check{
				no("user:k15p", "view", "client:k15c"), no("user:k15p", "view", "note:k15n"), no("user:k15r", "view", "client:k15c"),
				no("user:k15r", "view_all_calendars", "workspace:k15"), yes("user:k15a", "view", "client:k15c"), yes("user:k15o", "view", "client:k15c"),
			},
			Lookups: []Lookup{{Resource: "client:k15c", Permission: "view", Want: []string{"user:k15a", "user:k15o"}}},
			Explanations: []Explanation{{Check: no("user:k15p", "view", "client:k15c"),
				Text: "k15p was not seen within 1 day in workspace k15: under its inactivity policy they lose every permission until staff.enabled"}}},
		{Events: `{"type":"staff.enabled","workspace":"k15","user":"k15p"}`,
			Checks: []Check{yes("user:k15p", "view", "client:k15c"), yes("user:k15p", "view", "note:k15n"), no("user:k15r", "view", "client:k15c")}},
		{Events: `{"type":"policy.set","workspace":"k15","inactivity_days":0}`,
			Checks: []Check{yes("user:k15p", "view", "client:k15c"), yes("user:k15r", "view", "client:k15c"), yes("user:k15r", "view_all_calendars", "workspace:k15")}},
	}},
	// A role's notes access given for a time: every holder reads notes until
	// its end, or from its start, and the role's own level counts again
	// outside it, with no write at either moment.
	{Name: "a_roles_notes_access_given_for_a_time_starts_and_ends_by_itself", Steps: []Step{
		{Events: `{"type":"notes_access.granted","workspace":"p1","role":"receptionist","expires_at":"{{end}}"}
{"type":"role.defined","workspace":"p1","role":"locum_desk","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"p1","user":"ld","role":"locum_desk"}
{"type":"notes_access.granted","workspace":"p1","role":"locum_desk","starts_at":"{{end}}"}`,
			Checks: []Check{
				yes("user:rita", "view_notes", "client:ann"), yes("user:rita", "view", "note:n-ann"),
				no("user:ld", "view_notes", "client:ann"), yes("user:ld", "view", "client:ann"),
				no("user:alex", "view_notes", "client:ann"),
			},
			Explanations: []Explanation{
				{Check: yes("user:rita", "view_notes", "client:ann"), Text: "rita holds role receptionist workspace-wide, which has notes view: full until {{end}}"},
				{Check: no("user:ld", "view_notes", "client:ann"), Text: "ld holds role locum_desk workspace-wide, which has notes view: full from {{end}}, which does not count now"},
			}},
		{Events: `{"type":"notes_access.granted","workspace":"p1","role":"receptionist","expires_at":"{{end}}"}
{"type":"notes_access.granted","workspace":"p1","role":"locum_desk","starts_at":"{{end}}"}`, NoChange: true},
		{PastEnd: true,
			Checks: []Check{
				no("user:rita", "view_notes", "client:ann"), no("user:rita", "view", "note:n-ann"), yes("user:rita", "view", "client:ann"),
				yes("user:ld", "view_notes", "client:ann"), yes("user:ld", "view", "note:n-ann"),
			}},
		{Events: `{"type":"notes_access.revoked","workspace":"p1","role":"locum_desk"}`,
			Checks: []Check{no("user:ld", "view_notes", "client:ann"), yes("user:ld", "view", "client:ann")}},
	}},
	// ClinicSense: a permission switched on for a time (staff_permission.changed
	// with starts_at or expires_at) starts and ends by itself, and one that
	// depends on it is in effect only while both are on.
	{Name: "clinicsense_a_permission_switched_on_for_a_time_starts_and_ends_by_itself", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs10","owner":"cs10a","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs10","user":"cs10p","role":"practitioner"}
{"type":"staff.added","workspace":"cs10","user":"cs10o","role":"office_staff"}
{"type":"client.created","workspace":"cs10","client":"cs10c","practitioner":"cs10p"}
{"type":"invoice.created","workspace":"cs10","invoice":"cs10i","client":"cs10c","practitioner":"cs10p"}
{"type":"appointment.booked","workspace":"cs10","appointment":"cs10ap","client":"cs10c","practitioner":"cs10p"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"add_edit_appointments","value":"on"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"add_edit_appointments_in_the_past","value":"on","expires_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"view_invoices","value":"on"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"edit_invoices","value":"on","expires_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"add_edit_payments","value":"on","starts_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"view_client_treatment_notes","value":"on","expires_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"edit_client_treatment_notes","value":"on"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"view_client_contact_information","value":"on","starts_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"export_client_list","value":"on"}`,
			Checks: []Check{
				yes("user:cs10o", "view", "invoice:cs10i"), yes("user:cs10o", "edit", "invoice:cs10i"), no("user:cs10o", "manage_payments", "invoice:cs10i"),
				yes("user:cs10o", "view_notes", "client:cs10c"), yes("user:cs10o", "write_notes", "client:cs10c"),
				no("user:cs10o", "view_contact", "client:cs10c"), no("user:cs10o", "export", "client:cs10c"),
				yes("user:cs10o", "edit", "appointment:cs10ap"), yes("user:cs10o", "edit_past", "appointment:cs10ap"),
			},
			Explanations: []Explanation{
				{Check: yes("user:cs10o", "edit_past", "appointment:cs10ap"), Text: "cs10o holds their individually switched permissions, which may change past appointments"},
				{Check: yes("user:cs10o", "edit", "invoice:cs10i"), Text: "cs10o holds their individually switched permissions, which has invoices edit: full until {{end}}"},
				{Check: no("user:cs10o", "view_contact", "client:cs10c"), Text: "cs10o holds their individually switched permissions, which has clients view: full from {{end}}, which does not count now"},
			}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"edit_invoices","value":"on","expires_at":"{{end}}"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"view_client_contact_information","value":"on","starts_at":"{{end}}"}`, NoChange: true},
		{PastEnd: true,
			Checks: []Check{
				yes("user:cs10o", "view", "invoice:cs10i"), no("user:cs10o", "edit", "invoice:cs10i"), yes("user:cs10o", "manage_payments", "invoice:cs10i"),
				no("user:cs10o", "view_notes", "client:cs10c"), no("user:cs10o", "write_notes", "client:cs10c"),
				yes("user:cs10o", "view_contact", "client:cs10c"), yes("user:cs10o", "export", "client:cs10c"),
				yes("user:cs10o", "edit", "appointment:cs10ap"), no("user:cs10o", "edit_past", "appointment:cs10ap"),
			},
			Explanations: []Explanation{
				{Check: no("user:cs10o", "edit_past", "appointment:cs10ap"), Text: "cs10o may not add or change appointments in the past"},
			}},
		// Switched on again without a time, it is on for good; off, it is off.
		{Events: `{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"edit_invoices","value":"on"}
{"type":"staff_permission.changed","workspace":"cs10","user":"cs10o","permission":"view_client_contact_information","value":"off"}`,
			Checks: []Check{yes("user:cs10o", "edit", "invoice:cs10i"), no("user:cs10o", "view_contact", "client:cs10c"), no("user:cs10o", "export", "client:cs10c")}},
	}},
	// A share's end can be moved, or taken away, by sharing again.
	{Name: "sharing_again_moves_or_removes_the_end", Steps: []Step{
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete","expires_at":"{{end}}"}
{"type":"notes_access.granted","workspace":"p1","user":"rita","client":"ben","expires_at":"{{end}}"}`,
			Checks: []Check{yes("user:pete", "view", "client:ann"), yes("user:rita", "view_notes", "client:ben")}},
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete"}
{"type":"notes_access.granted","workspace":"p1","user":"rita","client":"ben","expires_at":"2099-01-01T00:00:00Z"}`,
			Explanations: []Explanation{{Check: yes("user:rita", "view_notes", "client:ben"), Text: "rita was given notes access to client ben until 2099-01-01T00:00:00Z"}}},
		{PastEnd: true,
			Checks: []Check{yes("user:pete", "view", "client:ann"), yes("user:pete", "view_notes", "client:ann"), yes("user:rita", "view_notes", "client:ben")}},
	}},
}

// sealed are stories of what a role can never have, whatever path would give it.
var sealed = []Scenario{
	// Cliniko: a scheduler "will never be able to see ... treatment notes or
	// completed patient forms"; a bookkeeper "cannot directly view any
	// completed patient forms". A template's chosen roles count only while the
	// template is restricted.
	{Name: "cliniko_form_templates_choose_only_while_restricted", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k3","owner":"k3o","preset":"cliniko"}
{"type":"staff.added","workspace":"k3","user":"k3p","role":"practitioner"}
{"type":"staff.added","workspace":"k3","user":"k3s","role":"scheduler"}
{"type":"staff.added","workspace":"k3","user":"k3b","role":"bookkeeper"}
{"type":"staff.added","workspace":"k3","user":"k3r","role":"receptionist"}
{"type":"role.defined","workspace":"k3","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"k3","user":"k3f","role":"front"}
{"type":"client.created","workspace":"k3","client":"k3c","practitioner":"k3p"}
{"type":"invoice.created","workspace":"k3","invoice":"k3i","client":"k3c","practitioner":"k3p"}
{"type":"form.completed","workspace":"k3","form":"k3form","client":"k3c","template":"k3t"}
{"type":"form_template.access_granted","workspace":"k3","template":"k3t","role":"front"}`,
			Checks: []Check{
				yes("user:k3r", "view", "form:k3form"), no("user:k3f", "view", "form:k3form"),
				no("user:k3s", "view", "form:k3form"), no("user:k3b", "view", "form:k3form"), no("user:k3b", "view_forms", "client:k3c"),
			},
			Explanations: []Explanation{{Check: no("user:k3f", "view", "form:k3form"), Text: "k3f holds role front workspace-wide, which has forms view: none"}}},
		{Events: `{"type":"form_template.restricted","workspace":"k3","template":"k3t","value":"on"}`,
			Checks: []Check{yes("user:k3f", "view", "form:k3form"), no("user:k3r", "view", "form:k3form"), no("user:k3s", "view", "form:k3form")}},
		{Events: `{"type":"form_template.restricted","workspace":"k3","template":"k3t","value":"off"}`,
			Checks: []Check{no("user:k3f", "view", "form:k3form"), yes("user:k3r", "view", "form:k3form"), no("user:k3b", "view", "form:k3form")}},
	}},
	// A template's chosen role counts at every location, also one created after
	// the role was chosen, as a calendar does.
	{Name: "template_access_reaches_locations_created_later", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k8","owner":"k8o","preset":"cliniko"}
{"type":"location.created","workspace":"k8","location":"k8-east"}
{"type":"role.defined","workspace":"k8","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.restricted","workspace":"k8","template":"k8t","value":"on"}
{"type":"form_template.access_granted","workspace":"k8","template":"k8t","role":"front"}
{"type":"location.created","workspace":"k8","location":"k8-west"}
{"type":"staff.added","workspace":"k8","user":"k8e","role":"front","location":"k8-east"}
{"type":"staff.added","workspace":"k8","user":"k8w","role":"front","location":"k8-west"}
{"type":"client.created","workspace":"k8","client":"k8ce","location":"k8-east"}
{"type":"client.created","workspace":"k8","client":"k8cw","location":"k8-west"}
{"type":"form.completed","workspace":"k8","form":"k8fe","client":"k8ce","template":"k8t"}
{"type":"form.completed","workspace":"k8","form":"k8fw","client":"k8cw","template":"k8t"}`,
			Checks: []Check{
				yes("user:k8e", "view", "form:k8fe"), yes("user:k8w", "view", "form:k8fw"),
			}},
		{Events: `{"type":"form_template.access_revoked","workspace":"k8","template":"k8t","role":"front"}`,
			Checks: []Check{no("user:k8e", "view", "form:k8fe"), no("user:k8w", "view", "form:k8fw")}},
	}},
	// A deleted role's template choices go with it: a role defined later with
	// the same name starts with none.
	{Name: "a_deleted_roles_template_choices_go_with_it", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k10","owner":"k10o","preset":"cliniko"}
{"type":"location.created","workspace":"k10","location":"k10-east"}
{"type":"role.defined","workspace":"k10","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"form_template.restricted","workspace":"k10","template":"k10t","value":"on"}
{"type":"form_template.access_granted","workspace":"k10","template":"k10t","role":"front"}`},
		{Events: `{"type":"role.deleted","workspace":"k10","role":"front"}`},
		{Events: `{"type":"role.defined","workspace":"k10","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"k10","user":"k10a","role":"front"}
{"type":"staff.added","workspace":"k10","user":"k10e","role":"front","location":"k10-east"}
{"type":"client.created","workspace":"k10","client":"k10c","location":"k10-east"}
{"type":"form.completed","workspace":"k10","form":"k10f","client":"k10c","template":"k10t"}`,
			Checks: []Check{no("user:k10a", "view", "form:k10f"), no("user:k10e", "view", "form:k10f"), yes("user:k10a", "view", "client:k10c")}},
	}},
	// "Permanently remove a user ... user account and data removed": nothing of
	// a removed person's reaches whoever is later added with the same ID.
	{Name: "removed_staff_leave_nothing_to_a_reused_id", Steps: []Step{
		{Events: `{"type":"patient.shared","workspace":"p1","client":"ann","user":"pete"}
{"type":"notes_access.granted","workspace":"p1","user":"pete","client":"cat"}
{"type":"invoice.created","workspace":"p1","invoice":"in-ben","client":"ben","practitioner":"pete"}
{"type":"appointment.booked","workspace":"p1","appointment":"ap-ben","client":"ben","practitioner":"pete"}
{"type":"letter.created","workspace":"p1","letter":"l-ben","client":"ben","author":"pete"}`,
			Checks: []Check{yes("user:pete", "view", "client:ben"), yes("user:pete", "view", "client:ann"), yes("user:pete", "view_notes", "client:cat")}},
		{Events: `{"type":"staff.removed","workspace":"p1","user":"pete"}
{"type":"staff.added","workspace":"p1","user":"pete","role":"practitioner"}`,
			Checks: []Check{
				no("user:pete", "view", "client:ben"), no("user:pete", "view", "note:n-ben"), no("user:pete", "view", "client:ann"),
				no("user:pete", "view_notes", "client:cat"), no("user:pete", "view", "invoice:in-ben"), no("user:pete", "view", "appointment:ap-ben"),
				no("user:pete", "view", "letter:l-ben"), no("user:pete", "edit", "note:n-ben"),
				yes("user:olivia", "view", "note:n-ben"), yes("user:olivia", "view", "letter:l-ben"), yes("user:maya", "view", "invoice:in-ben"),
			}},
	}},
	{Name: "removed_office_staff_leave_no_switches_to_a_reused_id", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs5","owner":"cs5o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs5","user":"cs5p","role":"practitioner"}
{"type":"client.created","workspace":"cs5","client":"cs5c","practitioner":"cs5p"}
{"type":"staff.added","workspace":"cs5","user":"cs5s","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"cs5","user":"cs5s","permission":"view_client_contact_information","value":"on"}`,
			Checks: []Check{yes("user:cs5s", "view_contact", "client:cs5c")}},
		{Events: `{"type":"staff.removed","workspace":"cs5","user":"cs5s"}
{"type":"staff.added","workspace":"cs5","user":"cs5s","role":"office_staff"}`,
			Checks: []Check{no("user:cs5s", "view_contact", "client:cs5c")}},
	}},
	// Cliniko: what is "unique only to" administrators is not inherited either.
	{Name: "cliniko_administrators_unique_powers_are_not_inherited", Steps: []Step{{
		Events: `{"type":"workspace.created","workspace":"k5","owner":"k5a","preset":"cliniko"}
{"type":"role.defined","workspace":"k5","role":"deputy","inherits":"administrator"}
{"type":"staff.added","workspace":"k5","user":"k5d","role":"deputy"}`,
		Checks: []Check{
			yes("user:k5a", "manage_staff", "workspace:k5"), yes("user:k5a", "delete_data", "workspace:k5"),
			no("user:k5d", "manage_staff", "workspace:k5"), no("user:k5d", "view_staff", "workspace:k5"), no("user:k5d", "remove_staff", "workspace:k5"),
			no("user:k5d", "export_data", "workspace:k5"), no("user:k5d", "delete_data", "workspace:k5"), no("user:k5d", "manage_subscription", "workspace:k5"),
			yes("user:k5d", "manage_settings", "workspace:k5"), yes("user:k5d", "export_clients", "workspace:k5"),
		},
	}}},
	// ClinicSense: "deactivating any other permission will remove administrator
	// status": the administrator becomes office staff with every other
	// permission on; "Is Practice Administrator" makes them one again.
	{Name: "clinicsense_switching_an_administrators_permission_off", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs6","owner":"cs6o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs6","user":"cs6p","role":"practitioner"}
{"type":"staff.added","workspace":"cs6","user":"cs6a","role":"practice_administrator"}
{"type":"client.created","workspace":"cs6","client":"cs6c","practitioner":"cs6p"}
{"type":"invoice.created","workspace":"cs6","invoice":"cs6i","client":"cs6c","practitioner":"cs6p"}`,
			// "full access to all features and settings" but the super
			// administrator's removal and the subscription: API keys too.
			Checks: []Check{yes("user:cs6a", "view_notes", "client:cs6c"), yes("user:cs6a", "edit", "role:cs6/practitioner"), yes("user:cs6a", "edit", "invoice:cs6i"),
				yes("user:cs6a", "manage_api_keys", "workspace:cs6"), no("user:cs6p", "manage_api_keys", "workspace:cs6")}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs6","user":"cs6a","permission":"view_client_treatment_notes","value":"off"}`,
			Checks: []Check{
				no("user:cs6a", "view_notes", "client:cs6c"), no("user:cs6a", "write_notes", "client:cs6c"),
				yes("user:cs6a", "view_contact", "client:cs6c"), yes("user:cs6a", "edit", "invoice:cs6i"), yes("user:cs6a", "manage_payments", "invoice:cs6i"),
				yes("user:cs6a", "view_revenue_report", "workspace:cs6"), no("user:cs6a", "edit", "role:cs6/office_staff"),
				no("user:cs6a", "edit", "role:cs6/practitioner"), no("user:cs6a", "manage_permissions", "workspace:cs6"),
				no("user:cs6a", "manage_api_keys", "workspace:cs6"),
			}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs6","user":"cs6a","permission":"view_client_treatment_notes","value":"on"}`,
			Checks: []Check{yes("user:cs6a", "view_notes", "client:cs6c"), yes("user:cs6a", "write_notes", "client:cs6c"), no("user:cs6a", "edit", "role:cs6/practitioner")}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs6","user":"cs6a","permission":"is_practice_administrator","value":"on"}`,
			Checks: []Check{yes("user:cs6a", "edit", "role:cs6/practitioner"), yes("user:cs6a", "manage_permissions", "workspace:cs6")}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs6","user":"cs6a","permission":"add_remove_practitioners","value":"off"}`,
			Checks: []Check{no("user:cs6a", "edit", "role:cs6/practitioner"), yes("user:cs6a", "view_notes", "client:cs6c")}},
	}},
	// ClinicSense's dependencies hold for a role's grants as for switches: a
	// role that edits invoices sees them.
	{Name: "clinicsense_role_grants_keep_dependencies", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs7","owner":"cs7o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs7","user":"cs7p","role":"practitioner"}
{"type":"staff.added","workspace":"cs7","user":"cs7s","role":"office_staff"}
{"type":"client.created","workspace":"cs7","client":"cs7c","practitioner":"cs7p"}
{"type":"invoice.created","workspace":"cs7","invoice":"cs7i","client":"cs7c","practitioner":"cs7p"}
{"type":"role.updated","workspace":"cs7","role":"office_staff","grants":{"invoices":{"view":"all","edit":"all"}}}`,
			Checks: []Check{yes("user:cs7s", "view", "invoice:cs7i"), yes("user:cs7s", "edit", "invoice:cs7i")}},
	}},
}

// unmodelled are statements of the guides that had no permission before.
var unmodelled = []Scenario{
	// Cliniko: receptionists "View the communications log for patients";
	// schedulers "Unarchive patients"; practitioners see the treatment note
	// completion report for themselves only; power receptionists see the
	// "payment summary, expenses, and marketing reports".
	{Name: "cliniko_communications_unarchiving_and_reports", Steps: []Step{{
		Events: `{"type":"workspace.created","workspace":"k6","owner":"k6a","preset":"cliniko"}
{"type":"staff.added","workspace":"k6","user":"k6s","role":"scheduler"}
{"type":"staff.added","workspace":"k6","user":"k6r","role":"receptionist"}
{"type":"staff.added","workspace":"k6","user":"k6w","role":"power_receptionist"}
{"type":"staff.added","workspace":"k6","user":"k6p","role":"practitioner"}
{"type":"staff.added","workspace":"k6","user":"k6b","role":"bookkeeper"}
{"type":"client.created","workspace":"k6","client":"k6c","practitioner":"k6p"}`,
		Checks: []Check{
			no("user:k6s", "view_communications", "client:k6c"), yes("user:k6r", "view_communications", "client:k6c"),
			yes("user:k6p", "view_communications", "client:k6c"), no("user:k6b", "view_communications", "client:k6c"),
			yes("user:k6s", "unarchive", "client:k6c"), no("user:k6b", "unarchive", "client:k6c"),
			yes("user:k6p", "view_own_note_completion_report", "workspace:k6"), no("user:k6p", "view_note_completion_report", "workspace:k6"),
			yes("user:k6a", "view_note_completion_report", "workspace:k6"), no("user:k6r", "view_own_note_completion_report", "workspace:k6"),
			yes("user:k6w", "view_expenses_report", "workspace:k6"), yes("user:k6w", "view_marketing_reports", "workspace:k6"),
			no("user:k6r", "view_expenses_report", "workspace:k6"), no("user:k6r", "view_marketing_reports", "workspace:k6"),
			yes("user:k6b", "view_expenses_report", "workspace:k6"), no("user:k6p", "view_marketing_reports", "workspace:k6"),
		},
	}}},
	// ClinicSense: "Change office staff profiles: ... They will also be able to
	// change other office staff permissions"; "Change own office staff
	// profile: ... view their current permissions, but cannot change them".
	{Name: "clinicsense_office_staff_permissions_of_others_and_their_own", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"cs8","owner":"cs8o","preset":"clinicsense"}
{"type":"staff.added","workspace":"cs8","user":"cs8p","role":"practitioner"}
{"type":"staff.added","workspace":"cs8","user":"cs8a","role":"office_staff"}
{"type":"staff.added","workspace":"cs8","user":"cs8b","role":"office_staff"}
{"type":"staff_permission.changed","workspace":"cs8","user":"cs8a","permission":"view_office_staff_profiles","value":"on"}
{"type":"staff_permission.changed","workspace":"cs8","user":"cs8a","permission":"change_office_staff_profiles","value":"on"}`,
			Checks: []Check{
				yes("user:cs8a", "change_permissions", "staff_member:cs8/cs8b"), no("user:cs8a", "change_permissions", "staff_member:cs8/cs8a"),
				no("user:cs8a", "change_permissions", "staff_member:cs8/cs8p"), no("user:cs8a", "change_permissions", "staff_member:cs8/cs8o"),
				no("user:cs8b", "change_permissions", "staff_member:cs8/cs8a"), no("user:cs8b", "view_permissions", "staff_member:cs8/cs8b"),
				yes("user:cs8o", "change_permissions", "staff_member:cs8/cs8a"), no("user:cs8o", "change_permissions", "staff_member:cs8/cs8o"),
				yes("user:cs8o", "view_permissions", "staff_member:cs8/cs8o"), yes("user:cs8a", "view_permissions", "staff_member:cs8/cs8b"),
			},
			Explanations: []Explanation{{Check: no("user:cs8a", "change_permissions", "staff_member:cs8/cs8a"), Text: "nobody changes their own permissions, and staff_member:cs8/cs8a is cs8a"}}},
		{Events: `{"type":"staff_permission.changed","workspace":"cs8","user":"cs8b","permission":"change_own_office_staff_profile","value":"on"}`,
			Checks: []Check{yes("user:cs8b", "view_permissions", "staff_member:cs8/cs8b"), no("user:cs8b", "change_permissions", "staff_member:cs8/cs8b"), no("user:cs8b", "view_permissions", "staff_member:cs8/cs8a")}},
		{Events: `{"type":"role.revoked","workspace":"cs8","user":"cs8b","role":"office_staff"}
{"type":"role.assigned","workspace":"cs8","user":"cs8b","role":"practitioner"}`,
			Checks: []Check{no("user:cs8a", "change_permissions", "staff_member:cs8/cs8b")}},
		{Events: `{"type":"staff.removed","workspace":"cs8","user":"cs8b"}`,
			Checks: []Check{no("user:cs8o", "view_permissions", "staff_member:cs8/cs8b")}},
	}},
	// Caspen: "Archive Locations", with the practice setup.
	{Name: "caspen_archiving_locations", Steps: []Step{{Checks: []Check{
		yes("user:olivia", "archive", "location:north"), yes("user:maya", "archive", "location:north"), yes("user:maya", "archive_locations", "workspace:p1"),
		no("user:rita", "archive", "location:north"), no("user:priya", "archive_locations", "workspace:p1"), no("user:alex", "add_locations", "workspace:p1"),
	}}}},
}

package scenarios

// endings are stories of access that must end: at a holding's end, with no
// write at that moment, by every path that holding gave.
var endings = []Scenario{
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
			Explanations: []Explanation{{Check: no("user:cs3s", "view_contact", "client:cs3c"), Text: "cs3s holds no role in workspace cs3"}}},
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
}

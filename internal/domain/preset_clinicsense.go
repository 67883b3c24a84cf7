package domain

import "slices"

// clinicSense follows ClinicSense's "Understanding Office staff permissions"
// (seed 002): a practice administrator role, practitioners, and office staff
// whose permissions are switched on one by one, many depending on others.
func clinicSense() *Preset {
	const all, own = LevelFull, LevelOwn
	ownerOnly := []string{"subscription"}
	admin := grantSet{}
	for _, a := range Areas {
		if !slices.Contains(ownerOnly, a.Name) {
			admin.add(all, a.Name)
		}
	}
	practitioner := grantSet{}.
		add(own, "clients").add(own, "notes").add(own, "letters").add(own, "forms").add(own, "files").
		add(own, "memos").add(own, "appointments").add(own, "invoices").add(own, "reports").
		add(own, "communications").add(own, "note_completion_report").
		add(own, "office_staff_profiles", ActionView)
	office := grantSet{}.
		add(all, "appointments", ActionView). // "will still have access to view the calendar for any practitioner"
		add(own, "office_staff_profiles", ActionView)
	c := Cap
	sw := func(name string, caps []Capability, deps ...string) Switch {
		return Switch{Name: name, Caps: caps, DependsOn: deps}
	}
	caps := func(cs ...Capability) []Capability { return cs }
	return &Preset{
		Name:                "clinicsense",
		OwnerRole:           "practice_administrator",
		OwnerHoldsOwnerRole: true,
		OwnerOnly:           ownerOnly, // the super administrator's subscription and payment information
		SwitchRole:          "office_staff",
		AdminRole:           "practice_administrator",
		// "Is Practice Administrator", and the switches that are only an
		// indicator of what administrators do: switching one off for an
		// administrator removes administrator status, as any other.
		AdminSwitches: []string{"is_practice_administrator", "add_remove_practitioners", "add_remove_office_staff"},
		Roles: []Role{
			{Name: "practice_administrator", Overrides: admin},
			{Name: "practitioner", Overrides: practitioner, Calendar: true},
			{Name: "office_staff", Overrides: office},
		},
		Switches: []Switch{
			sw("view_practitioners", caps(c("practitioner_profiles", ActionView))),
			sw("change_practitioners", caps(c("practitioner_profiles", ActionEdit)), "view_practitioners"),
			{Name: "change_own_office_staff_profile", Caps: caps(c("office_staff_profiles", ActionEdit)), Own: true},
			sw("view_office_staff_profiles", caps(c("office_staff_profiles", ActionView))),
			// "able to change other office staff permissions": each other
			// office staff member's switches (staff_member#change_permissions),
			// never the office_staff role's, whose change would reach their own.
			sw("change_office_staff_profiles", caps(c("office_staff_profiles", ActionEdit)), "view_office_staff_profiles"),
			// "adding, cancelling, or rescheduling": cancelling is edit; deleting
			// an appointment from the record is the administrator's.
			sw("add_edit_appointments", caps(c("appointments", ActionCreate), c("appointments", ActionEdit))),
			sw("add_edit_appointments_in_the_past", caps(c("past_appointments", ActionEdit)), "add_edit_appointments"),
			// Insurance goes with contact details (the guide is silent on it;
			// docs/model.md); government identifiers are the administrator's
			// and practitioners' alone.
			sw("view_client_contact_information", caps(c("clients", ActionView), c("clients", "view_insurance"))),
			sw("edit_client_contact_information", caps(c("clients", ActionEdit), c("clients", "edit_insurance")), "view_client_contact_information"),
			sw("view_client_treatment_notes", caps(c("notes", ActionView))),
			sw("edit_client_treatment_notes", caps(c("notes", ActionCreate), c("notes", ActionEdit)), "view_client_treatment_notes"),
			sw("view_client_forms", caps(c("forms", ActionView))),
			sw("edit_client_forms", caps(c("forms", ActionCreate), c("forms", ActionEdit)), "view_client_forms"),
			sw("view_client_memos", caps(c("memos", ActionView))),
			sw("edit_client_memos", caps(c("memos", ActionCreate), c("memos", ActionEdit)), "view_client_memos"),
			sw("view_client_uploads", caps(c("files", ActionView))),
			sw("add_remove_client_uploads", caps(c("files", ActionCreate), c("files", ActionEdit), c("files", ActionDelete)), "view_client_uploads"),
			sw("remove_clients", caps(c("clients", ActionDelete)), "view_client_contact_information"),
			sw("export_client_list", caps(c("clients", ActionExport)), "view_client_contact_information"),
			sw("view_invoices", caps(c("invoices", ActionView))),
			sw("edit_invoices", caps(c("invoices", ActionEdit)), "view_invoices"),
			// "add or refund payments to invoices": a refund is asked for and
			// paid out by who takes payments; approving it stays apart.
			sw("add_edit_payments", caps(c("invoices", ActionCreate), c(AreaRefunds, ActionRequest), c(AreaRefunds, ActionProcess)), "view_invoices"),
			sw("view_email_newsletters", caps(c("newsletters", ActionView))),
			sw("send_email_newsletters", caps(c("newsletters", ActionCreate)), "view_email_newsletters"),
			sw("edit_birthday_emails", caps(c("birthday_campaign", ActionEdit)), "view_promo_codes"),
			sw("edit_wellness_checkins", caps(c("winback_campaign", ActionEdit)), "view_promo_codes"),
			sw("edit_availability_summary", caps(c("availability_campaign", ActionEdit))),
			sw("edit_client_referrals", caps(c("referral_campaign", ActionEdit))),
			sw("edit_google_reviews", caps(c("google_reviews_campaign", ActionEdit))),
			sw("view_gift_certificates", caps(c("gift_certificates", ActionView))),
			sw("sell_gift_certificates", caps(c("gift_certificates", ActionCreate)), "view_gift_certificates"),
			sw("view_packages", caps(c("packages", ActionView), c("packages", ActionDelete))),
			sw("sell_packages", caps(c("packages", ActionCreate)), "view_packages"),
			sw("view_promo_codes", caps(c("promo_codes", ActionView))),
			sw("add_delete_promo_codes", caps(c("promo_codes", ActionCreate), c("promo_codes", ActionEdit), c("promo_codes", ActionDelete)), "view_promo_codes"),
			sw("edit_practice_location", caps(c("location_settings", ActionEdit))),
			// Nobody changes what they cannot see: who edits, adds or removes
			// services sees them.
			sw("edit_services", caps(c("services", ActionView), c("services", ActionEdit))),
			sw("add_remove_services", caps(c("services", ActionView), c("services", ActionCreate), c("services", ActionDelete))),
			sw("edit_settings", caps(c("settings", ActionEdit))),
			sw("view_revenue_report", caps(c("revenue_report", ActionView))),
			sw("view_sales_tax_report", caps(c("sales_tax_report", ActionView))),
			sw("view_appointment_report", caps(c("appointment_report", ActionView))),
			sw("view_payments_report", caps(c("payments_report", ActionView))),
			sw("view_receivables_report", caps(c("receivables_report", ActionView))),
			sw("view_winback_report", caps(c("winback_report", ActionView))),
			sw("view_reminder_report", caps(c("reminder_report", ActionView))),
		},
	}
}

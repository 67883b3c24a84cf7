package domain

import "slices"

// cliniko follows Cliniko's "User security roles" (seed 003): six roles, each
// including what the guide says it includes of the role below it.
func cliniko() *Preset {
	// Cliniko's patients are not a practitioner's own: what the guide calls
	// "their own" notes, letters and files are those they wrote or uploaded.
	const all, own, written = LevelFull, LevelOwn, LevelWritten
	scheduler := grantSet{}.
		add(all, "appointments").                                                                     // book, view, modify, cancel, archive
		add(all, "clients", ActionView, ActionCreate, ActionEdit).                                    // basic details; create and modify patients
		add(all, "contacts", ActionView).                                                             //
		add(all, "sms").                                                                              // SMS messages to patients
		add(all, "reports", ActionView).                                                              // schedule, missed appointments, recalls
		add(own, "office_staff_profiles", ActionView, ActionEdit).                                    // "View and modify their own user details"
		add(all, "messages", ActionView, ActionCreate).add(own, "messages", ActionEdit, ActionDelete) // see all messages and comments; post, modify, archive their own
	receptionist := scheduler.then().
		add(all, "invoices", ActionView, ActionCreate).             // create and view invoices and payments
		add(all, "products", ActionView, ActionCreate, ActionEdit). // including stock levels
		add(all, "expenses", ActionCreate).add(own, "expenses", ActionView).
		add(all, "letters", ActionCreate).add(written, "letters", ActionView, ActionEdit). // their own letters
		add(all, "files", ActionCreate).                                                   // upload and list, not open
		add(all, "contacts", ActionCreate, ActionEdit).
		add(all, "forms", ActionView).            // completed patient forms
		add(all, "communications", ActionView).   // "View the communications log for patients"
		add(all, "financial_reports", ActionView) // payment reports
	power := receptionist.then().
		add(all, "clients", ActionDelete).
		add(all, "files", ActionEdit, ActionDelete).
		add(all, "invoices", ActionEdit, ActionDelete).
		add(all, "products", ActionDelete).
		add(all, "contacts", ActionDelete).
		add(all, "messages", ActionEdit, ActionDelete). // "Modify and archive any messages on the dashboard"
		add(all, "expenses", ActionView, ActionEdit, ActionDelete).
		add(all, "settings").add(all, "sms_settings").add(all, "tax_settings").
		add(all, "integrations").add(all, "templates").add(all, "catalog").add(all, "locations").
		add(all, "expenses_report").add(all, "marketing_reports") // "payment summary, expenses, and marketing reports"
	practitioner := receptionist.then().
		add(all, "medical_alerts").
		add(all, "notes", ActionView, ActionCreate).
		add(written, "notes", ActionEdit). // "modify only their own treatment notes, if they are still in draft mode"
		add(all, "letters", ActionView, ActionEdit).
		add(all, "files", ActionView).add(written, "files", ActionEdit, ActionDelete). // "that only they have uploaded"
		add(all, "expenses", ActionView).
		add(own, "financial_reports", ActionView). // their own revenue only
		add(all, "practice_financial_reports").    // uninvoiced appointments, daily payments, patients by total invoiced
		add(own, "note_completion_report")         // "cannot generate treatment note reports for anyone other than themselves"
	bookkeeper := grantSet{}.
		add(all, "expenses").add(all, "invoices").add(all, "products").
		add(all, "catalog").add(all, "tax_settings"). // billable items, payment types, taxes
		add(all, "financial_reports").add(all, "expenses_report").
		add(own, "office_staff_profiles", ActionView, ActionEdit).                                    // "View and modify their own user details"
		add(all, "messages", ActionView, ActionCreate).add(own, "messages", ActionEdit, ActionDelete) // as the scheduler's
	// The guide is silent on API keys: they stay the account owner's, as
	// Caspen's guide has them.
	ownerOnly := []string{"api_keys"}
	administrator := grantSet{}
	for _, a := range Areas {
		if !slices.Contains(ownerOnly, a.Name) {
			administrator.add(all, a.Name)
		}
	}
	// Administrators view treatment notes; only practitioners write them.
	administrator.add(LevelNone, "notes", ActionCreate, ActionEdit, ActionDelete)
	// Every financial detail: invoices and payments, refunds, expenses,
	// products, and every report of money.
	money := []string{"invoices", AreaRefunds, "expenses", "products", "financial_reports", "practice_financial_reports",
		"expenses_report", "revenue_report", "sales_tax_report", "payments_report", "receivables_report"}
	financial := grantSet{}
	for _, area := range money {
		financial.add(LevelNone, area)
	}
	// "a couple very notable ones that are unique only to them: Add and modify
	// other users. Export all data. Delete data. Change the subscription ...
	// (they are the only role that can do this)." Adjusting permissions is
	// theirs too: the power receptionist manages "everything in the settings
	// area except for adjusting permissions".
	unique := map[Capability]string{}
	for _, area := range []string{"staff", "data", "subscription", "permissions"} {
		a, _ := AreaByName(area)
		for _, c := range a.Capabilities() {
			unique[c] = "administrator"
		}
	}
	return &Preset{
		Name:                "cliniko",
		OwnerRole:           "administrator",
		OwnerHoldsOwnerRole: true,
		OwnerOnly:           ownerOnly,
		Reserved:            unique,
		// "Account-wide restrictions" in General settings: restrictions can be enabled.
		Settings: map[string]Setting{
			"practitioners_see_own_notes_only": {Role: "practitioner", About: "practitioners view only the treatment notes they have written",
				Limits: grantSet{}.add(written, "notes", ActionView, ActionEdit, ActionDelete)},
			"practitioners_see_own_letters_only": {Role: "practitioner", About: "practitioners see and change only the letters they have authored",
				Limits: grantSet{}.add(written, "letters", ActionView, ActionEdit, ActionDelete)},
			"practitioners_cannot_see_financials": {Role: "practitioner", About: "practitioners cannot see any financial details (invoices, payments, refunds, expenses, products, financial reports and every report of money)",
				Limits: financial},
		},
		// What the guide says a role never does stays fixed whatever role.updated
		// asks: only practitioners write notes (administrators only view them),
		// only administrators change the subscription, and a scheduler never
		// sees financials, treatment notes or completed forms.
		Roles: []Role{
			// "never be able to see any of your financials or confidential patient
			// details, such as treatment notes or completed patient forms"
			{Name: "scheduler", Overrides: scheduler, FixedAreas: slices.Concat([]string{"notes", "letters", "files", "forms", "medical_alerts", "memos", "subscription"}, money)},
			// a patient's medical information is a practitioner's ("can't see a
			// patient's medical information", of the power receptionist)
			{Name: "receptionist", Overrides: receptionist, FixedAreas: []string{"notes", "medical_alerts", "subscription"}},
			{Name: "power_receptionist", Overrides: power, FixedAreas: []string{"notes", "medical_alerts", "subscription"}},
			{Name: "practitioner", Overrides: practitioner, Calendar: true, FixedAreas: []string{"subscription"}},
			// "cannot directly view any completed patient forms or patient details"
			{Name: "bookkeeper", Overrides: bookkeeper, FixedAreas: []string{"clients", "notes", "letters", "files", "forms", "medical_alerts", "memos", "communications", "subscription"}},
			{Name: "administrator", Overrides: administrator, FixedAreas: []string{"notes"}},
		},
	}
}

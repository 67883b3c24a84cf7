package domain

import "slices"

// caspen follows Caspen's guides (seeds 000 and 001): five roles, Full / Limited
// (own) / None per area, owner-only areas above every role.
func caspen() *Preset {
	ownerOnly := []string{"permissions", "subscription", "api_keys"} // "Excluded (owner only): Permissions & roles, API keys, subscription settings"
	every := make([]string, 0, len(Areas))
	for _, a := range Areas {
		if !slices.Contains(ownerOnly, a.Name) {
			every = append(every, a.Name)
		}
	}
	return &Preset{
		Name:      "caspen",
		OwnerRole: "practitioner_admin",
		// "User permissions, API keys, subscription & billing" belong to the owner alone.
		OwnerOnly: ownerOnly,
		Roles: []Role{
			{
				// "Full access to the workspace (excluding owner-only pages)"; it cannot be
				// modified, and its holders cannot be disabled or locked out.
				Name: "practitioner_admin", Grants: all(LevelFull, every...),
				Calendar: true, Fixed: true, Undisableable: true,
			},
			{
				// Operations, all clients and schedules, billing, forms, templates,
				// configuration and reporting; notes and letters only when enabled.
				// Texting clients is operations, as it is the receptionist's.
				Name: "practice_manager",
				Grants: all(LevelFull, "clients", "communications", "sms", "appointments", "invoices", "forms", "templates",
					"reports", "note_completion_report", "expenses_report", "marketing_reports", "financial_reports",
					"catalog", "settings", "sms_settings", "tax_settings", "integrations", "staff", "locations"),
			},
			{
				// Their own clients, appointments, notes, forms, letters, invoices and
				// performance reports; no catalog or workspace configuration. Seeing
				// their own clients' medical alerts goes with treating them (the
				// guide is silent on alerts; changing them stays the admin's).
				Name: "practitioner",
				Grants: all(LevelOwn, "clients", "communications", "notes", "letters", "forms", "files",
					"appointments", "invoices", "reports", "note_completion_report"),
				Overrides: grantSet{}.add(LevelOwn, "medical_alerts", ActionView),
				Calendar:  true,
			},
			{
				// Client records and bookings for everyone, invoices and payments, limited
				// reports and SMS settings only; notes and letters only when enabled.
				// "Supports scheduling and client communication": texting clients.
				Name: "receptionist",
				Grants: merge(all(LevelFull, "clients", "communications", "sms", "appointments", "invoices", "sms_settings"),
					all(LevelOwn, "reports")),
				ManagesOwnHolders: true,
			},
			{
				// Invoices, payments, tax settings, integrations and financial reports;
				// client names for context; never client files, notes, letters or
				// workspace and user management.
				Name:       "accountant",
				Grants:     all(LevelFull, "invoices", "financial_reports", "expenses_report", "tax_settings", "integrations"),
				FixedAreas: []string{"notes", "letters", "files", "staff", "settings"},
			},
		},
	}
}

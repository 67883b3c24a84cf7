package domain

// clinicPlatform follows the clinic platform's "User Management & Roles Guide"
// (seed 004): built-in roles with read / create / edit / delete / export per
// feature, "own" versus "all".
func clinicPlatform() *Preset {
	const all, own = LevelFull, LevelOwn
	ownerAdmin := grantSet{}
	for _, a := range Areas {
		ownerAdmin.add(all, a.Name) // full access to all features
	}
	manager := grantSet{}.
		add(all, "clients", ActionView).add(all, "notes", ActionView).add(all, "letters", ActionView). // all patient records
		add(all, "communications").
		add(all, "forms", ActionView).add(all, "files", ActionView).
		add(all, "medical_alerts", ActionView).add(all, "memos", ActionView). // alerts and memos are the record's too
		add(all, "appointments").                                             // create appointments, manage scheduling
		add(all, "invoices", ActionView, ActionCreate, ActionEdit).           // process payments
		add(all, "time_tracking").                                            // staff time tracking
		add(all, "staff", ActionView)                                         // not delete staff, not change roles
	provider := grantSet{}.
		add(own, "clients", ActionView, ActionEdit).                    // assigned patients, own patient records
		add(own, "appointments", ActionView, ActionCreate, ActionEdit). // view/create appointments; "Providers manage own schedules"
		add(own, "notes", ActionView, ActionCreate, ActionEdit).        // medical notes
		add(own, "letters", ActionView, ActionCreate).add(own, "forms", ActionView).add(own, "files", ActionView).
		add(own, "medical_alerts", ActionView).add(own, "communications")
	frontDesk := grantSet{}.
		add(all, "appointments", ActionView, ActionCreate, ActionEdit). // check in, schedule, reschedule
		add(all, "clients", ActionView).                                // contact info; no changes to patient data
		add(all, "communications")
	billing := grantSet{}.
		add(all, "clients", ActionView).                                          // all patients
		add(all, "invoices", ActionView, ActionCreate, ActionEdit, ActionExport). // charges, invoices, payments
		add(all, "financial_reports")                                             // billing reports
	inventory := grantSet{}.
		add(all, "products", ActionView, ActionCreate, ActionEdit) // products, orders, stock
	callCenter := grantSet{}.
		add(all, "calls").add(all, "transcriptions", ActionView)
	return &Preset{
		Name:                "clinic_platform",
		OwnerRole:           "owner_admin",
		OwnerHoldsOwnerRole: true,
		// "Permanently remove a user (only Owner/Admin)".
		Reserved: map[Capability]string{Cap("staff", ActionDelete): "owner_admin"},
		Roles: []Role{
			{Name: "owner_admin", Overrides: ownerAdmin, Fixed: true},
			{Name: "manager", Overrides: manager},
			{Name: "provider", Overrides: provider, Calendar: true},
			{Name: "front_desk", Overrides: frontDesk},
			{Name: "billing", Overrides: billing},
			{Name: "inventory", Overrides: inventory},
			{Name: "call_center", Overrides: callCenter},
		},
	}
}

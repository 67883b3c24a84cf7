package scenarios

// amountLimits: "Conditional permissions - can approve charges only if <
// $500" (seed 004). Approving charges is granted by name; a grant may hold
// only below an amount, which each check gives in its context, and a check
// that gives none is conditional, never allowed.
var amountLimits = []Scenario{
	{Name: "a_charge_is_approved_only_below_the_grants_amount", Steps: []Step{
		// The owner's role approves without limit; nobody else by default.
		{Checks: []Check{
			yes("user:olivia", "approve_charge", "invoice:in-ann"), yes("user:olivia", "approve_charge", "invoice:in-ann").at("1000000"),
			no("user:maya", "approve_charge", "invoice:in-ann"), no("user:maya", "approve_charge", "invoice:in-ann").at("10"),
		}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"practice_manager","grants":{"invoices":{"approve":{"level":"all","amount_below":500}}}}`,
			Checks: []Check{
				yes("user:maya", "approve_charge", "invoice:in-ann").at("499.99"), yes("user:maya", "approve_charge", "invoice:in-ann").at("0"),
				no("user:maya", "approve_charge", "invoice:in-ann").at("500"), no("user:maya", "approve_charge", "invoice:in-ann").at("612.5"),
				no("user:maya", "approve_charge", "invoice:in-ann").conditionally(),
				yes("user:maya", "approve_charge", "workspace:p1").at("120"), no("user:maya", "approve_charge", "workspace:p1").conditionally(),
				no("user:rita", "approve_charge", "invoice:in-ann").at("10"), yes("user:olivia", "approve_charge", "invoice:in-ann").at("5000"),
				yes("user:maya", "view", "invoice:in-ann"), // the rest of the area is as it was
			},
			// Lookups list what is allowed outright: a limited grant needs an amount.
			Lookups: []Lookup{
				{Subject: "user:maya", Permission: "approve_charge", ResourceType: "invoice", Want: nil},
				{Subject: "user:olivia", Permission: "approve_charge", ResourceType: "invoice", Want: []string{"invoice:in-ann"}},
			},
			Explanations: []Explanation{
				{no("user:maya", "approve_charge", "invoice:in-ann").at("612.5"), "maya holds role practice_manager workspace-wide, which has invoices approve: full below 500, and 612.5 is not below it"},
				{yes("user:maya", "approve_charge", "invoice:in-ann").at("499.99"), "maya holds role practice_manager workspace-wide, which has invoices approve: full below 500, and 499.99 is below it"},
				{no("user:maya", "approve_charge", "invoice:in-ann"), "maya holds role practice_manager workspace-wide, which has invoices approve: full below 500, and the question gives no amount (context.amount): it is conditional"},
			}},
		// Disabled staff approve nothing, whatever the amount.
		{Events: `{"type":"staff.disabled","workspace":"p1","user":"maya"}`,
			Checks: []Check{no("user:maya", "approve_charge", "invoice:in-ann").at("10"), no("user:maya", "approve_charge", "invoice:in-ann")}},
		// The same grant without amount_below lifts the limit.
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"maya"}
{"type":"role.updated","workspace":"p1","role":"practice_manager","grants":{"invoices":{"approve":"all"}}}`,
			Checks: []Check{yes("user:maya", "approve_charge", "invoice:in-ann").at("10000"), yes("user:maya", "approve_charge", "invoice:in-ann")}},
		// A custom role with a limit, in the list form, held until an end.
		{Events: `{"type":"role.defined","workspace":"p1","role":"billing","grants":[{"area":"invoices","action":"approve","level":"all","amount_below":250},{"area":"invoices","action":"view","level":"all"}]}
{"type":"staff.added","workspace":"p1","user":"bill","role":"billing","expires_at":"2099-01-01T00:00:00Z"}`,
			Checks: []Check{
				yes("user:bill", "approve_charge", "invoice:in-ann").at("249"), no("user:bill", "approve_charge", "invoice:in-ann").at("250"),
				no("user:bill", "approve_charge", "invoice:in-ann").conditionally(),
			}},
		{Events: `{"type":"role.revoked","workspace":"p1","user":"bill","role":"billing"}`,
			Checks: []Check{no("user:bill", "approve_charge", "invoice:in-ann").at("1")}},
		// An account-wide setting that takes invoices from a role takes its
		// limited approval too, and gives it back when it is off (Cliniko).
		{Events: `{"type":"role.updated","workspace":"k9","role":"practitioner","grants":{"invoices":{"approve":{"level":"all","amount_below":500}}}}
{"type":"staff.added","workspace":"k9","user":"kp","role":"practitioner"}`,
			// Cliniko's practitioners see three of the practice's financial
			// reports and their own revenue, not everyone's.
			Checks: []Check{yes("user:kp", "approve_charge", "workspace:k9").at("1"),
				yes("user:kp", "view_daily_payments_report", "workspace:k9"), yes("user:kp", "view_uninvoiced_appointments_report", "workspace:k9"),
				yes("user:kp", "view_patients_by_total_invoiced_report", "workspace:k9"), yes("user:kp", "view_own_financial_reports", "workspace:k9"),
				no("user:kp", "view_financial_reports", "workspace:k9"), no("user:kp", "view_revenue_report", "workspace:k9")}},
		{Events: `{"type":"setting.changed","workspace":"k9","setting":"practitioners_cannot_see_financials","value":"on"}`,
			Checks: []Check{no("user:kp", "approve_charge", "workspace:k9").at("1"), no("user:kp", "approve_charge", "workspace:k9"),
				no("user:kp", "view_daily_payments_report", "workspace:k9"), no("user:kp", "view_own_financial_reports", "workspace:k9")}},
		{Events: `{"type":"setting.changed","workspace":"k9","setting":"practitioners_cannot_see_financials","value":"off"}`,
			Checks: []Check{yes("user:kp", "approve_charge", "workspace:k9").at("1")}},
	}},
}

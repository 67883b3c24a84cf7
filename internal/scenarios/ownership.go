package scenarios

// backupOwner is the clinic platform guide's "Backup owner setup -
// designate backup administrator" (seed 004): the owner names a backup
// owner, who claims the ownership when the owner cannot act; the owner is
// told, and another holder of the preset's owner role completes it, or the
// owner refuses it.
var backupOwner = []Scenario{
	{Name: "a_backup_owner_claims_the_ownership_and_another_admin_completes_it", Steps: []Step{
		{Events: `{"type":"staff.added","workspace":"p1","user":"adam","role":"practitioner_admin"}
{"type":"role.assigned","workspace":"p1","user":"maya","role":"practitioner_admin"}`},
		{Events: `{"type":"backup_owner.designated","workspace":"p1","user":"maya"}`,
			Actor: "user:maya", Refused: `user:maya may not designate the backup owner of "p1"`},
		{Events: `{"type":"backup_owner.designated","workspace":"p1","user":"maya"}`, Actor: "user:olivia",
			Checks: []Check{
				yes("user:maya", "claim_ownership", "workspace:p1"), no("user:priya", "claim_ownership", "workspace:p1"),
				no("user:olivia", "claim_ownership", "workspace:p1"), no("user:adam", "approve_ownership_claim", "workspace:p1"),
			},
			Explanations: []Explanation{
				{Check: yes("user:maya", "claim_ownership", "workspace:p1"), Text: "maya is the backup owner of p1"},
				{Check: no("user:priya", "claim_ownership", "workspace:p1"), Text: "only the backup owner (maya) may claim the account ownership when the owner cannot act (the backup owner only: backup_owner.designated)"},
				{Check: no("user:adam", "approve_ownership_claim", "workspace:p1"), Text: "no claim of the ownership of p1 waits"},
			}},
		{Events: `{"type":"backup_owner.designated","workspace":"p1","user":"maya"}`, Actor: "user:olivia", NoChange: true},
		{Events: `{"type":"ownership.claimed","workspace":"p1","reason":"olivia is unreachable"}`,
			Actor: "user:priya", Refused: `user:priya may not claim the ownership of "p1"`},
		// The claim waits: the owner's role's other holders complete it,
		// never the claimant, though maya holds that role too.
		{Events: `{"type":"ownership.claimed","workspace":"p1","reason":"olivia is unreachable"}`, Actor: "user:maya",
			Checks: []Check{
				yes("user:adam", "approve_ownership_claim", "workspace:p1"), no("user:maya", "approve_ownership_claim", "workspace:p1"),
				no("user:priya", "approve_ownership_claim", "workspace:p1"), yes("user:olivia", "transfer_ownership", "workspace:p1"),
			},
			Explanations: []Explanation{
				{Check: yes("user:adam", "approve_ownership_claim", "workspace:p1"), Text: "adam holds role practitioner_admin workspace-wide, whose workspace-wide holders complete maya's claim of the ownership"},
				{Check: no("user:maya", "approve_ownership_claim", "workspace:p1"), Text: "maya claimed the ownership of p1, and a claimant never approves their own claim"},
				{Check: no("user:priya", "approve_ownership_claim", "workspace:p1"), Text: "priya does not hold role practitioner_admin workspace-wide, whose holders complete maya's claim of the ownership"},
			}},
		{Events: `{"type":"ownership.claim_approved","workspace":"p1"}`,
			Actor: "user:maya", Refused: `user:maya may not approve the claim of the ownership of "p1"`},
		{Events: `{"type":"ownership.claim_rejected","workspace":"p1"}`,
			Actor: "user:adam", Refused: `user:adam may not reject the claim of the ownership of "p1"`},
		// The owner refuses it; the backup owner may claim again.
		{Events: `{"type":"ownership.claim_rejected","workspace":"p1"}`, Actor: "user:olivia",
			Checks: []Check{no("user:adam", "approve_ownership_claim", "workspace:p1"), yes("user:maya", "claim_ownership", "workspace:p1")}},
		{Events: `{"type":"ownership.claimed","workspace":"p1","reason":"olivia left the practice"}`, Actor: "user:maya"},
		{Events: `{"type":"ownership.claim_approved","workspace":"p1"}`, Actor: "user:adam",
			Checks: []Check{
				yes("user:maya", "transfer_ownership", "workspace:p1"), no("user:olivia", "transfer_ownership", "workspace:p1"),
				no("user:maya", "claim_ownership", "workspace:p1"), no("user:adam", "approve_ownership_claim", "workspace:p1"),
				yes("user:maya", "manage_api_keys", "workspace:p1"),
			}},
	}},
}

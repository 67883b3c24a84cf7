package scenarios

// guardedRoles: "The practice manager ... should not alter foundational
// access controls" (seed 000): staff managers give roles, but the practitioner
// admin role (fixed, never disabled) only its holders and the owner give.
var guardedRoles = []Scenario{
	{Name: "only_the_owner_and_practitioner_admins_make_practitioner_admins", Steps: []Step{
		{Checks: []Check{
			yes("user:maya", "manage_holders", "role:p1/practitioner"), no("user:maya", "manage_holders", "role:p1/practitioner_admin"),
			yes("user:olivia", "manage_holders", "role:p1/practitioner_admin"),
		},
			Explanations: []Explanation{
				{no("user:maya", "manage_holders", "role:p1/practitioner_admin"), "role practitioner_admin is guarded: only the account owner and its own workspace-wide holders give it or take it away, and maya does not hold it workspace-wide"},
				{yes("user:olivia", "manage_holders", "role:p1/practitioner_admin"), "olivia is the account owner of p1, who gives role practitioner_admin"},
			}},
		// A custom role that inherits it has its reach, and is guarded too.
		{Events: `{"type":"role.defined","workspace":"p1","role":"lead","inherits":"practitioner_admin"}
{"type":"role.defined","workspace":"p1","role":"deputy","inherits":"lead"}`,
			Checks: []Check{
				no("user:maya", "manage_holders", "role:p1/lead"), no("user:maya", "manage_holders", "role:p1/deputy"),
				yes("user:olivia", "manage_holders", "role:p1/deputy"), yes("user:maya", "manage_holders", "role:p1/receptionist"),
			}},
		// Defined again on its own, it is an ordinary role again.
		{Events: `{"type":"role.defined","workspace":"p1","role":"deputy","grants":{"clients":{"view":"all"}}}`,
			Checks: []Check{yes("user:maya", "manage_holders", "role:p1/deputy"), no("user:maya", "manage_holders", "role:p1/lead")}},
		{Events: `{"type":"staff.added","workspace":"p1","user":"adam","role":"practitioner_admin"}
{"type":"staff.added","workspace":"p1","user":"ana","role":"practitioner_admin","location":"north"}`,
			Checks: []Check{yes("user:adam", "manage_holders", "role:p1/practitioner_admin"), no("user:ana", "manage_holders", "role:p1/practitioner_admin")}},
		// Ownership moves the owner's part with it.
		{Events: `{"type":"ownership.transferred","workspace":"p1","to":"adam"}
{"type":"role.assigned","workspace":"p1","user":"adam","role":"practice_manager"}
{"type":"role.revoked","workspace":"p1","user":"adam","role":"practitioner_admin"}`,
			Checks: []Check{yes("user:adam", "manage_holders", "role:p1/practitioner_admin"), yes("user:olivia", "manage_holders", "role:p1/practitioner_admin")}},
	}},
}

package scenarios

// breakGlass are the clinic platform guide's "Break-glass access - one-time
// emergency account unlock (fully audited)" and "Separation of duties -
// different person must approve emergency access" (seed 004), and HIPAA's
// emergency access procedure: a clinician opens a client's record at once,
// for minutes, without approval; it ends by itself; someone else reviews it.
var breakGlass = []Scenario{
	{Name: "break_glass_opens_a_record_for_minutes_and_another_reviews_it", Steps: []Step{
		// Who may open: every role that reads clinical notes, where it is
		// held; never a receptionist, a manager without notes or an
		// accountant. Who reviews: the owner.
		{Checks: []Check{
			no("user:priya", "view_notes", "client:ben"),
			yes("user:priya", "open_break_glass", "client:ben"), yes("user:sam", "open_break_glass", "client:cat"),
			no("user:sam", "open_break_glass", "client:ben"), no("user:rita", "open_break_glass", "client:ben"),
			no("user:maya", "open_break_glass", "client:ben"), no("user:alex", "open_break_glass", "client:ben"),
			yes("user:olivia", "review_access", "workspace:p1"), no("user:maya", "review_access", "workspace:p1"),
			no("user:priya", "review_access", "workspace:p1"),
		}},
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg-rita","user":"rita","client":"ben","reason":"curious"}`,
			Actor: "user:rita", Refused: "rita may not open client ben's record in an emergency"},
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg-maya","user":"priya","client":"ben","reason":"for priya"}`,
			Actor: "user:maya", Refused: "user:maya may not open a record in an emergency for priya"},
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg-sam","user":"sam","client":"ben","reason":"at north today"}`,
			Actor: "user:sam", Refused: "sam may not open client ben's record in an emergency"},
		// Opened: the whole clinical record at once, and nothing else.
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg1","user":"priya","client":"ben","reason":"collapsed in the waiting room; pete is away","expires_at":"{{end}}"}`,
			Actor: "user:priya",
			Checks: []Check{
				yes("user:priya", "view_notes", "client:ben"), yes("user:priya", "view", "note:n-ben"),
				yes("user:priya", "write_notes", "client:ben"), yes("user:priya", "view_letters", "client:ben"),
				yes("user:priya", "view_files", "client:ben"), yes("user:priya", "view_forms", "client:ben"),
				yes("user:priya", "view_medical_alerts", "client:ben"), yes("user:priya", "view", "client:ben"),
				no("user:priya", "edit", "client:ben"), no("user:priya", "delete", "client:ben"),
				no("user:priya", "view_invoices", "client:ben"), no("user:priya", "view_notes", "client:cat"),
				no("user:pete", "view_notes", "client:ann"),
			},
			Lookups: []Lookup{{Subject: "user:priya", Permission: "view_notes", ResourceType: "client", Want: []string{"client:ann", "client:ben"}}},
			Explanations: []Explanation{{Check: yes("user:priya", "view_notes", "client:ben"),
				Text: `emergency access opened at {{any}} for reason "collapsed in the waiting room; pete is away", until {{end}}: priya opened client ben's record (break-glass bg1)`}},
			BreakGlass: []BreakGlassList{
				{Workspace: "p1", State: "open", Want: []string{"bg1:priya:ben:"}},
				{Workspace: "p1", State: "unreviewed", Want: []string{"bg1:priya:ben:"}},
				{Workspace: "p2", State: "all"},
			}},
		// It ends by itself, with no write.
		{PastEnd: true,
			Checks:     []Check{no("user:priya", "view_notes", "client:ben"), no("user:priya", "view", "note:n-ben"), no("user:priya", "write_notes", "client:ben")},
			BreakGlass: []BreakGlassList{{Workspace: "p1", State: "open"}, {Workspace: "p1", State: "all", Want: []string{"bg1:priya:ben:"}}}},
		// Never reviewed by its opener, nor by someone without review_access.
		{Explanations: []Explanation{
			{Check: no("user:priya", "review", "break_glass:p1/bg1"), Text: "priya opened break_glass:p1/bg1, and an opening is never reviewed by its opener"},
			{Check: yes("user:priya", "close", "break_glass:p1/bg1"), Text: "priya opened break_glass:p1/bg1"},
			{Check: yes("user:olivia", "review", "break_glass:p1/bg1"), Text: "olivia is the account owner of p1"},
		}, Checks: []Check{
			yes("user:olivia", "review", "break_glass:p1/bg1"), no("user:priya", "review", "break_glass:p1/bg1"),
			no("user:maya", "review", "break_glass:p1/bg1"), yes("user:priya", "close", "break_glass:p1/bg1"),
			no("user:rita", "close", "break_glass:p1/bg1"), no("user:hugo", "review", "break_glass:p1/bg1"),
		}},
		{Events: `{"type":"break_glass.reviewed","workspace":"p1","id":"bg1","outcome":"justified"}`,
			Actor: "user:priya", Refused: `user:priya may not review break-glass "bg1"`},
		{Events: `{"type":"break_glass.reviewed","workspace":"p1","id":"bg1","outcome":"justified"}`,
			Actor: "user:maya", Refused: `user:maya may not review break-glass "bg1"`},
		{Events: `{"type":"break_glass.reviewed","workspace":"p1","id":"bg1","outcome":"justified","note":"pete confirmed the collapse"}`,
			Actor:      "user:olivia",
			BreakGlass: []BreakGlassList{{Workspace: "p1", State: "unreviewed"}, {Workspace: "p1", State: "all", Want: []string{"bg1:priya:ben:justified"}}}},
		{Events: `{"type":"break_glass.reviewed","workspace":"p1","id":"bg1","outcome":"justified","note":"pete confirmed the collapse"}`,
			Actor: "user:olivia", NoChange: true},
		{Events: `{"type":"break_glass.reviewed","workspace":"p1","id":"bg1","outcome":"unjustified"}`,
			Actor: "user:olivia", Refused: `break-glass "bg1" was reviewed already, as justified by olivia`},
	}},
	{Name: "break_glass_closed_early_or_found_unjustified_ends_at_once", Steps: []Step{
		{Checks: []Check{no("user:priya", "view_notes", "client:cat")}},
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg2","user":"priya","client":"cat","reason":"records needed for the ambulance","minutes":30}`,
			Actor:  "user:priya",
			Checks: []Check{yes("user:priya", "view_notes", "client:cat"), no("user:pete", "view_notes", "client:cat")}},
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg2","user":"priya","client":"cat","reason":"records needed for the ambulance","minutes":30}`,
			Actor: "user:priya", NoChange: true},
		{Events: `{"type":"break_glass.closed","workspace":"p1","id":"bg2"}`,
			Actor: "user:rita", Refused: `user:rita may not close break-glass "bg2"`},
		{Events: `{"type":"break_glass.closed","workspace":"p1","id":"bg2"}`,
			Actor: "user:priya", Checks: []Check{no("user:priya", "view_notes", "client:cat")},
			BreakGlass: []BreakGlassList{{Workspace: "p1", State: "open"}, {Workspace: "p1", State: "unreviewed", Want: []string{"bg2:priya:cat:"}}}},
		{Events: `{"type":"break_glass.closed","workspace":"p1","id":"bg2"}`, Actor: "user:priya", NoChange: true},
		// A disabled opener loses it; an opening the owner finds unjustified
		// ends at once.
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg3","user":"pete","client":"ann","reason":"priya asked me to check"}`,
			Actor: "user:pete", Checks: []Check{yes("user:pete", "view_notes", "client:ann")}},
		{Events: `{"type":"staff.disabled","workspace":"p1","user":"pete"}`, Checks: []Check{no("user:pete", "view_notes", "client:ann"), no("user:pete", "close", "break_glass:p1/bg3")}},
		{Events: `{"type":"staff.enabled","workspace":"p1","user":"pete"}`, Checks: []Check{yes("user:pete", "view_notes", "client:ann")}},
		{Events: `{"type":"break_glass.reviewed","workspace":"p1","id":"bg3","outcome":"unjustified","note":"not an emergency"}`,
			Actor:  "user:olivia",
			Checks: []Check{no("user:pete", "view_notes", "client:ann"), no("user:pete", "view", "note:n-ann")},
			BreakGlass: []BreakGlassList{
				{Workspace: "p1", State: "open"},
				{Workspace: "p1", State: "all", Want: []string{"bg2:priya:cat:", "bg3:pete:ann:unjustified"}},
				{Workspace: "p1", State: "all", User: "pete", Want: []string{"bg3:pete:ann:unjustified"}},
				{Workspace: "p1", State: "unreviewed", Client: "cat", Want: []string{"bg2:priya:cat:"}},
				{Workspace: "p1", State: "all", User: "priya", Client: "ann"},
			}},
		// An opening counts only while its opener may still open one there:
		// the practice taking break_glass away from their role ends it, with
		// no write to the opening.
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg5","user":"priya","client":"ben","reason":"pete is away"}`,
			Actor: "user:priya", Checks: []Check{yes("user:priya", "view_notes", "client:ben"), yes("user:priya", "view", "note:n-ben")}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"practitioner","grants":{"break_glass":"none"}}`,
			Checks: []Check{no("user:priya", "view_notes", "client:ben"), no("user:priya", "view", "note:n-ben"), no("user:priya", "open_break_glass", "client:ben")},
			Explanations: []Explanation{{Check: no("user:priya", "view_notes", "client:ben"),
				Text: `emergency access opened at {{any}} for reason "pete is away", until {{any}}: priya opened client ben's record (break-glass bg5), which no longer counts: no role of theirs where the client is has break_glass open now`}},
			BreakGlass: []BreakGlassList{{Workspace: "p1", State: "open", Want: []string{"bg5:priya:ben:"}}}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"practitioner","grants":{"break_glass":"all"}}`,
			Checks: []Check{yes("user:priya", "view_notes", "client:ben")}},
		// Removed staff lose an opening for good: whoever is added under
		// their ID later does not inherit it.
		{Events: `{"type":"break_glass.opened","workspace":"p1","id":"bg4","user":"pete","client":"cat","reason":"covering for sam"}`,
			Actor: "user:pete", Checks: []Check{yes("user:pete", "view_notes", "client:cat")}},
		{Events: `{"type":"staff.removed","workspace":"p1","user":"pete"}
{"type":"staff.added","workspace":"p1","user":"pete","role":"practitioner"}`,
			Checks:     []Check{no("user:pete", "view_notes", "client:cat"), no("user:pete", "view", "note:n-ben")},
			BreakGlass: []BreakGlassList{{Workspace: "p1", State: "open", Want: []string{"bg5:priya:ben:"}}}},
	}},
	// Every role that reads clinical notes may open, a role given notes
	// later too, unless the practice says otherwise in the same event; a
	// role that stops reading them may not.
	{Name: "break_glass_follows_reading_notes", Steps: []Step{
		{Checks: []Check{no("user:rita", "open_break_glass", "client:ben"), no("user:maya", "open_break_glass", "client:ben")}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"notes":{"view":"all"}}}`,
			Checks: []Check{yes("user:rita", "view_notes", "client:ben"), yes("user:rita", "open_break_glass", "client:ben")}},
		{Events: `{"type":"notes_access.granted","workspace":"p1","role":"practice_manager"}`,
			Checks: []Check{
				yes("user:maya", "view_notes", "client:ben"), yes("user:maya", "open_break_glass", "client:ben"),
				// notes access changes or deletes only what they wrote
				yes("user:maya", "view", "note:n-ben"), no("user:maya", "edit", "note:n-ben"), no("user:maya", "delete", "note:n-ben"),
				yes("user:pete", "delete", "note:n-ben"),
			}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"notes":"none"}}`,
			Checks: []Check{no("user:rita", "view_notes", "client:ben"), no("user:rita", "open_break_glass", "client:ben")}},
		{Events: `{"type":"role.updated","workspace":"p1","role":"receptionist","grants":{"notes":{"view":"all"},"break_glass":"none"}}`,
			Checks: []Check{yes("user:rita", "view_notes", "client:ben"), no("user:rita", "open_break_glass", "client:ben")}},
	}},
	// "Administrators who are not also practitioners cannot write treatment
	// notes" (seed 003): an opening widens which clients one reaches, never
	// what one may do; the administrator reads notes, so breaking the glass
	// gives them nothing to write with.
	{Name: "break_glass_never_gives_what_ones_roles_cannot_do", Steps: []Step{
		{Events: `{"type":"workspace.created","workspace":"k8","owner":"k8a","preset":"cliniko"}
{"type":"staff.added","workspace":"k8","user":"k8d","role":"administrator"}
{"type":"staff.added","workspace":"k8","user":"k8p","role":"practitioner"}
{"type":"client.created","workspace":"k8","client":"k8c"}`,
			Checks: []Check{yes("user:k8d", "view_notes", "client:k8c"), no("user:k8d", "write_notes", "client:k8c"), yes("user:k8p", "write_notes", "client:k8c")}},
		{Events: `{"type":"break_glass.opened","workspace":"k8","id":"kbg","user":"k8d","client":"k8c","reason":"the practitioner is away"}`,
			Actor:  "user:k8d",
			Checks: []Check{yes("user:k8d", "view_notes", "client:k8c"), no("user:k8d", "write_notes", "client:k8c")},
			Explanations: []Explanation{{Check: no("user:k8d", "write_notes", "client:k8c"),
				Text: "emergency access opened at {{any}}: k8d opened client k8c's record (break-glass kbg), but no role of theirs where the client is may create notes at any level: break-glass widens which clients they reach, not what they may do"}}},
		{Events: `{"type":"role.assigned","workspace":"k8","user":"k8d","role":"practitioner"}`,
			Checks: []Check{yes("user:k8d", "write_notes", "client:k8c")}},
	}},
}

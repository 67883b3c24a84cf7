package scenarios

// regions: "Location managers report to regional managers" (seed 004). A role
// held in a region is held at every location in it, those created in it or
// moved in later too, and no longer at one that moves out.
var regions = []Scenario{
	{Name: "a_role_held_in_a_region_reaches_its_locations_as_they_come_and_go", Steps: []Step{
		{Events: `{"type":"region.created","workspace":"p1","region":"coast"}
{"type":"location.moved","workspace":"p1","location":"north","region":"coast"}
{"type":"staff.added","workspace":"p1","user":"rex","role":"practice_manager","region":"coast"}
{"type":"staff.added","workspace":"p1","user":"reg","role":"practitioner","region":"coast","expires_at":"2099-01-01T00:00:00Z"}`,
			Checks: []Check{
				yes("user:reg", "has_calendar", "workspace:p1"), no("user:reg", "view", "client:ann"), // a practitioner's own clients only

				yes("user:rex", "view", "client:ann"), yes("user:rex", "view", "client:ben"), no("user:rex", "view", "client:cat"),
				yes("user:rex", "view", "invoice:in-ann"), yes("user:rex", "view_calendar", "location:north"), no("user:rex", "view_calendar", "location:south"),
				// only workspace-wide holders get what has no location
				no("user:rex", "view_reports", "workspace:p1"), yes("user:maya", "view_reports", "workspace:p1"),
			},
			Lookups: []Lookup{{Subject: "user:rex", Permission: "view", ResourceType: "client", Want: []string{"client:ann", "client:ben"}}},
			Explanations: []Explanation{
				{yes("user:rex", "view", "client:ann"), "rex holds role practice_manager in region coast, which has clients view: full"},
				{no("user:rex", "view", "client:cat"), "rex holds role practice_manager in region coast, which has clients view: full, but only in region coast and client:cat is at location south, in no region"},
			}},
		// A location created in the region is reached at once.
		{Events: `{"type":"location.created","workspace":"p1","location":"east","region":"coast"}
{"type":"client.created","workspace":"p1","client":"eve","location":"east"}`,
			Checks: []Check{yes("user:rex", "view", "client:eve"), yes("user:maya", "view", "client:eve"), no("user:rita", "view", "client:zed")}},
		// Moving locations: out of the region stops, into it starts.
		{Events: `{"type":"location.moved","workspace":"p1","location":"north"}
{"type":"location.moved","workspace":"p1","location":"south","region":"coast"}`,
			Checks:  []Check{no("user:rex", "view", "client:ann"), yes("user:rex", "view", "client:cat"), yes("user:rex", "view", "client:eve")},
			Lookups: []Lookup{{Subject: "user:rex", Permission: "view", ResourceType: "client", Want: []string{"client:cat", "client:eve"}}}},
		// The same events again change nothing, an old location.created
		// (with no region) of a location that moved since included.
		{Events: `{"type":"location.moved","workspace":"p1","location":"south","region":"coast"}
{"type":"region.created","workspace":"p1","region":"coast"}
{"type":"location.created","workspace":"p1","location":"east","region":"coast"}
{"type":"location.created","workspace":"p1","location":"south"}`, NoChange: true},
		// Revoking the regional holding takes it all away.
		{Events: `{"type":"role.revoked","workspace":"p1","user":"rex","role":"practice_manager","region":"coast"}`,
			Checks: []Check{no("user:rex", "view", "client:cat"), no("user:rex", "view", "client:eve")}},
	}},
}

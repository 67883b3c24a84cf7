package scenarios

import "github.com/wardhq/ward/internal/domain"

// HoursEdgeEvents is a practice whose role syd holds during Sydney's
// weekday business hours and on Saturday nights past midnight into Sunday
// (across the week's end), and whose holding of nyc by n holds in New York
// on Sunday 01:30-03:00 local, the hour daylight saving moves.
const HoursEdgeEvents = `{"type":"workspace.created","workspace":"bh","owner":"bho","preset":"cliniko"}
{"type":"role.defined","workspace":"bh","role":"syd","grants":{"clients":{"view":"all"}},"hours":{"timezone":"Australia/Sydney","windows":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"17:00"},{"days":["sat"],"from":"22:00","to":"02:00"}]}}
{"type":"role.defined","workspace":"bh","role":"nyc","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"bh","user":"s","role":"syd"}
{"type":"staff.added","workspace":"bh","user":"n","role":"nyc","hours":{"timezone":"America/New_York","windows":[{"days":["sun"],"from":"01:30","to":"03:00"}]}}
{"type":"client.created","workspace":"bh","client":"c"}`

// HoursEdge is a check of HoursEdgeEvents's practice at one moment: Who
// (s or n) views client c At (UTC), which is Local there, and Want.
type HoursEdge struct {
	Who, At, Local string
	Want           bool
}

// Question is the check.
func (e HoursEdge) Question() domain.Question {
	return domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: e.Who}, Permission: "view", Resource: domain.Object{Type: domain.TypeClient, ID: "c"}}
}

// HoursEdges are business hours' edges, the second either side: across
// midnight, the week's end and both daylight-saving changes, in two time
// zones (Sydney's autumn and New York's spring and autumn of 2026). A
// client whose clock it can set asks each with no write in between.
var HoursEdges = []HoursEdge{
	// Sydney, daylight time (UTC+11) until Sunday 5 April 03:00, then UTC+10.
	{"s", "2026-04-03T05:59:59Z", "Fri 16:59:59 AEDT", true},
	{"s", "2026-04-03T06:00:00Z", "Fri 17:00 AEDT", false},
	{"s", "2026-04-04T10:59:59Z", "Sat 21:59:59 AEDT", false},
	{"s", "2026-04-04T11:00:00Z", "Sat 22:00 AEDT", true},
	{"s", "2026-04-04T13:30:00Z", "Sun 00:30 AEDT, past midnight and the week's end", true},
	{"s", "2026-04-04T14:59:59Z", "Sun 01:59:59 AEDT", true},
	{"s", "2026-04-04T15:00:00Z", "Sun 02:00 AEDT", false},
	{"s", "2026-04-04T16:30:00Z", "Sun 02:30 AEST, the hour that came back", false},
	{"s", "2026-04-05T22:59:59Z", "Mon 08:59:59 AEST", false},
	{"s", "2026-04-05T23:00:00Z", "Mon 09:00 AEST", true},
	{"s", "2026-04-06T06:59:59Z", "Mon 16:59:59 AEST", true},
	{"s", "2026-04-06T07:00:00Z", "Mon 17:00 AEST", false},
	// New York's spring: 02:00 EST is 03:00 EDT, so 01:30-03:00 is an hour.
	{"n", "2026-03-08T06:29:59Z", "Sun 01:29:59 EST", false},
	{"n", "2026-03-08T06:30:00Z", "Sun 01:30 EST", true},
	{"n", "2026-03-08T06:59:59Z", "Sun 01:59:59 EST", true},
	{"n", "2026-03-08T07:00:00Z", "Sun 03:00 EDT", false},
	// and its autumn: 02:00 EDT is 01:00 EST, so 01:30-02:00 comes twice.
	{"n", "2026-11-01T05:29:59Z", "Sun 01:29:59 EDT", false},
	{"n", "2026-11-01T05:30:00Z", "Sun 01:30 EDT", true},
	{"n", "2026-11-01T06:00:00Z", "Sun 01:00 EST, the hour that came back", false},
	{"n", "2026-11-01T06:30:00Z", "Sun 01:30 EST, again", true},
	{"n", "2026-11-01T07:59:59Z", "Sun 02:59:59 EST", true},
	{"n", "2026-11-01T08:00:00Z", "Sun 03:00 EST", false},
	{"n", "2026-11-08T07:00:00Z", "the next Sunday 02:00 EST", true},
	{"n", "2026-11-09T07:00:00Z", "Monday 02:00 EST", false},
}

package spicedb_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// TestBusinessHoursAtTheirEdges: business hours open and close at their
// local times in their own zones, with no write at either moment, across
// midnight, across the end of the week and across both daylight-saving
// changes, in two time zones (Sydney's autumn and New York's spring and
// autumn of 2026). The clock is set to the second either side of each edge.
func TestBusinessHoursAtTheirEdges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, conn := testenv.Start(t)
	events := `{"type":"workspace.created","workspace":"bh","owner":"bho","preset":"cliniko"}
{"type":"role.defined","workspace":"bh","role":"syd","grants":{"clients":{"view":"all"}},"hours":{"timezone":"Australia/Sydney","windows":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"17:00"},{"days":["sat"],"from":"22:00","to":"02:00"}]}}
{"type":"role.defined","workspace":"bh","role":"nyc","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"bh","user":"s","role":"syd"}
{"type":"staff.added","workspace":"bh","user":"n","role":"nyc","hours":{"timezone":"America/New_York","windows":[{"days":["sun"],"from":"01:30","to":"03:00"}]}}
{"type":"client.created","workspace":"bh","client":"c"}`
	if _, err := w.Apply(ctx, testenv.Parsed(t, events)); err != nil {
		t.Fatal(err)
	}
	// Read back and planned again, the same holdings write nothing: the
	// conditions go into SpiceDB's caveat and come back the same.
	again, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"role.assigned","workspace":"bh","user":"s","role":"syd"}
{"type":"role.assigned","workspace":"bh","user":"n","role":"nyc","hours":{"timezone":"America/New_York","windows":[{"days":["sun"],"from":"01:30","to":"03:00"}]}}`))
	if err != nil || again.Touched != 0 || again.Deleted != 0 {
		t.Fatalf("re-applying wrote %d and deleted %d (%v), want nothing", again.Touched, again.Deleted, err)
	}

	var clock time.Time
	c := spicedb.NewWithConfig(conn, slog.New(slog.DiscardHandler), spicedb.Config{Now: func() time.Time { return clock }})
	for _, tt := range []struct {
		who, at, local string
		want           bool
	}{
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
	} {
		clock = at(t, tt.at)
		q := domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: tt.who}, Permission: "view", Resource: domain.Object{Type: domain.TypeClient, ID: "c"}}
		d, err := c.Check(ctx, q, "")
		if err != nil || d.Allowed != tt.want || d.Conditional {
			t.Errorf("%s at %s (%s): allowed %v conditional %v (%v), want %v", tt.who, tt.at, tt.local, d.Allowed, d.Conditional, err, tt.want)
		}
	}

	// Explain names the hours, and what SpiceDB found of them at that moment.
	clock = at(t, "2026-04-06T07:00:00Z")
	svc := service.New(c, slog.New(slog.DiscardHandler))
	ex, _, err := svc.Explain(ctx, domain.Question{Subject: domain.Object{Type: domain.TypeUser, ID: "s"}, Permission: "view", Resource: domain.Object{Type: domain.TypeClient, ID: "c"}}, "")
	if err != nil || ex.Allowed {
		t.Fatalf("explain: %+v (%v), want denied", ex, err)
	}
	var texts []string
	for _, r := range ex.Reasons {
		texts = append(texts, r.Text)
	}
	for _, s := range ex.Trace {
		texts = append(texts, s.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"during sun 00:00-02:00, mon 09:00-17:00, tue 09:00-17:00", "sat 22:00-24:00 (Australia/Sydney), which has clients view: full, and its conditions did not hold", "(its conditions did not hold, with now 2026-04-06T07:00:00Z)"} {
		if !strings.Contains(all, want) {
			t.Errorf("explain says\n%s\nwant it to name %q", all, want)
		}
	}
}

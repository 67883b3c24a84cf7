package domain

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseHours(t *testing.T) {
	for _, tt := range []struct {
		name, raw string
		spans     [][2]int
		text      string
		err       string
	}{
		{name: "weekdays", raw: `{"timezone":"Australia/Sydney","windows":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"17:00"}]}`,
			spans: [][2]int{{1980, 2460}, {3420, 3900}, {4860, 5340}, {6300, 6780}, {7740, 8220}},
			text:  "mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, thu 09:00-17:00, fri 09:00-17:00 (Australia/Sydney)"},
		{name: "past midnight", raw: `{"timezone":"UTC","windows":[{"days":["mon"],"from":"22:00","to":"06:00"}]}`,
			spans: [][2]int{{2760, 3240}}, text: "mon 22:00-tue 06:00 (UTC)"},
		{name: "saturday night rounds the week", raw: `{"timezone":"UTC","windows":[{"days":["sat"],"from":"22:00","to":"06:00"}]}`,
			spans: [][2]int{{0, 360}, {9960, 10080}}, text: "sat 22:00-24:00, sun 00:00-06:00 (UTC)"},
		{name: "whole days join", raw: `{"timezone":"UTC","windows":[{"days":["tue","mon"],"from":"00:00","to":"24:00"}]}`,
			spans: [][2]int{{1440, 4320}}, text: "mon 00:00-wed 00:00 (UTC)"},
		{name: "same from and to", raw: `{"timezone":"UTC","windows":[{"days":["mon"],"from":"09:00","to":"09:00"}]}`, err: "00:00 to 24:00"},
		{name: "unknown zone", raw: `{"timezone":"Mars/Olympus","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}`, err: "IANA"},
		{name: "local zone", raw: `{"timezone":"Local","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}`, err: "IANA"},
		{name: "unknown day", raw: `{"timezone":"UTC","windows":[{"days":["monday"],"from":"09:00","to":"17:00"}]}`, err: `"monday" is not a day`},
		{name: "no days", raw: `{"timezone":"UTC","windows":[{"from":"09:00","to":"17:00"}]}`, err: "name 1 to 7 days"},
		{name: "negative clock", raw: `{"timezone":"UTC","windows":[{"days":["sun"],"from":"-1:00","to":"01:00"}]}`, err: "HH:MM"},
		{name: "signed minutes", raw: `{"timezone":"UTC","windows":[{"days":["sun"],"from":"00:-5","to":"01:00"}]}`, err: "HH:MM"},
		{name: "plus sign", raw: `{"timezone":"UTC","windows":[{"days":["sun"],"from":"+9:00","to":"10:00"}]}`, err: "HH:MM"},
		{name: "24:00 start", raw: `{"timezone":"UTC","windows":[{"days":["mon"],"from":"24:00","to":"17:00"}]}`, err: "24:00 as an end"},
		{name: "bad clock", raw: `{"timezone":"UTC","windows":[{"days":["mon"],"from":"9am","to":"17:00"}]}`, err: "HH:MM"},
		{name: "no windows", raw: `{"timezone":"UTC","windows":[]}`, err: "1 to 28 windows"},
		{name: "unknown field", raw: `{"timezone":"UTC","zone":"UTC","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}`, err: "unknown field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHours(json.RawMessage(tt.raw))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(h.Spans, tt.spans) || h.Text() != tt.text {
				t.Fatalf("got %v %q (%v), want %v %q", h.Spans, h.Text(), err, tt.spans, tt.text)
			}
		})
	}
}

func TestParseNetworks(t *testing.T) {
	n, err := ParseNetworks(json.RawMessage(`["10.0.0.0/8","192.168.1.7","2001:db8::/32","10.0.0.0/8","::ffff:172.16.0.0/108"]`))
	if err != nil || !slices.Equal(n.CIDRs, []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.1.7/32", "2001:db8::/32"}) {
		t.Fatalf("got %v (%v)", n.CIDRs, err)
	}
	for _, bad := range []string{`[]`, `["10.0.0.0/33"]`, `["intranet"]`, `"10.0.0.0/8"`, `["fe80::1%eth0"]`} {
		if _, err := ParseNetworks(json.RawMessage(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	// An address past its prefix is refused, naming both things it may mean.
	for bad, want := range map[string]string{
		`["10.20.0.7/8"]`:    `"10.20.0.7/8" has address bits set past its /8: give the network 10.0.0.0/8, or 10.20.0.7 for that one address`,
		`["2001:db8::1/32"]`: "give the network 2001:db8::/32, or 2001:db8::1 for that one address",
	} {
		if _, err := ParseNetworks(json.RawMessage(bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error containing %q", bad, err, want)
		}
	}
	if ip, err := ParseIP("::ffff:10.1.2.3"); err != nil || ip != "10.1.2.3" {
		t.Errorf("ParseIP of a mapped address: %q %v", ip, err)
	}
}

// TestConditionalSpans: conditions narrow a span's moments and travel with
// them through unions and intersections, into the caveat and back.
func TestConditionalSpans(t *testing.T) {
	hours, _ := ParseHours(json.RawMessage(`{"timezone":"Europe/London","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}`))
	nets, _ := ParseNetworks(json.RawMessage(`["10.0.0.0/8"]`))
	inHours, onNet := CondSpan(Cond{Hours: []Hours{hours}}), CondSpan(Cond{Networks: []Networks{nets}})
	end := EndAt(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))

	if !inHours.Conditional() || inHours.Always() || !inHours.StandsAt(time.Now()) || !inHours.CountsAt(time.Now()) {
		t.Errorf("business hours: conditional %v, always %v, stands %v", inHours.Conditional(), inHours.Always(), inHours.StandsAt(time.Now()))
	}
	if u := Union(Span{}, inHours); u != (Span{}) {
		t.Errorf("always or business hours is always, got %q", u.Text())
	}
	if u := Union(Until(end), inHours); len(u.Conds()) != 2 || u.End() != (End{}) {
		t.Errorf("until 2030 or business hours: %q (end %s), want two parts that never end", u.Text(), u.End())
	}
	both, ok := Intersect(inHours, onNet)
	if !ok || len(both.Conds()) != 1 || len(both.Conds()[0].Hours) != 1 || len(both.Conds()[0].Networks) != 1 {
		t.Fatalf("business hours and the network: %q", both.Text())
	}
	lasting, _ := Intersect(both, Until(end))
	if lasting.End() != end || lasting.Text() != " until 2030-01-01T00:00:00Z during mon 09:00-17:00 (Europe/London) and on network 10.0.0.0/8" {
		t.Errorf("text %q, end %s", lasting.Text(), lasting.End())
	}
	if again, _ := Intersect(lasting, inHours); again != lasting {
		t.Errorf("the same hours twice: %q, want %q", again.Text(), lasting.Text())
	}

	// The caveat reads back as the same span, and a tampered one is refused.
	for _, s := range []Span{inHours, lasting, Union(Until(end), inHours), Union(inHours, onNet)} {
		name, ctx := s.Caveat()
		b, _ := json.Marshal(ctx) // as SpiceDB keeps it: JSON values
		var back map[string]any
		_ = json.Unmarshal(b, &back)
		got, err := SpanOfCaveat(name, back, s.End())
		if name != CaveatTerms || err != nil || got != s {
			t.Errorf("%q: caveat %s read back as %q (%v)", s.Text(), name, got.Text(), err)
		}
	}
	_, ctx := inHours.Caveat()
	ctx["terms"].([]any)[0].(map[string]any)["hours"] = []any{map[string]any{"zone": "Nowhere/Else", "spans": []any{[]any{0.0, 60.0}}}}
	if _, err := SpanOfCaveat(CaveatTerms, ctx, End{}); err == nil {
		t.Error("a caveat with a zone Ward does not know read back")
	}

	// A role's conditions are replaced, a holding's own kept.
	held := CondSpan(Cond{Networks: []Networks{nets}}.and(Cond{Hours: []Hours{hours}}.asRole("desk")))
	other, _ := ParseHours(json.RawMessage(`{"timezone":"America/New_York","windows":[{"days":["sun"],"from":"10:00","to":"12:00"}]}`))
	moved := held.withRole("desk", Cond{Hours: []Hours{other}})
	c := moved.Conds()[0]
	if len(c.Hours) != 1 || c.Hours[0].Zone != "America/New_York" || c.Hours[0].Role != "desk" || len(c.Networks) != 1 || c.Networks[0].Role != "" {
		t.Errorf("role hours replaced: %+v", c)
	}
	if kept := moved.withRole("other_role", Cond{}); kept != moved {
		t.Errorf("another role's conditions removed: %q, want %q", kept.Text(), moved.Text())
	}
	if plain := moved.withRole("desk", Cond{}); plain != onNet {
		t.Errorf("role conditions removed: %q, want %q", plain.Text(), onNet.Text())
	}
}

// TestUnionsAreCanonical: the same moments under the same conditions give
// the same span whatever the order of the unions that made them (a
// condition is dropped where a window without one covers it).
func TestUnionsAreCanonical(t *testing.T) {
	hours, _ := ParseHours(json.RawMessage(`{"timezone":"UTC","windows":[{"days":["mon"],"from":"09:00","to":"17:00"}]}`))
	h := Cond{Hours: []Hours{hours}}
	at := func(d int) time.Time { return time.Date(2030, 1, d, 0, 0, 0, 0, time.UTC) }
	window := func(from, until int, c Cond) Span {
		s, _ := Between(at(from), EndAt(at(until)))
		s, _ = Intersect(s, CondSpan(c))
		return s
	}
	p, a, b := window(1, 10, Cond{}), window(2, 5, h), window(5, 15, h)
	left, right := Union(Union(p, a), b), Union(p, Union(a, b))
	if left != right {
		t.Fatalf("(p+a)+b = %q, p+(a+b) = %q", left.Text(), right.Text())
	}
	if want := Union(p, window(10, 15, h)); left != want {
		t.Errorf("got %q, want %q", left.Text(), want.Text())
	}
}

// A grant whose hours never fall between its start (or now) and its end
// would never count: it is refused, naming the hours and the dates, the
// moments read in the hours' zone as the caveat reads them.
func TestHoursThatNeverFallInTheSpan(t *testing.T) {
	now := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC) // a Thursday, 10:00 in Sydney
	weekdays := `{"timezone":"Australia/Sydney","windows":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"17:00"}]}`
	// Sydney puts its clocks forward at 02:00 on Sunday 4 October 2026.
	sundayGap := `{"timezone":"Australia/Sydney","windows":[{"days":["sun"],"from":"02:00","to":"02:30"}]}`
	sundayAfter := `{"timezone":"Australia/Sydney","windows":[{"days":["sun"],"from":"03:00","to":"03:30"}]}`
	for _, tt := range []struct {
		name, now, hours, starts, expires string
		refused                           bool
	}{
		{name: "a weekend only", hours: weekdays, starts: "2026-10-02T07:00:00Z", expires: "2026-10-04T22:00:00Z", refused: true},                                      // Fri 17:00 to Mon 09:00 Sydney
		{name: "a minute of Monday", hours: weekdays, starts: "2026-10-02T07:00:00Z", expires: "2026-10-04T22:01:00Z"},                                                 // to Mon 09:01
		{name: "the last hour of Friday", hours: weekdays, starts: "2026-10-02T06:00:00Z", expires: "2026-10-02T08:00:00Z"},                                            // Fri 16:00 to 18:00
		{name: "now to tonight", hours: weekdays, expires: "2026-10-01T08:00:00Z"},                                                                                     // from now, 10:00 Thursday
		{name: "tonight only", hours: weekdays, starts: "2026-10-01T08:00:00Z", expires: "2026-10-01T20:00:00Z", refused: true},                                        // Thu 18:00 to Fri 06:00
		{name: "a start in the past counts from now", hours: weekdays, starts: "2026-09-30T00:00:00Z", expires: "2026-10-01T07:30:00Z"},                                // now is 10:00 Thursday
		{name: "half a minute, now", hours: weekdays, expires: "2026-10-01T00:00:30Z"},                                                                                 // 10:00 to 10:00:30 Thursday
		{name: "only its past in hours", now: "2026-10-01T08:00:00Z", hours: weekdays, starts: "2026-10-01T00:00:00Z", expires: "2026-10-01T20:00:00Z", refused: true}, // now Thu 18:00; to Fri 06:00
		{name: "ten days", hours: sundayGap, starts: "2026-10-02T00:00:00Z", expires: "2026-10-12T00:00:00Z"},                                                          // next Sunday has 02:00
		{name: "a time the clocks skip", hours: sundayGap, starts: "2026-10-02T00:00:00Z", expires: "2026-10-05T00:00:00Z", refused: true},                             // 4 October has no 02:00-03:00
		{name: "the hour after the skip", hours: sundayAfter, starts: "2026-10-02T00:00:00Z", expires: "2026-10-05T00:00:00Z"},                                         // 03:00 is 16:00Z on the 3rd
		{name: "no end", hours: sundayGap, starts: "2026-10-02T00:00:00Z"},
		// Across a change of the clocks, each side is read on its own clock.
		{name: "the hour after the clocks go forward", hours: `{"timezone":"Australia/Sydney","windows":[{"days":["sun"],"from":"03:00","to":"04:00"}]}`,
			starts: "2026-10-03T15:31:00Z", expires: "2026-10-03T16:59:00Z"}, // 01:31 AEST to 03:59 AEDT
		{name: "New York's spring forward", now: "2026-03-01T00:00:00Z", hours: `{"timezone":"America/New_York","windows":[{"days":["sun"],"from":"03:00","to":"03:45"}]}`,
			starts: "2026-03-08T06:30:00Z", expires: "2026-03-08T07:40:00Z"}, // 01:30 EST to 03:40 EDT
		{name: "a half-hour change", hours: `{"timezone":"Australia/Lord_Howe","windows":[{"days":["sun"],"from":"02:30","to":"02:40"}]}`,
			starts: "2026-10-03T12:00:00Z", expires: "2026-10-04T12:00:00Z"}, // Lord Howe goes from 02:00 to 02:30
		{name: "before the clocks go forward only", hours: `{"timezone":"Australia/Sydney","windows":[{"days":["sun"],"from":"03:00","to":"04:00"}]}`,
			starts: "2026-10-03T14:00:00Z", expires: "2026-10-03T15:59:00Z", refused: true}, // 00:00 to 01:59 AEST
		{name: "the hour the clocks go back twice", now: "2026-04-01T00:00:00Z", hours: `{"timezone":"Australia/Sydney","windows":[{"days":["sun"],"from":"02:10","to":"02:20"}]}`,
			starts: "2026-04-04T15:30:00Z", expires: "2026-04-04T16:30:00Z"}, // 02:30 AEDT, then back to 02:00 AEST and on to 02:30
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := map[string]any{"type": "staff.added", "workspace": "w", "user": "u", "role": "practitioner", "hours": json.RawMessage(tt.hours)}
			if tt.starts != "" {
				ev["starts_at"] = tt.starts
			}
			if tt.expires != "" {
				ev["expires_at"] = tt.expires
			}
			raw, _ := json.Marshal(ev)
			at := now
			if tt.now != "" {
				at, _ = time.Parse(time.RFC3339, tt.now)
			}
			_, err := ParseEventsAt([]json.RawMessage{raw}, at)
			switch {
			case tt.refused && (err == nil || !strings.Contains(err.Error(), "never fall between")):
				t.Fatalf("got %v, want hours that never fall in the span refused", err)
			case !tt.refused && err != nil:
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

package domain

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // business hours name IANA zones: Ward and in-process SpiceDB read them wherever they run
)

// A condition is what must hold at check time besides the moment: business
// hours in a time zone, and the network the caller is on. Ward never
// evaluates one: it writes it into a relationship's caveat (CaveatTerms),
// with the span it narrows, and SpiceDB decides with the moment Ward gives
// and the caller's ip. A role's conditions apply to all its holders, a
// holding's to that holding; both at once when both have them.

// Hours is a weekly schedule in one IANA time zone: Spans are minutes of
// the week, local time, from Sunday 00:00 (0) to the next Sunday (10080),
// each [from, to), in order and apart. Role names the role they come from
// ("" for one holding's own), so that a change of the role's replaces them
// alone, wherever a holding's span has travelled (a switched role's holding
// takes its switch role's span).
type Hours struct {
	Zone  string   `json:"zone"`
	Spans [][2]int `json:"spans"`
	Role  string   `json:"role,omitempty"`
}

// Networks is a list of networks (CIDR, canonical and in order) one of
// which the caller's ip must be in.
type Networks struct {
	CIDRs []string `json:"cidrs"`
	Role  string   `json:"role,omitempty"`
}

// Cond is every condition that must hold at once: each of its hours, and
// each of its networks. The zero Cond holds always.
type Cond struct {
	Hours    []Hours    `json:"hours"`
	Networks []Networks `json:"networks"`
	// Once names one-time grants (approved access requests' object IDs,
	// WORKSPACE/ID): a term with one holds only for a check that consumes
	// it (Given.Consume), which uses it up.
	Once []string `json:"once,omitempty"`
}

// Limits on what one event may give, so that a relationship's caveat stays
// far below SpiceDB's 25,000 bytes (MaxWindows).
const (
	MaxHoursWindows = 28
	MaxNetworks     = 32
	minutesPerWeek  = 7 * 24 * 60
)

// CaveatTerms is the caveat of a relationship with conditions: it holds while
// one of its terms does, each windows with conditions.
const CaveatTerms = "terms"

// IsZero reports whether c holds always.
func (c Cond) IsZero() bool { return len(c.Hours) == 0 && len(c.Networks) == 0 && len(c.Once) == 0 }

// key is c's canonical text: equal conditions have equal keys.
func (c Cond) key() string {
	if c.IsZero() {
		return ""
	}
	b, _ := json.Marshal(c.canonical())
	return string(b)
}

// and is both c and o: every condition of either, each once, in order.
func (c Cond) and(o Cond) Cond {
	out := Cond{Hours: append(slices.Clone(c.Hours), o.Hours...), Networks: append(slices.Clone(c.Networks), o.Networks...), Once: append(slices.Clone(c.Once), o.Once...)}
	return out.canonical()
}

// canonical is c with its conditions in order and each once.
func (c Cond) canonical() Cond {
	c.Hours, c.Networks = slices.Clone(c.Hours), slices.Clone(c.Networks)
	jsonKey := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	slices.SortFunc(c.Hours, func(a, b Hours) int { return strings.Compare(jsonKey(a), jsonKey(b)) })
	c.Hours = slices.CompactFunc(c.Hours, func(a, b Hours) bool { return jsonKey(a) == jsonKey(b) })
	slices.SortFunc(c.Networks, func(a, b Networks) int { return strings.Compare(jsonKey(a), jsonKey(b)) })
	c.Networks = slices.CompactFunc(c.Networks, func(a, b Networks) bool { return jsonKey(a) == jsonKey(b) })
	if len(c.Hours) == 0 {
		c.Hours = nil
	}
	if len(c.Networks) == 0 {
		c.Networks = nil
	}
	c.Once = slices.Compact(slices.Sorted(slices.Values(c.Once)))
	if len(c.Once) == 0 {
		c.Once = nil
	}
	return c
}

// asRole is c as role's conditions.
func (c Cond) asRole(role string) Cond {
	out := Cond{}
	for _, h := range c.Hours {
		h.Role = role
		out.Hours = append(out.Hours, h)
	}
	for _, n := range c.Networks {
		n.Role = role
		out.Networks = append(out.Networks, n)
	}
	return out.canonical()
}

// without is c without the conditions that came from role.
func (c Cond) without(role string) Cond {
	c.Hours = slices.DeleteFunc(slices.Clone(c.Hours), func(h Hours) bool { return h.Role == role })
	c.Networks = slices.DeleteFunc(slices.Clone(c.Networks), func(n Networks) bool { return n.Role == role })
	return c.canonical()
}

// Text is c in words, "" for none: "during Mon 09:00-17:00, ... (Australia/Sydney)
// and on network 10.0.0.0/8 or 192.168.1.0/24".
func (c Cond) Text() string {
	var parts []string
	for _, h := range c.Hours {
		parts = append(parts, "during "+h.Text())
	}
	for _, n := range c.Networks {
		parts = append(parts, "on network "+strings.Join(n.CIDRs, " or "))
	}
	for _, o := range c.Once {
		parts = append(parts, "once, for a check that consumes it (access request "+o+")")
	}
	return strings.Join(parts, " and ")
}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Text is h in words: its spans by day from Monday, and its zone.
func (h Hours) Text() string {
	if len(h.Spans) == 1 && h.Spans[0] == [2]int{0, minutesPerWeek} {
		return "all week (" + h.Zone + ")"
	}
	var spans []string
	clock := func(m int) string { return fmt.Sprintf("%s %02d:%02d", dayNames[m/1440%7], m%1440/60, m%60) }
	ordered := slices.Clone(h.Spans)
	slices.SortStableFunc(ordered, func(a, b [2]int) int { // Monday first, Sunday last
		return cmp.Compare((a[0]+minutesPerWeek-1440)%minutesPerWeek, (b[0]+minutesPerWeek-1440)%minutesPerWeek)
	})
	for _, s := range ordered {
		to := clock(s[1] % minutesPerWeek)
		if day := s[0] / 1440 * 1440; s[1] <= day+1440 { // ends the day it starts
			to = fmt.Sprintf("%02d:%02d", (s[1]-day)/60, s[1]%60)
		}
		spans = append(spans, clock(s[0])+"-"+to)
	}
	return strings.Join(spans, ", ") + " (" + h.Zone + ")"
}

// jsonProblem says what was wrong with a JSON value, in the caller's terms
// (the field, and what it must be) rather than Go's.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "another type"
		switch te.Type.Kind() {
		case reflect.Slice:
			want = "a list"
		case reflect.String:
			want = "a string"
		case reflect.Struct, reflect.Map:
			want = "an object"
		}
		if te.Field == "" {
			return "it must be " + want + ", not a JSON " + te.Value
		}
		return te.Field + " must be " + want + ", not a JSON " + te.Value
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// HoursWindow is one window of business hours as events give it: on days
// ("mon".."sun"), from one local time ("HH:MM") to another (to before from
// runs past midnight; "24:00" is the end of the day).
type HoursWindow struct {
	Days []string `json:"days"`
	From string   `json:"from"`
	To   string   `json:"to"`
}

// hoursInput is hours as an event gives them.
type hoursInput struct {
	Timezone string        `json:"timezone"`
	Windows  []HoursWindow `json:"windows"`
}

// ParseHours reads an event's hours: {timezone, windows}.
func ParseHours(raw json.RawMessage) (Hours, error) {
	var in hoursInput
	// encoding/json matches keys in any case, so "Timezone" beside
	// "timezone" would replace it: keys are checked as written first.
	obj, err := exactKeys(raw, "", "timezone", "windows")
	if err != nil {
		return Hours{}, err
	}
	var windows []json.RawMessage
	if json.Unmarshal(obj["windows"], &windows) == nil {
		for i, w := range windows {
			if _, err := exactKeys(w, fmt.Sprintf("windows[%d]: ", i), "days", "from", "to"); err != nil {
				return Hours{}, err
			}
		}
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Hours{}, fmt.Errorf(`must be {"timezone": "Australia/Sydney", "windows": [{"days": ["mon", "tue"], "from": "09:00", "to": "17:00"}]} (or null to remove them): %s`, jsonProblem(err))
	}
	if in.Timezone == "" || in.Timezone == "Local" || strings.ContainsAny(in.Timezone, " \\") || len(in.Timezone) > 64 {
		return Hours{}, fmt.Errorf("timezone %q: name an IANA time zone such as Australia/Sydney or UTC", in.Timezone)
	}
	if _, err := zoneNamed(in.Timezone); err != nil {
		return Hours{}, fmt.Errorf("timezone %q is not an IANA time zone Ward knows: name one such as Australia/Sydney or UTC", in.Timezone)
	}
	if len(in.Windows) == 0 || len(in.Windows) > MaxHoursWindows {
		return Hours{}, fmt.Errorf("windows: give 1 to %d windows (hours with none would never hold: leave hours out, or null to remove them)", MaxHoursWindows)
	}
	var spans [][2]int
	for i, w := range in.Windows {
		from, err1 := parseClock(w.From, false)
		to, err2 := parseClock(w.To, true)
		if err := cmp.Or(err1, err2); err != nil {
			return Hours{}, fmt.Errorf("windows[%d]: %v", i, err)
		}
		if from == to {
			return Hours{}, fmt.Errorf("windows[%d]: from and to are both %s: for the whole day give 00:00 to 24:00", i, w.From)
		}
		length := to - from
		if length <= 0 {
			length += 1440 // past midnight, into the next day
		}
		if len(w.Days) == 0 || len(w.Days) > len(dayNames) {
			return Hours{}, fmt.Errorf("windows[%d].days: name 1 to 7 days (mon, tue, wed, thu, fri, sat, sun)", i)
		}
		for _, d := range w.Days {
			day := slices.Index(dayNames, d)
			if day < 0 {
				return Hours{}, fmt.Errorf("windows[%d].days: %q is not a day: use mon, tue, wed, thu, fri, sat or sun", i, d)
			}
			start := day*1440 + from
			if end := start + length; end <= minutesPerWeek {
				spans = append(spans, [2]int{start, end})
			} else { // Saturday into Sunday: round the week's end
				spans = append(spans, [2]int{start, minutesPerWeek}, [2]int{0, end - minutesPerWeek})
			}
		}
	}
	return Hours{Zone: in.Timezone, Spans: mergeSpans(spans)}, nil
}

// Windows are h's spans as ParseHours reads them: one window a day each
// span covers, its end "24:00" where it runs to midnight or past it, and
// windows with the same times on several days given once with those days.
// ParseHours reads them back to the same spans.
func (h Hours) Windows() []HoursWindow {
	var out []HoursWindow
	at := map[[2]string]int{} // from, to -> its window in out
	add := func(day, from, to int) {
		key := [2]string{clock(from), clock(to)}
		if i, ok := at[key]; ok {
			out[i].Days = append(out[i].Days, dayNames[day])
			return
		}
		at[key] = len(out)
		out = append(out, HoursWindow{Days: []string{dayNames[day]}, From: key[0], To: key[1]})
	}
	for _, sp := range h.Spans {
		for start := sp[0]; start < sp[1]; {
			day := start / 1440
			end := min(sp[1], (day+1)*1440)
			add(day, start-day*1440, end-day*1440)
			start = end
		}
	}
	return out
}

// clock writes minutes of the day as HH:MM (1440 as 24:00).
func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// parseClock reads "HH:MM" as minutes of the day; "24:00" only as an end.
func parseClock(v string, end bool) (int, error) {
	digit := func(b byte) bool { return '0' <= b && b <= '9' }
	if len(v) != 5 || v[2] != ':' || !digit(v[0]) || !digit(v[1]) || !digit(v[3]) || !digit(v[4]) {
		return 0, fmt.Errorf("%q is not a time of day HH:MM such as 09:00", v)
	}
	h, m := int(v[0]-'0')*10+int(v[1]-'0'), int(v[3]-'0')*10+int(v[4]-'0')
	if m > 59 || h > 24 || (h == 24 && (m != 0 || !end)) {
		return 0, fmt.Errorf("%q is not a time of day from 00:00 to 23:59 (or 24:00 as an end)", v)
	}
	return h*60 + m, nil
}

// mergeSpans is spans in order with those that overlap or touch joined.
func mergeSpans(spans [][2]int) [][2]int {
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

// exactKeys returns the JSON object raw, refusing a field that is not one of
// keys as written (keys are case-sensitive); where names the object in the
// error. What is not an object is nil, left to the decoding that follows to
// refuse.
func exactKeys(raw json.RawMessage, where string, keys ...string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil, nil
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("%s%q is an unknown field (fields: %s; they are case-sensitive)", where, k, strings.Join(keys, ", "))
		}
	}
	return obj, nil
}

// ParseNetworks reads an event's networks: CIDRs (a bare address is that
// one address), one of which the caller must be on.
func ParseNetworks(raw json.RawMessage) (Networks, error) {
	in, err := stringList(raw)
	if err != nil {
		return Networks{}, fmt.Errorf(`must be a list of networks such as ["10.0.0.0/8", "2001:db8::/32"] (or null to remove them)`)
	}
	if len(in) == 0 || len(in) > MaxNetworks {
		return Networks{}, fmt.Errorf("give 1 to %d networks (none would never hold: leave networks out, or null to remove them)", MaxNetworks)
	}
	var out []string
	for _, v := range in {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil || a.Zone() != "" {
				return Networks{}, fmt.Errorf("%q is not a network in CIDR notation such as 10.0.0.0/8 or 2001:db8::/32, nor an IP address", v)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 { // as checks give addresses: unmapped (ParseIP)
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		if p != p.Masked() { // 10.20.0.7/8 is all of 10.0.0.0/8: say which was meant
			return Networks{}, fmt.Errorf("%q has address bits set past its /%d: give the network %s, or %s for that one address", v, p.Bits(), p.Masked(), p.Addr())
		}
		out = append(out, p.String())
	}
	slices.Sort(out)
	return Networks{CIDRs: slices.Compact(out)}, nil
}

// ParseIP reads the ip a check gives, for networks to compare with.
func ParseIP(v string) (string, error) {
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return "", fmt.Errorf("%q is not an IP address such as 203.0.113.7 or 2001:db8::1", v)
	}
	return a.Unmap().String(), nil
}

// part is one stretch of a span: windows with a condition.
type part struct {
	cond Cond
	ws   []window
}

// termText is a part as Span.terms keeps it.
type termText struct {
	W string `json:"w"`
	C Cond   `json:"c"`
}

// parts is s's parts: one without a condition unless s has terms.
func (s Span) parts() []part {
	if s.terms == "" {
		return []part{{ws: s.list()}}
	}
	var texts []termText
	_ = json.Unmarshal([]byte(s.terms), &texts) // spanOfParts wrote it
	out := make([]part, 0, len(texts))
	for _, t := range texts {
		out = append(out, part{cond: t.C, ws: decodeWindows(t.W)})
	}
	return out
}

// spanOfParts is the span of ps, in any order: the windows of parts with
// the same condition joined, and a conditional window dropped where a
// window without one covers it. ok is false when no window counts.
func spanOfParts(ps []part) (Span, bool) {
	byCond := map[string]*part{}
	for _, p := range ps {
		k := p.cond.key()
		if byCond[k] == nil {
			byCond[k] = &part{cond: p.cond.canonical()}
		}
		for _, w := range p.ws {
			if w.counts() {
				byCond[k].ws = append(byCond[k].ws, w)
			}
		}
	}
	var plain []window
	if p := byCond[""]; p != nil {
		plain = mergeWindows(p.ws)
	}
	// What a window without a condition covers needs no condition: a
	// conditional window keeps only the moments outside them, so that the
	// same moments give the same span whatever the order of the unions.
	uncovered := func(ws []window) []window {
		for _, u := range plain {
			var out []window
			for _, w := range ws {
				out = append(out, minusWindow(w, u)...)
			}
			ws = out
		}
		return ws
	}
	keys := slices.Sorted(maps.Keys(byCond))
	var texts []termText
	end, any := End{}, false
	for _, k := range keys {
		ws := mergeWindows(byCond[k].ws)
		if k != "" {
			ws = uncovered(ws)
		}
		if len(ws) == 0 {
			continue
		}
		for _, w := range ws {
			if !any {
				end, any = w.until, true
			} else {
				end = LaterEnd(end, w.until)
			}
		}
		texts = append(texts, termText{W: encodeWindows(ws), C: byCond[k].cond})
	}
	switch {
	case !any:
		return Span{}, false
	case len(texts) == 1 && texts[0].C.IsZero():
		return spanOf(plain), true
	}
	b, _ := json.Marshal(texts)
	return Span{end: end, terms: string(b)}, true
}

// minusWindow is the moments of w outside u: none, one or two windows.
func minusWindow(w, u window) []window {
	before := func(a, b End) bool { return !a.Never() && (b.Never() || a.unix < b.unix) } // a ends before b
	startsAfter := func(from int64, e End) bool { return !e.Never() && from >= e.unix }
	if startsAfter(w.from, u.until) || (!w.until.Never() && u.from >= w.until.unix) {
		return []window{w} // apart
	}
	var out []window
	if w.from < u.from {
		out = append(out, window{from: w.from, until: EndAt(time.Unix(u.from, 0))})
	}
	if before(u.until, w.until) {
		out = append(out, window{from: u.until.unix, until: w.until})
	}
	return out
}

// CondSpan is the span that counts always while c holds.
func CondSpan(c Cond) Span {
	s, _ := spanOfParts([]part{{cond: c, ws: []window{{from: noStart}}}})
	return s
}

// Conditional reports whether s has a condition somewhere.
func (s Span) Conditional() bool { return s.terms != "" }

// Conds is the conditions of s's parts, none for a span without.
func (s Span) Conds() []Cond {
	var out []Cond
	if s.terms != "" {
		for _, p := range s.parts() {
			out = append(out, p.cond)
		}
	}
	return out
}

// withRole is s with role's conditions replaced by c: a holding's span
// when it is given, or when its role's conditions change.
func (s Span) withRole(role string, c Cond) Span {
	if s.terms == "" && c.IsZero() {
		return s
	}
	ps := s.parts()
	for i := range ps {
		ps[i].cond = ps[i].cond.without(role).and(c.asRole(role))
	}
	out, _ := spanOfParts(ps) // s counts somewhere
	return out
}

// termsContext is the context of CaveatTerms for s's parts.
func (s Span) termsContext() map[string]any {
	var terms []any
	for _, p := range s.parts() {
		var windows []any
		for _, w := range windowsOf(p.ws) {
			windows = append(windows, windowContext(w))
		}
		var cond map[string]any
		b, _ := json.Marshal(p.cond)
		_ = json.Unmarshal(b, &cond)
		if cond["hours"] == nil {
			cond["hours"] = []any{}
		}
		if cond["networks"] == nil {
			cond["networks"] = []any{}
		}
		cond["windows"] = windows
		terms = append(terms, cond)
	}
	return map[string]any{"terms": terms}
}

// windowsOf is ws as Windows.
func windowsOf(ws []window) []Window {
	var out []Window
	for _, w := range ws {
		var start time.Time
		if w.from != noStart {
			start = time.Unix(w.from, 0).UTC()
		}
		out = append(out, Window{Start: start, End: w.until})
	}
	return out
}

// spanOfTerms reads CaveatTerms's context back, with the relationship's
// expiration.
func spanOfTerms(context map[string]any, expires End) (Span, error) {
	list, _ := context["terms"].([]any)
	if len(context) != 1 || len(list) == 0 {
		return Span{}, fmt.Errorf("caveat %s carries %d values, want only its terms", CaveatTerms, len(context))
	}
	var ps []part
	for _, v := range list {
		m, _ := v.(map[string]any)
		windows, _ := m["windows"].([]any)
		ws, err := readWindows(CaveatTerms, windows, expires)
		if err != nil {
			return Span{}, err
		}
		rest := map[string]any{"hours": m["hours"], "networks": m["networks"]}
		keys := 3
		if once, ok := m["once"]; ok {
			rest["once"], keys = once, 4
		}
		b, _ := json.Marshal(rest)
		var c Cond
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil || len(m) != keys || !c.valid() || (keys == 4 && len(c.Once) == 0) {
			return Span{}, fmt.Errorf("caveat %s has a term %v that is not windows with hours and networks as Ward writes them", CaveatTerms, v)
		}
		var in []window
		for _, w := range ws {
			sp, _ := Between(w.Start, w.End)
			in = append(in, sp.list()...)
		}
		ps = append(ps, part{cond: c, ws: in})
	}
	s, ok := spanOfParts(ps)
	if !ok || s.End() != expires {
		return Span{}, fmt.Errorf("caveat %s has terms %v that do not end at its expiration %s", CaveatTerms, list, expires)
	}
	return s, nil
}

// valid reports whether c is as ParseHours and ParseNetworks make them.
func (c Cond) valid() bool {
	for _, h := range c.Hours {
		if _, err := zoneNamed(h.Zone); err != nil || h.Zone == "" || len(h.Spans) == 0 {
			return false
		}
		for _, s := range h.Spans {
			if s[0] < 0 || s[0] >= s[1] || s[1] > minutesPerWeek {
				return false
			}
		}
	}
	for _, o := range c.Once {
		if ws, id, ok := strings.Cut(o, "/"); !ok || ValidateID(ws) != nil || ValidateID(id) != nil {
			return false
		}
	}
	for _, n := range c.Networks {
		if len(n.CIDRs) == 0 {
			return false
		}
		for _, cidr := range n.CIDRs {
			if p, err := netip.ParsePrefix(cidr); err != nil || p.Masked().String() != cidr {
				return false
			}
		}
	}
	return true
}

// RoleCond is the conditions role's holders hold it under (business hours,
// networks), none for a role without.
// They are kept marked as role's (Cond.asRole).
func (p Practice) RoleCond(role string) Cond {
	if conds := p.S.SpanOf(Rel(roleObj(p.WS, role), "conditions", p.obj())).Conds(); len(conds) == 1 {
		return conds[0]
	}
	return Cond{}
}

// fallsIn reports whether h holds at some moment in [from, until): the
// minute of the week read in h's zone, as the terms caveat reads it, lies in
// one of h's spans. It goes a stretch of one UTC offset at a time (a
// daylight-saving change starts the next), within which the local clock
// runs with the instant, so each stretch is one range of minutes of the week.
func (h Hours) fallsIn(from, until time.Time) bool {
	if len(h.Spans) == 0 || !from.Before(until) {
		return false
	}
	if until.Sub(from) > 8*24*time.Hour { // a whole week of every offset
		return true
	}
	loc, err := zoneNamed(h.Zone)
	if err != nil {
		return true // ParseHours refused such a zone; nothing to judge here
	}
	const epochDay = 4 // 1970-01-01 was a Thursday; the week starts on Sunday
	for t, steps := from, 0; t.Before(until); steps++ {
		if steps == 16 { // a zone changing its offset every half day
			return true
		}
		local := t.In(loc)
		end := until
		if _, next := local.ZoneBounds(); !next.IsZero() && next.Before(until) {
			end = next
		}
		_, offset := local.Zone()
		first := (t.Unix() + int64(offset)) / 60 // the local minutes this stretch reads
		last := (end.Unix() + int64(offset) - 1) / 60
		if last-first+1 >= minutesPerWeek {
			return true
		}
		start := int(((first+epochDay*1440)%minutesPerWeek + minutesPerWeek) % minutesPerWeek)
		length := int(last - first + 1)
		for _, sp := range h.Spans { // [start, start+length) against the span, the week wrapping
			if sp[0] < start+length && start < sp[1] || start+length > minutesPerWeek && sp[0] < start+length-minutesPerWeek {
				return true
			}
		}
		t = end
	}
	return false
}

// zones are the time zones zoneNamed loaded, by name: at most the IANA
// database's few hundred, since only names it knows are kept.
var zones sync.Map

// zoneNamed is time.LoadLocation without reading the zone's file again each
// time: an event's hours are checked when parsed and again when judged.
func zoneNamed(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

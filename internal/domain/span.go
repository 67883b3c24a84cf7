package domain

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Span is when something counts (a grant, a holding, a relationship): from a
// start, or always, until an end, or never; or, where grants with different
// starts are merged, in several such windows. The zero Span counts always.
//
// A span without a start is only its end, as SpiceDB's expiration says. A
// span with a start needs a caveat as well (Caveat), evaluated by SpiceDB
// at the time Ward gives it on every question: nothing is written when a
// start or an end comes.
//
// A Span is comparable (relationships holding one are map keys): its windows
// are kept in one canonical string, disjoint and in order.
type Span struct {
	end     End
	windows string // "" when the span has no start; else spanOf's encoding
	// terms is "" unless the span has a condition somewhere (business
	// hours, networks: Cond): then the span is exactly its parts, each
	// windows with a condition, in the canonical JSON of spanOfParts, and
	// windows is "".
	terms string
}

// Window is one stretch of a span: from Start (the zero time: always) until
// End.
type Window struct {
	Start time.Time
	End   End
}

// noStart is a window's start when it has none.
const noStart = math.MinInt64

// window is a Window in seconds.
type window struct {
	from  int64 // noStart: always
	until End
}

// Until is the span from always until end.
func Until(end End) Span { return Span{end: end} }

// Between is the span from start (the zero time: always) until end, to the
// second (a fraction of a second of the start is rounded up, so the span
// starts no sooner than asked). ok is false when it would never count (its
// start is not before its end).
func Between(start time.Time, end End) (s Span, ok bool) {
	if start.IsZero() {
		return Until(end), true
	}
	from := start.Unix()
	if start.Nanosecond() != 0 {
		from++
	}
	w := window{from: from, until: end}
	if !w.counts() {
		return Span{}, false
	}
	return spanOf([]window{w}), true
}

// counts reports whether w holds any moment.
func (w window) counts() bool { return w.from == noStart || w.until.Never() || w.from < w.until.unix }

// spanOf is the span of ws, which are in order, disjoint, and each counts.
func spanOf(ws []window) Span {
	if len(ws) == 0 {
		return Span{}
	}
	if len(ws) == 1 && ws[0].from == noStart {
		return Until(ws[0].until)
	}
	return Span{end: ws[len(ws)-1].until, windows: encodeWindows(ws)}
}

// encodeWindows is ws as spanOf keeps them: "FROM~UNTIL" in seconds, either
// empty for none, joined by commas.
func encodeWindows(ws []window) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(',')
		}
		if w.from != noStart {
			b.WriteString(strconv.FormatInt(w.from, 10))
		}
		b.WriteByte('~') // not '-': a start before 1970 is a negative number
		if !w.until.Never() {
			b.WriteString(strconv.FormatInt(w.until.unix, 10))
		}
	}
	return b.String()
}

// list is s's windows in seconds, in order: for a span with conditions, its
// parts' windows, whatever their conditions.
func (s Span) list() []window {
	if s.terms != "" {
		var out []window
		for _, p := range s.parts() {
			out = append(out, p.ws...)
		}
		return mergeWindows(out)
	}
	if s.windows == "" {
		return []window{{from: noStart, until: s.end}}
	}
	return decodeWindows(s.windows)
}

// decodeWindows reads encodeWindows's text.
func decodeWindows(text string) []window {
	var out []window
	for part := range strings.SplitSeq(text, ",") {
		from, until, _ := strings.Cut(part, "~")
		w := window{from: noStart}
		if from != "" {
			w.from, _ = strconv.ParseInt(from, 10, 64)
		}
		if until != "" {
			u, _ := strconv.ParseInt(until, 10, 64)
			w.until = End{unix: u, set: true}
		}
		out = append(out, w)
	}
	return out
}

// SpanOfWindows is the span of windows in any order, overlapping or not;
// windows that never count are dropped. ok is false when none counts.
func SpanOfWindows(windows []Window) (Span, bool) {
	var ws []window
	for _, w := range windows {
		s, ok := Between(w.Start, w.End)
		if ok {
			ws = append(ws, s.list()...)
		}
	}
	if len(ws) == 0 {
		return Span{}, false
	}
	return merged(ws), true
}

// Windows is s's windows, in order (for a span with conditions, whatever
// their conditions).
func (s Span) Windows() []Window { return windowsOf(s.list()) }

// MaxWindows is the most windows one relationship's span may have: its
// caveat (about 70 bytes a window as SpiceDB measures it, the protobuf size:
// 13,829 bytes for 200) stays well under SpiceDB's 25,000-byte bound on a
// relationship's caveat, which about 360 windows would pass.
const MaxWindows = 200

// count is how many windows the span has (0 without a start).
func (s Span) count() int {
	switch {
	case !s.HasStart():
		return 0
	case s.terms == "":
		return len(s.list())
	}
	// With conditions, by size: a window is about 60 bytes of the caveat's
	// JSON and 70 of SpiceDB's protobuf measure, whose 25,000 bytes bound it
	// (a term's hours, zone and networks can be several times a window's).
	b, _ := json.Marshal(s.termsContext())
	return (len(b) + caveatBytesPerWindow - 1) / caveatBytesPerWindow
}

// caveatBytesPerWindow is what one window of MaxWindows stands for in a
// caveat's JSON when conditions are counted by size: 50, under the 60 a
// window takes, so that conditions are counted a little heavier than they
// weigh in SpiceDB's protobuf.
const caveatBytesPerWindow = 50

// End is when s stops counting for good: never if a window never ends.
func (s Span) End() End { return s.end }

// HasStart reports whether s starts later than always somewhere, or has a
// condition: then it needs Ward's caveat, not only an expiration.
func (s Span) HasStart() bool { return s.windows != "" || s.terms != "" }

// Always reports whether s counts at every moment.
func (s Span) Always() bool { return s == Span{} }

// Union is when something given by either of two grants counts: never-ending
// if either is, and in every window of either.
func Union(a, b Span) Span {
	if a.terms != "" || b.terms != "" {
		u, _ := spanOfParts(append(a.parts(), b.parts()...)) // neither is empty
		return u
	}
	if !a.HasStart() && !b.HasStart() {
		return Until(LaterEnd(a.end, b.end))
	}
	return merged(append(a.list(), b.list()...))
}

// merged is ws in order with the windows that overlap or touch joined.
func merged(ws []window) Span { return spanOf(mergeWindows(ws)) }

// mergeWindows is ws in order with the windows that overlap or touch joined.
func mergeWindows(ws []window) []window {
	if len(ws) == 0 {
		return nil
	}
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(x, y window) int { return cmp.Compare(x.from, y.from) })
	out := ws[:1]
	for _, w := range ws[1:] {
		last := &out[len(out)-1]
		if last.until.Never() || w.from <= last.until.unix {
			last.until = LaterEnd(last.until, w.until)
			continue
		}
		out = append(out, w)
	}
	return out
}

// Intersect is when something that needs two grants at once counts: in the
// moments both count. ok is false when there is none.
func Intersect(a, b Span) (s Span, ok bool) {
	switch {
	case a.Always():
		return b, true
	case b.Always():
		return a, true
	}
	if a.terms != "" || b.terms != "" {
		// Both at once: each part of one with each of the other, in the
		// moments both count and with both conditions.
		var ps []part
		for _, x := range a.parts() {
			for _, y := range b.parts() {
				ps = append(ps, part{cond: x.cond.and(y.cond), ws: intersectWindows(x.ws, y.ws)})
			}
		}
		return spanOfParts(ps)
	}
	if !a.HasStart() && !b.HasStart() {
		return Until(EarlierEnd(a.end, b.end)), true
	}
	ws := intersectWindows(a.list(), b.list())
	if len(ws) == 0 {
		return Span{}, false
	}
	return merged(ws), true
}

// intersectWindows is the moments in one of xs and one of ys, not merged.
func intersectWindows(xs, ys []window) []window {
	var ws []window
	for _, x := range xs {
		for _, y := range ys {
			w := window{from: max(x.from, y.from), until: EarlierEnd(x.until, y.until)}
			if w.counts() {
				ws = append(ws, w)
			}
		}
	}
	return ws
}

// extendSpan records s for k, or, when k has one already, their union: what
// several holdings give counts while any of them does.
func extendSpan[K comparable](spans map[K]Span, k K, s Span) {
	if prev, ok := spans[k]; ok {
		s = Union(prev, s)
	}
	spans[k] = s
}

// compare orders spans by end, then windows, then conditions.
func (s Span) compare(o Span) int {
	if c := s.end.compare(o.end); c != 0 {
		return c
	}
	if c := strings.Compare(s.windows, o.windows); c != 0 {
		return c
	}
	return strings.Compare(s.terms, o.terms)
}

// String is s in words: "always", "until T", "from T until U", or several
// such windows joined by "and".
func (s Span) String() string {
	if s.Always() {
		return "always"
	}
	return strings.TrimPrefix(s.Text(), " ")
}

// Text is s as it ends a sentence: "" when it counts always, else " until
// T", " from T", " from T until U", or those windows joined by " and".
func (s Span) Text() string {
	if s.terms != "" {
		var parts []string
		for _, p := range s.parts() {
			t := Span{}
			if len(p.ws) != 1 || p.ws[0] != (window{from: noStart}) {
				t = spanOf(p.ws)
			}
			text := t.Text()
			if c := p.cond.Text(); c != "" {
				text += " " + c
			}
			parts = append(parts, text)
		}
		return strings.Join(parts, " or")
	}
	var parts []string
	for _, w := range s.Windows() {
		var p string
		if !w.Start.IsZero() {
			p = " from " + w.Start.Format(time.RFC3339)
		}
		if !w.End.Never() {
			p += " until " + w.End.String()
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " and")
}

// StandsAt reports whether s counts from now on, with no end and no gap.
// Conditions do not count here: a holding during business hours stands as
// long as its windows do (an owner whose role has hours still holds it).
func (s Span) StandsAt(now time.Time) bool {
	ws := s.list()
	last := ws[len(ws)-1]
	return last.until.Never() && (last.from == noStart || last.from <= now.Unix())
}

// CountsAt reports whether s counts at now: for a span with conditions,
// whether a window counts, whatever its conditions (SpiceDB decides them).
func (s Span) CountsAt(now time.Time) bool {
	t := now.Unix()
	for _, w := range s.list() {
		if (w.from == noStart || w.from <= t) && !w.until.PassedAt(now) {
			return true
		}
	}
	return false
}

// The schema's caveats for relationships that start later than they are
// written; Ward gives now on every question, and SpiceDB compares it.
//   - CaveatWindow holds from a start until an end: one window, the common
//     case, and the cheaper caveat (a third of CaveatDuring's cost to
//     evaluate, measured in docs/performance.md, step 35).
//   - CaveatDuring holds while now is in one of several windows (each from
//     and until), where holdings with different starts are joined.
//
// Both compare the end with now as well as SpiceDB's expiration does, so
// that Ward's clock alone decides what a caveated relationship grants.
const (
	CaveatWindow = "window"
	CaveatDuring = "during"
)

// Times the caveats read for a window without an end, and CaveatDuring for
// one without a start: CEL's first and last seconds.
var (
	alwaysFrom = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	neverUntil = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// NeverCounts is a span that starts at the last moment Ward takes and so
// never counts: what a relationship whose caveat is not Ward's is read as.
func NeverCounts() Span { return spanOf([]window{{from: neverUntil.Unix()}}) }

// Caveat is the caveat a relationship during s carries and its context, as
// JSON values; "" for a span without a start, which needs none.
func (s Span) Caveat() (name string, context map[string]any) {
	ws := s.Windows()
	switch {
	case !s.HasStart():
		return "", nil
	case s.terms != "":
		return CaveatTerms, s.termsContext()
	case len(ws) == 1:
		return CaveatWindow, windowContext(ws[0])
	}
	var list []any
	for _, w := range ws {
		list = append(list, windowContext(w))
	}
	return CaveatDuring, map[string]any{"windows": list}
}

// windowContext is one window as the caveats read it: a from and an until.
func windowContext(w Window) map[string]any {
	from, until := alwaysFrom, neverUntil
	if !w.Start.IsZero() {
		from = w.Start
	}
	if !w.End.Never() {
		until = w.End.Time()
	}
	return map[string]any{"from": from.UTC().Format(time.RFC3339), "until": until.UTC().Format(time.RFC3339)}
}

// SpanOfCaveat reads a span back from a relationship's caveat, as Caveat
// wrote it, and its expiration.
func SpanOfCaveat(name string, context map[string]any, expires End) (Span, error) {
	var list []any
	switch name {
	case CaveatWindow:
		list = []any{context}
	case CaveatDuring:
		list, _ = context["windows"].([]any)
		if len(context) != 1 {
			return Span{}, fmt.Errorf("caveat %s carries %d values, want only its windows", name, len(context))
		}
	case CaveatTerms:
		return spanOfTerms(context, expires)
	default:
		return Span{}, fmt.Errorf("caveat %q is not one of Ward's (%s, %s, %s)", name, CaveatWindow, CaveatDuring, CaveatTerms)
	}
	ws, err := readWindows(name, list, expires)
	if err != nil {
		return Span{}, err
	}
	s, ok := SpanOfWindows(ws)
	if !ok || s.End() != expires {
		return Span{}, fmt.Errorf("caveat %s has windows %v that do not end at its expiration %s", name, list, expires)
	}
	return s, nil
}

// readWindows reads a caveat's windows, each a from and an until; expires
// is the relationship's expiration.
func readWindows(name string, list []any, expires End) ([]Window, error) {
	var ws []Window
	for _, v := range list {
		m, _ := v.(map[string]any)
		from, err1 := caveatTime(m, "from")
		until, err2 := caveatTime(m, "until")
		if err1 != nil || err2 != nil || len(m) != 2 {
			return nil, fmt.Errorf("caveat %s has a window %v that is not a from and an until, both RFC 3339", name, v)
		}
		w := Window{End: EndAt(until)}
		if !from.Equal(alwaysFrom) {
			w.Start = from
		}
		if until.Equal(neverUntil) && expires.Never() {
			w.End = End{} // an end at CEL's last second is one when it is the expiration too
		}
		ws = append(ws, w)
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("caveat %s has no windows", name)
	}
	return ws, nil
}

// caveatTime reads one RFC 3339 time of a caveat's context.
func caveatTime(m map[string]any, key string) (time.Time, error) {
	text, _ := m[key].(string)
	return time.Parse(time.RFC3339, text)
}

package domain

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// span is the span of windows written "FROM/UNTIL" with "" for no start or
// no end, e.g. span("2030-01-01T00:00:00Z/", "/2029-01-01T00:00:00Z").
func span(t *testing.T, windows ...string) Span {
	t.Helper()
	var ws []Window
	for _, w := range windows {
		from, until, _ := strings.Cut(w, "/")
		var win Window
		if from != "" {
			win.Start = at(from)
		}
		if until != "" {
			win.End = EndAt(at(until))
		}
		ws = append(ws, win)
	}
	s, ok := SpanOfWindows(ws)
	if !ok {
		t.Fatalf("windows %v never count", windows)
	}
	return s
}

const (
	jan = "2030-01-01T00:00:00Z"
	feb = "2030-02-01T00:00:00Z"
	mar = "2030-03-01T00:00:00Z"
	apr = "2030-04-01T00:00:00Z"
)

func TestSpanUnionAndIntersect(t *testing.T) {
	for _, tt := range []struct {
		name       string
		a, b       []string
		union      string
		intersect  string // "" when they never count together
		caveatFree bool   // the union needs no caveat (no start anywhere)
	}{
		{name: "two ends: the later", a: []string{"/" + jan}, b: []string{"/" + feb}, union: " until " + feb, intersect: " until " + jan, caveatFree: true},
		{name: "an end and never", a: []string{"/" + jan}, b: []string{"/"}, union: "", intersect: " until " + jan, caveatFree: true},
		{name: "a start and no start", a: []string{jan + "/"}, b: []string{"/" + feb}, union: "", intersect: " from " + jan + " until " + feb, caveatFree: true},
		{name: "touching windows join", a: []string{"/" + jan}, b: []string{jan + "/" + feb}, union: " until " + feb, intersect: "", caveatFree: true},
		{name: "overlapping windows join", a: []string{jan + "/" + mar}, b: []string{feb + "/" + apr}, union: " from " + jan + " until " + apr, intersect: " from " + feb + " until " + mar},
		{name: "disjoint windows stay apart", a: []string{jan + "/" + feb}, b: []string{mar + "/"}, union: " from " + jan + " until " + feb + " and from " + mar, intersect: ""},
		{name: "a window within another", a: []string{jan + "/" + apr}, b: []string{feb + "/" + mar}, union: " from " + jan + " until " + apr, intersect: " from " + feb + " until " + mar},
		{name: "a late start cuts two windows", a: []string{"/" + feb, mar + "/"}, b: []string{jan + "/"}, union: "", intersect: " from " + jan + " until " + feb + " and from " + mar, caveatFree: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := span(t, tt.a...), span(t, tt.b...)
			for _, u := range []Span{Union(a, b), Union(b, a)} {
				if u.Text() != tt.union {
					t.Errorf("union: %q, want %q", u.Text(), tt.union)
				}
				if !u.HasStart() != tt.caveatFree {
					t.Errorf("union %q has a start: %v, want %v", u.Text(), u.HasStart(), !tt.caveatFree)
				}
			}
			for _, pair := range [][2]Span{{a, b}, {b, a}} {
				i, ok := Intersect(pair[0], pair[1])
				if tt.intersect == "" {
					if ok {
						t.Errorf("intersection: %q, want none", i.Text())
					}
				} else if !ok || i.Text() != tt.intersect {
					t.Errorf("intersection: %q (%v), want %q", i.Text(), ok, tt.intersect)
				}
			}
		})
	}
}

func TestSpanCountsAt(t *testing.T) {
	s := span(t, jan+"/"+feb, mar+"/")
	for _, tt := range []struct {
		at   string
		want bool
	}{
		{"2029-12-31T23:59:59Z", false},
		{jan, true},
		{"2030-01-31T23:59:59Z", true},
		{feb, false}, // an end is the first moment it no longer counts
		{"2030-02-28T23:59:59Z", false},
		{mar, true},
		{"9999-12-31T23:59:59Z", true},
	} {
		if got := s.CountsAt(at(tt.at)); got != tt.want {
			t.Errorf("at %s: %v, want %v", tt.at, got, tt.want)
		}
	}
	if s.End() != (End{}) {
		t.Errorf("end %v, want never: its last window never ends", s.End())
	}
	if !(Span{}).CountsAt(at(jan)) || !(Span{}).Always() {
		t.Error("the zero span should count always")
	}
}

func TestBetween(t *testing.T) {
	if _, ok := Between(at(feb), EndAt(at(jan))); ok {
		t.Error("a start after the end should never count")
	}
	if _, ok := Between(at(jan), EndAt(at(jan))); ok {
		t.Error("a start at the end should never count")
	}
	s, ok := Between(at(jan).Add(300*time.Millisecond), End{})
	if !ok || s.Windows()[0].Start != at(jan).Add(time.Second) {
		t.Errorf("a start within a second should round up to the next: %v", s.Windows())
	}
	if s, _ := Between(time.Time{}, EndAt(at(jan))); s.HasStart() || s != Until(EndAt(at(jan))) {
		t.Errorf("no start should be only the end: %+v", s)
	}
}

// TestSpanEdges: starts before 1970 keep their sign, an end at CEL's last
// second reads back as that end while it is the expiration too, and a span
// stands only once its last, endless window has begun.
func TestSpanEdges(t *testing.T) {
	old := span(t, "1969-12-31T23:59:00Z/1970-01-01T00:10:00Z", jan+"/")
	if ws := old.Windows(); len(ws) != 2 || !ws[0].Start.Equal(at("1969-12-31T23:59:00Z")) || ws[0].End != EndAt(at("1970-01-01T00:10:00Z")) {
		t.Errorf("a start before 1970 came back as %v", ws)
	}
	last := EndAt(at("9999-12-31T23:59:59Z"))
	s, _ := Between(at(jan), last)
	name, context := s.Caveat()
	back, err := SpanOfCaveat(name, context, s.End())
	if err != nil || back != s {
		t.Errorf("an end at 9999-12-31T23:59:59Z came back as %v (%v), want %v", back, err, s)
	}
	endless, _ := Between(at(jan), End{})
	name, context = endless.Caveat()
	if back, err := SpanOfCaveat(name, context, End{}); err != nil || back != endless {
		t.Errorf("no end came back as %v (%v)", back, err)
	}
	for _, tt := range []struct {
		s    Span
		at   string
		want bool
	}{
		{endless, "2029-12-31T23:59:59Z", false},
		{endless, jan, true},
		{s, feb, false},
		{span(t, "/"+feb, mar+"/"), jan, false},
		{span(t, "/"+feb, mar+"/"), mar, true},
		{Span{}, jan, true},
	} {
		if got := tt.s.StandsAt(at(tt.at)); got != tt.want {
			t.Errorf("%q stands at %s: %v, want %v", tt.s.Text(), tt.at, got, tt.want)
		}
	}
}

// TestRelationshipsKeepTheirSpan: a relationship's span goes in and comes
// back whole, and a state holds one relationship per key whatever its span.
func TestRelationshipsKeepTheirSpan(t *testing.T) {
	r := Rel(Object{TypeClient, "c"}, "shared_with", Object{TypeUser, "u"})
	later := r.Lasting(span(t, jan+"/"+feb, mar+"/"+apr))
	if later.Expires != EndAt(at(apr)) || !later.During.HasStart() || later.Span() != span(t, jan+"/"+feb, mar+"/"+apr) {
		t.Fatalf("lasting: %+v", later)
	}
	s := NewState(later)
	if !s.HasKey(r) || s.SpanOf(r) != later.Span() {
		t.Fatalf("state lost the span: %v", s.SpanOf(r))
	}
	s.Add(r.Lasting(Until(EndAt(at(feb)))))
	if all := s.All(); len(all) != 1 || all[0].During.HasStart() || all[0].Expires != EndAt(at(feb)) {
		t.Fatalf("a new span should replace the old: %v", all)
	}
	s.Add(later)
	if c := s.CountingAt(at("2030-02-15T00:00:00Z")); c.HasKey(r) {
		t.Error("between its windows, the relationship should not count")
	}
	if c := s.CountingAt(at("2030-03-15T00:00:00Z")); !c.HasKey(r) {
		t.Error("in its second window, the relationship should count")
	}
	s.RemoveKey(r)
	if len(s.All()) != 0 {
		t.Errorf("RemoveKey left %v", s.All())
	}
}

package spicedb_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// TestBusinessHoursAtTheirEdges: business hours open and close at their
// local times in their own zones, with no write at either moment
// (scenarios.HoursEdges). The clock is set to the second either side of
// each edge.
func TestBusinessHoursAtTheirEdges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, conn := testenv.Start(t)
	if _, err := w.Apply(ctx, testenv.Parsed(t, scenarios.HoursEdgeEvents)); err != nil {
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
	for _, tt := range scenarios.HoursEdges {
		clock = at(t, tt.At)
		d, err := c.Check(ctx, tt.Question(), "")
		if err != nil || d.Allowed != tt.Want || d.Conditional {
			t.Errorf("%s at %s (%s): allowed %v conditional %v (%v), want %v", tt.Who, tt.At, tt.Local, d.Allowed, d.Conditional, err, tt.Want)
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
	for _, want := range []string{"during mon 09:00-17:00, tue 09:00-17:00", "fri 09:00-17:00, sat 22:00-24:00, sun 00:00-02:00 (Australia/Sydney), which has clients view: full, and its conditions did not hold", "(its conditions did not hold, with now 2026-04-06T07:00:00Z)"} {
		if !strings.Contains(all, want) {
			t.Errorf("explain says\n%s\nwant it to name %q", all, want)
		}
	}
}

package spicedb_test

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// TestGrantsCountInTheirWindows: grants that start later count from their
// start and stop at their end, at the moment Ward asks at, with no write at
// either moment: a check, a bulk check, both lookups and explain, through a
// client whose clock is set to moments before, in and between the windows.
// One person holds two roles that give the same access in windows apart, so
// the access written out for them carries both windows.
func TestGrantsCountInTheirWindows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, conn := testenv.Start(t)
	_, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"workspace.created","workspace":"dw","owner":"dwo","preset":"cliniko"}
{"type":"role.defined","workspace":"dw","role":"front","grants":{"clients":{"view":"all"}}}
{"type":"role.defined","workspace":"dw","role":"back","grants":{"clients":{"view":"all"}}}
{"type":"staff.added","workspace":"dw","user":"loc","role":"front","starts_at":"2030-01-01T00:00:00Z","expires_at":"2030-02-01T00:00:00Z"}
{"type":"role.assigned","workspace":"dw","user":"loc","role":"back","starts_at":"2030-03-01T00:00:00Z"}
{"type":"staff.added","workspace":"dw","user":"prac","role":"practitioner"}
{"type":"role.defined","workspace":"dw","role":"ownish","grants":{"clients":{"view":"own"}}}
{"type":"staff.added","workspace":"dw","user":"sh","role":"ownish"}
{"type":"client.created","workspace":"dw","client":"dc","practitioner":"prac"}
{"type":"patient.shared","workspace":"dw","client":"dc","user":"sh","starts_at":"2030-01-01T00:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Read back and planned again, the same events write nothing: the
	// windows go into SpiceDB's caveat and come back the same.
	again, err := w.Apply(ctx, testenv.Parsed(t, `{"type":"role.assigned","workspace":"dw","user":"loc","role":"back","starts_at":"2030-03-01T00:00:00Z"}
{"type":"patient.shared","workspace":"dw","client":"dc","user":"sh","starts_at":"2030-01-01T00:00:00Z"}`))
	if err != nil || again.Touched != 0 || again.Deleted != 0 {
		t.Fatalf("re-applying wrote %d and deleted %d (%v), want nothing", again.Touched, again.Deleted, err)
	}

	var clock time.Time
	c := spicedb.NewWithConfig(conn, slog.New(slog.DiscardHandler), spicedb.Config{Now: func() time.Time { return clock }})
	svc := service.New(c, slog.New(slog.DiscardHandler))
	loc := domain.Object{Type: domain.TypeUser, ID: "loc"}
	sh := domain.Object{Type: domain.TypeUser, ID: "sh"}
	client := domain.Object{Type: domain.TypeClient, ID: "dc"}
	for _, tt := range []struct {
		at       string
		loc, sh  bool
		locWhy   string // a reason explain gives loc, "" for none asked
		locNoWhy string // a role it must not give as granting
	}{
		{at: "2029-12-31T23:59:59Z", locWhy: "loc holds role front workspace-wide from 2030-01-01T00:00:00Z until 2030-02-01T00:00:00Z, which does not count now"},
		{at: "2030-01-01T00:00:00Z", loc: true, sh: true, locWhy: "loc holds role front workspace-wide from 2030-01-01T00:00:00Z until 2030-02-01T00:00:00Z, which has clients view: full"},
		{at: "2030-01-31T23:59:59.5Z", loc: true, sh: true},
		{at: "2030-02-01T00:00:00Z", sh: true, locWhy: "loc holds role back workspace-wide from 2030-03-01T00:00:00Z, which does not count now"},
		{at: "2030-02-28T12:00:00Z", sh: true},
		{at: "2030-03-01T00:00:00Z", loc: true, sh: true, locWhy: "loc holds role back workspace-wide from 2030-03-01T00:00:00Z, which has clients view: full", locNoWhy: "front"},
		{at: "2031-06-01T00:00:00Z", loc: true, sh: true},
	} {
		t.Run(tt.at, func(t *testing.T) {
			clock = at(t, tt.at)
			for _, q := range []struct {
				who  domain.Object
				want bool
			}{{loc, tt.loc}, {sh, tt.sh}} {
				d, err := c.Check(ctx, domain.Question{Subject: q.who, Permission: "view", Resource: client}, "")
				if err != nil || d.Allowed != q.want {
					t.Errorf("%s view %s: %v (%v), want %v", q.who, client, d.Allowed, err, q.want)
				}
			}
			bulk, _, err := c.CheckBulk(ctx, []domain.Question{{Subject: loc, Permission: "view", Resource: client}, {Subject: sh, Permission: "view", Resource: client}}, "")
			if err != nil || bulk[0].Allowed != tt.loc || bulk[1].Allowed != tt.sh {
				t.Errorf("bulk: %+v (%v), want %v, %v", bulk, err, tt.loc, tt.sh)
			}
			ids, _, _, err := c.LookupResourcesPage(ctx, loc, "view", domain.TypeClient, domain.Given{}, "", "", 10)
			if err != nil || (len(ids) == 1) != tt.loc {
				t.Errorf("loc's clients: %v (%v), want them: %v", ids, err, tt.loc)
			}
			var streamed []string
			if _, err := c.StreamResources(ctx, loc, "view", domain.TypeClient, domain.Given{}, "", func(f domain.Found) error { streamed = append(streamed, f.ID); return nil }); err != nil || (len(streamed) == 1) != tt.loc {
				t.Errorf("loc's clients streamed: %v (%v), want them: %v", streamed, err, tt.loc)
			}
			found, _, _, err := c.LookupSubjectsPage(ctx, client, "view", domain.Given{}, "", "", 50)
			who := domain.FoundIDs(found)
			if err != nil || slices.Contains(who, "loc") != tt.loc || slices.Contains(who, "sh") != tt.sh {
				t.Errorf("who sees %s: %v (%v), want loc %v, sh %v", client, who, err, tt.loc, tt.sh)
			}
			if tt.locWhy == "" {
				return
			}
			ex, _, err := svc.Explain(ctx, domain.Question{Subject: loc, Permission: "view", Resource: client}, "")
			if err != nil || ex.Allowed != tt.loc {
				t.Fatalf("explain: %+v (%v), want allowed %v", ex, err, tt.loc)
			}
			var texts []string
			for _, r := range ex.Reasons {
				texts = append(texts, r.Text)
			}
			if !slices.Contains(texts, tt.locWhy) {
				t.Errorf("explain gave %q, want %q", texts, tt.locWhy)
			}
			if tt.locNoWhy != "" && slices.ContainsFunc(ex.Reasons, func(r domain.Reason) bool { return r.Grants && strings.Contains(r.Text, tt.locNoWhy) }) {
				t.Errorf("explain gave %q, granting by %q: that grant has ended", texts, tt.locNoWhy)
			}
		})
	}
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestChunkedWritesCarryWindows: a write large enough for the chunked path
// (PostgreSQL's, here over memdb) stores each relationship's windows as the
// API does, reads them back the same, and refuses the caveat on a relation
// that does not take it, writing nothing.
func TestChunkedWritesCarryWindows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := spicedb.ChunkedMemoryClient(t)
	started, _ := domain.Between(time.Now().Add(-time.Hour), domain.End{})
	later, _ := domain.SpanOfWindows([]domain.Window{
		{Start: at(t, "2030-01-01T00:00:00Z"), End: domain.EndAt(at(t, "2030-02-01T00:00:00Z"))},
		{Start: at(t, "2030-03-01T00:00:00Z")},
	})
	n := 2*spicedb.RowsPerStatement + 10
	rel := func(i int) domain.Relationship {
		r := domain.Rel(domain.Object{Type: domain.TypeClient, ID: "w-" + strconv.Itoa(i)}, "shared_with", domain.Object{Type: domain.TypeUser, ID: "u"})
		if i%2 == 0 {
			return r.Lasting(later)
		}
		return r.Lasting(started)
	}
	var w domain.Write
	for i := range n {
		w.Updates = append(w.Updates, domain.Update{Op: domain.Create, Rel: rel(i)})
	}
	bad := domain.Rel(domain.Object{Type: domain.TypeClient, ID: "w-bad"}, "practitioner", domain.Object{Type: domain.TypeUser, ID: "u"}).Lasting(later)
	if _, err := c.Write(ctx, domain.Write{Updates: append(slices.Clone(w.Updates), domain.Update{Op: domain.Create, Rel: bad})}); err == nil {
		t.Fatal("a caveat on client#practitioner, which takes none, should be refused")
	}
	if rels, _, _ := c.ReadAll(ctx, "", []domain.Filter{domain.ByPrefix(domain.TypeClient, "w-")}); len(rels) != 0 {
		t.Fatalf("the refused write left %d relationships", len(rels))
	}
	if _, err := c.Write(ctx, w); err != nil {
		t.Fatal(err)
	}
	rels, _, err := c.ReadAll(ctx, "", []domain.Filter{domain.ByPrefix(domain.TypeClient, "w-")})
	if err != nil || len(rels) != n {
		t.Fatalf("read back %d of %d (%v)", len(rels), n, err)
	}
	for _, r := range rels {
		i, _ := strconv.Atoi(strings.TrimPrefix(r.Resource.ID, "w-"))
		if want := rel(i); r != want {
			t.Fatalf("read back %v, wrote %v", r, want)
		}
	}
}

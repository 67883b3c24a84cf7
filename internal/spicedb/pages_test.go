package spicedb

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/domain"
)

// TestPageCacheBounds: the cache holds at most its entries and its bytes,
// dropping the least recently used answers first, and never an answer larger
// than all its bytes.
func TestPageCacheBounds(t *testing.T) {
	t.Parallel()
	ids := func(n int) []domain.Found {
		out := make([]domain.Found, n)
		for i := range out {
			out[i] = domain.Found{ID: fmt.Sprintf("id%04d", i)} // 6 bytes and a 40-byte header: 46 each
		}
		return out
	}
	p := newPageCache(2, 2000)
	p.put("a", ids(10))
	p.put("b", ids(10))
	p.get("a") // a is now the more recently used
	p.put("c", ids(10))
	if _, ok := p.get("b"); ok {
		t.Error("b, the least recently used, outlived a third entry in a cache of two")
	}
	if _, ok := p.get("a"); !ok {
		t.Error("a was dropped though it was used more recently than b")
	}
	p.put("d", ids(40)) // 1841 bytes: a and c (461 each) must go
	if n, bytes := p.len(); n != 1 || bytes > 2000 {
		t.Errorf("%d answers, %d bytes; want d alone, within 2000 bytes", n, bytes)
	}
	p.put("e", ids(50)) // 2301 bytes: larger than the whole cache
	if _, ok := p.get("e"); ok {
		t.Error("an answer larger than the cache was kept")
	}
	if _, ok := p.get("d"); !ok {
		t.Error("an answer too large to keep pushed out d")
	}
	off := newPageCache(-1, 1000)
	off.put("a", ids(1))
	if _, ok := off.get("a"); ok {
		t.Error("a cache turned off kept an answer")
	}
}

// TestPagesWithoutTheCache: when the cache no longer holds a list (dropped, or
// another Ward instance served the first page), a later page repeats the
// lookup at exactly the cursor's revision: the same list, without what was
// written since.
func TestPagesWithoutTheCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := memoryClient(t)
	c.pages = newPageCache(-1, 0)
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, `{"type":"client.created","workspace":"p1","client":"k%02d","practitioner":"olivia"}`+"\n", i)
	}
	apply := func(jsonl string) {
		t.Helper()
		applyEvents(t, c, jsonl)
	}
	apply(b.String())
	olivia := domain.Object{Type: domain.TypeUser, ID: "olivia"}
	var got []string
	page, cursor, first, err := c.LookupResourcesPage(ctx, olivia, "view", domain.TypeClient, domain.Given{}, "", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, domain.FoundIDs(page)...)
	apply(`{"type":"client.created","workspace":"p1","client":"zz","practitioner":"olivia"}`)
	for cursor != "" {
		var at string
		page, cursor, at, err = c.LookupResourcesPage(ctx, olivia, "view", domain.TypeClient, domain.Given{}, "", cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		if at != first {
			t.Errorf("a later page was read at %s, the first at %s", at, first)
		}
		got = append(got, domain.FoundIDs(page)...)
	}
	// ann and the 30 k's, not zz.
	if len(got) != 31 || !slices.IsSorted(got) || slices.Contains(got, "zz") {
		t.Errorf("paged %v, want ann and k00-k29 as they were at the first page", got)
	}
}

// TestCursorsCannotBeForged: a cursor is signed; one changed by hand (to
// read at another revision, or from another position) is refused, as is
// one signed with another key, while another client with the same key (a
// second Ward instance) pages on from it.
func TestCursorsCannotBeForged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := []byte("a key the instances share")
	var emb *Embedded
	c, before := memoryClientWith(t, func(e *Embedded) Config { emb = e; return Config{CursorKey: key} })
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, `{"type":"client.created","workspace":"p1","client":"k%02d","practitioner":"olivia"}`+"\n", i)
	}
	applyEvents(t, c, b.String())
	olivia := domain.Object{Type: domain.TypeUser, ID: "olivia"}
	first, cur, _, err := c.LookupResourcesPage(ctx, olivia, "view", domain.TypeClient, domain.Given{}, "", "", 10)
	if err != nil || cur == "" {
		t.Fatalf("first page: %v, cursor %q, %v", first, cur, err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(cur)
	if err != nil {
		t.Fatal(err)
	}
	forge := func(change func(*cursor)) string {
		var c cursor
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		change(&c)
		b, _ := json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	logger := slog.New(slog.DiscardHandler)
	same := NewWithConfig(emb.Conn(), logger, Config{CursorKey: key})
	other := NewWithConfig(emb.Conn(), logger, Config{CursorKey: []byte("another key")})
	for name, tc := range map[string]struct {
		c      *Client
		cursor string
		ok     bool
	}{
		"unchanged, on another instance with the same key": {same, cur, true},
		"signed with another key":                          {other, cur, false},
		"moved to an earlier revision":                     {c, forge(func(c *cursor) { c.Revision = before }), false},
		"moved back to the start":                          {c, forge(func(c *cursor) { c.After = "" }), false},
		"without its signature":                            {c, forge(func(c *cursor) { c.MAC = "" }), false},
	} {
		page, _, _, err := tc.c.LookupResourcesPage(ctx, olivia, "view", domain.TypeClient, domain.Given{}, "", tc.cursor, 10)
		var e *domain.Error
		switch {
		case tc.ok && (err != nil || len(page) != 10 || page[0].ID <= first[len(first)-1].ID):
			t.Errorf("%s: %v, %v; want the next 10 after %s", name, page, err, first[len(first)-1].ID)
		case !tc.ok && (!errors.As(err, &e) || e.Code != domain.CodeInvalid || e.Field != fieldCursor):
			t.Errorf("%s: %v, %v; want 400 naming the cursor", name, page, err)
		}
	}
}

// TestEmptyLookupsNameARevision: a lookup that finds nothing still answers
// a ZedToken (SpiceDB names none without results): the one asked with, or
// else one read after it; paged and streamed alike.
func TestEmptyLookupsNameARevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, token := memoryClient(t)
	nobody := domain.Object{Type: domain.TypeUser, ID: "nobody"}
	gone := domain.Object{Type: domain.TypeClient, ID: "never-created"}
	for _, given := range []string{"", token} {
		page, next, at, err := c.LookupResourcesPage(ctx, nobody, "view", domain.TypeClient, domain.Given{}, given, "", 10)
		if err != nil || len(page) != 0 || next != "" || at == "" || (given != "" && at != given) {
			t.Errorf("resources of nobody, token %q: %v %q at %q, %v", given, page, next, at, err)
		}
		subjects, _, at, err := c.LookupSubjectsPage(ctx, gone, "view_notes", domain.Given{}, given, "", 10)
		if err != nil || len(subjects) != 0 || at == "" {
			t.Errorf("subjects of a client never created, token %q: %v at %q, %v", given, subjects, at, err)
		}
		at, err = c.StreamResources(ctx, nobody, "view", domain.TypeClient, domain.Given{}, given, func(domain.Found) error { return nil })
		if err != nil || at == "" {
			t.Errorf("streamed resources of nobody, token %q: at %q, %v", given, at, err)
		}
	}
}

package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/pgadmin"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// countingConn counts the LookupResources calls made through it.
type countingConn struct {
	grpc.ClientConnInterface
	lookups atomic.Int64
}

func (c *countingConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if strings.HasSuffix(method, "/LookupResources") {
		c.lookups.Add(1)
	}
	return c.ClientConnInterface.NewStream(ctx, desc, method, opts...)
}

// pagingStack serves Ward's API over an in-process SpiceDB whose
// LookupResources calls it counts.
func pagingStack(t testing.TB) (*client.Client, *countingConn) {
	t.Helper()
	return pagingStackOn(t, spicedb.EmbeddedConfig{})
}

func pagingStackOn(t testing.TB, cfg spicedb.EmbeddedConfig) (*client.Client, *countingConn) {
	t.Helper()
	_, conn := testenv.StartWith(t, cfg)
	counted := &countingConn{ClientConnInterface: conn}
	logger := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(httpapi.New(service.New(spicedb.New(counted, logger), logger), httpapi.Config{}))
	t.Cleanup(srv.Close)
	return client.New(srv.URL, "", srv.Client()), counted
}

// TestPagedLookupComputesOnce: paging a list to its end makes one lookup in
// SpiceDB, not one a page; every page is read at the first page's revision,
// so a client created meanwhile joins the next listing, not this one; and a
// cursor Ward did not answer is the caller's error.
func TestPagedLookupComputesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, counted := pagingStack(t)
	if _, err := c.ApplyEvents(ctx, testenv.Events(t, scenarios.PractitionerWithClients(250))); err != nil {
		t.Fatal(err)
	}
	list := func(created string) (ids []string, tokens map[string]bool, pages int) {
		tokens = map[string]bool{}
		req := api.LookupResourcesRequest{Subject: "user:p", Permission: "view", ResourceType: "client", Limit: 20}
		for {
			page, err := c.LookupResources(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			ids = append(ids, page.Resources...)
			tokens[page.ZedToken] = true
			if page.Cursor == "" {
				return ids, tokens, pages
			}
			if created != "" && pages == 1 {
				if _, err := c.ApplyEvents(ctx, testenv.Events(t, fmt.Sprintf(`{"type":"client.created","workspace":"w","client":%q,"practitioner":"p"}`, created))); err != nil {
					t.Fatal(err)
				}
			}
			req.Cursor = page.Cursor
		}
	}
	before := counted.lookups.Load()
	ids, tokens, pages := list("c9999")
	if n := counted.lookups.Load() - before; n != 1 {
		t.Errorf("%d pages made %d lookups in SpiceDB, want 1", pages, n)
	}
	if len(ids) != 250 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 250 || slices.Contains(ids, "client:c9999") {
		t.Errorf("paged %d clients (sorted %v), want the 250 there were when the first page was read, each once", len(ids), slices.IsSorted(ids))
	}
	if len(tokens) != 1 {
		t.Errorf("the pages were read at %d revisions, want one", len(tokens))
	}
	if ids, _, _ := list(""); len(ids) != 251 || ids[250] != "client:c9999" {
		t.Errorf("a new listing has %d clients, want 251 ending with c9999", len(ids))
	}

	for _, bad := range []string{"c0019", "bm90IGEgY3Vyc29y"} {
		_, err := c.LookupResources(ctx, api.LookupResourcesRequest{Subject: "user:p", Permission: "view", ResourceType: "client", Limit: 20, Cursor: bad})
		var e *client.Error
		if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Body.Field != "cursor" || e.Body.Code != domain.CodeInvalid {
			t.Errorf("cursor %q: %v, want 400 invalid about field cursor", bad, err)
		}
	}
	first, err := c.LookupResources(ctx, api.LookupResourcesRequest{Subject: "user:p", Permission: "view", ResourceType: "client", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.LookupResources(ctx, api.LookupResourcesRequest{Subject: "user:o", Permission: "view", ResourceType: "client", Limit: 20, Cursor: first.Cursor})
	if e := (*client.Error)(nil); !errors.As(err, &e) || e.Body.Field != "cursor" {
		t.Errorf("another lookup's cursor: %v, want 400 about field cursor", err)
	}
}

// BenchmarkPagedLookup pages to its end the list of a practitioner's 12,500
// clients, 1,000 a page (13 pages), through Ward's HTTP API: one iteration is
// the whole listing. It runs on memdb, and also on PostgreSQL when
// WARD_BENCH_POSTGRES_URI names a server whose user may CREATE DATABASE.
// docs/performance.md, step 29, has the figures before and after Ward kept the
// answer for later pages.
func BenchmarkPagedLookup(b *testing.B) {
	stores := map[string]spicedb.EmbeddedConfig{spicedb.EngineMemory: {}}
	if admin := os.Getenv("WARD_BENCH_POSTGRES_URI"); admin != "" {
		uri, drop, err := pgadmin.CreateDatabase(context.Background(), admin, "ward_bench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(drop)
		stores[spicedb.EnginePostgres] = spicedb.EmbeddedConfig{Engine: spicedb.EnginePostgres, URI: uri, Migrate: true}
	}
	for _, store := range slices.Sorted(maps.Keys(stores)) {
		b.Run(store, func(b *testing.B) {
			ctx := context.Background()
			c, _ := pagingStackOn(b, stores[store])
			if _, err := c.Import(ctx, testenv.Events(b, scenarios.PractitionerWithClients(12500))); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				req := api.LookupResourcesRequest{Subject: "user:p", Permission: "view", ResourceType: "client", Limit: 1000}
				n, pages := 0, 0
				for {
					page, err := c.LookupResources(ctx, req)
					if err != nil {
						b.Fatal(err)
					}
					n += len(page.Resources)
					pages++
					if page.Cursor == "" {
						break
					}
					req.Cursor = page.Cursor
				}
				if n != 12500 || pages != 13 {
					b.Fatalf("%d clients in %d pages, want 12500 in 13", n, pages)
				}
			}
		})
	}
}

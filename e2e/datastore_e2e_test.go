//go:build e2e

package e2e

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/pgadmin"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/testenv"
)

// privatePostgres starts a PostgreSQL of this test's own from the machine's
// binaries (e2e/run.sh needs them anyway), so that the test can stop it without
// taking the suite's shared server away from other tests.
func privatePostgres(t *testing.T) *pgadmin.Cluster {
	t.Helper()
	ctx := context.Background()
	cl, err := pgadmin.NewCluster(ctx, testenv.FreePort(t))
	if err != nil {
		t.Fatalf("a private PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	if err := cl.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return cl
}

// migrate runs SpiceDB's migrations on uri from the SpiceDB image.
func migrate(t *testing.T, uri string) {
	t.Helper()
	requireDocker(t, spicedbImage())
	ctx := context.Background()
	c, err := testcontainers.Run(ctx, spicedbImage(),
		testcontainers.WithCmd("datastore", "migrate", "head", "--datastore-engine", "postgres", "--datastore-conn-uri", uri, "--skip-release-check"),
		hostNetwork(),
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute, wait.ForExit()),
	)
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatalf("migrating %s: %s", pgadmin.Redact(uri), startFailure(c, err))
	}
	if state, err := c.State(ctx); err != nil || state.ExitCode != 0 {
		t.Fatalf("spicedb datastore migrate exited %v (%v); the end of its log:\n%s", state.ExitCode, err, logTail(c))
	}
}

// serveInProcess runs `ward serve --datastore postgres` in this process.
func serveInProcess(t *testing.T, uri string) string {
	t.Helper()
	return serve(t, server.Config{Addr: "127.0.0.1:0", Datastore: "postgres", DatastoreURI: uri, ShutdownTimeout: 5 * time.Second})
}

// TestPostgresDownAnswersUnavailable stops PostgreSQL under a serving Ward, with
// SpiceDB in Ward's process and in its own container: every read and write
// answers 503 unavailable, as docs/events.md promises (SpiceDB v1.57.1 fails
// them with Internal and Unknown, which Ward answered 500 internal), never
// allowed and never 500; and Ward answers again by itself once PostgreSQL is back.
func TestPostgresDownAnswersUnavailable(t *testing.T) {
	for _, mode := range []string{"in-process", "container"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			pg := privatePostgres(t)
			var base string
			if mode == "in-process" {
				base = serveInProcess(t, pg.URI())
			} else {
				migrate(t, pg.URI())
				sdb := startSpiceDB(t, pg.URI(), false)
				base = startWard(t, sdb, sdb.Token)
			}
			c := client.New(base, "", &http.Client{Timeout: time.Minute})
			if _, err := c.ApplyEvents(ctx, eventsOf(t, scenarios.Base)); err != nil {
				t.Fatal(err)
			}
			granted := api.CheckRequest{Subject: "user:priya", Permission: "view", Resource: "client:ann"}
			if res, err := c.Check(ctx, granted); err != nil || !res.Allowed {
				t.Fatalf("before: %+v %v", res, err)
			}

			if err := pg.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			calls := map[string]func() (any, error){
				"check": func() (any, error) { return c.Check(ctx, granted) },
				"bulk check": func() (any, error) {
					return c.CheckBulk(ctx, api.BulkCheckRequest{Checks: []api.BulkCheckItem{{Subject: granted.Subject, Permission: granted.Permission, Resource: granted.Resource}}})
				},
				"lookup resources": func() (any, error) {
					return c.LookupResources(ctx, api.LookupResourcesRequest{Subject: "user:priya", Permission: "view", ResourceType: "client"})
				},
				"lookup subjects": func() (any, error) {
					return c.LookupSubjects(ctx, api.LookupSubjectsRequest{Resource: "client:ann", Permission: "view"})
				},
				"streamed lookup": func() (any, error) {
					return c.StreamResources(ctx, api.LookupStreamRequest{Subject: "user:priya", Permission: "view", ResourceType: "client"}, func(string) error { return nil })
				},
				"explain": func() (any, error) { return c.Explain(ctx, granted) },
				"events": func() (any, error) {
					return c.ApplyEvents(ctx, eventsOf(t, `{"type":"staff.added","workspace":"p1","user":"late","role":"receptionist"}`))
				},
			}
			for name, call := range calls {
				res, err := call()
				var e *client.Error
				if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || e.Body.Code != domain.CodeUnavailable {
					t.Errorf("%s with PostgreSQL down: %+v, %v; want 503 unavailable", name, res, err)
				}
			}
			if err := c.Ready(ctx); err == nil {
				t.Error("ready with PostgreSQL down")
			}

			if err := pg.Start(ctx); err != nil {
				t.Fatal(err)
			}
			waitReady(t, c, time.Minute)
			if res, err := c.Check(ctx, granted); err != nil || !res.Allowed {
				t.Errorf("after PostgreSQL came back: %+v %v", res, err)
			}
			late := api.CheckRequest{Subject: "user:late", Permission: "view", Resource: "client:ann"}
			if res, err := c.Check(ctx, late); err != nil || res.Allowed {
				t.Errorf("the refused event must have written nothing: %+v %v", res, err)
			}
			if !t.Failed() {
				t.Logf("%d kinds of call answered 503 with PostgreSQL down", len(calls))
			}
		})
	}
}

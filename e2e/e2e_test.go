//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/testenv"
	"github.com/wardhq/ward/seed"
)

// TestScenariosWithSpiceDBContainer runs every practice story through Ward's
// HTTP API and its CLI, Ward in this process, SpiceDB in a container. One
// `spicedb serve-testing` container gives each run its own datastore (by token).
func TestScenariosWithSpiceDBContainer(t *testing.T) {
	sdb := startSpiceDB(t, "", true)
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			t.Run("http", func(t *testing.T) {
				t.Parallel()
				scenarios.Run(t, sc, func(try int) scenarios.Client {
					base := startWard(t, sdb, fmt.Sprintf("http-%s-%d", sc.Name, try))
					return scenarios.HTTP(context.Background(), client.New(base, "", nil))
				})
			})
			t.Run("cli", func(t *testing.T) {
				t.Parallel()
				scenarios.Run(t, sc, func(try int) scenarios.Client {
					base := startWard(t, sdb, fmt.Sprintf("cli-%s-%d", sc.Name, try))
					return scenarios.CLI(context.Background(), map[string]string{"WARD_SERVER": base})
				})
			})
		})
	}
}

// TestScenariosWithWardImage runs the same stories through Ward's own image.
func TestScenariosWithWardImage(t *testing.T) {
	sdb := startSpiceDB(t, "", true)
	const key = "e2e-api-key-0123456789"
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			t.Run("http", func(t *testing.T) {
				t.Parallel()
				scenarios.Run(t, sc, func(try int) scenarios.Client {
					base := startWardContainer(t, sdb, fmt.Sprintf("image-http-%s-%d", sc.Name, try), key)
					return scenarios.HTTP(context.Background(), client.New(base, key, nil))
				})
			})
			t.Run("cli", func(t *testing.T) {
				t.Parallel()
				scenarios.Run(t, sc, func(try int) scenarios.Client {
					base := startWardContainer(t, sdb, fmt.Sprintf("image-cli-%s-%d", sc.Name, try), key)
					return scenarios.CLI(context.Background(), map[string]string{"WARD_SERVER": base, "WARD_TOKEN": key})
				})
			})
		})
	}
}

// matrix asks every user every question about every object in SpiceDB.
func matrix(t *testing.T, c *client.Client, rels []domain.Relationship) map[string]bool {
	t.Helper()
	users, objects := map[string]bool{}, map[domain.Object]bool{}
	for _, r := range rels {
		if r.Subject.Type == domain.TypeUser && r.Subject.ID != "*" {
			users["user:"+r.Subject.ID] = true
		}
		if _, ok := domain.Permissions[r.Resource.Type]; ok && r.Resource.Type != domain.TypeRole {
			objects[r.Resource] = true
		}
	}
	var items []api.BulkCheckItem
	for u := range users {
		for o := range objects {
			for _, p := range domain.Permissions[o.Type] {
				items = append(items, api.BulkCheckItem{Subject: u, Permission: p.Name, Resource: o.String()})
			}
		}
	}
	out := map[string]bool{}
	for start := 0; start < len(items); start += 1000 {
		chunk := items[start:min(start+1000, len(items))]
		res, err := c.CheckBulk(context.Background(), api.BulkCheckRequest{Checks: chunk})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res.Results {
			if r.Error != nil {
				t.Fatalf("%v: %s", chunk[i], r.Error.Message)
			}
			out[fmt.Sprint(chunk[i])] = r.Allowed
		}
	}
	return out
}

func export(t *testing.T, sdb *SpiceDB) []domain.Relationship {
	t.Helper()
	var rels []domain.Relationship
	if err := sdb.client(t, sdb.Token).Export(context.Background(), func(r domain.Relationship) error {
		rels = append(rels, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(rels, domain.CompareRelationships)
	return rels
}

func waitReady(t *testing.T, c *client.Client, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := c.Ready(context.Background())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Ward did not become ready: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestDurabilityOnPostgres: what Ward acknowledged survives SpiceDB stopping
// and starting again, every relationship (counted) and every decision.
func TestDurabilityOnPostgres(t *testing.T) {
	sdb := startSpiceDB(t, postgresDatabase(t), false)
	c := client.New(startWard(t, sdb, sdb.Token), "", nil)
	ctx := context.Background()
	raws, err := seed.DemoRaw()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyEvents(ctx, raws); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyEvents(ctx, eventsOf(t, `{"type":"workspace.created","workspace":"p2","owner":"hugo","preset":"caspen"}
{"type":"client.created","workspace":"p2","client":"zed","practitioner":"hugo"}
{"type":"staff.disabled","workspace":"riverside","user":"pete"}
{"type":"note.finalized","workspace":"riverside","note":"ann-2"}`)); err != nil {
		t.Fatal(err)
	}
	before := export(t, sdb)
	decisions := matrix(t, c, before)

	timeout := 10 * time.Second
	if err := sdb.C.Stop(ctx, &timeout); err != nil {
		t.Fatal(err)
	}
	if err := sdb.C.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sdb.waitHealthy(t)
	waitReady(t, c, time.Minute)

	after := export(t, sdb)
	if len(after) != len(before) || !slices.Equal(after, before) {
		t.Fatalf("after a restart SpiceDB holds %d relationships, %d before", len(after), len(before))
	}
	again := matrix(t, c, after)
	changed := 0
	for q, allowed := range decisions {
		if again[q] != allowed {
			changed++
			t.Errorf("%s: %v before the restart, %v after", q, allowed, again[q])
		}
	}
	t.Logf("%d relationships and %d decisions identical across a SpiceDB restart", len(after), len(decisions))
}

// TestFailsClosedAndRecovers stops SpiceDB under a serving Ward: answers are
// errors (never allowed), readiness turns false, requests in flight are applied
// whole or not at all, and Ward recovers on its own when SpiceDB returns.
func TestFailsClosedAndRecovers(t *testing.T) {
	sdb := startSpiceDB(t, postgresDatabase(t), false)
	base := startWard(t, sdb, sdb.Token)
	c := client.New(base, "", &http.Client{Timeout: 30 * time.Second})
	ctx := context.Background()
	if _, err := c.ApplyEvents(ctx, eventsOf(t, scenarios.Base)); err != nil {
		t.Fatal(err)
	}
	granted := api.CheckRequest{Subject: "user:priya", Permission: "view", Resource: "client:ann"}

	// Writers keep adding a practitioner and their client, two events a request.
	type outcome struct {
		i   int
		err error
	}
	stop := make(chan struct{})
	results := make(chan outcome, 10000)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += 4 {
				select {
				case <-stop:
					return
				default:
				}
				_, err := c.ApplyEvents(ctx, eventsOf(t, fmt.Sprintf(`{"type":"staff.added","workspace":"p1","user":"u%d","role":"practitioner"}
{"type":"client.created","workspace":"p1","client":"k%d","practitioner":"u%d"}`, i, i, i)))
				results <- outcome{i, err}
				if err != nil {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	timeout := time.Duration(0)
	if err := sdb.C.Stop(ctx, &timeout); err != nil {
		t.Fatal(err)
	}

	// Down: fail closed.
	var apiErr *client.Error
	if res, err := c.Check(ctx, granted); err == nil || !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
		t.Errorf("check with SpiceDB down: %+v, %v; want 503", res, err)
	}
	if res, err := c.CheckBulk(ctx, api.BulkCheckRequest{Checks: []api.BulkCheckItem{{Subject: granted.Subject, Permission: granted.Permission, Resource: granted.Resource}}}); err == nil {
		t.Errorf("bulk check with SpiceDB down answered %+v", res)
	}
	if err := c.Ready(ctx); err == nil || !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with SpiceDB down: %v, want 503", err)
	}
	if err := c.Healthy(ctx); err != nil {
		t.Errorf("healthz (Ward's own liveness) with SpiceDB down: %v", err)
	}
	failed := api.CheckRequest{Subject: "user:late", Permission: "view", Resource: "client:ann"}
	late := eventsOf(t, `{"type":"staff.added","workspace":"p1","user":"late","role":"receptionist"}`)
	if _, err := c.ApplyEvents(ctx, late); err == nil || !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
		t.Errorf("events with SpiceDB down: %v, want 503", err)
	}
	close(stop)
	wg.Wait()
	close(results)

	// Back: Ward recovers without a restart.
	if err := sdb.C.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sdb.waitHealthy(t)
	waitReady(t, c, time.Minute)
	if res, err := c.Check(ctx, granted); err != nil || !res.Allowed {
		t.Errorf("check after recovery: %+v %v", res, err)
	}
	if res, err := c.Check(ctx, failed); err != nil || res.Allowed {
		t.Errorf("the refused request must have written nothing: %+v %v", res, err)
	}
	if _, err := c.ApplyEvents(ctx, late); err != nil {
		t.Errorf("retrying the refused request: %v", err)
	}
	if res, err := c.Check(ctx, failed); err != nil || !res.Allowed {
		t.Errorf("after the retry: %+v %v", res, err)
	}

	// Every request is whole or absent: the practitioner exists exactly when
	// their client does, and every acknowledged one exists.
	state := domain.NewState()
	for _, r := range export(t, sdb) {
		state.Add(r)
	}
	pr := domain.Practice{S: state, WS: "p1"}
	acked, refused := 0, 0
	for o := range results {
		staff := pr.IsMember(fmt.Sprintf("u%d", o.i))
		clientExists := domain.WorkspaceOf(state, domain.Object{Type: domain.TypeClient, ID: fmt.Sprintf("k%d", o.i)}) == "p1"
		if staff != clientExists {
			t.Errorf("request %d was half-written: staff %v, client %v", o.i, staff, clientExists)
		}
		if o.err == nil {
			acked++
			if !staff {
				t.Errorf("request %d was acknowledged but is missing", o.i)
			}
		} else {
			refused++
		}
	}
	if acked == 0 || refused == 0 {
		t.Errorf("the fault did not interrupt writers: %d acknowledged, %d refused", acked, refused)
	}
	t.Logf("%d requests acknowledged, %d refused while SpiceDB was down; none half-written", acked, refused)
}

// TestConcurrentClients: many clients apply events to one practice and check
// at once, through two Ward instances; every acknowledged event is visible to
// the next check without a token, and the final state is exactly what the
// acknowledged events describe.
func TestConcurrentClients(t *testing.T) {
	sdb := startSpiceDB(t, postgresDatabase(t), false)
	wards := []*client.Client{client.New(startWard(t, sdb, sdb.Token), "", nil), client.New(startWard(t, sdb, sdb.Token), "", nil)}
	c := wards[0]
	ctx := context.Background()
	if _, err := c.ApplyEvents(ctx, eventsOf(t, scenarios.Base)); err != nil {
		t.Fatal(err)
	}
	const clients, requests = 16, 10
	var mu sync.Mutex
	var acknowledged []string
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := wards[w%len(wards)]
			for r := range requests {
				id := fmt.Sprintf("%d-%d", w, r)
				ev := fmt.Sprintf(`{"type":"staff.added","workspace":"p1","user":"s%s","role":"practitioner","location":"north"}
{"type":"client.created","workspace":"p1","client":"c%s","location":"north","practitioner":"s%s"}
{"type":"patient.shared","workspace":"p1","client":"c%s","user":"rita"}`, id, id, id, id)
				applied, err := c.ApplyEvents(ctx, eventsOf(t, ev))
				if err != nil {
					t.Errorf("client %d request %d: %v", w, r, err)
					continue
				}
				mu.Lock()
				acknowledged = append(acknowledged, ev)
				mu.Unlock()
				res, err := c.Check(ctx, api.CheckRequest{Subject: "user:s" + id, Permission: "view_notes", Resource: "client:c" + id})
				if err != nil || !res.Allowed {
					t.Errorf("read-your-write for %s (no token given): %+v %v", id, res, err)
				}
				if applied.ZedToken == "" {
					t.Errorf("no zedtoken for %s", id)
				}
			}
		}()
	}
	wg.Wait()

	want := domain.NewState()
	events := eventsParsed(t, scenarios.Base+"\n"+strings.Join(acknowledged, "\n"))
	plan, err := domain.PlanEvents(events, domain.NewState())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range plan.Touch {
		want.Add(r)
	}
	// Every object the events created has taken its ID.
	for _, o := range plan.Created {
		want.Add(domain.IDTaken(o))
	}
	// Who granted what is kept with when it was granted, which replaying
	// the events cannot tell: those records are counted, not compared.
	granted := func(r domain.Relationship) bool {
		return r.Resource.Type == domain.TypeAccessReview && r.Relation == "granted"
	}
	var got []string
	gotGranted, wantGranted := 0, 0
	for _, r := range export(t, sdb) {
		switch {
		case granted(r):
			gotGranted++
		case r.Relation != "lock":
			got = append(got, r.String())
		}
	}
	var wantS []string
	for _, r := range want.All() {
		if granted(r) {
			wantGranted++
			continue
		}
		wantS = append(wantS, r.String())
	}
	if gotGranted != wantGranted {
		t.Errorf("%d records of who granted what, the acknowledged events describe %d", gotGranted, wantGranted)
	}
	slices.Sort(got)
	if !slices.Equal(got, wantS) {
		t.Errorf("final state has %d relationships, the acknowledged events describe %d", len(got), len(wantS))
		for _, r := range wantS {
			if !slices.Contains(got, r) {
				t.Errorf("lost: %s", r)
			}
		}
		for _, r := range got {
			if !slices.Contains(wantS, r) {
				t.Errorf("unexpected: %s", r)
			}
		}
	}
	t.Logf("%d requests from %d clients, %d relationships, none lost or duplicated", len(acknowledged), clients, len(got))
}

// TestEmbeddedPostgresSurvivesRestart: `ward serve --datastore postgres` runs
// SpiceDB in-process on PostgreSQL (migrating it at start), and what it
// acknowledged is still there after Ward itself restarts.
func TestEmbeddedPostgresSurvivesRestart(t *testing.T) {
	uri := postgresDatabase(t)
	check := api.CheckRequest{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann"}
	run := func(load bool) bool {
		ctx, cancel := context.WithCancel(context.Background())
		addrc, errc := make(chan string, 1), make(chan error, 1)
		cfg := server.Config{Addr: "127.0.0.1:0", Datastore: "postgres", DatastoreURI: uri, ShutdownTimeout: 5 * time.Second}
		go func() { errc <- server.Run(ctx, cfg, slog.New(slog.DiscardHandler), func(a string) { addrc <- a }) }()
		var c *client.Client
		select {
		case addr := <-addrc:
			c = client.New("http://"+addr, "", nil)
		case err := <-errc:
			cancel()
			t.Fatalf("ward serve --datastore postgres: %v", err)
		}
		defer func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("shutdown: %v", err)
			}
		}()
		if load {
			if _, err := c.ApplyEvents(context.Background(), eventsOf(t, scenarios.Base)); err != nil {
				t.Fatal(err)
			}
		}
		res, err := c.Check(context.Background(), check)
		if err != nil {
			t.Fatal(err)
		}
		return res.Allowed
	}
	if !run(true) {
		t.Fatal("the base practice does not grant priya her client's notes")
	}
	if !run(false) {
		t.Error("after Ward restarted on the same PostgreSQL, the practice is gone")
	}
}

// TestNoStaleDecisionAcrossInstances: two Ward processes, each with its own
// in-process SpiceDB on one PostgreSQL; 16 clients write on one and check on
// the other at once, without tokens: right after a patient.shared is
// acknowledged the practitioner sees the client, and right after the
// patient.unshared they do not, on the other instance too (pairLoad).
// (Before Ward read the datastore's newest revision itself, 4 of 1,280 and
// 11 of 3,200 such answers were stale: SpiceDB's shared HeadRevision query.)
// 10,016 pairs; WARD_E2E_PAIR_ROUNDS sets the rounds per worker.
func TestNoStaleDecisionAcrossInstances(t *testing.T) {
	uri := postgresDatabase(t)
	bin := filepath.Join(t.TempDir(), "ward")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ward").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/ward: %v\n%s", err, out)
	}
	wards := []*client.Client{client.New(wardProcess(t, bin, uri), "", nil), client.New(wardProcess(t, bin, uri), "", nil)}
	rounds := pairRounds(t)
	newPairLoad(t, wards, "nx", pairWorkers).runHealthy(t, rounds)
	// Both processes appended to the ledger in the datastore's PostgreSQL at
	// once: every write and every check on a client is one record.
	verifyAudit(t, wards[1], int64(4*pairWorkers*rounds))
}

// wardProcess runs bin (`ward serve`) on PostgreSQL uri as its own process
// and returns its base URL once it answers; it is stopped when the test ends.
func wardProcess(t *testing.T, bin, uri string) string {
	t.Helper()
	addr := "127.0.0.1:" + testenv.FreePort(t)
	logPath := filepath.Join(t.TempDir(), "ward.log")
	logs, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	cmd := exec.Command(bin, "serve", "--datastore", "postgres", "--datastore-uri", uri, "--addr", addr)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
	}
	out, _ := os.ReadFile(logPath)
	t.Fatalf("ward serve did not answer within 2 minutes; its log:\n%s", out)
	return ""
}

//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/testenv"
)

// cluster is docker-compose.cluster.yml started for one test: PostgreSQL,
// three SpiceDB nodes with dispatch, and two Ward instances on nodes 1 and 2.
type cluster struct {
	t       *testing.T
	project string
	env     []string
	wards   []*client.Client
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	compose(t)
	requireDocker(t, postgresImage(), spicedbImage(), wardImage())
	ports := []string{testenv.FreePort(t), testenv.FreePort(t)}
	c := &cluster{t: t, project: fmt.Sprintf("ward-e2e-cluster-%d", os.Getpid()), env: append(composeEnv,
		"POSTGRES_IMAGE="+postgresImage(), "SPICEDB_IMAGE="+spicedbImage(), "WARD_IMAGE="+wardImage(),
		"WARD_1_PORT="+ports[0], "WARD_2_PORT="+ports[1])}
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := c.compose("logs", "--no-color", "--tail", "15")
			var short []string
			for _, line := range strings.Split(out, "\n") {
				if len(line) > 300 {
					line = line[:300] + " ..."
				}
				short = append(short, line)
			}
			t.Logf("the cluster's logs, last lines of each:\n%s", strings.Join(short, "\n"))
		}
		if out, err := c.compose("down", "-v", "--remove-orphans", "-t", "5"); err != nil {
			t.Errorf("stopping the cluster: %v\n%s", err, out)
		}
	})
	start := time.Now()
	if out, err := c.compose("up", "-d"); err != nil {
		t.Fatalf("starting the cluster: %v\n%s", err, out)
	}
	for _, port := range ports {
		w := client.New("http://127.0.0.1:"+port, "e2e-ward-api-key-0123456789", nil)
		waitReady(t, w, 3*time.Minute)
		c.wards = append(c.wards, w)
	}
	t.Logf("cluster up and ready in %s", time.Since(start).Round(time.Second))
	return c
}

// compose runs compose on the cluster's file and project; even `up` ends
// within six minutes.
func (c *cluster) compose(args ...string) (string, error) {
	return composeFileWithin(c.t, "../docker-compose.cluster.yml", c.project, 6*time.Minute, nil, c.env, args...)
}

// container is the ID of service's container.
func (c *cluster) container(service string) string {
	c.t.Helper()
	out, err := c.compose("ps", "-q", service)
	id := strings.TrimSpace(out)
	if err != nil || id == "" {
		c.t.Fatalf("no container for %s: %v\n%s", service, err, out)
	}
	return id
}

func (c *cluster) docker(args ...string) error {
	if out, err := exec.Command("docker", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// waitHealthy waits for service's container to pass its health check.
func (c *cluster) waitHealthy(service string, within time.Duration) error {
	id := c.container(service)
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		out, _ := exec.Command("docker", "inspect", "-f", "{{.State.Health.Status}}", id).Output()
		if strings.TrimSpace(string(out)) == "healthy" {
			return nil
		}
	}
	return fmt.Errorf("%s was not healthy within %s", service, within)
}

// pairLoad has workers write on one Ward instance and check on the other at
// once: a new client shared with a practitioner who sees only their own and
// shared clients, then unshared, each followed by a check without a token on
// the other instance. (A share is the write a clinic makes most, and one of
// the cheapest: until December 2026 the load added and removed a staff
// member, about fifty relationships and up to three rounds of reads each;
// docs/deployment.md has both paces.) Each worker has a practice of its
// own, so that writes do not queue behind each other's. An answer that contradicts
// an acknowledged write is wrong; an error is not (failing closed is
// allowed), but it leaves the question's state unknown until proven at the
// end.
type pairLoad struct {
	wards   []*client.Client
	workers int
	prefix  string // of the load's practices and people

	pairs, wrong, failed atomic.Int64
	mu                   sync.Mutex
	// acked is, for each question (may the worker's practitioner view a
	// round's client?), the answer its last acknowledged write calls for:
	// true after patient.shared, false after patient.unshared; questions
	// whose last write failed are left out.
	acked map[api.BulkCheckItem]bool
	first []string // the first few wrong answers
}

func newPairLoad(t *testing.T, wards []*client.Client, prefix string, workers int) *pairLoad {
	t.Helper()
	l := &pairLoad{wards: wards, workers: workers, prefix: prefix, acked: map[api.BulkCheckItem]bool{}}
	// One request a practice: all of them at once are more than an external
	// SpiceDB takes in one transaction.
	for w := range workers {
		ws := fmt.Sprintf("%s%d", prefix, w)
		events := fmt.Sprintf(`{"type":"workspace.created","workspace":%q,"owner":"o%d","preset":"caspen"}
{"type":"staff.added","workspace":%q,"user":"%s-own","role":"practitioner"}
{"type":"staff.added","workspace":%q,"user":"%s-sees","role":"practitioner"}`, ws, w, ws, ws, ws, ws)
		if _, err := wards[0].ApplyEvents(context.Background(), eventsOf(t, events)); err != nil {
			t.Fatalf("creating the load's practice %s: %v", ws, err)
		}
	}
	return l
}

// runHealthy runs rounds per worker where nothing is disturbed: every call
// must succeed and no answer may be stale.
func (l *pairLoad) runHealthy(t *testing.T, rounds int) {
	t.Helper()
	start := time.Now()
	l.run(context.Background(), t, rounds)
	if f := l.failed.Load(); f > 0 {
		t.Fatalf("%d calls failed", f)
	}
	if l.pairs.Load() < int64(l.workers*rounds*2) {
		t.Fatalf("only %d write-then-check pairs ran", l.pairs.Load())
	}
	l.reportWrong(t)
	t.Logf("%d write-on-one, check-on-the-other pairs in %s, %d stale", l.pairs.Load(), time.Since(start).Round(time.Second), l.wrong.Load())
}

// run runs rounds per worker (until ctx ends when rounds is 0).
func (l *pairLoad) run(ctx context.Context, t *testing.T, rounds int) {
	progress := time.NewTicker(30 * time.Second)
	defer progress.Stop()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		for {
			select {
			case <-progress.C:
				t.Logf("%d pairs so far, %d errors, %d wrong", l.pairs.Load(), l.failed.Load(), l.wrong.Load())
			case <-finished:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; rounds == 0 || r < rounds; r++ {
				if ctx.Err() != nil {
					return
				}
				l.round(t, w, r)
			}
		}()
	}
	wg.Wait()
}

func (l *pairLoad) round(t *testing.T, w, r int) {
	ws := fmt.Sprintf("%s%d", l.prefix, w)
	u, c := ws+"-sees", fmt.Sprintf("%s-c%d", ws, r)
	q := api.BulkCheckItem{Subject: "user:" + u, Permission: "view", Resource: "client:" + c}
	writer, checker := l.wards[(w+r)%2], l.wards[(w+r+1)%2]
	for _, step := range []struct {
		events string
		want   bool
	}{
		{fmt.Sprintf(`{"type":"client.created","workspace":%q,"client":%q,"practitioner":"%s-own"}
{"type":"patient.shared","workspace":%q,"client":%q,"user":%q}`, ws, c, ws, ws, c, u), true},
		{fmt.Sprintf(`{"type":"patient.unshared","workspace":%q,"client":%q,"user":%q}`, ws, c, u), false},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		_, err := writer.ApplyEvents(ctx, eventsOf(t, step.events))
		cancel()
		l.mu.Lock()
		if err != nil {
			delete(l.acked, q)
		} else {
			l.acked[q] = step.want
		}
		l.mu.Unlock()
		if err != nil {
			l.failed.Add(1)
			return // the question's state is unknown: the next round asks another
		}
		ctx, cancel = context.WithTimeout(context.Background(), 15*time.Second)
		res, err := checker.Check(ctx, api.CheckRequest{Subject: q.Subject, Permission: q.Permission, Resource: q.Resource})
		cancel()
		if err != nil {
			l.failed.Add(1)
			continue
		}
		l.pairs.Add(1)
		if res.Allowed != step.want {
			l.wrong.Add(1)
			l.mu.Lock()
			if len(l.first) < 5 {
				l.first = append(l.first, fmt.Sprintf("%s view %s right after the write was acknowledged on the other instance: allowed=%v, want %v", u, c, res.Allowed, step.want))
			}
			l.mu.Unlock()
		}
	}
}

// verify checks, on both instances, that every acknowledged write holds.
func (l *pairLoad) verify(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var items []api.BulkCheckItem
	var want []bool
	for q, answer := range l.acked {
		items = append(items, q)
		want = append(want, answer)
	}
	lost := 0
	for _, ward := range l.wards {
		for i := 0; i < len(items); i += 100 {
			end := min(i+100, len(items))
			res, err := ward.CheckBulk(context.Background(), api.BulkCheckRequest{Checks: items[i:end]})
			if err != nil {
				t.Fatalf("checking what was acknowledged: %v", err)
			}
			for j, r := range res.Results {
				if r.Error != nil {
					t.Fatalf("checking %+v: %+v", items[i+j], r.Error)
				}
				if r.Allowed != want[i+j] {
					lost++
					if lost <= 5 {
						t.Errorf("%+v: allowed=%v, but the last acknowledged write says %v", items[i+j], r.Allowed, want[i+j])
					}
				}
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged writes do not hold", lost, 2*len(items))
	}
	t.Logf("all %d acknowledged answers (a share or an unshare each) hold on both instances", len(items))
}

func (l *pairLoad) reportWrong(t *testing.T) {
	t.Helper()
	if n := l.wrong.Load(); n > 0 {
		t.Errorf("%d of %d answers contradicted an acknowledged write, e.g.\n%s", n, l.pairs.Load(), strings.Join(l.first, "\n"))
	}
}

// TestCluster runs docker-compose.cluster.yml: three SpiceDB nodes with
// dispatch on one PostgreSQL and two Ward instances, each on its own node.
func TestCluster(t *testing.T) {
	c := startCluster(t)

	// Write-on-one, check-on-the-other pairs across two Ward instances on two
	// SpiceDB nodes: none may be stale. With --tokenless-reads
	// fully-consistent, 380 of 10,016 were (docs/deployment.md).
	t.Run("no stale decision across nodes", func(t *testing.T) {
		rounds := pairRounds(t)
		newPairLoad(t, c.wards, "ns", pairWorkers).runHealthy(t, rounds)
		verifyAudit(t, c.wards[1], int64(4*pairWorkers*rounds))
	})

	t.Run("faults under load", func(t *testing.T) {
		testClusterFaults(t, c)
	})
}

// pairWorkers write on one instance and check on the other at once.
const pairWorkers = 16

// pairRounds is how many rounds (two pairs each) every pair worker runs:
// WARD_E2E_PAIR_ROUNDS, by default 313, so that 16 workers make 10,016 pairs.
func pairRounds(t *testing.T) int {
	t.Helper()
	rounds, err := strconv.Atoi(env("WARD_E2E_PAIR_ROUNDS", "313"))
	if err != nil || rounds < 1 {
		t.Fatalf("WARD_E2E_PAIR_ROUNDS=%q: give a positive number of rounds (two pairs each, per worker)", os.Getenv("WARD_E2E_PAIR_ROUNDS"))
	}
	return rounds
}

// fault is one disturbance of the cluster: inject it, hold it, heal it.
type fault struct {
	name   string
	inject func() error
	hold   time.Duration
	heal   func() error
}

func testClusterFaults(t *testing.T, c *cluster) {
	network := c.project + "_default"
	restart := func(services ...string) func() error {
		return func() error {
			for _, s := range services {
				if err := c.docker("restart", "-t", "10", c.container(s)); err != nil {
					return err
				}
				if err := c.waitHealthy(s, 2*time.Minute); err != nil {
					return err
				}
			}
			return nil
		}
	}
	faults := []fault{
		{name: "stop SpiceDB node 2 (ward-2's)", hold: 8 * time.Second,
			inject: func() error { return c.docker("stop", "-t", "5", c.container("spicedb-2")) },
			heal:   func() error { return c.docker("start", c.container("spicedb-2")) }},
		{name: "cut SpiceDB node 3 off the network", hold: 8 * time.Second,
			inject: func() error { return c.docker("network", "disconnect", network, c.container("spicedb-3")) },
			heal: func() error {
				return c.docker("network", "connect", "--alias", "spicedb-3", "--alias", "spicedb-dispatch", network, c.container("spicedb-3"))
			}},
		{name: "rolling restart: SpiceDB 1, 2, 3, then Ward 1, 2",
			inject: restart("spicedb-1", "spicedb-2", "spicedb-3", "ward-1", "ward-2")},
		{name: "restart PostgreSQL",
			inject: func() error { return c.docker("restart", "-t", "10", c.container("postgres")) }},
	}

	l := newPairLoad(t, c.wards, "fl", pairWorkers)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.run(ctx, t, 0); close(done) }()
	defer func() { stop(); <-done }()
	time.Sleep(3 * time.Second) // the load is running before the first fault

	type outcome struct {
		name                  string
		pairs, failed, wrong  int64
		faultFor, recoveredIn time.Duration
	}
	var outcomes []outcome
	for _, f := range faults {
		p0, f0, w0 := l.pairs.Load(), l.failed.Load(), l.wrong.Load()
		start := time.Now()
		if err := f.inject(); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		time.Sleep(f.hold)
		if f.heal != nil {
			if err := f.heal(); err != nil {
				t.Fatalf("%s: healing: %v", f.name, err)
			}
		}
		healed := time.Now()
		recovered := c.recovered(t, 3*time.Minute)
		if recovered < 0 {
			t.Fatalf("%s: the cluster did not answer a write and a check on both instances within 3 minutes of healing", f.name)
		}
		time.Sleep(2 * time.Second) // the load runs on the healed cluster for a moment
		outcomes = append(outcomes, outcome{f.name, l.pairs.Load() - p0, l.failed.Load() - f0, l.wrong.Load() - w0,
			healed.Sub(start), recovered})
	}
	stop()
	<-done
	var report strings.Builder
	fmt.Fprintf(&report, "%-52s %8s %8s %8s %11s %9s %12s\n", "fault", "pairs", "errors", "wrong", "error rate", "lasted", "recovered in")
	for _, o := range outcomes {
		rate := float64(o.failed) / float64(max(1, o.pairs+o.failed))
		fmt.Fprintf(&report, "%-52s %8d %8d %8d %10.1f%% %9s %12s\n", o.name, o.pairs, o.failed, o.wrong, 100*rate,
			o.faultFor.Round(100*time.Millisecond), o.recoveredIn.Round(100*time.Millisecond))
	}
	t.Logf("faults under load, %d workers writing on one instance and checking on the other:\n%s", pairWorkers, report.String())
	l.reportWrong(t)
	l.verify(t)
}

// recovered is how long it takes, from now, until both instances acknowledge
// a write and answer a check right (negative past within).
func (c *cluster) recovered(t *testing.T, within time.Duration) time.Duration {
	start := time.Now()
	for i := 0; time.Since(start) < within; i++ {
		ok := true
		for n, w := range c.wards {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			u, k := fmt.Sprintf("probe-u%d-%d", n, i), fmt.Sprintf("probe-c%d-%d", n, i)
			_, err := w.ApplyEvents(ctx, eventsOf(t, fmt.Sprintf(`{"type":"staff.added","workspace":"fl0","user":%q,"role":"practitioner"}
{"type":"client.created","workspace":"fl0","client":%q,"practitioner":%q}`, u, k, u)))
			if err == nil {
				var res api.CheckResponse
				res, err = c.wards[1-n].Check(ctx, api.CheckRequest{Subject: "user:" + u, Permission: "view", Resource: "client:" + k})
				if err == nil && !res.Allowed {
					err = errors.New("the probe's practitioner cannot see their own client")
				}
			}
			cancel()
			if err != nil {
				ok = false
				break
			}
		}
		if ok {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return -1
}

//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
)

var composeEnv = []string{"POSTGRES_PASSWORD=e2e-postgres-password", "SPICEDB_PRESHARED_KEY=e2e-spicedb-key-0123456789", "WARD_API_KEY=e2e-ward-api-key-0123456789"}

// stackProject is the compose project TestComposeStackStarts runs
// docker-compose.yml as; .ci/run removes what is left of any ward-e2e* project.
const stackProject = "ward-e2e"

// compose returns the compose command available here: `docker compose` (v2)
// or Debian's `docker-compose` (v1).
func compose(t *testing.T) []string {
	t.Helper()
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}
	}
	if path, err := exec.LookPath("docker-compose"); err == nil {
		return []string{path}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no compose tool in CI: install Debian's docker-compose (apt-get install -y docker-compose; .ci/run does)")
	}
	t.Skip("neither `docker compose` nor `docker-compose` is installed")
	return nil
}

func runCompose(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	return runComposeWithin(t, 2*time.Minute, nil, env, args...)
}

// runComposeWithin runs compose on docker-compose.yml as project ward-e2e
// (composeFileWithin).
func runComposeWithin(t *testing.T, within time.Duration, progress *lineLogger, env []string, args ...string) (string, error) {
	t.Helper()
	return composeFileWithin(t, "../docker-compose.yml", stackProject, within, progress, env, args...)
}

// composeFileWithin runs compose on file as project, killed after within;
// with progress set, each line it prints is logged as it comes (go test -v
// shows them at once).
func composeFileWithin(t *testing.T, file, project string, within time.Duration, progress *lineLogger, env []string, args ...string) (string, error) {
	t.Helper()
	tool := compose(t)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool[0], append(append(tool[1:], "-f", file, "-p", project), args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	if progress != nil {
		cmd.Stdout = progress.tee(&out)
	} else {
		cmd.Stdout = &out
	}
	cmd.Stderr = cmd.Stdout
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("compose %s did not finish within %s: %w", strings.Join(args, " "), within, err)
	}
	return out.String(), err
}

// lineLogger logs whole lines written to it, with the time since start.
type lineLogger struct {
	t     *testing.T
	start time.Time
	mu    sync.Mutex
	buf   []byte
}

func (l *lineLogger) logf(format string, args ...any) {
	l.t.Logf("[%5.1fs] %s", time.Since(l.start).Seconds(), fmt.Sprintf(format, args...))
}

func (l *lineLogger) tee(also *bytes.Buffer) *teeWriter { return &teeWriter{l: l, also: also} }

type teeWriter struct {
	l    *lineLogger
	also *bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	w.also.Write(p)
	w.l.buf = append(w.l.buf, p...)
	for {
		i := bytes.IndexAny(w.l.buf, "\r\n")
		if i < 0 {
			return len(p), nil
		}
		if line := strings.TrimSpace(string(w.l.buf[:i])); line != "" {
			w.l.logf("%s", line)
		}
		w.l.buf = w.l.buf[i+1:]
	}
}

// TestComposeConfigValidates has the compose tool itself validate the file, and
// refuse it when a required key is missing.
func TestComposeConfigValidates(t *testing.T) {
	if out, err := runCompose(t, composeEnv, "config", "-q"); err != nil {
		t.Fatalf("compose rejects docker-compose.yml: %v\n%s", err, out)
	}
	var withoutKey []string
	for _, kv := range composeEnv {
		if !strings.HasPrefix(kv, "WARD_API_KEY=") {
			withoutKey = append(withoutKey, kv)
		}
	}
	cmdEnv := append(withoutKey, "WARD_API_KEY=")
	if out, err := runCompose(t, cmdEnv, "config", "-q"); err == nil || !strings.Contains(out, "set WARD_API_KEY") {
		t.Errorf("compose accepted the stack without WARD_API_KEY: %v\n%s", err, out)
	}
}

// TestComposeStackStarts starts docker-compose.yml for real (PostgreSQL,
// SpiceDB's migration, SpiceDB and Ward, each waiting on the one before's
// health check), loads the demo seed through the compose `seed` profile and
// asks Ward on the published 127.0.0.1:8080. Its PostgreSQL is
// ward-postgres:local, which e2e/images/build.sh builds without a registry
// (POSTGRES_IMAGE chooses another, e.g. postgres:16). In CI it never skips: a
// missing tool, image or bridge network fails it with the command that fixes
// it. It always takes the stack down (containers, network and volume).
func TestComposeStackStarts(t *testing.T) {
	compose(t)
	requireDocker(t)
	postgres := postgresImage()
	var missing []string
	for _, img := range []string{postgres, spicedbImage(), wardImage()} {
		if exec.Command("docker", "image", "inspect", img).Run() == nil {
			continue
		}
		fix := "build it: bash e2e/images/build.sh"
		if img == postgres && postgres != "ward-postgres:local" {
			fix = "pull it, or unset POSTGRES_IMAGE for ward-postgres:local, which bash e2e/images/build.sh builds"
		}
		missing = append(missing, "image "+img+" ("+fix+")")
	}
	if exec.Command("docker", "network", "inspect", "bridge").Run() != nil {
		missing = append(missing, "a bridge network (dockerd runs with --bridge=none: start it without --bridge=none --iptables=false, as .ci/run does)")
	}
	if l, err := net.Listen("tcp", "127.0.0.1:8080"); err != nil {
		missing = append(missing, "a free 127.0.0.1:8080 for Ward's published port (something listens there: "+err.Error()+")")
	} else {
		l.Close()
	}
	if len(missing) > 0 {
		msg := "cannot start the compose stack here, missing: " + strings.Join(missing, "; ")
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; TestComposeFileAgreesWithCode and TestComposeConfigValidates still check the file")
	}
	stackEnv := append(slices.Clone(composeEnv), "POSTGRES_IMAGE="+postgres, "SPICEDB_IMAGE="+spicedbImage(), "WARD_IMAGE="+wardImage())
	log := &lineLogger{t: t, start: time.Now()}

	// What an earlier run left (killed before its cleanup) goes first.
	if out, err := runComposeWithin(t, 2*time.Minute, nil, stackEnv, "down", "-v", "--remove-orphans", "-t", "5"); err != nil {
		t.Fatalf("clearing an earlier %s project: %v\n%s", stackProject, err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := runComposeWithin(t, time.Minute, nil, stackEnv, "logs", "--no-color", "--tail", "30")
			t.Logf("the stack's logs, last lines of each service:\n%s", out)
		}
		log.logf("taking the stack down (down -v --remove-orphans)")
		if out, err := runComposeWithin(t, 2*time.Minute, nil, stackEnv, "down", "-v", "--remove-orphans", "-t", "5"); err != nil {
			t.Errorf("taking the stack down: %v\n%s", err, out)
		}
		left := dockerLines(t, "ps", "-aq", "--filter", "label=com.docker.compose.project="+stackProject)
		left = append(left, dockerLines(t, "network", "ls", "-q", "--filter", "label=com.docker.compose.project="+stackProject)...)
		left = append(left, dockerLines(t, "volume", "ls", "-q", "--filter", "label=com.docker.compose.project="+stackProject)...)
		if len(left) > 0 {
			t.Errorf("compose down left containers, networks or volumes of %s: %v", stackProject, left)
		}
		log.logf("stack down")
	})

	// up -d returns once Ward's container is started: compose waits for
	// PostgreSQL's and SpiceDB's health checks and the migration on the way.
	stop := make(chan struct{})
	var watching sync.WaitGroup
	watching.Add(1)
	go func() {
		defer watching.Done()
		watchStack(t, log, stop)
	}()
	out, err := runComposeWithin(t, 6*time.Minute, log, stackEnv, "up", "-d")
	if err == nil {
		err = waitStackHealthy(t, stackEnv, []string{"postgres", "spicedb", "ward"}, 3*time.Minute)
	}
	close(stop)
	watching.Wait()
	if err != nil {
		t.Fatalf("starting the stack: %v\n%s", err, out)
	}
	log.logf("postgres, spicedb and ward healthy; spicedb-migrate done")

	c := client.New("http://127.0.0.1:8080", "e2e-ward-api-key-0123456789", &http.Client{Timeout: 5 * time.Second})
	waitReady(t, c, time.Minute)
	log.logf("Ward ready on 127.0.0.1:8080")
	if out, err := runComposeWithin(t, 3*time.Minute, log, stackEnv, "--profile", "seed", "run", "--rm", "seed"); err != nil {
		t.Fatalf("loading the demo seed (compose --profile seed run --rm seed): %v\n%s", err, out)
	}
	log.logf("demo seed loaded")

	// seed/demo.jsonl and the README's tour: Priya is Ann's practitioner;
	// Rita (receptionist) and Alex (accountant) never read treatment notes.
	for _, q := range []struct {
		subject string
		want    bool
	}{{"user:priya", true}, {"user:rita", false}, {"user:alex", false}} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := c.Check(ctx, api.CheckRequest{Subject: q.subject, Permission: "view_notes", Resource: "client:ann"})
		cancel()
		if err != nil {
			t.Errorf("%s view_notes client:ann through the stack: %v", q.subject, err)
		} else if res.Allowed != q.want {
			t.Errorf("%s view_notes client:ann through the stack: allowed=%v, want %v", q.subject, res.Allowed, q.want)
		}
	}
	log.logf("checks answered through the stack")
}

// watchStack logs every 10 s the state of the stack's containers, until stop.
func watchStack(t *testing.T, log *lineLogger, stop <-chan struct{}) {
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			states := dockerLines(t, "ps", "-a", "--filter", "label=com.docker.compose.project="+stackProject, "--format", "{{.Label \"com.docker.compose.service\"}}: {{.Status}}")
			slices.Sort(states)
			log.logf("waiting: %s", strings.Join(states, ", "))
		}
	}
}

// waitStackHealthy waits for services' containers to pass their health checks
// and for spicedb-migrate to have exited 0.
func waitStackHealthy(t *testing.T, env []string, services []string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var notYet []string
		for _, s := range services {
			out, err := runCompose(t, env, "ps", "-q", s)
			id := strings.TrimSpace(out)
			if err != nil || id == "" {
				notYet = append(notYet, s+" (no container)")
				continue
			}
			health, _ := exec.Command("docker", "inspect", "-f", "{{.State.Health.Status}}", id).Output()
			if h := strings.TrimSpace(string(health)); h != "healthy" {
				notYet = append(notYet, s+" ("+h+")")
			}
		}
		out, _ := runCompose(t, env, "ps", "-q", "spicedb-migrate")
		if id := strings.TrimSpace(out); id != "" {
			state, _ := exec.Command("docker", "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id).Output()
			if s := strings.TrimSpace(string(state)); s != "exited 0" {
				notYet = append(notYet, "spicedb-migrate ("+s+")")
			}
		}
		if len(notYet) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy within %s: %s", within, strings.Join(notYet, ", "))
		}
		time.Sleep(time.Second)
	}
}

// dockerLines runs docker with args and returns its non-empty output lines.
func dockerLines(t *testing.T, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", args...).Output()
	if err != nil {
		t.Logf("docker %s: %v", strings.Join(args, " "), err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/pgadmin"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/internal/testenv"
)

// wardImage is Ward's image; WARD_E2E_WARD_IMAGE overrides it.
func wardImage() string { return env("WARD_E2E_WARD_IMAGE", "ward:local") }

// requireDocker skips without a Docker engine, except in CI, where the suite
// must run in full; it fails when an image is missing rather than pulling.
func requireDocker(t *testing.T, images ...string) {
	t.Helper()
	ctx := context.Background()
	provider, err := testcontainers.NewDockerProvider()
	if err == nil {
		defer provider.Close()
		err = provider.Health(ctx)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Docker engine in CI: %v (.ci/run starts dockerd)", err)
		}
		t.Skipf("no Docker engine (%v): start dockerd to run the e2e suite (see e2e/run.sh)", err)
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	defer cli.Close()
	for _, img := range images {
		if _, err := cli.ImageInspect(ctx, img); err != nil {
			t.Fatalf("image %s is not present: build it with e2e/images/build.sh (no registry is reachable here): %v", img, err)
		}
	}
}

// startFailure says why a container did not start, with the end of its log:
// "container exited with code 1" alone does not tell what to fix.
func startFailure(c *testcontainers.DockerContainer, err error) string {
	if c == nil {
		return err.Error()
	}
	return fmt.Sprintf("%v; the end of its log:\n%s", err, logTail(c))
}

// logTail is the last lines a container logged.
func logTail(c *testcontainers.DockerContainer) string {
	logs, err := c.Logs(context.Background())
	if err != nil {
		return fmt.Sprintf("(its log is unreadable: %v)", err)
	}
	defer logs.Close()
	out, _ := io.ReadAll(logs)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// hostNetwork puts a container on the host's network, the only one here
// (dockerd runs with --bridge=none): testcontainers would otherwise attach it
// to a bridge network of its own, which conflicts with host mode.
func hostNetwork() testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.HostConfigModifier = func(hc *container.HostConfig) { hc.NetworkMode = "host" }
		req.EndpointSettingsModifier = func(m map[string]*network.EndpointSettings) { clear(m) }
		req.Networks = nil
		return nil
	}
}

// SpiceDB is a SpiceDB container.
type SpiceDB struct {
	C        *testcontainers.DockerContainer
	Endpoint string
	Token    string
}

var containerSeq atomic.Int64

// writeLimitFlag lets SpiceDB take Ward's largest atomic write.
func writeLimitFlag() string {
	return fmt.Sprintf("--write-relationships-max-updates-per-call=%d", spicedb.MaxUpdatesPerWrite)
}

// startSpiceDB runs `spicedb serve` (memory, or postgres when uri is set) or,
// with testing, `spicedb serve-testing`, whose every preshared token gets its
// own in-memory datastore.
func startSpiceDB(t *testing.T, uri string, testingMode bool) *SpiceDB {
	t.Helper()
	requireDocker(t, spicedbImage())
	port, metrics := testenv.FreePort(t), testenv.FreePort(t)
	token := fmt.Sprintf("e2e-key-%d", containerSeq.Add(1))
	cmd := []string{"serve", "--grpc-preshared-key", token, "--grpc-addr", "127.0.0.1:" + port,
		"--http-enabled=false", "--metrics-addr", "127.0.0.1:" + metrics,
		"--dispatch-cache-enabled=false", "--dispatch-cluster-cache-enabled=false",
		"--telemetry-endpoint=", "--skip-release-check", writeLimitFlag(), "--datastore-engine", "memory"}
	if uri != "" {
		cmd[len(cmd)-1] = "postgres"
		// As docker-compose.yml recommends: prepared statements (docs/performance.md).
		cmd = append(cmd, "--datastore-conn-uri", spicedb.WithStatementCache(uri))
	}
	if testingMode {
		cmd = []string{"serve-testing", "--grpc-addr", "127.0.0.1:" + port, "--readonly-grpc-enabled=false", "--http-enabled=false", writeLimitFlag()}
	}
	c, err := testcontainers.Run(context.Background(), spicedbImage(),
		testcontainers.WithCmd(cmd...),
		hostNetwork(),
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute,
			wait.ForLog("grpc server started serving"),
			wait.ForExec([]string{"grpc_health_probe", "-addr=127.0.0.1:" + port}).WithExitCode(0)),
	)
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatalf("starting SpiceDB (%s): %s", spicedbImage(), startFailure(c, err))
	}
	return &SpiceDB{C: c, Endpoint: "127.0.0.1:" + port, Token: token}
}

// waitHealthy waits for a restarted SpiceDB container to serve again.
func (s *SpiceDB) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, _, err := s.C.Exec(context.Background(), []string{"grpc_health_probe", "-addr=" + s.Endpoint})
		if err == nil && code == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SpiceDB did not come back: exit %d, %v", code, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// client dials the container directly, for reading back what it holds.
func (s *SpiceDB) client(t *testing.T, token string) *spicedb.Client {
	t.Helper()
	conn, err := spicedb.Dial(spicedb.ExternalConfig{Endpoint: s.Endpoint, Token: token, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return spicedb.New(conn, slog.New(slog.DiscardHandler))
}

// newDatabase creates a fresh, empty database on the PostgreSQL that
// WARD_E2E_POSTGRES_URI names (e2e/run.sh provides one), dropped when the
// test ends, and returns its URI.
func newDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("WARD_E2E_POSTGRES_URI")
	if admin == "" {
		t.Fatal("WARD_E2E_POSTGRES_URI is not set: run the suite with e2e/run.sh, or point it at a PostgreSQL whose user may CREATE DATABASE")
	}
	uri, drop, err := pgadmin.CreateDatabase(context.Background(), admin, "ward_e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return uri
}

// postgresDatabase creates a fresh database on the PostgreSQL that
// WARD_E2E_POSTGRES_URI names (e2e/run.sh provides one), migrated for SpiceDB,
// and returns its URI.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	uri := newDatabase(t)

	requireDocker(t, spicedbImage())
	migrate, err := testcontainers.Run(ctx, spicedbImage(),
		testcontainers.WithCmd("datastore", "migrate", "head", "--datastore-engine", "postgres", "--datastore-conn-uri", uri, "--skip-release-check"),
		hostNetwork(),
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute, wait.ForExit()),
	)
	testcontainers.CleanupContainer(t, migrate)
	if err != nil {
		t.Fatalf("migrating %s: %s", pgadmin.Redact(uri), startFailure(migrate, err))
	}
	state, err := migrate.State(ctx)
	if err != nil || state.ExitCode != 0 {
		t.Fatalf("spicedb datastore migrate exited %v (%v); the end of its log:\n%s", state.ExitCode, err, logTail(migrate))
	}
	return uri
}

// startWard runs Ward in this process against an external SpiceDB and returns
// its base URL; it shuts down when the test ends.
func startWard(t *testing.T, sdb *SpiceDB, token string) string {
	t.Helper()
	return serve(t, server.Config{Addr: "127.0.0.1:0", SpiceDB: spicedb.ExternalConfig{Endpoint: sdb.Endpoint, Token: token, Insecure: true}, ShutdownTimeout: 5 * time.Second, Audit: server.AuditConfig{Dir: t.TempDir()}})
}

// serve runs `ward serve` with cfg in this process and returns its base URL;
// it shuts down when the test ends.
func serve(t *testing.T, cfg server.Config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc, errc := make(chan string, 1), make(chan error, 1)
	go func() { errc <- server.Run(ctx, cfg, slog.New(slog.DiscardHandler), func(a string) { addrc <- a }) }()
	select {
	case addr := <-addrc:
		t.Cleanup(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("ward serve: %v", err)
			}
		})
		return "http://" + addr
	case err := <-errc:
		cancel()
		t.Fatalf("ward serve: %v", err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("ward serve did not start")
	}
	return ""
}

// startWardContainer runs Ward's own image against an external SpiceDB.
func startWardContainer(t *testing.T, sdb *SpiceDB, token, apiKey string) string {
	t.Helper()
	requireDocker(t, wardImage())
	port := testenv.FreePort(t)
	c, err := testcontainers.Run(context.Background(), wardImage(),
		testcontainers.WithEnv(map[string]string{
			"WARD_ADDR":             "127.0.0.1:" + port,
			"WARD_SPICEDB_ENDPOINT": sdb.Endpoint,
			"WARD_SPICEDB_TOKEN":    token,
			"WARD_SPICEDB_INSECURE": "true",
			"WARD_API_KEY":          apiKey,
		}),
		hostNetwork(),
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute,
			wait.ForLog(`"msg":"Ward is serving"`),
			wait.ForExec([]string{"ward", "health", "--ready"}).WithExitCode(0)),
	)
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatalf("starting Ward's image %s: %s", wardImage(), startFailure(c, err))
	}
	if user := containerUser(t, c); user == "" || strings.HasPrefix(user, "0") || user == "root" {
		t.Errorf("Ward's image runs as %q, want a non-root user", user)
	}
	return "http://127.0.0.1:" + port
}

func containerUser(t *testing.T, c *testcontainers.DockerContainer) string {
	t.Helper()
	info, err := c.Inspect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.Config.User
}

func eventsOf(t *testing.T, jsonl string) []json.RawMessage {
	t.Helper()
	raws, err := domain.ReadEventLines(strings.NewReader(jsonl))
	if err != nil {
		t.Fatal(err)
	}
	return raws
}

func eventsParsed(t *testing.T, jsonl string) []domain.Event {
	t.Helper()
	events, err := domain.ReadEvents(strings.NewReader(jsonl))
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// TestMain turns Ryuk (testcontainers' reaper) off unless told otherwise: its
// image cannot be pulled where no registry is reachable, and every container
// here is removed by testcontainers.CleanupContainer when its test ends.
func TestMain(m *testing.M) {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	os.Exit(m.Run())
}

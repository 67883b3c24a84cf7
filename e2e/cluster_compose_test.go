package e2e

import (
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	spicedbcmd "github.com/authzed/spicedb/pkg/cmd"

	"github.com/wardhq/ward/internal/cli"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/spicedb"
)

// TestClusterComposeFileAgreesWithCode holds docker-compose.cluster.yml to
// the code: every SpiceDB node dispatches to every node (one network alias
// they all carry), with telemetry and the dispatch caches off, and the same
// limits as the single-node stack; each Ward instance has its own node and
// reads fresh; every variable names a real flag.
func TestClusterComposeFileAgreesWithCode(t *testing.T) {
	cf, _ := readComposeFile(t, "../docker-compose.cluster.yml")
	spicedbRoot, err := spicedbcmd.BuildRootCommand()
	if err != nil {
		t.Fatal(err)
	}
	serve := findCommand(t, spicedbRoot, []string{"serve"})
	nodes := []string{"spicedb-1", "spicedb-2", "spicedb-3"}
	for _, name := range nodes {
		s, ok := cf.Services[name]
		if !ok {
			t.Fatalf("service %s is missing", name)
		}
		if s.Image != spicedbImage() && os.Getenv("WARD_E2E_SPICEDB_IMAGE") == "" {
			t.Errorf("%s image %s, want %s", name, s.Image, spicedbImage())
		}
		if !slices.Contains(s.Command, "--telemetry-endpoint=") {
			t.Errorf("%s command %v: telemetry must be off", name, s.Command)
		}
		envFlags(t, name, "SPICEDB_", s.Environment, serve)
		for key, want := range map[string]string{
			"SPICEDB_DISPATCH_CLUSTER_ENABLED":                 "true",
			"SPICEDB_DISPATCH_CACHE_ENABLED":                   "false",
			"SPICEDB_DISPATCH_CLUSTER_CACHE_ENABLED":           "false",
			"SPICEDB_WRITE_RELATIONSHIPS_MAX_UPDATES_PER_CALL": strconv.Itoa(spicedb.MaxUpdatesPerWrite),
		} {
			if s.Environment[key] != want {
				t.Errorf("%s: %s=%q, want %q", name, key, s.Environment[key], want)
			}
		}
		host, _, err := net.SplitHostPort(s.Environment["SPICEDB_DISPATCH_UPSTREAM_ADDR"])
		if err != nil || !slices.Contains(s.Networks["default"].Aliases, host) {
			t.Errorf("%s dispatches to %q, which is not a network alias of its own", name, s.Environment["SPICEDB_DISPATCH_UPSTREAM_ADDR"])
		}
		if len(s.Healthcheck.Test) == 0 || s.Restart != "unless-stopped" {
			t.Errorf("%s needs a health check and restart: unless-stopped", name)
		}
	}
	root := cli.NewRoot(cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	used := map[string]bool{}
	for _, name := range []string{"ward-1", "ward-2"} {
		w, ok := cf.Services[name]
		if !ok {
			t.Fatalf("service %s is missing", name)
		}
		envFlags(t, name, "WARD_", w.Environment, findCommand(t, root, w.Command))
		node, _, _ := net.SplitHostPort(w.Environment["WARD_SPICEDB_ENDPOINT"])
		if !slices.Contains(nodes, node) || used[node] {
			t.Errorf("%s uses SpiceDB %q: each instance needs a node of its own", name, node)
		}
		used[node] = true
		if _, ok := w.DependsOn[node]; !ok {
			t.Errorf("%s does not wait for its node %s", name, node)
		}
		if got := w.Environment["WARD_TOKENLESS_READS"]; got != server.ReadsFresh {
			t.Errorf("%s reads %q without a token: a check through one node would miss writes through another (docs/deployment.md)", name, got)
		}
		if len(w.Ports) != 1 || !strings.HasPrefix(w.Ports[0], "127.0.0.1:") {
			t.Errorf("%s ports %v: publish one, on 127.0.0.1", name, w.Ports)
		}
	}
	if pg := cf.Services["postgres"]; !slices.Contains(pg.Command, "track_commit_timestamp=on") {
		t.Errorf("postgres command %v: want track_commit_timestamp=on", pg.Command)
	}
}

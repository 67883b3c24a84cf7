package e2e

import (
	"bytes"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	spicedbcmd "github.com/authzed/spicedb/pkg/cmd"
	"github.com/spf13/cobra"
	"golang.org/x/mod/modfile"
	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/internal/cli"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/spicedb"
)

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Restart     string            `yaml:"restart"`
		Profiles    []string          `yaml:"profiles"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		Networks map[string]struct {
			Aliases []string `yaml:"aliases"`
		} `yaml:"networks"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// readComposeFile reads and parses the compose file at path, with variables
// expanded as compose does when they are unset; it returns the raw text too.
func readComposeFile(t *testing.T, path string) (composeFile, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal([]byte(expand(string(data))), &cf); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	return cf, data
}

// expand substitutes ${VAR:-default} and ${VAR:?message} the way compose does
// when VAR is unset: the default, or a placeholder for required variables.
func expand(s string) string {
	return regexp.MustCompile(`\$\{([A-Z_]+)(:-([^}]*)|:\?[^}]*)?\}`).ReplaceAllStringFunc(s, func(m string) string {
		parts := regexp.MustCompile(`\$\{([A-Z_]+)(:-([^}]*)|:\?[^}]*)?\}`).FindStringSubmatch(m)
		if strings.HasPrefix(parts[2], ":-") {
			return parts[3]
		}
		return "required-" + strings.ToLower(parts[1])
	})
}

// findCommand walks a cobra tree by names, e.g. ["seed", "load"].
func findCommand(t *testing.T, root *cobra.Command, path []string) *cobra.Command {
	t.Helper()
	cmd, rest, err := root.Find(path)
	if err != nil || len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		t.Fatalf("%q is not a command of %s: %v", path, root.Name(), err)
	}
	return cmd
}

// envFlags checks that each PREFIX_NAME variable names a flag of cmd (or of its
// parents).
func envFlags(t *testing.T, service, prefix string, env map[string]string, cmd *cobra.Command) {
	t.Helper()
	for key := range env {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		name := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(key, prefix)), "_", "-")
		if cmd.Flags().Lookup(name) == nil && cmd.InheritedFlags().Lookup(name) == nil {
			t.Errorf("%s: %s names no flag --%s of `%s`", service, key, name, cmd.CommandPath())
		}
	}
}

// TestComposeFileAgreesWithCode holds docker-compose.yml to the code: images,
// commands, flags set through the environment, ports, health checks and
// restart policies.
func TestComposeFileAgreesWithCode(t *testing.T) {
	cf, data := readComposeFile(t, "../docker-compose.yml")
	for _, name := range []string{"postgres", "spicedb-migrate", "spicedb", "ward", "seed"} {
		if _, ok := cf.Services[name]; !ok {
			t.Fatalf("service %s is missing", name)
		}
	}

	// SpiceDB's image matches the version go.mod pins.
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	mf, err := modfile.Parse("go.mod", mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	version := ""
	for _, r := range mf.Require {
		if r.Mod.Path == "github.com/authzed/spicedb" {
			version = r.Mod.Version
		}
	}
	for _, name := range []string{"spicedb", "spicedb-migrate"} {
		if img := cf.Services[name].Image; img != "authzed/spicedb:"+version {
			t.Errorf("%s image %s, want authzed/spicedb:%s (go.mod)", name, img, version)
		}
	}
	if spicedbImage() != "authzed/spicedb:"+version && os.Getenv("WARD_E2E_SPICEDB_IMAGE") == "" {
		t.Errorf("the e2e suite's default SpiceDB image %s does not match go.mod's %s", spicedbImage(), version)
	}

	// SpiceDB's commands and environment name real SpiceDB flags.
	spicedbRoot, err := spicedbcmd.BuildRootCommand()
	if err != nil {
		t.Fatal(err)
	}
	serve := findCommand(t, spicedbRoot, []string{"serve"})
	sdb := cf.Services["spicedb"]
	if sdb.Command[0] != "serve" || !slices.Contains(sdb.Command, "--telemetry-endpoint=") {
		t.Errorf("spicedb command %v: want serve with telemetry off", sdb.Command)
	}
	for _, arg := range sdb.Command[1:] {
		if name, _, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "="); serve.Flags().Lookup(name) == nil && serve.InheritedFlags().Lookup(name) == nil {
			t.Errorf("spicedb: %s is not a flag of spicedb serve", arg)
		}
	}
	envFlags(t, "spicedb", "SPICEDB_", sdb.Environment, serve)
	for _, must := range []string{"SPICEDB_GRPC_PRESHARED_KEY", "SPICEDB_DISPATCH_CACHE_ENABLED", "SPICEDB_DISPATCH_CLUSTER_CACHE_ENABLED"} {
		if _, ok := sdb.Environment[must]; !ok {
			t.Errorf("spicedb does not set %s", must)
		}
	}
	if got, want := sdb.Environment["SPICEDB_WRITE_RELATIONSHIPS_MAX_UPDATES_PER_CALL"], strconv.Itoa(spicedb.MaxUpdatesPerWrite); got != want {
		t.Errorf("spicedb takes %q updates a write; Ward's atomic writes need %s", got, want)
	}
	migrate := cf.Services["spicedb-migrate"]
	migrateCmd := findCommand(t, spicedbRoot, migrate.Command[:2])
	envFlags(t, "spicedb-migrate", "SPICEDB_", migrate.Environment, migrateCmd)
	if migrate.Command[0] != "datastore" || migrate.Command[2] != "head" {
		t.Errorf("spicedb-migrate command %v, want datastore migrate head", migrate.Command)
	}
	grpcAddr := serve.Flags().Lookup("grpc-addr").DefValue

	// Ward's commands and environment name real Ward flags; ports agree.
	root := cli.NewRoot(cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	ward := cf.Services["ward"]
	serveCmd := findCommand(t, root, ward.Command)
	envFlags(t, "ward", "WARD_", ward.Environment, serveCmd)
	_, port, err := net.SplitHostPort(ward.Environment["WARD_ADDR"])
	if err != nil {
		t.Fatalf("WARD_ADDR: %v", err)
	}
	if len(ward.Ports) != 1 || !strings.HasSuffix(ward.Ports[0], ":"+port) || !strings.HasPrefix(ward.Ports[0], "127.0.0.1:") {
		t.Errorf("ward ports %v: want one mapping to container port %s, published on 127.0.0.1", ward.Ports, port)
	}
	if _, p, _ := net.SplitHostPort(ward.Environment["WARD_SPICEDB_ENDPOINT"]); ":"+p != grpcAddr {
		t.Errorf("WARD_SPICEDB_ENDPOINT %s does not reach SpiceDB's gRPC port %s", ward.Environment["WARD_SPICEDB_ENDPOINT"], grpcAddr)
	}
	if ward.Environment["WARD_SPICEDB_TOKEN"] != sdb.Environment["SPICEDB_GRPC_PRESHARED_KEY"] {
		t.Errorf("Ward's SpiceDB token and SpiceDB's preshared key come from different variables")
	}
	if got := ward.Environment["WARD_TOKENLESS_READS"]; got != server.ReadsFullyConsistent {
		t.Errorf("ward reads %q without a token: with one SpiceDB server, fresh reads cost a write per check for nothing (docs/deployment.md)", got)
	}
	health := findCommand(t, root, ward.Healthcheck.Test[2:3])
	if ward.Healthcheck.Test[1] != "ward" || health.Name() != "health" || health.Flags().Lookup("ready") == nil {
		t.Errorf("ward healthcheck %v is not `ward health --ready`", ward.Healthcheck.Test)
	}
	seed := cf.Services["seed"]
	seedCmd := findCommand(t, root, seed.Command)
	envFlags(t, "seed", "WARD_", seed.Environment, seedCmd)
	if seed.Environment["WARD_SERVER"] != "http://ward:"+port || seed.Environment["WARD_TOKEN"] != ward.Environment["WARD_API_KEY"] {
		t.Errorf("seed does not reach ward with its API key: %v", seed.Environment)
	}
	hosts := server.HostsFor(ward.Environment["WARD_ADDR"], strings.Split(ward.Environment["WARD_ALLOWED_HOSTS"], ","))
	if u, err := url.Parse(seed.Environment["WARD_SERVER"]); err != nil || !hosts.Serves(u.Host) {
		t.Errorf("ward refuses the Host the seed calls it by (%v): add it to WARD_ALLOWED_HOSTS", seed.Environment["WARD_SERVER"])
	}
	if !hosts.Serves("127.0.0.1:" + port) {
		t.Errorf("ward refuses 127.0.0.1, which its health check and the published port use")
	}

	// Health checks, restart policies, start order, and data on a named volume.
	for _, name := range []string{"postgres", "spicedb", "ward"} {
		s := cf.Services[name]
		if len(s.Healthcheck.Test) == 0 || s.Restart != "unless-stopped" {
			t.Errorf("%s needs a health check and restart: unless-stopped (has %v, %q)", name, s.Healthcheck.Test, s.Restart)
		}
	}
	for service, dep := range map[string]string{"spicedb-migrate": "postgres", "spicedb": "spicedb-migrate", "ward": "spicedb", "seed": "ward"} {
		if _, ok := cf.Services[service].DependsOn[dep]; !ok {
			t.Errorf("%s does not wait for %s", service, dep)
		}
	}
	// PostgreSQL: registry users keep the official image; SpiceDB's Watch API
	// needs commit timestamps; the image built here (ward-postgres:local) reads
	// every POSTGRES_ variable the file sets, as the official one does.
	pg := cf.Services["postgres"]
	if pg.Image != "postgres:16" {
		t.Errorf("postgres image defaults to %s; registry users get postgres:16", pg.Image)
	}
	if i := slices.Index(pg.Command, "track_commit_timestamp=on"); len(pg.Command) == 0 || pg.Command[0] != "postgres" || i < 1 || pg.Command[i-1] != "-c" {
		t.Errorf("postgres command %v: want postgres ... -c track_commit_timestamp=on", pg.Command)
	}
	entrypoint, err := os.ReadFile("images/postgres/docker-entrypoint.sh")
	if err != nil {
		t.Fatal(err)
	}
	for key := range pg.Environment {
		if strings.HasPrefix(key, "POSTGRES_") && !bytes.Contains(entrypoint, []byte(key)) {
			t.Errorf("postgres sets %s, which ward-postgres:local's entrypoint (e2e/images/postgres) ignores", key)
		}
	}
	if _, ok := cf.Volumes["pgdata"]; !ok || !slices.Contains(cf.Services["postgres"].Volumes, "pgdata:/var/lib/postgresql/data") {
		t.Errorf("PostgreSQL's data is not on the named volume pgdata")
	}
	if !bytes.Contains(data, []byte("${WARD_API_KEY:?")) || !bytes.Contains(data, []byte("${SPICEDB_PRESHARED_KEY:?")) {
		t.Errorf("keys must come from required environment variables")
	}
}

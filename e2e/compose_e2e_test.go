//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
)

var composeEnv = []string{"POSTGRES_PASSWORD=e2e-postgres-password", "SPICEDB_PRESHARED_KEY=e2e-spicedb-key-0123456789", "WARD_API_KEY=e2e-ward-api-key-0123456789"}

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
		t.Fatal("no compose tool in CI (.ci/run installs Debian's docker-compose)")
	}
	t.Skip("neither `docker compose` nor `docker-compose` is installed")
	return nil
}

func runCompose(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	tool := compose(t)
	cmd := exec.Command(tool[0], append(append(tool[1:], "-f", "../docker-compose.yml", "-p", "ward-e2e"), args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
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

// TestComposeStackStarts starts the whole stack and asks Ward a question,
// where this machine can: it needs every image locally and a bridge network.
func TestComposeStackStarts(t *testing.T) {
	compose(t)
	requireDocker(t)
	var missing []string
	for _, img := range []string{env("POSTGRES_IMAGE", "postgres:16"), spicedbImage(), wardImage()} {
		if exec.Command("docker", "image", "inspect", img).Run() != nil {
			missing = append(missing, img)
		}
	}
	if exec.Command("docker", "network", "inspect", "bridge").Run() != nil {
		missing = append(missing, "a bridge network (dockerd runs with --bridge=none)")
	}
	if len(missing) > 0 {
		t.Skipf("cannot start the compose stack here, missing: %s; TestComposeFileAgreesWithCode and TestComposeConfigValidates still check the file", strings.Join(missing, ", "))
	}
	t.Cleanup(func() { _, _ = runCompose(t, composeEnv, "down", "-v") })
	if out, err := runCompose(t, composeEnv, "up", "-d"); err != nil {
		t.Fatalf("compose up: %v\n%s", err, out)
	}
	c := client.New("http://127.0.0.1:8080", "e2e-ward-api-key-0123456789", &http.Client{Timeout: 5 * time.Second})
	waitReady(t, c, 3*time.Minute)
	if out, err := runCompose(t, composeEnv, "--profile", "seed", "run", "--rm", "seed"); err != nil {
		t.Fatalf("loading the demo seed: %v\n%s", err, out)
	}
	res, err := c.Check(context.Background(), api.CheckRequest{Subject: "user:priya", Permission: "view_notes", Resource: "client:ann"})
	if err != nil || !res.Allowed {
		t.Errorf("check against the stack: %+v %v", res, err)
	}
}

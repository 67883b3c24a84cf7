package pgadmin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// Cluster is a private PostgreSQL server run from the machine's own binaries
// (Debian's postgresql package), for tests that must stop and start PostgreSQL
// under a running SpiceDB without disturbing a server anything else uses.
type Cluster struct {
	bin  string // the directory of initdb, pg_ctl and postgres
	dir  string // holds data/ and the server's socket
	port string
	cred *syscall.Credential // who runs the server: PostgreSQL refuses root
}

// NewCluster creates an empty cluster in a new temporary directory, to listen on
// 127.0.0.1:port once started; its user postgres needs no password. Remove
// it with Close. It fails, saying what to install, when the machine has no
// PostgreSQL binaries.
func NewCluster(ctx context.Context, port string) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, port: port}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root; Debian's package creates
		// the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running PostgreSQL as root needs a postgres user to run it as: %w", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if c.dir, err = os.MkdirTemp("", "ward-pg-"); err != nil {
		return nil, err
	}
	if c.cred != nil {
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	if out, err := c.run(ctx, "initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "--no-sync"); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	return c, nil
}

// binDir finds the newest PostgreSQL's binaries: Debian keeps them out of
// PATH, under /usr/lib/postgresql/VERSION/bin.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return va - vb
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL binaries (pg_ctl) on this machine: install them (Debian: apt-get install postgresql)")
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, prog), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// URI is the cluster's postgres database, as its superuser.
func (c *Cluster) URI() string {
	return "postgres://postgres@127.0.0.1:" + c.port + "/postgres?sslmode=disable"
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start(ctx context.Context) error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %s -k %s -c fsync=off -c track_commit_timestamp=on", c.port, c.dir)
	if out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-o", opts, "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("starting PostgreSQL on port %s: %w: %s %s", c.port, err, out, log)
	}
	return nil
}

// Stop stops the server at once, cutting its connections (pg_ctl's immediate
// mode, as when PostgreSQL's machine fails).
func (c *Cluster) Stop(ctx context.Context) error {
	if out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("stopping PostgreSQL: %w: %s", err, out)
	}
	return nil
}

// Close stops the server if it runs and removes its files.
func (c *Cluster) Close() error {
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err == nil {
		_ = c.Stop(context.Background())
	}
	return os.RemoveAll(c.dir)
}

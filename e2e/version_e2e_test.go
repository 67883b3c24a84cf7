//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/spicedb"
)

// lockedBuffer is a log sink several goroutines may write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestExternalSpiceDBVersion: Ward reads the version of the SpiceDB container
// (the one go.mod pins; e2e/images/build.sh stamps it into the binary as
// SpiceDB's release builds do) and, at start, logs it without a warning.
// TestWarnIfOld covers older and silent servers.
func TestExternalSpiceDBVersion(t *testing.T) {
	want := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/authzed/spicedb" {
				want = d.Version
			}
		}
	}
	if want == "" {
		t.Fatal("no SpiceDB version in this test binary's build information")
	}
	sdb := startSpiceDB(t, "", false)
	conn, err := spicedb.Dial(spicedb.ExternalConfig{Endpoint: sdb.Endpoint, Token: sdb.Token, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got, err := spicedb.ServerVersion(context.Background(), conn)
	if err != nil || got != want {
		t.Fatalf("the container says it is %q (%v), want %q: rebuild its image with e2e/images/build.sh", got, err, want)
	}

	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, errc := make(chan struct{}), make(chan error, 1)
	cfg := server.Config{Addr: "127.0.0.1:0", SpiceDB: spicedb.ExternalConfig{Endpoint: sdb.Endpoint, Token: sdb.Token, Insecure: true}, ShutdownTimeout: 5 * time.Second, Audit: server.AuditConfig{Dir: t.TempDir()}}
	go func() {
		errc <- server.Run(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)), func(string) { close(started) })
	}()
	select {
	case <-started:
	case err := <-errc:
		t.Fatalf("ward serve: %v", err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("ward serve: %v", err)
	}
	if out := logs.String(); !strings.Contains(out, "spicedb_version="+want) || strings.Contains(out, "level=WARN") {
		t.Errorf("at start Ward logged, want SpiceDB's version %s and no warning:\n%s", want, out)
	}
}

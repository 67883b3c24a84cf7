package spicedb

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/authzed/authzed-go/pkg/requestmeta"
	"github.com/authzed/authzed-go/pkg/responsemeta"
	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// versionedSchema answers ReadSchema as SpiceDB's serverversion middleware
// does: with its version in the trailer, when the call asked for it.
type versionedSchema struct {
	v1.UnimplementedSchemaServiceServer
	version string
}

func (s versionedSchema) ReadSchema(ctx context.Context, _ *v1.ReadSchemaRequest) (*v1.ReadSchemaResponse, error) {
	if md, _ := metadata.FromIncomingContext(ctx); s.version != "" && len(md.Get(string(requestmeta.RequestServerVersion))) > 0 {
		if err := grpc.SetTrailer(ctx, metadata.Pairs(string(responsemeta.ServerVersion), s.version)); err != nil {
			return nil, err
		}
	}
	return &v1.ReadSchemaResponse{SchemaText: "definition user {}"}, nil
}

// serveVersion serves versionedSchema on a loopback port and dials it.
func serveVersion(t *testing.T, version string) *grpc.ClientConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	v1.RegisterSchemaServiceServer(srv, versionedSchema{version: version})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// TestWarnIfOld: against a SpiceDB older than v1.57.1, Ward warns, naming the
// version it saw and the advisories that version is affected by; against one
// that does not say its version, it says so; against v1.57.1 and newer it
// does not warn.
func TestWarnIfOld(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version string
		want    []string // in the warning; none: no warning
		not     []string
	}{
		{"v1.56.2", []string{"v1.56.2", "GHSA-w278-32qg-48q5", "authzed/spicedb#3431", "upgrade"}, nil},
		{"v1.45.0", []string{"v1.45.0", "GHSA-w278-32qg-48q5"}, []string{"#3431"}},
		{"1.39.0", []string{"1.39.0", "older than v1.57.1"}, []string{"GHSA"}},
		{"v1.57.1-rc.1", []string{"GHSA-w278-32qg-48q5"}, nil},
		{"", []string{"did not tell its version", "GHSA-w278-32qg-48q5"}, nil},
		{"(devel)", []string{"(devel)", "did not tell its version"}, nil},
		{"v1.57.1", nil, nil},
		{"v1.60.0", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			conn := serveVersion(t, tt.version)
			if got, err := ServerVersion(context.Background(), conn); err != nil || got != tt.version {
				t.Fatalf("ServerVersion = %q, %v; want %q", got, err, tt.version)
			}
			var logs bytes.Buffer
			WarnIfOld(context.Background(), conn, slog.New(slog.NewTextHandler(&logs, nil)))
			warned := strings.Contains(logs.String(), "level=WARN")
			if warned != (len(tt.want) > 0) {
				t.Fatalf("warned %v, want %v: %s", warned, len(tt.want) > 0, logs.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(logs.String(), w) {
					t.Errorf("the warning lacks %q: %s", w, logs.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(logs.String(), n) {
					t.Errorf("the warning names %q, which does not affect %s: %s", n, tt.version, logs.String())
				}
			}
		})
	}
}

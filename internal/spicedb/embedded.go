package spicedb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	dsconfig "github.com/authzed/spicedb/pkg/cmd/datastore"
	"github.com/authzed/spicedb/pkg/cmd/server"
	"github.com/authzed/spicedb/pkg/cmd/util"
	"github.com/authzed/spicedb/pkg/datalayer"
	"github.com/authzed/spicedb/pkg/datastore"
	"github.com/authzed/spicedb/pkg/datastore/migration"
	"github.com/authzed/spicedb/pkg/zedtoken"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Engines accepted by EmbeddedConfig.Engine.
const (
	EngineMemory   = "memory"
	EnginePostgres = "postgres"
)

// EmbeddedConfig describes a SpiceDB server run inside Ward's own process.
type EmbeddedConfig struct {
	// Engine is "memory" (the default, lost on exit) or "postgres".
	Engine string
	// URI is the PostgreSQL connection URI; required for the postgres engine.
	URI string
	// Migrate runs the datastore migrations to head before starting (postgres only).
	Migrate bool
	// DispatchCaches turns SpiceDB's dispatch caches on. Ward runs with them
	// off (see StartEmbedded); the switch is for tests and `ward-bench
	// --dispatch-caches`, to measure what they cost and what they buy.
	DispatchCaches bool
	// StreamTimeout is how long SpiceDB lets a stream run without sending a
	// message before it cancels it; 0 means SpiceDB's default (30 s). An
	// import sends none until it is done, so this bounds how long one may take.
	StreamTimeout time.Duration
}

// WithStatementCache returns a PostgreSQL connection string that makes pgx
// prepare each query once per connection and reuse it
// (default_query_exec_mode=cache_statement), unless uri already names a mode.
// SpiceDB's own default, "exec", has PostgreSQL parse and plan every query
// anew; for Ward's checks that planning cost more than running the query
// (docs/performance.md). Both URL and keyword/value strings are accepted.
func WithStatementCache(uri string) string {
	const param = "default_query_exec_mode"
	if uri == "" || strings.Contains(uri, param) {
		return uri
	}
	if !strings.Contains(uri, "://") {
		return uri + " " + param + "=cache_statement"
	}
	// Any #fragment stays last.
	base, frag, hasFrag := strings.Cut(uri, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	out := base + sep + param + "=cache_statement"
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// DefaultStreamTimeout is SpiceDB's own default for how long a stream may run
// without sending a message (`spicedb serve --streaming-api-response-delay-timeout`).
const DefaultStreamTimeout = 30 * time.Second

// Embedded is a running in-process SpiceDB server.
type Embedded struct {
	conn   *grpc.ClientConn
	engine string
	ds     datastore.Datastore
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// presharedKey only guards the in-process buffered listener, which nothing outside
// this process can reach; it is still required by SpiceDB's auth middleware.
const presharedKey = "ward-embedded"

// StartEmbedded starts SpiceDB in this process and returns a connection to it.
// Telemetry is disabled and, unless cfg asks, the dispatch caches are off:
// with them on, SpiceDB keeps granting a relationship from its cache after the
// relationship expires, v1.56 until the next write and v1.57.1 still for as
// long as a cache entry lives (6-16 s measured; docs/performance.md, step 28).
func StartEmbedded(ctx context.Context, cfg EmbeddedConfig, logger *slog.Logger) (*Embedded, error) {
	engine := cfg.Engine
	if engine == "" {
		engine = EngineMemory
	}
	opts := []dsconfig.ConfigOption{dsconfig.DefaultDatastoreConfig().ToOption(), dsconfig.WithEngine(engine)}
	switch engine {
	case EngineMemory:
		// memdb keeps old revisions for its GC window; a short window bounds its memory.
		opts = append(opts, dsconfig.WithGCWindow(time.Minute))
	case EnginePostgres:
		if cfg.URI == "" {
			return nil, errors.New("the postgres datastore needs a connection URI (--datastore-uri or WARD_DATASTORE_URI)")
		}
		if cfg.Migrate {
			if err := migration.Run(ctx, &migration.Config{DatastoreEngine: engine, DatastoreURI: cfg.URI, Timeout: 5 * time.Minute, BatchSize: 1000}, "head"); err != nil {
				return nil, fmt.Errorf("migrating the postgres datastore: %w (is PostgreSQL running and the URI right?)", err)
			}
		}
		// Nothing serves SpiceDB's own metrics registry in Ward, and registering
		// them twice fails: a second in-process datastore (a benchmark's) could not open.
		opts = append(opts, dsconfig.WithURI(WithStatementCache(cfg.URI)), dsconfig.WithEnableDatastoreMetrics(false))
	default:
		return nil, fmt.Errorf("unknown datastore engine %q: use %q or %q", engine, EngineMemory, EnginePostgres)
	}
	ds, err := dsconfig.NewDatastore(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("opening the %s datastore: %w", engine, err)
	}

	srv, err := server.NewConfigWithOptionsAndDefaults(
		server.WithDatastore(ds),
		server.WithPresharedSecureKey(presharedKey),
		server.WithGRPCServer(util.GRPCServerConfig{Network: util.BufferedNetwork, Enabled: true}),
		server.WithHTTPGateway(util.HTTPServerConfig{HTTPEnabled: false}),
		server.WithMetricsAPI(util.HTTPServerConfig{HTTPEnabled: false}),
		server.WithDispatchServer(util.GRPCServerConfig{Enabled: false}),
		server.WithDispatchCacheConfig(dispatchCache("dispatch", "30%", cfg.DispatchCaches)),
		server.WithClusterDispatchCacheConfig(dispatchCache("cluster_dispatch", "70%", cfg.DispatchCaches)),
		server.WithSilentlyDisableTelemetry(true),
		server.WithMaximumUpdatesPerWrite(MaxUpdatesPerWrite),
		server.WithStreamingAPITimeout(cmp.Or(cfg.StreamTimeout, DefaultStreamTimeout)),
	).Complete(ctx)
	if err != nil {
		_ = ds.Close()
		return nil, fmt.Errorf("configuring in-process SpiceDB: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{engine: engine, ds: ds, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- srv.Run(runCtx) }()

	conn, err := srv.NewClient(
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(bearer{token: presharedKey, insecure: true}),
		receiveLarge,
	)
	if err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("connecting to in-process SpiceDB: %w", err)
	}
	e.conn = conn
	logger.Info("in-process SpiceDB started", "engine", engine)
	return e, nil
}

// dispatchCache is a dispatch cache as `spicedb serve` sizes it by default
// (maxCost of available memory), or off. Its metrics stay off: nothing serves
// them in Ward, and a second in-process server would register them twice.
func dispatchCache(name, maxCost string, on bool) server.CacheConfig {
	return server.CacheConfig{Name: name, Enabled: on, MaxCost: maxCost}
}

// Conn is the gRPC connection to the embedded server.
func (e *Embedded) Conn() *grpc.ClientConn { return e.conn }

// Head returns the datastore's newest revision as a ZedToken, asked of the
// datastore itself rather than through SpiceDB's server, whose shared query
// can predate the call (fresh.go).
func (e *Embedded) Head(ctx context.Context) (string, error) {
	head, err := e.ds.HeadRevision(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the datastore's newest revision: %w", err)
	}
	token, err := zedtoken.NewFromRevision(ctx, head.Revision, datalayer.SchemaHash(head.SchemaHash), e.ds)
	if err != nil {
		return "", err
	}
	return token.GetToken(), nil
}

// Close stops the server and closes its datastore.
func (e *Embedded) Close() error {
	var err error
	e.once.Do(func() {
		if e.conn != nil {
			_ = e.conn.Close()
		}
		e.cancel()
		select {
		case <-e.done:
		case <-time.After(10 * time.Second):
		}
		err = e.ds.Close()
	})
	return err
}

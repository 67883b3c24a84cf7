// Package server runs Ward's service: it starts or dials SpiceDB, writes the
// schema, optionally loads the demo practice, and serves the HTTP API until its
// context ends, then shuts down gracefully.
package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"google.golang.org/grpc"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
	"github.com/wardhq/ward/seed"
)

// Config is everything `ward serve` can be told.
type Config struct {
	// Addr is host:port to listen on.
	Addr string
	// APIKeys are bearer tokens callers must present; required off loopback.
	APIKeys []string
	// CursorKey signs lookup cursors (cursorKey); empty: derived.
	CursorKey string
	// KeyRate is each practice API key's limit, authentications per minute
	// per instance (0: DefaultKeyRate; negative: none).
	KeyRate int
	// KeyMaxAge is the longest a practice API key lasts (0:
	// service.DefaultKeyMaxAge; negative: no limit).
	KeyMaxAge time.Duration
	// AllowedHosts are the names (or addresses) callers reach Ward by, besides
	// localhost, loopback addresses and Addr's host; a request with another
	// Host is refused (DNS rebinding). See HostsFor.
	AllowedHosts []string
	// CORSOrigins are the web origins whose pages may call Ward; requests
	// from other pages (with another Origin) are refused.
	CORSOrigins []string
	// Datastore is the in-process SpiceDB's engine: memory or postgres.
	Datastore string
	// DatastoreURI is the PostgreSQL URI for the postgres engine.
	DatastoreURI string
	// SpiceDB, when its Endpoint is set, is an external SpiceDB used instead of
	// the in-process one.
	SpiceDB spicedb.ExternalConfig
	// TokenlessReads is how checks and lookups without a caller's ZedToken
	// choose their revision: ReadsFresh ("" too) or ReadsFullyConsistent.
	TokenlessReads string
	// Demo loads the demo practice at start.
	Demo bool
	// MemoryWarnAt is how many relationships the in-process memory datastore
	// may hold before Ward warns that checks slow down; 0 means
	// DefaultMemoryWarnAt. Other datastores are not watched.
	MemoryWarnAt int
	// StartTimeout bounds waiting for SpiceDB to accept the schema at start.
	StartTimeout time.Duration
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
	// MaxConnections bounds the connections open at once; past it, new ones
	// wait in the kernel's listen backlog. 0 means DefaultMaxConnections.
	MaxConnections int
	// MaxConnectionsPerAddr bounds the connections one caller's address
	// holds open; past it, new ones from that address are closed as they
	// are accepted. 0 means half of MaxConnections.
	MaxConnectionsPerAddr int
	// Limits bound each call in time and the calls served at once (see
	// httpapi.Limits; 0 means httpapi's default).
	httpapi.Limits
	// Audit says where the audit ledger lives and what it records.
	Audit AuditConfig
	// ReviewSweep is how often Ward looks for access reviews that fell due
	// (policy.set review_every_days) to record and tell them; 0 means
	// DefaultReviewSweep, negative never.
	ReviewSweep time.Duration
}

// DefaultReviewSweep is how often Ward looks for access reviews that fell
// due, unless told.
const DefaultReviewSweep = time.Minute

// AuditConfig places the audit ledger: in PostgreSQL at URI when set, else
// in the in-process datastore's PostgreSQL when Ward runs on one, else in a
// file in Dir (one process at a time).
type AuditConfig struct {
	URI string
	// Dir is the file ledger's directory; "" means DefaultAuditDir().
	Dir string
	// Decisions are the checks recorded: resource types and type#permission
	// entries, or "none"; empty means audit.DefaultDecisions.
	Decisions []string
	// Retention is how long records stay in the ledger before they are
	// moved to archive files in ArchiveDir; 0 means audit.DefaultRetention.
	Retention time.Duration
	// ArchiveDir is where archived records go; "" means an "archive"
	// folder in Dir (or in DefaultAuditDir()).
	ArchiveDir string
	// AlertReads raises a bulk-access alert when a subject reads more than
	// this many distinct recorded records within AlertWindow; 0 turns it off.
	AlertReads  int
	AlertWindow time.Duration
	// WebhookURL, when set, is sent every alert, signed with WebhookSecret.
	WebhookURL    string
	WebhookSecret string
}

// validate names what is wrong with the audit settings.
func (c AuditConfig) validate() error {
	if c.AlertReads < 0 || c.AlertWindow < 0 {
		return errors.New("--alert-bulk-reads and --alert-window must not be negative (0 turns the alert off)")
	}
	if c.WebhookURL == "" {
		return nil
	}
	if err := audit.ParseWebhookURL(c.WebhookURL); err != nil {
		return err
	}
	if len(c.WebhookSecret) < MinAPIKeyLength {
		return fmt.Errorf("--webhook-url needs --webhook-secret of at least %d characters, which signs every delivery (e.g. openssl rand -hex 32)", MinAPIKeyLength)
	}
	return nil
}

// archiveEvery is how often Ward moves records past their retention out of
// the ledger (and once at start).
const archiveEvery = time.Hour

// keepArchiving moves records past their retention to archive files now and
// every archiveEvery, until ctx ends.
func keepArchiving(ctx context.Context, l audit.Ledger, cfg AuditConfig, logger *slog.Logger) {
	retention := cmp.Or(cfg.Retention, audit.DefaultRetention)
	dir := cmp.Or(cfg.ArchiveDir, filepath.Join(cmp.Or(cfg.Dir, DefaultAuditDir()), "archive"))
	for {
		moved, files, err := audit.ArchiveOld(ctx, l, dir, retention, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("audit: archiving records past their retention failed; they stay in the ledger", "error", err, "archive_dir", dir)
		case moved > 0:
			logger.Info("audit: records past their retention archived", "records", moved, "files", files, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(archiveEvery):
		}
	}
}

// DefaultAuditDir is where a file ledger lives unless told:
// $XDG_STATE_HOME/ward/audit, or ~/.local/state/ward/audit.
func DefaultAuditDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "ward", "audit")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "ward-audit")
	}
	return filepath.Join(home, ".local", "state", "ward", "audit")
}

// openLedger opens the ledger cfg places, and says where it is.
func openLedger(ctx context.Context, cfg Config) (audit.Ledger, string, error) {
	uri := cfg.Audit.URI
	if uri == "" && cfg.SpiceDB.Endpoint == "" && cfg.Datastore == spicedb.EnginePostgres {
		uri = cfg.DatastoreURI
	}
	if uri != "" {
		l, err := audit.OpenPG(ctx, uri)
		return l, "postgres", err
	}
	dir := cmp.Or(cfg.Audit.Dir, DefaultAuditDir())
	l, err := audit.OpenFile(dir)
	return l, filepath.Join(dir, audit.FileName), err
}

// DecisionPolicy reads cfg's --audit-decisions against Ward's schema.
func DecisionPolicy(cfg Config) (audit.Policy, error) {
	entries := cfg.Audit.Decisions
	if len(entries) == 0 {
		entries = audit.DefaultDecisions
	}
	return audit.ParsePolicy(entries, func(typ, perm string) bool {
		if _, ok := domain.Permissions[typ]; !ok {
			return false
		}
		return perm == "" || domain.ValidatePermission(typ, perm) == nil
	})
}

// DefaultMaxConnections keeps Ward within the usual open-file limit of 1,024
// (1,100 held connections exhausted it here), leaving room for its
// connections to SpiceDB and PostgreSQL and its own files.
const DefaultMaxConnections = 512

// maxHeaderBytes bounds a request's headers (Go answers 431 past it): Ward
// reads a few short ones, and every open connection may hold this much.
const maxHeaderBytes = 64 << 10

// headerTimeout bounds receiving a request's headers, at most ReadTimeout.
const headerTimeout = 10 * time.Second

// The choices of Config.TokenlessReads (--tokenless-reads).
const (
	// ReadsFresh reads at least as fresh as a revision taken after the call
	// arrived: the datastore's own for an in-process SpiceDB on PostgreSQL, an
	// empty write's for an external SpiceDB (spicedb.Client.Barrier). A
	// decision then reflects every write any Ward instance acknowledged.
	ReadsFresh = "fresh"
	// ReadsFullyConsistent asks SpiceDB for full consistency: one datastore
	// round trip less, but SpiceDB may answer at a revision taken just before
	// the call and miss a write another instance acknowledged in that moment.
	ReadsFullyConsistent = "fully-consistent"
)

// MinAPIKeyLength keeps keys from being guessable.
const MinAPIKeyLength = 16

// Validate checks the configuration before anything starts.
func (c Config) Validate() error {
	if err := c.Audit.validate(); err != nil {
		return err
	}
	if _, err := DecisionPolicy(c); err != nil {
		return err
	}
	if c.CursorKey != "" && len(c.CursorKey) < 16 {
		return fmt.Errorf("--cursor-key is %d characters: use at least 16 (e.g. openssl rand -hex 32), the same on every instance", len(c.CursorKey))
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if !isLoopback(host) && len(c.APIKeys) == 0 {
		return fmt.Errorf("--addr %s is not a loopback address: set at least one API key (--api-key or WARD_API_KEY) so callers must authenticate", c.Addr)
	}
	for _, k := range c.APIKeys {
		if len(k) < MinAPIKeyLength {
			return fmt.Errorf("an API key is shorter than %d characters: use long random keys (e.g. openssl rand -hex 32)", MinAPIKeyLength)
		}
	}
	for _, h := range c.AllowedHosts {
		if httpapi.HostName(h) == "" || strings.ContainsAny(h, "/*@ ") {
			return fmt.Errorf("--allowed-hosts %q: give host names or IP addresses, e.g. ward.internal,10.0.0.5 (a port is ignored)", h)
		}
	}
	for _, o := range c.CORSOrigins {
		if _, err := httpapi.ParseOrigin(o); err != nil {
			return fmt.Errorf("--cors-origins: %w", err)
		}
	}
	for _, limit := range []struct {
		flag  string
		value int64
	}{
		{"--max-connections", int64(c.MaxConnections)}, {"--max-connections-per-address", int64(c.MaxConnectionsPerAddr)}, {"--max-in-flight", int64(c.MaxInFlight)},
		{"--read-timeout", int64(c.ReadTimeout)}, {"--request-timeout", int64(c.RequestTimeout)},
		{"--write-timeout", int64(c.WriteTimeout)}, {"--stream-timeout", int64(c.StreamTimeout)}, {"--import-timeout", int64(c.ImportTimeout)},
	} {
		if limit.value < 0 {
			return fmt.Errorf("%s is negative: give a positive limit, or 0 for the default", limit.flag)
		}
	}
	if c.TokenlessReads != "" && c.TokenlessReads != ReadsFresh && c.TokenlessReads != ReadsFullyConsistent {
		return fmt.Errorf("--tokenless-reads %q: use %s or %s", c.TokenlessReads, ReadsFresh, ReadsFullyConsistent)
	}
	if c.MemoryWarnAt < 0 {
		return fmt.Errorf("--memory-warn-at %d: want a number of relationships, or 0 for the default (%d)", c.MemoryWarnAt, DefaultMemoryWarnAt)
	}
	if c.SpiceDB.Endpoint != "" {
		if c.DatastoreURI != "" {
			return errors.New("--spicedb-endpoint and --datastore-uri exclude each other: an external SpiceDB has its own datastore")
		}
		if c.SpiceDB.Token == "" {
			return errors.New("--spicedb-endpoint needs --spicedb-token (SpiceDB's preshared key)")
		}
		return nil
	}
	switch c.Datastore {
	case "", spicedb.EngineMemory:
		if c.DatastoreURI != "" {
			return errors.New("--datastore-uri is only used with --datastore postgres")
		}
	case spicedb.EnginePostgres:
		if c.DatastoreURI == "" {
			return errors.New("--datastore postgres needs --datastore-uri postgres://USER:PASSWORD@HOST:5432/DB")
		}
	default:
		return fmt.Errorf("--datastore %q: use memory or postgres (or --spicedb-endpoint for an external SpiceDB)", c.Datastore)
	}
	return nil
}

// HostsFor is what Ward listening on addr answers as its Host: the address
// it is bound to (any IP address when that is 0.0.0.0 or ::, as in
// containers) and the allowed names; localhost and loopback always.
func HostsFor(addr string, allowed []string) httpapi.Hosts {
	hosts := httpapi.Hosts{Names: slices.Clone(allowed)}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return hosts
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		hosts.AnyIP = true
	} else if !isLoopback(host) {
		hosts.Names = append(hosts.Names, host)
	}
	return hosts
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Run serves until ctx ends. onListen, if set, is told the bound address.
func Run(ctx context.Context, cfg Config, logger *slog.Logger, onListen func(addr string)) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	conn, clientCfg, closeSpiceDB, err := connect(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeSpiceDB()
	var guessable bool
	clientCfg.CursorKey, guessable = cursorKey(cfg)
	if guessable {
		logger.Warn("lookup cursors are signed with a key derived from --datastore-uri, which holds no password: anyone who can guess the URI could forge cursors; set --cursor-key (the same on every instance)")
	}
	client := spicedb.NewWithConfig(conn, logger, clientCfg)
	policy, err := DecisionPolicy(cfg)
	if err != nil {
		return err
	}
	ledger, where, err := openLedger(ctx, cfg)
	if err != nil {
		return err
	}
	defer ledger.Close()
	recorder := audit.NewRecorder(ledger)
	defer recorder.Close()
	logger.Info("audit ledger open", "at", where, "decisions", policy.Entries())
	archiving, stopArchiving := context.WithCancel(context.WithoutCancel(ctx))
	defer stopArchiving()
	go keepArchiving(archiving, ledger, cfg.Audit, logger)
	platformKeys := service.NewPlatformKeys(client)
	opts := AuditOptions{Policy: policy, PlaceOf: platformKeys.WorkspacesOf}
	if cfg.Audit.AlertReads > 0 {
		opts.Alerts = &audit.BulkAccess{Limit: cfg.Audit.AlertReads, Window: cmp.Or(cfg.Audit.AlertWindow, audit.DefaultAlertWindow)}
	}
	if cfg.Audit.WebhookURL != "" {
		opts.Webhook = &audit.Webhook{URL: cfg.Audit.WebhookURL, Secret: []byte(cfg.Audit.WebhookSecret), Attempts: 5, Backoff: time.Second,
			Client: &http.Client{Timeout: 10 * time.Second}, Recorder: recorder, Logger: logger}
		opts.Webhook.Start(archiving)
	}
	svc := service.New(client, logger)
	auth, stopGrants := Audited(watchSize(svc, cfg, logger), recorder, opts, logger)
	defer stopGrants()
	keys := NewKeyManager(service.NewKeys(client).WithMaxAge(cmp.Or(cfg.KeyMaxAge, service.DefaultKeyMaxAge)), recorder, cmp.Or(cfg.KeyRate, DefaultKeyRate), logger)
	flushing, stopFlushing := context.WithCancel(context.WithoutCancel(ctx))
	flushed := make(chan struct{})
	go func() { keys.KeepFlushing(flushing); close(flushed) }()
	defer func() { stopFlushing(); <-flushed }() // before the recorder closes

	written, err := writeSchema(ctx, client, cfg, logger)
	if err != nil {
		return err
	}
	if cfg.SpiceDB.Endpoint != "" {
		// In-process, SpiceDB is go.mod's; an external one may be older.
		spicedb.WarnIfOld(ctx, conn, logger)
	}
	if n, err := svc.Repair(ctx); err != nil {
		return fmt.Errorf("repairing what an earlier Ward wrote: %w (SpiceDB must be writable at start; what was repaired stays so, and the next start goes on)", err)
	} else if n > 0 {
		logger.Warn("repaired what an earlier Ward wrote or left out and this one would not", "relationships", n)
	}
	if ws, err := svc.OwnersWithoutOwnerRole(ctx); err != nil {
		// Only a warning depends on it: serve anyway.
		logger.Warn("could not read the practices' owners to check their roles; serving anyway", "error", err)
	} else if len(ws) > 0 {
		logger.Warn("practices whose account owner does not hold the preset's owner role, as an earlier Ward allowed: transfer ownership (ownership.transferred) to a holder of it", "count", len(ws), "workspaces", ws[:min(len(ws), 20)])
	}
	if cfg.Demo {
		if err := loadDemo(ctx, auth, logger); err != nil {
			return err
		}
	}
	// Reviews that fell due are looked for once the schema is written (a
	// read before it, on a datastore made on first use, could race it).
	if cfg.ReviewSweep >= 0 {
		sweeping, stopSweeping := context.WithCancel(context.WithoutCancel(ctx))
		swept := make(chan struct{})
		go func() {
			KeepTellingDueReviews(sweeping, svc.DueReviews, recorder, opts.Webhook, cmp.Or(cfg.ReviewSweep, DefaultReviewSweep), logger)
			close(swept)
		}()
		defer func() { stopSweeping(); <-swept }() // before the recorder closes
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	schemaState := func(ctx context.Context) (api.SchemaResponse, error) {
		held, err := client.ReadSchema(ctx)
		if err != nil {
			return api.SchemaResponse{}, err
		}
		return api.SchemaResponse{Schema: schema.Text, Current: held == written}, nil
	}
	hosts := HostsFor(cfg.Addr, cfg.AllowedHosts)
	handler := httpapi.New(auth, httpapi.Config{
		Audit:        ledger,
		Keys:         keys,
		PlatformKeys: NewPlatformKeyManager(platformKeys, recorder, logger),
		APIKeys:      cfg.APIKeys,
		Logger:       logger,
		Metrics:      reg,
		Schema:       schemaState,
		Hosts:        hosts,
		CORSOrigins:  cfg.CORSOrigins,
		Limits:       cfg.Limits,
		Ready: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			s, err := schemaState(ctx)
			if err != nil {
				return errors.New("SpiceDB is unreachable")
			}
			if !s.Current {
				return errors.New("SpiceDB does not hold Ward's schema")
			}
			return nil
		},
	})

	tcp, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another process using the port? pick one with --addr)", cfg.Addr, err)
	}
	conns := cmp.Or(cfg.MaxConnections, DefaultMaxConnections)
	ln := newLimitListener(tcp, conns, cmp.Or(cfg.MaxConnectionsPerAddr, max(1, conns/2)))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ward_http_connections_open", Help: "HTTP connections open; past --max-connections, new ones wait.",
	}, func() float64 { return float64(ln.open()) }))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "ward_http_connections_refused_total", Help: "HTTP connections closed as they were accepted: their address held --max-connections-per-address already.",
	}, func() float64 { return float64(ln.refused.Load()) }))
	// No ReadTimeout or WriteTimeout here: the handler sets both per request
	// (a streamed answer renews its write deadline; a read deadline left on
	// after the body would cancel a call's context when it passed).
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: min(headerTimeout, cmp.Or(cfg.ReadTimeout, httpapi.DefaultReadTimeout)),
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes}
	logger.Info("Ward is serving", "url", "http://"+ln.Addr().String(), "api_keys", len(cfg.APIKeys) > 0, "hosts", hosts.String(), "cors_origins", cfg.CORSOrigins)
	if onListen != nil {
		onListen(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	timeout := cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	logger.Info("shutting down", "timeout", timeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}

// cursorKey is the key lookup cursors are signed with: derived from the
// secret every Ward instance that shares the data also holds (an external
// SpiceDB's preshared key, or the PostgreSQL URI of an in-process SpiceDB),
// so that one instance's cursor pages on another; nil in memory, where only
// this process serves the data (a random key for the process). guessable
// says the key came from a URI without a password.
func cursorKey(cfg Config) (key []byte, guessable bool) {
	secret := ""
	switch {
	case cfg.CursorKey != "":
		secret = "key\x00" + cfg.CursorKey
	case cfg.SpiceDB.Endpoint != "":
		secret = "spicedb\x00" + cfg.SpiceDB.Token
	case cfg.Datastore == spicedb.EnginePostgres:
		secret, guessable = "postgres\x00"+cfg.DatastoreURI, !holdsPassword(cfg.DatastoreURI)
	default:
		return nil, false
	}
	sum := sha256.Sum256([]byte("ward lookup cursors v1\x00" + secret))
	return sum[:], guessable
}

// holdsPassword reports whether a PostgreSQL connection string (a URI or
// key=value words) carries a password.
func holdsPassword(uri string) bool {
	if u, err := url.Parse(uri); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		_, ok := u.User.Password()
		return ok || u.Query().Get("password") != ""
	}
	return strings.Contains(uri, "password=")
}

// connect starts or dials SpiceDB, and says how the client reads fresh
// (ReadsFresh; spicedb/fresh.go): an external SpiceDB, which other Ward
// instances and other SpiceDB nodes may write to, through an empty write
// (Config.Barrier); an in-process one on PostgreSQL, which other Ward
// instances may share, by asking the datastore itself (Config.Head). In
// memory only this process writes, and its writes wait until SpiceDB's own
// reads show them.
func connect(ctx context.Context, cfg Config, logger *slog.Logger) (*grpc.ClientConn, spicedb.Config, func(), error) {
	fresh := cfg.TokenlessReads != ReadsFullyConsistent
	if cfg.SpiceDB.Endpoint != "" {
		conn, err := spicedb.Dial(cfg.SpiceDB)
		if err != nil {
			return nil, spicedb.Config{}, nil, err
		}
		logger.Info("using external SpiceDB", "endpoint", cfg.SpiceDB.Endpoint, "tls", !cfg.SpiceDB.Insecure)
		return conn, spicedb.Config{Barrier: fresh}, func() { _ = conn.Close() }, nil
	}
	emb, err := spicedb.StartEmbedded(ctx, spicedb.EmbeddedConfig{Engine: cfg.Datastore, URI: cfg.DatastoreURI, Migrate: true}, logger)
	if err != nil {
		return nil, spicedb.Config{}, nil, err
	}
	clientCfg := emb.StoreConfig()
	if fresh && cfg.Datastore == spicedb.EnginePostgres {
		clientCfg.Head = emb.Head
	}
	return emb.Conn(), clientCfg, func() { _ = emb.Close() }, nil
}

// writeSchema writes Ward's schema, waiting for an external SpiceDB that is still
// starting. SpiceDB refuses changes that would orphan data, so this never harms it.
func writeSchema(ctx context.Context, client *spicedb.Client, cfg Config, logger *slog.Logger) (string, error) {
	timeout := cfg.StartTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	deadline := time.Now().Add(timeout)
	for {
		written, err := client.WriteSchema(ctx, schema.Text)
		if err == nil {
			logger.Info("schema is current")
			return written, nil
		}
		if domain.ErrorCode(err) != domain.CodeUnavailable || time.Now().After(deadline) {
			return "", fmt.Errorf("writing Ward's schema to SpiceDB: %w", err)
		}
		logger.Info("waiting for SpiceDB", "error", err.Error())
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// loadDemo writes the demo practice through auth, so a sizeWatch counts it.
func loadDemo(ctx context.Context, auth httpapi.Authorizer, logger *slog.Logger) error {
	events, err := seed.Demo()
	if err != nil {
		return err
	}
	res, err := auth.Apply(ctx, events)
	if err != nil {
		return fmt.Errorf("loading the demo practice: %w", err)
	}
	logger.Info("demo practice loaded", "events", len(events), "relationships_written", res.Touched)
	return nil
}

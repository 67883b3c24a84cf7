package cli

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/httpapi"
	"github.com/wardhq/ward/internal/server"
	"github.com/wardhq/ward/internal/service"
)

func newServeCmd() *cobra.Command {
	var (
		cfg       server.Config
		logLevel  string
		logFormat string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Ward's HTTP API (SpiceDB in-process on memory by default)",
		Example: `  ward serve --demo
  ward serve --datastore postgres --datastore-uri postgres://ward:secret@127.0.0.1:5432/ward
  ward serve --spicedb-endpoint spicedb:50051 --spicedb-token "$KEY" --spicedb-insecure`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), logLevel, logFormat)
			if err != nil {
				return err
			}
			return server.Run(cmd.Context(), cfg, logger, nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "host:port to listen on; a non-loopback address requires --api-key")
	f.StringSliceVar(&cfg.APIKeys, "api-key", nil, "API key (bearer token) callers must send; repeat or comma-separate for several (rotation)")
	f.DurationVar(&cfg.KeyMaxAge, "api-key-max-age", service.DefaultKeyMaxAge, "the longest a practice API key lasts: a key made without an end ends then, a later end is refused (-1s: no limit)")
	f.IntVar(&cfg.KeyRate, "api-key-rate", server.DefaultKeyRate, "each practice API key's limit: authentications per minute per Ward instance, past which POST /v1/api-keys/authenticate answers 429 (-1: no limit)")
	f.StringSliceVar(&cfg.AllowedHosts, "allowed-hosts", nil, "names (or addresses) callers reach Ward by, besides localhost, loopback and --addr's host (any IP address when it is 0.0.0.0); other Host headers are refused")
	f.StringSliceVar(&cfg.CORSOrigins, "cors-origins", nil, "web origins (https://app.example.com) whose pages may call Ward; requests from other pages are refused")
	f.StringVar(&cfg.Datastore, "datastore", "memory", "in-process SpiceDB datastore: memory (lost on exit) or postgres")
	f.StringVar(&cfg.DatastoreURI, "datastore-uri", "", "PostgreSQL URI for --datastore postgres (migrated at start)")
	f.StringVar(&cfg.SpiceDB.Endpoint, "spicedb-endpoint", "", "host:port of an external SpiceDB to use instead of the in-process one")
	f.StringVar(&cfg.SpiceDB.Token, "spicedb-token", "", "preshared key of the external SpiceDB")
	f.BoolVar(&cfg.SpiceDB.Insecure, "spicedb-insecure", false, "dial the external SpiceDB without TLS")
	f.StringVar(&cfg.SpiceDB.CACertPath, "spicedb-ca-cert", "", "PEM CA bundle for the external SpiceDB's TLS certificate")
	f.BoolVar(&cfg.SpiceDB.SkipVerify, "spicedb-skip-verify", false, "accept any TLS certificate from the external SpiceDB (testing only)")
	f.StringVar(&cfg.CursorKey, "cursor-key", "", "key (at least 16 characters) that lookup cursors are signed with, the same on every Ward instance sharing the data (default: derived from --spicedb-token, or from --datastore-uri with --datastore postgres; random per process in memory)")
	f.StringVar(&cfg.TokenlessReads, "tokenless-reads", server.ReadsFresh, "how checks and lookups without a zedtoken pick their revision: fresh (after the call arrived, so every write any Ward instance acknowledged is seen; an external SpiceDB pays one small write, shared by concurrent calls) or fully-consistent (SpiceDB's own: may miss a write another instance acknowledged in the last milliseconds)")
	f.BoolVar(&cfg.Demo, "demo", false, "load the demo practice (seed/demo.jsonl) at start")
	f.IntVar(&cfg.MemoryWarnAt, "memory-warn-at", server.DefaultMemoryWarnAt, "warn when the in-process memory datastore holds about this many relationships (checks slow down past it)")
	f.DurationVar(&cfg.StartTimeout, "start-timeout", time.Minute, "how long to wait for SpiceDB to accept the schema at start")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests may finish at shutdown")
	f.IntVar(&cfg.MaxConnections, "max-connections", server.DefaultMaxConnections, "connections open at once; past it, new ones wait (keep it under the open-file limit, ulimit -n)")
	f.IntVar(&cfg.MaxConnectionsPerAddr, "max-connections-per-address", 0, "connections one caller's IP address may hold open; past it, new ones are closed at once (0: half of --max-connections; behind a proxy that sends every call from one address, set it to --max-connections)")
	f.IntVar(&cfg.MaxInFlight, "max-in-flight", httpapi.DefaultMaxInFlight, "API calls served at once; past it, calls are answered 503 busy with Retry-After (probes are not counted)")
	f.DurationVar(&cfg.ReadTimeout, "read-timeout", httpapi.DefaultReadTimeout, "how long a caller may take to send a request's body (headers: 10s at most)")
	f.DurationVar(&cfg.RequestTimeout, "request-timeout", httpapi.DefaultRequestTimeout, "how long a call may take, SpiceDB's work and writing the answer included (streamed lookups and imports have their own)")
	f.DurationVar(&cfg.WriteTimeout, "write-timeout", httpapi.DefaultWriteTimeout, "how long writing an answer may wait on a caller that does not read (a streamed lookup: each write)")
	f.DurationVar(&cfg.StreamTimeout, "stream-timeout", httpapi.DefaultStreamTimeout, "how long a streamed lookup may take from start to end")
	f.DurationVar(&cfg.ImportTimeout, "import-timeout", httpapi.DefaultImportTimeout, "how long an import may take (POST /v1/import, ward events import), waiting for the one before it included")
	f.StringVar(&cfg.Audit.URI, "audit-uri", "", "PostgreSQL URI of the audit ledger, which several Ward instances may share (default: the datastore's with --datastore postgres, else a file in --audit-dir)")
	f.StringVar(&cfg.Audit.Dir, "audit-dir", "", "directory of the file audit ledger, one Ward process per directory (default $XDG_STATE_HOME/ward/audit, or ~/.local/state/ward/audit)")
	f.StringSliceVar(&cfg.Audit.Decisions, "audit-decisions", nil, "checks recorded in the audit ledger: resource types and type#permission, or none (default "+strings.Join(audit.DefaultDecisions, ",")+")")
	f.Var(retentionValue{&cfg.Audit.Retention}, "audit-retention", "how long records stay in the audit ledger before they move to archive files: days (2190d), years (6y) or hours (default 6y)")
	f.StringVar(&cfg.Audit.ArchiveDir, "audit-archive-dir", "", "where records past their retention are archived, in files named by their first record (default: archive in --audit-dir)")
	f.IntVar(&cfg.Audit.AlertReads, "alert-bulk-reads", audit.DefaultAlertLimit, "record an alert (and send the webhook) when one person reads more than this many distinct recorded records within --alert-window; 0 turns it off")
	f.DurationVar(&cfg.Audit.AlertWindow, "alert-window", audit.DefaultAlertWindow, "the window of --alert-bulk-reads")
	f.DurationVar(&cfg.ReviewSweep, "review-sweep", server.DefaultReviewSweep, "how often to look for access reviews that fell due (policy.set review_every_days), record them in the ledger and send the webhook; negative never")
	f.StringVar(&cfg.Audit.WebhookURL, "webhook-url", "", "URL that every alert and every break-glass opening (naming the owner to tell) is POSTed to, signed (Ward-Signature: t=UNIX,v1=HMAC-SHA256 of \"UNIX.BODY\"), retried 5 times with backoff, then recorded as webhook.failed")
	f.StringVar(&cfg.Audit.WebhookSecret, "webhook-secret", "", "the webhook's signing key (at least 16 characters)")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&logFormat, "log-format", "text", "text or json")
	return cmd
}

func newLogger(w interface{ Write([]byte) (int, error) }, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

// retentionValue is --audit-retention: audit.ParseRetention's forms.
type retentionValue struct{ d *time.Duration }

func (v retentionValue) String() string {
	if v.d == nil || *v.d == 0 {
		return "6y"
	}
	return v.d.String()
}

func (v retentionValue) Set(s string) error {
	d, err := audit.ParseRetention(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func (retentionValue) Type() string { return "duration" }

// Command ward-bench measures Ward beside SpiceDB at growing data sizes (see
// docs/performance.md). It is its own command so that Ward's server binary
// carries no load generator, table writer or plotter.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wardhq/ward/internal/bench"
	"github.com/wardhq/ward/internal/spicedb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ward-bench:", err)
		os.Exit(1)
	}
}

// run is the command with its arguments and streams given, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := newCommand()
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	return cmd.ExecuteContext(ctx)
}

func newCommand() *cobra.Command {
	var (
		cfg                  bench.Config
		jsonOut, image, from string
	)
	cmd := &cobra.Command{
		Use:          "ward-bench",
		Short:        "Measure Ward beside SpiceDB at growing data sizes, on memory and PostgreSQL",
		SilenceUsage: true, SilenceErrors: true,
		Long: `ward-bench generates practices (Caspen: two locations, four admin staff, six
practitioners, up to 600 clients each with a note, an appointment and an
invoice), loads them through Ward's events API until SpiceDB holds each size,
then measures ingestion, checks at 1 and 16 callers, a bulk check of 100,
lookups and explain, each through Ward's HTTP API and straight to the same
in-process SpiceDB over gRPC, and prints one table. See docs/performance.md.`,
		Example: `  ward-bench --sizes 1000,10000
  ward-bench --stores memory,postgres --sizes 1000,10000,100000,1000000 \
    --postgres-uri postgres://postgres:secret@127.0.0.1:5432/postgres --json results.json --plot curve.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.Validate(); err != nil {
				return err
			}
			cfg.Progress = cmd.ErrOrStderr()
			var results []bench.Result
			var err error
			if from != "" {
				b, rerr := os.ReadFile(from)
				if rerr != nil {
					return fmt.Errorf("--from: %w", rerr)
				}
				if rerr := json.Unmarshal(b, &results); rerr != nil {
					return fmt.Errorf("--from %s: not a results file written by --json: %w", from, rerr)
				}
			} else {
				results, err = bench.Run(cmd.Context(), cfg)
			}
			if len(results) > 0 {
				if werr := bench.WriteTable(cmd.OutOrStdout(), results); werr != nil {
					return werr
				}
			}
			if err != nil {
				return err
			}
			if jsonOut != "" {
				b, err := json.MarshalIndent(results, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
					return fmt.Errorf("--json: %w", err)
				}
			}
			if image != "" {
				f, err := os.Create(image)
				if err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
				defer f.Close()
				if err := bench.WritePlot(f, results); err != nil {
					return err
				}
				return f.Close()
			}
			return nil
		},
	}
	cmd.AddCommand(newEventsCommand(), newLargeCommand(), newClusterCommand())
	f := cmd.Flags()
	f.IntSliceVar(&cfg.Sizes, "sizes", []int{1000, 10000}, "relationship counts to load and measure at")
	f.StringSliceVar(&cfg.Stores, "stores", []string{spicedb.EngineMemory}, "SpiceDB datastores: memory and/or postgres")
	f.StringVar(&cfg.PostgresURI, "postgres-uri", "", "PostgreSQL server URI for --stores postgres; its user must be able to CREATE DATABASE (each size gets fresh databases, dropped after)")
	f.IntVar(&cfg.Calls, "calls", 1000, "calls per latency figure (bulk checks, lookups and explain use a tenth)")
	f.IntVar(&cfg.IngestCallers, "ingest-callers", 4, "callers loading events through Ward at once, each its own practices (the direct copy uses as many writers)")
	f.IntVar(&cfg.StreamClients, "stream-clients", 0, "also load one practice of this many clients on each store and time the streamed list of all of them (first result and whole)")
	f.BoolVar(&cfg.DispatchCaches, "dispatch-caches", false, "run SpiceDB with its dispatch caches on (Ward keeps them off: they serve expired access; docs/performance.md, step 28)")
	f.IntVar(&cfg.Rounds, "rounds", 3, "measure each operation this many times, Ward and direct taking turns to go first, and report the medians")
	f.StringVar(&jsonOut, "json", "", "also write the results as JSON to this file")
	f.StringVar(&image, "plot", "", "also draw the check-latency curve as a PNG to this file")
	f.StringVar(&from, "from", "", "print (and plot) results saved earlier with --json instead of measuring; several runs' files can be joined as one JSON array")
	return cmd
}

func newEventsCommand() *cobra.Command {
	var staff []int
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Count what each event type reads and writes at practices of growing staff",
		Long: `events plans one event of each type (and a request adding 1,000 staff) against
a generated Caspen practice of each --staff size (two locations up to 100
staff, twenty above; clients, notes and roles as scenarios.StaffedPractice
makes them), without SpiceDB, and prints the relationships each reads (as the
service reads them from the store), the updates of its atomic write or why it
is refused, and how long planning what it read took on this machine. See
docs/performance.md.`,
		Example: "  ward-bench events --staff 30,5000",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			costs, err := bench.EventCosts(staff, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			return bench.WriteEventCosts(cmd.OutOrStdout(), costs)
		},
	}
	cmd.Flags().IntSliceVar(&staff, "staff", []int{30, 5000}, "staff counts of the practices to measure at")
	return cmd
}

func newLargeCommand() *cobra.Command {
	var (
		staff       int
		postgresURI string
	)
	cmd := &cobra.Command{
		Use:   "large",
		Short: "Apply the requests a large practice must take, each as one atomic request",
		Long: `large imports a generated Caspen practice of --staff people over twenty
locations (scenarios.StaffedPractice) into an in-process SpiceDB through Ward's
service, then applies, one after another and each as one atomic request: 1,000
receptionists added, the practitioners' role changed to see every invoice (it
rewrites every practitioner's access), receptionists given notes access, one
person disabled, a new location and a client. It prints what each wrote, how
long it took and the process's resident size after it and at its peak. With
--postgres-uri SpiceDB keeps the practice in a fresh database on that server
(dropped after), as a real practice is kept, and the requests run after
PostgreSQL's planner statistics are updated (ANALYZE), as autovacuum does soon
after an import; without, in memory. See docs/performance.md.`,
		Example: "  ward-bench large --staff 5000\n  ward-bench large --staff 5000 --postgres-uri postgres://postgres:secret@127.0.0.1:5432/postgres",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			steps, err := bench.LargePractice(cmd.Context(), staff, postgresURI, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			return bench.WriteLarge(cmd.OutOrStdout(), steps)
		},
	}
	cmd.Flags().IntVar(&staff, "staff", 5000, "staff of the practice (more than 100)")
	cmd.Flags().StringVar(&postgresURI, "postgres-uri", "", "PostgreSQL server URI whose user may CREATE DATABASE; without it SpiceDB keeps the practice in memory")
	return cmd
}

func newClusterCommand() *cobra.Command {
	var (
		cfg     bench.ClusterConfig
		targets []string
		jsonOut string
	)
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Measure Ward beside SpiceDB servers outside this process that share one datastore",
		Long: `cluster dials each --target (SpiceDB's gRPC API, without TLS), serves Ward's
API in this process over each as ward serve --spicedb-endpoint would, loads
generated practices through Ward on the first target until the (empty)
datastore holds --relationships, then measures checks at 1 and 16 callers
(without and with a ZedToken) and a practitioner's lookup on every target,
through Ward and straight to SpiceDB, the targets taking turns round by round.
e2e/bench-cluster.sh starts docker-compose.cluster.yml and a lone node on its
datastore and runs it: what dispatch costs on one machine. See
docs/deployment.md.`,
		Example: `  ward-bench cluster --target "3 nodes=172.18.0.4:50051" --target "1 node=172.18.0.7:50051" \
    --spicedb-token "$SPICEDB_PRESHARED_KEY" --relationships 1000000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, s := range targets {
				t, err := bench.ParseTarget(s)
				if err != nil {
					return err
				}
				cfg.Targets = append(cfg.Targets, t)
			}
			if cfg.Token == "" {
				cfg.Token = os.Getenv("SPICEDB_PRESHARED_KEY")
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			cfg.Progress = cmd.ErrOrStderr()
			results, err := bench.RunCluster(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if err := bench.WriteTable(cmd.OutOrStdout(), results); err != nil {
				return err
			}
			if jsonOut == "" {
				return nil
			}
			b, err := json.MarshalIndent(results, "", "  ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
				return fmt.Errorf("--json: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&targets, "target", nil, "NAME=HOST:PORT of a SpiceDB gRPC API to measure; repeat for each (all on one datastore)")
	f.StringVar(&cfg.Token, "spicedb-token", "", "the targets' preshared key (default $SPICEDB_PRESHARED_KEY)")
	f.IntVar(&cfg.Relationships, "relationships", 100000, "relationships to load before measuring")
	f.IntVar(&cfg.Calls, "calls", 1000, "calls per latency figure (lookups use a tenth)")
	f.IntVar(&cfg.Rounds, "rounds", 3, "rounds; each measures every target, Ward and direct taking turns to go first; figures are the medians")
	f.IntVar(&cfg.IngestCallers, "ingest-callers", 4, "callers loading events through Ward at once, each its own practices")
	f.StringVar(&jsonOut, "json", "", "also write the results as JSON to this file")
	return cmd
}

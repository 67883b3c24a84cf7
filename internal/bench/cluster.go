package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"

	"github.com/wardhq/ward/api"
	"github.com/wardhq/ward/client"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
)

// ClusterConfig says what RunCluster measures: SpiceDB servers that run
// outside this process, all on one datastore (so they hold the same
// relationships), e.g. one node of a cluster with dispatch and a node
// without it.
type ClusterConfig struct {
	// Targets are the SpiceDB servers to measure, each under its own name.
	Targets []Target
	// Token is the servers' preshared key; they are dialled without TLS.
	Token string
	// Relationships is how many to load, through Ward on the first target,
	// into the datastore, which must be empty.
	Relationships int
	// Calls, Rounds and IngestCallers mean what they mean in Config. The
	// rounds interleave the targets: round r starts at target r (mod their
	// number), so none always runs first.
	Calls, Rounds, IngestCallers int
	// Progress receives progress lines (loading, measuring).
	Progress io.Writer
}

// Target is one SpiceDB server under a name for the table (e.g. "1 node").
type Target struct{ Name, Endpoint string }

// ParseTarget reads NAME=HOST:PORT.
func ParseTarget(s string) (Target, error) {
	name, endpoint, ok := strings.Cut(s, "=")
	if !ok || name == "" || endpoint == "" {
		return Target{}, fmt.Errorf("--target %q: write NAME=HOST:PORT, e.g. \"3 nodes=172.18.0.4:50051\"", s)
	}
	return Target{Name: name, Endpoint: endpoint}, nil
}

// Validate names what is wrong with cfg, before anything is dialled.
func (cfg ClusterConfig) Validate() error {
	if len(cfg.Targets) == 0 {
		return errors.New("give at least one --target NAME=HOST:PORT (a SpiceDB gRPC endpoint)")
	}
	seen := map[string]bool{}
	for _, t := range cfg.Targets {
		if seen[t.Name] {
			return fmt.Errorf("--target: the name %q is given twice; give each target its own", t.Name)
		}
		seen[t.Name] = true
	}
	if cfg.Token == "" {
		return errors.New("--spicedb-token (or SPICEDB_PRESHARED_KEY) is empty: give the targets' preshared key")
	}
	if cfg.Relationships < 1 || cfg.Calls < 1 || cfg.Rounds < 1 {
		return errors.New("--relationships, --calls and --rounds must be positive")
	}
	return nil
}

// clusterTarget is one target dialled: straight to SpiceDB, and through a
// Ward API served in this process over it, configured as `ward serve
// --spicedb-endpoint` is by default (checks without a token read fresh).
type clusterTarget struct {
	Target
	direct v1.PermissionsServiceClient
	ward   *client.Client
}

// RunCluster loads generated practices through Ward on the first target until
// the datastore holds cfg.Relationships, then measures checks (without and
// with a ZedToken, at 1 and 16 callers) and a practitioner's lookup on every
// target, through Ward and straight to SpiceDB, interleaving the targets
// round by round. It returns one Result per target.
func RunCluster(ctx context.Context, cfg ClusterConfig) ([]Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	var targets []*clusterTarget
	for _, t := range cfg.Targets {
		conn, err := spicedb.Dial(spicedb.ExternalConfig{Endpoint: t.Endpoint, Token: cfg.Token, Insecure: true})
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", t.Name, t.Endpoint, err)
		}
		defer conn.Close()
		adapter := spicedb.NewWithConfig(conn, logger, spicedb.Config{Barrier: true})
		ward, stop, err := serveWard(service.New(adapter, logger), logger)
		if err != nil {
			return nil, err
		}
		defer stop()
		targets = append(targets, &clusterTarget{Target: t, direct: v1.NewPermissionsServiceClient(conn), ward: ward})
		if len(targets) == 1 {
			if _, err := adapter.WriteSchema(ctx, schema.Text); err != nil {
				return nil, fmt.Errorf("writing Ward's schema to %s (%s): %w (is it a SpiceDB gRPC endpoint, and the token its preshared key?)", t.Name, t.Endpoint, err)
			}
		}
	}
	first := targets[0]
	held, err := countStored(ctx, first.direct)
	if err != nil {
		return nil, fmt.Errorf("counting what %s holds: %w", first.Name, err)
	}
	if held > 0 {
		return nil, fmt.Errorf("the targets' datastore already holds %d relationships: ward-bench cluster loads its own practices into an empty one (remove the datastore's volume and start the servers again)", held)
	}

	pls := striped(cfg.IngestCallers)
	spent, err := load(ctx, Config{Progress: cfg.Progress}, first.ward, pls, first.Name, cfg.Relationships)
	if err != nil {
		return nil, err
	}
	stored, err := countStored(ctx, first.direct)
	if err != nil {
		return nil, err
	}
	pl := joined(pls)
	fmt.Fprintf(cfg.Progress, "loaded %d relationships (%d practices) through Ward on %s in %s: %.0f/s\n",
		stored, len(pl.practices), first.Name, spent.Round(1e9), float64(stored)/spent.Seconds())

	rng := rand.New(rand.NewPCG(uint64(cfg.Relationships), 7))
	qs := pl.questions(256, rng.IntN)
	directQs := make([]*v1.CheckPermissionRequest, len(qs))
	for i, q := range qs {
		if directQs[i], err = checkRequest(q); err != nil {
			return nil, err
		}
	}
	// A token from after every write of the loading, as in runOne.
	after, err := first.direct.CheckPermission(ctx, directQs[0])
	if err != nil {
		return nil, err
	}
	tokenQs, directTokenQs := withToken(qs, directQs, after.GetCheckedAt().GetToken())
	practitioner := pl.practices[0].practitioner(0)
	few := max(cfg.Calls/10, 10)

	type measured struct {
		name           string
		callers, calls int
		ward, direct   func(t *clusterTarget, i int) error
	}
	checks := func(ward []api.CheckRequest, direct []*v1.CheckPermissionRequest) (func(*clusterTarget, int) error, func(*clusterTarget, int) error) {
		return func(t *clusterTarget, i int) error { _, err := t.ward.Check(ctx, ward[i%len(ward)]); return err },
			func(t *clusterTarget, i int) error {
				_, err := t.direct.CheckPermission(ctx, direct[i%len(direct)])
				return err
			}
	}
	wardCheck, directCheck := checks(qs, directQs)
	wardToken, directToken := checks(tokenQs, directTokenQs)
	var ops []measured
	for _, callers := range []int{1, concurrentCallers} {
		ops = append(ops,
			measured{OpCheck, callers, cfg.Calls, wardCheck, directCheck},
			measured{OpCheckToken, callers, cfg.Calls, wardToken, directToken})
	}
	ops = append(ops, measured{OpLookupOwn, 1, few,
		func(t *clusterTarget, _ int) error { return wardLookup(ctx, t.ward, practitioner) },
		func(t *clusterTarget, _ int) error { return directLookup(ctx, t.direct, practitioner) }})

	// figures[target][op] collects one Figures pair per round.
	wards := make([][][]Figures, len(targets))
	directs := make([][][]Figures, len(targets))
	for ti := range targets {
		wards[ti], directs[ti] = make([][]Figures, len(ops)), make([][]Figures, len(ops))
	}
	for round := range cfg.Rounds {
		for k := range targets {
			ti := (round + k) % len(targets)
			t := targets[ti]
			for oi, op := range ops {
				fmt.Fprintf(cfg.Progress, "round %d/%d, %s: %s, %d callers\n", round+1, cfg.Rounds, t.Name, op.name, op.callers)
				// Ward first in even rounds, SpiceDB first in odd ones.
				for turn := range 2 {
					viaWard := (round+turn)%2 == 0
					f, err := Sample(op.calls, op.callers, func(i int) error {
						if viaWard {
							return op.ward(t, i)
						}
						return op.direct(t, i)
					})
					if err != nil {
						return nil, fmt.Errorf("%s, %s (through Ward: %v): %w", t.Name, op.name, viaWard, err)
					}
					if viaWard {
						wards[ti][oi] = append(wards[ti][oi], f)
					} else {
						directs[ti][oi] = append(directs[ti][oi], f)
					}
				}
			}
		}
	}
	var out []Result
	for ti, t := range targets {
		res := Result{Store: t.Name, Relationships: stored, Practices: len(pl.practices)}
		for oi, op := range ops {
			res.Operations = append(res.Operations, Operation{Name: op.name, Callers: op.callers,
				Ward: Median(wards[ti][oi]), Direct: Median(directs[ti][oi])})
		}
		out = append(out, res)
	}
	return slices.Clip(out), nil
}

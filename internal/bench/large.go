package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/domain"
	"github.com/wardhq/ward/internal/pgadmin"
	"github.com/wardhq/ward/internal/scenarios"
	"github.com/wardhq/ward/internal/service"
	"github.com/wardhq/ward/internal/spicedb"
	"github.com/wardhq/ward/schema"
)

// LargeStep is one request applied to a large practice through the service
// on the in-process SpiceDB: the relationships it wrote and deleted, how
// long it took, the process's resident size after it and its peak since the
// practice was imported, or the error that refused it.
type LargeStep struct {
	Name             string
	Touched, Deleted int
	Took             time.Duration
	RSS, PeakRSS     int64
	Heap             uint64
	Err              string
}

// largeRequests are the requests a large practice must take as one atomic
// request each (issue 18): a thousand staff added at once, a role change
// that rewrites every holder's access, one person disabled and a new
// location, in that order on one practice.
func largeRequests() ([]scenarios.Cost, error) {
	named := map[string]scenarios.Cost{}
	for _, c := range scenarios.Costs {
		named[c.Name] = c
	}
	var out []scenarios.Cost
	out = append(out, extraCosts()...)
	for _, name := range []string{"role.updated (practitioners' invoices)", "notes_access.granted (a role)", "client.created", "location.created", "staff.disabled"} {
		c, ok := named[name]
		if !ok {
			return nil, fmt.Errorf("scenarios.Costs has no %q", name)
		}
		out = append(out, c)
	}
	return out, nil
}

// LargePractice imports a StaffedPractice of about staff people over twenty
// locations into an in-process SpiceDB (memory) through the service, then
// applies each of largeRequests in turn, as ward serve would, and measures
// each. Progress goes to progress.
//
// With postgresURI, SpiceDB stores the practice in a fresh database on that
// server (dropped after), as a real practice would be kept, so the process
// holds only what Ward and SpiceDB work with; the requests run once
// PostgreSQL's planner statistics cover the imported practice.
func LargePractice(ctx context.Context, staff int, postgresURI string, progress io.Writer) ([]LargeStep, error) {
	if staff <= 100 {
		return nil, fmt.Errorf("--staff %d: a large practice has more than 100 staff", staff)
	}
	locations, perLocation, wide, err := costSizes(staff)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	ecfg := spicedb.EmbeddedConfig{}
	if postgresURI != "" {
		uri, drop, err := pgadmin.CreateDatabase(ctx, postgresURI, "ward_large")
		if err != nil {
			return nil, err
		}
		defer drop()
		ecfg = spicedb.EmbeddedConfig{Engine: spicedb.EnginePostgres, URI: uri, Migrate: true, StreamTimeout: 10 * time.Minute}
	}
	emb, err := spicedb.StartEmbedded(ctx, ecfg, logger)
	if err != nil {
		return nil, err
	}
	defer emb.Close()
	store := spicedb.NewWithConfig(emb.Conn(), logger, emb.StoreConfig())
	if _, err := store.WriteSchema(ctx, schema.Text); err != nil {
		return nil, err
	}
	svc := service.New(store, logger)

	fmt.Fprintf(progress, "importing a practice of %d staff over %d locations\n", 1+locations*perLocation+wide, locations)
	events, err := domain.ReadImport(strings.NewReader(scenarios.StaffedPractice(locations, perLocation, wide)))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := svc.Import(ctx, events)
	if err != nil {
		return nil, fmt.Errorf("importing the practice: %w", err)
	}
	steps := []LargeStep{measured(LargeStep{Name: fmt.Sprintf("import (%d staff, %d locations)", 1+locations*perLocation+wide, locations),
		Touched: res.Touched, Took: time.Since(start)})}
	if postgresURI != "" {
		// What autovacuum does within a minute or so of an import: the
		// requests are measured as a practice in use would take them.
		fmt.Fprintln(progress, "  updating PostgreSQL's planner statistics (ANALYZE)")
		if err := pgadmin.Analyze(ctx, ecfg.URI); err != nil {
			return nil, err
		}
	}
	resetPeakRSS()
	reqs, err := largeRequests()
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		fmt.Fprintf(progress, "  %s\n", r.Name)
		evs, err := domain.ReadEvents(strings.NewReader(r.Events))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		start := time.Now()
		res, err := svc.Apply(ctx, evs)
		step := LargeStep{Name: r.Name, Touched: res.Touched, Deleted: res.Deleted, Took: time.Since(start)}
		var de *domain.Error
		switch {
		case errors.As(err, &de):
			step.Err = string(de.Code) + ": " + de.Message
		case err != nil:
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		steps = append(steps, measured(step))
	}
	return steps, nil
}

// measured sets s's resident sizes, now and at their peak.
func measured(s LargeStep) LargeStep {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.RSS, s.PeakRSS, s.Heap = procStatusBytes("VmRSS:"), procStatusBytes("VmHWM:"), ms.HeapAlloc
	s.PeakRSS = max(s.PeakRSS, s.RSS) // as in Run: the kernel's peak can lag
	return s
}

// WriteLarge prints steps as a Markdown table.
func WriteLarge(w io.Writer, steps []LargeStep) error {
	var b strings.Builder
	b.WriteString("| request | written | deleted | took | Go heap after | resident after | peak resident | refused |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, s := range steps {
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %d MiB | %d MiB | %d MiB | %s |\n", s.Name, s.Touched, s.Deleted,
			s.Took.Round(time.Millisecond), s.Heap>>20, s.RSS>>20, s.PeakRSS>>20, s.Err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

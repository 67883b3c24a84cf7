package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardhq/ward/internal/bench/plot"
)

// WriteTable prints results as a table: one row per store, size and
// operation, Ward's figures beside the direct ones and their ratio.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "store\trelationships\toperation\tcallers\tWard p50\tdirect p50\tratio\tWard p99\tdirect p99\tWard /s\tdirect /s\t")
	for _, r := range results {
		for _, o := range r.Operations {
			if o.Name == OpIngest || o.Name == OpImport {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t\t\t%.2fx\t\t\t%.0f\t%.0f\t\n", r.Store, r.Relationships, o.Name, o.Callers, o.Ratio(), o.Ward.PerSecond, o.Direct.PerSecond)
				continue
			}
			if o.Name == OpFloor {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t\t%s\t\t\t%s\t\t%.0f\t\n", r.Store, r.Relationships, o.Name, o.Callers,
					ms(o.Direct.P50), ms(o.Direct.P99), o.Direct.PerSecond)
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\t%.2fx\t%s\t%s\t%.0f\t%.0f\t\n", r.Store, r.Relationships, o.Name, o.Callers,
				ms(o.Ward.P50), ms(o.Direct.P50), o.Ratio(), ms(o.Ward.P99), ms(o.Direct.P99), o.Ward.PerSecond, o.Direct.PerSecond)
		}
		if r.RSSBytes == 0 {
			continue // measured on servers outside this process (RunCluster)
		}
		shape := fmt.Sprintf("%d practices", r.Practices)
		if r.Clients > 0 {
			shape = fmt.Sprintf("one practice of %d clients, without records", r.Clients)
		}
		if r.GOGC != "" && r.GOGC != "100" {
			shape += ", GOGC " + r.GOGC
		}
		if r.GOMEMLIMIT != "" {
			shape += ", GOMEMLIMIT " + r.GOMEMLIMIT
		}
		if r.DispatchCaches {
			shape += ", SpiceDB's dispatch caches on"
		}
		peak := ""
		if r.PeakRSSBytes > 0 {
			peak = fmt.Sprintf(" (peak %d MiB while loading)", r.PeakRSSBytes>>20)
		}
		fmt.Fprintf(tw, "%s\t%d\tmemory: process RSS %d MiB%s, Go heap %d MiB (%s)\t\t\t\t\t\t\t\t\t\n", r.Store, r.Relationships, r.RSSBytes>>20, peak, r.HeapBytes>>20, shape)
	}
	return tw.Flush()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// WritePlot draws the cost curve: single-caller check p50 against size, Ward
// and direct, one line each per store, and SpiceDB's floor (a check of one
// stored relation) beneath them.
func WritePlot(w io.Writer, results []Result) error {
	byName := map[string]*plot.Series{}
	var order []string
	for _, r := range results {
		for _, o := range r.Operations {
			type side struct {
				name string
				f    Figures
			}
			var sides []side
			switch {
			case o.Name == OpCheck && o.Callers == 1:
				sides = []side{{"Ward HTTP", o.Ward}, {"SpiceDB gRPC", o.Direct}}
			case o.Name == OpFloor:
				sides = []side{{"floor (one relation)", o.Direct}}
			}
			for _, side := range sides {
				key := fmt.Sprintf("%s, %s", side.name, r.Store)
				s, ok := byName[key]
				if !ok {
					s = &plot.Series{Name: key}
					byName[key] = s
					order = append(order, key)
				}
				s.X = append(s.X, float64(r.Relationships))
				s.Y = append(s.Y, float64(side.f.P50)/float64(time.Millisecond))
			}
		}
	}
	c := plot.Chart{Title: "Check latency (p50, one caller) by data size", XLabel: "relationships", YLabel: "p50 ms", LogX: true, LogY: true}
	for _, k := range order {
		c.Series = append(c.Series, *byName[k])
	}
	if len(c.Series) == 0 {
		return fmt.Errorf("no check results to plot (stores measured: %s)", strings.Join(storesOf(results), ", "))
	}
	return plot.PNG(w, c)
}

func storesOf(results []Result) []string {
	var out []string
	for _, r := range results {
		out = append(out, r.Store)
	}
	return out
}

package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wardhq/ward/internal/domain"
)

// TestRunSmall is the benchmark's short version, run by `go test ./...` (and
// so by CI) so that it cannot rot: it loads about 1,000 relationships on the
// in-process memory store, two callers at once, and measures every operation
// with a few calls. It
// asserts that every figure was measured, never how fast: timings do not fail
// tests.
func TestRunSmall(t *testing.T) {
	var progress bytes.Buffer
	results, err := Run(context.Background(), Config{Sizes: []int{1000}, Stores: []string{"memory"}, Calls: 20, Rounds: 2, IngestCallers: 2, StreamClients: 300, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2 (the sizes and the streamed practice)", len(results))
	}
	stream := results[1]
	if stream.Clients != 300 || stream.Relationships < 300 || len(stream.Operations) != 2 {
		t.Errorf("streamed practice: %+v, want 300 clients and two operations", stream)
	}
	for _, o := range stream.Operations {
		// Each call checked it got the first client, or all 300 of them.
		if (o.Name != OpStreamFirst && o.Name != OpStreamAll) || o.Ward.P50 <= 0 || o.Direct.P50 <= 0 {
			t.Errorf("streamed practice: %+v", o)
		}
	}
	r := results[0]
	if r.Relationships < 1000 || r.Practices != 2 || r.RSSBytes <= 0 {
		t.Errorf("loaded %d relationships in %d practices, RSS %d: want at least 1000 in 2 (one a caller), and a resident size", r.Relationships, r.Practices, r.RSSBytes)
	}
	// The peak since the store opened is at least what is resident after loading.
	if r.PeakRSSBytes < r.RSSBytes || r.GOGC == "" {
		t.Errorf("peak RSS %d under RSS %d, or GOGC %q not recorded", r.PeakRSSBytes, r.RSSBytes, r.GOGC)
	}
	if o := r.Operations[0]; o.Name != OpIngest || o.Callers != 2 {
		t.Errorf("first operation %+v, want %s by 2 callers", o, OpIngest)
	}
	want := []string{OpIngest, OpImport, OpCheck, OpCheck, OpCheckToken, OpCheckToken, OpCheckRecorded, OpCheckRecorded, OpCheckPaced, OpFloor, OpBulk, OpLookupOwn, OpLookupManager, OpCheckStarted, OpCheckLimited, OpCheckConditioned, OpExplain}
	if len(r.Operations) != len(want) {
		t.Fatalf("measured %d operations, want %d: %+v", len(r.Operations), len(want), r.Operations)
	}
	for i, o := range r.Operations {
		if o.Name == OpFloor {
			if o.Direct.P50 <= 0 || o.Direct.PerSecond <= 0 || o.Ward != (Figures{}) {
				t.Errorf("floor: %+v, want measured directly only", o)
			}
			continue
		}
		if o.Name != want[i] || o.Ward.PerSecond <= 0 || o.Direct.PerSecond <= 0 || o.Ratio() <= 0 {
			t.Errorf("operation %d: %+v, want %s measured both ways", i, o, want[i])
		}
		if o.Name != OpIngest && o.Name != OpImport && (o.Ward.P50 <= 0 || o.Direct.P50 <= 0 || o.Ward.P99 < o.Ward.P50) {
			t.Errorf("%s: latencies %+v / %+v", o.Name, o.Ward, o.Direct)
		}
	}
	if !strings.Contains(progress.String(), "loaded") {
		t.Errorf("no loading progress was shown: %q", progress.String())
	}
	var table bytes.Buffer
	if err := WriteTable(&table, results); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"memory", OpCheck, OpLookupManager, "RSS", OpStreamAll, "one practice of 300 clients"} {
		if !strings.Contains(table.String(), s) {
			t.Errorf("the table does not show %q:\n%s", s, table.String())
		}
	}
	var img bytes.Buffer
	if err := WritePlot(&img, results); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&img); err != nil {
		t.Errorf("the plot is not a PNG: %v", err)
	}
}

// TestSamplePaced: a paced sample's latencies leave the pauses out and its
// throughput counts them.
func TestSamplePaced(t *testing.T) {
	// In a synctest bubble time is the bubble's own: it moves only while every
	// goroutine sleeps, so the figures are exact, whatever the machine does.
	synctest.Test(t, func(t *testing.T) {
		const pause, cost, calls = 5 * time.Millisecond, 2 * time.Millisecond, 20
		call := func(int) error { time.Sleep(cost); return nil }
		f, err := samplePaced(calls, 1, pause, call)
		if err != nil {
			t.Fatal(err)
		}
		if f.P50 != cost || f.P99 != cost {
			t.Errorf("p50 %v, p99 %v: want the call's %v alone, the pause of %v untimed", f.P50, f.P99, cost, pause)
		}
		want := 1 / (pause + cost).Seconds()
		if math.Abs(f.PerSecond-want) > 1e-6 {
			t.Errorf("%.1f calls/s, want %.1f: one call a pause and a call", f.PerSecond, want)
		}
		op, err := alternate(1, "paced", 5, 1, pause, nil, call)
		if err != nil {
			t.Fatal(err)
		}
		if op.Direct.P50 != cost || math.Abs(op.Direct.PerSecond-want) > 1e-6 {
			t.Errorf("alternate: %+v, want calls of %v paced by %v", op.Direct, cost, pause)
		}
		if _, err := samplePaced(3, 1, pause, func(int) error { return errors.New("boom") }); err == nil {
			t.Error("an op's error was lost")
		}
	})
}

// TestPlatformQuestions: the generated questions ask about the generated
// practice, in several kinds.
func TestPlatformQuestions(t *testing.T) {
	pl := &platform{}
	pl.next(500)
	seen := map[string]int{}
	n := 0
	for _, q := range pl.questions(200, rand.New(rand.NewPCG(1, 2)).IntN) {
		seen[q.Permission]++
		n++
		if !strings.HasPrefix(q.Subject, "user:w0-") {
			t.Errorf("question %+v names a subject outside the practice", q)
		}
	}
	if n != 200 || len(seen) < 3 {
		t.Errorf("%d questions over %v", n, seen)
	}
}

// TestMedian: each figure is the median of its own values over the rounds.
func TestMedian(t *testing.T) {
	tests := []struct {
		name   string
		rounds []Figures
		want   Figures
	}{
		{"none", nil, Figures{}},
		{"one", []Figures{{P50: 3, P95: 4, P99: 5, PerSecond: 10}}, Figures{P50: 3, P95: 4, P99: 5, PerSecond: 10}},
		{"odd, each figure apart", []Figures{{P50: 9, P99: 1, PerSecond: 5}, {P50: 1, P99: 2, PerSecond: 7}, {P50: 5, P99: 30, PerSecond: 6}}, Figures{P50: 5, P99: 2, PerSecond: 6}},
		{"even: the mean of the middle two", []Figures{{P50: 2, PerSecond: 1}, {P50: 4, PerSecond: 3}}, Figures{P50: 3, PerSecond: 2}},
	}
	for _, tt := range tests {
		if got := Median(tt.rounds); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestConfigValidate: a bad configuration is refused before anything runs,
// naming the flag to fix.
func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"memory", Config{Stores: []string{"memory"}, Sizes: []int{1000}}, ""},
		{"unknown store", Config{Stores: []string{"mysql"}, Sizes: []int{1000}}, "--stores"},
		{"postgres without a server", Config{Stores: []string{"postgres"}, Sizes: []int{1000}}, "--postgres-uri"},
		{"zero size", Config{Stores: []string{"memory"}, Sizes: []int{0}}, "--sizes"},
		{"negative stream size", Config{Stores: []string{"memory"}, Sizes: []int{1000}, StreamClients: -5}, "--stream-clients"},
		{"negative rounds", Config{Stores: []string{"memory"}, Sizes: []int{1000}, Rounds: -1}, "--rounds"},
		{"negative ingest callers", Config{Stores: []string{"memory"}, Sizes: []int{1000}, IngestCallers: -2}, "--ingest-callers"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want an error naming %q", tt.name, err, tt.want)
		}
		if tt.want != "" {
			if _, err := Run(context.Background(), tt.cfg); err == nil {
				t.Errorf("%s: Run accepted it", tt.name)
			}
		}
	}
}

// TestPlatformRepeats: a fresh platform hands out the same events again, in
// one call or in requests of any size, so the import row need not keep them.
func TestPlatformRepeats(t *testing.T) {
	pl := &platform{}
	var first []domain.Event
	for _, n := range []int{25, 1000, 7, 2400, 313} {
		first = append(first, pl.next(n)...)
	}
	if pl.handed != len(first) || len(first) != 25+1000+7+2400+313 {
		t.Fatalf("handed %d of %d events", pl.handed, len(first))
	}
	again := (&platform{}).next(pl.handed)
	if !reflect.DeepEqual(first, again) {
		t.Error("a fresh platform handed out other events")
	}
}

// TestStripedPlatforms: loaders of one platform open disjoint practices, w0
// first; replaying them hands out the same events again, and the joined
// platform asks about every practice.
func TestStripedPlatforms(t *testing.T) {
	pls := striped(3)
	var handed []domain.Event
	for round := range 4 {
		for j, pl := range pls {
			handed = append(handed, pl.next(700+round*100+j)...)
		}
	}
	seen := map[string]int{}
	for j, pl := range pls {
		for _, p := range pl.practices {
			if seen[p.ws]++; seen[p.ws] > 1 {
				t.Errorf("practice %s opened twice", p.ws)
			}
			var k int
			if _, err := fmt.Sscanf(p.ws, "w%d", &k); err != nil || k%3 != j {
				t.Errorf("loader %d opened %s", j, p.ws)
			}
		}
	}
	again := replay(pls)
	if len(again) != len(handed) {
		t.Fatalf("replayed %d events, handed %d", len(again), len(handed))
	}
	// Replayed stripe by stripe: the same events, in each stripe's order.
	byStripe := func(events []domain.Event) map[string][]domain.Event {
		m := map[string][]domain.Event{}
		for _, e := range events {
			m[e.Workspace] = append(m[e.Workspace], e)
		}
		return m
	}
	if !reflect.DeepEqual(byStripe(handed), byStripe(again)) {
		t.Error("replaying handed out other events")
	}
	all := joined(pls)
	if all.practices[0].ws != "w0" || len(all.practices) != len(seen) {
		t.Errorf("joined %d practices from %s, want %d from w0", len(all.practices), all.practices[0].ws, len(seen))
	}
}

func TestClusterConfigNamesWhatIsWrong(t *testing.T) {
	t.Parallel()
	ok := ClusterConfig{Targets: []Target{{"3 nodes", "10.0.0.2:50051"}, {"1 node", "10.0.0.3:50051"}}, Token: "k", Relationships: 1, Calls: 1, Rounds: 1}
	for _, c := range []struct {
		name string
		edit func(*ClusterConfig)
		want string // in the error; "" for none
	}{
		{"valid", func(*ClusterConfig) {}, ""},
		{"no target", func(c *ClusterConfig) { c.Targets = nil }, "--target"},
		{"a name twice", func(c *ClusterConfig) { c.Targets[1].Name = "3 nodes" }, `"3 nodes" is given twice`},
		{"no token", func(c *ClusterConfig) { c.Token = "" }, "--spicedb-token"},
		{"no relationships", func(c *ClusterConfig) { c.Relationships = 0 }, "--relationships"},
		{"no rounds", func(c *ClusterConfig) { c.Rounds = 0 }, "--rounds"},
	} {
		cfg := ok
		cfg.Targets = slices.Clone(ok.Targets)
		c.edit(&cfg)
		err := cfg.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.want)
		}
	}
	for in, want := range map[string]Target{"1 node=10.0.0.3:50051": {"1 node", "10.0.0.3:50051"}, "a=b=c:1": {"a", "b=c:1"}} {
		if got, err := ParseTarget(in); err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x:1", "=x:1", "a="} {
		if _, err := ParseTarget(in); err == nil {
			t.Errorf("ParseTarget(%q): no error", in)
		}
	}
}

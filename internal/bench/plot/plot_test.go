package plot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"strings"
	"testing"
)

func TestPNGErrors(t *testing.T) {
	one := func(x, y []float64) []Series { return []Series{{Name: "s1", X: x, Y: y}} }
	tests := []struct {
		name string
		c    Chart
		want []string // substrings the error must contain
	}{
		{"no series", Chart{}, []string{"no series"}},
		{"lengths differ", Chart{Series: one([]float64{1, 2}, []float64{1})}, []string{`"s1"`, "lengths differ"}},
		{"empty", Chart{Series: one(nil, nil)}, []string{`"s1"`, "empty"}},
		{"zero on log X", Chart{LogX: true, Series: one([]float64{0, 1}, []float64{1, 2})}, []string{"X[0]", "not positive", "log"}},
		{"negative on log Y", Chart{LogY: true, Series: one([]float64{1, 2}, []float64{1, -2})}, []string{"Y[1]", "not positive", "log"}},
		{"NaN", Chart{Series: one([]float64{1, math.NaN()}, []float64{1, 2})}, []string{"X[1]", "NaN"}},
		{"Inf", Chart{Series: one([]float64{1, 2}, []float64{math.Inf(1), 2})}, []string{"Y[0]", "Inf"}},
		{"-Inf on log axis", Chart{LogY: true, Series: one([]float64{1, 2}, []float64{math.Inf(-1), 2})}, []string{"Y[0]", "Inf"}},
		{"negative size", Chart{Width: -5, Series: one([]float64{1}, []float64{1})}, []string{"size"}},
		{"too small", Chart{Width: 50, Height: 50, Series: one([]float64{1}, []float64{1})}, []string{"too small"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := PNG(io.Discard, tc.c)
			if err == nil {
				t.Fatal("PNG returned nil error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func sampleChart() Chart {
	return Chart{
		Title: "Check latency vs relationships", XLabel: "relationships", YLabel: "latency (µs/op)",
		LogX: true, LogY: true, Width: 800, Height: 500,
		Series: []Series{
			{Name: "ward http", X: []float64{1e3, 1e4, 1e5, 1e6}, Y: []float64{180, 210, 320, 900}},
			{Name: "spicedb grpc", X: []float64{1e3, 1e4, 1e5, 1e6}, Y: []float64{90, 120, 200, 650}},
		},
	}
}

func TestPNGRender(t *testing.T) {
	c := sampleChart()
	var buf bytes.Buffer
	if err := PNG(&buf, c); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(c.Width, c.Height) {
		t.Fatalf("size = %v, want %dx%d", got, c.Width, c.Height)
	}
	white := color.RGBA{255, 255, 255, 255}
	inner := image.Rect(c.Width/4, c.Height/4, 3*c.Width/4, 3*c.Height/4) // surely inside the plot area
	nonWhite := 0
	counts := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			counts[p]++
			if p != white && image.Pt(x, y).In(inner) {
				nonWhite++
			}
		}
	}
	if nonWhite == 0 {
		t.Error("plot area is blank")
	}
	for i, s := range c.Series {
		// Legend swatch, text and a 2px line across the chart: well over 200 pixels.
		if n := counts[seriesColor(i)]; n < 200 {
			t.Errorf("series %q colour %v: %d pixels, want >= 200", s.Name, seriesColor(i), n)
		}
	}
}

func TestSeriesColorsDistinct(t *testing.T) {
	seen := map[color.RGBA]int{}
	for i := range 20 {
		col := seriesColor(i)
		if j, ok := seen[col]; ok {
			t.Errorf("series %d and %d share colour %v", j, i, col)
		}
		seen[col] = i
	}
}

func TestFormatNum(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {2.5, "2.5"}, {10, "10"}, {100, "100"}, {1000, "1k"}, {1500, "1.5k"}, {1e4, "10k"},
		{1e5, "100k"}, {1e6, "1M"}, {2.5e9, "2.5G"}, {0.1, "0.1"}, {0.3 + 0.6, "0.9"}, {-2000, "-2k"},
	}
	for _, tc := range tests {
		if got := formatNum(tc.v); got != tc.want {
			t.Errorf("formatNum(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestAxisTicks(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
		log    bool
		want   string
	}{
		{"log decades", 1e3, 1e6, true, "1k 10k 100k 1M"},
		{"log widened", 150, 900, true, "100 1k"},
		{"log one value", 10, 10, true, "10 100"},
		{"linear", 0, 10, false, "0 2 4 6 8 10"},
		{"linear widened", 0.3, 0.9, false, "0.2 0.4 0.6 0.8 1"},
		{"linear one value", 5, 5, false, "4 4.5 5 5.5 6"},
	}
	for _, tc := range tests {
		a := newAxis([]Series{{X: []float64{tc.lo, tc.hi}}}, true, tc.log)
		var got []string
		for _, v := range a.ticks {
			got = append(got, formatNum(v))
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%s: ticks %q, want %q", tc.name, s, tc.want)
		}
	}
}

// TestSampleIsStable renders the sample chart twice and wants the same bytes:
// charts in docs/ are regenerated and diffed, so a chart must not change when
// its figures do not. With PLOT_SAMPLE set to a file path it also writes the
// chart there, for eyeballing:
//
//	PLOT_SAMPLE=/tmp/plot_sample.png go test -run Sample ./internal/bench/plot
func TestSampleIsStable(t *testing.T) {
	var first, second bytes.Buffer
	if err := PNG(&first, sampleChart()); err != nil {
		t.Fatal(err)
	}
	if err := PNG(&second, sampleChart()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("the same chart rendered to %d and %d different bytes", first.Len(), second.Len())
	}
	if path := os.Getenv("PLOT_SAMPLE"); path != "" {
		if err := os.WriteFile(path, first.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLegendBox: the legend goes in the corner that hides the fewest points,
// the top left when nothing is hidden anywhere.
func TestLegendBox(t *testing.T) {
	area, size := image.Rect(0, 0, 100, 100), image.Pt(30, 20)
	tests := []struct {
		name  string
		lines [][]image.Point
		want  image.Point
	}{
		{"empty chart", nil, image.Pt(0, 0)},
		{"a line along the top", [][]image.Point{{{0, 5}, {99, 5}}}, image.Pt(70, 80)},
		{"a rising line", [][]image.Point{{{0, 99}, {99, 0}}}, image.Pt(0, 0)},
		{"points in three corners", [][]image.Point{{{5, 5}}, {{95, 5}}, {{95, 95}}}, image.Pt(0, 80)},
	}
	for _, tt := range tests {
		if got := legendBox(area, size, tt.lines); got.Min != tt.want || got.Size() != size {
			t.Errorf("%s: %v, want at %v", tt.name, got, tt.want)
		}
	}
}

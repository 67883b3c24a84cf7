// Package plot renders simple line charts as PNG images using only the
// standard library and a built-in 5x7 bitmap font.
package plot

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
)

// Series is one line: Y values at the X positions (same length as X).
type Series struct {
	Name string
	X, Y []float64
}

// Chart describes a chart. A zero Width or Height means 800x500.
type Chart struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Series                []Series
	Width, Height         int
}

const (
	textScale, titleScale = 2, 3
	tickLen, pad          = 5, 10
)

// palette holds the first series colours; later series get generated hues.
var palette = [...]color.RGBA{
	{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {255, 127, 14, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {23, 190, 207, 255},
	{188, 189, 34, 255}, {0, 0, 128, 255},
}

// seriesColor returns the colour of the i-th series.
func seriesColor(i int) color.RGBA {
	if i < len(palette) {
		return palette[i]
	}
	h := math.Mod(float64(i)*137.508, 360) / 60 // golden-angle hue steps
	x := uint8(180 * (1 - math.Abs(math.Mod(h, 2)-1)))
	return [6]color.RGBA{{180, x, 0, 255}, {x, 180, 0, 255}, {0, 180, x, 255},
		{0, x, 180, 255}, {x, 0, 180, 255}, {180, 0, x, 255}}[int(h)%6]
}

// PNG renders c as a PNG image into w. It returns an error naming the problem
// for: no series, a series whose X and Y lengths differ or are empty,
// non-positive values on a log axis, NaN/Inf values.
func PNG(w io.Writer, c Chart) error {
	if err := validate(c); err != nil {
		return err
	}
	width, height := cmp.Or(c.Width, 800), cmp.Or(c.Height, 500)
	if width < 0 || height < 0 {
		return fmt.Errorf("plot: invalid size %dx%d", c.Width, c.Height)
	}
	xa, ya := newAxis(c.Series, true, c.LogX), newAxis(c.Series, false, c.LogY)
	white, black, grid := color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 0, 255}, color.RGBA{225, 225, 225, 255}

	// Layout: margins sized to the text around the plot area.
	charH := cellH * textScale // line height, including descenders
	top := pad
	if c.Title != "" {
		top += cellH*titleScale + pad
	}
	bottom := tickLen + 4 + charH + pad
	if c.XLabel != "" {
		bottom += charH + pad
	}
	left := pad + tickLen + 4
	if c.YLabel != "" {
		left += charH + pad
	}
	labelW := 0
	for _, t := range ya.ticks {
		labelW = max(labelW, textWidth(formatNum(t), textScale))
	}
	left = max(left+labelW, textWidth(formatNum(xa.ticks[0]), textScale)/2+pad)
	right := max(2*pad, textWidth(formatNum(xa.ticks[len(xa.ticks)-1]), textScale)/2+pad)
	area := image.Rect(left, top, width-right, height-bottom)
	if area.Dx() < 40 || area.Dy() < 40 {
		return fmt.Errorf("plot: size %dx%d is too small for the plot area", width, height)
	}
	px := func(v float64) int { return area.Min.X + int(math.Round(xa.frac(v)*float64(area.Dx()-1))) }
	py := func(v float64) int { return area.Max.Y - 1 - int(math.Round(ya.frac(v)*float64(area.Dy()-1))) }

	img := canvas{image.NewRGBA(image.Rect(0, 0, width, height))}
	img.fill(img.Bounds(), white)

	// Grid, tick marks and tick labels.
	xStep := labelStride(xa.ticks, area.Dx(), func(s string) int { return textWidth(s, textScale) + pad })
	for i, t := range xa.ticks {
		x := px(t)
		img.line(x, area.Min.Y, x, area.Max.Y-1, grid, 1)
		img.line(x, area.Max.Y, x, area.Max.Y+tickLen, black, 1)
		if i%xStep == 0 {
			s := formatNum(t)
			img.text(x-textWidth(s, textScale)/2, area.Max.Y+tickLen+4, s, black, textScale, false)
		}
	}
	yStep := labelStride(ya.ticks, area.Dy(), func(string) int { return charH + pad })
	for i, t := range ya.ticks {
		y := py(t)
		img.line(area.Min.X, y, area.Max.X-1, y, grid, 1)
		img.line(area.Min.X-tickLen-1, y, area.Min.X-1, y, black, 1)
		if i%yStep == 0 {
			s := formatNum(t)
			img.text(area.Min.X-tickLen-4-textWidth(s, textScale), y-glyphH*textScale/2, s, black, textScale, false)
		}
	}

	// Series: 2px lines with a dot at each point.
	for i, s := range c.Series {
		col := seriesColor(i)
		for j := range s.X {
			if j > 0 {
				img.line(px(s.X[j-1]), py(s.Y[j-1]), px(s.X[j]), py(s.Y[j]), col, 2)
			}
			img.dot(px(s.X[j]), py(s.Y[j]), 3, col)
		}
	}

	// Axes frame, titles and legend.
	img.line(area.Min.X-1, area.Min.Y, area.Min.X-1, area.Max.Y, black, 1)
	img.line(area.Min.X-1, area.Max.Y, area.Max.X-1, area.Max.Y, black, 1)
	if c.Title != "" {
		img.text((width-textWidth(c.Title, titleScale))/2, pad, c.Title, black, titleScale, false)
	}
	if c.XLabel != "" {
		x := area.Min.X + (area.Dx()-textWidth(c.XLabel, textScale))/2
		img.text(x, height-pad-charH, c.XLabel, black, textScale, false)
	}
	if c.YLabel != "" {
		y := area.Min.Y + (area.Dy()+textWidth(c.YLabel, textScale))/2
		img.text(pad, y, c.YLabel, black, textScale, true)
	}
	legendW := 0
	for _, s := range c.Series {
		legendW = max(legendW, textWidth(s.Name, textScale))
	}
	lines := make([][]image.Point, len(c.Series))
	for i, s := range c.Series {
		for j := range s.X {
			lines[i] = append(lines[i], image.Pt(px(s.X[j]), py(s.Y[j])))
		}
	}
	box := legendBox(area.Inset(pad), image.Pt(legendW+3*pad+20, len(c.Series)*(charH+4)+pad/2), lines)
	img.fill(box.Inset(-1), color.RGBA{160, 160, 160, 255})
	img.fill(box, white)
	for i, s := range c.Series {
		y := box.Min.Y + pad/2 + i*(charH+4)
		mid := y + glyphH*textScale/2
		img.line(box.Min.X+pad, mid, box.Min.X+pad+20, mid, seriesColor(i), 2)
		img.dot(box.Min.X+pad+10, mid, 3, seriesColor(i))
		img.text(box.Min.X+2*pad+20, y, s.Name, seriesColor(i), textScale, false)
	}
	return png.Encode(w, img)
}

// validate reports the first problem with c's series.
func validate(c Chart) error {
	if len(c.Series) == 0 {
		return errors.New("plot: chart has no series")
	}
	for _, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("plot: series %q: X and Y lengths differ (%d vs %d)", s.Name, len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			return fmt.Errorf("plot: series %q is empty", s.Name)
		}
		for _, d := range []struct {
			name string
			vals []float64
			log  bool
		}{{"X", s.X, c.LogX}, {"Y", s.Y, c.LogY}} {
			for i, v := range d.vals {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("plot: series %q: %s[%d] is %v", s.Name, d.name, i, v)
				}
				if d.log && v <= 0 {
					return fmt.Errorf("plot: series %q: %s[%d] = %v is not positive on a log axis", s.Name, d.name, i, v)
				}
			}
		}
	}
	return nil
}

// axis maps data values to [0, 1]; lo and hi are log10 values on a log axis.
type axis struct {
	lo, hi float64
	log    bool
	ticks  []float64
}

func (a axis) frac(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	return (v - a.lo) / (a.hi - a.lo)
}

// newAxis builds the X (isX) or Y axis spanning all series, widened to
// whole decades (log) or to round tick steps (linear).
func newAxis(series []Series, isX, log bool) axis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		vals := s.Y
		if isX {
			vals = s.X
		}
		for _, v := range vals {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	a := axis{log: log}
	if log {
		a.lo, a.hi = math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
		if a.lo == a.hi {
			a.hi++
		}
		step := math.Ceil((a.hi - a.lo) / 10)
		for e := a.lo; e <= a.hi; e += step {
			a.ticks = append(a.ticks, math.Pow(10, e))
		}
		return a
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	step := niceStep(hi/5 - lo/5)
	a.lo, a.hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	for i := 0; a.lo+float64(i)*step <= a.hi+step/2; i++ {
		a.ticks = append(a.ticks, a.lo+float64(i)*step)
	}
	return a
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / e; {
	case f <= 1:
		return e
	case f <= 2:
		return 2 * e
	case f <= 5:
		return 5 * e
	}
	return 10 * e
}

// labelStride returns n so that labelling every n-th tick avoids overlaps.
func labelStride(ticks []float64, span int, size func(string) int) int {
	if len(ticks) < 2 {
		return 1
	}
	need := 0
	for _, t := range ticks {
		need = max(need, size(formatNum(t)))
	}
	gap := float64(span) / float64(len(ticks)-1)
	return max(1, int(math.Ceil(float64(need)/gap)))
}

// formatNum formats v compactly: 1000 as "1k", 1e6 as "1M", 2.5 as "2.5".
func formatNum(v float64) string {
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64) // so 999.9 becomes 1k
	for i := 4; i > 0; i-- {
		if d := math.Pow(1000, float64(i)); math.Abs(v) >= d {
			return strconv.FormatFloat(v/d, 'g', 3, 64) + string("kMGT"[i-1])
		}
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// canvas adds drawing primitives to an RGBA image.
type canvas struct{ *image.RGBA }

func (c canvas) fill(r image.Rectangle, col color.RGBA) {
	draw.Draw(c, r, &image.Uniform{col}, image.Point{}, draw.Src)
}

// line draws a Bresenham line stamped with a thick x thick square.
func (c canvas) line(x0, y0, x1, y1 int, col color.RGBA, thick int) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := cmp.Compare(x1, x0), cmp.Compare(y1, y0)
	for e := dx + dy; ; {
		c.fill(image.Rect(x0, y0, x0+thick, y0+thick), col)
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e, x0 = e+dy, x0+sx
		} else {
			e, y0 = e+dx, y0+sy
		}
	}
}

func (c canvas) dot(x, y, r int, col color.RGBA) {
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if dx*dx+dy*dy <= r*r+1 {
				c.SetRGBA(x+dx, y+dy, col)
			}
		}
	}
}

// text draws s with its top-left corner at (x, y), or, if vertical, reading
// bottom to top with its bottom-left corner at (x, y).
func (c canvas) text(x, y int, s string, col color.RGBA, scale int, vertical bool) {
	i := 0
	for _, r := range s {
		g, ok := font[r]
		if !ok {
			g = [glyphH]uint8{0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F}
		}
		drop := 0
		if strings.ContainsRune(descenders, r) {
			drop = 2
		}
		for row, bits := range g {
			for b := range glyphW {
				if bits&(0x10>>b) == 0 {
					continue
				}
				u, v := (i*(glyphW+1)+b)*scale, (row+drop)*scale
				p := image.Pt(x+u, y+v)
				if vertical {
					p = image.Pt(x+v, y-u-scale)
				}
				c.fill(image.Rectangle{p, p.Add(image.Pt(scale, scale))}, col)
			}
		}
		i++
	}
}

func textWidth(s string, scale int) int {
	n := len([]rune(s))
	return max(0, n*(glyphW+1)*scale-scale)
}

func abs(v int) int { return max(v, -v) }

// legendBox places a legend of size in the corner of area that hides the
// fewest of the lines' points (each point, and samples along each segment).
func legendBox(area image.Rectangle, size image.Point, lines [][]image.Point) image.Rectangle {
	var best image.Rectangle
	hidden := -1
	for _, at := range []image.Point{
		area.Min,
		image.Pt(area.Max.X-size.X, area.Min.Y),
		area.Max.Sub(size),
		image.Pt(area.Min.X, area.Max.Y-size.Y),
	} {
		r, n := image.Rectangle{Min: at, Max: at.Add(size)}, 0
		for _, pts := range lines {
			for j, p := range pts {
				if p.In(r) {
					n += 10
				}
				if j == 0 {
					continue
				}
				q := pts[j-1]
				for k := range 21 {
					if q.Add(p.Sub(q).Mul(k).Div(20)).In(r) {
						n++
					}
				}
			}
		}
		if hidden < 0 || n < hidden {
			best, hidden = r, n
		}
	}
	return best
}

package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Charts are drawn with gonum.org/v1/plot on its SVG canvas, whose output is
// a pure function of the data: no clock, no random ids. Text uses the
// Liberation Sans metrics plot ships and names a fallback chain of common
// fonts, since the font itself is not embedded (that would add 400 KB to
// every chart).

// palette is the colour of each line, in order: colour-blind-safe (Okabe-Ito).
var palette = []color.RGBA{
	{0, 114, 178, 255},   // blue
	{213, 94, 0, 255},    // vermillion
	{0, 158, 115, 255},   // green
	{204, 121, 167, 255}, // purple
	{230, 159, 0, 255},   // orange
	{86, 180, 233, 255},  // sky
	{120, 120, 120, 255}, // grey
	{240, 228, 66, 255},  // yellow
}

func colorOf(i int) color.RGBA { return palette[i%len(palette)] }

// hexColor is c as #rrggbb, for hand-written SVG and CSS.
func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// chartSeries is one line of a chart. NaN values leave a gap. Each
// colour has its own dash pattern too (dashOf), so lines stay apart in
// greyscale, on a projector and for readers who do not see the colour;
// Dashed draws the line dotted instead: the second metric of a pair
// (throughput beside goodput).
type chartSeries struct {
	Name   string
	X, Y   []float64
	Color  int
	Dashed bool
	Points bool // mark every point, not only lone ones
}

// dashes are the patterns of the colours, in palette order: solid, long
// dash, dash-dot, short dash, long dash-dot-dot, ...
var dashes = [][]vg.Length{
	nil,
	{vg.Points(7), vg.Points(3)},
	{vg.Points(7), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(3.5), vg.Points(2.5)},
	{vg.Points(9), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(12), vg.Points(3)},
	{vg.Points(5), vg.Points(2), vg.Points(5), vg.Points(5)},
	{vg.Points(2), vg.Points(4)},
}

// dotted is Dashed's pattern, which no colour has.
var dotted = []vg.Length{vg.Points(1.2), vg.Points(2.2)}

func dashOf(s chartSeries) []vg.Length {
	if s.Dashed {
		return dotted
	}
	return dashes[s.Color%len(dashes)]
}

// niceTicks labels an axis with 5 to 11 round values (1, 2 or 5 times a
// power of ten), counts past a thousand as 1.5k, 2M.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	top := math.Max(math.Abs(lo), math.Abs(hi))
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: tickLabel(lo, 1, top)}}
	}
	step := niceStep(hi - lo)
	var out []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		v := k * step
		out = append(out, plot.Tick{Value: v, Label: tickLabel(v, step, top)})
		if h := v + step/2; h <= hi { // a minor tick halfway
			out = append(out, plot.Tick{Value: h})
		}
	}
	return out
}

// niceStep is the largest step of 1, 2 or 5 times a power of ten that
// puts at least 5 ticks in a span.
func niceStep(span float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(span)))
	for _, e := range []float64{5, 2, 1, 0.5, 0.2, 0.1} {
		if step := e * p; step*4 <= span*(1+1e-9) {
			return step
		}
	}
	return p / 20
}

// tickLabel writes v with the decimals the step needs and no more, in k or
// M when the axis passes a thousand or a million.
func tickLabel(v, step, top float64) string {
	suffix, div := "", 1.0
	switch {
	case top >= 1e6:
		suffix, div = "M", 1e6
	case top >= 1e3:
		suffix, div = "k", 1e3
	}
	st := step / div
	dec := 0
	for dec < 9 && math.Abs(st*math.Pow(10, float64(dec))-math.Round(st*math.Pow(10, float64(dec)))) > 1e-6 {
		dec++
	}
	x := v / div
	if math.Abs(x) < st*1e-6 {
		return "0"
	}
	r := strconv.FormatFloat(x, 'f', dec, 64)
	return strconv.FormatFloat(mustFloat(r), 'f', -1, 64) + suffix
}

func mustFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// scaleUnits turns a milliseconds axis into seconds when values pass
// 10,000 ms: "38,000 ms" is read as "38 s" anyway.
func (c *chart) scaleUnits() {
	if c.YLabel != "ms" {
		return
	}
	top := 0.0
	for _, s := range c.Series {
		for _, y := range s.Y {
			if finite(y) {
				top = math.Max(top, y)
			}
		}
	}
	if top <= 10000 {
		return
	}
	c.YLabel = "s"
	for i := range c.Series {
		ys := make([]float64, len(c.Series[i].Y))
		for k, y := range c.Series[i].Y {
			ys[k] = y / 1000
		}
		c.Series[i].Y = ys
	}
	for i := range c.Bands {
		b := &c.Bands[i]
		lo, hi := make([]float64, len(b.Lo)), make([]float64, len(b.Hi))
		for k := range b.Lo {
			lo[k], hi[k] = b.Lo[k]/1000, b.Hi[k]/1000
		}
		b.Lo, b.Hi = lo, hi
	}
}

// chartBand is a shaded interval around a line (a confidence band).
type chartBand struct {
	X, Lo, Hi []float64
	Color     int
}

// chart is one line chart.
type chart struct {
	File   string // file name when written beside a Markdown report: "goodput.svg"
	Title  string
	XLabel string
	YLabel string
	Series []chartSeries
	Bands  []chartBand
	// Shade are x intervals drawn behind the lines: fault windows.
	Shade [][2]float64
	Note  string // one line under the chart: what is shown, what is not
}

// empty says whether the chart has nothing to draw.
func (c chart) empty() bool {
	for _, s := range c.Series {
		for _, y := range s.Y {
			if finite(y) {
				return false
			}
		}
	}
	return true
}

func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Length(size)}
}

// svg draws the chart, w x h points.
func (c chart) svg(w, h vg.Length) ([]byte, error) {
	c.scaleUnits()
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font = sans(12.5)
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(10.5)
		a.Tick.Label.Font = sans(10)
		a.Tick.Marker = niceTicks{}
		a.Padding = 2
	}
	p.Legend.TextStyle.Font = sans(10)
	p.Legend.Top = true
	p.Legend.Left = false
	p.Add(plotter.NewGrid())

	// y starts at 0 unless something is below it (a budget overspent).
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), 0.0, 0.0
	for _, s := range c.Series {
		for i, y := range s.Y {
			if finite(y) {
				xmin, xmax = math.Min(xmin, s.X[i]), math.Max(xmax, s.X[i])
				ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
			}
		}
	}
	// A band around values that are never negative (latencies, rates,
	// error rates) is cut at 0: the t interval does not know the bound.
	floor := math.Inf(-1)
	if ymin >= 0 {
		floor = 0
	}
	for k := range c.Bands {
		b := &c.Bands[k]
		b.Lo = slices.Clone(b.Lo)
		for i := range b.X {
			b.Lo[i] = math.Max(b.Lo[i], floor)
			if finite(b.Hi[i]) && finite(b.Lo[i]) {
				ymin, ymax = math.Min(ymin, b.Lo[i]), math.Max(ymax, b.Hi[i])
				xmin, xmax = math.Min(xmin, b.X[i]), math.Max(xmax, b.X[i])
			}
		}
	}
	if ymax <= ymin {
		ymax = ymin + 1
	}
	if xmin > xmax {
		xmin, xmax = 0, 1
	}
	if xmin > 0 && xmin <= (xmax-xmin)*0.05 {
		xmin = 0 // a series starting at its first interval still starts at 0
	}
	p.Y.Min = ymin
	p.Y.Max = ymax + (ymax-ymin)*0.08
	p.X.Min, p.X.Max = xmin, xmax
	if len(c.Shade) > 0 {
		p.Add(shade{windows: c.Shade})
	}
	for _, b := range c.Bands {
		if poly := bandPolygon(b); poly != nil {
			p.Add(poly)
		}
	}
	for _, s := range c.Series {
		first := true
		for _, seg := range segments(s.X, s.Y) {
			l, err := plotter.NewLine(seg)
			if err != nil {
				return nil, err
			}
			l.LineStyle.Color = colorOf(s.Color)
			l.LineStyle.Width = vg.Points(1.6)
			l.LineStyle.Dashes = dashOf(s)
			p.Add(l)
			if first && s.Name != "" {
				p.Legend.Add(s.Name, l)
				first = false
			}
			if len(seg) == 1 || s.Points {
				sc, _ := plotter.NewScatter(seg)
				sc.GlyphStyle.Color = colorOf(s.Color)
				sc.GlyphStyle.Radius = vg.Points(1.5)
				if s.Points {
					sc.GlyphStyle.Radius = vg.Points(2.5)
				}
				p.Add(sc)
			}
		}
	}
	// The legend goes in a strip right of the plot, where it cannot hide
	// the lines.
	canvas := vgsvg.New(w, h)
	full := draw.New(canvas)
	leg := p.Legend
	leg.Padding = vg.Points(2)
	p.Legend = plot.NewLegend()
	if n := leg.Rectangle(full); n.Max.X > n.Min.X {
		lw := n.Max.X - n.Min.X + 10
		p.Draw(draw.Crop(full, 0, -lw, 0, 0))
		leg.Top, leg.Left = true, true
		leg.Draw(draw.Crop(full, full.Max.X-full.Min.X-lw+6, 0, 0, -22))
	} else {
		p.Draw(full)
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, err
	}
	return tidySVG(buf.Bytes()), nil
}

// tidySVG drops the XML prolog (so the SVG can sit inside HTML) and gives
// text a fallback chain of fonts.
func tidySVG(b []byte) []byte {
	s := string(b)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	s = strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	return []byte(s)
}

// segments splits a series at NaN values, so a gap (an interval with no OK
// reply has no p99) is not drawn as a line across it.
func segments(xs, ys []float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i := range ys {
		if !finite(ys[i]) || !finite(xs[i]) {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: xs[i], Y: ys[i]})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// bandPolygon is a confidence band as a filled polygon: along Hi, back
// along Lo. Points without a finite bound are left out.
func bandPolygon(b chartBand) *plotter.Polygon {
	var pts plotter.XYs
	for i := range b.X {
		if finite(b.Hi[i]) && finite(b.Lo[i]) {
			pts = append(pts, plotter.XY{X: b.X[i], Y: b.Hi[i]})
		}
	}
	for i := len(b.X) - 1; i >= 0; i-- {
		if finite(b.Hi[i]) && finite(b.Lo[i]) {
			pts = append(pts, plotter.XY{X: b.X[i], Y: b.Lo[i]})
		}
	}
	if len(pts) < 4 {
		return nil
	}
	poly, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil
	}
	c := colorOf(b.Color)
	poly.Color = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 60} // not premultiplied: RGBA's channels must not exceed A
	poly.LineStyle.Width = 0
	return poly
}

// shade draws x intervals across the whole height of the data area.
type shade struct{ windows [][2]float64 }

func (s shade) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	for _, w := range s.windows {
		lo, hi := math.Max(w[0], plt.X.Min), math.Min(w[1], plt.X.Max)
		if hi < lo {
			continue
		}
		x0, x1 := trX(lo), trX(hi)
		if x1-x0 < vg.Points(2) {
			x1 = x0 + vg.Points(2) // an instant fault (a flush, a failover) still shows
		}
		c.FillPolygon(color.NRGBA{R: 230, G: 60, B: 60, A: 40}, []vg.Point{
			{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
		})
	}
}

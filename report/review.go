package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"cascade/models"
	"cascade/sim"
)

// A review is the document a team attaches to a design review: one
// scenario run as written (the baseline) and, optionally, beside it the
// same scenario under other designs — its variants, or another file — all
// with the same seed, so they saw the same traffic and the same faults.
// HTML and Markdown render the same content from the same numbers.

// Review is the content of a report.
type Review struct {
	Runs []ReviewRun // the first is the baseline every delta is taken against
	// Boundaries are the designs' breaking points, when the report was
	// asked to find them (cascade report --find).
	Boundaries []Boundary
	// Command is the command line that reproduces the report, one word
	// per element ("cascade", "report", "retry-storm", "--out", …); the
	// report ends with it, shell-quoted. Empty: no such line.
	Command []string
}

// ShellQuote joins words into one POSIX shell command line: a word with
// anything but letters, digits and -_./=:,+@% is put in single quotes.
func ShellQuote(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		safe := w != ""
		for _, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r)) {
				safe = false
				break
			}
		}
		if safe {
			out[i] = w
		} else {
			out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// Boundary is where one design stops meeting a condition: the last value
// of a parameter at which it held and the first at which it failed, found
// by bisection between Low and High.
type Boundary struct {
	Design       string
	Path, Until  string
	Low, High    string // the range searched, Low on the holding side
	Downwards    bool   // Low > High
	HoldsAt      string // "" when it failed already at Low (judged on the means)
	FailsAt      string // "" when it still held at High
	Probes       int
	Replications int
	// The uncertainty, with several replications: the last value at which
	// every run held and the first at which every run failed ("" when no
	// probed value did), and the probes between them.
	HeldInAll, FailedInAll string
	Band                   []BoundaryProbe
	// Every probe, for the chart: its value as a number.
	All []BoundaryProbe
}

// BoundaryProbe is one value a search tried: how many of its runs held.
type BoundaryProbe struct {
	Value        string
	X            float64
	Passed, Runs int
}

// boundaryCells are one design's row of the breaking-point table.
// crnNote tells readers of a report with variants why their differences
// are the designs', not chance.
const crnNote = "Every design ran with the same seed and the same named random streams (common random numbers): identical components saw identical draws, so the differences come from the design."

func boundaryCells(b Boundary) []string {
	holds, fails := b.HoldsAt, b.FailsAt
	switch {
	case holds == "":
		holds = "fails already at " + b.Low
		fails = b.Low
	case fails == "":
		fails = "holds through " + b.High
	}
	all, none := b.HeldInAll, b.FailedInAll
	if all == "" {
		all = dash
	}
	if none == "" {
		none = dash
	}
	var band []string
	for _, p := range b.Band {
		band = append(band, fmt.Sprintf("%s %d/%d", p.Value, p.Passed, p.Runs))
	}
	bandText := strings.Join(band, ", ")
	if b.Replications <= 1 {
		all, none, bandText = "(one run)", "(one run)", "not measured: one run per probe"
	} else if bandText == "" {
		bandText = "none probed"
	}
	return []string{b.Design, holds, fails, all, none, bandText, strconv.Itoa(b.Probes)}
}

var boundaryHead = []string{"design", "holds at (means)", "fails at (means)", "held in all runs to", "failed in all runs from", "between: runs held", "probes"}

// boundaryChart draws the share of runs that held at every probed value,
// a line per design, with the band between held-in-all and failed-in-all
// shaded.
func boundaryChart(bs []Boundary) (chart, bool) {
	if len(bs) == 0 || bs[0].Replications <= 1 {
		return chart{}, false
	}
	c := chart{File: "breaking-points.svg", Title: "Runs that held, by " + bs[0].Path, XLabel: bs[0].Path, YLabel: "% of runs held",
		Note: "Each point is a probed value; shaded: the band between the last value where every run held and the first where every run failed."}
	for i, b := range bs {
		ps := slices.Clone(b.All)
		slices.SortFunc(ps, func(x, y BoundaryProbe) int { return cmp.Compare(x.X, y.X) })
		var xs, ys []float64
		var from, to float64
		haveFrom, haveTo := false, false
		for _, p := range ps {
			xs = append(xs, p.X)
			ys = append(ys, 100*float64(p.Passed)/float64(max(p.Runs, 1)))
			if p.Value == b.HeldInAll {
				from, haveFrom = p.X, true
			}
			if p.Value == b.FailedInAll {
				to, haveTo = p.X, true
			}
		}
		if len(xs) > 0 {
			if !haveFrom {
				from = xs[0]
				if b.Downwards {
					from = xs[len(xs)-1]
				}
			}
			if !haveTo {
				to = xs[len(xs)-1]
				if b.Downwards {
					to = xs[0]
				}
			}
			c.Shade = append(c.Shade, [2]float64{math.Min(from, to), math.Max(from, to)})
		}
		c.Series = append(c.Series, chartSeries{Name: b.Design, X: xs, Y: ys, Color: i, Points: true})
	}
	return c, !c.empty()
}

// boundaryIntro says what the breaking points mean; text escapes prose
// and code formats the path and the expression.
func boundaryIntro(bs []Boundary, text, code func(string) string) string {
	b := bs[0]
	way := "highest"
	if b.Downwards {
		way = "lowest"
	}
	runs := "one run per probe"
	if b.Replications > 1 {
		runs = fmt.Sprintf("%d replications per probe, judged on the means", b.Replications)
	}
	band := ""
	if b.Replications > 1 {
		band = " The boundary on the means is not exact: two more bisections over the same probes find the last value at which every run held and the first at which every run failed; between them some runs held and some failed (k/N)."
	}
	return text(fmt.Sprintf("The %s value of ", way)) + code(b.Path) + text(fmt.Sprintf(" in %s..%s at which ", b.Low, b.High)) + code(b.Until) +
		text(fmt.Sprintf(" still holds, found by bisection (%s; the condition is assumed to flip once in the range).", runs)+band)
}

// ReviewRun is one design's run.
type ReviewRun struct {
	Label     string // "baseline", a variant name, a file name
	Meta      Meta
	Result    models.Result // with series (models.Model.Result(true))
	Overrides []string      // what this variant changes, "path: value"
	Hash      string        // SHA-256 of the scenario file's bytes, hex
}

// ChartFile is a chart written beside a Markdown report.
type ChartFile struct {
	Name string // file name, e.g. "goodput-browse.svg"
	SVG  []byte
}

// Hash is the SHA-256 of a scenario file, as reports print it.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// chart sizes, in points (1/72 in).
const (
	chartW = 7.2 * vg.Inch
	chartH = 2.6 * vg.Inch
)

// maxPoints is how many points a line keeps: longer series are cut into
// buckets of consecutive intervals (rates and queue lengths averaged, p99
// the worst interval of the bucket), so an hour-long run stays a small SVG.
const maxPoints = 720

// timeAxis says how x is labelled: seconds, or minutes for long runs.
type timeAxis struct {
	div   float64
	label string
}

func axisFor(rv Review) timeAxis {
	end := 0.0
	for _, r := range rv.Runs {
		end = math.Max(end, r.Result.Now.Seconds())
	}
	if end > 900 {
		return timeAxis{60, "simulated time (min)"}
	}
	return timeAxis{1, "simulated time (s)"}
}

// interval is the series resolution of points, in seconds.
func interval(ps []models.Point) float64 {
	return resolution(len(ps), func(i int) sim.Time { return ps[i].T })
}

// resolution is the interval of a series of n points ending at at(i), in
// seconds (1 for an empty series).
func resolution(n int, at func(i int) sim.Time) float64 {
	if n >= 2 {
		return (at(1) - at(0)).Seconds()
	}
	if n == 1 {
		return at(0).Seconds()
	}
	return 1
}

// axisSeries is a series of n points in chart units: x the end of point i
// on ax, y what y makes of it, bucketed.
func axisSeries(n int, at func(i int) sim.Time, ax timeAxis, worst bool, y func(i int, iv float64) float64) ([]float64, []float64) {
	iv := resolution(n, at)
	xs := make([]float64, n)
	ys := make([]float64, n)
	for i := range n {
		xs[i] = at(i).Seconds() / ax.div
		ys[i] = y(i, iv)
	}
	return bucketed(xs, ys, worst)
}

// bucketed reduces a series to at most maxPoints: each bucket gets the x
// of its last point and the mean (or, with worst, the maximum) of its
// values.
func bucketed(xs, ys []float64, worst bool) ([]float64, []float64) {
	if len(xs) <= maxPoints {
		return xs, ys
	}
	k := (len(xs) + maxPoints - 1) / maxPoints
	var ox, oy []float64
	for i := 0; i < len(xs); i += k {
		j := min(i+k, len(xs))
		v, n := 0.0, 0
		if worst {
			v = math.NaN()
		}
		for _, y := range ys[i:j] {
			if !finite(y) {
				continue
			}
			switch {
			case worst && (n == 0 || y > v):
				v = y
			case !worst:
				v += y
			}
			n++
		}
		if !worst {
			v = v / float64(n) // NaN when n == 0: a gap
		}
		ox = append(ox, xs[j-1])
		oy = append(oy, v)
	}
	return ox, oy
}

// seriesOf turns points into (x, y) with f giving y of one point.
// utilizationOf is a point's busy workers as a percentage of the workers of
// the instances up in its interval: a crashed instance has no workers, and
// counting them as idle would hide that the rest are full. No worker up is
// a gap, not 0%.
func utilizationOf(p models.Point, _ float64) float64 {
	if p.Workers <= 0 {
		return math.NaN()
	}
	return p.Busy / p.Workers * 100
}

func seriesOf(ps []models.Point, ax timeAxis, worst bool, f func(p models.Point, iv float64) float64) ([]float64, []float64) {
	return axisSeries(len(ps), func(i int) sim.Time { return ps[i].T }, ax, worst, func(i int, iv float64) float64 { return f(ps[i], iv) })
}

func okRate(p models.Point, iv float64) float64 { return float64(p.Outcomes[models.OK]) / iv }

func allRate(p models.Point, iv float64) float64 {
	var n int64
	for _, c := range p.Outcomes {
		n += c
	}
	return float64(n) / iv
}

func badRate(p models.Point, iv float64) float64 {
	return allRate(p, iv) - okRate(p, iv)
}

func p99ms(p models.Point, _ float64) float64 { return p.P99 * 1000 }

// faultWindows are the spans faults were active, in x units.
func faultWindows(rv Review, ax timeAxis) [][2]float64 {
	var out [][2]float64
	for _, r := range rv.Runs {
		for _, f := range r.Result.Faults {
			if f.State == models.FaultPending {
				continue
			}
			end := f.End
			if f.State == models.FaultActive || end == 0 {
				end = r.Result.Now
			}
			w := [2]float64{f.Start.Seconds() / ax.div, end.Seconds() / ax.div}
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// budgetSeries derives an availability SLO's budget remaining over time
// from its component's series: the bad events of each interval (replies
// that were not OK), accumulated after the warm-up and scaled so the last
// point is the tracker's own Remaining (the first, with a burned history,
// what the history left). Latency SLOs count slow OK replies as bad too, which the series does not keep, so they get no line.
func budgetSeries(r ReviewRun, s models.SLOResult, ax timeAxis) ([]float64, []float64, bool) {
	if s.Threshold > 0 {
		return nil, nil, false
	}
	var ps []models.Point
	for _, w := range r.Result.Workloads {
		if w.Name == s.Workload && s.Workload != "" {
			ps = w.Series
		}
	}
	for _, sv := range r.Result.Services {
		if sv.Name == s.Service && s.Service != "" {
			ps = sv.Series
		}
	}
	if len(ps) == 0 {
		return nil, nil, false
	}
	var cum []float64
	total := 0.0
	for _, p := range ps {
		if p.T > r.Meta.Warmup {
			for o, c := range p.Outcomes {
				if models.Outcome(o) != models.OK {
					total += float64(c)
				}
			}
		}
		cum = append(cum, total)
	}
	xs := make([]float64, len(ps))
	ys := make([]float64, len(ps))
	for i, p := range ps {
		xs[i] = p.T.Seconds() / ax.div
		frac := 0.0
		if total > 0 {
			frac = cum[i] / total
		}
		// A burned history starts the line with its budget already spent.
		b0 := s.History.Burned
		ys[i] = (1 - b0 - (s.Consumed-b0)*frac) * 100
	}
	xs, ys = bucketed(xs, ys, false)
	return xs, ys, true
}

// names lists the component names of every run, first-seen order.
func names(rv Review, of func(models.Result) []string) []string {
	var out []string
	for _, r := range rv.Runs {
		for _, n := range of(r.Result) {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

func workloadNames(r models.Result) []string {
	var out []string
	for _, w := range r.Workloads {
		out = append(out, w.Name)
	}
	return out
}

func serviceNames(r models.Result) []string {
	var out []string
	for _, s := range r.Services {
		out = append(out, s.Name)
	}
	return out
}

func sloNames(r models.Result) []string {
	var out []string
	for _, s := range r.SLOs {
		out = append(out, s.Name)
	}
	return out
}

func findWorkload(r models.Result, name string) (models.WorkloadResult, bool) {
	for _, w := range r.Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return models.WorkloadResult{}, false
}

func findService(r models.Result, name string) (models.ServiceResult, bool) {
	for _, s := range r.Services {
		if s.Name == name {
			return s, true
		}
	}
	return models.ServiceResult{}, false
}

func findSLO(r models.Result, name string) (models.SLOResult, bool) {
	for _, s := range r.SLOs {
		if s.Name == name {
			return s, true
		}
	}
	return models.SLOResult{}, false
}

// fileName makes a chart file name from parts: lower case letters, digits,
// dashes and underscores only. Different names can still meet (Web and
// web, a.b and a_b): uniqueNames tells them apart.
func fileName(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		for _, r := range strings.ToLower(p) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
				b.WriteRune(r)
			default:
				b.WriteByte('_')
			}
		}
	}
	return b.String() + ".svg"
}

// timeCharts is the x axis of a review's charts over time and a maker of
// empty ones, fault windows shaded.
func timeCharts(rv Review) (timeAxis, func(file, title, ylabel, note string) chart) {
	ax := axisFor(rv)
	shadeW := faultWindows(rv, ax)
	note := ""
	if len(shadeW) > 0 {
		note = "Shaded: fault windows."
	}
	return ax, func(file, title, ylabel, n string) chart {
		return chart{File: file, Title: title, XLabel: ax.label, YLabel: ylabel, Shade: shadeW, Note: strings.TrimSpace(note + " " + n)}
	}
}

// runLines adds a line per run to c, labelled by the run, for the runs
// series has data for: the overlay of several designs.
func runLines(c chart, runs []ReviewRun, series func(r ReviewRun) ([]float64, []float64, bool)) chart {
	for i, r := range runs {
		if x, y, ok := series(r); ok {
			c.Series = append(c.Series, chartSeries{Name: r.Label, X: x, Y: y, Color: i})
		}
	}
	return c
}

// charts builds every timeline chart of a review. With one run, each chart
// has a line per component; with several, each component gets its charts
// with a line per run, overlaid.
func charts(rv Review) []chart {
	ax, mk := timeCharts(rv)
	var out []chart
	add := func(c chart) {
		if !c.empty() {
			out = append(out, c)
		}
	}
	if len(rv.Runs) == 1 {
		r := rv.Runs[0]
		c := mk("throughput.svg", "Throughput and goodput per workload", "replies/s", "Solid or dashed by workload: goodput (OK replies/s); dotted: throughput (replies/s, any outcome).")
		for i, w := range r.Result.Workloads {
			x, y := seriesOf(w.Series, ax, false, okRate)
			c.Series = append(c.Series, chartSeries{Name: w.Name + " goodput", X: x, Y: y, Color: i})
			x, y = seriesOf(w.Series, ax, false, allRate)
			c.Series = append(c.Series, chartSeries{Name: w.Name + " throughput", X: x, Y: y, Color: i, Dashed: true})
		}
		add(c)
		c = mk("p99-workloads.svg", "p99 latency per workload (OK replies)", "ms", "p99 of the OK replies of each interval; gaps: no OK reply.")
		for i, w := range r.Result.Workloads {
			x, y := seriesOf(w.Series, ax, true, p99ms)
			c.Series = append(c.Series, chartSeries{Name: w.Name, X: x, Y: y, Color: i})
		}
		add(c)
		c = mk("p99-services.svg", "p99 latency per service (OK completions)", "ms", "")
		for i, s := range r.Result.Services {
			x, y := seriesOf(s.Series, ax, true, p99ms)
			c.Series = append(c.Series, chartSeries{Name: s.Name, X: x, Y: y, Color: i})
		}
		add(c)
		c = mk("errors.svg", "Errors by cause (all workloads)", "replies/s", "Replies that were not OK, by outcome, summed over the workloads.")
		for k, o := range models.Outcomes()[1:] {
			var xs, ys []float64
			for _, w := range r.Result.Workloads {
				x, y := seriesOf(w.Series, ax, false, func(p models.Point, iv float64) float64 { return float64(p.Outcomes[o]) / iv })
				if xs == nil {
					xs, ys = x, slices.Clone(y)
					continue
				}
				for i := range ys {
					if i < len(y) {
						ys[i] += y[i]
					}
				}
			}
			if slices.ContainsFunc(ys, func(v float64) bool { return v > 0 }) {
				c.Series = append(c.Series, chartSeries{Name: o.String(), X: xs, Y: ys, Color: k + 1})
			}
		}
		add(c)
		c = mk("queue.svg", "Queue length per service", "waiting requests", "Time-average waiting requests over all instances.")
		for i, s := range r.Result.Services {
			x, y := seriesOf(s.Series, ax, false, func(p models.Point, _ float64) float64 { return p.Queue })
			c.Series = append(c.Series, chartSeries{Name: s.Name, X: x, Y: y, Color: i})
		}
		add(c)
		c = mk("utilization.svg", "Utilization per service", "% of workers busy", "Of the workers of the instances up (a crashed instance has none; none up is a gap). Services with unlimited workers have no utilization.")
		for i, s := range r.Result.Services {
			if s.Workers <= 0 {
				continue
			}
			x, y := seriesOf(s.Series, ax, false, utilizationOf)
			c.Series = append(c.Series, chartSeries{Name: s.Name, X: x, Y: y, Color: i})
		}
		add(c)
		if len(r.Result.SLOs) > 0 {
			c = mk("slo-budget.svg", "SLO error budget remaining", "% of budget", budgetNote(rv))
			for i, s := range r.Result.SLOs {
				if x, y, ok := budgetSeries(r, s, ax); ok {
					c.Series = append(c.Series, chartSeries{Name: s.Name, X: x, Y: y, Color: i})
				}
			}
			add(c)
		}
		return out
	}

	// Several designs: one chart per component and metric, a line per run.
	overlay := func(file, title, ylabel, n string, series func(r ReviewRun) ([]float64, []float64, bool)) {
		add(runLines(mk(file, title, ylabel, n), rv.Runs, series))
	}
	for _, name := range names(rv, workloadNames) {
		wl := func(f func(models.Point, float64) float64, worst bool) func(r ReviewRun) ([]float64, []float64, bool) {
			return func(r ReviewRun) ([]float64, []float64, bool) {
				w, ok := findWorkload(r.Result, name)
				if !ok {
					return nil, nil, false
				}
				x, y := seriesOf(w.Series, ax, worst, f)
				return x, y, true
			}
		}
		overlay(fileName("goodput", name), "Goodput of "+name, "OK replies/s", "", wl(okRate, false))
		overlay(fileName("p99", name), "p99 latency of "+name+" (OK replies)", "ms", "Gaps: intervals with no OK reply.", wl(p99ms, true))
		overlay(fileName("errors", name), "Failed replies of "+name, "replies/s", "Replies that were not OK, any cause.", wl(badRate, false))
	}
	for _, name := range names(rv, serviceNames) {
		overlay(fileName("queue", name), "Queue length of "+name, "waiting requests", "", func(r ReviewRun) ([]float64, []float64, bool) {
			s, ok := findService(r.Result, name)
			if !ok {
				return nil, nil, false
			}
			x, y := seriesOf(s.Series, ax, false, func(p models.Point, _ float64) float64 { return p.Queue })
			return x, y, true
		})
		overlay(fileName("utilization", name), "Utilization of "+name, "% of workers busy", "", func(r ReviewRun) ([]float64, []float64, bool) {
			s, ok := findService(r.Result, name)
			if !ok || s.Workers <= 0 {
				return nil, nil, false
			}
			x, y := seriesOf(s.Series, ax, false, utilizationOf)
			return x, y, true
		})
	}
	for _, name := range names(rv, sloNames) {
		overlay(fileName("slo", name), "Error budget remaining of "+name, "% of budget", budgetNote(rv), func(r ReviewRun) ([]float64, []float64, bool) {
			s, ok := findSLO(r.Result, name)
			if !ok {
				return nil, nil, false
			}
			return budgetSeries(r, s, ax)
		})
	}
	return out
}

func budgetNote(rv Review) string {
	n := "Derived from each interval's failed replies, scaled to the tracker's final value."
	for _, r := range rv.Runs {
		for _, s := range r.Result.SLOs {
			if s.Threshold > 0 {
				return n + " Latency SLOs are not drawn: the series does not keep slow OK replies (see the SLO table)."
			}
		}
	}
	return n
}

// renderCharts draws every chart as SVG, under names unique among
// themselves and the breaker chart's.
func renderCharts(cs []chart) ([]ChartFile, error) {
	out := make([]ChartFile, 0, len(cs))
	u := uniqueNames{"breakers.svg": true}
	for _, c := range cs {
		b, err := c.svg(chartW, chartH)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %v", c.File, err)
		}
		out = append(out, ChartFile{Name: u.name(c.File), SVG: b})
	}
	return out, nil
}

// uniqueNames hands out file names, numbering the second and later uses
// of one (goodput-web_a.svg, goodput-web_a-2.svg) in the order asked, so
// the same charts always get the same names.
type uniqueNames map[string]bool

func (u uniqueNames) name(file string) string {
	base, ext := strings.TrimSuffix(file, ".svg"), ".svg"
	out := file
	for k := 2; u[out]; k++ {
		out = base + "-" + strconv.Itoa(k) + ext
	}
	u[out] = true
	return out
}

// breakerRow is one breaker's state timeline.
type breakerRow struct {
	Label string
	Spans []breakerSpan
	Opens int
}

type breakerSpan struct {
	From, To sim.Time
	State    string
}

// breakerRows lists every breaker of every run with its state over time,
// starting closed at 0.
func breakerRows(rv Review) []breakerRow {
	var out []breakerRow
	for _, r := range rv.Runs {
		for _, e := range r.Result.Edges {
			for _, b := range e.Breakers {
				label := e.Name
				if len(e.Breakers) > 1 {
					label += " [" + strconv.Itoa(b.Instance) + "]"
				}
				if len(rv.Runs) > 1 {
					label = r.Label + ": " + label
				}
				row := breakerRow{Label: label}
				state, from := "closed", sim.Time(0)
				for _, t := range b.Transitions {
					if t.At > from {
						row.Spans = append(row.Spans, breakerSpan{from, t.At, state})
					}
					state, from = t.To, t.At
					if t.To == "open" {
						row.Opens++
					}
				}
				if r.Result.Now > from {
					row.Spans = append(row.Spans, breakerSpan{from, r.Result.Now, state})
				}
				out = append(out, row)
			}
		}
	}
	return out
}

// breakerColor is the fill of a breaker state.
func breakerColor(state string) string {
	switch state {
	case "open", "forced_open":
		return "#d55e00"
	case "half_open", "half-open":
		return "#e69f00"
	case "closed":
		return "#009e73"
	}
	return "#999999"
}

// maxBreakerRows bounds the breaker chart; the table lists the rest.
const maxBreakerRows = 40

// breakerSVG draws breaker timelines as coloured bars, one row each.
func breakerSVG(rows []breakerRow, rv Review, ax timeAxis) []byte {
	if len(rows) > maxBreakerRows {
		rows = rows[:maxBreakerRows]
	}
	end := 0.0
	for _, r := range rv.Runs {
		end = math.Max(end, r.Result.Now.Seconds())
	}
	if end <= 0 {
		end = 1
	}
	const labelW, barW, rowH, top = 260.0, 440.0, 18.0, 8.0
	h := top + rowH*float64(len(rows)) + 34
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="'Liberation Sans',Arial,Helvetica,sans-serif" font-size="11">`+"\n",
		int(labelW+barW+20), int(h), int(labelW+barW+20), int(h))
	x := func(t sim.Time) float64 { return labelW + barW*t.Seconds()/end }
	for i, row := range rows {
		y := top + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", labelW-6, y+12, xmlEscape(row.Label))
		for _, s := range row.Spans {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s–%s</title></rect>`+"\n",
				x(s.From), y+2, math.Max(x(s.To)-x(s.From), 0.5), rowH-4, breakerColor(s.State), xmlEscape(s.State), span(s.From), span(s.To))
		}
	}
	y := top + rowH*float64(len(rows)) + 14
	for i := 0; i <= 4; i++ {
		t := end * float64(i) / 4
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", labelW+barW*float64(i)/4, y, strconv.FormatFloat(t/ax.div, 'f', 0, 64))
	}
	lx := labelW
	for _, st := range []string{"closed", "half-open", "open"} {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", lx, y+6, breakerColor(st), lx+14, y+15, st)
		lx += 90
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", labelW+barW, y+15, xmlEscape(ax.label))
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	return r.Replace(s)
}

// topoNode is a box of the topology diagram.
type topoNode struct {
	Name     string
	Workload bool
	Depth    int
	Label    string // second line: rate, instances x workers
}

type topoEdge struct {
	From, To string
	Rate     float64 // requests per second over the measured span
	Failed   float64 // share of them that did not end OK
}

// topology reads the call graph from a result: workloads and services,
// and every caller -> service pair that sent requests or exists in the
// model. Depth is the longest call chain from a workload.
func topology(r models.Result) ([]topoNode, []topoEdge) {
	sec := r.Measured.Seconds()
	var nodes []topoNode
	idx := map[string]int{}
	for _, w := range r.Workloads {
		idx[w.Name] = len(nodes)
		label := fmt.Sprintf("%s/s", fixed(w.Throughput, 1))
		nodes = append(nodes, topoNode{Name: w.Name, Workload: true, Label: label})
	}
	for _, s := range r.Services {
		idx[s.Name] = len(nodes)
		wrk := strconv.Itoa(s.Workers)
		if s.Workers <= 0 {
			wrk = "∞"
		}
		nodes = append(nodes, topoNode{Name: s.Name, Label: strconv.Itoa(s.Instances) + "×" + wrk})
	}
	var edges []topoEdge
	for _, c := range r.Calls {
		e := topoEdge{From: c.Caller, To: c.Target}
		if sec > 0 {
			e.Rate = float64(c.Arrivals) / sec
		}
		if done := c.Completed(); done > 0 {
			e.Failed = float64(done-c.OK) / float64(done)
		}
		edges = append(edges, e)
	}
	for range nodes { // longest path, relaxed at most len(nodes) times (calls have no cycles)
		changed := false
		for _, e := range edges {
			f, okf := idx[e.From]
			t, okt := idx[e.To]
			if okf && okt && nodes[t].Depth < nodes[f].Depth+1 {
				nodes[t].Depth = nodes[f].Depth + 1
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return nodes, edges
}

// topologySVG lays the call graph out in columns by depth.
func topologySVG(r models.Result) []byte {
	nodes, edges := topology(r)
	const colW, rowH, boxW, boxH, pad = 190.0, 64.0, 140.0, 40.0, 12.0
	rows := map[int]int{}
	pos := map[string][2]float64{}
	maxDepth, maxRows := 0, 0
	for _, n := range nodes {
		i := rows[n.Depth]
		rows[n.Depth]++
		pos[n.Name] = [2]float64{pad + colW*float64(n.Depth), pad + rowH*float64(i)}
		maxDepth, maxRows = max(maxDepth, n.Depth), max(maxRows, i+1)
	}
	w := pad*2 + colW*float64(maxDepth) + boxW
	h := pad*2 + rowH*float64(maxRows-1) + boxH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="'Liberation Sans',Arial,Helvetica,sans-serif" font-size="12">`+"\n", int(w), int(h), int(w), int(h))
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>` + "\n")
	for _, e := range edges {
		f, okf := pos[e.From]
		t, okt := pos[e.To]
		if !okf || !okt {
			continue
		}
		stroke := "#555"
		if e.Failed > 0.01 {
			stroke = "#d55e00"
		}
		x1, y1, x2, y2 := f[0]+boxW, f[1]+boxH/2, t[0], t[1]+boxH/2
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" marker-end="url(#arrow)"><title>%s → %s: %s/s, %s failed</title></line>`+"\n",
			x1, y1, x2, y2, stroke, xmlEscape(e.From), xmlEscape(e.To), fixed(e.Rate, 1), percent(e.Failed, 1))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10" fill="#333">%s/s</text>`+"\n", (x1+x2)/2, (y1+y2)/2-4, fixed(e.Rate, 0))
	}
	for _, n := range nodes {
		p := pos[n.Name]
		fill, rx := "#e8f1fa", 4
		if n.Workload {
			fill, rx = "#eef7ee", 18
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="%d" fill="%s" stroke="#345"/>`+"\n", p[0], p[1], boxW, boxH, rx, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-weight="bold">%s</text>`+"\n", p[0]+boxW/2, p[1]+17, xmlEscape(n.Name))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`+"\n", p[0]+boxW/2, p[1]+32, xmlEscape(n.Label))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// mermaid is the call graph as a Mermaid flowchart, which GitHub renders
// in Markdown.
func mermaid(r models.Result) string {
	nodes, edges := topology(r)
	id := map[string]string{}
	for i, n := range nodes {
		id[n.Name] = "n" + strconv.Itoa(i)
	}
	quote := func(s string) string { return strings.ReplaceAll(s, `"`, "#quot;") }
	var b strings.Builder
	b.WriteString("```mermaid\ngraph LR\n")
	for _, n := range nodes {
		if n.Workload {
			fmt.Fprintf(&b, "  %s([\"%s<br/>%s\"])\n", id[n.Name], quote(n.Name), quote(n.Label))
		} else {
			fmt.Fprintf(&b, "  %s[\"%s<br/>%s\"]\n", id[n.Name], quote(n.Name), quote(n.Label))
		}
	}
	for _, e := range edges {
		f, okf := id[e.From]
		t, okt := id[e.To]
		if !okf || !okt {
			continue
		}
		label := fixed(e.Rate, 0) + "/s"
		if e.Failed > 0.01 {
			label += ", " + percent(e.Failed, 1) + " failed"
		}
		fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", f, label, t)
	}
	b.WriteString("```\n")
	return b.String()
}

// delta formats b against the baseline a: the relative change, or, when
// a is 0 and a ratio means nothing, the absolute one written by abs (the
// metric's own formatter for a non-negative difference: 0.0199 of a
// percentage is "1.99 pp"). Empty when either is missing.
func delta(a, b float64, abs func(float64) string) string {
	switch {
	case !finite(a) || !finite(b):
		return ""
	case a == b:
		return "±0"
	case a == 0:
		sign := "+"
		if b < a {
			sign = "−"
		}
		return sign + abs(math.Abs(b-a))
	}
	return signed((b-a)/math.Abs(a)*100, 1) + "%"
}

// points formats a difference of ratios in percentage points.
func points(prec int) func(float64) string {
	return func(d float64) string { return fixed(d*100, prec) + " pp" }
}

func signed(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if v > 0 {
		s = "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}

// compareRow is one metric of the side-by-side table.
type compareRow struct {
	Metric string
	Cells  []string // one per run: value, and for variants the delta
}

// comparison is the side-by-side table of a review with several runs: for
// every workload its goodput, p99 and error rate; for every SLO the budget
// burned; for every service its cost drivers (instances x workers) and
// utilization, and the total worker count.
func comparison(rv Review) []compareRow {
	var rows []compareRow
	// absFormat writes an absolute delta (from a zero baseline); nil: as
	// the value itself.
	row := func(metric string, val func(r models.Result) (float64, bool), format func(float64) string, showDelta bool, absFormat ...func(float64) string) {
		abs := format
		if len(absFormat) > 0 {
			abs = absFormat[0]
		}
		cr := compareRow{Metric: metric}
		base, baseOK := val(rv.Runs[0].Result)
		any := false
		for i, r := range rv.Runs {
			v, ok := val(r.Result)
			if !ok {
				cr.Cells = append(cr.Cells, dash)
				continue
			}
			any = true
			cell := format(v)
			if i > 0 && showDelta && baseOK {
				if d := delta(base, v, abs); d != "" {
					cell += " (" + d + ")"
				}
			}
			cr.Cells = append(cr.Cells, cell)
		}
		if any {
			rows = append(rows, cr)
		}
	}
	for _, name := range names(rv, workloadNames) {
		get := func(f func(models.WorkloadResult) float64) func(models.Result) (float64, bool) {
			return func(r models.Result) (float64, bool) {
				w, ok := findWorkload(r, name)
				return f(w), ok
			}
		}
		row(name+" goodput/s", get(func(w models.WorkloadResult) float64 { return w.Goodput }), func(v float64) string { return fixed(v, 1) }, true)
		row(name+" p99", get(func(w models.WorkloadResult) float64 { return w.Latency.P99 }), latency, true)
		row(name+" error rate", get(func(w models.WorkloadResult) float64 { return errorRate(w.Counts) }), func(v float64) string { return percent(v, 2) }, true, points(2))
	}
	for _, name := range names(rv, sloNames) {
		row("SLO "+name+" budget burned", func(r models.Result) (float64, bool) {
			s, ok := findSLO(r, name)
			return s.Consumed, ok
		}, func(v float64) string { return percent(v, 1) }, true, points(1))
		row("SLO "+name+" pages", func(r models.Result) (float64, bool) {
			s, ok := findSLO(r, name)
			return float64(alertCount(s, "page")), ok
		}, func(v float64) string { return fixed(v, 0) }, false)
	}
	for _, name := range names(rv, serviceNames) {
		cr := compareRow{Metric: name + " instances×workers"}
		for _, r := range rv.Runs {
			s, ok := findService(r.Result, name)
			if !ok {
				cr.Cells = append(cr.Cells, dash)
				continue
			}
			cr.Cells = append(cr.Cells, shape(s))
		}
		rows = append(rows, cr)
		row(name+" utilization", func(r models.Result) (float64, bool) {
			s, ok := findService(r, name)
			return s.Utilization, ok
		}, func(v float64) string { return percent(v, 1) }, false)
	}
	// The stateful mechanisms, where a design has them.
	svcRow := func(name, metric string, has func(models.ServiceResult) bool, f func(models.ServiceResult) float64, format func(float64) string, abs ...func(float64) string) {
		row(name+" "+metric, func(r models.Result) (float64, bool) {
			s, ok := findService(r, name)
			if !ok || !has(s) {
				return 0, false
			}
			return f(s), true
		}, format, true, abs...)
	}
	count := func(v float64) string { return fixed(v, 0) }
	for _, name := range names(rv, serviceNames) {
		isCache := func(s models.ServiceResult) bool { return s.Cache != nil }
		svcRow(name, "cache hit ratio", isCache, func(s models.ServiceResult) float64 { return s.Cache.HitRatio }, func(v float64) string { return percent(v, 1) }, points(1))
		svcRow(name, "origin loads", isCache, func(s models.ServiceResult) float64 { return float64(s.Cache.OriginLoads) }, count)
		svcRow(name, "stale serves", isCache, func(s models.ServiceResult) float64 { return float64(s.Cache.StaleServes) }, count)
		svcRow(name, "coalesced waits", isCache, func(s models.ServiceResult) float64 { return float64(s.Cache.Coalesced) }, count)
		isDB := func(s models.ServiceResult) bool { return s.Database != nil }
		svcRow(name, "stale reads", isDB, func(s models.ServiceResult) float64 { return float64(s.Database.StaleReads) }, count)
		svcRow(name, "lost writes", isDB, func(s models.ServiceResult) float64 { return float64(s.Database.LostWrites) }, count)
		svcRow(name, "max replica lag", func(s models.ServiceResult) bool { return isDB(s) && len(s.Database.Replicas) > 0 }, func(s models.ServiceResult) float64 {
			m := 0.0
			for _, r := range s.Database.Replicas {
				m = math.Max(m, r.MaxLag)
			}
			return m
		}, latency)
		isQ := func(s models.ServiceResult) bool { return s.Queue != nil }
		sumG := func(f func(models.GroupResult) float64) func(models.ServiceResult) float64 {
			return func(s models.ServiceResult) float64 {
				v := 0.0
				for _, g := range s.Queue.Groups {
					v += f(g)
				}
				return v
			}
		}
		svcRow(name, "backlog at the end", isQ, sumG(func(g models.GroupResult) float64 { return float64(g.Backlog) }), count)
		svcRow(name, "dead letters", isQ, sumG(func(g models.GroupResult) float64 { return float64(g.DeadLettered) }), count)
	}
	var pools []string
	for _, r := range rv.Runs {
		for _, e := range r.Result.Edges {
			if e.Pool != nil && !slices.Contains(pools, e.Name) {
				pools = append(pools, e.Name)
			}
		}
	}
	for _, name := range pools {
		pool := func(f func(*models.PoolResult) float64) func(models.Result) (float64, bool) {
			return func(r models.Result) (float64, bool) {
				for _, e := range r.Edges {
					if e.Name == name && e.Pool != nil {
						return f(e.Pool), true
					}
				}
				return 0, false
			}
		}
		row("pool "+name+" peak in use", pool(func(p *models.PoolResult) float64 { return float64(p.PeakInUse) }), count, true)
		row("pool "+name+" acquire timeouts", pool(func(p *models.PoolResult) float64 { return float64(p.AcquireTimeouts) }), count, true)
	}
	// Zones: the traffic between them and its price (a design without
	// zones has none of either: the row shows a dash).
	zoned := func(f func(models.CrossZoneResult) float64) func(models.Result) (float64, bool) {
		return func(r models.Result) (float64, bool) { return f(r.CrossZone), r.Zones != nil }
	}
	row("cross-zone calls", zoned(func(c models.CrossZoneResult) float64 { return float64(c.Calls) }), count, true)
	row("cross-zone cost", zoned(func(c models.CrossZoneResult) float64 { return c.Cost }), cost, true)
	row("workers in all (cost driver)", func(r models.Result) (float64, bool) {
		n := 0
		for _, s := range r.Services {
			if s.Workers <= 0 {
				return math.NaN(), true
			}
			n += s.Instances * s.Workers
		}
		return float64(n), true
	}, func(v float64) string { return fixed(v, 0) }, true)
	row("instances in all", func(r models.Result) (float64, bool) {
		n := 0
		for _, s := range r.Services {
			n += s.Instances
		}
		return float64(n), true
	}, func(v float64) string { return fixed(v, 0) }, true)
	row("expectations passed", func(r models.Result) (float64, bool) { return 0, true }, func(float64) string { return "" }, false)
	// the last row is filled from Meta, which val cannot see
	exp := &rows[len(rows)-1]
	for i, r := range rv.Runs {
		exp.Cells[i] = fmt.Sprintf("%d of %d", len(r.Meta.Expect)-Failed(r.Meta.Expect), len(r.Meta.Expect))
	}
	return rows
}

// alertCount is how many times alerts of severity started firing.
func alertCount(s models.SLOResult, severity string) int {
	n := 0
	for _, a := range s.Alerts {
		if a.Firing && a.Severity == severity {
			n++
		}
	}
	return n
}

// firstAlert is when the first alert started firing, or "-".
func firstAlert(s models.SLOResult) string {
	for _, a := range s.Alerts {
		if a.Firing {
			return a.Severity + " at " + span(a.At)
		}
	}
	return dash
}

// sloTarget says what an SLO measures.
func sloTarget(s models.SLOResult) string {
	what := "workload " + s.Workload
	if s.Service != "" {
		what = "service " + s.Service
	}
	if s.Threshold > 0 {
		return what + ", OK within " + span(s.Threshold)
	}
	return what + ", OK"
}

// faultEnd is when a fault ended, or what it is doing.
func faultEnd(f models.FaultRecord) string {
	switch f.State {
	case models.FaultPending:
		return "never started"
	case models.FaultActive:
		return "still active"
	}
	return span(f.End)
}

// workloadCells are the summary table's cells for one workload.
func workloadCells(w models.WorkloadResult) []string {
	c := w.Counts
	return []string{w.Name, integer(c.Arrivals), integer(c.OK), integer(c.Completed() - c.OK), percent(errorRate(c), 2),
		fixed(w.Goodput, 1), latency(w.Latency.P50), latency(w.Latency.P99), latency(w.Latency.Max)}
}

var workloadHead = []string{"workload", "requests", "ok", "failed", "error rate", "goodput/s", "p50", "p99", "max"}

func serviceCells(s models.ServiceResult) []string {
	c := s.Counts
	return []string{s.Name, shape(s), integer(c.Arrivals), integer(c.OK), integer(c.Completed() - c.OK), integer(s.Late),
		percent(s.Utilization, 1), fixed(s.MeanQueue, 2), integer(s.PeakQueue), latency(s.Latency.P50), latency(s.Latency.P99)}
}

var serviceHead = []string{"service", "inst×wrk", "arrivals", "ok", "failed", "late", "util", "queue", "peak", "p50", "p99"}

var faultHead = []string{"fault", "verb", "target", "start", "end"}

func faultCells(f models.FaultRecord) []string {
	start := span(f.Start)
	if f.State == models.FaultPending {
		start = dash
	}
	return []string{f.Name, f.Verb.String(), f.Target, start, faultEnd(f)}
}

var sloHead = []string{"SLO", "measures", "objective", "SLI", "budget burned", "remaining", "pages", "tickets", "first alert"}

func sloCells(s models.SLOResult) []string {
	return []string{s.Name, sloTarget(s), percent(s.Objective, 3), percent(s.SLI, 3), percent(s.Consumed, 1), percent(s.Remaining, 1),
		strconv.Itoa(alertCount(s, "page")), strconv.Itoa(alertCount(s, "ticket")), firstAlert(s)}
}

var breakerHead = []string{"breaker", "opened", "state at end", "time open"}

func breakerCells(r breakerRow) []string {
	var open sim.Time
	for _, s := range r.Spans {
		if s.State == "open" || s.State == "forced_open" {
			open += s.To - s.From
		}
	}
	end := dash
	if len(r.Spans) > 0 {
		end = r.Spans[len(r.Spans)-1].State
	}
	return []string{r.Label, strconv.Itoa(r.Opens), end, span(open)}
}

// verdictCells are one expectation's row.
func verdictCells(v verdictView) []string {
	return []string{v.status, v.expect, v.measured}
}

type verdictView struct{ status, expect, measured string }

func verdictViews(m Meta) []verdictView {
	var out []verdictView
	for _, v := range m.Expect {
		st := "PASS"
		if !v.Pass {
			st = "FAIL"
		}
		var ms []string
		for _, x := range v.Measured {
			s := x.Src + " = " + x.Text
			if x.Detail != "" {
				s += " (" + x.Detail + ")"
			}
			ms = append(ms, s)
		}
		if v.Err != "" {
			ms = append(ms, "error: "+v.Err)
		}
		out = append(out, verdictView{st, v.Expect, strings.Join(ms, "; ")})
	}
	return out
}

// provenance are the lines that say exactly what produced each run: one
// row per item, one column per design.
func provenance(rv Review) (head []string, rows [][]string) {
	head = []string{""}
	for _, r := range rv.Runs {
		head = append(head, r.Label)
	}
	item := func(name string, f func(r ReviewRun) string) {
		row := []string{name}
		for _, r := range rv.Runs {
			row = append(row, f(r))
		}
		rows = append(rows, row)
	}
	item("scenario", func(r ReviewRun) string { return r.Meta.Scenario })
	item("source", func(r ReviewRun) string { return r.Meta.Source })
	item("scenario SHA-256", func(r ReviewRun) string { return r.Hash })
	item("seed", func(r ReviewRun) string { return strconv.FormatUint(r.Meta.Seed, 10) })
	item("simulated", func(r ReviewRun) string {
		if r.Meta.Duration == 0 {
			return span(r.Result.Now) + " (until every workload finished)"
		}
		return span(r.Meta.Duration)
	})
	item("warm-up", func(r ReviewRun) string { return span(r.Meta.Warmup) })
	item("events", func(r ReviewRun) string { return strconv.FormatUint(r.Meta.Events, 10) })
	item("cascade", func(r ReviewRun) string { return r.Meta.Version })
	if slices.ContainsFunc(rv.Runs, func(r ReviewRun) bool { return len(r.Overrides) > 0 }) {
		item("overrides", func(r ReviewRun) string {
			if len(r.Overrides) == 0 {
				return "none"
			}
			return strings.Join(r.Overrides, "; ")
		})
	}
	if slices.ContainsFunc(rv.Runs, func(r ReviewRun) bool { return r.Meta.Interrupted }) {
		item("status", func(r ReviewRun) string {
			if r.Meta.Interrupted {
				return "INTERRUPTED: partial results"
			}
			return "complete"
		})
	}
	if len(rv.Runs) == 1 {
		head[1] = "value"
	}
	return head, rows
}

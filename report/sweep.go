package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A sweep runs one scenario over a grid of parameter values, each point
// with the same replication seeds, and keeps for every point the mean and
// 95% confidence half-width of a fixed set of metrics. Its JSON document
// (schema cascade.sweep/v1) holds everything the CSV and the charts are made
// from, so `cascade merge` can rebuild them from the shards of a sharded
// sweep: merged shards give the same bytes as the unsharded run.

// SweepSchema names the JSON document's format.
const SweepSchema = "cascade.sweep/v1"

// Sweep is a sweep's result, or one shard of it.
type Sweep struct {
	Schema       string       `json:"schema"`
	Scenario     string       `json:"scenario"`
	Source       string       `json:"source"`
	SHA256       string       `json:"sha256"`
	Version      string       `json:"version"`
	Seed         uint64       `json:"seed"`
	Replications int          `json:"replications"`
	Duration     Num          `json:"duration_s"`
	Fixed        []string     `json:"fixed,omitempty"` // --set with one value: "path=value"
	Params       []SweepAxis  `json:"parameters"`
	Size         int          `json:"points_in_grid"`
	Shard        *Shard       `json:"shard,omitempty"` // nil: the whole grid
	Points       []SweepPoint `json:"points"`
}

// SweepAxis is one swept parameter and its values, in grid order.
type SweepAxis struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// Shard says which slice of the grid a document holds: the points whose
// index modulo Count is Index-1.
type Shard struct {
	Index int `json:"index"` // 1-based
	Count int `json:"count"`
}

// SweepPoint is one grid point.
type SweepPoint struct {
	Index   int            `json:"index"`
	Values  []string       `json:"values"` // one per parameter
	Metrics []SweepMetric  `json:"metrics"`
	Expect  []SweepVerdict `json:"expect,omitempty"`
}

// SweepMetric is one metric's mean over the replications and the
// half-width of its 95% confidence interval (0 for one replication; null
// when the metric had no value in any run).
type SweepMetric struct {
	Name string `json:"name"` // "workload.browse.p99"
	Unit string `json:"unit"` // "s", "/s", "ratio", ""
	Mean Num    `json:"mean"`
	CI95 Num    `json:"ci95"`
}

// SweepVerdict is one expectation at a point: held on the means, and in
// how many runs on their own.
type SweepVerdict struct {
	Expect string `json:"expect"`
	Pass   bool   `json:"pass"`
	Passed int    `json:"passed_runs"`
}

// Num is a float that is null in JSON when it is not finite, and reads
// back exactly (Go prints the shortest representation that round-trips).
type Num float64

func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*n = Num(f)
	return err
}

// SweepJSON writes the document, indented, with a final newline.
func SweepJSON(w io.Writer, s Sweep) error {
	s.Schema = SweepSchema
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// ReadSweep reads a document SweepJSON wrote.
func ReadSweep(r io.Reader) (Sweep, error) {
	var s Sweep
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, err
	}
	if s.Schema != SweepSchema {
		return s, fmt.Errorf("schema %q, want %q", s.Schema, SweepSchema)
	}
	// A hand-edited or truncated document must not merge into nonsense.
	size := 1
	for _, p := range s.Params {
		if len(p.Values) < 2 {
			return s, fmt.Errorf("parameter %q has %d values; a swept parameter has at least 2", p.Path, len(p.Values))
		}
		size *= len(p.Values)
	}
	switch {
	case s.Replications < 1:
		return s, fmt.Errorf("replications: %d, want at least 1", s.Replications)
	case s.Size != size:
		return s, fmt.Errorf("points_in_grid: %d, but the parameters make a grid of %d", s.Size, size)
	case s.Shard != nil && (s.Shard.Count < 1 || s.Shard.Index < 1 || s.Shard.Index > s.Shard.Count):
		return s, fmt.Errorf("shard: %d/%d, want I/N with 1 <= I <= N", s.Shard.Index, s.Shard.Count)
	}
	for _, pt := range s.Points {
		if len(pt.Values) != len(s.Params) {
			return s, fmt.Errorf("point %d has %d values for %d parameters", pt.Index, len(pt.Values), len(s.Params))
		}
		if s.Shard != nil && pt.Index%s.Shard.Count != s.Shard.Index-1 {
			return s, fmt.Errorf("point %d does not belong to shard %d/%d", pt.Index, s.Shard.Index, s.Shard.Count)
		}
	}
	return s, nil
}

// MergeSweeps combines shards of one sweep into the whole: they must agree
// on everything but the shard and its points (the source path aside: the
// same file may be named two ways, and the SHA-256 is compared), and hold
// every point of the grid exactly once. names label the parts in messages
// (their files); nil says "part N".
func MergeSweeps(parts []Sweep, names []string) (Sweep, error) {
	if len(parts) == 0 {
		return Sweep{}, errors.New("nothing to merge")
	}
	name := func(i int) string {
		if i < len(names) {
			return names[i]
		}
		return "part " + strconv.Itoa(i+1)
	}
	type field struct {
		name string
		val  func(s Sweep) any
	}
	fields := []field{
		{"scenario", func(s Sweep) any { return s.Scenario }},
		{"sha256 (the scenario file's bytes)", func(s Sweep) any { return s.SHA256 }},
		{"version (of cascade)", func(s Sweep) any { return s.Version }},
		{"seed", func(s Sweep) any { return s.Seed }},
		{"replications", func(s Sweep) any { return s.Replications }},
		{"duration_s", func(s Sweep) any { return s.Duration }},
		{"fixed", func(s Sweep) any { return s.Fixed }},
		{"parameters", func(s Sweep) any { return s.Params }},
		{"points_in_grid", func(s Sweep) any { return s.Size }},
	}
	text := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	out := parts[0]
	out.Shard, out.Points = nil, nil
	seen := make(map[int]int, out.Size)
	for i, p := range parts {
		for _, f := range fields {
			if a, b := text(f.val(parts[0])), text(f.val(p)); a != b {
				return Sweep{}, fmt.Errorf("%s is from another sweep than %s: %s %s vs %s", name(i), name(0), f.name, b, a)
			}
		}
		for _, pt := range p.Points {
			if pt.Index < 0 || pt.Index >= out.Size {
				return Sweep{}, fmt.Errorf("%s: point %d is outside the grid of %d", name(i), pt.Index, out.Size)
			}
			if j, dup := seen[pt.Index]; dup {
				return Sweep{}, fmt.Errorf("point %d is in %s and in %s", pt.Index, name(j), name(i))
			}
			seen[pt.Index] = i
			out.Points = append(out.Points, pt)
		}
		// The source as the shards name it may differ (r.yaml, ./r.yaml);
		// take one that does not depend on the order of the parts.
		out.Source = min(out.Source, p.Source)
	}
	if len(out.Points) != out.Size {
		var missing []string
		for i := 0; i < out.Size && len(missing) < 10; i++ {
			if _, ok := seen[i]; !ok {
				missing = append(missing, strconv.Itoa(i))
			}
		}
		return Sweep{}, fmt.Errorf("%d of %d points are missing (first: %s): is a shard left out?", out.Size-len(out.Points), out.Size, strings.Join(missing, ", "))
	}
	slices.SortFunc(out.Points, func(a, b SweepPoint) int { return a.Index - b.Index })
	return out, nil
}

// SweepCSV writes one row per point: its index, the parameter values, then
// every metric's mean and half-width, and whether each expectation held.
func SweepCSV(w io.Writer, s Sweep) error {
	cw := csv.NewWriter(w)
	head := []string{"index"}
	for _, p := range s.Params {
		head = append(head, p.Path)
	}
	if len(s.Points) > 0 {
		for _, m := range s.Points[0].Metrics {
			head = append(head, m.Name, m.Name+"_ci95")
		}
		for i := range s.Points[0].Expect {
			head = append(head, "expect"+strconv.Itoa(i))
		}
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	num := func(n Num) string {
		if !finite(float64(n)) {
			return ""
		}
		return strconv.FormatFloat(float64(n), 'g', -1, 64)
	}
	for _, p := range s.Points {
		row := []string{strconv.Itoa(p.Index)}
		row = append(row, p.Values...)
		for _, m := range p.Metrics {
			row = append(row, num(m.Mean), num(m.CI95))
		}
		for _, v := range p.Expect {
			row = append(row, strconv.FormatBool(v.Pass))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SweepTable prints the points as text: parameters, then for every
// workload its goodput, p99 and error rate (mean ± half-width), then how
// many expectations held.
func SweepTable(w io.Writer, s Sweep) {
	if len(s.Points) == 0 {
		fmt.Fprintln(w, "no points")
		return
	}
	var head []string
	for _, p := range s.Params {
		head = append(head, p.Path)
	}
	var cols []int
	for i, m := range s.Points[0].Metrics {
		if strings.HasPrefix(m.Name, "workload.") && (strings.HasSuffix(m.Name, ".goodput") || strings.HasSuffix(m.Name, ".p99") || strings.HasSuffix(m.Name, ".error_rate")) ||
			strings.HasPrefix(m.Name, "slo.") {
			cols = append(cols, i)
			head = append(head, m.Name)
		}
	}
	if len(s.Points[0].Expect) > 0 {
		head = append(head, "expect")
	}
	t := &table{head: head, left: make([]bool, len(head))}
	for _, p := range s.Points {
		row := slices.Clone(p.Values)
		for _, i := range cols {
			row = append(row, metricText(p.Metrics[i], s.Replications > 1))
		}
		if len(p.Expect) > 0 {
			n := 0
			for _, v := range p.Expect {
				if v.Pass {
					n++
				}
			}
			row = append(row, fmt.Sprintf("%d/%d", n, len(p.Expect)))
		}
		t.add(row...)
	}
	t.write(w)
	if s.Replications > 1 {
		fmt.Fprintf(w, "\nmeans over %d replications (seeds %d..%d at every point) ± 95%% confidence half-width\n", s.Replications, s.Seed, s.Seed+uint64(s.Replications)-1)
	}
}

// metricText prints a metric in its unit, with ± half-width when asked.
func metricText(m SweepMetric, ci bool) string {
	f := func(x float64) string {
		if m.Unit == "ratio" {
			return percent(x, 2)
		}
		return unitValue(x, m.Unit)
	}
	v := f(float64(m.Mean))
	if ci && finite(float64(m.CI95)) && finite(float64(m.Mean)) {
		v += " ± " + f(float64(m.CI95))
	}
	return v
}

// SweepCharts draws every metric against the first numeric parameter,
// with a 95% confidence band; other parameters give one line per
// combination (at most eight). Without a numeric parameter, nothing.
func SweepCharts(s Sweep) ([]ChartFile, error) {
	x := -1
	var xs []float64
	for i, p := range s.Params {
		vals := make([]float64, len(p.Values))
		ok := true
		for j, v := range p.Values {
			f, err := axisNumber(v)
			if err != nil {
				ok = false
				break
			}
			vals[j] = f
		}
		if ok && len(p.Values) > 1 {
			x, xs = i, vals
			break
		}
	}
	if x < 0 || len(s.Points) == 0 {
		return nil, nil
	}
	// Group the points by the values of the other parameters.
	type line struct {
		label string
		pts   []SweepPoint
	}
	var lines []*line
	for _, p := range s.Points {
		var parts []string
		for i, v := range p.Values {
			if i != x {
				parts = append(parts, s.Params[i].Path+"="+v)
			}
		}
		label := strings.Join(parts, ", ")
		var l *line
		for _, c := range lines {
			if c.label == label {
				l = c
			}
		}
		if l == nil {
			if len(lines) == len(palette) {
				continue
			}
			l = &line{label: label}
			lines = append(lines, l)
		}
		l.pts = append(l.pts, p)
	}
	valueX := map[string]float64{}
	for j, v := range s.Params[x].Values {
		valueX[v] = xs[j]
	}
	var out []ChartFile
	u := uniqueNames{}
	for mi, m := range s.Points[0].Metrics {
		c := chart{File: fileName("sweep", m.Name), Title: m.Name + " vs " + s.Params[x].Path,
			XLabel: s.Params[x].Path, YLabel: chartUnit(m.Unit)}
		scale := 1.0
		switch m.Unit {
		case "s":
			scale = 1000
		case "ratio":
			scale = 100
		}
		for li, l := range lines {
			var px, py, lo, hi []float64
			for _, p := range l.pts {
				if mi >= len(p.Metrics) {
					continue
				}
				v, ci := float64(p.Metrics[mi].Mean)*scale, float64(p.Metrics[mi].CI95)*scale
				px = append(px, valueX[p.Values[x]])
				py = append(py, v)
				lo, hi = append(lo, v-ci), append(hi, v+ci)
			}
			name := l.label
			if name == "" && s.Replications > 1 {
				name = "mean, 95% band"
			}
			c.Series = append(c.Series, chartSeries{Name: name, X: px, Y: py, Color: li})
			if s.Replications > 1 {
				c.Bands = append(c.Bands, chartBand{X: px, Lo: lo, Hi: hi, Color: li})
			}
		}
		if c.empty() {
			continue
		}
		b, err := c.svg(chartW, chartH)
		if err != nil {
			return nil, err
		}
		out = append(out, ChartFile{Name: u.name(c.File), SVG: b})
	}
	return out, nil
}

func chartUnit(u string) string {
	switch u {
	case "s":
		return "ms"
	case "ratio":
		return "%"
	case "/s":
		return "per second"
	}
	return u
}

// axisNumber reads a parameter value as a number for a chart axis: plain
// numbers, and numbers followed by a unit (250ms is 250, 100/s is 100).
func axisNumber(v string) (float64, error) {
	v = strings.TrimSpace(v)
	end := 0
	for end < len(v) && (v[end] >= '0' && v[end] <= '9' || v[end] == '.' || v[end] == '-' || v[end] == '+' || v[end] == 'e' && end > 0) {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("not a number: %q", v)
	}
	return strconv.ParseFloat(v[:end], 64)
}

// SweepSVGIndex is a small self-contained HTML page showing every chart
// of a sweep, written beside them.
// It ends with the command line that reproduces the sweep, made from the
// sweep itself (SweepCommand), so a grid run whole and the same grid run
// in shards and merged show the same page.
func SweepSVGIndex(s Sweep, charts []ChartFile) []byte {
	command := SweepCommand(s)
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s sweep</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>Sweep of %s</h1>\n",
		xmlEscape(s.Scenario), css, xmlEscape(s.Scenario))
	fmt.Fprintf(&b, "<p>%d points, %d replications each (seeds %d..%d), scenario SHA-256 <code>%s</code>, cascade %s.</p>\n",
		s.Size, s.Replications, s.Seed, s.Seed+uint64(max(s.Replications, 1))-1, xmlEscape(s.SHA256), xmlEscape(s.Version))
	b.WriteString("<div class=\"charts\">\n")
	for _, c := range charts {
		fmt.Fprintf(&b, "<figure class=\"chart\">\n%s</figure>\n", c.SVG)
	}
	b.WriteString("</div>\n")
	fmt.Fprintf(&b, "<section id=\"reproduce\">\n<h2>Reproduce</h2>\n<p>With cascade %s, from the directory it was run in (add <code>--out DIR</code> to write this page; <code>--shard K/N</code> and <code>cascade merge</code> give the same):</p>\n<pre><code>%s</code></pre>\n</section>\n",
		xmlEscape(s.Version), xmlEscape(ShellQuote(command)))
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.Bytes()
}

// SweepCommand is the cascade sweep command line that runs s's grid again:
// its source, parameters, fixed values, replications, seed and duration.
func SweepCommand(s Sweep) []string {
	cmd := []string{"cascade", "sweep", s.Source}
	for _, a := range s.Params {
		cmd = append(cmd, "--set", a.Path+"="+strings.Join(a.Values, ","))
	}
	for _, f := range s.Fixed {
		cmd = append(cmd, "--set", f)
	}
	cmd = append(cmd, "--replications", strconv.Itoa(max(s.Replications, 1)), "--seed", strconv.FormatUint(s.Seed, 10))
	if d := float64(s.Duration); d > 0 && !math.IsInf(d, 0) {
		cmd = append(cmd, "--duration", strconv.FormatFloat(d, 'f', -1, 64)+"s")
	}
	return cmd
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"cascade/models"
	"cascade/report"
	"cascade/scenarios"
	"cascade/sim"
)

const sweepHelp = `Usage: cascade sweep FILE|NAME --set PATH=VALUES... [flags]
       cascade sweep FILE|NAME --find PATH=LO..HI --until EXPR [flags]

Runs a scenario over a grid of parameter values, every point with the same
replication seeds, on all cores, and prints the mean and 95% confidence
interval of each workload's goodput, p99 and error rate (and every SLO's
budget) per point. --json, --csv and --out keep everything.

VALUES is one value, a comma-separated list (4,8,16 or 100ms,250ms) or a
range LO..HI/STEP of numbers with an optional common unit (100..1000/100,
10ms..100ms/10ms). The grid is every combination; the first --set varies
slowest. A value is YAML: null removes the field.

--find searches one numeric parameter by bisection for the boundary where
EXPR (the language of expect:, e.g. 'recovered("browse", within: 2m)' or
'p99("api") < 250ms') stops holding, evaluated on the means over the
replications. It assumes EXPR holds at LO, fails at HI and flips once in
between (monotone); it checks both ends and says so when they do not fit.
LO may be above HI: --find services.api.workers=64..1 finds the fewest
workers at which EXPR still holds.

Flags:
  --set PATH=VALUES   a parameter of the grid, or a fixed change (repeatable)
  --replications N    runs per point, seeds seed..seed+N-1 (default 1)
  --seed N            first seed (default: the scenario's)
  --duration D        simulated time per run (default: the scenario's)
  --json FILE         write the sweep (schema cascade.sweep/v1) as JSON
  --csv FILE          write one row per point as CSV
  --out DIR           write sweep.json, sweep.csv, one chart per metric
                      (metric vs the first numeric parameter, with 95%
                      bands) and index.html showing them, into DIR
  --shard I/N         run only points whose index mod N is I-1, for
                      spreading a sweep over machines; 'cascade merge'
                      combines the shards' --json files
  --find PATH=LO..HI  bisect PATH between LO and HI (see above)
  --until EXPR        the condition --find looks for the boundary of
  --precision X       --find stops when the interval is this narrow
                      (default 1 for whole-number bounds, else (HI-LO)/1000)
  --variants          --find on the scenario and on each of its variants
                      (same seeds), with a table of their breaking points
  --force             overwrite existing --json/--csv files and the files
                      --out writes (refused otherwise, before anything runs)
  --allow-huge        run even when the run is estimated at more than 2e9
                      events (the limit that turns rate: 1e300/s into an error)
  -h, --help          show this help

Exit status: 0 done; 1 a run or writing failed; 2 invalid scenario or
usage; 130 interrupted.

Examples:
  cascade sweep shop --set services.api.workers=4,8,16 --set workloads.browse.rate=100..1000/100 --replications 10
  cascade sweep shop --set workloads.browse.rate=200..2000/200 --replications 5 --out sweep/
  cascade sweep retry-storm --find 'workloads.naive.rate=100..1000' --until 'recovered("naive", within: 2m)' --replications 3
  cascade sweep shop --set services.api.workers=2..64/2 --shard 2/4 --json part2.json
`

// axis is one --set: a path and its values (one value: a fixed change).
type axis struct {
	path   string
	values []string
	flag   string
}

func sweepCmd(args []string) int {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	addAllowHuge(fs)
	var sets stringsFlag
	fs.Var(&sets, "set", "")
	reps := fs.Int("replications", 1, "")
	seed := fs.Uint64("seed", 0, "")
	var dur durationFlag
	fs.Var(&dur, "duration", "")
	jsonPath := fs.String("json", "", "")
	csvPath := fs.String("csv", "", "")
	outDir := fs.String("out", "", "")
	shardSpec := fs.String("shard", "", "")
	find := fs.String("find", "", "")
	until := fs.String("until", "", "")
	precision := fs.Float64("precision", 0, "")
	withVariants := fs.Bool("variants", false, "")
	force := fs.Bool("force", false, "")
	pos, status, ok := parseFlags(fs, args, sweepHelp)
	if !ok {
		return status
	}
	switch {
	case len(pos) == 0:
		return usageError("sweep", "no scenario given")
	case len(pos) > 1:
		return usageError("sweep", fmt.Sprintf("one scenario at a time, got %d", len(pos)))
	case *reps < 1 || *reps > 10000:
		return usageError("sweep", fmt.Sprintf("--replications must be between 1 and 10000, got %d", *reps))
	case (*find == "") != (*until == ""):
		return usageError("sweep", "--find and --until go together")
	case *find == "" && len(sets) == 0:
		return usageError("sweep", "nothing to sweep: give --set PATH=VALUES (or --find with --until)")
	case *find != "" && (*shardSpec != "" || *csvPath != "" || *outDir != ""):
		return usageError("sweep", "--find runs one search: --shard, --csv and --out are for grids")
	case *withVariants && *find == "":
		return usageError("sweep", "--variants goes with --find (a grid sweeps one design; sweep a variant's field instead)")
	case *precision < 0:
		return usageError("sweep", "--precision must be > 0")
	}
	var axes []axis
	for _, a := range sets {
		ax, err := parseAxis(a)
		if err != nil {
			return usageError("sweep", "--set "+err.Error())
		}
		if *withVariants && touchesVariants(ax.path) {
			return usageError("sweep", "--set "+a+": with --variants, --set cannot change variants: (they are read from the file as written); edit the file")
		}
		if *find != "" && len(ax.values) > 1 {
			return usageError("sweep", "--set "+a+": with --find, --set takes one value (the search varies one parameter)")
		}
		for _, prev := range axes {
			if err := overlapping(prev.path, ax.path); err != nil {
				hint := "one --set replaces what the other sets; keep one of them"
				if prev.path == ax.path {
					hint = "give each field once, with all its values in one --set, e.g. " + ax.path + "=1,8,16,32"
				}
				return usageError("sweep", fmt.Sprintf("--set %s: %v (%s)", a, err, hint))
			}
		}
		axes = append(axes, ax)
	}
	if fp, _, ok := strings.Cut(*find, "="); ok {
		for _, a := range axes {
			if err := overlapping(a.path, strings.TrimSpace(fp)); err != nil {
				return usageError("sweep", fmt.Sprintf("--find %s: %v (--find varies it; drop the --set)", *find, err))
			}
		}
	}
	var shard *report.Shard
	if *shardSpec != "" {
		sh, err := parseShard(*shardSpec)
		if err != nil {
			return usageError("sweep", "--shard "+err.Error())
		}
		shard = &sh
	}
	if err := checkSweepOutputs(*jsonPath, *csvPath, *outDir, *force); err != nil {
		return usageError("sweep", err.Error())
	}
	s, ok := loadScenario("sweep", pos[0])
	if !ok {
		return exitUsage
	}
	var seedp *uint64
	if isSet(fs, "seed") {
		seedp = seed
	}
	var untilp *sim.Time
	if dur.set {
		untilp = &dur.t
	}
	stop, cleanup := interruptible()
	defer cleanup()
	if *find != "" {
		return findCmd(s, axes, *find, *until, *precision, *reps, seedp, untilp, *withVariants, *jsonPath, stop)
	}

	sw, st := runSweep(s, axes, *reps, seedp, untilp, shard, stop)
	if st != exitOK {
		return st
	}
	report.SweepTable(os.Stdout, sw)
	return writeSweep("sweep", sw, *jsonPath, *csvPath, *outDir)
}

// overlapping says when two parameter paths change the same field: the
// same path, or one inside the other (services.api and
// services.api.workers).
func overlapping(a, b string) error {
	inside := func(outer, inner string) bool {
		return strings.HasPrefix(inner, outer) && (inner[len(outer)] == '.' || inner[len(outer)] == '[')
	}
	switch {
	case a == b:
		return fmt.Errorf("%s is already set by an earlier --set", b)
	case len(b) > len(a) && inside(a, b):
		return fmt.Errorf("%s is inside %s, set by an earlier --set", b, a)
	case len(a) > len(b) && inside(b, a):
		return fmt.Errorf("%s contains %s, set by an earlier --set", b, a)
	}
	return nil
}

// checkSweepOutputs refuses, before anything runs, outputs that cannot be
// written or would overwrite the user's files without --force.
func checkSweepOutputs(jsonPath, csvPath, outDir string, force bool) error {
	for _, out := range []struct{ flag, path string }{{"--json", jsonPath}, {"--csv", csvPath}} {
		if out.path == "" {
			continue
		}
		if err := checkOutput(out.path); err != nil {
			return fmt.Errorf("%s %s: %v", out.flag, out.path, err)
		}
		if _, err := os.Stat(out.path); err == nil && !force {
			return fmt.Errorf("%s %s: the file exists; give --force to overwrite it", out.flag, out.path)
		}
	}
	if outDir == "" {
		return nil
	}
	if err := checkOutDir(outDir); err != nil {
		return err
	}
	if force {
		return nil
	}
	// The chart names depend on the results, so any SVG counts as one
	// that could be overwritten.
	entries, _ := os.ReadDir(outDir)
	for _, e := range entries {
		switch n := e.Name(); {
		case n == "index.html" || n == "sweep.json" || n == "sweep.csv" || strings.HasSuffix(n, ".svg"):
			return fmt.Errorf("--out %s: %s exists; give --force to overwrite the files in it, or choose a new directory", outDir, filepath.Join(outDir, n))
		}
	}
	return nil
}

// checkOutDir accepts a directory that exists or whose parent does.
func checkOutDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("--out %s: not a directory", dir)
		}
		return nil
	}
	if fi, err := os.Stat(filepath.Dir(filepath.Clean(dir))); err != nil || !fi.IsDir() {
		return fmt.Errorf("--out %s: directory %s does not exist", dir, filepath.Dir(filepath.Clean(dir)))
	}
	return nil
}

// writeSweep writes whichever outputs were asked for.
func writeSweep(cmd string, sw report.Sweep, jsonPath, csvPath, outDir string) int {
	failed := false
	write := func(path string, f func(io.Writer) error) {
		if err := writeAtomically(path, f); err != nil {
			fmt.Fprintf(os.Stderr, "cascade %s: %v\n", cmd, err)
			failed = true
		}
	}
	if jsonPath != "" {
		write(jsonPath, func(w io.Writer) error { return report.SweepJSON(w, sw) })
	}
	if csvPath != "" {
		write(csvPath, func(w io.Writer) error { return report.SweepCSV(w, sw) })
	}
	if outDir != "" {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "cascade %s: %v\n", cmd, err)
			return exitFailed
		}
		write(filepath.Join(outDir, "sweep.json"), func(w io.Writer) error { return report.SweepJSON(w, sw) })
		write(filepath.Join(outDir, "sweep.csv"), func(w io.Writer) error { return report.SweepCSV(w, sw) })
		charts, err := report.SweepCharts(sw)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade %s: charts: %v\n", cmd, err)
			return exitFailed
		}
		for _, c := range charts {
			write(filepath.Join(outDir, c.Name), func(w io.Writer) error { _, err := w.Write(c.SVG); return err })
		}
		write(filepath.Join(outDir, "index.html"), func(w io.Writer) error {
			_, err := w.Write(report.SweepSVGIndex(sw, charts))
			return err
		})
	}
	if failed {
		return exitFailed
	}
	return exitOK
}

// parseAxis reads PATH=VALUES.
func parseAxis(arg string) (axis, error) {
	path, spec, ok := strings.Cut(arg, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return axis{}, fmt.Errorf("%q: want PATH=VALUES, e.g. services.api.workers=4,8,16", arg)
	}
	vals, err := parseValues(spec)
	if err != nil {
		return axis{}, fmt.Errorf("%s: %v", arg, err)
	}
	for _, v := range vals {
		if _, err := scenarios.ParseSet(path + "=" + v); err != nil {
			return axis{}, err
		}
	}
	return axis{path: path, values: vals, flag: "--set " + arg}, nil
}

// maxGrid bounds one parameter's values and a whole grid.
const maxGrid = 100000

// parseValues reads a list of values: a range LO..HI/STEP, a comma list,
// or one value. A value that starts with { or [ is one YAML value, commas
// and all.
func parseValues(spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("no value")
	}
	if strings.HasPrefix(spec, "{") || strings.HasPrefix(spec, "[") {
		return []string{spec}, nil
	}
	if lo, rest, ok := strings.Cut(spec, ".."); ok {
		// The step follows the last slash but one when the unit has a
		// slash itself: 100/s..1000/s/100/s, 100/s..1000/s/100.
		var hi, step string
		switch parts := strings.Split(rest, "/"); len(parts) {
		case 2:
			hi, step = parts[0], parts[1]
		case 3:
			hi, step = parts[0]+"/"+parts[1], parts[2]
		case 4:
			hi, step = parts[0]+"/"+parts[1], parts[2]+"/"+parts[3]
		default:
			return nil, fmt.Errorf("range %q: want LO..HI/STEP, e.g. 100..1000/100", spec)
		}
		return rangeValues(lo, hi, step)
	}
	var out []string
	parts, err := splitTopLevel(spec)
	if err != nil {
		return nil, err
	}
	for _, v := range parts {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, fmt.Errorf("empty value in %q", spec)
		}
		out = append(out, v)
	}
	return out, nil
}

// splitTopLevel splits a comma list on the commas outside (), [], {} and
// quotes, so lognormal(p50=1ms, p99=5ms) stays one value.
func splitTopLevel(spec string) ([]string, error) {
	var out []string
	var stack []byte
	var quote byte
	start := 0
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && opensQuote(spec[start:i]):
			quote = c
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, map[byte]byte{'(': ')', '[': ']', '{': '}'}[c])
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return nil, fmt.Errorf("unbalanced %q at column %d of %q", c, i+1, spec)
			}
			stack = stack[:len(stack)-1]
		case c == ',' && len(stack) == 0:
			out = append(out, spec[start:i])
			start = i + 1
		}
	}
	switch {
	case quote != 0:
		return nil, fmt.Errorf("unterminated %c quote in %q", quote, spec)
	case len(stack) > 0:
		return nil, fmt.Errorf("missing %q in %q", stack[len(stack)-1], spec)
	}
	return append(out, spec[start:]), nil
}

// opensQuote says whether a quote after before (the item so far) starts
// a quoted scalar, as in YAML: at the start of a value or after a bracket,
// comma, colon or '=', not inside a word (don't).
func opensQuote(before string) bool {
	before = strings.TrimRight(before, " \t")
	return before == "" || strings.ContainsRune(",[{(:=", rune(before[len(before)-1]))
}

// quantity is a number with a unit suffix: "250ms" is (250, "ms").
type quantity struct {
	v        float64
	unit     string
	decimals int
}

func parseQuantity(s string) (quantity, error) {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || (end == 0 && (s[end] == '-' || s[end] == '+'))) {
		end++
	}
	v, err := strconv.ParseFloat(s[:end], 64)
	if err != nil || end == 0 {
		return quantity{}, fmt.Errorf("%q is not a number (with an optional unit, e.g. 250ms)", s)
	}
	dec := 0
	if i := strings.IndexByte(s[:end], '.'); i >= 0 {
		dec = end - i - 1
	}
	return quantity{v: v, unit: s[end:], decimals: dec}, nil
}

func (q quantity) format(v float64, decimals int) string {
	return strconv.FormatFloat(v, 'f', decimals, 64) + q.unit
}

// rangeValues expands LO..HI/STEP. Values are LO + k*STEP (not a running
// sum, so no rounding drifts in), printed with the decimals the bounds
// were written with.
func rangeValues(los, his, steps string) ([]string, error) {
	lo, err := parseQuantity(los)
	if err != nil {
		return nil, err
	}
	hi, err := parseQuantity(his)
	if err != nil {
		return nil, err
	}
	step, err := parseQuantity(steps)
	if err != nil {
		return nil, err
	}
	if step.unit == "" {
		step.unit = lo.unit // 10ms..100ms/10 steps by 10ms
	}
	if lo.unit != hi.unit || step.unit != lo.unit {
		return nil, fmt.Errorf("the bounds and the step need one unit, got %q, %q and %q", lo.unit, hi.unit, step.unit)
	}
	if step.v <= 0 {
		return nil, fmt.Errorf("the step must be > 0, got %s", steps)
	}
	if hi.v < lo.v {
		return nil, fmt.Errorf("the range is empty: %s > %s", los, his)
	}
	for _, q := range []struct {
		text string
		v    float64
	}{{los, lo.v}, {his, hi.v}, {steps, step.v}} {
		if math.IsInf(q.v, 0) || math.IsNaN(q.v) {
			return nil, fmt.Errorf("%s is too large a number", q.text)
		}
	}
	// Count in floats first: a huge range overflows an int (and so slips
	// past the limit) if converted before the check.
	count := math.Floor((hi.v-lo.v)/step.v+1e-9) + 1
	if math.IsInf(count, 0) || math.IsNaN(count) || count > maxGrid {
		return nil, fmt.Errorf("range %s..%s/%s has more than %d values; use a larger step or a narrower range", los, his, steps, maxGrid)
	}
	n := int(count)
	dec := max(lo.decimals, step.decimals)
	out := make([]string, n)
	for k := range n {
		out[k] = lo.format(lo.v+float64(k)*step.v, dec)
	}
	return out, nil
}

// parseShard reads I/N.
func parseShard(s string) (report.Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return report.Shard{}, fmt.Errorf("%q: want I/N with 1 <= I <= N, e.g. 2/4", s)
	}
	return report.Shard{Index: i, Count: n}, nil
}

// gridPoint is one point: its index in the whole grid and a value per
// swept parameter.
type gridPoint struct {
	index  int
	values []string
}

// grid lists the points, first axis slowest, keeping those of the shard.
func grid(axes []axis, shard *report.Shard) ([]gridPoint, int, error) {
	size := 1
	for _, a := range axes {
		if len(a.values) > 1 {
			size *= len(a.values)
			if size > maxGrid {
				return nil, 0, fmt.Errorf("the grid has more than %d points", maxGrid)
			}
		}
	}
	var out []gridPoint
	for i := range size {
		if shard != nil && i%shard.Count != shard.Index-1 {
			continue
		}
		var vals []string
		rest := i
		div := size
		for _, a := range axes {
			if len(a.values) < 2 {
				continue
			}
			div /= len(a.values)
			vals = append(vals, a.values[rest/div])
			rest %= div
		}
		out = append(out, gridPoint{index: i, values: vals})
	}
	return out, size, nil
}

// pointScenario is the scenario with the fixed changes and one point's
// values applied.
func pointScenario(s *scenarios.Scenario, axes []axis, values []string) (*scenarios.Scenario, error) {
	var ovs []scenarios.Override
	k := 0
	for _, a := range axes {
		v := a.values[0]
		origin := a.flag
		if len(a.values) > 1 {
			v = values[k]
			k++
			origin = "--set " + a.path + "=" + v
		}
		v = withUnitOf(s, a.path, v)
		o, err := scenarios.ParseSet(a.path + "=" + v)
		if err != nil {
			return nil, err
		}
		o.Origin = origin
		ovs = append(ovs, o)
	}
	return s.Override(ovs)
}

// withUnitOf gives a bare number the unit the file writes the field in:
// with rate: 200/s in the file, 100 becomes 100/s, so the issue's
// "workloads.browse.rate=100..1000/100" reads as people mean it. Values
// with a unit, and fields without one (workers: 8), are left alone.
func withUnitOf(s *scenarios.Scenario, path, v string) string {
	q, err := parseQuantity(v)
	if err != nil || q.unit != "" {
		return v
	}
	cur, ok := s.Field(path)
	if !ok {
		return v
	}
	cq, err := parseQuantity(cur)
	if err != nil || cq.unit == "" || strings.ContainsAny(cq.unit, " ()*+") {
		return v
	}
	return v + cq.unit
}

// withUnits applies withUnitOf to every value, so tables, files and
// charts show what was set.
func withUnits(s *scenarios.Scenario, axes []axis) []axis {
	out := make([]axis, len(axes))
	for i, a := range axes {
		out[i] = a
		out[i].values = make([]string, len(a.values))
		for j, v := range a.values {
			out[i].values[j] = withUnitOf(s, a.path, v)
		}
	}
	return out
}

// runSweep runs the grid (or the shard's part of it).
func runSweep(s *scenarios.Scenario, axes []axis, reps int, seedp *uint64, untilp *sim.Time, shard *report.Shard, stop func() bool) (report.Sweep, int) {
	axes = withUnits(s, axes)
	pts, size, err := grid(axes, shard)
	if err != nil {
		return report.Sweep{}, usageError("sweep", err.Error())
	}
	base, err := pointScenario(s, axes, firstValues(axes))
	if err != nil {
		reportLoadError("sweep", s.Source, err)
		return report.Sweep{}, exitUsage
	}
	seed0, until0, err := planRun(base, seedp, untilp)
	if err != nil {
		return report.Sweep{}, planError("sweep", err)
	}
	warnWarmup("sweep", base, until0)
	sw := report.Sweep{Scenario: s.Name, Source: s.Source, SHA256: report.Hash(s.Data), Version: fullVersion(),
		Seed: seed0, Replications: reps, Duration: report.Num(until0.Seconds()), Size: size, Shard: shard}
	for _, a := range axes {
		if len(a.values) > 1 {
			sw.Params = append(sw.Params, report.SweepAxis{Path: a.path, Values: a.values})
		} else {
			sw.Fixed = append(sw.Fixed, a.path+"="+a.values[0])
		}
	}
	// Load every point before running any: a bad value should not wait for
	// the first points' simulations.
	scs := make([]*scenarios.Scenario, len(pts))
	seeds := make([]uint64, len(pts))
	untils := make([]sim.Time, len(pts))
	for i, p := range pts {
		ps, err := pointScenario(s, axes, p.values)
		if err != nil {
			reportLoadError("sweep", s.Source, err)
			return report.Sweep{}, exitUsage
		}
		if seeds[i], untils[i], err = planRun(ps, seedp, untilp); err != nil {
			return report.Sweep{}, planError("sweep", err)
		}
		scs[i] = ps
	}
	var prog *progress
	if isTerminal(os.Stderr) {
		prog = newProgress(os.Stderr, s.Name, 0)
	}
	defer prog.clear()
	var done atomic.Int64
	var mu sync.Mutex
	total := len(pts) * reps
	// Points run in batches of enough runs to keep every core busy; each
	// batch's results are reduced to means and dropped, so memory stays
	// flat however large the grid (runs that keep series are not small).
	batch := max(1, 8*runtime.GOMAXPROCS(0)/reps)
	for b0 := 0; b0 < len(pts); b0 += batch {
		b1 := min(b0+batch, len(pts))
		var jobs []job
		for i := b0; i < b1; i++ {
			for r := range reps {
				jobs = append(jobs, job{s: scs[i], seed: seeds[i] + uint64(r), until: untils[i]})
			}
		}
		outs, err := runJobs(jobs, stop, func() {
			mu.Lock()
			defer mu.Unlock()
			prog.count(int(done.Add(1)), total, "runs")
		})
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade sweep: %v\n", err)
			return report.Sweep{}, exitFailed
		}
		for _, o := range outs {
			if o.stopped {
				prog.clear()
				fmt.Fprintln(os.Stderr, "cascade sweep: interrupted; nothing written")
				return report.Sweep{}, exitInterrupted
			}
		}
		for i := b0; i < b1; i++ {
			results := make([]models.Result, reps)
			for r := range reps {
				results[r] = outs[(i-b0)*reps+r].result
			}
			sp := report.SweepPoint{Index: pts[i].index, Values: pts[i].values, Metrics: sweepMetrics(results)}
			for _, v := range scs[i].Evaluate(results) {
				sp.Expect = append(sp.Expect, report.SweepVerdict{Expect: v.Expect, Pass: v.Pass, Passed: v.Passed})
			}
			sw.Points = append(sw.Points, sp)
		}
	}
	return sw, exitOK
}

func firstValues(axes []axis) []string {
	var out []string
	for _, a := range axes {
		if len(a.values) > 1 {
			out = append(out, a.values[0])
		}
	}
	return out
}

// sweepMetrics are the metrics every point keeps, means over the runs with
// their confidence half-widths (scenarios.MeanCI, Student's t).
func sweepMetrics(runs []models.Result) []report.SweepMetric {
	var out []report.SweepMetric
	add := func(name, unit string, f func(r *models.Result) float64) {
		xs := make([]float64, len(runs))
		for i := range runs {
			xs[i] = f(&runs[i])
		}
		m, h := scenarios.MeanCI(xs)
		out = append(out, report.SweepMetric{Name: name, Unit: unit, Mean: report.Num(m), CI95: report.Num(h)})
	}
	first := runs[0]
	for i, w := range first.Workloads {
		p := "workload." + w.Name + "."
		add(p+"throughput", "/s", func(r *models.Result) float64 { return r.Workloads[i].Throughput })
		add(p+"goodput", "/s", func(r *models.Result) float64 { return r.Workloads[i].Goodput })
		add(p+"p50", "s", func(r *models.Result) float64 { return r.Workloads[i].Latency.P50 })
		add(p+"p99", "s", func(r *models.Result) float64 { return r.Workloads[i].Latency.P99 })
		add(p+"error_rate", "ratio", func(r *models.Result) float64 {
			c := r.Workloads[i].Counts
			if c.Completed() == 0 {
				return math.NaN()
			}
			return 1 - float64(c.OK)/float64(c.Completed())
		})
	}
	for i, s := range first.Services {
		p := "service." + s.Name + "."
		add(p+"utilization", "ratio", func(r *models.Result) float64 { return r.Services[i].Utilization })
		add(p+"mean_queue", "", func(r *models.Result) float64 { return r.Services[i].MeanQueue })
		add(p+"p99", "s", func(r *models.Result) float64 { return r.Services[i].Latency.P99 })
	}
	for i, s := range first.SLOs {
		add("slo."+s.Name+".budget_remaining", "ratio", func(r *models.Result) float64 { return r.SLOs[i].Remaining })
	}
	return out
}

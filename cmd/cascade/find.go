package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"cascade/models"
	"cascade/report"
	"cascade/scenarios"
	"cascade/sim"
)

// findProbe is one value --find tried.
type findProbe struct {
	Value  string `json:"value"`
	Holds  bool   `json:"holds"`
	Passed int    `json:"passed_runs"` // runs in which it held on its own
	Runs   int    `json:"runs"`
}

// findResult is one design's search (schema cascade.find/v1 in --json).
type findResult struct {
	Design       string   `json:"design"`
	Scenario     string   `json:"scenario"`
	SHA256       string   `json:"sha256"`
	Version      string   `json:"version"`
	Seed         uint64   `json:"seed"`
	Replications int      `json:"replications"`
	Path         string   `json:"path"`
	Until        string   `json:"until"`
	Fixed        []string `json:"fixed,omitempty"`
	HoldsAt      *string  `json:"holds_at"` // the last value where it held on the means; null: not even at LO
	FailsAt      *string  `json:"fails_at"` // the first value where it failed on the means; null: held through HI
	// The uncertainty: the last value at which it held in every run, the
	// first at which it failed in every run (null: none in the range), and
	// the probes between, where some runs held and some failed.
	HeldInAll   *string     `json:"held_in_all"`
	FailedInAll *string     `json:"failed_in_all"`
	Band        []findProbe `json:"band"`
	Probes      []findProbe `json:"probes"`

	values map[string]float64 // probe text -> value, for ordering
}

// findSpec is a parsed --find PATH=LO..HI with its --until and precision.
type findSpec struct {
	path, until string
	lo, hi      quantity
	integer     bool
	precision   float64
	decimals    int
}

// parseFind reads --find and --until; s gives a bare number its unit.
func parseFind(s *scenarios.Scenario, spec, until string, precision float64) (findSpec, error) {
	path, rng, ok := strings.Cut(spec, "=")
	path = strings.TrimSpace(path)
	los, his, ok2 := strings.Cut(rng, "..")
	if !ok || !ok2 || path == "" {
		return findSpec{}, fmt.Errorf("--find %q: want PATH=LO..HI, e.g. workloads.browse.rate=100..2000", spec)
	}
	lo, err := parseQuantity(los)
	if err != nil {
		return findSpec{}, fmt.Errorf("--find: %v", err)
	}
	hi, err := parseQuantity(his)
	if err != nil {
		return findSpec{}, fmt.Errorf("--find: %v", err)
	}
	if lo.unit != hi.unit || hi.v == lo.v {
		return findSpec{}, fmt.Errorf("--find %q: two different bounds with one unit, e.g. 100..2000 or 10ms..500ms", spec)
	}
	f := findSpec{path: path, until: until, lo: lo, hi: hi, precision: precision}
	// Whole-number bounds bisect over whole numbers unless a finer
	// --precision asks for fractions (rate=360..370 --precision 0.1).
	f.integer = lo.decimals == 0 && hi.decimals == 0 && (precision == 0 || precision >= 1)
	if f.precision == 0 {
		f.precision = math.Abs(hi.v-lo.v) / 1000
		if f.integer {
			f.precision = 1
		}
	}
	f.decimals = max(lo.decimals, hi.decimals)
	if !f.integer {
		f.decimals = max(f.decimals, int(math.Ceil(-math.Log10(f.precision))))
	}
	if f.lo.unit == "" {
		// A bare number takes the unit the file writes the field in.
		if q, err := parseQuantity(withUnitOf(s, path, "1")); err == nil {
			f.lo.unit = q.unit
		}
	}
	return f, nil
}

func (f findSpec) format(v float64) string { return f.lo.format(v, f.decimals) }

// errFindFailed means a probe could not run; the reason was printed.
var errFindFailed = errors.New("find failed")

// errInterrupted means Ctrl-C stopped a probe.
var errInterrupted = errors.New("interrupted")

// findBoundary bisects one parameter of one design for the boundary of
// f.until. pre are the design's overrides (fixed --set, a variant's own),
// applied to s's file before the probe's value. Each probe line goes to out.
//
// It assumes monotonicity: the condition holds on one side of some
// boundary and fails on the other, LO being on the holding side (load
// against recovery; workers, searched downwards, against a latency bound).
// Both ends run first; if the condition fails at LO or holds at HI it says
// so instead of bisecting. Each probe runs every replication (seeds
// seed..seed+N-1, the same at every probe) and judges the means, as
// expectations do, so noise near the boundary moves it by about the
// confidence interval, not arbitrarily.
func findBoundary(cmd string, s *scenarios.Scenario, label string, pre []scenarios.Override, f findSpec, reps int, seedp *uint64, untilp *sim.Time, stop func() bool, out io.Writer) (findResult, error) {
	res := findResult{Design: label, Scenario: s.Name, SHA256: report.Hash(s.Data), Version: fullVersion(),
		Replications: reps, Path: f.path, Until: f.until}
	for _, o := range pre {
		res.Fixed = append(res.Fixed, o.Path+"="+o.ValueText())
	}
	res.values = map[string]float64{}
	cache := map[string]findProbe{}
	// run probes v (every replication) once; later asks use the answer.
	run := func(v float64) (findProbe, error) {
		text := f.format(v)
		if p, ok := cache[text]; ok {
			return p, nil
		}
		o, err := scenarios.ParseSet(f.path + "=" + text)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade "+cmd+": --find: %v\n", err)
			return findProbe{}, errFindFailed
		}
		o.Origin = "--find " + f.path + "=" + text
		ps, err := s.Override(append(slices.Clone(pre), o))
		if err != nil {
			reportLoadError(cmd, s.Source, err)
			return findProbe{}, errFindFailed
		}
		c, err := ps.CompileCheck(f.until)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade "+cmd+": --until at %s=%s: %v\n", f.path, text, err)
			return findProbe{}, errFindFailed
		}
		ps = ps.WithCheck(c)
		sd, u, err := planRun(ps, seedp, untilp)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade "+cmd+": %v\n", err)
			return findProbe{}, errFindFailed
		}
		res.Seed = sd
		jobs := make([]job, reps)
		for r := range jobs {
			jobs[r] = job{s: ps, seed: sd + uint64(r), until: u}
		}
		outs, err := runJobs(jobs, stop, nil)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade "+cmd+": %v\n", err)
			return findProbe{}, errFindFailed
		}
		results := make([]models.Result, reps)
		for i, o := range outs {
			if o.stopped {
				return findProbe{}, errInterrupted
			}
			results[i] = o.result
		}
		vs := ps.Evaluate(results)
		v0 := vs[len(vs)-1] // the check, appended last
		p := findProbe{Value: text, Holds: v0.Pass, Passed: v0.Passed, Runs: reps}
		res.Probes = append(res.Probes, p)
		res.values[text] = v
		cache[text] = p
		var measured []string
		for _, m := range v0.Measured {
			t := m.Src + " = " + m.Text
			if m.Detail != "" {
				t += " (" + m.Detail + ")"
			}
			measured = append(measured, t)
		}
		verdict := "fails"
		if p.Holds {
			verdict = "holds"
		}
		fmt.Fprintf(out, "%s=%-10s %s  (%d of %d runs)  %s\n", f.path, text, verdict, p.Passed, reps, strings.Join(measured, "; "))
		return p, nil
	}
	probe := func(v float64) (bool, error) {
		p, err := run(v)
		return p.Holds, err
	}
	okLo, err := probe(f.lo.v)
	if err != nil {
		return res, err
	}
	if !okLo {
		res.FailsAt = ptr(f.format(f.lo.v))
		return res, nil
	}
	okHi, err := probe(f.hi.v)
	if err != nil {
		return res, err
	}
	if okHi {
		res.HoldsAt = ptr(f.format(f.hi.v))
		return res, nil
	}
	// bisect narrows [a, b] where holds(a) and !holds(b); a > b searches
	// downwards. It returns the last a and the first b.
	bisect := func(a, b float64, holds func(findProbe) bool) (float64, float64, error) {
		for math.Abs(b-a) > f.precision {
			mid := (a + b) / 2
			if f.integer {
				if a < b {
					mid = math.Floor(mid)
				} else {
					mid = math.Ceil(mid)
				}
			} else {
				mid, _ = strconv.ParseFloat(strconv.FormatFloat(mid, 'f', f.decimals, 64), 64)
			}
			if mid == a || mid == b {
				break
			}
			p, err := run(mid)
			if err != nil {
				return a, b, err
			}
			if holds(p) {
				a = mid
			} else {
				b = mid
			}
		}
		return a, b, nil
	}
	onMeans := func(p findProbe) bool { return p.Holds }
	a, b, err := bisect(f.lo.v, f.hi.v, onMeans)
	if err != nil {
		return res, err
	}
	res.HoldsAt, res.FailsAt = ptr(f.format(a)), ptr(f.format(b))
	if err := res.uncertainty(f, a, b, run, bisect); err != nil {
		return res, err
	}
	return res, nil
}

// uncertainty finds, around the boundary a|b found on the means, the last
// value at which every run held and the first at which every run failed,
// by two more bisections over the same probes (with one replication they
// are the boundary itself and cost nothing), and lists the probes between.
func (res *findResult) uncertainty(f findSpec, a, b float64, run func(float64) (findProbe, error),
	bisect func(a, b float64, holds func(findProbe) bool) (float64, float64, error)) error {
	all := func(p findProbe) bool { return p.Passed == p.Runs }
	some := func(p findProbe) bool { return p.Passed > 0 }
	lo, err := run(f.lo.v)
	if err != nil {
		return err
	}
	if all(lo) {
		// b failed on the means, so not in every run.
		last, _, err := bisect(f.lo.v, b, all)
		if err != nil {
			return err
		}
		res.HeldInAll = ptr(f.format(last))
	}
	hi, err := run(f.hi.v)
	if err != nil {
		return err
	}
	if !some(hi) {
		// a held on the means, so in some run.
		_, first, err := bisect(a, f.hi.v, some)
		if err != nil {
			return err
		}
		res.FailedInAll = ptr(f.format(first))
	}
	from, to := f.lo.v, f.hi.v
	if res.HeldInAll != nil {
		from = res.values[*res.HeldInAll]
	}
	if res.FailedInAll != nil {
		to = res.values[*res.FailedInAll]
	}
	between := func(v float64) bool { return (v-from)*(to-v) > 0 }
	res.Band = []findProbe{}
	for _, p := range res.Probes {
		if v := res.values[p.Value]; between(v) || (p.Passed > 0 && p.Passed < p.Runs && (v == from || v == to)) {
			res.Band = append(res.Band, p)
		}
	}
	slices.SortFunc(res.Band, func(x, y findProbe) int {
		vx, vy := res.values[x.Value], res.values[y.Value]
		if f.lo.v > f.hi.v {
			vx, vy = -vx, -vy
		}
		return cmp.Compare(vx, vy)
	})
	return nil
}

// boundaryText says what a search found: the boundary on the means and,
// with replications, its uncertainty.
func boundaryText(f findSpec, r findResult) string {
	switch {
	case r.HoldsAt == nil:
		return fmt.Sprintf("it does not hold even at %s=%s: no boundary in the range (move LO further back)", f.path, *r.FailsAt)
	case r.FailsAt == nil:
		return fmt.Sprintf("it still holds at %s=%s: no boundary in the range (move HI further)", f.path, *r.HoldsAt)
	}
	way := "up"
	if f.lo.v > f.hi.v {
		way = "down"
	}
	text := fmt.Sprintf("boundary: %s holds %s to %s=%s and fails from %s=%s", f.until, way, f.path, *r.HoldsAt, f.path, *r.FailsAt)
	if r.Replications <= 1 {
		return text + " (one run per probe: no uncertainty measured; give --replications 3 or more)"
	}
	return text + " on the means of " + strconv.Itoa(r.Replications) + " runs\n" + uncertaintyText(f, r)
}

// uncertaintyText is the band around the boundary, in one line.
func uncertaintyText(f findSpec, r findResult) string {
	held := "it held in all runs at no probed value"
	if r.HeldInAll != nil {
		held = fmt.Sprintf("held in all %d runs up to %s=%s", r.Replications, f.path, *r.HeldInAll)
	}
	failed := "it failed in all runs at no probed value"
	if r.FailedInAll != nil {
		failed = fmt.Sprintf("failed in all from %s=%s", f.path, *r.FailedInAll)
	}
	var band []string
	for _, p := range r.Band {
		band = append(band, fmt.Sprintf("%s %d/%d", p.Value, p.Passed, p.Runs))
	}
	between := "no probe between them"
	if len(band) > 0 {
		between = "between, runs held: " + strings.Join(band, ", ")
	}
	return "uncertainty: " + held + "; " + failed + "; " + between
}

// findCmd is sweep --find: the search for the baseline, and with
// --variants for every variant too (each under the same seeds).
func findCmd(s *scenarios.Scenario, fixed []axis, spec, until string, precision float64, reps int, seedp *uint64, untilp *sim.Time, variants bool, jsonPath string, stop func() bool) int {
	var pre []scenarios.Override
	for _, a := range fixed {
		o, err := scenarios.ParseSet(a.path + "=" + withUnitOf(s, a.path, a.values[0]))
		if err != nil {
			return usageError("sweep", "--set "+err.Error())
		}
		pre = append(pre, o)
	}
	ds, st := findDesigns(s, pre, variants)
	if st != exitOK {
		return st
	}
	f, err := parseFind(s, spec, until, precision)
	if err != nil {
		return usageError("sweep", err.Error())
	}
	// Try the path and compile the condition against every design before
	// anything runs, so a typo fails at once.
	for _, d := range ds {
		if st := checkFind("sweep", s, d.pre, f, seedp, untilp); st != exitOK {
			return st
		}
	}
	if ps, err := s.Override(pre); err == nil {
		if _, u, err := planRun(ps, seedp, untilp); err == nil {
			warnWarmup("sweep", ps, u)
		}
	}
	var results []findResult
	for i, d := range ds {
		if len(ds) > 1 {
			if i > 0 {
				fmt.Println()
			}
			fmt.Printf("=== %s\n", d.label)
		}
		fmt.Printf("searching %s in %s..%s for where %s stops holding (%d replications per probe)\n", f.path, f.format(f.lo.v), f.format(f.hi.v), until, reps)
		r, err := findBoundary("sweep", s, d.label, d.pre, f, reps, seedp, untilp, stop, os.Stdout)
		switch {
		case errors.Is(err, errInterrupted):
			fmt.Fprintln(os.Stderr, "cascade sweep: interrupted")
			return exitInterrupted
		case err != nil:
			return exitFailed
		}
		fmt.Println(boundaryText(f, r))
		results = append(results, r)
	}
	if len(ds) > 1 {
		fmt.Println()
		t := [][]string{{"DESIGN", "HELD IN ALL", "HOLDS AT (MEANS)", "FAILS AT (MEANS)", "FAILED IN ALL", "BAND (RUNS HELD)"}}
		for _, r := range results {
			var band []string
			for _, p := range r.Band {
				band = append(band, fmt.Sprintf("%s %d/%d", p.Value, p.Passed, p.Runs))
			}
			t = append(t, []string{r.Design, deref(r.HeldInAll), deref(r.HoldsAt), deref(r.FailsAt), deref(r.FailedInAll), strings.Join(band, " ")})
		}
		printColumns(os.Stdout, t)
	}
	if jsonPath != "" {
		doc := struct {
			Schema  string       `json:"schema"`
			Designs []findResult `json:"designs"`
		}{"cascade.find/v1", results}
		if err := writeAtomically(jsonPath, func(w io.Writer) error {
			b, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return err
			}
			_, err = w.Write(append(b, '\n'))
			return err
		}); err != nil {
			fmt.Fprintf(os.Stderr, "cascade sweep: %v\n", err)
			return exitFailed
		}
	}
	return exitOK
}

// checkFind applies the search's path at both bounds to one design and
// compiles the condition there, so a mistyped path or condition is a usage
// error before any probe runs rather than a failed probe after the others.
func checkFind(cmd string, s *scenarios.Scenario, pre []scenarios.Override, f findSpec, seedp *uint64, untilp *sim.Time) int {
	for _, v := range []float64{f.lo.v, f.hi.v} {
		text := f.format(v)
		o, err := scenarios.ParseSet(f.path + "=" + text)
		if err != nil {
			return usageError(cmd, "--find: "+err.Error())
		}
		o.Origin = "--find " + f.path + "=" + text
		ps, err := s.Override(append(slices.Clone(pre), o))
		if err != nil {
			reportLoadError(cmd, s.Source, err)
			return exitUsage
		}
		if _, err := ps.CompileCheck(f.until); err != nil {
			return usageError(cmd, "--until: "+err.Error())
		}
		if _, _, err := planRun(ps, seedp, untilp); err != nil {
			return usageError(cmd, err.Error())
		}
	}
	return exitOK
}

// findDesign is one design a search runs on: the file with pre applied.
type findDesign struct {
	label string
	pre   []scenarios.Override
}

// findDesigns is the baseline and, when asked, every variant, each as the
// overrides that make it (fixed --set first).
func findDesigns(s *scenarios.Scenario, pre []scenarios.Override, variants bool) ([]findDesign, int) {
	ds := []findDesign{{label: scenarios.Baseline, pre: pre}}
	if !variants {
		return ds, exitOK
	}
	vs, err := s.Variants()
	if err != nil {
		reportLoadError("sweep", s.Source, err)
		return nil, exitUsage
	}
	for _, v := range vs {
		ds = append(ds, findDesign{label: v.Name, pre: append(slices.Clone(pre), v.Overrides...)})
	}
	return ds, exitOK
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// printColumns prints rows with columns padded to their widest cell.
func printColumns(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func ptr(s string) *string { return &s }

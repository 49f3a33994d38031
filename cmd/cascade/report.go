package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"cascade/report"
	"cascade/scenarios"
)

const reportHelp = `Usage: cascade report FILE|NAME --out REPORT [flags]

Runs a scenario and its variants (the variants: section) with one seed and
writes a report for a design review: the topology, summary tables, timeline
charts with fault windows shaded, breaker states, SLOs with burn and
alerts, expectation results and provenance (version, seed, SHA-256 of the
scenario file). With variants the designs are shown side by side, with
deltas against the scenario as written and overlaid charts.

REPORT ending in .html is one self-contained page (inline CSS and SVG, no
network). Ending in .md it is Markdown for a pull request or a design doc:
the topology as a Mermaid diagram and the charts as SVG files in a
directory beside it (review.md -> review-charts/). Existing files are not
overwritten unless --force is given.

Flags:
  --out FILE        the report to write, .html or .md (required)
  --seed N          seed for every design (default: the scenario's)
  --duration D      simulated time to run (default: the scenario's)
  --set PATH=VALUE  change a field of the scenario before running it, e.g.
                    --set services.api.workers=8 (repeatable; applies to
                    every design)
  --variant NAME    report only these variants beside the baseline
                    (repeatable; default: every variant)
  --no-variants     report the scenario alone
  --force           overwrite REPORT and the chart files
  --find PATH=LO..HI, --until EXPR
                    also find each design's breaking point: the value of
                    PATH where EXPR stops holding, by bisection, as
                    'cascade sweep --find' does (see 'cascade sweep --help')
  --replications N  runs per --find probe, judged on the means (default 1)
  --precision X     --find stops when the interval is this narrow
  --allow-huge      run even when the run is estimated at more than 2e9
                    events (the limit that turns rate: 1e300/s into an error)
  -h, --help        show this help

The same scenario, flags and cascade version always give the same bytes.
Exit status: 0 the report was written (whatever the expectations say: use
'cascade run' as the CI gate); 1 the run or writing failed; 2 invalid
scenario or usage; 130 interrupted.

Examples:
  cascade report retry-storm --out review.html
  cascade report my-system.yaml --out docs/review.md --variant with-breaker
  cascade report shop --set services.api.instances=4 --out bigger.html
  cascade report retry-storm --out review.html \
      --find 'workloads.naive.rate=300..700' --until 'recovered("naive", within: 1m)'
`

// setFlags collects repeated --set flags.
type setFlags []scenarios.Override

func (s *setFlags) String() string { return "" }

func (s *setFlags) Set(v string) error {
	o, err := scenarios.ParseSet(v)
	if err != nil {
		return err
	}
	*s = append(*s, o)
	return nil
}

// stringsFlag collects a repeated string flag.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// reviewCommand is the command line writeReview puts at the end of the
// report; report and compare set it to theirs, as typed. Empty (cascade
// run --report): the equivalent 'cascade report' line is made up.
var reviewCommand []string

func reportCmd(args []string) int {
	reviewCommand = append([]string{"cascade", "report"}, withoutForce(args)...)
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	addAllowHuge(fs)
	out := fs.String("out", "", "")
	seed := fs.Uint64("seed", 0, "")
	var dur durationFlag
	fs.Var(&dur, "duration", "")
	var sets setFlags
	fs.Var(&sets, "set", "")
	var only stringsFlag
	fs.Var(&only, "variant", "")
	noVariants := fs.Bool("no-variants", false, "")
	force := fs.Bool("force", false, "")
	find := fs.String("find", "", "")
	until := fs.String("until", "", "")
	reps := fs.Int("replications", 1, "")
	precision := fs.Float64("precision", 0, "")
	pos, status, ok := parseFlags(fs, args, reportHelp)
	if !ok {
		return status
	}
	switch {
	case len(pos) == 0:
		pos = []string{scenarios.Default}
	case len(pos) > 1:
		return usageError("report", fmt.Sprintf("one scenario at a time, got %d (use 'cascade compare A B' for two files)", len(pos)))
	}
	if *out == "" {
		return usageError("report", "--out FILE is required (.html or .md)")
	}
	if err := checkReportOutput(*out, *force, "--out"); err != nil {
		return usageError("report", err.Error())
	}
	if (*find == "") != (*until == "") {
		return usageError("report", "--find and --until go together")
	}
	if *reps < 1 || *reps > 10000 {
		return usageError("report", fmt.Sprintf("--replications must be between 1 and 10000, got %d", *reps))
	}
	if *precision < 0 {
		return usageError("report", fmt.Sprintf("--precision must be > 0, got %v", *precision))
	}
	for _, name := range []string{"replications", "precision"} {
		if *find == "" && isSet(fs, name) {
			return usageError("report", "--"+name+" goes with --find (a report runs every design once, with one seed; for replications use 'cascade run --replications' or 'cascade sweep')")
		}
	}
	if *noVariants && len(only) > 0 {
		return usageError("report", "--variant and --no-variants contradict each other")
	}
	for _, o := range sets {
		if touchesVariants(o.Path) {
			return usageError("report", o.Origin+": --set cannot change variants: (they are read from the file as written); choose them with --variant NAME or --no-variants, or edit the file")
		}
	}
	s, ok := loadScenario("report", pos[0])
	if !ok {
		return exitUsage
	}
	ds, st := designsOf("report", s, sets, only, *noVariants)
	if st != exitOK {
		return st
	}
	opt := runOptions{}
	if isSet(fs, "seed") {
		opt.seed = seed
	}
	if dur.set {
		opt.until = &dur.t
	}
	var search *breakSearch
	if *find != "" {
		f, err := parseFind(s, *find, *until, *precision)
		if err != nil {
			return usageError("report", err.Error())
		}
		for _, d := range ds {
			if st := checkFind("report", d.file, d.pre, f, opt.seed, opt.until); st != exitOK {
				return st
			}
		}
		search = &breakSearch{spec: f, reps: *reps}
	}
	stop, cleanup := interruptible()
	defer cleanup()
	return writeReview("report", ds, opt, *out, *force, stop, search)
}

// breakSearch is a report's --find: the breaking point of every design.
type breakSearch struct {
	spec findSpec
	reps int
}

// boundaries runs the search on every design, printing the probes on
// stderr as it goes.
func (b *breakSearch) boundaries(ds []design, opt runOptions, stop func() bool) ([]report.Boundary, error) {
	var out []report.Boundary
	for _, d := range ds {
		fmt.Fprintf(os.Stderr, "cascade report: searching the breaking point of %s\n", d.label)
		r, err := findBoundary("report", d.file, d.label, d.pre, b.spec, b.reps, opt.seed, opt.until, stop, os.Stderr)
		if err != nil {
			return nil, err
		}
		bd := report.Boundary{Design: d.label, Path: b.spec.path, Until: b.spec.until, Probes: len(r.Probes),
			Replications: b.reps, Downwards: b.spec.lo.v > b.spec.hi.v, Low: b.spec.format(b.spec.lo.v), High: b.spec.format(b.spec.hi.v)}
		if r.HoldsAt != nil {
			bd.HoldsAt = *r.HoldsAt
		}
		if r.FailsAt != nil {
			bd.FailsAt = *r.FailsAt
		}
		bd.HeldInAll, bd.FailedInAll = deref0(r.HeldInAll), deref0(r.FailedInAll)
		for _, p := range r.Band {
			bd.Band = append(bd.Band, report.BoundaryProbe{Value: p.Value, X: r.values[p.Value], Passed: p.Passed, Runs: p.Runs})
		}
		for _, p := range r.Probes {
			bd.All = append(bd.All, report.BoundaryProbe{Value: p.Value, X: r.values[p.Value], Passed: p.Passed, Runs: p.Runs})
		}
		out = append(out, bd)
	}
	return out, nil
}

// touchesVariants says whether an override path is in the variants:
// section, which --set cannot change.
func touchesVariants(path string) bool {
	return path == "variants" || strings.HasPrefix(path, "variants.") || strings.HasPrefix(path, "variants[")
}

// designsOf is the baseline (with --set applied) and the chosen variants.
// Variants are loaded from the scenario as --set left it, so --set changes
// every design alike.
func designsOf(cmd string, s *scenarios.Scenario, sets []scenarios.Override, only []string, none bool) ([]design, int) {
	base := s
	if len(sets) > 0 {
		var err error
		if base, err = s.Override(sets); err != nil {
			reportLoadError(cmd, s.Source, err)
			return nil, exitUsage
		}
	}
	ds := []design{{label: scenarios.Baseline, s: base, overrides: overrideText(sets), file: s, pre: sets}}
	if none {
		return ds, exitOK
	}
	vs, err := s.Variants()
	if err != nil {
		reportLoadError(cmd, s.Source, err)
		return nil, exitUsage
	}
	var known []string
	for _, v := range vs {
		known = append(known, v.Name)
	}
	for _, name := range only {
		if !slices.Contains(known, name) {
			hint := "the scenario has no variants: section"
			if len(known) > 0 {
				hint = "variants: " + strings.Join(known, ", ")
				if d := didYouMean(name, known, ""); d != "" {
					hint = strings.Trim(d, " ()") + " " + hint
				}
			}
			return nil, usageError(cmd, fmt.Sprintf("--variant %s: no such variant (%s)", name, hint))
		}
	}
	for _, v := range vs {
		if len(only) > 0 && !slices.Contains(only, v.Name) {
			continue
		}
		vsc := v.Scenario
		ovs := v.Overrides
		if len(sets) > 0 {
			// --set first, then the variant's own overrides on top.
			if vsc, err = s.Override(append(slices.Clone(sets), v.Overrides...)); err != nil {
				reportLoadError(cmd, s.Source, err)
				return nil, exitUsage
			}
			vsc.Name = s.Name
			ovs = append(slices.Clone(sets), v.Overrides...)
		}
		ds = append(ds, design{label: v.Name, s: vsc, overrides: overrideText(ovs), file: s, pre: append(slices.Clone(sets), v.Overrides...)})
	}
	return ds, exitOK
}

// writeReview runs the designs and writes the report.
func writeReview(cmd string, ds []design, opt runOptions, out string, force bool, stop func() bool, search *breakSearch) int {
	seed, until, err := planRun(ds[0].s, opt.seed, opt.until)
	if err != nil {
		return planError(cmd, err)
	}
	for i, d := range ds {
		// Every design must end in reasonable time, variants included.
		if err := checkBound(d.s, until, 1); err != nil {
			return planError(cmd, err)
		}
		// Every design runs for until; a variant may change warmup:.
		if i > 0 && d.s.Warmup == ds[0].s.Warmup {
			continue
		}
		if _, _, err := planRun(d.s, &seed, &until); err != nil {
			return planError(cmd, err)
		}
		if cmd != "run" { // run has said so already
			warnWarmup(cmd, d.s, until)
		}
	}
	rv, err := reviewOf(ds, seed, until, stop)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade %s: %v\n", cmd, err)
		return exitFailed
	}
	rv.Command = reviewCommand
	if cmd == "run" || len(rv.Command) == 0 {
		// run --report: the same report, by the command that makes only it.
		rv.Command = []string{"cascade", "report", ds[0].file.Source, "--out", out, "--seed", strconv.FormatUint(seed, 10), "--duration", until.Duration().String()}
	}
	reviewCommand = nil
	for _, r := range rv.Runs {
		if r.Meta.Interrupted {
			fmt.Fprintf(os.Stderr, "cascade %s: interrupted; no report written\n", cmd)
			return exitInterrupted
		}
	}
	if search != nil {
		bs, err := search.boundaries(ds, opt, stop)
		switch {
		case errors.Is(err, errInterrupted):
			fmt.Fprintf(os.Stderr, "cascade %s: interrupted; no report written\n", cmd)
			return exitInterrupted
		case err != nil:
			return exitFailed
		}
		rv.Boundaries = bs
	}
	if err := saveReview(out, rv, force); err != nil {
		fmt.Fprintf(os.Stderr, "cascade %s: %v\n", cmd, err)
		return exitFailed
	}
	fmt.Fprintf(os.Stderr, "cascade %s: wrote %s (%s)\n", cmd, out, designSummary(rv))
	return exitOK
}

// designSummary says what a report holds, for the closing line.
func designSummary(rv report.Review) string {
	var parts []string
	for _, r := range rv.Runs {
		n := report.Failed(r.Meta.Expect)
		part := r.Label
		if len(r.Meta.Expect) > 0 {
			part += fmt.Sprintf(": %d of %d expectations hold", len(r.Meta.Expect)-n, len(r.Meta.Expect))
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// reportKind says whether out is an HTML or a Markdown report.
func reportKind(out, flagName string) (string, error) {
	switch strings.ToLower(filepath.Ext(out)) {
	case ".html", ".htm":
		return "html", nil
	case ".md", ".markdown":
		return "md", nil
	}
	return "", fmt.Errorf("%s %s: the report is .html or .md", flagName, out)
}

// chartDirOf is where a Markdown report's charts go: review.md ->
// review-charts beside it.
func chartDirOf(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + "-charts"
}

// checkReportOutput refuses, before anything runs, an output that cannot
// be written or would overwrite a file without --force.
func checkReportOutput(out string, force bool, flagName string) error {
	kind, err := reportKind(out, flagName)
	if err != nil {
		return err
	}
	if err := checkOutput(out); err != nil {
		return fmt.Errorf("%s %s: %v", flagName, out, err)
	}
	if _, err := os.Stat(out); err == nil && !force {
		return fmt.Errorf("%s %s: the file exists; give --force to overwrite it", flagName, out)
	}
	if kind == "md" {
		dir := chartDirOf(out)
		if fi, err := os.Stat(dir); err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s %s: the chart directory %s exists and is not a directory", flagName, out, dir)
			}
			if !force {
				return fmt.Errorf("%s %s: the chart directory %s exists; give --force to write into it", flagName, out, dir)
			}
		}
	}
	return nil
}

// saveReview writes the report (and a Markdown report's charts).
func saveReview(out string, rv report.Review, force bool) error {
	kind, _ := reportKind(out, "--out")
	if kind == "html" {
		return writeAtomically(out, func(w io.Writer) error { return report.HTML(w, rv) })
	}
	dir := chartDirOf(out)
	var files []report.ChartFile
	err := writeAtomically(out, func(w io.Writer) error {
		var err error
		files, err = report.Markdown(w, rv, filepath.ToSlash(filepath.Base(dir)))
		return err
	})
	if err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	for _, f := range files {
		if err := writeAtomically(filepath.Join(dir, f.Name), func(w io.Writer) error { _, err := w.Write(f.SVG); return err }); err != nil {
			return err
		}
	}
	return nil
}

// deref0 is *s, or "" for nil.
func deref0(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// withoutForce drops --force from a command line: it decides whether a file
// may be overwritten, not what the report says, and a report must be the
// same bytes whether or not it replaced an older one.
func withoutForce(args []string) []string {
	var out []string
	for _, a := range args {
		if a == "--force" || a == "-force" || strings.HasPrefix(a, "--force=") || strings.HasPrefix(a, "-force=") {
			continue
		}
		out = append(out, a)
	}
	return out
}

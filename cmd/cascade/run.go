package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"cascade/models"
	"cascade/report"
	"cascade/scenarios"
	"cascade/scenarios/units"
	"cascade/sim"
)

const runHelp = `Usage: cascade run [FILE|NAME|DIR ...] [flags]

Simulates scenarios as fast as the machine allows, prints a summary of what
their workloads saw and where the time went, and checks each scenario's
expect: list. Without arguments it runs the default built-in scenario (see
'cascade list'); a directory stands for every .yaml/.yml file in it, in name
order. Flags may come before or after the scenarios.

Flags:
  --seed N          seed for every random stream (default: the scenario's seed);
                    the same scenario and seed always give the same result
  --duration D      simulated time to run, e.g. 30s, 10m, 2h
                    (default: the scenario's duration)
  --replications N  run N seeds (seed, seed+1, ...) in parallel on all cores;
                    metrics get 95% confidence intervals and expectations
                    apply to the means (default 1)
  --json FILE       also write the result to FILE as JSON (schema
                    cascade.result/v1, docs/json-result.md); one scenario only
  --junit FILE      write expectations as JUnit XML, one test case each
  --report FILE     also write a report, .html or .md, of the scenario and
                    its variants (as 'cascade report' does; one scenario only)
  --force           let --report overwrite existing files, and --json and
                    --junit overwrite files cascade did not write
  --quiet           print neither the progress line nor the summary; failed
                    expectations are still listed on stderr
  --cpuprofile FILE write a CPU profile of the run to FILE (go tool pprof)
  --memprofile FILE write an allocation profile of the run to FILE
  --lesson NAME     play a lesson (built-in name or file; 'cascade lessons')
                    headless: each step's action at the instant the step
                    starts, every step's check evaluated; with --seed,
                    --junit and --quiet only
  --allow-huge      run even when the run is estimated at more than 2e9
                    events (the limit that turns rate: 1e300/s into an error)
  -h, --help        show this help

On a terminal a progress line is shown on stderr (simulated time, speed,
events/s, ETA; runs done with --replications), after the warnings
'cascade validate' gives for the file. Ctrl-C stops the run
cleanly: the summary and JSON of what was simulated so far are still
produced, marked interrupted.

Exit status: 0 every expectation holds; 1 an expectation failed (each is
listed with its measured values) or the run failed; 2 invalid scenario or
usage (problems are printed as file:line:col: path: message); 130
interrupted.

Examples:
  cascade run
  cascade run shop --seed 7 --duration 30s
  cascade run my-system.yaml --json result.json --quiet
  cascade run scenarios/ --junit cascade.xml --replications 5
  cascade run my-system.yaml --report review.html
`

func runCmd(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	addAllowHuge(fs)
	seed := fs.Uint64("seed", 0, "")
	var dur durationFlag
	fs.Var(&dur, "duration", "")
	jsonPath := fs.String("json", "", "")
	junitPath := fs.String("junit", "", "")
	reps := fs.Int("replications", 1, "")
	quiet := fs.Bool("quiet", false, "")
	reportPath := fs.String("report", "", "")
	force := fs.Bool("force", false, "")
	cpuProfile := fs.String("cpuprofile", "", "")
	memProfile := fs.String("memprofile", "", "")
	lesson := fs.String("lesson", "", "")
	pos, status, ok := parseFlags(fs, args, runHelp)
	if !ok {
		return status
	}
	if *lesson != "" {
		if len(pos) > 0 || *reps != 1 || *jsonPath != "" || *reportPath != "" || isSet(fs, "duration") {
			return usageError("run", "--lesson takes no scenario and only --seed, --junit and --quiet (a lesson sets its own timeline)")
		}
		var sd *uint64
		if isSet(fs, "seed") {
			sd = seed
		}
		return runLesson(*lesson, sd, *junitPath, *quiet)
	}
	prof, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		return usageError("run", err.Error())
	}
	defer func() {
		if err := prof.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "cascade run: %v\n", err)
		}
	}()
	if *reps < 1 || *reps > 10000 {
		return usageError("run", fmt.Sprintf("--replications must be between 1 and 10000, got %d", *reps))
	}
	if len(pos) == 0 {
		pos = []string{scenarios.Default}
	}
	files, err := expandScenarioArgs(pos)
	if err != nil {
		return usageError("run", err.Error())
	}
	if *jsonPath != "" && len(files) > 1 {
		return usageError("run", fmt.Sprintf("--json writes one scenario's result; got %d scenarios (use --junit for several)", len(files)))
	}

	if *reportPath != "" {
		if len(files) > 1 {
			return usageError("run", fmt.Sprintf("--report writes one scenario's report; got %d scenarios", len(files)))
		}
		if err := checkReportOutput(*reportPath, *force, "--report"); err != nil {
			return usageError("run", err.Error())
		}
	}

	// Catch Ctrl-C before doing any work, so it can never kill a run that
	// has something to report. The first SIGINT asks the loop to stop at the
	// next slice; after it the default action is restored, so a second
	// Ctrl-C still ends a process that is somehow stuck.
	var interrupted atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	quit := make(chan struct{})
	defer func() {
		signal.Stop(sig)
		close(quit)
	}()
	go func() {
		select {
		case <-sig:
			interrupted.Store(true)
			signal.Stop(sig)
		case <-quit:
		}
	}()

	// Check the output paths before simulating: finding out after a long
	// run that the result cannot be written would waste it.
	for _, out := range []struct{ flag, path string }{{"--json", *jsonPath}, {"--junit", *junitPath}} {
		if out.path == "" {
			continue
		}
		if err := checkOutput(out.path); err != nil {
			return usageError("run", fmt.Sprintf("%s %s: %v", out.flag, out.path, err))
		}
		if !*force && !replaceable(out.path, out.flag) {
			return usageError("run", fmt.Sprintf("%s %s: the file exists and is not a cascade %s; give --force to overwrite it",
				out.flag, out.path, map[string]string{"--json": "result", "--junit": "JUnit report"}[out.flag]))
		}
	}
	// Load everything first: a typo in the last file should not wait for
	// the first one's simulation.
	var loaded []*scenarios.Scenario
	for _, f := range files {
		s, ok := loadScenario("run", f)
		if !ok {
			status = exitUsage
			continue
		}
		loaded = append(loaded, s)
	}
	if status == exitUsage {
		return exitUsage
	}

	opt := runOptions{reps: *reps, quiet: *quiet, stop: interrupted.Load}
	if isSet(fs, "seed") {
		opt.seed = seed
	}
	if dur.set {
		opt.until = &dur.t
	}
	var suites []report.JUnitSuite
	failed := 0
	for i, s := range loaded {
		if len(loaded) > 1 && !*quiet {
			if i > 0 {
				fmt.Println()
			}
			fmt.Printf("=== %s\n", s.Source)
		}
		t0 := time.Now()
		meta, r, st := runScenario(s, opt)
		if st == exitUsage {
			return st
		}
		if st == exitFailed {
			failed++
		}
		suites = append(suites, report.JUnitSuite{Meta: meta, WallSeconds: time.Since(t0).Seconds()})
		if *jsonPath != "" && r != nil {
			if err := writeAtomically(*jsonPath, func(w io.Writer) error { return report.JSON(w, meta, *r) }); err != nil {
				fmt.Fprintf(os.Stderr, "cascade run: writing --json: %v\n", err)
				failed++
			}
		}
		if meta.Interrupted {
			break
		}
	}
	if *reportPath != "" && !interrupted.Load() {
		// The report keeps every series, which the run above did not, so
		// it runs the designs again: same scenario and seed, same numbers.
		ds, st := designsOf("run", loaded[0], nil, nil, false)
		if st != exitOK {
			return st
		}
		if st := writeReview("run", ds, opt, *reportPath, *force, interrupted.Load, nil); st != exitOK {
			if st == exitInterrupted {
				return st
			}
			failed++
		}
	}
	if *junitPath != "" {
		if err := writeAtomically(*junitPath, func(w io.Writer) error { return report.JUnit(w, suites) }); err != nil {
			fmt.Fprintf(os.Stderr, "cascade run: writing --junit: %v\n", err)
			failed++
		}
	}
	if interrupted.Load() {
		return exitInterrupted
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// runOptions are the run command's settings that apply to every scenario.
type runOptions struct {
	seed  *uint64   // nil: the scenario's
	until *sim.Time // nil: the scenario's duration
	reps  int
	quiet bool
	stop  func() bool
}

// runScenario simulates one scenario (reps times), prints its summary and
// verdicts, and returns its meta, the first run's result (nil when it could
// not run) and exitOK, exitFailed (an expectation or the run failed) or
// exitInterrupted / exitUsage.
func runScenario(s *scenarios.Scenario, o runOptions) (report.Meta, *models.Result, int) {
	seed := s.Seed
	if o.seed != nil {
		seed = *o.seed
	}
	until := s.Duration
	if o.until != nil {
		until = *o.until
	}
	meta := report.Meta{Scenario: s.Name, Description: s.Description, Source: s.Source, Version: fullVersion(),
		Seed: seed, Duration: until, Warmup: s.Warmup, Runs: o.reps}
	if until == 0 {
		// A run without an end must end with its workloads; one that never
		// stops sending would spin forever, so refuse it up front.
		for _, w := range s.Topology().Workloads {
			if w.Limit == 0 {
				return meta, nil, usageError("run", fmt.Sprintf("%s has no duration and workload %q never stops; give --duration", s.Source, w.Name))
			}
		}
	}
	if until > 0 && s.Warmup == until {
		// run still runs it (its summary says "measured 0s"); report,
		// sweep and compare, whose tables would just be empty, refuse.
		fmt.Fprintf(os.Stderr, "cascade run: warning: the run (%s) ends exactly when the %s warm-up does, so nothing is measured and every statistic is empty\n", until.Duration(), s.Warmup.Duration())
	}
	if err := checkBound(s, until, o.reps); err != nil {
		reportLoadError("run", s.Source, err)
		return meta, nil, exitUsage
	}
	warnWarmup("run", s, until)
	if !o.quiet && isTerminal(os.Stderr) {
		printWarnings(s) // in a pipe or CI, 'cascade validate' lists them
	}
	var prog *progress
	if !o.quiet && isTerminal(os.Stderr) {
		prog = newProgress(os.Stderr, s.Name, until)
		prog.expect = s.Estimate(until, 1).Events
	}
	seeds := make([]uint64, o.reps)
	for i := range seeds {
		seeds[i] = seed + uint64(i)
	}
	runs, err := replicate(s, seeds, until, o.stop, prog)
	prog.clear()
	if err != nil {
		var problems scenarios.Problems
		if errors.As(err, &problems) {
			// A problem found while running (a rate expression that goes
			// negative) is printed as 'cascade validate' prints problems.
			fmt.Fprintln(os.Stderr, problems.Error())
		} else {
			fmt.Fprintf(os.Stderr, "cascade run: %s: %v\n", s.Source, err)
		}
		return meta, nil, exitFailed
	}
	first := runs[0]
	meta.Events, meta.Interrupted = first.events, first.stopped
	results := make([]models.Result, len(runs))
	for i, r := range runs {
		results[i] = r.result
		meta.Interrupted = meta.Interrupted || r.stopped
	}
	if len(runs) > 1 {
		meta.Replications = report.Replicate(results, seeds)
	}
	meta.Expect = s.Evaluate(results)
	if !o.quiet {
		report.Summary(os.Stdout, meta, first.result)
	} else {
		report.Failures(os.Stderr, s.Source, meta.Expect)
	}
	if meta.Interrupted {
		fmt.Fprintf(os.Stderr, "cascade run: interrupted at %s of simulated time\n", first.result.Now.Duration().Round(time.Millisecond))
		return meta, &first.result, exitInterrupted
	}
	if n := report.Failed(meta.Expect); n > 0 {
		fmt.Fprintf(os.Stderr, "cascade run: %s: %d of %d expectations failed\n", s.Source, n, len(meta.Expect))
		return meta, &first.result, exitFailed
	}
	return meta, &first.result, exitOK
}

// durationFlag is a --duration value in the scenario files' notation.
type durationFlag struct {
	t   sim.Time
	set bool
}

func (d *durationFlag) String() string { return d.t.String() }

func (d *durationFlag) Set(s string) error {
	t, err := units.ParseDuration(s)
	if err != nil {
		return err
	}
	if t <= 0 {
		return fmt.Errorf("must be > 0, got %s", s)
	}
	d.t, d.set = t, true
	return nil
}

// checkOutput refuses a path that cannot take a file: an existing
// directory, or one whose parent directory is missing. Parent directories
// are not created: a typo in a path should be an error, not a new tree.
func checkOutput(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("is a directory")
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("directory %s does not exist", dir)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// replaceable reports whether run may write path without --force: it does
// not exist, or it is an earlier result of cascade's own (so a CI loop or a
// developer re-running the same command is not stopped, while a file of
// the user's that happens to have the name is kept).
func replaceable(path, flag string) bool {
	f, err := os.Open(path)
	if err != nil {
		return os.IsNotExist(err)
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	text := string(head[:n])
	if flag == "--json" {
		return strings.HasPrefix(strings.TrimSpace(text), "{") && strings.Contains(text, `"schema": "cascade.`)
	}
	text = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), xml.Header[:len(xml.Header)-1]))
	return strings.HasPrefix(text, "<testsuites>") && (strings.Contains(text, `classname="cascade.`) || strings.HasPrefix(text, "<testsuites></testsuites>"))
}

// writeAtomically writes what write produces next to path and renames it
// into place, so a reader (a CI step, a file watcher) never sees half a
// document.
func writeAtomically(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	if err := checkOutput(path); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".cascade-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"time"

	"cascade/models"
	"cascade/report"
	"cascade/scenarios"
	"cascade/scenarios/units"
	"cascade/sim"
)

const runHelp = `Usage: cascade run [FILE|NAME] [flags]

Simulates a scenario as fast as the machine allows and prints a summary of
what its workloads saw and where the time went. Without FILE|NAME it runs
the default built-in scenario (see 'cascade list'). Flags may come before
or after the scenario.

Flags:
  --seed N        seed for every random stream (default: the scenario's seed);
                  the same scenario and seed always give the same result
  --duration D    simulated time to run, e.g. 30s, 10m, 2h
                  (default: the scenario's duration)
  --json FILE     also write the result to FILE as JSON (schema
                  cascade.result/v1, documented in docs/json-result.md)
  --quiet         print neither the progress line nor the summary
  -h, --help      show this help

On a terminal a progress line is shown on stderr. Ctrl-C stops the run
cleanly: the summary and JSON of what was simulated so far are still
produced, marked interrupted.

Exit status: 0 done; 1 the run failed; 2 invalid scenario or usage
(problems are printed as file:line:col: path: message); 130 interrupted.

Examples:
  cascade run
  cascade run shop --seed 7 --duration 30s
  cascade run my-system.yaml --json result.json --quiet
`

func runCmd(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	seed := fs.Uint64("seed", 0, "")
	var dur durationFlag
	fs.Var(&dur, "duration", "")
	jsonPath := fs.String("json", "", "")
	quiet := fs.Bool("quiet", false, "")
	pos, status, ok := parseFlags(fs, args, runHelp)
	if !ok {
		return status
	}
	if len(pos) > 1 {
		return usageError("run", fmt.Sprintf("one scenario at a time, got %d", len(pos)))
	}
	arg := scenarios.Default
	if len(pos) == 1 {
		arg = pos[0]
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

	// Check the output path before simulating: finding out after a long
	// run that the result cannot be written would waste it.
	if *jsonPath != "" {
		if err := checkOutput(*jsonPath); err != nil {
			return usageError("run", fmt.Sprintf("--json %s: %v", *jsonPath, err))
		}
	}
	s, ok := loadScenario("run", arg)
	if !ok {
		return exitUsage
	}
	if !isSet(fs, "seed") {
		*seed = s.Seed
	}
	until := s.Duration
	if dur.set {
		until = dur.t
	}
	topo := s.Topology()
	if until == 0 {
		// A run without an end must end with its workloads; one that never
		// stops sending would spin forever, so refuse it up front.
		for _, w := range topo.Workloads {
			if w.Limit == 0 {
				return usageError("run", fmt.Sprintf("%s has no duration and workload %q never stops; give --duration", s.Source, w.Name))
			}
		}
	}
	if until > 0 && s.Warmup >= until {
		fmt.Fprintf(os.Stderr, "cascade run: warning: the run (%s) ends before the %s warm-up does; statistics include the warm-up\n", until.Duration(), s.Warmup.Duration())
	}

	eng := sim.NewEngine(*seed)
	m, err := models.New(eng, topo, models.Options{Until: until, Warmup: s.Warmup})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade run: %s: %v\n", s.Source, err)
		return exitFailed
	}
	m.Start()
	var prog *progress
	if !*quiet && isTerminal(os.Stderr) {
		prog = newProgress(os.Stderr, s.Name, until)
	}
	stopped := drive(m, interrupted.Load, prog.update)
	prog.clear()

	meta := report.Meta{
		Scenario:    s.Name,
		Description: s.Description,
		Source:      s.Source,
		Version:     fullVersion(),
		Seed:        *seed,
		Duration:    until,
		Warmup:      s.Warmup,
		Events:      eng.Fired(),
		Interrupted: stopped,
	}
	r := m.Result(false)
	if !*quiet {
		report.Summary(os.Stdout, meta, r)
	}
	status = exitOK
	if *jsonPath != "" {
		if err := writeJSON(*jsonPath, meta, r); err != nil {
			fmt.Fprintf(os.Stderr, "cascade run: writing --json: %v\n", err)
			status = exitFailed
		}
	}
	if stopped {
		fmt.Fprintf(os.Stderr, "cascade run: interrupted at %s of simulated time\n", m.Engine().Now().Duration().Round(time.Millisecond))
		return exitInterrupted
	}
	return status
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

// writeJSON writes the result next to path and renames it into place, so a
// reader (a CI step, a file watcher) never sees half a document.
func writeJSON(path string, meta report.Meta, r models.Result) error {
	var buf bytes.Buffer
	if err := report.JSON(&buf, meta, r); err != nil {
		return err
	}
	if err := checkOutput(path); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".cascade-*.json.tmp")
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

package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cascade/report"
	"cascade/scenarios"
)

const compareHelp = `Usage: cascade compare A B [--out REPORT] [flags]

Runs two scenario files (or built-in names) with the same seed and shows
them side by side: deltas of B against A in goodput, p99, error rate, SLO
budget burned and cost drivers (instances x workers). Every component
draws from its own named random stream, so components the two files have
in common see the same draws (common random numbers): the differences come
from the design, not the dice.

Without --out the side-by-side table is printed; with --out it is a full
report, as 'cascade report' writes, with both designs' charts overlaid.

Flags:
  --out FILE      write an .html or .md report instead of printing a table
  --seed N        seed for both (default: A's seed)
  --duration D    simulated time (default: A's duration)
  --force         overwrite the report and its chart files
  --allow-huge    run even when the run is estimated at more than 2e9
                  events (the limit that turns rate: 1e300/s into an error)
  -h, --help      show this help

Exit status: 0 compared; 1 a run or writing failed; 2 invalid scenario or
usage; 130 interrupted.

Examples:
  cascade compare current.yaml proposed.yaml
  cascade compare current.yaml proposed.yaml --out review.html
`

func compareCmd(args []string) int {
	reviewCommand = append([]string{"cascade", "compare"}, withoutForce(args)...)
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	addAllowHuge(fs)
	out := fs.String("out", "", "")
	seed := fs.Uint64("seed", 0, "")
	var dur durationFlag
	fs.Var(&dur, "duration", "")
	force := fs.Bool("force", false, "")
	pos, status, ok := parseFlags(fs, args, compareHelp)
	if !ok {
		return status
	}
	if len(pos) != 2 {
		return usageError("compare", fmt.Sprintf("want two scenarios, A and B; got %d", len(pos)))
	}
	if *out != "" {
		if err := checkReportOutput(*out, *force, "--out"); err != nil {
			return planError("compare", err)
		}
	}
	var ss []*scenarios.Scenario
	for _, p := range pos {
		s, ok := loadScenario("compare", p)
		if !ok {
			status = exitUsage
			continue
		}
		ss = append(ss, s)
	}
	if status == exitUsage {
		return exitUsage
	}
	la, lb := compareLabels(pos[0], pos[1])
	ds := []design{{label: la, s: ss[0]}, {label: lb, s: ss[1]}}
	opt := runOptions{}
	if isSet(fs, "seed") {
		opt.seed = seed
	} else {
		opt.seed = &ss[0].Seed
	}
	if dur.set {
		opt.until = &dur.t
	} else if ss[0].Duration != ss[1].Duration {
		opt.until = &ss[0].Duration
		fmt.Fprintf(os.Stderr, "cascade compare: the files' durations differ; both run for A's %s (give --duration to choose)\n", ss[0].Duration.Duration())
	}
	for i, s := range ss {
		_, u, err := planRun(s, opt.seed, opt.until)
		if err != nil {
			return planError("compare", err)
		}
		if *out == "" && (i == 0 || s.Warmup != ss[0].Warmup) {
			warnWarmup("compare", s, u) // writeReview warns otherwise
		}
	}
	stop, cleanup := interruptible()
	defer cleanup()
	if *out != "" {
		return writeReview("compare", ds, opt, *out, *force, stop, nil)
	}
	sd, until, err := planRun(ss[0], opt.seed, opt.until)
	if err != nil {
		return planError("compare", err)
	}
	rv, err := reviewOf(ds, sd, until, stop)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade compare: %v\n", err)
		return exitFailed
	}
	for _, r := range rv.Runs {
		if r.Meta.Interrupted {
			return exitInterrupted
		}
	}
	report.CompareTable(os.Stdout, rv)
	return exitOK
}

// compareLabels names the two designs after their files, telling apart two
// files of the same name by their directories.
func compareLabels(a, b string) (string, string) {
	na, nb := labelOf(a), labelOf(b)
	if na != nb {
		return na, nb
	}
	if a != b {
		return a, b
	}
	return "A", "B"
}

func labelOf(p string) string {
	base := filepath.Base(strings.TrimPrefix(p, "builtin:"))
	return base[:len(base)-len(filepath.Ext(base))]
}

package main

import (
	"flag"
	"fmt"
	"os"

	"cascade/report"
	"cascade/scenarios/selftest"
)

const selftestHelp = `Usage: cascade selftest [flags]

Checks the simulator against exact queueing theory: runs the built-in
theory-* scenarios (M/M/1, M/M/c, M/D/1, M/G/1, M/M/c/c, M/M/1/K) with
several independent seeds in parallel, and compares each simulated mean
with the value theory predicts, within a 99.9% confidence interval. It
also checks Little's law on every replication. Seeds are fixed, so the
result is the same on every machine.

Flags:
  --replications N   independent runs per model, at least 2 (default 10);
                     more narrows the intervals and takes longer
  --seed N           seed of the first replication; the others use the
                     following seeds (default 1)
  -h, --help         show this help

Exit status: 0 when every row passes, 1 when any fails, 2 on bad usage.

Examples:
  cascade selftest
  cascade selftest --replications 30
`

func selftestCmd(args []string) int {
	fs := flag.NewFlagSet("selftest", flag.ContinueOnError)
	reps := fs.Int("replications", 10, "")
	seed := fs.Uint64("seed", 1, "")
	pos, status, ok := parseFlags(fs, args, selftestHelp)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		return usageError("selftest", "takes no arguments")
	}
	if *reps < 2 {
		return usageError("selftest", fmt.Sprintf("--replications must be at least 2 for a confidence interval, got %d", *reps))
	}
	var prog *progress
	if isTerminal(os.Stderr) {
		prog = newProgress(os.Stderr, "selftest", 0)
	}
	rows, err := selftest.Run(selftest.Options{Replications: *reps, Seed: *seed}, func(done, total int) {
		prog.count(done, total, "replications")
	})
	prog.clear()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade selftest: %v\n", err)
		return exitFailed
	}
	report.SelftestTable(os.Stdout, rows)
	for _, r := range rows {
		if !r.Pass {
			return exitFailed
		}
	}
	return exitOK
}

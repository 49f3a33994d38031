package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"cascade/scenarios"
	"cascade/sim"
)

// loadScenario loads a file or built-in scenario and, on failure, prints
// why in the user's terms and returns false. Problems in the file are
// printed exactly as scenarios.Problems formats them — one per line,
// file:line:col first — so editors and CI annotate the right spot.
func loadScenario(cmd, arg string) (*scenarios.Scenario, bool) {
	s, err := scenarios.Load(arg)
	if err == nil {
		return s, true
	}
	reportLoadError(cmd, arg, err)
	return nil, false
}

// reportLoadError prints a loading error to stderr.
func reportLoadError(cmd, arg string, err error) {
	var problems scenarios.Problems
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &problems):
		fmt.Fprintln(os.Stderr, problems.Error())
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(os.Stderr, "cascade %s: %s: no such file (run 'cascade list' for the built-in scenarios)\n", cmd, arg)
	case errors.As(err, &pathErr):
		fmt.Fprintf(os.Stderr, "cascade %s: %s: %v\n", cmd, arg, pathErr.Err)
	default:
		fmt.Fprintf(os.Stderr, "cascade %s: %v\n", cmd, err)
	}
}

// allowHuge is --allow-huge: run scenarios whose estimated events pass
// scenarios.EventLimit. Every command that runs scenarios takes it.
var allowHuge bool

// addAllowHuge registers --allow-huge on fs.
func addAllowHuge(set *flag.FlagSet) {
	set.BoolVar(&allowHuge, "allow-huge", false, "")
}

// checkBound is nil, or the problem of a run of s to until with reps
// replications estimated above the event limit (see
// scenarios.Scenario.CheckBound), unless --allow-huge was given.
func checkBound(s *scenarios.Scenario, until sim.Time, reps int) error {
	if allowHuge {
		return nil
	}
	return s.CheckBound(until, reps)
}

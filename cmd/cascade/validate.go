package main

import (
	"flag"
	"fmt"
	"os"

	"cascade/scenarios"
)

const validateHelp = `Usage: cascade validate FILE...

Checks scenario files without running them. Every problem in every file is
printed to stderr, one per line, as file:line:col: path: message (hint);
each valid file gets "FILE: ok" on stdout. Built-in scenario names are
accepted too.

Values that load but are probably wrong are printed to stderr as warnings,
file:line:col: warning: path: message (hint), and do not change the exit
status: an objective written as a bare fraction (0.999 is read as 99.9%),
a timeout or deadline longer than the run, a service offered more work at
t=0 than its workers can do, and every call path from a workload on which
nothing has a timeout.

A file whose run (or a variant's) is estimated at more than 2e9 events is
refused at the rate, users or spike that contributes most, with the
estimate; docs/scenario-format.md#event-limit says how it is counted.

Flags:
  --allow-huge  accept files estimated above the event limit
  -h, --help    show this help

Exit status: 0 when every file is valid (warnings or not), 2 when any is
not.

Examples:
  cascade validate my-system.yaml
  cascade validate scenarios/*.yaml
`

func validateCmd(args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	addAllowHuge(fs)
	files, status, ok := parseFlags(fs, args, validateHelp)
	if !ok {
		return status
	}
	if len(files) == 0 {
		return usageError("validate", "no scenario file given")
	}
	status = exitOK
	for _, f := range files {
		s, ok := loadScenario("validate", f)
		if !ok {
			status = exitUsage
			continue
		}
		// Variants are the file with overrides applied: each must load too.
		vs, err := s.Variants()
		if err != nil {
			reportLoadError("validate", f, err)
			status = exitUsage
			continue
		}
		// And each must end in reasonable time (the event limit).
		bounded := true
		for _, sc := range append([]*scenarios.Scenario{s}, variantScenarios(vs)...) {
			if err := checkBound(sc, sc.Duration, 1); err != nil {
				reportLoadError("validate", f, err)
				bounded = false
				break
			}
		}
		if !bounded {
			status = exitUsage
			continue
		}
		printWarnings(s)
		fmt.Fprintf(os.Stdout, "%s: ok\n", f)
	}
	return status
}

// variantScenarios are the variants' scenarios.
func variantScenarios(vs []scenarios.Variant) []*scenarios.Scenario {
	out := make([]*scenarios.Scenario, len(vs))
	for i, v := range vs {
		out[i] = v.Scenario
	}
	return out
}

package main

import (
	"flag"
	"fmt"
	"os"
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

Exit status: 0 when every file is valid (warnings or not), 2 when any is
not.

Examples:
  cascade validate my-system.yaml
  cascade validate scenarios/*.yaml
`

func validateCmd(args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
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
		if _, err := s.Variants(); err != nil {
			reportLoadError("validate", f, err)
			status = exitUsage
			continue
		}
		printWarnings(s)
		fmt.Fprintf(os.Stdout, "%s: ok\n", f)
	}
	return status
}

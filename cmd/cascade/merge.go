package main

import (
	"flag"
	"fmt"
	"os"

	"cascade/report"
)

const mergeHelp = `Usage: cascade merge SHARD.json... [--json FILE] [--csv FILE] [--out DIR] [--force]

Combines the --json outputs of a sharded sweep ('cascade sweep --shard I/N')
into the result of the whole grid: the same table, JSON, CSV and charts an
unsharded run writes, byte for byte. The shards must come from the same
sweep (scenario file, seed, replications, duration, parameters, cascade
version) and hold every point exactly once; otherwise nothing is written
and the problem is named.

Flags:
  --json FILE   write the merged sweep as JSON
  --csv FILE    write it as CSV
  --out DIR     write sweep.json, sweep.csv, charts and index.html into DIR
  --force       overwrite existing files (refused otherwise)
  -h, --help    show this help

Exit status: 0 merged; 1 writing failed; 2 the shards do not fit together
or usage.

Example:
  cascade merge part1.json part2.json part3.json part4.json --out sweep/
`

func mergeCmd(args []string) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	jsonPath := fs.String("json", "", "")
	csvPath := fs.String("csv", "", "")
	outDir := fs.String("out", "", "")
	force := fs.Bool("force", false, "")
	files, status, ok := parseFlags(fs, args, mergeHelp)
	if !ok {
		return status
	}
	if len(files) == 0 {
		return usageError("merge", "no shard files given")
	}
	if err := checkSweepOutputs(*jsonPath, *csvPath, *outDir, *force); err != nil {
		return usageError("merge", err.Error())
	}
	var parts []report.Sweep
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade merge: %v\n", err)
			return exitUsage
		}
		sw, err := report.ReadSweep(fh)
		fh.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade merge: %s: not a sweep result: %v\n", f, err)
			return exitUsage
		}
		parts = append(parts, sw)
	}
	merged, err := report.MergeSweeps(parts, files)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade merge: %v\n", err)
		return exitUsage
	}
	report.SweepTable(os.Stdout, merged)
	return writeSweep("merge", merged, *jsonPath, *csvPath, *outDir)
}

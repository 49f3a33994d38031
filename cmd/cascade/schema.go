package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"cascade/scenarios"
)

const schemaHelp = `Usage: cascade schema [--out FILE [--force]]

Prints the JSON Schema of the scenario format (draft 2020-12), generated
from the loader's own field tables, so it always matches this binary. With
it an editor completes keys, shows what each one means and flags misspelt
ones as you type. Put this first line in a scenario file:

  # yaml-language-server: $schema=./cascade.schema.json

VS Code (with the YAML extension) and Neovim (with yaml-language-server)
read it. The schema checks shape only; 'cascade validate' remains the judge
of values, references and units.

Flags:
  --out FILE        write to FILE instead of stdout; an existing FILE is
                    kept unless --force is given
  --force           let --out replace an existing file
  -h, --help        show this help

Examples:
  cascade schema > cascade.schema.json
  cascade schema -o cascade.schema.json --force
`

func schemaCmd(args []string) int {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	out := fs.String("out", "", "")
	force := fs.Bool("force", false, "")
	pos, status, ok := parseFlags(fs, args, schemaHelp)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		return usageError("schema", "takes no arguments; use --out FILE to write a file")
	}
	data, err := scenarios.Schema()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade schema: %v\n", err)
		return exitInternal
	}
	switch {
	case *out == "":
		os.Stdout.Write(data)
		return exitOK
	case *force:
		err = os.WriteFile(*out, data, 0o644)
	default:
		err = writeNew(*out, data)
	}
	if errors.Is(err, os.ErrExist) {
		fmt.Fprintf(os.Stderr, "cascade schema: %v (give --force to replace it)\n", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade schema: %v\n", err)
		return exitFailed
	}
	return exitOK
}

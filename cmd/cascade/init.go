package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cascade/scenarios"
)

const initHelp = `Usage: cascade init [NAME] [--from BUILTIN]

Writes a small commented scenario to start from: a gateway, a service and a
database, one workload, an SLO, one fault and one expectation. It passes
'cascade validate' and 'cascade run' as written. NAME is the file to write
(default scenario.yaml; .yaml is added when NAME has no extension).

The file starts with a yaml-language-server header naming
cascade.schema.json, which init also writes beside it unless that file
exists, so VS Code (YAML extension) and Neovim (yaml-language-server)
complete and check fields as you type. Nothing is ever overwritten: init
stops with exit status 2 if NAME exists.

Flags:
  --from BUILTIN    copy a built-in scenario (see 'cascade list') instead
  -h, --help        show this help

Examples:
  cascade init
  cascade init checkout
  cascade init --from retry-storm my-retries.yaml
`

//go:embed initdata/starter.yaml
var starterScenario string

// schemaHeader is the first line of a file init writes: the comment the
// YAML language server reads to find the schema.
const schemaHeader = "# yaml-language-server: $schema=./" + schemaFileName + "\n"

const schemaFileName = "cascade.schema.json"

func initCmd(args []string) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	from := fs.String("from", "", "")
	pos, status, ok := parseFlags(fs, args, initHelp)
	if !ok {
		return status
	}
	if len(pos) > 1 {
		return usageError("init", "takes at most one file name")
	}
	path := "scenario.yaml"
	if len(pos) == 1 {
		path = pos[0]
	}
	if filepath.Ext(path) == "" {
		path += ".yaml"
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	data := strings.Replace(starterScenario, "{{NAME}}", name, 1)
	if *from != "" {
		b, ok := scenarios.Builtin(*from)
		if !ok {
			var names []string
			for _, e := range scenarios.Library() {
				names = append(names, e.Name)
			}
			return usageError("init", fmt.Sprintf("no built-in scenario %q%s", *from, didYouMean(*from, names, "")))
		}
		data = schemaHeader + string(b)
	}
	if err := writeNew(path, []byte(data)); err != nil {
		fmt.Fprintf(os.Stderr, "cascade init: %v\n", err)
		return exitUsage
	}
	fmt.Printf("wrote %s\n", path)
	schemaPath := filepath.Join(filepath.Dir(path), schemaFileName)
	schema, err := scenarios.Schema()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade init: %v\n", err)
		return exitInternal
	}
	switch err := writeNew(schemaPath, schema); {
	case err == nil:
		fmt.Printf("wrote %s (the schema editors use to complete fields)\n", schemaPath)
	case errors.Is(err, os.ErrExist):
		// Kept as it is: it may be the user's, or an older cascade's.
		fmt.Printf("kept %s (run 'cascade schema -o %s --force' to update it)\n", schemaPath, schemaPath)
	default:
		fmt.Fprintf(os.Stderr, "cascade init: %v\n", err)
		return exitFailed
	}
	fmt.Printf("next: cascade validate %s && cascade run %s\n", path, path)
	return exitOK
}

// writeNew creates path with data, failing rather than replacing a file
// that exists (O_EXCL: also when one appears between a check and the write).
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; not overwriting it: %w", path, os.ErrExist)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

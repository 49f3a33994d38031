// Command cascade simulates a backend system described in a YAML scenario,
// request by request, in simulated time.
//
// This package is wiring only: flags, exit codes, terminal niceties. The
// simulation lives in models and sim, the file format in scenarios, and all
// rendering in report, so everything here is about talking to a user.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// version is the release this binary claims to be; release builds set it
// with -ldflags "-X main.version=1.2.3". It goes into `cascade version` and
// into every JSON result, so results can be traced back to the code.
var version = "0.1.0-dev"

// Exit statuses. Scripts and CI branch on them, so they are part of the
// interface: 2 means "fix your input", 1 "the run itself failed" (and, later,
// "expectations failed"), 3 "our bug", 130 the shell's convention for a
// process stopped by SIGINT.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInternal    = 3
	exitInterrupted = 130
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string) int
}

// commands lists the subcommands in the order `cascade help` shows them.
// It is built in init because help refers back to it.
var commands []command

func init() {
	commands = []command{
		{"tui", "open a scenario live in the terminal UI", tuiCmd},
		{"run", "simulate a scenario headless and print a summary", runCmd},
		{"report", "write an HTML or Markdown report of a scenario and its variants", reportCmd},
		{"compare", "run two scenario files with one seed and compare them", compareCmd},
		{"sweep", "run a grid of parameter values, or find a breaking point", sweepCmd},
		{"merge", "combine the shards of a sweep into one result", mergeCmd},
		{"validate", "check scenario files and print every problem", validateCmd},
		{"list", "list the built-in scenarios", listCmd},
		{"lessons", "list the built-in lessons (guided training sessions)", lessonsCmd},
		{"selftest", "check the simulator against queueing theory", selftestCmd},
		{"init", "write a commented starter scenario, or copy a built-in to edit", initCmd},
		{"schema", "print the JSON Schema of scenario files, for editors", schemaCmd},
		{"completion", "print a shell completion script (bash, zsh, fish)", completionCmd},
		{"version", "print the version", versionCmd},
		{"help", "show help for cascade or one of its commands", helpCmd},
	}
}

func main() {
	os.Exit(cli(os.Args[1:]))
}

// cli dispatches to a subcommand and returns the exit status. The deferred
// recover is a last line of defence, not error handling: code must not
// panic, but if it does a user should see one line asking for a report
// rather than a stack trace (CASCADE_DEBUG=1 shows the trace).
func cli(args []string) (status int) {
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("CASCADE_DEBUG") == "1" {
				fmt.Fprintf(os.Stderr, "panic: %v\n\n%s", r, debug.Stack())
			}
			msg := strings.ReplaceAll(fmt.Sprint(r), "\n", " ")
			fmt.Fprintf(os.Stderr, "cascade: internal error: %s; please report it (CASCADE_DEBUG=1 shows details)\n", msg)
			status = exitInternal
		}
	}()
	if len(args) == 0 {
		// On a terminal, a picker of the built-in scenarios; anywhere else
		// (a pipe, CI) the help, as before.
		if isTerminal(os.Stdout) && isTerminal(os.Stdin) {
			return pickCmd()
		}
		usage(os.Stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(os.Stdout)
		return exitOK
	case "-v", "-version", "--version":
		return versionCmd(nil)
	case "__complete": // hidden: what the completion scripts ask
		return completeCmd(args[1:])
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(args[1:])
		}
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	what := "unknown command"
	if strings.HasPrefix(name, "-") {
		what = "unknown flag"
	}
	fmt.Fprintf(os.Stderr, "cascade: %s %q%s; run 'cascade help' for the list\n", what, name, didYouMean(strings.TrimLeft(name, "-"), names, ""))
	return exitUsage
}

// usage prints the top-level help.
func usage(w io.Writer) {
	fmt.Fprint(w, `cascade simulates a backend system described in a YAML scenario, request by
request, in simulated time.

Usage:
  cascade <command> [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
A scenario is a YAML file or the name of a built-in scenario (cascade list).

Examples:
  cascade                           pick a built-in scenario and open it live
  cascade tui                       open the default scenario live
  cascade run                       run the default scenario
  cascade run shop --seed 7 --json result.json
  cascade validate my-system.yaml
  cascade init my-system            write a starter scenario to edit

Run 'cascade help <command>' or 'cascade <command> --help' for details.
`)
}

// helpCmd shows the top-level help, or a command's.
func helpCmd(args []string) int {
	if len(args) == 0 {
		usage(os.Stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] && c.name != "help" {
			return c.run([]string{"--help"})
		}
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(os.Stdout)
		return exitOK
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	fmt.Fprintf(os.Stderr, "cascade help: unknown command %q%s\n", args[0], didYouMean(args[0], names, ""))
	return exitUsage
}

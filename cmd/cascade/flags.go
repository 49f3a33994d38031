package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// parseFlags parses a subcommand's arguments. People type flags after the
// scenario as often as before it (`cascade run shop --seed 7`), but the flag
// package stops at the first non-flag, so parsing resumes after each
// positional argument; "--" still ends the flags. help is printed to stdout
// for -h/--help. The returned status is meaningful only when ok is false:
// 0 after help, 2 after a bad flag, which is reported on one line with a
// did-you-mean hint instead of the flag package's full usage dump.
func parseFlags(fs *flag.FlagSet, args []string, help string) (pos []string, status int, ok bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	help += addShortFlags(fs)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Print(help)
				return nil, exitOK, false
			}
			fmt.Fprintf(os.Stderr, "cascade %s: %s; see 'cascade %s --help'\n", fs.Name(), flagError(fs, err), fs.Name())
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, exitOK, true
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), exitOK, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagError rewrites the flag package's messages in the --name spelling the
// help text uses, adding a suggestion for a misspelt flag.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		return "unknown flag --" + name + didYouMean(name, names, "--")
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + name + " needs a value"
	}
	msg = flagName.ReplaceAllString(msg, "for --$1")
	if strings.HasPrefix(msg, "invalid boolean value") {
		return strings.Replace(msg, ": parse error", ": want true or false", 1)
	}
	return strings.Replace(msg, ": parse error", ": want a whole number", 1)
}

// flagName matches how the flag package names a flag in its messages.
var flagName = regexp.MustCompile(`for (?:flag )?-([\w-]+)`)

// isSet reports whether the flag name was given on the command line, so an
// explicit "--seed 0" can be told apart from no --seed at all.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || longName(f.Name) == name })
	return set
}

// usageError reports a wrong use of a command on one line and returns the
// usage exit status.
func usageError(cmd, msg string) int {
	fmt.Fprintf(os.Stderr, "cascade %s: %s; see 'cascade %s --help'\n", cmd, msg, cmd)
	return exitUsage
}

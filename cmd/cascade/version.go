package main

import (
	"flag"
	"fmt"
	"runtime/debug"
)

const versionHelp = `Usage: cascade version

Prints the version of this binary: the release number, and the commit it
was built from when the build recorded one. The same string is written
into every JSON result ("version").

Example:
  cascade version
`

func versionCmd(args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	pos, status, ok := parseFlags(fs, args, versionHelp)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		return usageError("version", "takes no arguments")
	}
	fmt.Println("cascade " + fullVersion())
	return exitOK
}

// fullVersion is the release number plus, when the Go toolchain stamped the
// binary with version-control information, the commit and whether the tree
// had uncommitted changes: "0.1.0-dev (d2c640d1a2b3, modified)".
func fullVersion() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	var rev string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += ", modified"
	}
	return v + " (" + rev + ")"
}

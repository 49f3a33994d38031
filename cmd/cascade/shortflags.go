package main

import (
	"flag"
	"fmt"
	"strings"
)

// shortFlags are the one-letter forms of the common flags, as Go users know
// them from other tools. They are added to a command's flag set only when
// it defines the long flag, so each letter means the same thing in every
// command, and a command without --out has no -o.
var shortFlags = []struct{ short, long string }{
	{"q", "quiet"},
	{"o", "out"},
	{"s", "seed"},
	{"d", "duration"},
	{"f", "force"},
	{"r", "replications"},
}

// addShortFlags registers the short forms fs has long flags for, sharing
// the long flag's value (so a bool stays a bool), and returns the help line
// that lists them, "" when there are none.
func addShortFlags(fs *flag.FlagSet) string {
	var forms []string
	for _, sf := range shortFlags {
		f := fs.Lookup(sf.long)
		if f == nil || fs.Lookup(sf.short) != nil {
			continue
		}
		fs.Var(f.Value, sf.short, f.Usage)
		forms = append(forms, fmt.Sprintf("-%s for --%s", sf.short, sf.long))
	}
	if len(forms) == 0 {
		return ""
	}
	return "\nShort forms: " + strings.Join(forms, ", ") + ".\n"
}

// longName is the long flag a short form stands for, or name itself.
func longName(name string) string {
	for _, sf := range shortFlags {
		if sf.short == name {
			return sf.long
		}
	}
	return name
}

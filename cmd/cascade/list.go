package main

import (
	"flag"
	"fmt"
	"strings"
	"unicode/utf8"

	"cascade/scenarios"
)

const listHelp = `Usage: cascade list

Lists the scenarios built into cascade, sorted by name, with a one-line
description; "(default)" marks the one 'cascade run' uses without a
scenario. Any name listed can be given wherever a scenario file can.

Examples:
  cascade list
  cascade run shop
`

func listCmd(args []string) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	pos, status, ok := parseFlags(fs, args, listHelp)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		return usageError("list", "takes no arguments")
	}
	entries := scenarios.Library() // already sorted by name
	label := func(e scenarios.Entry) string {
		if e.Name == scenarios.Default {
			return e.Name + " (default)"
		}
		return e.Name
	}
	width := 0
	for _, e := range entries {
		width = max(width, utf8.RuneCountInString(label(e)))
	}
	for _, e := range entries {
		fmt.Println(strings.TrimRight(fmt.Sprintf("%-*s  %s", width, label(e), firstSentence(e.Description)), " "))
	}
	return exitOK
}

// firstSentence keeps a listing to one line per scenario: library
// descriptions often go on to derive their expected numbers, which belongs
// in the file, not in a list. A sentence ends at ". " — a period inside a
// number ("0.8") or an abbreviation like "e.g." or "sec." followed by a
// lower-case word or digit does not end it.
func firstSentence(s string) string {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '.' || s[i+1] != ' ' {
			continue
		}
		next := s[i+2]
		if 'a' <= next && next <= 'z' || '0' <= next && next <= '9' {
			continue
		}
		return s[:i+1]
	}
	return s
}

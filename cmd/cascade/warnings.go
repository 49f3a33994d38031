package main

import (
	"fmt"
	"os"

	"cascade/scenarios"
)

// printWarnings prints a scenario's probably-wrong values to stderr, one a
// line, positioned like problems so editors and terminals can jump to them.
func printWarnings(s *scenarios.Scenario) {
	for _, w := range s.Warnings() {
		fmt.Fprintln(os.Stderr, w)
	}
}

// Package report renders simulation results for people and programs: a
// fixed-width text summary, a versioned JSON document, and the self-test
// table. Every renderer is a pure function of its inputs — no wall clock, no
// map iteration — so one scenario and seed always print the same bytes,
// which is what lets CI diff results and golden tests pin the format.
package report

import (
	"cascade/scenarios"
	"cascade/sim"
)

// Meta describes the run a models.Result came from: what the result itself
// cannot know (which scenario, which seed, how it was stopped). The measured
// span and the time reached are not repeated here; they come from the
// Result, so the two can never disagree.
type Meta struct {
	Scenario    string // scenario name
	Description string // one line from the scenario file
	Source      string // where it was loaded from: a file path, or "builtin:NAME"
	Version     string // cascade version that ran it, e.g. "0.1.0-dev (abc1234)"
	Seed        uint64
	Duration    sim.Time // planned end of the run; 0 = when every workload has finished
	Warmup      sim.Time // statistics before this were discarded
	Events      uint64   // events the engine fired
	Interrupted bool     // stopped early (Ctrl-C): the numbers cover only what ran
	// Expect holds the verdicts of the scenario's expectations (nil when it
	// has none).
	Expect []scenarios.Verdict
	// Runs is the number of replications behind Expect (0 or 1: one run).
	Runs int
	// Replications summarises every run when there were several; the rest
	// of a report then describes the first run (the base seed).
	Replications *Replications
}

package main

import (
	"slices"
	"testing"

	"cascade/scenarios"
	"cascade/sim"
)

// TestLongestFirst starts a batch's jobs by their estimated events, most
// first: the higher rate, then the longer run, and equal estimates in the
// order given.
func TestLongestFirst(t *testing.T) {
	base, err := scenarios.Load("theory-mm1")
	if err != nil {
		t.Fatal(err)
	}
	at := func(rate string) *scenarios.Scenario {
		o, err := scenarios.ParseSet("workloads.arrivals.rate=" + rate)
		if err != nil {
			t.Fatal(err)
		}
		s, err := base.Override([]scenarios.Override{o})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	slow, fast := at("100/s"), at("400/s")
	jobs := []job{
		{s: slow, until: sim.Minute},          // 0: 6,000 requests
		{s: fast, until: sim.Minute},          // 1: 24,000
		{s: slow, until: sim.Minute},          // 2: as 0
		{s: slow, until: 10 * sim.Minute},     // 3: 60,000
		{s: fast, seed: 2, until: sim.Minute}, // 4: as 1
	}
	if got, want := longestFirst(jobs), []int{3, 1, 4, 0, 2}; !slices.Equal(got, want) {
		t.Fatalf("longestFirst = %v, want %v", got, want)
	}
}

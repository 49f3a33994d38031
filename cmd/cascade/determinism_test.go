package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cascade/scenarios"
)

// builtins are the scenario names `cascade list` prints.
func builtins(t *testing.T) []string {
	t.Helper()
	r := cascade(t, "", "list")
	wantCode(t, r, exitOK)
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

var seedLine = regexp.MustCompile(`(?m)^  "seed": \d+,\n`)

// Every built-in scenario, run twice with one seed, gives byte-identical
// JSON; another seed gives different numbers. This is the promise that
// makes results diffable in CI and A/B comparisons meaningful. Scenarios
// with a duration run for a short one; those that end with their workloads
// run to the end, except the bench-* ones, which are long benchmarks.
func TestDeterminism(t *testing.T) {
	names := builtins(t)
	if len(names) == 0 {
		t.Fatal("cascade list printed no scenarios")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if strings.HasPrefix(name, "bench-") {
				t.Skip("a long benchmark")
			}
			t.Parallel()
			s, err := scenarios.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			run := func(out, seed string) []byte {
				args := []string{"run", name, "--seed", seed, "--json", out, "--quiet"}
				if s.Duration > 0 {
					args = append(args, "--duration", "20s")
				}
				// A shortened run may break the scenario's expectations
				// (exit 1); what matters here is the bytes.
				if r := cascade(t, dir, args...); r.code != exitOK && r.code != exitFailed {
					wantCode(t, r, exitOK)
				}
				data, err := os.ReadFile(filepath.Join(dir, out))
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
			a, b, c := run("a.json", "11"), run("b.json", "11"), run("c.json", "12")
			if string(a) != string(b) {
				t.Errorf("two runs with seed 11 differ:\n%s\n---\n%s", a, b)
			}
			if seedLine.ReplaceAllString(string(a), "") == seedLine.ReplaceAllString(string(c), "") {
				t.Error("seeds 11 and 12 gave the same numbers")
			}
		})
	}
}

// A scenario without a duration ends at its last reply, whatever the wall
// clock did to the slicing of the run: two runs give the same bytes, and
// every request is accounted for.
func TestDeterminismUntilDone(t *testing.T) {
	dir := t.TempDir()
	yaml := `name: finite
description: 3000 requests through one M/M/2 station, then stop.
workloads:
  users: { to: station, rate: 150/s, requests: 3000 }
services:
  station:
    workers: 2
    ops:
      serve:
        - work: exp(10ms)
`
	if err := os.WriteFile(filepath.Join(dir, "finite.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i, out := range []string{"a.json", "b.json", "c.json"} {
		wantCode(t, cascade(t, dir, "run", "finite.yaml", "--json", out, "--quiet"), exitOK)
		doc, data := readJSON(t, filepath.Join(dir, out))
		if len(doc.Workloads) != 1 || doc.Workloads[0].Counts.Arrivals != 3000 {
			t.Fatalf("not every request was sent:\n%s", data)
		}
		if doc.Duration < 15 || doc.Duration > 30 {
			t.Errorf("3000 requests at 150/s ended at %gs", doc.Duration)
		}
		if i == 0 {
			first = data
		} else if string(data) != string(first) {
			t.Errorf("run %d differs:\n%s\n---\n%s", i+1, first, data)
		}
	}
}

// TestBuiltinExpectations runs every built-in scenario that has
// expectations in full, with its own seed: each must pass, since the
// library is where users learn what a passing scenario looks like.
func TestBuiltinExpectations(t *testing.T) {
	if testing.Short() {
		t.Skip("full-length runs")
	}
	for _, name := range builtins(t) {
		s, err := scenarios.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Expect) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := cascade(t, "", "run", name, "--quiet")
			wantCode(t, r, exitOK)
		})
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"cascade/models"
	"cascade/report"
	"cascade/scenarios"
	"cascade/sim"
)

// findProbe is one value --find tried.
type findProbe struct {
	Value  string `json:"value"`
	Holds  bool   `json:"holds"`
	Passed int    `json:"passed_runs"` // runs in which it held on its own
	Runs   int    `json:"runs"`
}

// findResult is what --find --json writes (schema cascade.find/v1).
type findResult struct {
	Schema       string      `json:"schema"`
	Scenario     string      `json:"scenario"`
	SHA256       string      `json:"sha256"`
	Version      string      `json:"version"`
	Seed         uint64      `json:"seed"`
	Replications int         `json:"replications"`
	Path         string      `json:"path"`
	Until        string      `json:"until"`
	Fixed        []string    `json:"fixed,omitempty"`
	Low, High    string      `json:"-"`
	HoldsAt      *string     `json:"holds_at"` // highest value where it held; null: not even at LO
	FailsAt      *string     `json:"fails_at"` // lowest value where it failed; null: held through HI
	Probes       []findProbe `json:"probes"`
}

// findCmd bisects one parameter for the boundary of until.
//
// It assumes monotonicity: the condition holds for every value below some
// boundary and fails above it (load against recovery, say). Both ends are
// run first; if the condition fails at LO or holds at HI the search says
// so instead of bisecting. Each probe runs every replication (seeds
// seed..seed+N-1, the same at every probe) and judges the means, as
// expectations do, so noise near the boundary moves it by about the
// confidence interval, not arbitrarily.
func findCmd(s *scenarios.Scenario, fixed []axis, spec, until string, precision float64, reps int, seedp *uint64, untilp *sim.Time, jsonPath string, stop func() bool) int {
	path, rng, ok := strings.Cut(spec, "=")
	path = strings.TrimSpace(path)
	los, his, ok2 := strings.Cut(rng, "..")
	if !ok || !ok2 || path == "" {
		return usageError("sweep", fmt.Sprintf("--find %q: want PATH=LO..HI, e.g. workloads.browse.rate=100..2000", spec))
	}
	lo, err := parseQuantity(los)
	if err != nil {
		return usageError("sweep", "--find: "+err.Error())
	}
	hi, err := parseQuantity(his)
	if err != nil {
		return usageError("sweep", "--find: "+err.Error())
	}
	if lo.unit != hi.unit || hi.v == lo.v {
		return usageError("sweep", fmt.Sprintf("--find %q: two different bounds with one unit, e.g. 100..2000 or 10ms..500ms", spec))
	}
	integer := lo.decimals == 0 && hi.decimals == 0
	if precision == 0 {
		precision = math.Abs(hi.v-lo.v) / 1000
		if integer {
			precision = 1
		}
	}
	decimals := max(lo.decimals, hi.decimals)
	if !integer {
		decimals = max(decimals, int(math.Ceil(-math.Log10(precision))))
	}
	if lo.unit == "" {
		// A bare number takes the unit the file writes the field in.
		if q, err := parseQuantity(withUnitOf(s, path, "1")); err == nil {
			lo.unit = q.unit
		}
	}
	format := func(v float64) string { return lo.format(v, decimals) }

	// Compile the condition once against the scenario as the fixed --set
	// leave it, so a typo fails before anything runs.
	base, err := pointScenario(s, fixed, nil)
	if err != nil {
		reportLoadError("sweep", s.Source, err)
		return exitUsage
	}
	if _, err := base.CompileCheck(until); err != nil {
		return usageError("sweep", "--until: "+err.Error())
	}
	res := findResult{Schema: "cascade.find/v1", Scenario: s.Name, SHA256: report.Hash(s.Data), Version: fullVersion(),
		Replications: reps, Path: path, Until: until}
	for _, a := range fixed {
		res.Fixed = append(res.Fixed, a.path+"="+a.values[0])
	}
	probe := func(v float64) (bool, int) {
		text := format(v)
		ax := append(fixed[:len(fixed):len(fixed)], axis{path: path, values: []string{text}, flag: "--find " + path + "=" + text})
		ps, err := pointScenario(s, ax, nil)
		if err != nil {
			reportLoadError("sweep", s.Source, err)
			return false, -1
		}
		c, err := ps.CompileCheck(until)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade sweep: --until at %s=%s: %v\n", path, text, err)
			return false, -1
		}
		ps = ps.WithCheck(c)
		sd, u, err := planRun(ps, seedp, untilp)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade sweep: %v\n", err)
			return false, -1
		}
		res.Seed = sd
		jobs := make([]job, reps)
		for r := range jobs {
			jobs[r] = job{s: ps, seed: sd + uint64(r), until: u}
		}
		outs, err := runJobs(jobs, stop, nil)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cascade sweep: %v\n", err)
			return false, -1
		}
		results := make([]models.Result, reps)
		for i, o := range outs {
			if o.stopped {
				return false, -2
			}
			results[i] = o.result
		}
		vs := ps.Evaluate(results)
		v0 := vs[len(vs)-1] // the check, appended last
		p := findProbe{Value: text, Holds: v0.Pass, Passed: v0.Passed, Runs: reps}
		res.Probes = append(res.Probes, p)
		var measured []string
		for _, m := range v0.Measured {
			t := m.Src + " = " + m.Text
			if m.Detail != "" {
				t += " (" + m.Detail + ")"
			}
			measured = append(measured, t)
		}
		verdict := "fails"
		if p.Holds {
			verdict = "holds"
		}
		fmt.Printf("%s=%-10s %s  (%d of %d runs)  %s\n", path, text, verdict, p.Passed, reps, strings.Join(measured, "; "))
		return p.Holds, 0
	}
	check := func(st int) int {
		switch st {
		case -1:
			return exitFailed
		case -2:
			fmt.Fprintln(os.Stderr, "cascade sweep: interrupted")
			return exitInterrupted
		}
		return exitOK
	}
	fmt.Printf("searching %s in %s..%s for where %s stops holding (%d replications per probe)\n", path, format(lo.v), format(hi.v), until, reps)
	okLo, st := probe(lo.v)
	if c := check(st); c != exitOK {
		return c
	}
	a, b := lo.v, hi.v
	switch {
	case !okLo:
		fmt.Printf("it does not hold even at %s=%s: no boundary in the range (move LO further back)\n", path, format(lo.v))
		res.FailsAt = ptr(format(lo.v))
	default:
		okHi, st := probe(hi.v)
		if c := check(st); c != exitOK {
			return c
		}
		if okHi {
			fmt.Printf("it still holds at %s=%s: no boundary in the range (move HI further)\n", path, format(hi.v))
			res.HoldsAt = ptr(format(hi.v))
			break
		}
		// a is where it holds, b where it fails; a > b searches downwards
		// (the fewest workers at which a latency bound holds, say).
		for math.Abs(b-a) > precision {
			mid := (a + b) / 2
			if integer {
				if a < b {
					mid = math.Floor(mid)
				} else {
					mid = math.Ceil(mid)
				}
			} else {
				mid, _ = strconv.ParseFloat(strconv.FormatFloat(mid, 'f', decimals, 64), 64)
			}
			if mid == a || mid == b {
				break
			}
			ok, st := probe(mid)
			if c := check(st); c != exitOK {
				return c
			}
			if ok {
				a = mid
			} else {
				b = mid
			}
		}
		res.HoldsAt, res.FailsAt = ptr(format(a)), ptr(format(b))
		way := "up"
		if a > b {
			way = "down"
		}
		fmt.Printf("boundary: %s holds %s to %s=%s and fails from %s=%s\n", until, way, path, format(a), path, format(b))
	}
	if jsonPath != "" {
		if err := writeAtomically(jsonPath, func(w io.Writer) error {
			b, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				return err
			}
			_, err = w.Write(append(b, '\n'))
			return err
		}); err != nil {
			fmt.Fprintf(os.Stderr, "cascade sweep: %v\n", err)
			return exitFailed
		}
	}
	return exitOK
}

func ptr(s string) *string { return &s }

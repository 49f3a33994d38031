package models

import (
	"testing"

	"cascade/models/slo"
	"cascade/sim"
)

// Two independent chains, wa -> a and wb -> b, with faults on each: an
// SLO is charged only for the faults its own requests can meet, and the
// bad events while two faults on its path overlap are shared, not
// counted for both.
func TestSLOAttributionFollowsTheCallGraph(t *testing.T) {
	spec := slo.Spec{Objective: 0.99, Period: 30 * sim.Day}
	errs := func(name, on string, at, d sim.Time, p float64) Fault {
		return Fault{Name: name, Verb: FaultErrors, Target: Target{Component: on}, Start: at, Duration: d, P: p}
	}
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "wa", Target: "a", Rate: 100}, {Name: "wb", Target: "b", Rate: 100}},
		Services: []ServiceSpec{
			service("a", 4, Unbounded, work(constant(t, sim.Millisecond))),
			service("b", 4, Unbounded, work(constant(t, sim.Millisecond))),
		},
		SLOs: []SLOSpec{{Name: "a-avail", Workload: "wa", Spec: spec}, {Name: "b-avail", Service: "b", Spec: spec}},
		Faults: []Fault{
			errs("a-errors", "a", 20*sim.Second, 10*sim.Second, 1),
			errs("b-errors", "b", 20*sim.Second, 10*sim.Second, 1),
			errs("a-more", "a", 25*sim.Second, 10*sim.Second, 0.5),
			{Name: "wb-link", Verb: FaultLatency, Target: Target{From: "wb", To: "b"}, Start: 40 * sim.Second, Duration: 5 * sim.Second,
				Latency: constant(t, 10*sim.Millisecond)},
		},
	}
	r := run(t, topo, Options{Until: 60 * sim.Second})
	by := func(s SLOResult, name string) Attribution {
		for _, a := range s.Attribution {
			if a.Name == name {
				return a
			}
		}
		t.Fatalf("%s: no attribution for %s in %+v", s.Name, name, s.Attribution)
		return Attribution{}
	}
	a, b := r.SLOs[0], r.SLOs[1]

	// b's faults are outside a's call graph, and a's outside b's.
	for _, c := range []struct {
		s     SLOResult
		fault string
	}{{a, "b-errors"}, {a, "wb-link"}, {b, "a-errors"}, {b, "a-more"}} {
		if at := by(c.s, c.fault); !at.Outside || at.Bad != 0 || at.Budget != 0 {
			t.Errorf("%s charged for %s, outside its call graph: %+v", c.s.Name, c.fault, at)
		}
	}
	for _, c := range []struct {
		s     SLOResult
		fault string
	}{{a, "a-errors"}, {a, "a-more"}, {b, "b-errors"}, {b, "wb-link"}} {
		if at := by(c.s, c.fault); at.Outside {
			t.Errorf("%s: %s is on its path but marked outside", c.s.Name, c.fault)
		}
	}

	// a: 20-25 s a-errors alone (every request fails: ~500), 25-30 s both
	// (shared, ~500), 30-35 s a-more alone (half fail: ~250). The counts
	// are exact sums of what the tracker saw, never more than its bad.
	own1, own2 := by(a, "a-errors").Bad, by(a, "a-more").Bad
	if len(a.Shared) != 1 || len(a.Shared[0].Names) != 2 || a.Shared[0].Names[0] != "a-errors" || a.Shared[0].Names[1] != "a-more" {
		t.Fatalf("a: shared %+v, want one set {a-errors, a-more}", a.Shared)
	}
	sh := a.Shared[0].Bad
	if own1+own2+sh != a.Bad {
		t.Errorf("a: own %d + %d + shared %d = %d, want the tracker's %d bad (no bad event outside the faults)", own1, own2, sh, own1+own2+sh, a.Bad)
	}
	// Poisson(500) and Binomial-thinned Poisson(250): 5 sigma is ~110 and ~80.
	if own1 < 390 || own1 > 610 || sh < 390 || sh > 610 || own2 < 170 || own2 > 330 {
		t.Errorf("a: a-errors alone %d, shared %d, a-more alone %d; want ~500, ~500, ~250", own1, sh, own2)
	}
	if be := by(b, "b-errors").Bad; be != b.Bad || len(b.Shared) != 0 {
		t.Errorf("b: b-errors %d of %d bad, shared %+v", be, b.Bad, b.Shared)
	}
}

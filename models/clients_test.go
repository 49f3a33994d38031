package models

import (
	"testing"

	"cascade/models/policy"
	"cascade/sim"
)

// TestClientPopulation: the same gobreaker policy (opens on the 6th
// consecutive failure) on a workload of one client and of 500. db fails
// from 10s to 20s at 100/s. One client opens at once and rejects most of
// the outage; 500 clients each see 0.2 requests a second, about 2 in the
// outage (Poisson), so only the ~2% that get six or more ever open, and
// they reject a handful each: the population barely has a breaker.
func TestClientPopulation(t *testing.T) {
	for _, c := range []struct {
		clients        int
		breakers       int
		minRej, maxRej int64
	}{{0, 1, 700, 1000}, {1, 1, 700, 1000}, {500, 500, 0, 100}} {
		b := policy.GoBreaker()
		b.OpenFor = 5 * sim.Second
		pol := &CallPolicy{Breaker: &b}
		db := service("db", 0, Unbounded, work(constant(t, sim.Millisecond)))
		topo := Topology{
			Workloads: []WorkloadSpec{{Name: "c", Target: "db", Rate: 100, Arrivals: Constant, Policy: pol, Clients: c.clients}},
			Services:  []ServiceSpec{db},
			Faults:    []Fault{{Verb: FaultErrors, Target: Target{Component: "db"}, P: 1, Start: 10 * sim.Second, Duration: 10 * sim.Second}},
		}
		r := run(t, topo, Options{Until: 30 * sim.Second})
		e := r.Edges[0]
		var permitted int64
		used := 0
		for _, br := range e.Breakers {
			permitted += int64(br.Permitted)
			if br.Permitted > 0 {
				used++
			}
		}
		if len(e.Breakers) != c.breakers {
			t.Errorf("clients %d: %d breakers, want %d", c.clients, len(e.Breakers), c.breakers)
		}
		if e.BreakerRejected < c.minRej || e.BreakerRejected > c.maxRej {
			t.Errorf("clients %d: %d rejected by breakers, want %d..%d", c.clients, e.BreakerRejected, c.minRej, c.maxRej)
		}
		if permitted+e.BreakerRejected != e.Requests {
			t.Errorf("clients %d: permitted %d + rejected %d != requests %d", c.clients, permitted, e.BreakerRejected, e.Requests)
		}
		// 3000 requests over 500 clients at random: every client is used
		// (the chance one is missed is 500*(1-1/500)^3000, about 1%).
		if c.clients == 500 && used < 495 {
			t.Errorf("only %d of 500 clients sent requests", used)
		}
	}
}

package models

import (
	"testing"

	"cascade/sim"
)

// dbTopo is a client writing and reading keys of a database with a primary
// and two replicas that apply one write in applyMs (a single thread).
func dbTopo(t *testing.T, writes, reads float64, apply sim.Time, spec DatabaseSpec) Topology {
	spec.Writes = []string{"write"}
	spec.ApplyTime = constant(t, apply)
	db := ServiceSpec{Name: "db", Instances: 3, Workers: 0, Queue: Unbounded, Database: &spec, Ops: []OpSpec{
		{Name: "read", Steps: []Step{work(constant(t, sim.Millisecond))}},
		{Name: "write", Steps: []Step{work(constant(t, sim.Millisecond))}}}}
	return Topology{
		Workloads: []WorkloadSpec{
			{Name: "w", Target: "db", Op: "write", Rate: writes, Keys: KeySpec{Kind: KeysUniform, N: 100}},
			{Name: "r", Target: "db", Op: "read", Rate: reads, Keys: KeySpec{Kind: KeysUniform, N: 100}},
		},
		Services: []ServiceSpec{db},
	}
}

func TestReplicaLagGrowsWhenWritesOutpaceApply(t *testing.T) {
	// 300 writes/s into replicas that apply 250/s: the backlog grows by
	// 50 writes a second, so after 20 s the lag is about 50·20/250 = 4 s of
	// writes... measured as the age of the oldest unapplied write, ≈ 20 s ×
	// (1 − 250/300) ≈ 3.3 s. With 100 keys and reads at 100/s nearly every
	// replica read misses a recent write.
	r := run(t, dbTopo(t, 300, 100, 4*sim.Millisecond, DatabaseSpec{ReadFrom: ReadReplicas}), Options{Until: 20 * sim.Second})
	d := r.Services[0].Database
	lag := d.Replicas[0].Lag
	if lag < 2.8 || lag > 3.8 {
		t.Errorf("lag after 20 s %.2fs, want about 3.3 s", lag)
	}
	if d.StaleReads < d.ReplicaReads/2 {
		t.Errorf("%d stale of %d replica reads", d.StaleReads, d.ReplicaReads)
	}
	// Apply keeps up at 200 writes/s: lag stays at one apply time.
	r = run(t, dbTopo(t, 200, 100, 4*sim.Millisecond, DatabaseSpec{ReadFrom: ReadReplicas}), Options{Until: 20 * sim.Second})
	if lag := r.Services[0].Database.Replicas[0].MaxLag; lag > 0.1 {
		t.Errorf("max lag %.3fs at 80%% apply load", lag)
	}
}

func TestReadRoutingPolicies(t *testing.T) {
	for _, c := range []struct {
		route      ReadRouting
		stale      bool
		redirected bool
	}{{ReadPrimary, false, false}, {ReadReplicas, true, false}, {ReadYourWrites, false, true}, {ReadBounded, true, true}} {
		// Bounded staleness still reads stale data, only never older than
		// the bound: with a lag of seconds it sends most reads to the
		// primary, and the few it serves from a replica may miss a write.
		spec := DatabaseSpec{ReadFrom: c.route, MaxStaleness: 100 * sim.Millisecond}
		r := run(t, dbTopo(t, 300, 100, 4*sim.Millisecond, spec), Options{Until: 20 * sim.Second})
		d := r.Services[0].Database
		if (d.StaleReads > 0) != c.stale || (d.Redirected > 0) != c.redirected {
			t.Errorf("%v: stale %d redirected %d", c.route, d.StaleReads, d.Redirected)
		}
		if c.route == ReadPrimary && d.ReplicaReads != 0 {
			t.Errorf("primary routing read %d times from replicas", d.ReplicaReads)
		}
	}
}

func TestFailoverLosesOnlyAsyncWrites(t *testing.T) {
	// The primary dies at 10 s while the replicas lag: async loses the
	// acknowledged writes no replica had received; semi-sync loses none
	// (a write is acknowledged only once a replica has it), and writes
	// fail during the 2 s promotion.
	for _, c := range []struct {
		mode Replication
		lost bool
	}{{Async, true}, {SemiSync, false}} {
		spec := DatabaseSpec{Replication: c.mode, Promotion: 2 * sim.Second, Delay: constant(t, 50*sim.Millisecond)}
		topo := dbTopo(t, 300, 100, 2*sim.Millisecond, spec)
		topo.Faults = []Fault{{Verb: FaultFailover, Start: 10 * sim.Second, Target: Target{Component: "db"}}}
		r := run(t, topo, Options{Until: 20 * sim.Second})
		d := r.Services[0].Database
		if d.Failovers != 1 || d.Primary == 0 || d.RefusedNoPrimary < 400 {
			t.Errorf("%v: %+v", c.mode, d.DatabaseStats)
		}
		if (d.LostWrites > 0) != c.lost {
			t.Errorf("%v: lost %d writes", c.mode, d.LostWrites)
		}
		if w := r.Workloads[0]; w.OK < 4000 {
			t.Errorf("%v: %d writes ok: the promoted replica should take writes after 12 s", c.mode, w.OK)
		}
	}
}

func TestReplicaLagFaultStopsApplying(t *testing.T) {
	topo := dbTopo(t, 100, 10, sim.Millisecond, DatabaseSpec{ReadFrom: ReadReplicas})
	topo.Faults = []Fault{{Verb: FaultReplicaLag, Stop: true, Start: 5 * sim.Second, Duration: 5 * sim.Second, Target: Target{Component: "db"}}}
	r := run(t, topo, Options{Until: 20 * sim.Second})
	d := r.Services[0].Database
	if d.Replicas[0].MaxLag < 4.5 || d.Replicas[0].Lag > 0.01 {
		t.Errorf("replica %+v: want 5 s of lag, then caught up", d.Replicas[0])
	}
}

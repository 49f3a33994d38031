package models

import (
	"math"
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

// runModel runs topo to until and returns the model, for tests that look
// at replication state the result does not show.
func runModel(t *testing.T, topo Topology, until sim.Time) *Model {
	t.Helper()
	m, err := New(sim.NewEngine(1), topo, Options{Until: until})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	for !m.Advance(10 * sim.Second) {
	}
	return m
}

// Sync replication waits for every replica: with one that never applies,
// no write may be acknowledged (each replica's ack counts once per write,
// not once per write it applies after it).
func TestSyncReplicationWaitsForEveryReplica(t *testing.T) {
	topo := dbTopo(t, 50, 0, sim.Millisecond, DatabaseSpec{Replication: Sync})
	topo.Workloads = topo.Workloads[:1]
	topo.Faults = []Fault{{Verb: FaultReplicaLag, Stop: true, Target: Target{Component: "db", Instances: Instances{Mode: SelectOne, N: 2}}}}
	m := runModel(t, topo, 5*sim.Second)
	r := m.Result(false)
	d := m.services[0].db
	if ok := r.Workloads[0].OK; ok > 0 || d.replicas[0].applied < d.lsn-5 {
		t.Errorf("%d sync writes acknowledged while replica 2 applied %d of %d (replica 1: %d)", ok, d.replicas[1].applied, d.lsn, d.replicas[0].applied)
	}
	// Without the stop every write is acknowledged.
	topo.Faults = nil
	r = run(t, topo, Options{Until: 5 * sim.Second})
	if w := r.Workloads[0]; w.OK < w.Arrivals-2 {
		t.Errorf("healthy sync replication: %d of %d writes acknowledged", w.OK, w.Arrivals)
	}
}

// Replicas stream the log in order: writes shipped while a replica_lag
// fault adds 3 s cannot be overtaken by later ones once it ends, so the
// replica stays behind until they arrive.
func TestShippingIsInOrder(t *testing.T) {
	topo := dbTopo(t, 20, 0, 0, DatabaseSpec{ReadFrom: ReadReplicas})
	topo.Services[0].Database.ApplyTime = nil
	topo.Workloads = topo.Workloads[:1]
	topo.Faults = []Fault{{Verb: FaultReplicaLag, Duration: sim.Second, Latency: constant(t, 3*sim.Second), Target: Target{Component: "db"}}}
	m := runModel(t, topo, 2*sim.Second)
	rep := m.Result(false).Services[0].Database.Replicas[0]
	// The first write (t ≈ 0.05 s) arrives at about 3 s: at 2 s its age is ≈ 1.95 s.
	// Behind: Poisson 20/s over 2 s, mean 40, sd 6.3; 25 is over 2 sd below.
	if rep.Lag < 1.8 || rep.Applied != 0 || rep.Behind < 25 {
		t.Errorf("at 2 s: lag %.3fs, applied %d, behind %d; want ≈1.95 s, 0, ≈40", rep.Lag, rep.Applied, rep.Behind)
	}
	m = runModel(t, topo, 4*sim.Second)
	rep = m.Result(false).Services[0].Database.Replicas[0]
	if rep.Lag > 0.01 || rep.Behind != 0 {
		t.Errorf("at 4 s every write has arrived, yet lag %.3fs, behind %d", rep.Lag, rep.Behind)
	}
}

// After a failover the replicas follow the new primary: what the dead one
// was still shipping is dropped, so no replica gets ahead of the new
// primary, and they catch up with what the new primary has.
func TestFailoverDropsTheDeadPrimarysShipments(t *testing.T) {
	spec := DatabaseSpec{Replication: Async, Delay: constant(t, 50*sim.Millisecond), Promotion: sim.Second}
	topo := dbTopo(t, 300, 0, sim.Millisecond, spec)
	topo.Workloads = topo.Workloads[:1]
	topo.Faults = []Fault{{Verb: FaultFailover, Start: 10 * sim.Second, Target: Target{Component: "db"}}}
	for _, until := range []sim.Time{10*sim.Second + 100*sim.Millisecond, 15 * sim.Second} {
		m := runModel(t, topo, until)
		d := m.services[0].db
		for i, r := range d.replicas {
			if !r.gone && r.applied > d.lsn {
				t.Errorf("at %s: replica %d applied lsn %d beyond the primary's %d", until, i, r.applied, d.lsn)
			}
			if until == 15*sim.Second && !r.gone && r.applied < d.lsn-20 {
				t.Errorf("at 15 s: replica %d applied %d of the new primary's %d", i, r.applied, d.lsn)
			}
		}
	}
}

// A leaky-queue limiter at a database delays calls and lets them in
// later: each read is counted once.
func TestDatabaseCountsDelayedCallsOnce(t *testing.T) {
	topo := dbTopo(t, 0, 100, sim.Millisecond, DatabaseSpec{ReadFrom: ReadReplicas})
	topo.Workloads = topo.Workloads[1:]
	topo.Services[0].Admission.RateLimit = &LimiterSpec{Kind: LeakyQueue, Rate: 50, Burst: 1000}
	s := run(t, topo, Options{Until: 10 * sim.Second}).Services[0]
	// Arrivals count admitted calls too; at most a call or two is still
	// being let in when the run ends.
	if s.Database.Reads > s.Arrivals || s.Database.Reads < s.Arrivals-2 {
		t.Errorf("db counted %d reads for %d arrivals", s.Database.Reads, s.Arrivals)
	}
}

// replica_lag selects among replicas: a count or a share never picks the
// primary, and an instance that is not a replica is an error.
func TestReplicaLagSelectsReplicas(t *testing.T) {
	topo := dbTopo(t, 50, 0, sim.Millisecond, DatabaseSpec{})
	topo.Workloads = topo.Workloads[:1]
	topo.Faults = []Fault{{Verb: FaultReplicaLag, Stop: true, Target: Target{Component: "db", Instances: Instances{Mode: SelectCount, N: 1}}}}
	r := run(t, topo, Options{Until: 5 * sim.Second})
	reps := r.Services[0].Database.Replicas
	if reps[0].Behind < 200 || reps[1].Behind > 2 {
		t.Errorf("replica_lag stop on 1 replica: behind %d and %d, want ≈250 and 0", reps[0].Behind, reps[1].Behind)
	}
	topo.Faults[0].Target.Instances = Instances{Mode: SelectOne, N: 0}
	if _, err := New(sim.NewEngine(1), topo, Options{Until: sim.Second}); err == nil {
		t.Error("replica_lag on instance 0 (the primary) accepted")
	}
}

// A crashed replica neither receives nor applies; back up, it catches up
// from where it was, and sync writes wait for it meanwhile.
func TestCrashedReplicaCatchesUp(t *testing.T) {
	topo := dbTopo(t, 100, 0, sim.Millisecond, DatabaseSpec{})
	topo.Workloads = topo.Workloads[:1]
	topo.Faults = []Fault{{Verb: FaultCrash, Start: sim.Second, Duration: 2 * sim.Second, Target: Target{Component: "db", Instances: Instances{Mode: SelectOne, N: 1}}}}
	m := runModel(t, topo, 2*sim.Second)
	d := m.services[0].db
	// Received before the crash at 1 s: about 100 (100/s for 1 s); ≈200 if
	// it kept receiving while down.
	if r := d.replicas[0]; r.received > 110 || d.replicas[1].applied < d.lsn-2 {
		t.Errorf("at 2 s, down since 1 s: replica 1 received %d of %d", r.received, d.lsn)
	}
	m = runModel(t, topo, 4*sim.Second)
	d = m.services[0].db
	if r := d.replicas[0]; r.applied < d.lsn-2 {
		t.Errorf("at 4 s, up since 3 s: replica 1 applied %d of %d", r.applied, d.lsn)
	}
}

// Write latency by mode: async answers after the commit (1 ms), semi-sync
// once a replica received the write (+5 ms shipping), sync once every
// replica applied it (+2 ms apply).
func TestWriteLatencyByReplicationMode(t *testing.T) {
	for _, c := range []struct {
		mode Replication
		want float64
	}{{Async, 0.001}, {SemiSync, 0.006}, {Sync, 0.008}} {
		topo := dbTopo(t, 50, 0, 2*sim.Millisecond, DatabaseSpec{Replication: c.mode, Delay: constant(t, 5*sim.Millisecond)})
		topo.Workloads = topo.Workloads[:1]
		d := run(t, topo, Options{Until: 10 * sim.Second}).Services[0].Database
		if math.Abs(d.WriteP50-c.want) > 0.0002 || d.WriteP99 > c.want+0.003 { // p99: queueing at the single apply thread and the primary
			t.Errorf("%s: write p50 %.4fs p99 %.4fs, want ≈%.3fs", c.mode, d.WriteP50, d.WriteP99, c.want)
		}
	}
}

// A write waiting for synchronous replication holds its database worker,
// as a PostgreSQL backend does: with 2 workers and 50 ms shipping the
// primary takes at most 2/51 ms ≈ 39 writes/s under sync, while async
// takes 100/s easily. Little's law holds at the primary either way.
func TestSyncWritesHoldTheirWorker(t *testing.T) {
	for _, c := range []struct {
		mode     Replication
		overload bool
	}{{Async, false}, {Sync, true}} {
		spec := DatabaseSpec{Replication: c.mode, Delay: constant(t, 50*sim.Millisecond)}
		topo := dbTopo(t, 100, 0, 0, spec)
		topo.Services[0].Database.ApplyTime = nil
		topo.Services[0].Workers = 2
		topo.Workloads = topo.Workloads[:1]
		r := run(t, topo, Options{Until: 20 * sim.Second})
		s := r.Services[0]
		// Utilization is over the 3 instances: the primary's share is 1/3.
		if got := s.Utilization > 0.95/3; got != c.overload {
			t.Errorf("%s: utilization %.2f, overloaded %v, want %v", c.mode, s.Utilization, got, c.overload)
		}
		if c.overload && (s.OK < 700 || s.OK > 820) {
			t.Errorf("%s: %d writes answered in 20 s, want ≈ 39/s × 20 s = 780", c.mode, s.OK)
		}
		if e := s.Little.RelErr(); e > 0.02 {
			t.Errorf("%s: Little's law off by %.1f%%", c.mode, 100*e)
		}
	}
}

// Writes a crash of the primary failed while they waited for acks were
// never acknowledged: a failover afterwards does not count them lost.
func TestFailoverAfterAPrimaryCrashLosesNoUnackedWrite(t *testing.T) {
	topo := dbTopo(t, 100, 0, sim.Millisecond, DatabaseSpec{Replication: SemiSync, Promotion: sim.Second})
	topo.Workloads = topo.Workloads[:1]
	topo.Faults = []Fault{
		{Verb: FaultReplicaLag, Start: 4 * sim.Second, Duration: 20 * sim.Second, Latency: constant(t, 10*sim.Second), Target: Target{Component: "db"}},
		{Verb: FaultCrash, Start: 5 * sim.Second, Duration: 100 * sim.Second, Target: Target{Component: "db", Instances: Instances{Mode: SelectOne, N: 0}}},
		{Verb: FaultFailover, Start: 6 * sim.Second, Target: Target{Component: "db"}},
	}
	d := run(t, topo, Options{Until: 10 * sim.Second}).Services[0].Database
	if d.LostWrites != 0 || d.Failovers != 1 {
		t.Errorf("%d lost writes after %d failover; every write after 4 s waited for an ack and failed", d.LostWrites, d.Failovers)
	}
}

// A replica crash does not strand the sync writes shipped to it: they
// need only the replicas still up, and keep flowing on the other.
func TestSyncWritesFlowWhenAReplicaCrashes(t *testing.T) {
	topo := dbTopo(t, 100, 0, 0, DatabaseSpec{Replication: Sync, Delay: constant(t, 50*sim.Millisecond)})
	topo.Services[0].Database.ApplyTime = nil
	topo.Workloads = topo.Workloads[:1]
	topo.Services[0].Workers = 4
	topo.Faults = []Fault{{Verb: FaultCrash, Start: 4 * sim.Second, Duration: 10 * sim.Second,
		Target: Target{Component: "db", Instances: Instances{Mode: SelectOne, N: 1}}}}
	a := run(t, topo, Options{Until: 4 * sim.Second}).Workloads[0].OK
	b := run(t, topo, Options{Until: 10 * sim.Second}).Workloads[0].OK
	// 4 workers each held 51 ms: ≈78 writes/s, ≈470 in 6 s (none before the fix).
	if b-a < 420 {
		t.Errorf("%d writes answered in the 6 s after a replica crashed, want ≈470", b-a)
	}
}

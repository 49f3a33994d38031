package models

import (
	"math"
	"testing"

	"cascade/sim"
)

// deployTopo is 200/s of Poisson traffic on 4 instances of 4 workers with
// 10 ms of work each (12.5 % utilization: one instance out barely shows).
func deployTopo(t *testing.T, spec DeploySpec) Topology {
	api := ServiceSpec{Name: "api", Instances: 4, Workers: 4, Queue: Unbounded,
		Ops: []OpSpec{{Name: "default", Steps: []Step{work(constant(t, 10*sim.Millisecond))}}}}
	return Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "api", Rate: 200}},
		Services:  []ServiceSpec{api},
		Faults:    []Fault{{Name: "v2", Verb: FaultDeploy, Target: Target{Component: "api"}, Start: 10 * sim.Second, Deploy: &spec}},
	}
}

func deployRecord(t *testing.T, r Result) *DeployState {
	t.Helper()
	if len(r.Faults) != 1 || r.Faults[0].Deploy == nil {
		t.Fatalf("no deploy record in %+v", r.Faults)
	}
	return r.Faults[0].Deploy
}

// A good version in waves of 2 with 10 s bakes: two waves, each 5 s out of
// rotation, checked healthy; the fault ends when the rollout does, and no
// request fails (traffic moves to the instances still in rotation).
func TestDeployGoodVersion(t *testing.T) {
	spec := DeploySpec{Batch: 2, Pause: 10 * sim.Second, Startup: 5 * sim.Second, MaxErrorRate: 0.01, Rollback: true}
	r := run(t, deployTopo(t, spec), Options{Until: 60 * sim.Second})
	d := deployRecord(t, r)
	if d.Phase != "done" || d.Updated != 4 || len(d.Waves) != 2 {
		t.Fatalf("deploy %+v", d)
	}
	for i, w := range d.Waves {
		wantStart := 10*sim.Second + sim.Time(i)*15*sim.Second
		if w.Start != wantStart || w.Up != wantStart+5*sim.Second || !w.Checked || !w.Healthy || w.ErrorRate != 0 {
			t.Errorf("wave %d: %+v, want start %v up 5 s later, checked healthy", i, w, wantStart)
		}
	}
	if f := r.Faults[0]; f.State != FaultEnded || f.End != 40*sim.Second {
		t.Errorf("fault %v ended at %v, want at 40 s (two waves of 5 s + 10 s)", f.State, f.End)
	}
	if w := r.Workloads[0]; w.Error != 0 {
		t.Errorf("%d errors during a good rolling deploy", w.Error)
	}
}

// A bad version failing 30 % of its requests, one instance a wave: the
// first wave's instance takes a quarter of the traffic, so the service's
// error share over the bake is about 7.5 % > 2 %: the check fails and the
// instance goes back. Errors then stop.
func TestDeployBadVersionRollsBack(t *testing.T) {
	spec := DeploySpec{Batch: 1, Pause: 10 * sim.Second, Startup: 5 * sim.Second, BadErrors: 0.3, MaxErrorRate: 0.02, Rollback: true}
	r := run(t, deployTopo(t, spec), Options{Until: 60 * sim.Second})
	d := deployRecord(t, r)
	if d.Phase != "rolled_back" || d.Updated != 0 || len(d.Waves) != 2 {
		t.Fatalf("deploy %+v", d)
	}
	w := d.Waves[0]
	// 10 s at 200/s, a quarter on the bad instance: n ≈ 2000 replies,
	// share 0.075 with binomial sd sqrt(p(1-p)/n).
	within(t, "error share in the bake", w.ErrorRate, 0.075, math.Sqrt(0.075*0.925/2000), 5)
	if w.Healthy || !d.Waves[1].Rollback || d.Waves[1].Lo != 0 || d.Waves[1].Hi != 1 {
		t.Errorf("waves %+v", d.Waves)
	}
	// Errors only between 15 s (the bad instance back) and 30 s (rolled
	// back at 25 s + 5 s of restart; it is out of rotation meanwhile):
	// ≈ 10 s · 50/s · 0.3 = 150.
	if e := r.Workloads[0].Error; e < 90 || e > 220 {
		t.Errorf("%d errors, want about 150", e)
	}
	before := r.Workloads[0].Error
	r = run(t, deployTopo(t, spec), Options{Until: 120 * sim.Second})
	if r.Workloads[0].Error != before {
		t.Errorf("errors went on after the rollback: %d by 60 s, %d by 120 s", before, r.Workloads[0].Error)
	}
}

// Without rollback the failed check halts the rollout with the bad
// instance left in: errors go on.
func TestDeployHaltWithoutRollback(t *testing.T) {
	spec := DeploySpec{Batch: 1, Pause: 10 * sim.Second, Startup: 5 * sim.Second, BadErrors: 0.3, MaxErrorRate: 0.02}
	r := run(t, deployTopo(t, spec), Options{Until: 120 * sim.Second})
	if d := deployRecord(t, r); d.Phase != "halted" || d.Updated != 1 {
		t.Fatalf("deploy %+v", d)
	}
	// From 15 s to 120 s, a quarter of 200/s fails 30 %: ≈ 1575.
	if e := r.Workloads[0].Error; e < 1300 || e > 1850 {
		t.Errorf("%d errors, want about 1575", e)
	}
}

// A cold start: 4x slower work for 20 s after each restart shows as a
// higher mean latency during the deploy, and none after.
func TestDeployWarmup(t *testing.T) {
	spec := DeploySpec{Batch: 4, Pause: sim.Second, Startup: sim.Second, Warmup: 20 * sim.Second, Cold: 4}
	r := run(t, deployTopo(t, spec), Options{Until: 40 * sim.Second, Windows: []WindowSpec{
		{Component: "w", From: 11 * sim.Second, To: 31 * sim.Second},
		{Component: "w", From: 32 * sim.Second, To: 40 * sim.Second}}})
	cold, warm := r.Windows[0].Latency.Mean, r.Windows[1].Latency.Mean
	if cold < 0.035 || warm > 0.0105 {
		t.Errorf("mean latency %.4fs while cold, %.4fs after: want about 0.040 and 0.010", cold, warm)
	}
}

// Every instance out at once refuses every request until they are back.
func TestDeployAllAtOnceIsAnOutage(t *testing.T) {
	spec := DeploySpec{Batch: 4, Pause: sim.Second, Startup: 5 * sim.Second}
	r := run(t, deployTopo(t, spec), Options{Until: 30 * sim.Second})
	// 5 s at 200/s refused: ≈ 1000.
	if e := r.Workloads[0].Error; e < 850 || e > 1150 {
		t.Errorf("%d errors, want about 1000 (5 s of every instance out)", e)
	}
}

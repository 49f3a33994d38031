package models

import (
	"testing"

	"cascade/sim"
)

func scaledTopo(t *testing.T, rate float64, spec AutoscaleSpec) Topology {
	api := ServiceSpec{Name: "api", Instances: spec.Max, Workers: 4, Queue: Unbounded, Autoscale: &spec,
		Ops: []OpSpec{{Name: "default", Steps: []Step{work(constant(t, 20*sim.Millisecond))}}}}
	return Topology{Workloads: []WorkloadSpec{{Name: "w", Target: "api", Rate: rate}}, Services: []ServiceSpec{api}}
}

// 300/s of 20 ms work is 6 busy workers: on 2 instances of 4 that reads
// 75 %, so the first decision asks for ceil(2·0.75/0.6) = 3; the third
// instance joins after the 15 s provisioning delay and utilization
// settles at 6/12 = 50 %, under the target: no further change.
func TestAutoscaleScalesOutAfterProvisioning(t *testing.T) {
	spec := AutoscaleSpec{Target: 0.6, Min: 2, Max: 10, Period: 10 * sim.Second, OutCooldown: 30 * sim.Second,
		InCooldown: 5 * sim.Minute, Provision: 15 * sim.Second}
	r := run(t, scaledTopo(t, 300, spec), Options{Until: 2 * sim.Minute})
	a := r.Services[0].Autoscale
	if a == nil || len(a.Events) != 1 || a.Events[0] != (ScaleEvent{At: 10 * sim.Second, From: 2, To: 3, Metric: a.Events[0].Metric}) {
		t.Fatalf("decisions %+v", a)
	}
	if a.Ready != 3 || a.Provisioning != 0 {
		t.Errorf("ready %d provisioning %d, want 3 and 0", a.Ready, a.Provisioning)
	}
	// Ready: 2 until 25 s, then 3: mean (2·25 + 3·95)/120.
	if want := (2*25.0 + 3*95.0) / 120; a.MeanReady < want-1e-9 || a.MeanReady > want+1e-9 {
		t.Errorf("mean ready %.4f, want %.4f", a.MeanReady, want)
	}
	if u := r.Services[0].Utilization; u < 0.5 || u > 0.6 {
		t.Errorf("utilization %.3f of the ready instances' workers, want about 6/(4·2.79) = 0.54", u)
	}
}

// Light load scales in to min after the scale-in cooldown, and a removed
// instance stops getting requests: the service still serves everything.
func TestAutoscaleScalesIn(t *testing.T) {
	spec := AutoscaleSpec{Target: 0.6, Min: 2, Max: 10, Initial: 8, Period: 10 * sim.Second, InCooldown: 30 * sim.Second}
	r := run(t, scaledTopo(t, 100, spec), Options{Until: time30s(4)})
	a := r.Services[0].Autoscale
	if a.Ready != 2 || len(a.Events) != 1 || a.Events[0].To != 2 || a.Events[0].At != 10*sim.Second {
		t.Fatalf("decisions %+v ready %d", a.Events, a.Ready)
	}
	if w := r.Workloads[0]; w.Error != 0 || w.OK < 11000 {
		t.Errorf("%d errors, %d ok", w.Error, w.OK)
	}
}

func time30s(n int) sim.Time { return sim.Time(n) * 30 * sim.Second }

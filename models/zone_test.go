package models

import (
	"math"
	"testing"

	"cascade/sim"
)

// zoneTopo: six requests 100 ms apart (never overlapping) into front, two
// instances in zones a, b (round robin), each calling back, three
// instances in a, b, a (round robin, 1 worker). Work is 1 ms at front and
// 2 ms at back; a call between zones adds a constant 10 ms round trip and
// costs 0.01 per call plus 1 per GB of 1 MB calls (0.001 a call).
//
// By hand, without zone awareness (front's and back's cursors both start
// at 0): request k goes to front k%2 and back k%3, k = 0..5:
//
//	k  front  back   zones   latency
//	0  f0 a   b0 a   a->a    3 ms
//	1  f1 b   b1 b   b->b    3 ms
//	2  f0 a   b2 a   a->a    3 ms
//	3  f1 b   b0 a   b->a   13 ms
//	4  f0 a   b1 b   a->b   13 ms
//	5  f1 b   b2 a   b->a   13 ms
//
// Three cross-zone calls (a->b once, b->a twice), cost 3 x 0.011 = 0.033,
// mean latency 8 ms. Zone a was routed 3 front + 4 back = 7 calls, zone b
// 3 + 2 = 5.
func zoneTopo(t *testing.T, aware bool) Topology {
	front := ServiceSpec{Name: "front", Instances: 2, Workers: 1, Queue: Unbounded, Zones: []string{"a", "b"},
		Ops: []OpSpec{{Name: "default", Steps: []Step{work(constant(t, sim.Millisecond)), callTo("back")}}}}
	back := ServiceSpec{Name: "back", Instances: 3, Workers: 1, Queue: Unbounded, Zones: []string{"a", "b"}, ZoneAware: aware,
		Ops: []OpSpec{{Name: "default", Steps: []Step{work(constant(t, 2*sim.Millisecond))}}}}
	return Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "front", Rate: 10, Arrivals: Constant, Limit: 6}},
		Services:  []ServiceSpec{front, back},
		Zones: &ZoneSpec{Names: []string{"a", "b"}, Latency: constant(t, 10*sim.Millisecond),
			CostPerCall: 0.01, CostPerGB: 1, Bytes: 1e6},
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCrossZoneLatencyAndCostByHand(t *testing.T) {
	r := run(t, zoneTopo(t, false), Options{})
	w := r.Workloads[0]
	if w.OK != 6 || !near(w.Latency.Mean, 0.008) || !near(w.Latency.Max, 0.013) {
		t.Fatalf("workload: ok %d mean %v max %v, want 6, 8 ms, 13 ms", w.OK, w.Latency.Mean, w.Latency.Max)
	}
	if c := r.CrossZone; c.Calls != 3 || !near(c.Bytes, 3e6) || !near(c.Cost, 0.033) {
		t.Errorf("cross-zone %+v, want 3 calls, 3 MB, cost 0.033", c)
	}
	want := []ZoneResult{
		{Name: "a", Instances: 3, Up: 3, Requests: 7, CrossOut: 1, CrossIn: 2, Cost: 0.011},
		{Name: "b", Instances: 2, Up: 2, Requests: 5, CrossOut: 2, CrossIn: 1, Cost: 0.022},
	}
	if len(r.Zones) != 2 {
		t.Fatalf("zones %+v", r.Zones)
	}
	for i, z := range r.Zones {
		wz := want[i]
		if z.Name != wz.Name || z.Instances != wz.Instances || z.Up != wz.Up || z.Requests != wz.Requests ||
			z.CrossOut != wz.CrossOut || z.CrossIn != wz.CrossIn || !near(z.Cost, wz.Cost) {
			t.Errorf("zone %d: %+v, want %+v", i, z, wz)
		}
	}
}

// Zone-aware, back's instances in front's own zone are always free (one
// request at a time), so no call crosses: every request takes 3 ms.
func TestZoneAwareStaysInZone(t *testing.T) {
	r := run(t, zoneTopo(t, true), Options{})
	if w := r.Workloads[0]; w.OK != 6 || !near(w.Latency.Max, 0.003) {
		t.Errorf("workload ok %d max %v, want 6 at 3 ms", w.OK, w.Latency.Max)
	}
	if r.CrossZone.Calls != 0 || r.CrossZone.Cost != 0 {
		t.Errorf("cross-zone %+v, want none", r.CrossZone)
	}
}

// A zone outage takes zone b's instances out of rotation: every call goes
// to zone a, none crosses, none fails; when it ends b is back.
func TestZoneOutageRoutesAround(t *testing.T) {
	topo := zoneTopo(t, false)
	topo.Faults = []Fault{{Verb: FaultZoneOutage, Target: Target{Zone: "b"}}}
	eng := sim.NewEngine(1)
	m, err := New(eng, topo, Options{Until: 2 * sim.Second})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	m.Advance(2 * sim.Second)
	r := m.Result(false)
	if w := r.Workloads[0]; w.OK != 6 || w.Error != 0 || !near(w.Latency.Max, 0.003) {
		t.Errorf("workload ok %d errors %d max %v, want 6 OK at 3 ms", w.OK, w.Error, w.Latency.Max)
	}
	if r.CrossZone.Calls != 0 || r.Zones[1].Up != 0 || r.Zones[1].Requests != 0 || !r.Zones[1].Outage || r.Zones[0].Up != 3 {
		t.Errorf("zones %+v cross %+v", r.Zones, r.CrossZone)
	}
	if r.Faults[0].Target != "zone b" {
		t.Errorf("target %q", r.Faults[0].Target)
	}
	m.Clear(0)
	if r := m.Result(false); r.Zones[1].Up != 2 || r.Zones[1].Outage {
		t.Errorf("after the outage: %+v", r.Zones[1])
	}
}

// A partition of zone b drops the three cross-zone calls (front has no
// timeout, so they hang) and passes the three within a zone.
func TestZonePartitionDropsCrossZoneCalls(t *testing.T) {
	topo := zoneTopo(t, false)
	topo.Workloads[0].Timeout = 500 * sim.Millisecond
	topo.Faults = []Fault{{Verb: FaultZonePartition, Target: Target{Zone: "b"}}}
	r := run(t, topo, Options{Until: 2 * sim.Second})
	if w := r.Workloads[0]; w.OK != 3 || w.Timeout != 3 {
		t.Errorf("workload ok %d timeouts %d, want 3 and 3", w.OK, w.Timeout)
	}
	if !r.Zones[1].Cut || r.Zones[0].Cut {
		t.Errorf("zones %+v", r.Zones)
	}
}

func TestZoneFaultErrors(t *testing.T) {
	topo := zoneTopo(t, false)
	topo.Faults = []Fault{{Verb: FaultZoneOutage, Target: Target{Zone: "c"}}}
	if _, err := New(sim.NewEngine(1), topo, Options{}); err == nil {
		t.Error("an unknown zone was accepted")
	}
	topo = zoneTopo(t, false)
	topo.Zones = nil
	if _, err := New(sim.NewEngine(1), topo, Options{}); err == nil {
		t.Error("zones on services without declared zones were accepted")
	}
}

// The zone series: zone b's instances leave at the outage's start and come
// back at its end; the interval's calls are counted per zone.
func TestZoneSeries(t *testing.T) {
	topo := zoneTopo(t, false)
	topo.Workloads[0].Limit = 0
	topo.Faults = []Fault{{Verb: FaultZoneOutage, Target: Target{Zone: "b"}, Start: 2 * sim.Second, Duration: 2 * sim.Second}}
	r := run(t, topo, Options{Until: 6 * sim.Second})
	b := r.Zones[1].Series
	if len(b) != 6 {
		t.Fatalf("%d points, want 6", len(b))
	}
	for i, p := range b {
		if p.T != sim.Time(i+1)*sim.Second {
			t.Errorf("point %d at %v", i, p.T)
		}
	}
	// Points at 1, 3 and 5 s: before, inside and after [2 s, 4 s).
	if b[0].Up != 2 || b[2].Up != 0 || b[4].Up != 2 {
		t.Errorf("up over time %+v", b)
	}
	if b[2].Requests != 0 || b[0].Requests == 0 {
		t.Errorf("requests over time %+v", b)
	}
	var a int64
	for _, p := range r.Zones[0].Series {
		a += p.Requests
	}
	if a == 0 {
		t.Error("zone a's series counts no calls")
	}
}

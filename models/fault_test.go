package models

import (
	"math"
	"testing"

	"cascade/sim"
)

// windowOf finds a window's result by component and span.
func windowOf(t *testing.T, r Result, comp string, from, to sim.Time) WindowResult {
	t.Helper()
	for _, w := range r.Windows {
		if w.Component == comp && w.From == from && w.To == to {
			return w
		}
	}
	t.Fatalf("no window %s [%v, %v)", comp, from, to)
	return WindowResult{}
}

// spans makes back-to-back windows of length d on comp, n of them.
func spans(comp string, d sim.Time, n int) []WindowSpec {
	var out []WindowSpec
	for i := 0; i < n; i++ {
		out = append(out, WindowSpec{Component: comp, From: sim.Time(i) * d, To: sim.Time(i+1) * d})
	}
	return out
}

// A constant 1 ms of work behind a constant-rate client: every latency is
// the work plus whatever the faults add, with nothing random in the way.
func steady(t *testing.T, rate float64, timeout sim.Time) Topology {
	return Topology{
		Workloads: []WorkloadSpec{{Name: "client", Target: "api", Rate: rate, Arrivals: Constant, Timeout: timeout}},
		Services: []ServiceSpec{
			service("api", 0, Unbounded, work(constant(t, sim.Millisecond)), callTo("db")),
			service("db", 0, Unbounded, work(constant(t, sim.Millisecond))),
		},
	}
}

func TestLatencyFaultsAddUpAndClearIndependently(t *testing.T) {
	topo := steady(t, 100, 0)
	s := sim.Second
	topo.Faults = []Fault{
		{Name: "a", Verb: FaultLatency, Target: Target{From: "api", To: "db"}, Start: 10 * s, Duration: 20 * s, Latency: constant(t, 100*sim.Millisecond)},
		{Name: "b", Verb: FaultLatency, Target: Target{From: "api", To: "db"}, Start: 20 * s, Duration: 20 * s, Latency: constant(t, 50*sim.Millisecond)},
	}
	r := run(t, topo, Options{Until: 50 * s, Windows: spans("client", 10*s, 5)})
	want := []float64{0.002, 0.102, 0.152, 0.052, 0.002}
	for i, w := range want {
		// Requests sent just before a boundary finish just after it.
		got := windowOf(t, r, "client", sim.Time(i)*10*s, sim.Time(i+1)*10*s).Latency
		if math.Abs(got.P50-w) > 0.001 {
			t.Errorf("window %d: median latency %.4fs, want %.3fs", i, got.P50, w)
		}
	}
	if len(r.Faults) != 2 || r.Faults[0].State != FaultEnded || r.Faults[0].Start != 10*s || r.Faults[0].End != 30*s {
		t.Errorf("fault records %+v", r.Faults)
	}
}

func TestPartitionTimesOutCallsUntilItHeals(t *testing.T) {
	topo := steady(t, 100, 500*sim.Millisecond)
	s := sim.Second
	topo.Faults = []Fault{{Verb: FaultPartition, Target: Target{Groups: [2][]string{{"api"}, {"db"}}}, Start: 10 * s, Duration: 10 * s}}
	r := run(t, topo, Options{Until: 30 * s, Windows: []WindowSpec{
		{Component: "client", From: 11 * s, To: 19 * s},
		{Component: "client", From: 21 * s, To: 29 * s},
	}})
	during := windowOf(t, r, "client", 11*s, 19*s)
	if during.OK != 0 || during.Timeout != 800 {
		t.Errorf("during the partition: %+v, want 800 timeouts and nothing else", during.Counts)
	}
	after := windowOf(t, r, "client", 21*s, 29*s)
	if after.OK != 800 {
		t.Errorf("after healing: %+v, want 800 ok", after.Counts)
	}
	// A caller without a timeout would wait forever; with one, every lost
	// call is answered: at most the request sent at the last instant is
	// left in flight.
	if w := r.Workloads[0]; w.InFlight > 1 {
		t.Errorf("%d requests still in flight", w.InFlight)
	}
}

func TestOneWayPartitionDropsOnlyRepliesBack(t *testing.T) {
	// api -> db requests pass when only db -> api is cut, but the replies
	// are lost: db does the work, api times out.
	topo := steady(t, 100, 200*sim.Millisecond)
	s := sim.Second
	topo.Faults = []Fault{{Verb: FaultPartition, OneWay: true, Target: Target{Groups: [2][]string{{"db"}, {"api"}}}, Start: 0, Duration: 10 * s}}
	r := run(t, topo, Options{Until: 10 * s})
	if db := r.Services[1]; db.OK < 990 {
		t.Errorf("db served %d, want every request", db.OK)
	}
	if c := r.Workloads[0]; c.OK != 0 {
		t.Errorf("client got %d replies through a cut reply path", c.OK)
	}
}

func TestLossDropsTheRightFraction(t *testing.T) {
	topo := steady(t, 1000, 100*sim.Millisecond)
	topo.Faults = []Fault{{Verb: FaultLoss, P: 0.1, Target: Target{From: "api", To: "db"}}}
	r := run(t, topo, Options{Until: 20 * sim.Second})
	c := r.Workloads[0]
	// Each call crosses twice: it fails with probability 1 - 0.9^2 = 0.19.
	p := float64(c.Timeout) / float64(c.Completed())
	sd := math.Sqrt(0.19 * 0.81 / float64(c.Completed()))
	if math.Abs(p-0.19) > 4*sd {
		t.Errorf("timeout fraction %.4f, want 0.19 ± %.4f", p, 4*sd)
	}
}

func TestBlackholeHangsOrClosesAfter(t *testing.T) {
	s := sim.Second
	topo := steady(t, 100, 2*s)
	topo.Faults = []Fault{{Verb: FaultBlackhole, Target: Target{To: "db"}, Start: 0, Duration: 5 * s},
		{Verb: FaultBlackhole, Target: Target{To: "db"}, After: 300 * sim.Millisecond, Start: 10 * s, Duration: 5 * s}}
	r := run(t, topo, Options{Until: 20 * s, Windows: []WindowSpec{
		{Component: "client", From: 0, To: 3 * s}, {Component: "client", From: 10 * s, To: 15 * s}}})
	if w := windowOf(t, r, "client", 0, 3*s); w.OK != 0 || w.Error != 0 || w.Timeout != 99 {
		// Timeouts before 3 s are of the requests sent at 10 ms .. 990 ms.
		t.Errorf("hanging blackhole: %+v, want only timeouts", w.Counts)
	}
	// Errors come 300 ms after sending: those sent at 10 s .. 14.7 s.
	if w := windowOf(t, r, "client", 10*s, 15*s); w.Error != 470 || w.Timeout != 0 {
		t.Errorf("blackhole with after: %+v, want errors", w.Counts)
	}
}

func TestCrashRefusesAndRestarts(t *testing.T) {
	s := sim.Second
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "client", Target: "api", Rate: 100, Arrivals: Constant}},
		Services: []ServiceSpec{{Name: "api", Instances: 2, Workers: 4, Queue: Unbounded,
			Ops: []OpSpec{{Name: "get", Steps: []Step{work(constant(t, 5*sim.Millisecond))}}}}},
	}
	topo.Faults = []Fault{{Verb: FaultCrash, Target: Target{Component: "api", Instances: Instances{Mode: SelectOne, N: 1}},
		Start: 10 * s, Duration: 20 * s, Restart: 5 * s}}
	r := run(t, topo, Options{Until: 30 * s, Windows: []WindowSpec{
		{Component: "client", From: 10 * s, To: 15 * s}, {Component: "client", From: 16 * s, To: 30 * s}}})
	// Round robin sends every other request to the dead instance.
	if w := windowOf(t, r, "client", 10*s, 15*s); w.Error < 248 || w.Error > 252 || w.OK < 248 {
		t.Errorf("one of two instances down: %+v, want half errors", w.Counts)
	}
	if w := windowOf(t, r, "client", 16*s, 30*s); w.Error != 0 {
		t.Errorf("after the restart: %+v, want no errors", w.Counts)
	}
	if sv := r.Services[0]; sv.Refused < 248 || sv.Little.RelErr() > 0.01 {
		t.Errorf("service: refused %d, Little off by %.2f%%", sv.Refused, 100*sv.Little.RelErr())
	}
}

func TestCrashResetsCallsInFlight(t *testing.T) {
	s := sim.Second
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "client", Target: "api", Rate: 3, Arrivals: Poisson}},
		Services:  []ServiceSpec{service("api", 1, Unbounded, work(exp(t, 250*sim.Millisecond)))},
	}
	topo.Faults = []Fault{{Verb: FaultCrash, Target: Target{Component: "api"}, Start: 5 * s, Duration: 5 * s}}
	r := run(t, topo, Options{Until: 20 * s})
	c, sv := r.Workloads[0], r.Services[0]
	// At 5 s whatever is running or waiting fails at once, then 5 s of
	// refusals; the books still balance.
	if c.Arrivals != c.Completed()+c.InFlight {
		t.Errorf("unbalanced: %+v in flight %d", c.Counts, c.InFlight)
	}
	if sv.Arrivals != sv.Completed()+sv.InFlight {
		t.Errorf("service books: %+v in flight %d", sv.Counts, sv.InFlight)
	}
	if c.Error < 10 || sv.Refused < 8 {
		t.Errorf("errors %d, refused %d: want about 15 refusals", c.Error, sv.Refused)
	}
	if e := sv.Little.RelErr(); e > 0.05 {
		t.Errorf("Little's law off by %.1f%% across a crash", 100*e)
	}
}

func TestPauseStallsWorkAndHoldsReplies(t *testing.T) {
	s, ms := sim.Second, sim.Millisecond
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "client", Target: "api", Rate: 10, Arrivals: Constant}},
		Services:  []ServiceSpec{service("api", 1, Unbounded, work(constant(t, 50*ms)))},
	}
	// Requests arrive at 100, 200, ... ms. The one arriving at 5.0 s has
	// done 20 ms of its 50 ms when the world stops for 800 ms at 5.02 s.
	topo.Faults = []Fault{{Verb: FaultPause, Target: Target{Component: "api"}, Start: 5*s + 20*ms, Duration: 800 * ms}}
	r := run(t, topo, Options{Until: 10 * s, Windows: []WindowSpec{
		{Component: "client", From: 5*s + 30*ms, To: 5*s + 820*ms}, {Component: "client", From: 0, To: 10 * s}}})
	if w := windowOf(t, r, "client", 5*s+30*ms, 5*s+820*ms); w.OK != 0 {
		t.Errorf("%d replies during the pause", w.OK)
	}
	all := windowOf(t, r, "client", 0, 10*s)
	// The interrupted request finishes 800 ms late: 850 ms in all.
	if got := all.Latency.Max; math.Abs(got-0.850) > 0.001 {
		t.Errorf("max latency %.4fs, want 0.850s", got)
	}
}

func TestSlowFactorsMultiply(t *testing.T) {
	s := sim.Second
	topo := steady(t, 100, 0)
	topo.Faults = []Fault{
		{Verb: FaultSlow, Factor: 2, Target: Target{Component: "db"}, Start: 10 * s, Duration: 20 * s},
		{Verb: FaultSlow, Factor: 3, Target: Target{Component: "db"}, Start: 20 * s, Duration: 20 * s},
	}
	r := run(t, topo, Options{Until: 50 * s, Windows: spans("db", 10*s, 5)})
	for i, want := range []float64{0.001, 0.002, 0.006, 0.003, 0.001} {
		if got := windowOf(t, r, "db", sim.Time(i)*10*s, sim.Time(i+1)*10*s).Latency.P50; math.Abs(got-want) > 0.0001 {
			t.Errorf("window %d: db latency %.4fs, want %.3fs", i, got, want)
		}
	}
}

func TestErrorsFaultFailsAFractionFast(t *testing.T) {
	topo := steady(t, 1000, 0)
	topo.Faults = []Fault{{Verb: FaultErrors, P: 0.2, Target: Target{Component: "db"}}}
	r := run(t, topo, Options{Until: 20 * sim.Second})
	c := r.Workloads[0]
	p := float64(c.Error) / float64(c.Completed())
	sd := math.Sqrt(0.2 * 0.8 / float64(c.Completed()))
	if math.Abs(p-0.2) > 4*sd {
		t.Errorf("error fraction %.4f, want 0.2 ± %.4f", p, 4*sd)
	}
	if db := r.Services[1]; db.Refused != db.Error {
		t.Errorf("db errors %d, refused %d: injected errors never take a worker", db.Error, db.Refused)
	}
}

func TestErrorsForSomeKeysHitTheSameUsers(t *testing.T) {
	exp1 := exp(t, sim.Second)
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "users", Target: "api", Users: 200, Think: exp1}},
		Services:  []ServiceSpec{service("api", 0, Unbounded, work(constant(t, sim.Millisecond)))},
	}
	topo.Faults = []Fault{{Verb: FaultErrors, P: 1, Keys: 0.25, Target: Target{Component: "api"}}}
	eng := sim.NewEngine(3)
	m, err := New(eng, topo, Options{Until: 100 * sim.Second})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	m.Advance(100 * sim.Second)
	// Every request of an affected user fails and no other does: per
	// user, all or nothing.
	hit := 0
	for _, u := range m.workloads[0].users {
		if float64(u.key) < 0.25*(1<<32) {
			hit++
		}
	}
	c := m.Result(false).Workloads[0]
	frac := float64(c.Error) / float64(c.Completed())
	if want := float64(hit) / 200; math.Abs(frac-want) > 0.03 {
		t.Errorf("error fraction %.3f, want about %.3f (%d of 200 users)", frac, want, hit)
	}
	if hit < 30 || hit > 70 {
		t.Errorf("%d of 200 users in a quarter of the key space", hit)
	}
}

func TestSpikeAndRampMultiplyTheRate(t *testing.T) {
	s := sim.Second
	topo := steady(t, 100, 0)
	topo.Workloads[0].Arrivals = Poisson
	topo.Faults = []Fault{
		{Verb: FaultSpike, Factor: 3, Target: Target{Component: "client"}, Start: 10 * s, Duration: 10 * s},
		{Verb: FaultRamp, Factor: 2, Over: 10 * s, Target: Target{Component: "client"}, Start: 30 * s, Duration: 20 * s},
	}
	r := run(t, topo, Options{Until: 60 * s, Windows: spans("client", 10*s, 6)})
	// Expected arrivals per window: 1000, 3000 (spike), 1000, 1500 (ramp
	// 1 -> 2), 2000 (held), 1000. Poisson: sd = sqrt(mean).
	for i, want := range []float64{1000, 3000, 1000, 1500, 2000, 1000} {
		got := float64(windowOf(t, r, "client", sim.Time(i)*10*s, sim.Time(i+1)*10*s).Arrivals)
		if math.Abs(got-want) > 4*math.Sqrt(want) {
			t.Errorf("window %d: %v arrivals, want %v ± %.0f", i, got, want, 4*math.Sqrt(want))
		}
	}
}

func TestConditionalFaultStartsWhenItHolds(t *testing.T) {
	s := sim.Second
	topo := steady(t, 100, 0)
	topo.Faults = []Fault{
		{Name: "surge", Verb: FaultSpike, Factor: 50, Target: Target{Component: "client"}, Start: 10 * s, Duration: 5 * s},
		{Name: "react", Verb: FaultSlow, Factor: 2, Target: Target{Component: "db"}, Start: 0,
			When: func(p Probe) bool { return p.Value("client", "rate") > 1000 }},
	}
	r := run(t, topo, Options{Until: 20 * s})
	got := r.Faults[1]
	// The spike starts at 10 s; the first whole interval above 1000/s ends
	// at 11 s and is seen by the next 100 ms check.
	if got.State != FaultActive || got.Start < 11*s || got.Start > 11*s+100*sim.Millisecond {
		t.Errorf("conditional fault %+v, want active from 11 s", got)
	}
}

func TestLiveInjectionReplaysLikeTheTimeline(t *testing.T) {
	s := sim.Second
	f := Fault{Name: "slow-db", Verb: FaultLatency, Target: Target{From: "api", To: "db"}, Duration: 5 * s, Latency: exp(t, 20*sim.Millisecond)}
	build := func() Topology {
		topo := steady(t, 200, 0)
		topo.Workloads[0].Arrivals = Poisson
		return topo
	}
	// By hand: run to 7 s, inject, clear the pending one never started.
	eng := sim.NewEngine(9)
	m, err := New(eng, build(), Options{Until: 20 * s})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	m.Advance(7 * s)
	if _, err := m.Inject(f); err != nil {
		t.Fatal(err)
	}
	m.Advance(20 * s)
	live := m.Result(false)

	// Written down with the instant it was injected at, and replayed.
	topo := build()
	f.Start = 7 * s
	topo.Faults = []Fault{f}
	eng2 := sim.NewEngine(9)
	m2, _ := New(eng2, topo, Options{Until: 20 * s})
	m2.Start()
	m2.Advance(20 * s)
	replay := m2.Result(false)
	if live.Workloads[0].Latency != replay.Workloads[0].Latency || live.Workloads[0].Counts != replay.Workloads[0].Counts {
		t.Errorf("live %+v\nreplay %+v", live.Workloads[0], replay.Workloads[0])
	}
}

func TestClearRevertsEarly(t *testing.T) {
	s := sim.Second
	eng := sim.NewEngine(1)
	m, err := New(eng, steady(t, 100, 0), Options{Until: 30 * s, Windows: spans("client", 10*s, 3)})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	id, err := m.Inject(Fault{Verb: FaultLatency, Target: Target{From: "api", To: "db"}, Start: 10 * s, Latency: constant(t, 100*sim.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	m.Advance(20 * s)
	if !m.Clear(id) || m.Clear(id) {
		t.Fatal("Clear should succeed once")
	}
	m.Advance(10 * s)
	r := m.Result(false)
	for i, want := range []float64{0.002, 0.102, 0.002} {
		if got := windowOf(t, r, "client", sim.Time(i)*10*s, sim.Time(i+1)*10*s).Latency.P50; math.Abs(got-want) > 0.001 {
			t.Errorf("window %d: %.4fs, want %.3fs", i, got, want)
		}
	}
	if _, err := m.Inject(Fault{Verb: FaultCrash, Target: Target{Component: "nope"}}); err == nil {
		t.Error("a fault on an unknown service was accepted")
	}
}

// Overlapping hot_key faults: while both are on, the newer rules; when one
// ends the other rules again; when both have ended no key is hot.
func TestOverlappingHotKeysRestoreCorrectly(t *testing.T) {
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 100, Keys: KeySpec{Kind: KeysUniform, N: 1000}}},
		Services:  []ServiceSpec{service("s", 0, Unbounded, work(constant(t, sim.Millisecond)))},
		Faults: []Fault{
			{Verb: FaultHotKey, Start: 1 * sim.Second, Duration: 2 * sim.Second, P: 0.5, Key: 7, Target: Target{Component: "w"}},
			{Verb: FaultHotKey, Start: 2 * sim.Second, Duration: 2 * sim.Second, P: 0.9, Key: 8, Target: Target{Component: "w"}},
		},
	}
	for _, c := range []struct {
		at    sim.Time
		share float64
		key   uint32
	}{{1500 * sim.Millisecond, 0.5, 7}, {2500 * sim.Millisecond, 0.9, 8}, {3500 * sim.Millisecond, 0.9, 8}, {4500 * sim.Millisecond, 0, 0}} {
		m, err := New(sim.NewEngine(1), topo, Options{Until: c.at})
		if err != nil {
			t.Fatal(err)
		}
		m.Start()
		for !m.Advance(10 * sim.Second) {
		}
		if k := m.workloads[0].keyed; k.hotShare != c.share || (c.share > 0 && k.hotKey != c.key) {
			t.Errorf("at %s: key %d takes %.0f%%, want key %d at %.0f%%", c.at, k.hotKey, 100*k.hotShare, c.key, 100*c.share)
		}
	}
	// Ended in the other order: the first ends last.
	topo.Faults[0].Duration = 4 * sim.Second
	m, err := New(sim.NewEngine(1), topo, Options{Until: 4500 * sim.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	for !m.Advance(10 * sim.Second) {
	}
	if k := m.workloads[0].keyed; k.hotShare != 0.5 || k.hotKey != 7 {
		t.Errorf("after the newer ended: key %d at %.0f%%, want key 7 at 50%%", k.hotKey, 100*k.hotShare)
	}
}

package models

import (
	"math"
	"testing"

	"cascade/sim"
	"cascade/sim/dist"
)

func exp(t *testing.T, mean sim.Time) dist.Dist {
	d, err := dist.NewExponential(mean)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func constant(t *testing.T, v sim.Time) dist.Dist {
	d, err := dist.NewConstant(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func work(d dist.Dist) Step { return Step{Kind: Work, Work: d} }

func callTo(svc string) Step { return Step{Kind: Call, Target: svc} }

func service(name string, workers, queue int, steps ...Step) ServiceSpec {
	return ServiceSpec{Name: name, Instances: 1, Workers: workers, Queue: queue, Ops: []OpSpec{{Name: "default", Steps: steps}}}
}

func run(t *testing.T, topo Topology, opt Options) Result {
	t.Helper()
	eng := sim.NewEngine(1)
	m, err := New(eng, topo, opt)
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	for !m.Advance(10 * sim.Second) {
	}
	return m.Result(true)
}

func TestMM1AgreesWithTheory(t *testing.T) {
	// M/M/1, λ = 80/s, μ = 100/s: W = 1/(μ-λ) = 50 ms, L = ρ/(1-ρ) = 4.
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 80}},
		Services:  []ServiceSpec{service("s", 1, Unbounded, work(exp(t, 10*sim.Millisecond)))},
	}
	r := run(t, topo, Options{Until: 2000 * sim.Second, Warmup: 100 * sim.Second})
	s := r.Services[0]
	// One long run: the batch-means standard error of W at this length is
	// about 2%, so 8% is a loose bound that still catches a wrong model.
	if got := s.Latency.Mean; math.Abs(got-0.050)/0.050 > 0.08 {
		t.Errorf("mean response %.4fs, want 0.050 ± 8%%", got)
	}
	if got := s.Utilization; math.Abs(got-0.8) > 0.02 {
		t.Errorf("utilization %.3f, want 0.80", got)
	}
	if e := s.Little.RelErr(); e > 0.01 {
		t.Errorf("Little's law off by %.2f%%: L=%v λW=%v", 100*e, s.Little.L, s.Little.LambdaW)
	}
	w := r.Workloads[0]
	if w.OK != s.OK {
		t.Errorf("workload saw %d ok, service %d", w.OK, s.OK)
	}
	// Requests in flight across the end of warm-up count as arrivals of the
	// measured span: the books balance exactly.
	if w.Arrivals != w.Completed()+w.InFlight || s.Arrivals != s.Completed()+s.InFlight {
		t.Errorf("arrivals do not balance: workload %+v in flight %d; service %+v in flight %d", w.Counts, w.InFlight, s.Counts, s.InFlight)
	}
	if len(w.Series) != 2000 || len(s.Series) != 2000 {
		t.Errorf("series lengths %d %d, want 2000", len(w.Series), len(s.Series))
	}
}

func TestQueueBoundRejects(t *testing.T) {
	// Constant 1 arrival / 10ms, service 25 ms, one worker, no queue: two of
	// every five arrivals find the worker free... exactly: the worker takes
	// arrivals at 0, 30, 60 ms (every third), so 2/3 are rejected.
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 100, Arrivals: Constant, Limit: 300}},
		Services:  []ServiceSpec{service("s", 1, 0, work(constant(t, 25*sim.Millisecond)))},
	}
	r := run(t, topo, Options{})
	w := r.Workloads[0]
	if w.OK != 100 || w.Rejected != 200 {
		t.Fatalf("ok %d rejected %d, want 100 and 200", w.OK, w.Rejected)
	}
	if w.Arrivals != 300 || r.Now > 4*sim.Second {
		t.Fatalf("arrivals %d, ended at %v", w.Arrivals, r.Now)
	}
}

func TestTimeoutLeavesWorkRunning(t *testing.T) {
	// Each request takes 100ms; the client gives up after 50ms. The client
	// sees only timeouts, the server still completes every request late.
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 5, Arrivals: Constant, Limit: 10, Timeout: 50 * sim.Millisecond}},
		Services:  []ServiceSpec{service("s", 1, Unbounded, work(constant(t, 100*sim.Millisecond)))},
	}
	// An explicit end: a run without one stops at the last reply the
	// workload hears, before the server finishes the last request.
	r := run(t, topo, Options{Until: 5 * sim.Second})
	w, s := r.Workloads[0], r.Services[0]
	if w.Timeout != 10 || w.OK != 0 {
		t.Fatalf("workload ok %d timeout %d", w.OK, w.Timeout)
	}
	if s.OK != 10 || s.Late != 10 {
		t.Fatalf("service ok %d late %d, want 10 and 10", s.OK, s.Late)
	}
}

func TestCallsFailUpstreamAndLinksAddLatency(t *testing.T) {
	// api -> db over a 10ms round trip; db fails half the time; api's op
	// fails when the call does.
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "api", Rate: 100, Arrivals: Constant, Limit: 2000}},
		Services: []ServiceSpec{
			service("api", 0, Unbounded, work(constant(t, sim.Millisecond)), callTo("db")),
			service("db", 0, Unbounded, Step{Kind: Fail, FailP: 0.5}, work(constant(t, 2*sim.Millisecond))),
		},
		Links: []LinkSpec{{From: "api", To: "db", Latency: constant(t, 10*sim.Millisecond)}},
	}
	r := run(t, topo, Options{})
	w := r.Workloads[0]
	if w.OK+w.Error != 2000 || math.Abs(float64(w.Error)/2000-0.5) > 0.05 {
		t.Fatalf("ok %d error %d: want about half errors", w.OK, w.Error)
	}
	// OK latency: 1ms work + 10ms link + 2ms db work.
	if got := w.Latency.Mean; math.Abs(got-0.013) > 1e-9 {
		t.Fatalf("ok latency %v, want exactly 13ms", got)
	}
}

func TestParallelAllFirstRepeatAndBranch(t *testing.T) {
	fast := service("fast", 0, Unbounded, work(constant(t, 5*sim.Millisecond)))
	fast.Name = "fast"
	slow := service("slow", 0, Unbounded, work(constant(t, 50*sim.Millisecond)))
	slow.Name = "slow"
	cases := []struct {
		name string
		step Step
		want float64
	}{
		{"all waits for the slowest", Step{Kind: Parallel, Children: []Step{callTo("fast"), callTo("slow")}}, 0.050},
		{"first takes the fastest", Step{Kind: Parallel, WaitFirst: true, Children: []Step{callTo("slow"), callTo("fast")}}, 0.005},
		{"repeat is sequential", Step{Kind: Call, Target: "fast", Repeat: 4}, 0.020},
		{"branch with p=1", Step{Kind: Branch, Branches: []BranchSpec{{P: 1, Steps: []Step{callTo("slow"), callTo("fast")}}}}, 0.055},
		{"branch with p=0 does nothing", Step{Kind: Branch, Branches: []BranchSpec{{P: 0, Steps: []Step{callTo("slow")}}}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			topo := Topology{
				Workloads: []WorkloadSpec{{Name: "w", Target: "api", Rate: 10, Arrivals: Constant, Limit: 20}},
				Services:  []ServiceSpec{service("api", 0, Unbounded, c.step), fast, slow},
			}
			r := run(t, topo, Options{})
			w := r.Workloads[0]
			if w.OK != 20 || math.Abs(w.Latency.Mean-c.want) > 1e-9 {
				t.Fatalf("ok %d mean %v, want 20 and %v", w.OK, w.Latency.Mean, c.want)
			}
		})
	}
}

func TestClosedLoopThroughput(t *testing.T) {
	// N users, think Z, service S on unlimited workers: X = N/(Z+S) exactly
	// in the long run (interactive response time law).
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "users", Target: "s", Users: 10, Think: exp(t, 90*sim.Millisecond)}},
		Services:  []ServiceSpec{service("s", 0, Unbounded, work(constant(t, 10*sim.Millisecond)))},
	}
	r := run(t, topo, Options{Until: 200 * sim.Second, Warmup: 10 * sim.Second})
	if got, want := r.Workloads[0].Goodput, 10/0.1; math.Abs(got-want)/want > 0.03 {
		t.Fatalf("throughput %.2f/s, want %.0f/s", got, want)
	}
}

func TestBalancersSpreadLoad(t *testing.T) {
	for _, b := range []Balancer{RoundRobin, Random, LeastRequest, P2C} {
		t.Run(b.String(), func(t *testing.T) {
			s := service("s", 1, Unbounded, work(exp(t, 10*sim.Millisecond)))
			s.Instances, s.Balancer = 4, b
			topo := Topology{Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 280}}, Services: []ServiceSpec{s}}
			r := run(t, topo, Options{Until: 300 * sim.Second, Warmup: 20 * sim.Second})
			if u := r.Services[0].Utilization; math.Abs(u-0.7) > 0.03 {
				t.Fatalf("utilization %.3f, want 0.70", u)
			}
		})
	}
}

func TestBalancerQualityOrdering(t *testing.T) {
	// With 10 single-worker instances at ρ = 0.9, joining the shortest queue
	// beats two choices, which beats random by far (supermarket model:
	// T_1 = 10, T_2 ≈ 2.61 service times for n → ∞).
	mean := map[Balancer]float64{}
	for _, b := range []Balancer{Random, P2C, LeastRequest} {
		s := service("s", 1, Unbounded, work(exp(t, 10*sim.Millisecond)))
		s.Instances, s.Balancer = 10, b
		topo := Topology{Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 900}}, Services: []ServiceSpec{s}}
		mean[b] = run(t, topo, Options{Until: 1000 * sim.Second, Warmup: 50 * sim.Second}).Services[0].Latency.Mean
	}
	if !(mean[LeastRequest] < mean[P2C] && mean[P2C] < mean[Random]/2) {
		t.Fatalf("means: least_request %v p2c %v random %v", mean[LeastRequest], mean[P2C], mean[Random])
	}
	// Waiting times at ρ = 0.9 are strongly autocorrelated; over ~10^6
	// customers the mean is known to a few percent, so 10% is safe.
	if r := mean[Random]; math.Abs(r-0.1)/0.1 > 0.10 {
		t.Fatalf("random balancing is 10 independent M/M/1 queues: want 100ms, got %v", r)
	}
}

func TestLIFOServesNewestFirst(t *testing.T) {
	// A burst queued behind a long request: under LIFO the last arrival is
	// served first, so the maximum wait is far larger than under FIFO while
	// the mean is the same.
	var means, maxes [2]float64
	for i, d := range []Discipline{FIFO, LIFO} {
		s := service("s", 1, Unbounded, work(exp(t, 10*sim.Millisecond)))
		s.Discipline = d
		topo := Topology{Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 90}}, Services: []ServiceSpec{s}}
		r := run(t, topo, Options{Until: 500 * sim.Second, Warmup: 20 * sim.Second}).Services[0]
		means[i], maxes[i] = r.Latency.Mean, r.Latency.Max
	}
	if math.Abs(means[0]-means[1])/means[0] > 0.15 || maxes[1] < 2*maxes[0] {
		t.Fatalf("fifo mean %v max %v; lifo mean %v max %v", means[0], maxes[0], means[1], maxes[1])
	}
}

func TestRateFunctionFollowsTheCurve(t *testing.T) {
	// Rate 0 for the first 10s, then 200/s: the arrivals follow the step.
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", RateFunc: func(t float64) float64 {
			if t < 10 {
				return 0
			}
			return 200
		}}},
		Services: []ServiceSpec{service("s", 0, Unbounded, work(constant(t, sim.Millisecond)))},
	}
	r := run(t, topo, Options{Until: 30 * sim.Second})
	series := r.Workloads[0].Series
	var early, late int64
	for _, p := range series {
		if p.T <= 10*sim.Second {
			early += p.Arrivals
		} else {
			late += p.Arrivals
		}
	}
	// 20 s at 200/s: Poisson count 4000 ± 63 (one sd); allow 4 sd.
	if early != 0 || math.Abs(float64(late)-4000) > 4*63 {
		t.Fatalf("arrivals before 10s %d, after %d (want 0 and ~4000)", early, late)
	}
}

func TestSameSeedSameResult(t *testing.T) {
	topo := func() Topology {
		return Topology{
			Workloads: []WorkloadSpec{{Name: "w", Target: "a", Rate: 50}},
			Services: []ServiceSpec{
				service("a", 2, 10, work(exp(t, 10*sim.Millisecond)), Step{Kind: Parallel, Children: []Step{callTo("b"), callTo("b")}}),
				service("b", 4, Unbounded, work(exp(t, 5*sim.Millisecond))),
			},
		}
	}
	a := run(t, topo(), Options{Until: 60 * sim.Second})
	b := run(t, topo(), Options{Until: 60 * sim.Second})
	if a.Workloads[0].Latency != b.Workloads[0].Latency || a.Services[1].Counts != b.Services[1].Counts {
		t.Fatal("same seed gave different results")
	}
}

// BenchmarkMMc is the M/M/8 benchmark model at ρ = 0.9 (μ = 1/ms) through
// the model layer, without YAML: one op = 1000 customers.
func BenchmarkMMc(b *testing.B) {
	d, _ := dist.NewExponential(sim.Millisecond)
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 7200, Limit: int64(b.N) * 1000}},
		Services:  []ServiceSpec{{Name: "s", Instances: 1, Workers: 8, Queue: Unbounded, Ops: []OpSpec{{Name: "default", Steps: []Step{{Kind: Work, Work: d}}}}}},
	}
	eng := sim.NewEngine(1)
	m, _ := New(eng, topo, Options{})
	b.ReportAllocs()
	b.ResetTimer()
	m.Start()
	for !m.Advance(sim.Hour) {
	}
	b.StopTimer()
	b.ReportMetric(float64(eng.Fired())/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(m.Result(false).Workloads[0].Latency.Mean*1000, "W_ms")
}

// TestHeadlessSkipsWhatNothingReads: a headless run that keeps no series
// keeps only the last interval, skips the interval histograms and, with
// nothing keyed, the key draws, and its totals are exactly those of a full
// run; a conditional fault keeps the quantiles it may read, and anything
// keyed keeps the keys.
func TestHeadlessSkipsWhatNothingReads(t *testing.T) {
	topo := func(faults ...Fault) Topology {
		return Topology{
			Workloads: []WorkloadSpec{{Name: "w", Target: "a", Rate: 200}},
			Services: []ServiceSpec{
				service("a", 2, Unbounded, work(exp(t, 4*sim.Millisecond)), callTo("b")),
				service("b", 4, Unbounded, work(exp(t, 5*sim.Millisecond))),
			},
			Faults: faults,
		}
	}
	lean := Options{Until: 30 * sim.Second, NoSeries: true, Headless: true}
	full := run(t, topo(), Options{Until: 30 * sim.Second})
	got := run(t, topo(), lean)
	for i := range full.Services {
		if got.Services[i].Latency != full.Services[i].Latency || got.Services[i].Counts != full.Services[i].Counts {
			t.Errorf("service %d: headless %+v, full %+v", i, got.Services[i].Latency, full.Services[i].Latency)
		}
	}
	if got.Workloads[0].Latency != full.Workloads[0].Latency {
		t.Errorf("workload: headless %+v, full %+v", got.Workloads[0].Latency, full.Workloads[0].Latency)
	}
	last := func(r Result) Point { s := r.Workloads[0].Series; return s[len(s)-1] }
	if n := len(got.Workloads[0].Series); n != 1 {
		t.Errorf("headless series keep %d intervals, want the last one only", n)
	}
	p, q := last(got), last(full)
	if !math.IsNaN(p.P99) || math.IsNaN(q.P99) || p.Outcomes != q.Outcomes || p.T != q.T {
		t.Errorf("last interval: headless p99 %v %v, full p99 %v %v; want NaN, a number, same counts", p.P99, p.Outcomes, q.P99, q.Outcomes)
	}
	when := Fault{Name: "late", Verb: FaultSlow, Factor: 2, Target: Target{Component: "b"}, Start: 0,
		When: func(p Probe) bool { return p.Value("w", "p99") > 10 }} // what it holds does not matter, only that it reads p99
	if p := last(run(t, topo(when), lean)); math.IsNaN(p.P99) {
		t.Error("a conditional fault may read p99, but the series lost it")
	}

	keyed := func(topo Topology, opt Options) bool {
		m, err := New(sim.NewEngine(1), topo, opt)
		if err != nil {
			t.Fatal(err)
		}
		return m.keysRead
	}
	errs := Fault{Name: "e", Verb: FaultErrors, P: 0.5, Keys: 0.1, Target: Target{Component: "b"}, Start: sim.Second, Duration: sim.Second}
	for _, c := range []struct {
		name string
		topo Topology
		opt  Options
		want bool
	}{
		{"headless, nothing keyed", topo(), lean, false},
		{"live injection possible", topo(), Options{}, true},
		{"an errors fault on some keys", topo(errs), lean, true},
	} {
		if got := keyed(c.topo, c.opt); got != c.want {
			t.Errorf("%s: keys read %v, want %v", c.name, got, c.want)
		}
	}
}

package selftest

import (
	"math"
	"strings"
	"testing"
	"time"

	"cascade/models"
	"cascade/models/theory"
	"cascade/scenarios"
	"cascade/sim"
)

// TestSelftest is the full self-test with the default options, exactly what
// `cascade selftest` runs: every
// row must pass, and every model must be there with the metrics it
// promises.
func TestSelftest(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the full self-test runs without it; TestRunJobsInParallel covers the concurrency")
	}
	opt, reps := Options{}, defaultReplications
	start := time.Now()
	calls, last := 0, 0
	rows, err := Run(opt, func(done, total int) {
		calls++
		if done != last+1 || total != 6*reps {
			t.Errorf("progress(%d, %d) after %d", done, total, last)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d replications in %v", calls, time.Since(start))
	for _, r := range rows {
		t.Logf("%-28s %-22s %-2s theory %10.5g  sim %10.5g ± %-9.3g %+7.3f%%  pass=%v",
			r.Model, r.Metric, r.Unit, r.Theory, r.Mean, r.Half, 100*r.RelErr, r.Pass)
		if !r.Pass {
			t.Errorf("FAIL %s %s: theory %g, simulated %g ± %g (%+.2f%%)", r.Model, r.Metric, r.Theory, r.Mean, r.Half, 100*r.RelErr)
		}
	}
	// Every model, each with the metrics it is checked on, Little last.
	want := []struct{ model, metrics string }{
		{"M/M/1 rho=0.8", "mean response, p99 response, mean queue Lq"},
		{"M/M/10 rho=0.9 (Erlang C)", "mean response, p99 response, mean queue Lq"},
		{"M/D/1 rho=0.8", "mean response, mean queue Lq"},
		{"M/G/1 cs2=0.25 rho=0.8", "mean response, mean queue Lq"},
		{"M/M/10/10 A=8 (Erlang B)", "P(block), mean response, utilization"},
		{"M/M/1/10 rho=0.8", "P(block), mean response, mean queue Lq, utilization"},
	}
	var got []string
	for i, r := range rows {
		if i == 0 || rows[i-1].Model != r.Model {
			got = append(got, r.Model+":")
		}
		got[len(got)-1] += " " + r.Metric + ","
	}
	var exp []string
	for _, w := range want {
		exp = append(exp, w.model+": "+w.metrics+", Little L vs lambda W,")
	}
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
}

// TestRunJobsInParallel: replications run on every core give each seed the
// result it gives alone, in seed order, whatever finishes first. Short
// runs, so that the race detector can afford it.
func TestRunJobsInParallel(t *testing.T) {
	p := mustLoad(t, "theory-mm1")
	jobs := p.jobs(Options{Replications: 6, Seed: 1})
	for i := range jobs {
		jobs[i].opt.Until, jobs[i].opt.Warmup = 20*sim.Second, 2*sim.Second
	}
	var progress []int
	got, err := runJobs(jobs, func(done, total int) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != len(jobs) || progress[len(progress)-1] != len(jobs) {
		t.Errorf("progress %v for %d jobs", progress, len(jobs))
	}
	for i, j := range jobs {
		alone, err := j.run()
		if err != nil {
			t.Fatal(err)
		}
		a, b := alone.Services[0], got[i].Services[0]
		if a.Counts.OK == 0 || a.Counts != b.Counts || a.Latency.Mean != b.Latency.Mean || a.Latency.P99 != b.Latency.P99 || a.MeanQueue != b.MeanQueue {
			t.Errorf("seed %d: alone %+v mean %v, in parallel %+v mean %v", j.seed, a.Counts, a.Latency.Mean, b.Counts, b.Latency.Mean)
		}
	}
}

// TestSelftestCoversLibrary: every theory-* scenario in the library is part
// of the self-test, so a new one cannot be added and silently never run.
func TestSelftestCoversLibrary(t *testing.T) {
	wired := map[string]bool{}
	for _, m := range theoryModels() {
		wired[m.scenario] = true
		if _, err := load(m); err != nil {
			t.Error(err)
		}
	}
	for _, e := range scenarios.Library() {
		if strings.HasPrefix(e.Name, "theory-") && !wired[e.Name] {
			t.Errorf("library scenario %s is not checked by the self-test", e.Name)
		}
	}
}

// TestSelftestCanFail runs the M/M/1 scenario at ρ = 0.8 exactly as the
// self-test does but judges it against the theory of other arrival rates.
// At ρ = 0.9 (W = 100 ms instead of 50) every theory row must fail; the
// check must also see a much smaller error, ρ = 0.82 (W = 55.6 ms, +11 %).
// Little's law, which does not depend on the theory, must still pass.
func TestSelftestCanFail(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: ten full replications")
	}
	p := mustLoad(t, "theory-mm1")
	results, err := runJobs(p.jobs(Options{Replications: defaultReplications, Seed: 1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := serviceResults(results, p.st.service)
	if err != nil {
		t.Fatal(err)
	}
	// The honest comparison passes...
	for _, r := range compare(p.name(p.st), p.want, reps) {
		if !r.Pass {
			t.Errorf("honest comparison: %s %s failed", r.Model, r.Metric)
		}
	}
	// ...and wrong theories fail.
	for _, lambda := range []float64{90, 82} {
		wrong := p.st
		wrong.lambda = lambda
		want, err := p.expect(wrong)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range compare(p.name(wrong), want, reps) {
			isLittle := r.Metric == "Little L vs lambda W"
			t.Logf("vs %s: %s theory %.4g sim %.4g ± %.3g pass=%v", r.Model, r.Metric, r.Theory, r.Mean, r.Half, r.Pass)
			if r.Pass != isLittle {
				t.Errorf("simulated rho=0.8 judged against %s: %s pass=%v", r.Model, r.Metric, r.Pass)
			}
		}
	}
}

// TestJudge pins the pass rule on synthetic replications: the half-width is
// t(0.9995, R−1)·s/√R, and quantiles get the histogram's 0.1 %.
func TestJudge(t *testing.T) {
	xs := []float64{9, 11, 10, 10, 9.5, 10.5, 10, 10, 9, 11} // mean 10, s = 0.7071
	const t9 = 4.780912585933                                // Student t quantile 0.9995, 9 d.f.
	half := t9 * math.Sqrt(0.5) / math.Sqrt(10)
	mean, h := interval(xs)
	if math.Abs(mean-10) > 1e-12 || math.Abs(h-half) > 1e-9 {
		t.Fatalf("interval = %v ± %v, want 10 ± %v", mean, h, half)
	}
	for _, c := range []struct {
		m      metric
		theory float64
		pass   bool
	}{
		{meanResponse, 10 + 0.99*half, true},
		{meanResponse, 10 - 1.01*half, false},
		{p99Response, 10 + half + 0.005, true}, // within the 0.1 % allowance (0.011)
		{p99Response, 10 + half + 0.02, false},
	} {
		if r := judge("x", c.m, c.theory, xs); r.Pass != c.pass {
			t.Errorf("%s vs theory %v: pass=%v, want %v", c.m.name(), c.theory, r.Pass, c.pass)
		}
	}
	if r := judge("x", meanResponse, 10, []float64{1, math.NaN(), 3}); r.Pass {
		t.Error("a replication without a value must fail the row")
	}
}

// TestLittleCanFail: one replication whose two sides of Little's law
// disagree by more than 0.1 % fails the row however good the others are.
func TestLittleCanFail(t *testing.T) {
	reps := make([]models.ServiceResult, 5)
	for i := range reps {
		reps[i].Little = models.Little{L: 4 + 0.01*float64(i), LambdaW: 4 + 0.01*float64(i)}
	}
	if r := little("x", reps); !r.Pass {
		t.Fatalf("consistent replications failed: %+v", r)
	}
	reps[3].Little.L *= 1.002
	if r := little("x", reps); r.Pass {
		t.Fatalf("a 0.2%% gap passed: %+v", r)
	}
}

// benchRuns runs the built-in benchmark scenario name (one workload of
// `limit` requests) as reps replications of `requests` requests each, with
// a warm-up, and returns each replication's workload result: what the
// clients saw, end to end. Every request that finishes after the warm-up
// counts, and a run ends when its last request is answered, so nothing is
// cut off at the end.
func benchRuns(t *testing.T, name string, limit, requests int64, warmup sim.Time, reps int) []models.WorkloadResult {
	t.Helper()
	data, ok := scenarios.Builtin(name)
	if !ok {
		t.Fatalf("no built-in %s", name)
	}
	sc, err := scenarios.Parse("builtin:"+name, data)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Duration != 0 || sc.Warmup != 0 {
		t.Errorf("%s: a benchmark runs its requests from an empty start: duration %v, warmup %v", name, sc.Duration, sc.Warmup)
	}
	jobs := make([]job, reps)
	for i := range jobs {
		top := sc.Topology()
		if len(top.Workloads) != 1 || top.Workloads[0].Limit != limit {
			t.Fatalf("%s should have one workload of %d requests: %+v", name, limit, top.Workloads)
		}
		top.Workloads[0].Limit = requests
		jobs[i] = job{top: top, seed: uint64(1 + i), opt: models.Options{Warmup: warmup}}
	}
	results, err := runJobs(jobs, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]models.WorkloadResult, reps)
	for i, r := range results {
		w := r.Workloads[0]
		if w.Completed() != w.OK || w.OK < requests/2 {
			t.Fatalf("%s replication %d: %+v", name, i, w.Counts)
		}
		out[i] = w
	}
	return out
}

// judgeWorkloads compares the workloads' mean response (ms) with theory by
// the self-test's rule, and logs the comparison.
func judgeWorkloads(t *testing.T, name string, m metric, theory float64, ws []models.WorkloadResult) {
	t.Helper()
	xs := make([]float64, len(ws))
	for i, w := range ws {
		xs[i] = 1000 * w.Latency.Mean
		if m == p99Response {
			xs[i] = 1000 * w.Latency.P99
		}
	}
	row := judge(name, m, theory, xs)
	t.Logf("%s %s: theory %.6f ms, simulated %.4f ± %.4f ms (%+.3f%%)", name, m.name(), row.Theory, row.Mean, row.Half, 100*row.RelErr)
	if !row.Pass {
		t.Errorf("%s %s: simulated %.4f ± %.4f ms, theory %.6f", name, m.name(), row.Mean, row.Half, theory)
	}
}

// TestBenchTandem runs benchmark model (ii), the four-station Jackson tandem
// of bench-tandem.yaml, with fewer requests per replication, and compares
// the mean end-to-end response with the exact 38.933788 ms (the sum of the
// stations' Erlang C response times, bench/analytic/table.md) by the
// self-test's 99.9 % Student-t rule. The theory is recomputed here from the
// station parameters too, so the YAML and the table must agree.
//
// The warm-up of 5 s (5,000 requests) is ~15 relaxation times of the
// slowest station (c: 4 servers at ρ = 0.9, τ ≈ 1/(cμ(1−√ρ)²) = 0.34 s).
func TestBenchTandem(t *testing.T) {
	reqs, reps := int64(205000), defaultReplications
	if testing.Short() {
		reqs, reps = 25000, 5
	}
	ws := benchRuns(t, "bench-tandem", 500000, reqs, 5*sim.Second, reps)
	sc, err := scenarios.Load("builtin:bench-tandem")
	if err != nil {
		t.Fatal(err)
	}
	w := 0.0
	top := sc.Topology()
	for _, s := range top.Services {
		if s.Name == "flow" {
			continue
		}
		st := station{lambda: top.Workloads[0].Rate, c: s.Workers, svc: s.Ops[0].Steps[0].Work, room: s.Queue}
		if err := st.need(1, math.MaxInt, models.Unbounded, true); err != nil {
			t.Fatalf("station %s: %v", s.Name, err)
		}
		w += theory.MMc(st.c, st.lambda, st.mu()).W
	}
	if math.Abs(1000*w-38.933788) > 5e-7 {
		t.Errorf("bench-tandem theory from its stations: %.6f ms, table.md says 38.933788", 1000*w)
	}
	judgeWorkloads(t, "Jackson tandem", meanResponse, 38.933788, ws)
}

// TestBenchMMc does the same for benchmark model (i), M/M/8 at ρ = 0.9:
// Erlang C gives W = 1.876916 ms and p99 = 7.087347 ms
// (bench/analytic/table.md). The 2 s warm-up is ~40 relaxation times
// (τ ≈ 1/(cμ(1−√ρ)²) = 47 ms).
func TestBenchMMc(t *testing.T) {
	reqs, reps := int64(414400), defaultReplications // 400,000 after the warm-up
	if testing.Short() {
		reqs, reps = 64400, 5
	}
	sc, err := scenarios.Load("builtin:bench-mmc")
	if err != nil {
		t.Fatal(err)
	}
	st, err := stationOf(sc.Topology())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.need(8, 8, models.Unbounded, true); err != nil {
		t.Fatal(err)
	}
	m := theory.MMc(st.c, st.lambda, st.mu())
	p99 := theory.MMcResponseQuantile(0.99, st.c, st.lambda, st.mu())
	if math.Abs(1000*m.W-1.876916) > 5e-7 || math.Abs(1000*p99-7.087347) > 5e-7 {
		t.Errorf("bench-mmc theory: W %.6f ms, p99 %.6f ms; table.md says 1.876916 and 7.087347", 1000*m.W, 1000*p99)
	}
	ws := benchRuns(t, "bench-mmc", 2000000, reqs, 2*sim.Second, reps)
	judgeWorkloads(t, "M/M/8 benchmark", meanResponse, 1.876916, ws)
	judgeWorkloads(t, "M/M/8 benchmark", p99Response, 7.087347, ws)
}

func mustLoad(t *testing.T, name string) *plan {
	t.Helper()
	for _, m := range theoryModels() {
		if m.scenario == name {
			p, err := load(m)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	t.Fatalf("no model %s", name)
	return nil
}

// TestTheoryAssumptions: a scenario that no longer matches its formula's
// assumptions is an error, not a silent comparison with the wrong theory.
func TestTheoryAssumptions(t *testing.T) {
	mm1 := mustLoad(t, "theory-mm1")
	md1 := mustLoad(t, "theory-md1")
	mmc := mustLoad(t, "theory-mmc")
	for name, c := range map[string]struct {
		p  *plan
		st func(station) station
	}{
		"M/M/1 with constant service": {mm1, func(s station) station { s.svc = md1.st.svc; return s }},
		"M/M/1 with two workers":      {mm1, func(s station) station { s.c = 2; return s }},
		"M/M/1 with a finite queue":   {mm1, func(s station) station { s.room = 5; return s }},
		"M/M/1 at rho = 1":            {mm1, func(s station) station { s.lambda = 100; return s }},
		"M/D/1 with exp service":      {md1, func(s station) station { s.svc = mm1.st.svc; return s }},
		"M/M/c with one worker":       {mmc, func(s station) station { s.c = 1; s.lambda = 5; return s }},
	} {
		if _, err := c.p.expect(c.st(c.p.st)); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	top := mm1.sc.Topology()
	top.Workloads[0].Timeout = sim.Second
	if _, err := stationOf(top); err == nil {
		t.Error("a workload with a timeout was accepted")
	}
}

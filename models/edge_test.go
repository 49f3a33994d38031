package models

import (
	"math"
	"slices"
	"testing"

	"cascade/models/policy"
	"cascade/sim"
)

// within fails unless got is within k standard deviations sd of want.
func within(t *testing.T, what string, got, want, sd, k float64) {
	t.Helper()
	if math.Abs(got-want) > k*sd {
		t.Errorf("%s = %.5g, want %.5g ± %.3g (%g sd)", what, got, want, k*sd, k)
	}
}

// flaky is a client calling a service whose operation fails with
// probability p, at rate 200/s for 100 s, under the given policy.
func flaky(t *testing.T, p float64, pol *CallPolicy) Topology {
	return Topology{
		Workloads: []WorkloadSpec{{Name: "c", Target: "s", Rate: 200, Timeout: sim.Second, Policy: pol}},
		Services: []ServiceSpec{service("s", 0, Unbounded, work(constant(t, sim.Millisecond)),
			Step{Kind: Fail, FailP: p})},
	}
}

func TestRetriesRecoverIndependentFailures(t *testing.T) {
	// Each attempt fails with p = 0.5, independently: with 3 attempts a
	// request fails with p³ = 1/8, and takes 1 + p + p² = 1.75 attempts on
	// average (the binomial counts give the tolerances).
	pol := &CallPolicy{Retry: &RetrySpec{Attempts: 3, On: DefaultRetryOn()}}
	r := run(t, flaky(t, 0.5, pol), Options{Until: 100 * sim.Second})
	w, e := r.Workloads[0], r.Edges[0]
	n := float64(w.Completed())
	within(t, "failed fraction", float64(w.Error)/n, 0.125, math.Sqrt(0.125*0.875/n), 4)
	// Attempts per request: variance of 1+X+XY... is E[A²]-1.75² with
	// E[A²] = 1·0.5 + 4·0.25 + 9·0.25 = 3.75, so var 0.6875.
	within(t, "attempts per request", e.Amplification, 1.75, math.Sqrt(0.6875/n), 4)
	if e.Retries != e.Attempts-e.Requests {
		t.Errorf("retries %d != attempts %d - requests %d", e.Retries, e.Attempts, e.Requests)
	}
	if s := r.Services[0]; s.Retried != e.Retries || s.Arrivals != e.Attempts {
		t.Errorf("service saw %d arrivals (%d retries), edge sent %d attempts (%d retries)", s.Arrivals, s.Retried, e.Attempts, e.Retries)
	}
}

func TestRetryOnlyTheListedOutcomes(t *testing.T) {
	// Errors are not in On: nothing is retried.
	pol := &CallPolicy{Retry: &RetrySpec{Attempts: 3, On: OutcomeSet(0).With(Timeout)}}
	r := run(t, flaky(t, 0.5, pol), Options{Until: 20 * sim.Second})
	if e := r.Edges[0]; e.Retries != 0 || e.Attempts != e.Requests {
		t.Errorf("errors were retried: %+v", e)
	}
}

func TestFinagleBudgetCapsRetries(t *testing.T) {
	// A dependency that always fails, retried up to 3 times, under a
	// Finagle budget of 10% with no reserve: retries are at most a tenth of
	// requests (deposits expire after the TTL, so slightly fewer).
	b := policy.FinagleBudget()
	b.Percent, b.MinPerSec = 0.1, 0
	pol := &CallPolicy{Retry: &RetrySpec{Attempts: 3, On: DefaultRetryOn(), Budget: &b}}
	r := run(t, flaky(t, 1, pol), Options{Until: 100 * sim.Second})
	e := r.Edges[0]
	ratio := float64(e.Retries) / float64(e.Requests)
	if ratio > 0.1 || ratio < 0.09 {
		t.Errorf("retries/requests = %.4f, want just under 0.10", ratio)
	}
	if e.Suppressed == 0 || e.Suppressed+e.Retries < e.Requests {
		t.Errorf("suppressed %d: every failed request wanted a retry", e.Suppressed)
	}
}

func TestGRPCThrottlingStopsRetriesAtHalf(t *testing.T) {
	// gRPC A6 with maxTokens 10, tokenRatio 0.1 against a dependency that
	// always fails: tokens fall by 1 per failure and retries stop once they
	// are at or below 5, so exactly 5 failures happen with retries allowed
	// after each... then none: the first request's 3 attempts take 3 tokens,
	// the second's... until 5 are gone; after that no retry goes out.
	b := policy.GRPCThrottling(10, 0.1)
	pol := &CallPolicy{Retry: &RetrySpec{Attempts: 3, On: DefaultRetryOn(), Budget: &b}}
	r := run(t, flaky(t, 1, pol), Options{Until: 10 * sim.Second})
	e := r.Edges[0]
	// Failures 1..5 leave 9..5 tokens; a retry is allowed while tokens > 5
	// and the request has attempts left: after failures 1 and 2 (request
	// 1's attempts 1, 2; its third ends it), 4 (request 2's first), not
	// after 5 (5 tokens). Three retries in the whole run.
	if e.Retries != 3 {
		t.Errorf("%d retries, want 3", e.Retries)
	}
	if e.BudgetLevel != 0 {
		t.Errorf("budget level %v, want 0 tokens after endless failures", e.BudgetLevel)
	}
}

func TestBackoffDelaysRetries(t *testing.T) {
	// A fixed 100ms backoff: a request failing twice and then... with p=1
	// and 3 attempts every request takes exactly 2 × 100ms + 3 × 1ms.
	pol := &CallPolicy{Retry: &RetrySpec{Attempts: 3, On: DefaultRetryOn(),
		Backoff: policy.Backoff{Kind: policy.Fixed, Base: 100 * sim.Millisecond}}}
	topo := flaky(t, 1, pol)
	topo.Workloads[0].Timeout = 0
	topo.Workloads[0].Rate = 1
	topo.Workloads[0].Limit = 5
	r := run(t, topo, Options{})
	w := r.Workloads[0]
	if w.Error != 5 || r.Edges[0].Attempts != 15 {
		t.Fatalf("want 5 failed requests of 3 attempts: %+v, %+v", w.Counts, r.Edges[0])
	}
	// Latency is of OK replies only, so look at the run's end instead: the
	// last request ends 203ms after it started.
	if got := r.Workloads[0].InFlight; got != 0 {
		t.Errorf("%d in flight at the end", got)
	}
}

func TestDeadlineBoundsRetries(t *testing.T) {
	// Attempts time out after 100ms; the deadline of 250ms leaves room for
	// only three attempts however many are allowed, and the request ends
	// at the deadline with Timeout.
	pol := &CallPolicy{Deadline: 250 * sim.Millisecond, Retry: &RetrySpec{Attempts: 10, On: DefaultRetryOn()}}
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "c", Target: "s", Rate: 1, Limit: 10, Timeout: 100 * sim.Millisecond, Policy: pol}},
		Services:  []ServiceSpec{service("s", 0, Unbounded, work(constant(t, sim.Second)))},
	}
	r := run(t, topo, Options{})
	w, e := r.Workloads[0], r.Edges[0]
	if w.Timeout != 10 || e.Attempts != 30 {
		t.Errorf("want 10 timeouts after 3 attempts each: %+v attempts %d", w.Counts, e.Attempts)
	}
}

// failingFrom is a client at 100/s with a 1s timeout calling api, whose
// call to db (under pol) fails while an errors fault on db lasts.
func failingFrom(t *testing.T, pol *CallPolicy, from, until sim.Time) Topology {
	db := service("db", 0, Unbounded, work(constant(t, sim.Millisecond)))
	api := service("api", 0, Unbounded, Step{Kind: Call, Target: "db", Policy: pol})
	return Topology{
		Workloads: []WorkloadSpec{{Name: "c", Target: "api", Rate: 100, Arrivals: Constant}},
		Services:  []ServiceSpec{api, db},
		Faults: []Fault{{Verb: FaultErrors, Target: Target{Component: "db"}, P: 1,
			Start: from, Duration: until - from}},
	}
}

func TestGoBreakerOpensProbesAndCloses(t *testing.T) {
	// gobreaker defaults but a 5s open timeout: db fails from 10s to 20s.
	// The breaker trips on the 6th consecutive failure (> 5) just after
	// 10s, rejects until open + 5s, lets one probe through (MaxRequests 1)
	// at about 15s, which fails, re-opens, and the probe at about 20s,
	// after the fault, succeeds and closes it.
	c := policy.GoBreaker()
	c.OpenFor = 5 * sim.Second
	r := run(t, failingFrom(t, &CallPolicy{Breaker: &c}, 10*sim.Second, 20*sim.Second), Options{Until: 40 * sim.Second})
	e := r.Edges[0]
	if len(e.Breakers) != 1 {
		t.Fatalf("breakers %+v", e.Breakers)
	}
	tr := e.Breakers[0].Transitions
	want := []string{"closed>open", "open>half-open", "half-open>open", "open>half-open", "half-open>closed"}
	var got []string
	for _, x := range tr {
		got = append(got, x.From+">"+x.To)
	}
	if len(got) != len(want) {
		t.Fatalf("transitions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("transitions %v, want %v", got, want)
		}
	}
	// 100/s at a constant rate from t=0.01: the 6th failure after 10s is
	// the request at 10.05s... the breaker opens there and half-opens 5s
	// and 1ns after (gobreaker's strict expiry).
	open := tr[0].At
	if open < 10*sim.Second || open > 10*sim.Second+100*sim.Millisecond {
		t.Errorf("opened at %v, want just after 10s", open)
	}
	if tr[1].At != open+5*sim.Second+1 {
		t.Errorf("half-open at %v, want open+5s+1ns = %v", tr[1].At, open+5*sim.Second+1)
	}
	if e.BreakerRejected == 0 || e.Breakers[0].State != "closed" {
		t.Errorf("rejected %d, state %s", e.BreakerRejected, e.Breakers[0].State)
	}
	if got := r.Services[0].Counts.Error; got < e.BreakerRejected {
		t.Errorf("api errors %d < breaker rejections %d: a refused call fails the operation", got, e.BreakerRejected)
	}
}

func TestResilience4jTimedHalfOpen(t *testing.T) {
	// A count window of 10 with min 10 and a 50% threshold, 2s open,
	// automatic half-open with 3 permits: the transition to half-open is at
	// exactly open + 2s even with no traffic (a timer), and max wait in
	// half-open 1s re-opens it when probes never come back.
	c := policy.Resilience4j()
	c.WindowSize, c.MinCalls, c.OpenFor, c.HalfOpenPermits = 10, 10, 2*sim.Second, 3
	c.AutoHalfOpen = true
	r := run(t, failingFrom(t, &CallPolicy{Breaker: &c}, 5*sim.Second, 9*sim.Second), Options{Until: 20 * sim.Second})
	tr := r.Edges[0].Breakers[0].Transitions
	if len(tr) < 2 || tr[0].To != "open" || tr[1].To != "half-open" || tr[1].At != tr[0].At+2*sim.Second {
		t.Fatalf("transitions %+v: want open then half-open exactly 2s later", tr)
	}
	if last := tr[len(tr)-1]; last.To != "closed" || last.At < 9*sim.Second {
		t.Errorf("last transition %+v, want closed after the fault", last)
	}
}

func TestBulkheadRejectsAndWaits(t *testing.T) {
	// Calls to a dependency that takes 100ms arrive 50/s at a constant
	// rate: 5 in flight on average. A bulkhead of 2 with no wait lets 2 of
	// every 5 through (in a constant-rate steady state, exactly those that
	// find a free permit); with a 1s wait nothing is rejected but calls
	// queue.
	for _, c := range []struct {
		wait     sim.Time
		rejected bool
	}{{0, true}, {10 * sim.Second, false}} {
		db := service("db", 0, Unbounded, work(constant(t, 100*sim.Millisecond)))
		pol := &CallPolicy{Bulkhead: &BulkheadSpec{Max: 2, Wait: c.wait}}
		topo := Topology{
			Workloads: []WorkloadSpec{{Name: "c", Target: "db", Rate: 50, Arrivals: Constant, Limit: 100, Policy: pol}},
			Services:  []ServiceSpec{db},
		}
		r := run(t, topo, Options{})
		w, e := r.Workloads[0], r.Edges[0]
		if c.rejected {
			if w.BulkheadFull != 60 || w.OK != 40 || e.BulkheadRejected != 60 {
				t.Errorf("no wait: %+v, edge rejected %d; want 40 ok, 60 bulkhead_full", w.Counts, e.BulkheadRejected)
			}
			if r.Services[0].Arrivals != 40 {
				t.Errorf("db saw %d calls: rejected calls must not reach it", r.Services[0].Arrivals)
			}
		} else if w.OK != 100 || e.BulkheadWaited == 0 || e.BulkheadPeakWait == 0 {
			t.Errorf("with wait: %+v waited %d peak %d", w.Counts, e.BulkheadWaited, e.BulkheadPeakWait)
		}
	}
}

func TestServerRateLimitThrottlesWithRetryAfter(t *testing.T) {
	// 200/s at a constant rate into a token bucket of 100/s, burst 1: every
	// other request is throttled (429). With a retry policy honouring
	// Retry-After, retries land when a token is back.
	db := service("db", 0, Unbounded, work(constant(t, sim.Millisecond)))
	db.Admission.RateLimit = &LimiterSpec{Kind: TokenBucket, Rate: 100, Burst: 1}
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "c", Target: "db", Rate: 200, Arrivals: Constant}},
		Services:  []ServiceSpec{db},
	}
	r := run(t, topo, Options{Until: 10 * sim.Second})
	s := r.Services[0]
	if frac := float64(s.Throttled) / float64(s.Arrivals); math.Abs(frac-0.5) > 0.01 {
		t.Errorf("throttled %d of %d, want half", s.Throttled, s.Arrivals)
	}
	if e := s.Little.RelErr(); e > 0.02 {
		t.Errorf("Little's law off by %.1f%%: throttled requests were never admitted", 100*e)
	}
}

func TestDeadlinePropagationDropsAbandonedWork(t *testing.T) {
	// An overloaded service (capacity 100/s, offered 150/s) behind callers
	// with a 200ms timeout. Without propagation every queued request is
	// served, mostly for nobody (late); with deadlines: drop the server
	// skips work whose caller is gone and serves the rest in time.
	mk := func(mode DeadlineMode) Result {
		s := service("s", 1, Unbounded, work(exp(t, 10*sim.Millisecond)))
		s.Admission.Deadlines = mode
		return run(t, Topology{
			Workloads: []WorkloadSpec{{Name: "c", Target: "s", Rate: 150, Timeout: 200 * sim.Millisecond}},
			Services:  []ServiceSpec{s},
		}, Options{Until: 60 * sim.Second})
	}
	none, drop := mk(DeadlinesIgnored), mk(DeadlinesDrop)
	if none.Services[0].Late < 1000 || none.Workloads[0].Goodput > 10 {
		t.Errorf("without propagation: late %d goodput %.1f; want a collapse into late work", none.Services[0].Late, none.Workloads[0].Goodput)
	}
	// The server still finishes some requests just after their deadline,
	// but most of its capacity goes to callers that wait.
	if drop.Services[0].Expired < 1000 || drop.Workloads[0].Goodput < 50 {
		t.Errorf("with drop: expired %d goodput %.1f; want most of the capacity as goodput", drop.Services[0].Expired, drop.Workloads[0].Goodput)
	}
}

func TestQueueTimeoutAndCoDelShed(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Admission)
		by   func(ShedCauses) int64
	}{
		{"queue_timeout", func(a *Admission) { a.QueueTimeout = 50 * sim.Millisecond }, func(s ShedCauses) int64 { return s.QueueTimeout }},
		{"codel", func(a *Admission) { a.CoDel = &[2]sim.Time{5 * sim.Millisecond, 100 * sim.Millisecond} }, func(s ShedCauses) int64 { return s.CoDel }},
	} {
		s := service("s", 1, Unbounded, work(exp(t, 10*sim.Millisecond)))
		c.set(&s.Admission)
		r := run(t, Topology{
			Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 150}},
			Services:  []ServiceSpec{s},
		}, Options{Until: 60 * sim.Second})
		sr := r.Services[0]
		if c.by(sr.Shed) == 0 || sr.Shed != (ShedCauses{}) && sr.Counts.Shed != c.by(sr.Shed) {
			t.Errorf("%s: shed %+v, counts %+v", c.name, sr.Shed, sr.Counts)
		}
		// Shedding keeps the queue short, so goodput stays near capacity and
		// latency bounded.
		if sr.Goodput < 90 || sr.Latency.P99 > 1 {
			t.Errorf("%s: goodput %.1f p99 %.3fs", c.name, sr.Goodput, sr.Latency.P99)
		}
		if e := sr.Little.RelErr(); e > 0.02 {
			t.Errorf("%s: Little's law off by %.1f%%", c.name, 100*e)
		}
	}
}

func TestPrioritySheddingDropsSheddableFirst(t *testing.T) {
	s := service("s", 1, Unbounded, work(exp(t, 10*sim.Millisecond)))
	s.Admission.ShedAbove = 5
	r := run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "critical", Target: "s", Rate: 60}, {Name: "batch", Target: "s", Rate: 60, Sheddable: true}},
		Services:  []ServiceSpec{s},
	}, Options{Until: 60 * sim.Second})
	crit, batch := r.Workloads[0], r.Workloads[1]
	if crit.Shed != 0 || batch.Shed == 0 || r.Services[0].Shed.Priority != batch.Shed {
		t.Errorf("critical shed %d, batch shed %d, service %+v", crit.Shed, batch.Shed, r.Services[0].Shed)
	}
}

func TestOutlierEjectionRoutesAroundACrashedInstance(t *testing.T) {
	// One of four instances is down for good; consecutive failures eject
	// it (always_eject_one: 4 hosts at 10% would eject none), so after the
	// first few errors round robin skips it.
	s := service("s", 0, Unbounded, work(constant(t, sim.Millisecond)))
	s.Instances = 4
	o := policy.EnvoyOutlier()
	o.AlwaysEjectOne, o.MaxEjection, o.BaseEjection = true, time10m, time10m
	s.Admission.Outlier = &o
	r := run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 100}},
		Services:  []ServiceSpec{s},
		Faults:    []Fault{{Verb: FaultCrash, Target: Target{Component: "s", Instances: Instances{Mode: SelectOne, N: 2}}}},
	}, Options{Until: 60 * sim.Second})
	sr := r.Services[0]
	if sr.Error > 10 || sr.Ejected != 1 || len(sr.Ejections) == 0 || sr.Ejections[0].Instance != 2 {
		t.Errorf("errors %d, ejected %d, events %+v: want instance 2 ejected after 5 errors", sr.Error, sr.Ejected, sr.Ejections)
	}
}

const time10m = 10 * sim.Minute

func TestHedgingCutsTheTail(t *testing.T) {
	// A service whose latency is 5ms, or 500ms one time in twenty. Hedging
	// after 20ms with up to 2 copies turns most slow requests into fast
	// ones: p99 drops from 500ms to 25ms (a slow first copy and a fast
	// hedge; both slow is 0.25%), and the hedge rate is the slow fraction.
	slow := Step{Kind: Branch, Branches: []BranchSpec{{P: 0.05, Steps: []Step{work(constant(t, 495*sim.Millisecond))}}}}
	mk := func(pol *CallPolicy) Result {
		return run(t, Topology{
			Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 100, Policy: pol}},
			Services:  []ServiceSpec{service("s", 0, Unbounded, work(constant(t, 5*sim.Millisecond)), slow)},
		}, Options{Until: 60 * sim.Second})
	}
	plain, hedged := mk(nil), mk(&CallPolicy{Hedge: &HedgeSpec{Delay: 20 * sim.Millisecond, Max: 2}})
	if p := plain.Workloads[0].Latency.P99; p < 0.4 {
		t.Errorf("plain p99 %.3fs, want about 0.5s", p)
	}
	if p := hedged.Workloads[0].Latency.P99; p > 0.03 {
		t.Errorf("hedged p99 %.3fs, want about 25ms", p)
	}
	e := hedged.Edges[0]
	within(t, "hedges per request", float64(e.Hedges)/float64(e.Requests), 0.05, math.Sqrt(0.0475/float64(e.Requests)), 5)
	if e.Retries != 0 {
		t.Errorf("hedges counted as retries: %d", e.Retries)
	}
}

func TestPolicyRunsWithoutAllocating(t *testing.T) {
	pol := &CallPolicy{Retry: &RetrySpec{Attempts: 3, On: DefaultRetryOn()}}
	eng := sim.NewEngine(1)
	m, err := New(eng, flaky(t, 0.5, pol), Options{Until: 1000 * sim.Second})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	m.Advance(10 * sim.Second) // warm the free lists
	allocs := testing.AllocsPerRun(5, func() { m.Advance(sim.Second) })
	// Per simulated second: 200 requests, about 350 attempts, 1 series tick.
	if allocs > 4 {
		t.Errorf("%.0f allocations per simulated second", allocs)
	}
}

func TestBreakerFaultForcesAndReleases(t *testing.T) {
	// A healthy dependency; from 10s to 20s a breaker fault holds the
	// breaker forced open (every call refused), then it is reset to
	// closed. A second, overlapping "disabled" fault does not undo the
	// forced one: forced open wins while both hold.
	c := policy.GoBreaker()
	topo := failingFrom(t, &CallPolicy{Breaker: &c}, 0, 1)
	topo.Faults = []Fault{
		{Verb: FaultBreaker, Mode: BreakerForcedOpen, Start: 10 * sim.Second, Duration: 10 * sim.Second, Target: Target{From: "api", To: "db"}},
		{Verb: FaultBreaker, Mode: BreakerDisabled, Start: 15 * sim.Second, Duration: 10 * sim.Second, Target: Target{From: "api", To: "db"}},
	}
	r := run(t, topo, Options{Until: 30 * sim.Second})
	e := r.Edges[0]
	// Constant 100/s: the requests in [10s, 20s) are refused, 1000 of them.
	if e.BreakerRejected < 995 || e.BreakerRejected > 1005 {
		t.Errorf("%d refused, want about 1000", e.BreakerRejected)
	}
	var to []string
	for _, x := range e.Breakers[0].Transitions {
		to = append(to, x.To)
	}
	if want := []string{"forced-open", "disabled", "closed"}; !slices.Equal(to, want) {
		t.Errorf("transitions %v, want %v", to, want)
	}
}

func TestCallCountsEveryPair(t *testing.T) {
	// The pair counts see requests, not attempts: with retries the callee
	// gets more arrivals than the pair has requests, and the pair's
	// outcomes are what the caller heard at the end.
	pol := &CallPolicy{Retry: &RetrySpec{Attempts: 3, On: DefaultRetryOn()}}
	r := run(t, flaky(t, 0.5, pol), Options{Until: 20 * sim.Second})
	if len(r.Calls) != 1 {
		t.Fatalf("calls %+v", r.Calls)
	}
	c, w, e := r.Calls[0], r.Workloads[0], r.Edges[0]
	if c.Caller != "c" || c.Target != "s" || c.Arrivals != w.Arrivals || c.Error != w.Error || c.OK != w.OK {
		t.Errorf("pair %+v, workload %+v", c.Counts, w.Counts)
	}
	if r.Services[0].Arrivals != e.Attempts || c.Arrivals >= e.Attempts {
		t.Errorf("service arrivals %d, attempts %d, pair requests %d", r.Services[0].Arrivals, e.Attempts, c.Arrivals)
	}
	var sum int64
	for _, p := range c.Series {
		sum += p.Requests
	}
	if sum != c.Arrivals {
		t.Errorf("series requests %d, total %d", sum, c.Arrivals)
	}
}

// Regressions found in review: configurations that once recursed without
// end, used a freed request, or left a half-open breaker waiting forever.

func TestLocalRefusalsCountAsTries(t *testing.T) {
	// A hedge refused by a full bulkhead, retries refused by a forced-open
	// breaker, retries refused by the client's own limiter: each refusal
	// is a try, so attempts: and max: bound them and nothing loops.
	hedgeFull := &CallPolicy{Hedge: &HedgeSpec{Delay: 10 * sim.Millisecond, Max: 3}, Bulkhead: &BulkheadSpec{Max: 1}}
	r := run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 1, Arrivals: Constant, Limit: 1, Policy: hedgeFull}},
		Services:  []ServiceSpec{service("s", 0, Unbounded, work(constant(t, 100*sim.Millisecond)))},
	}, Options{})
	if w := r.Workloads[0]; w.OK != 1 || r.Edges[0].BulkheadRejected != 2 {
		t.Errorf("hedges into a full bulkhead: %+v, refused %d; want the first copy to win and 2 hedges refused", w.Counts, r.Edges[0].BulkheadRejected)
	}

	c := policy.GoBreaker()
	forced := &CallPolicy{Breaker: &c, Retry: &RetrySpec{Attempts: 3, On: DefaultRetryOn().With(BreakerOpen)}}
	r = run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 10, Arrivals: Constant, Limit: 20, Policy: forced}},
		Services:  []ServiceSpec{service("s", 0, Unbounded, work(constant(t, sim.Millisecond)))},
		Faults:    []Fault{{Verb: FaultBreaker, Mode: BreakerForcedOpen, Duration: 10 * sim.Second, Target: Target{From: "w", To: "s"}}},
	}, Options{})
	if e := r.Edges[0]; r.Workloads[0].BreakerOpen != 20 || e.BreakerRejected != 60 {
		t.Errorf("retrying breaker_open: %+v, %d refusals; want 20 requests of 3 tries each", r.Workloads[0].Counts, e.BreakerRejected)
	}

	limited := &CallPolicy{Limiter: &LimiterSpec{Kind: TokenBucket, Rate: 1, Burst: 1},
		Retry: &RetrySpec{Attempts: 2, On: DefaultRetryOn()}}
	r = run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 10, Arrivals: Constant, Limit: 20, Policy: limited}},
		Services:  []ServiceSpec{service("s", 0, Unbounded, work(constant(t, sim.Millisecond)))},
	}, Options{})
	if e := r.Edges[0]; e.ThrottledLocally > 40 || r.Workloads[0].InFlight != 0 {
		t.Errorf("client limiter with retries: %d local refusals, %d in flight; want at most 2 tries per request", e.ThrottledLocally, r.Workloads[0].InFlight)
	}
}

func TestBulkheadHandoffToTheSameRequest(t *testing.T) {
	// A hedge waits in the bulkhead behind its own first copy, which the
	// server throttles at once: the slot goes to the hedge without running
	// it inside the first copy's reply (which once used the freed request).
	pol := &CallPolicy{Hedge: &HedgeSpec{Delay: 10 * sim.Millisecond, Max: 2}, Bulkhead: &BulkheadSpec{Max: 1, Wait: sim.Second}}
	db := service("s", 0, Unbounded, work(constant(t, 100*sim.Millisecond)))
	db.Admission.RateLimit = &LimiterSpec{Kind: TokenBucket, Rate: 1, Burst: 1}
	r := run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "s", Rate: 1, Arrivals: Constant, Limit: 3, Policy: pol}},
		Services:  []ServiceSpec{db},
	}, Options{})
	if w := r.Workloads[0]; w.Completed() != 3 || w.InFlight != 0 {
		t.Errorf("%+v, %d in flight", w.Counts, w.InFlight)
	}
}

func TestLosingHedgesGiveTheirPermitsBack(t *testing.T) {
	// Half the db's replies are slow, so a hedge often wins; the losing
	// copy is cancelled. Its breaker permit must come back, or a
	// half-open resilience4j breaker waits forever for its result.
	c := policy.Resilience4j()
	c.WindowSize, c.MinCalls, c.OpenFor, c.HalfOpenPermits = 10, 10, sim.Second, 4
	slow := Step{Kind: Branch, Branches: []BranchSpec{{P: 0.5, Steps: []Step{work(constant(t, 495*sim.Millisecond))}}}}
	db := service("db", 0, Unbounded, work(constant(t, 5*sim.Millisecond)), slow)
	api := service("api", 0, Unbounded, Step{Kind: Call, Target: "db", Policy: &CallPolicy{Breaker: &c, Hedge: &HedgeSpec{Delay: 20 * sim.Millisecond, Max: 2}}})
	r := run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "c", Target: "api", Rate: 100, Arrivals: Constant}},
		Services:  []ServiceSpec{api, db},
		Faults:    []Fault{{Verb: FaultErrors, Target: Target{Component: "db"}, P: 1, Start: 5 * sim.Second, Duration: 2 * sim.Second}},
	}, Options{Until: 30 * sim.Second})
	b := r.Edges[0].Breakers[0]
	if b.State != "closed" || b.Transitions[len(b.Transitions)-1].At > 10*sim.Second {
		t.Errorf("breaker %s, last transition %+v; want closed soon after the fault", b.State, b.Transitions[len(b.Transitions)-1])
	}
}

func TestLeakyQueueDelayCountsInTheService(t *testing.T) {
	// 200/s into a leaky queue of 100/s with room for 20: the waiting
	// requests are in the service for Little's law, and their wait is in
	// its latency.
	db := service("db", 0, Unbounded, work(constant(t, sim.Millisecond)))
	db.Admission.RateLimit = &LimiterSpec{Kind: LeakyQueue, Rate: 100, Burst: 20}
	r := run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "c", Target: "db", Rate: 200, Arrivals: Constant}},
		Services:  []ServiceSpec{db},
	}, Options{Until: 10 * sim.Second})
	s := r.Services[0]
	if e := s.Little.RelErr(); e > 0.02 {
		t.Errorf("Little's law off by %.1f%%: L=%.3f λW=%.3f", 100*e, s.Little.L, s.Little.LambdaW)
	}
	if math.Abs(float64(s.OK)-1000) > 25 || s.Latency.P50 < 0.15 {
		t.Errorf("ok %d (want about 1000), p50 %.3fs (want about 200ms of queue)", s.OK, s.Latency.P50)
	}
}

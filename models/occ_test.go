package models

import (
	"fmt"
	"math"
	"testing"

	"cascade/models/policy"
	"cascade/sim"
	"cascade/sim/dist"
)

// occTopo is the backoff-and-jitter study's setup: n clients that each
// want to write the same row once, all starting together, against an
// optimistic database whose write holds the row for 10 ms; a conflict is
// retried (up to 100 attempts) after the given backoff.
func occTopo(t *testing.T, n int, b policy.Backoff) Topology {
	return occTopoWith(t, n, b, constant(t, 10*sim.Millisecond))
}

func occTopoWith(t *testing.T, n int, b policy.Backoff, write dist.Dist) Topology {
	db := ServiceSpec{Name: "db", Instances: 1, Queue: Unbounded,
		Database: &DatabaseSpec{Writes: []string{"write"}, Optimistic: true},
		Ops:      []OpSpec{{Name: "write", Steps: []Step{work(write)}}}}
	return Topology{
		Workloads: []WorkloadSpec{{Name: "clients", Target: "db", Op: "write", Users: n, Limit: int64(n),
			Think: constant(t, 0), Keys: KeySpec{Kind: KeysUniform, N: 1},
			Policy: &CallPolicy{Retry: &RetrySpec{Attempts: 100, On: DefaultRetryOn(), Backoff: b}}}},
		Services: []ServiceSpec{db},
	}
}

func runSeed(t *testing.T, seed uint64, topo Topology) Result {
	t.Helper()
	m, err := New(sim.NewEngine(seed), topo, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	for !m.Advance(10 * sim.Second) {
	}
	return m.Result(true)
}

// Without backoff every round has one winner and every loser retries at
// once into the next round: n + (n-1) + ... + 1 = n(n+1)/2 calls, exactly,
// and n(n-1)/2 conflicts — the quadratic work of the study's "no backoff"
// line.
func TestOptimisticWithoutBackoffIsQuadratic(t *testing.T) {
	for _, n := range []int{1, 2, 10, 30} {
		r := runSeed(t, 1, occTopo(t, n, policy.Backoff{}))
		s, d, w := r.Services[0], r.Services[0].Database, r.Workloads[0]
		if want := int64(n * (n + 1) / 2); s.Arrivals != want {
			t.Errorf("n=%d: %d calls, want %d", n, s.Arrivals, want)
		}
		if want := int64(n * (n - 1) / 2); d.Conflicts != want {
			t.Errorf("n=%d: %d conflicts, want %d", n, d.Conflicts, want)
		}
		if w.OK != int64(n) || d.Writes != s.Arrivals {
			t.Errorf("n=%d: %d clients done of %d; %d writes for %d calls", n, w.OK, n, d.Writes, s.Arrivals)
		}
	}
}

// Two rows never conflict with each other: clients on distinct keys all
// commit at the first attempt.
func TestOptimisticDistinctRowsDoNotConflict(t *testing.T) {
	topo := occTopo(t, 20, policy.Backoff{})
	topo.Workloads[0].Keys = KeySpec{} // each closed-loop user keeps its own key
	r := runSeed(t, 1, topo)
	if d := r.Services[0].Database; d.Conflicts != 0 || r.Services[0].Arrivals != 20 {
		t.Errorf("%d conflicts, %d calls for 20 clients on 20 rows", d.Conflicts, r.Services[0].Arrivals)
	}
}

// studyBackoffs are the study's five strategies with its base 5 ms and
// cap 2 s. Its exponential ceiling is base·2^n from the first retry n = 1,
// ours base·2^(n-1): the same delays with our base at 10 ms. Decorrelated
// starts from base in both.
func studyBackoffs() []policy.Backoff {
	base, cp := 5*sim.Millisecond, 2*sim.Second
	return []policy.Backoff{
		{},
		{Kind: policy.Exponential, Base: 2 * base, Cap: cp},
		{Kind: policy.Exponential, Base: 2 * base, Cap: cp, Jitter: policy.EqualJitter},
		{Kind: policy.Exponential, Base: 2 * base, Cap: cp, Jitter: policy.FullJitter},
		{Kind: policy.Decorrelated, Base: base, Cap: cp},
	}
}

func backoffName(b policy.Backoff) string {
	if b.Kind == policy.Exponential && b.Jitter != policy.NoJitter {
		return b.Jitter.String() + " jitter"
	}
	return b.Kind.String()
}

// The shape of Brooker's "Exponential Backoff and Jitter" (AWS
// architecture blog, 2015), rebuilt on its own simulator's parameters:
// 10 to 50 clients that each update one row once, 5 ms base, 2 s cap.
// What the study reports and this asserts, on means over 20 seeds:
//   - without backoff the work grows about as N² (N(N+1)/2 with no
//     network variance; a log-log slope above 1.5 here);
//   - exponential backoff without jitter barely helps: the losers of a
//     round come back together and collide again;
//   - every jittered strategy does far less work, full jitter the least;
//     equal jitter does more than full jitter, decorrelated stays close
//     to full jitter (the study: "less clear"; here within 5 % at
//     N = 10, above it beyond).
//
// Where the summary orders equal above decorrelated, this model
// has them within a few percent of each other, crossing near N = 40; the
// test does not assert an order between them.
func TestBackoffJitterStudyShape(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 500 simulations")
	}
	const seeds = 20
	// The study's network: each hop |N(10ms, 2ms)|. A version read
	// happens as the read request arrives and the conditional write
	// lands a read reply plus a write request later, so the write holds
	// the row for two hops; a loser hears of it a hop later and its next
	// read takes one more: the link's round trip is two hops too.
	twoHops, err := dist.NewNormal(20*sim.Millisecond, 2828*sim.Microsecond)
	if err != nil {
		t.Fatal(err)
	}
	var none [5]float64
	for k, n := range []int{10, 20, 30, 40, 50} {
		var mean [5]float64
		for i, b := range studyBackoffs() {
			for seed := uint64(1); seed <= seeds; seed++ {
				topo := occTopoWith(t, n, b, twoHops)
				topo.Links = []LinkSpec{{From: "clients", To: "db", Latency: twoHops}}
				r := runSeed(t, seed, topo)
				if w := r.Workloads[0]; w.OK != int64(n) {
					t.Fatalf("n=%d %s seed %d: %d of %d clients wrote", n, backoffName(b), seed, w.OK, n)
				}
				mean[i] += float64(r.Services[0].Arrivals) / seeds
			}
		}
		line := fmt.Sprintf("n=%d calls:", n)
		for i, b := range studyBackoffs() {
			line += fmt.Sprintf(" %s %.0f", backoffName(b), mean[i])
		}
		t.Log(line)
		none[k] = mean[0]
		no, exp, equal, full, decor := mean[0], mean[1], mean[2], mean[3], mean[4]
		if exp < 0.85*no || exp > no*1.02 {
			t.Errorf("n=%d: exponential without jitter %.0f calls, none %.0f: want nearly as many", n, exp, no)
		}
		if n >= 20 && !(no > 1.4*max(equal, full, decor)) {
			t.Errorf("n=%d: jitter does not cut the work: %s", n, line)
		}
		if !(full < equal && full < 1.05*decor) {
			t.Errorf("n=%d: full jitter is not the least work: %s", n, line)
		}
		if r := decor / full; r > 1.25 {
			t.Errorf("n=%d: decorrelated %.0f vs full %.0f: the study has them close", n, decor, full)
		}
	}
	if slope := math.Log(none[4]/none[1]) / math.Log(50.0/20); slope < 1.5 {
		t.Errorf("work without backoff grows as N^%.2f from 20 to 50 clients, want about N²", slope)
	}
}

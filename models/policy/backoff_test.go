package policy

import (
	"math"
	"testing"

	"cascade/sim"
)

func TestBackoffCeilings(t *testing.T) {
	exp := Backoff{Kind: Exponential, Base: 100 * ms, Cap: sim.Second}
	tests := []struct {
		b    Backoff
		n    int
		want sim.Time
	}{
		{exp, 1, 100 * ms}, {exp, 2, 200 * ms}, {exp, 3, 400 * ms}, {exp, 4, 800 * ms},
		{exp, 5, sim.Second}, {exp, 64, sim.Second}, {exp, 10000, sim.Second},
		{Backoff{Kind: Exponential, Base: sim.Second, Cap: 120 * sim.Second, Multiplier: 1.6}, 3, 2560 * ms},
		{Backoff{Kind: Exponential, Base: ms}, 11, 1024 * ms}, // no cap
		{Backoff{Kind: Fixed, Base: 50 * ms}, 7, 50 * ms},
		{Backoff{}, 3, 0},
	}
	for _, tc := range tests {
		if err := tc.b.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := tc.b.Ceiling(tc.n); got != tc.want {
			t.Errorf("%+v n=%d: %v, want %v", tc.b, tc.n, got, tc.want)
		}
		if tc.b.Jitter == NoJitter {
			if got := tc.b.Delay(tc.n, 0, nil); got != tc.want {
				t.Errorf("%+v n=%d: delay %v, want %v", tc.b, tc.n, got, tc.want)
			}
		}
	}
}

// sampleMean checks the mean of draws against the exact mean of the discrete
// distribution: Int64N(m) is uniform on {0, ..., m-1}, mean (m-1)/2 and
// variance (m²-1)/12. The tolerance is 5 standard errors, 5·σ/√N, so a
// correct implementation fails about once in 1.7 million runs (and, with a
// fixed seed, never).
func sampleMean(t *testing.T, name string, draw func(*sim.Rand) sim.Time, mean, variance float64, lo, hi sim.Time) {
	t.Helper()
	const n = 200_000
	r := sim.NewStream(1, "backoff/"+name)
	sum := 0.0
	for i := 0; i < n; i++ {
		d := draw(r)
		if d < lo || d >= hi {
			t.Fatalf("%s: draw %v outside [%v, %v)", name, d, lo, hi)
		}
		sum += float64(d)
	}
	got := sum / n
	tol := 5 * math.Sqrt(variance/n)
	if math.Abs(got-mean) > tol {
		t.Fatalf("%s: mean %.1f, want %.1f ± %.1f", name, got, mean, tol)
	}
}

func TestJitterMeans(t *testing.T) {
	const d = sim.Second // ceiling of the first retry
	m := float64(d)
	full := Backoff{Kind: Fixed, Base: d, Jitter: FullJitter}
	// Full jitter: U{0..d-1}, mean (d-1)/2 ~ d/2.
	sampleMean(t, "full", func(r *sim.Rand) sim.Time { return full.Delay(1, 0, r) },
		(m-1)/2, (m*m-1)/12, 0, d)
	// Equal jitter: d/2 + U{0..d/2-1}, mean d/2 + (d/2-1)/2 ~ 3d/4.
	equal := Backoff{Kind: Fixed, Base: d, Jitter: EqualJitter}
	h := m / 2
	sampleMean(t, "equal", func(r *sim.Rand) sim.Time { return equal.Delay(1, 0, r) },
		h+(h-1)/2, (h*h-1)/12, d/2, d)
	// Proportional ±20 %: d - 0.2d + U{0..0.4d-1}, mean d - 1/2.
	prop := Backoff{Kind: Fixed, Base: d, Jitter: Proportional, Spread: 0.2}
	w := 0.4 * m
	sampleMean(t, "proportional", func(r *sim.Rand) sim.Time { return prop.Delay(1, 0, r) },
		m-0.2*m+(w-1)/2, (w*w-1)/12, d-d/5, d+d/5)
	// gRPC A6: the 3rd retry is U(0, min(initial·mult², max)).
	g := GRPCRetryBackoff(100*ms, sim.Second, 2)
	c := float64(400 * ms)
	sampleMean(t, "grpc", func(r *sim.Rand) sim.Time { return g.Delay(3, 0, r) },
		(c-1)/2, (c*c-1)/12, 0, 400*ms)
}

// Decorrelated jitter: min(cap, U[base, 3·prev)). Uncapped from prev = base
// the mean is base + (2·base-1)/2 ~ 2·base. With a cap inside the range the
// exact discrete mean of min(cap, U{a..b-1}) is
// (Σ_{k=a}^{cap-1} k + cap·(b-cap)) / (b-a); the uncapped variance (b-a)²/12
// bounds the capped one.
func TestDecorrelatedJitter(t *testing.T) {
	base := 10 * ms
	b := Backoff{Kind: Decorrelated, Base: base, Cap: 100 * ms}
	a, hi := float64(base), float64(3*base)
	sampleMean(t, "decorrelated-first", func(r *sim.Rand) sim.Time { return b.Delay(1, 0, r) },
		a+(hi-a-1)/2, ((hi-a)*(hi-a)-1)/12, base, 3*base)
	prev := 50 * ms // range [10ms, 150ms), capped at 100ms
	a, hi, cp := float64(base), float64(3*prev), float64(100*ms)
	sumBelow := (cp-1)*cp/2 - (a-1)*a/2
	mean := (sumBelow + cp*(hi-cp)) / (hi - a)
	sampleMean(t, "decorrelated-capped", func(r *sim.Rand) sim.Time { return b.Delay(2, prev, r) },
		mean, (hi-a)*(hi-a)/12, base, 100*ms+1)
	// A chain of delays stays within [base, cap] and is reproducible.
	r1, r2 := sim.NewStream(7, "x"), sim.NewStream(7, "x")
	p1, p2 := sim.Time(0), sim.Time(0)
	for i := 1; i < 100; i++ {
		p1, p2 = b.Delay(i, p1, r1), b.Delay(i, p2, r2)
		if p1 != p2 || p1 < base || p1 > 100*ms {
			t.Fatalf("retry %d: %v vs %v", i, p1, p2)
		}
	}
}

func TestPushback(t *testing.T) {
	tests := []struct {
		mode             Pushback
		computed, server sim.Time
		want             sim.Time
	}{
		{PushbackAtLeast, 100 * ms, 2 * sim.Second, 2 * sim.Second},
		{PushbackAtLeast, 100 * ms, 10 * ms, 100 * ms},
		{PushbackAtLeast, 100 * ms, -1, 100 * ms},
		{PushbackReplace, 100 * ms, 10 * ms, 10 * ms},
		{PushbackReplace, 100 * ms, 0, 0},
		{PushbackIgnore, 100 * ms, 2 * sim.Second, 100 * ms},
	}
	for _, tc := range tests {
		if got := (Backoff{Pushback: tc.mode}).Honour(tc.computed, tc.server); got != tc.want {
			t.Errorf("%+v: %v", tc, got)
		}
	}
}

func TestBackoffValidate(t *testing.T) {
	for _, bad := range []Backoff{
		{Kind: Exponential},
		{Kind: Fixed, Base: 2 * ms, Cap: ms},
		{Kind: Exponential, Base: ms, Multiplier: 0.5},
		{Kind: Fixed, Base: ms, Jitter: Proportional, Spread: 2},
		{Kind: 9, Base: ms},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestBackoffDoesNotAllocate(t *testing.T) {
	r := sim.NewStream(1, "a")
	b := Backoff{Kind: Exponential, Base: ms, Cap: sim.Second, Jitter: EqualJitter}
	n := 0
	if a := testing.AllocsPerRun(1000, func() { n++; b.Delay(n%12+1, 0, r) }); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

// The means the backoff-and-jitter study rests on, retry by retry up to
// and past the cap: full jitter averages half the exponential ceiling
// min(cap, base·2^(n-1)), equal jitter three quarters of it (exactly, for
// the discrete draws: (d-1)/2 and d/2 + (d/2-1)/2).
func TestJitterMeansByRetry(t *testing.T) {
	base, cp := 10*ms, 500*ms
	full := Backoff{Kind: Exponential, Base: base, Cap: cp, Jitter: FullJitter}
	equal := Backoff{Kind: Exponential, Base: base, Cap: cp, Jitter: EqualJitter}
	for n := 1; n <= 8; n++ {
		d := min(cp, base<<(n-1))
		if full.Ceiling(n) != d {
			t.Fatalf("retry %d: ceiling %v, want %v", n, full.Ceiling(n), d)
		}
		m, h := float64(d), float64(d/2)
		sampleMean(t, "full-"+string(rune('0'+n)), func(r *sim.Rand) sim.Time { return full.Delay(n, 0, r) },
			(m-1)/2, (m*m-1)/12, 0, d)
		sampleMean(t, "equal-"+string(rune('0'+n)), func(r *sim.Rand) sim.Time { return equal.Delay(n, 0, r) },
			h+(h-1)/2, (h*h-1)/12, d/2, d)
	}
}

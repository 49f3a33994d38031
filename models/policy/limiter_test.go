package policy

import (
	"testing"

	"cascade/sim"
)

type verdict struct {
	at    sim.Time
	ok    bool
	retry sim.Time // Retry-After when rejected, wait when a LeakyQueue admits
}

func checkTable(t *testing.T, name string, allow func(sim.Time) (bool, sim.Time), table []verdict) {
	t.Helper()
	for i, v := range table {
		ok, r := allow(v.at)
		if ok != v.ok || r != v.retry {
			t.Fatalf("%s step %d at %v: (%v, %v), want (%v, %v)", name, i, v.at, ok, r, v.ok, v.retry)
		}
	}
}

// must panics on a constructor error (only valid arguments reach it).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// x/time/rate semantics: starts full with burst tokens, refills continuously.
func TestTokenBucketContinuous(t *testing.T) {
	b := must(NewTokenBucket(10, s, 5, 0))
	checkTable(t, "10/s burst 5", b.Allow, []verdict{
		{0, true, 0}, {0, true, 0}, {0, true, 0}, {0, true, 0}, {0, true, 0},
		{0, false, 100 * ms},
		{100*ms - 1, false, 1},
		{100 * ms, true, 0},
		{150 * ms, false, 50 * ms},
		{sim.Hour, true, 0}, // full again, capped at 5
		{sim.Hour, true, 0}, {sim.Hour, true, 0}, {sim.Hour, true, 0}, {sim.Hour, true, 0},
		{sim.Hour, false, 100 * ms},
	})
	// 3 per second: a token takes 333333333.3 ns, so the wait rounds up.
	b3 := must(NewTokenBucket(3, s, 1, 0))
	checkTable(t, "3/s", b3.Allow, []verdict{
		{0, true, 0}, {0, false, 333333334}, {333333333, false, 1}, {333333334, true, 0},
	})
	// Half a token a second (1 per 2 s).
	bh := must(NewTokenBucket(1, 2*s, 2, 0))
	checkTable(t, "0.5/s", bh.Allow, []verdict{
		{0, true, 0}, {0, true, 0}, {s, false, s}, {2 * s, true, 0}, {2 * s, false, 2 * s},
	})
	if got := bh.Tokens(3 * s); got != 0.5 {
		t.Fatalf("tokens %v", got)
	}
}

// Envoy local rate limit: whole tokens at each fill_interval boundary.
func TestTokenBucketInterval(t *testing.T) {
	b := must(NewIntervalBucket(5, 2, s, 0))
	table := []verdict{}
	for i := 0; i < 5; i++ {
		table = append(table, verdict{0, true, 0})
	}
	table = append(table,
		verdict{500 * ms, false, 500 * ms},
		verdict{s - 1, false, 1},
		verdict{s, true, 0}, verdict{s, true, 0}, // two tokens at the boundary, at once
		verdict{s, false, s},
		verdict{10 * s, true, 0}, // capped at 5, not 5 + 18
	)
	checkTable(t, "envoy", b.Allow, table)
	if got := b.Tokens(10 * s); got != 4 {
		t.Fatalf("tokens %v", got)
	}
}

// GCRA: burst requests at once, then one per T; Retry-After = TAT - τ - now.
func TestGCRA(t *testing.T) {
	g := must(NewGCRA(100*ms, 5, 0))
	table := []verdict{}
	for i := 0; i < 5; i++ {
		table = append(table, verdict{0, true, 0})
	}
	table = append(table,
		verdict{0, false, 100 * ms},
		verdict{100*ms - 1, false, 1},
		verdict{100 * ms, true, 0},
		verdict{100 * ms, false, 100 * ms},
		verdict{250 * ms, true, 0}, // TAT 600ms, allowAt 200ms
		verdict{250 * ms, false, 50 * ms},
		verdict{sim.Hour, true, 0},
	)
	checkTable(t, "gcra", g.Allow, table)
	one := must(NewGCRA(s, 1, 0)) // burst 1: strictly spaced
	checkTable(t, "gcra burst 1", one.Allow, []verdict{
		{0, true, 0}, {999 * ms, false, ms}, {s, true, 0}, {3 * s, true, 0}, {3 * s, false, s},
	})
}

// nginx limit_req: excess drains at the rate; waits are excess/rate; at most
// burst waiting; delay=N serves the first N excess requests at once.
func TestLeakyQueue(t *testing.T) {
	q := must(NewLeakyQueue(100*ms, 3, 0))
	checkTable(t, "burst 3", q.Admit, []verdict{
		{0, true, 0}, {0, true, 100 * ms}, {0, true, 200 * ms}, {0, true, 300 * ms},
		{0, false, 100 * ms},
		{100*ms - 1, false, 1},
		{100 * ms, true, 300 * ms},
		{sim.Second, true, 0}, // drained
	})
	nodelay := must(NewLeakyQueue(100*ms, 3, 3))
	checkTable(t, "nodelay", nodelay.Admit, []verdict{
		{0, true, 0}, {0, true, 0}, {0, true, 0}, {0, true, 0}, {0, false, 100 * ms},
		{50 * ms, false, 50 * ms},
	})
	delay1 := must(NewLeakyQueue(100*ms, 3, 1))
	checkTable(t, "delay=1", delay1.Admit, []verdict{
		{0, true, 0}, {0, true, 0}, {0, true, 100 * ms}, {0, true, 200 * ms}, {0, false, 100 * ms},
	})
	// Requests at exactly the rate never queue.
	r := must(NewLeakyQueue(100*ms, 0, 0))
	for i := 0; i < 10; i++ {
		if ok, w := r.Admit(sim.Time(i) * 100 * ms); !ok || w != 0 {
			t.Fatalf("request %d at the rate: %v %v", i, ok, w)
		}
	}
	if ok, w := r.Admit(950 * ms); ok || w != 50*ms {
		t.Fatalf("early request: %v %v", ok, w)
	}
}

func TestFixedWindow(t *testing.T) {
	w := must(NewFixedWindow(3, s))
	checkTable(t, "fixed", w.Allow, []verdict{
		{900 * ms, true, 0}, {900 * ms, true, 0}, {900 * ms, true, 0},
		{900 * ms, false, 100 * ms},
		{s, true, 0}, {s, true, 0}, {s, true, 0}, // 6 within 100 ms across the boundary
		{1999 * ms, false, ms},
		{5 * s, true, 0},
	})
}

func TestSlidingWindow(t *testing.T) {
	const W = sim.Minute
	w := must(NewSlidingWindow(50, W))
	for i := 0; i < 42; i++ {
		if ok, _ := w.Allow(30 * s); !ok {
			t.Fatal("fresh window refused")
		}
	}
	// 14 s into the next window: 42·46 + c·60 < 3000 admits c = 0..17.
	for i := 0; i < 18; i++ {
		if ok, _ := w.Allow(W + 14*s); !ok {
			t.Fatalf("refused request %d at 14 s", i)
		}
	}
	if ok, _ := w.Allow(W + 14*s); ok {
		t.Fatal("19th request admitted at 14 s")
	}
	// Cloudflare's example: 42 previous, 18 current, 15 s in: 49.5 < 50.
	if got := w.Estimate(W + 15*s); got != 49.5 {
		t.Fatalf("estimate %v", got)
	}
	ok, _ := w.Allow(W + 15*s)
	if !ok {
		t.Fatal("Cloudflare example refused")
	}
	// Now 19 current: 42·(W-e) < 31·W first holds at
	// e = W - ⌈31·W/42⌉ + 1 = 15714285715 ns.
	ok, r := w.Allow(W + 15*s)
	if ok || r != 714285715 {
		t.Fatalf("(%v, %v), want rejection with retry 714285715ns", ok, r)
	}
	// A full window pushes the retry into the next window.
	f := must(NewSlidingWindow(2, s))
	checkTable(t, "into next", f.Allow, []verdict{
		{0, true, 0}, {0, true, 0},
		// next window: 2·(W-e) < 2·W from e = W - ⌈2W/2⌉ + 1 = 1 ns
		{0, false, s + 1},
	})
	one := must(NewSlidingWindow(1, s))
	checkTable(t, "limit 1", one.Allow, []verdict{
		{500 * ms, true, 0},
		{600 * ms, false, 400*ms + 1}, // next window, from e = W - ⌈W/1⌉ + 1 = 1 ns
	})
}

// The Retry-After of every limiter is exact: a request one nanosecond
// earlier is rejected, one at exactly that instant admitted. Checked on
// copies of the state at each rejection of a bursty arrival sequence.
func TestRetryAfterIsExact(t *testing.T) {
	type lim interface {
		Allow(sim.Time) (bool, sim.Time)
	}
	mk := map[string]func() lim{
		"token":    func() lim { return must(NewTokenBucket(7, s, 3, 0)) },
		"interval": func() lim { return must(NewIntervalBucket(4, 3, 700*ms, 0)) },
		"gcra":     func() lim { return must(NewGCRA(130*ms, 4, 0)) },
		"fixed":    func() lim { return must(NewFixedWindow(5, 900*ms)) },
		"sliding":  func() lim { return must(NewSlidingWindow(5, 900*ms)) },
		"queue":    func() lim { return leaky{must(NewLeakyQueue(90*ms, 2, 0))} },
	}
	for name, f := range mk {
		l := f()
		r := sim.NewStream(3, name)
		now := sim.Time(0)
		rejections := 0
		for i := 0; i < 3000; i++ {
			now += sim.Time(r.Int64N(int64(60 * ms)))
			ok, ra := l.Allow(now)
			if ok {
				continue
			}
			rejections++
			if ra <= 0 {
				t.Fatalf("%s: retry-after %v", name, ra)
			}
			before, at := clone(l), clone(l)
			if ra > 1 {
				if ok, _ := before.Allow(now + ra - 1); ok {
					t.Fatalf("%s at %v: admitted before retry-after %v", name, now, ra)
				}
			}
			if ok, _ := at.Allow(now + ra); !ok {
				t.Fatalf("%s at %v: rejected at retry-after %v", name, now, ra)
			}
		}
		if rejections < 100 {
			t.Fatalf("%s: only %d rejections, the test is too gentle", name, rejections)
		}
	}
}

type leaky struct{ q *LeakyQueue }

func (l leaky) Allow(now sim.Time) (bool, sim.Time) {
	ok, w := l.q.Admit(now)
	if ok {
		return true, 0
	}
	return false, w
}

func clone[T any](l T) T {
	switch v := any(l).(type) {
	case *TokenBucket:
		c := *v
		return any(&c).(T)
	case *GCRA:
		c := *v
		return any(&c).(T)
	case *FixedWindow:
		c := *v
		return any(&c).(T)
	case *SlidingWindow:
		c := *v
		return any(&c).(T)
	case leaky:
		c := *v.q
		return any(leaky{&c}).(T)
	}
	panic("clone")
}

func TestLimitersDoNotAllocate(t *testing.T) {
	tb := must(NewTokenBucket(100, s, 10, 0))
	g := must(NewGCRA(ms, 10, 0))
	q := must(NewLeakyQueue(ms, 10, 0))
	fw := must(NewFixedWindow(10, s))
	sw := must(NewSlidingWindow(10, s))
	now := sim.Time(0)
	a := testing.AllocsPerRun(1000, func() {
		now += 3 * ms
		tb.Allow(now)
		g.Allow(now)
		q.Admit(now)
		fw.Allow(now)
		sw.Allow(now)
	})
	if a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

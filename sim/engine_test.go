package sim

import (
	"fmt"
	"math"
	"testing"
)

type recorder struct {
	e   *Engine
	got []int
	at  []Time
}

func (r *recorder) Fire(arg any) {
	r.got = append(r.got, arg.(int))
	r.at = append(r.at, r.e.Now())
}

func TestEngineOrdersByTimeThenSequence(t *testing.T) {
	e := NewEngine(1)
	r := &recorder{e: e}
	e.At(30, r, 3)
	e.At(10, r, 1)
	e.At(20, r, 2)
	e.At(10, r, 11) // same time as 1, scheduled later: fires after it
	e.RunUntil(Forever)
	want := []int{1, 11, 2, 3}
	if len(r.got) != len(want) {
		t.Fatalf("got %v, want %v", r.got, want)
	}
	for i := range want {
		if r.got[i] != want[i] {
			t.Fatalf("got %v, want %v", r.got, want)
		}
	}
	if r.at[3] != 30 {
		t.Fatalf("last event at %v, want 30", r.at[3])
	}
}

func TestCancel(t *testing.T) {
	e := NewEngine(1)
	r := &recorder{e: e}
	a := e.At(10, r, 1)
	b := e.At(20, r, 2)
	if !e.Cancel(a) {
		t.Fatal("cancel of a pending event reported false")
	}
	if e.Cancel(a) {
		t.Fatal("second cancel reported true")
	}
	e.RunUntil(Forever)
	if len(r.got) != 1 || r.got[0] != 2 {
		t.Fatalf("got %v, want [2]", r.got)
	}
	if e.Cancel(b) {
		t.Fatal("cancel after firing reported true")
	}
	// The freed slot is reused; the old timer must not cancel the new event.
	c := e.After(5, r, 3)
	if e.Cancel(b) || e.Cancel(a) {
		t.Fatal("stale timer cancelled a reused slot")
	}
	e.RunUntil(Forever)
	if len(r.got) != 2 || r.got[1] != 3 {
		t.Fatalf("got %v, want [2 3]", r.got)
	}
	if e.Cancel(Timer{}) || e.Cancel(c) {
		t.Fatal("zero or fired timer cancelled something")
	}
}

type stopper struct {
	e *Engine
	n int
}

func (s *stopper) Fire(arg any) {
	s.n++
	if arg.(int) == 2 {
		s.e.Stop()
	}
}

func TestRunUntilStopAndResume(t *testing.T) {
	e := NewEngine(1)
	s := &stopper{e: e}
	for i := 1; i <= 4; i++ {
		e.At(Time(i)*Second, s, i)
	}
	if e.RunUntil(10 * Second) {
		t.Fatal("RunUntil reported reaching the end although a handler stopped it")
	}
	if s.n != 2 || e.Now() != 2*Second {
		t.Fatalf("after stop: n=%d now=%v", s.n, e.Now())
	}
	if !e.RunUntil(3 * Second) {
		t.Fatal("resume did not reach its end")
	}
	if s.n != 3 || e.Now() != 3*Second {
		t.Fatalf("after resume: n=%d now=%v", s.n, e.Now())
	}
	if !e.Step() || s.n != 4 || e.Step() {
		t.Fatalf("step: n=%d", s.n)
	}
	e.RunUntil(10 * Second)
	if e.Now() != 10*Second {
		t.Fatalf("clock did not advance to until: %v", e.Now())
	}
}

func TestStreamsAreNamedAndSeeded(t *testing.T) {
	a := NewStream(7, "api/service_time").Uint64()
	b := NewStream(7, "api/service_time").Uint64()
	c := NewStream(7, "db/service_time").Uint64()
	d := NewStream(8, "api/service_time").Uint64()
	if a != b {
		t.Fatal("same seed and name gave different streams")
	}
	if a == c || a == d {
		t.Fatal("different name or seed gave the same first draw")
	}
}

func TestTimeString(t *testing.T) {
	cases := map[Time]string{0: "0s", 250 * Millisecond: "250ms", 1500 * Millisecond: "1.5s",
		10 * Minute: "10m", 90 * Minute: "1.5h", 12: "12ns", -2 * Second: "-2s"}
	for in, want := range cases {
		if got := in.String(); got != want {
			t.Errorf("%d: got %q want %q", int64(in), got, want)
		}
	}
	if FromSeconds(1e300) <= 0 {
		t.Fatal("FromSeconds overflowed")
	}
}

// churn models a request stream: each event schedules the next one, and every
// other event arms a timeout that the following event cancels, as a request
// with a timer does (one cancellation per two events fired).
type churn struct {
	e       *Engine
	rng     *Rand
	n       int
	limit   *int
	timeout Timer
}

func (c *churn) Fire(arg any) {
	c.n++
	if c.n%2 == 0 {
		c.timeout = c.e.AfterFixed(Second, c, nil)
	} else {
		c.e.Cancel(c.timeout)
	}
	c.e.After(Time(c.rng.ExpFloat64()*float64(Millisecond)), c, nil)
	if *c.limit--; *c.limit == 0 {
		c.e.Stop()
	}
}

// BenchmarkEngine fires events with a few thousand pending, a third of them
// timers that get cancelled, and reports events per second. The handler does
// the minimum a model does per event: draw a delay and schedule. churners=10
// is the same with a few dozen pending, the size of bench-mmc's queue.
// mm8+far is mm8 with one event pending far in the future from the start,
// as a warm-up's end or a fault's start is: the radix heap's stretched run
// must not make it slower than that queue's size calls for.
func BenchmarkEngine(b *testing.B) {
	for _, n := range []int{2000, 10} {
		b.Run(fmt.Sprintf("churners=%d", n), func(b *testing.B) { benchEngine(b, n) })
	}
	b.Run("mm8", func(b *testing.B) { benchMM8(b, false) })
	b.Run("mm8+far", func(b *testing.B) { benchMM8(b, true) })
}

// mm8 is bench-mmc's M/M/8 at rho = 0.9 on the bare engine (Poisson
// 7,200/s, 8 servers, exp(1ms) service: scenarios/library/bench-mmc.yaml),
// as bench/gobaseline writes it: an arrival schedules the next and starts
// service if a server is free, a completion starts the next waiting
// customer. Nothing is recorded. It says what the kernel costs per event
// at that queue's size, apart from everything the model layer does.
type mm8 struct {
	e                   *Engine
	rng                 *Rand
	busy, waiting, left int
}

type mm8done mm8

func (m *mm8) Fire(any) {
	if m.left--; m.left == 0 {
		m.e.Stop()
	}
	m.e.After(FromSeconds(m.rng.ExpFloat64()/7200), m, nil)
	if m.busy < 8 {
		m.busy++
		m.e.After(FromSeconds(m.rng.ExpFloat64()*0.001), (*mm8done)(m), nil)
	} else {
		m.waiting++
	}
}

func (d *mm8done) Fire(any) {
	m := (*mm8)(d)
	if m.waiting > 0 {
		m.waiting--
		m.e.After(FromSeconds(m.rng.ExpFloat64()*0.001), d, nil)
	} else {
		m.busy--
	}
}

func benchMM8(b *testing.B, far bool) {
	e := NewEngine(1)
	m := &mm8{e: e, rng: NewStream(1, "bench"), left: 1 << 30}
	if far {
		e.At(Forever-1, HandlerFunc(func(any) {}), nil)
	}
	e.After(0, m, nil)
	e.RunUntil(2 * Second)
	b.ReportAllocs()
	b.ResetTimer()
	start := e.Fired()
	m.left = max(b.N/2, 1) // two events per customer
	e.RunUntil(Forever)
	b.StopTimer()
	b.ReportMetric(float64(e.Fired()-start)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(e.Fired()-start)/float64(b.N), "events/op")
}

func benchEngine(b *testing.B, churners int) {
	e := NewEngine(1)
	rng := NewStream(1, "bench")
	limit := 1 << 30
	cs := make([]*churn, churners)
	for i := range cs {
		cs[i] = &churn{e: e, rng: rng, limit: &limit}
		e.After(Time(rng.IntN(1000))*Microsecond, cs[i], nil)
	}
	e.RunUntil(2 * Second) // reach steady state: slots and heap at full size
	b.ReportAllocs()
	b.ResetTimer()
	start := e.Fired()
	limit = b.N
	e.RunUntil(Forever)
	b.StopTimer()
	n := e.Fired() - start
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(e.Pending()), "pending")
}

func TestCompactionKeepsOrder(t *testing.T) {
	e := NewEngine(1)
	r := &recorder{e: e}
	rng := NewStream(3, "t")
	var keep []Timer
	want := 0
	for i := 0; i < 20000; i++ {
		tm := e.At(Time(rng.IntN(1_000_000)), r, i)
		if i%5 == 0 {
			keep = append(keep, tm)
			want++
		} else {
			e.Cancel(tm)
		}
	}
	if e.Pending() > 2*want+compactFrom { // see compactFrom
		t.Fatalf("heap not compacted: %d pending for %d live", e.Pending(), want)
	}
	e.RunUntil(Forever)
	if len(r.got) != want {
		t.Fatalf("fired %d, want %d", len(r.got), want)
	}
	for i := 1; i < len(r.at); i++ {
		if r.at[i] < r.at[i-1] {
			t.Fatal("events out of order after compaction")
		}
	}
}

// zeroDelay reschedules itself at the same instant for ever: simulated
// time never moves, and only an event budget ends a call.
type zeroDelay struct{ e *Engine }

func (z *zeroDelay) Fire(any) { z.e.After(0, z, nil) }

// RunUntilN fires at most n events, leaves the clock at the last of them,
// and resumes exactly there; with a clock that stands still it still
// returns.
func TestRunUntilNBudget(t *testing.T) {
	e := NewEngine(1)
	r := &recorder{e: e}
	for i := 1; i <= 5; i++ {
		e.At(Time(i)*Second, r, i)
	}
	for _, step := range []struct {
		n       uint64
		reached bool
		fired   int
		now     Time
	}{
		{2, false, 2, 2 * Second},
		{2, false, 4, 4 * Second},
		{10, true, 5, 10 * Second},
	} {
		if got := e.RunUntilN(10*Second, step.n); got != step.reached || len(r.got) != step.fired || e.Now() != step.now {
			t.Fatalf("RunUntilN(10s, %d) = %v with %d fired at %v, want %v, %d, %v", step.n, got, len(r.got), e.Now(), step.reached, step.fired, step.now)
		}
	}
	z := NewEngine(1)
	z.At(Second, &zeroDelay{z}, nil)
	if z.RunUntilN(Forever, 1000) || z.Fired() != 1000 || z.Now() != Second {
		t.Fatalf("stalled clock: fired %d at %v", z.Fired(), z.Now())
	}
}

// TestFromSecondsRounds checks the fast path of FromSeconds (fromNanos)
// against the general one (roundNanos, math.Round) at the edges of its range
// and on random values: the same nanosecond for every input.
func TestFromSecondsRounds(t *testing.T) {
	ns := []float64{0, 0.25, math.Nextafter(0.5, 0), 0.5, math.Nextafter(0.5, 1), 1.5, 2.5,
		1<<52 - 0.5, math.Nextafter(1<<52, 0), 1 << 52, 1<<52 + 1, 1<<52 + 3, 1 << 53, -0.5, -2.5}
	rng := NewStream(1, "round")
	for i := 0; i < 100000; i++ {
		ns = append(ns, math.Ldexp(rng.Float64(), rng.IntN(60)), float64(rng.IntN(1<<20))+0.5)
	}
	for _, x := range ns {
		if got, want := fromNanos(x), roundNanos(x); got != want {
			t.Fatalf("fromNanos(%g) = %d, want %d", x, got, want)
		}
	}
}

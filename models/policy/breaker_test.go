package policy

import (
	"testing"

	"cascade/sim"
)

const (
	ms = sim.Millisecond
	s  = sim.Second
)

func newB(t *testing.T, cfg BreakerConfig) *Breaker {
	t.Helper()
	b, err := NewBreaker(cfg, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// call sends one call at now that finishes at once with the given outcome,
// and reports whether it was permitted.
func call(b *Breaker, now sim.Time, failed bool, dur sim.Time) bool {
	p, ok := b.Allow(now)
	if ok {
		b.Done(now, p, failed, dur)
	}
	return ok
}

func wantState(t *testing.T, b *Breaker, now sim.Time, want State) {
	t.Helper()
	if got := b.State(now); got != want {
		t.Fatalf("at %v: state %v, want %v", now, got, want)
	}
}

func wantLog(t *testing.T, b *Breaker, want ...Transition) {
	t.Helper()
	got := b.Transitions(nil)
	if len(got) != len(want) {
		t.Fatalf("transitions %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("transition %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// gobreaker (ref 1.1): ReadyToTrip is ConsecutiveFailures > 5, so the sixth
// failure trips; open until Timeout, half-open from the first instant after
// it (time.Before), one probe (MaxRequests 1).
func TestGoBreakerTransitionTable(t *testing.T) {
	b := newB(t, GoBreaker())
	for i := 0; i < 5; i++ {
		call(b, sim.Time(i)*ms, true, 0)
	}
	wantState(t, b, 5*ms, Closed)
	call(b, 5*ms, false, 0) // a success resets the consecutive count
	for i := 0; i < 5; i++ {
		call(b, 6*ms, true, 0)
	}
	wantState(t, b, 6*ms, Closed)
	call(b, 7*ms, true, 0) // sixth consecutive failure
	wantState(t, b, 7*ms, Open)
	if call(b, 8*ms, false, 0) {
		t.Fatal("open breaker let a call through")
	}
	opened := 7 * ms
	if got := b.NextChange(8 * ms); got != opened+60*s+1 {
		t.Fatalf("NextChange %v, want %v", got, opened+60*s+1)
	}
	wantState(t, b, opened+60*s, Open)
	wantState(t, b, opened+60*s+1, HalfOpen)
	p, ok := b.Allow(opened + 61*s)
	if !ok {
		t.Fatal("half-open refused the probe")
	}
	if _, ok := b.Allow(opened + 61*s); ok {
		t.Fatal("half-open let a second concurrent probe through (MaxRequests 1)")
	}
	b.Done(opened+62*s, p, true, 0)
	wantState(t, b, opened+62*s, Open) // any half-open failure re-opens
	reopened := opened + 62*s
	p, _ = b.Allow(reopened + 60*s + 1)
	b.Done(reopened+60*s+2, p, false, 0)
	wantState(t, b, reopened+60*s+2, Closed)
	wantLog(t, b,
		Transition{opened, Closed, Open, ReasonTripped},
		Transition{opened + 60*s + 1, Open, HalfOpen, ReasonWaitElapsed},
		Transition{reopened, HalfOpen, Open, ReasonProbesFailed},
		Transition{reopened + 60*s + 1, Open, HalfOpen, ReasonWaitElapsed},
		Transition{reopened + 60*s + 2, HalfOpen, Closed, ReasonProbesPassed},
	)
	c := b.Counters()
	if c.Permitted != 14 || c.Rejected != 2 || c.Failures != 12 || c.Successes != 2 {
		t.Fatalf("counters %+v", c)
	}
}

// gobreaker with MaxRequests 3: three probes, three consecutive successes
// close it.
func TestGoBreakerMaxRequests(t *testing.T) {
	cfg := GoBreaker()
	cfg.MaxRequests = 3
	cfg.TripAfter = 0 // default 5
	b := newB(t, cfg)
	for i := 0; i < 6; i++ {
		call(b, 0, true, 0)
	}
	wantState(t, b, 0, Open)
	now := 60*s + 1
	var ps [4]Permit
	var oks [4]bool
	for i := range ps {
		ps[i], oks[i] = b.Allow(now)
	}
	if oks != [4]bool{true, true, true, false} {
		t.Fatalf("half-open admissions %v", oks)
	}
	b.Done(now, ps[0], false, 0)
	b.Done(now, ps[1], false, 0)
	wantState(t, b, now, HalfOpen)
	b.Done(now, ps[2], false, 0)
	wantState(t, b, now, Closed)
}

// A late response from an older generation is ignored (gobreaker): a call
// permitted while closed fails after the breaker has gone half-open; it must
// neither re-open the breaker nor count as the probe.
func TestGoBreakerStaleGenerationIgnored(t *testing.T) {
	b := newB(t, GoBreaker())
	late, _ := b.Allow(0)
	for i := 0; i < 6; i++ {
		call(b, 1, true, 0)
	}
	wantState(t, b, 1, Open)
	wantState(t, b, 60*s+2, HalfOpen)
	b.Done(70*s, late, true, 70*s)
	wantState(t, b, 70*s, HalfOpen)
	if c := b.Counters(); c.Stale != 1 {
		t.Fatalf("stale %d, want 1", c.Stale)
	}
	if !call(b, 70*s, false, 0) {
		t.Fatal("probe refused")
	}
	wantState(t, b, 70*s, Closed)
}

// gobreaker Interval: closed counts are cleared once now is past the expiry
// (strictly), the next period running from that instant; calls in flight
// across the reset are stale.
func TestGoBreakerIntervalReset(t *testing.T) {
	cfg := GoBreaker()
	cfg.Interval = 10 * s
	b := newB(t, cfg)
	for i := 0; i < 5; i++ {
		call(b, sim.Time(i)*s, true, 0)
	}
	inflight, _ := b.Allow(10 * s) // exactly at the expiry: same generation
	if b.Counts().ConsecutiveFailures != 5 {
		t.Fatalf("counts %+v", b.Counts())
	}
	b.State(10*s + 1) // past the expiry: new generation
	if got := b.Counts(); got != (Counts{}) {
		t.Fatalf("counts after interval %+v", got)
	}
	b.Done(10*s+2, inflight, true, 0) // stale: ignored
	call(b, 10*s+3, true, 0)
	wantState(t, b, 10*s+3, Closed) // one failure in the new generation, not six
	if got := b.Counts(); got.ConsecutiveFailures != 1 || got.Requests != 1 {
		t.Fatalf("counts %+v", got)
	}
	// The next period ends at 10s+1+10s (observed instant + Interval).
	for i := 0; i < 4; i++ {
		call(b, 20*s+1, true, 0)
	}
	if got := b.Counts(); got.ConsecutiveFailures != 5 {
		t.Fatalf("counts at the second expiry %+v", got)
	}
	b.State(20*s + 2)
	if got := b.Counts(); got.ConsecutiveFailures != 0 {
		t.Fatalf("counts after the second expiry %+v", got)
	}
}

func TestGoBreakerReadyToTrip(t *testing.T) {
	cfg := GoBreaker()
	cfg.ReadyToTrip = func(c Counts) bool { return c.Requests >= 3 && c.TotalFailures*2 >= c.Requests }
	b := newB(t, cfg)
	call(b, 0, true, 0)
	call(b, 0, false, 0)
	wantState(t, b, 0, Closed)
	call(b, 0, true, 0)
	wantState(t, b, 0, Open)
}

// resilience4j count window (ref 1.1): no rate before minimumNumberOfCalls
// (9 of 9 failing does not trip with minimum 10), rate >= threshold trips.
func TestResilience4jMinimumCalls(t *testing.T) {
	cfg := Resilience4j()
	cfg.WindowSize, cfg.MinCalls = 10, 10
	b := newB(t, cfg)
	for i := 0; i < 9; i++ {
		call(b, 0, true, 0)
	}
	wantState(t, b, 0, Closed)
	call(b, 0, true, 0)
	wantState(t, b, 0, Open)
}

func TestResilience4jThresholdIsInclusive(t *testing.T) {
	tests := []struct {
		failures int
		want     State
	}{{49, Closed}, {50, Open}}
	for _, tc := range tests {
		b := newB(t, Resilience4j()) // 100 calls, minimum 100, 50 %
		for i := 0; i < 100-tc.failures; i++ {
			call(b, 0, false, 0)
		}
		for i := 0; i < tc.failures; i++ {
			call(b, 0, true, 0)
		}
		wantState(t, b, 0, tc.want)
	}
}

// Minimum calls above the window size is capped at the size (count window).
func TestResilience4jMinimumCappedAtWindow(t *testing.T) {
	cfg := Resilience4j()
	cfg.WindowSize = 4 // minimum stays 100, effective 4
	b := newB(t, cfg)
	call(b, 0, false, 0)
	call(b, 0, false, 0)
	call(b, 0, true, 0)
	wantState(t, b, 0, Closed)
	call(b, 0, true, 0) // 2 of 4
	wantState(t, b, 0, Open)
}

// The count window slides: the oldest outcome leaves as a new one enters.
func TestResilience4jCountWindowSlides(t *testing.T) {
	cfg := Resilience4j()
	cfg.WindowSize, cfg.MinCalls = 4, 4
	b := newB(t, cfg)
	for _, f := range []bool{true, false, false, false, true, false, false} {
		call(b, 0, f, 0) // never 2 failures among the last 4
	}
	wantState(t, b, 0, Closed)
	call(b, 0, true, 0) // last 4: f? window = [true(5th) false false true] = 2 of 4
	wantState(t, b, 0, Open)
}

// Slow calls trip on their own; in half-open slow probes decide too.
func TestResilience4jSlowCalls(t *testing.T) {
	cfg := Resilience4j()
	cfg.WindowSize, cfg.MinCalls, cfg.HalfOpenPermits = 4, 4, 3
	cfg.SlowRate, cfg.SlowCall = 75, 1*s
	b := newB(t, cfg)
	call(b, 0, false, 2*s)
	call(b, 0, false, 1*s) // exactly the threshold is not slow
	call(b, 0, false, 2*s)
	call(b, 0, false, 0)
	wantState(t, b, 0, Closed) // 2 of 4 slow = 50 %
	call(b, 0, false, 2*s)     // window: slow, fast, slow, slow... [1s,2s,0,2s] -> 2 slow
	call(b, 0, false, 2*s)     // [2s,0,2s,2s] -> 3 of 4 = 75 %
	wantState(t, b, 0, Open)
	if c := b.Counters(); c.Slow != 4 {
		t.Fatalf("slow %d", c.Slow)
	}

	tests := []struct {
		durations [3]sim.Time
		want      State
	}{
		{[3]sim.Time{2 * s, 2 * s, 2 * s}, Open},   // 100 % slow successes
		{[3]sim.Time{2 * s, 2 * s, 0}, Closed},     // 66.7 % < 75 %
		{[3]sim.Time{2 * s, 2 * s, 1 * s}, Closed}, // 1 s is not slow
	}
	for _, tc := range tests {
		b := newB(t, cfg)
		for i := 0; i < 4; i++ {
			call(b, 0, true, 0)
		}
		open := 60*s + 1
		var ps [3]Permit
		for i := range ps {
			var ok bool
			if ps[i], ok = b.Allow(open); !ok {
				t.Fatal("probe refused")
			}
		}
		if _, ok := b.Allow(open); ok {
			t.Fatal("fourth probe let through")
		}
		b.Done(open+1, ps[0], false, tc.durations[0])
		b.Done(open+1, ps[1], false, tc.durations[1])
		wantState(t, b, open+1, HalfOpen) // decides only when all permitted calls are in
		b.Done(open+2, ps[2], false, tc.durations[2])
		wantState(t, b, open+2, tc.want)
	}
}

// Lazy (default) vs timed open -> half-open.
func TestResilience4jLazyVersusTimedHalfOpen(t *testing.T) {
	trip := func(b *Breaker, now sim.Time) {
		for i := 0; i < 2; i++ {
			call(b, now, true, 0)
		}
	}
	cfg := Resilience4j()
	cfg.WindowSize, cfg.MinCalls, cfg.OpenFor = 2, 2, 10*s

	lazy := newB(t, cfg)
	trip(lazy, 5*s)
	if got := lazy.NextChange(5 * s); got != sim.Forever {
		t.Fatalf("lazy NextChange %v", got)
	}
	wantState(t, lazy, 20*s, Open) // no call, no transition
	lazy.Transitions(nil)
	if _, ok := lazy.Allow(15 * s); ok { // isAfter: exactly the end is still open
		t.Fatal("lazy breaker permitted at exactly opened+wait")
	}
	if _, ok := lazy.Allow(15*s + 1); !ok {
		t.Fatal("lazy breaker refused the first call after the wait")
	}
	wantLog(t, lazy, Transition{15*s + 1, Open, HalfOpen, ReasonWaitElapsed})

	cfg.AutoHalfOpen = true
	timed := newB(t, cfg)
	trip(timed, 5*s)
	if got := timed.NextChange(5 * s); got != 15*s {
		t.Fatalf("timed NextChange %v", got)
	}
	wantState(t, timed, 15*s-1, Open)
	timed.Transitions(nil)
	wantState(t, timed, 40*s, HalfOpen) // observed late, stamped exactly
	wantLog(t, timed, Transition{15 * s, Open, HalfOpen, ReasonWaitElapsed})
}

// maxWaitDurationInHalfOpenState: stuck probes re-open the breaker at exactly
// entry+wait; with the timed transition the cycle repeats on its own and a
// single late observation replays every instant.
func TestResilience4jHalfOpenMaxWait(t *testing.T) {
	cfg := Resilience4j()
	cfg.WindowSize, cfg.MinCalls, cfg.OpenFor = 2, 2, 10*s
	cfg.AutoHalfOpen, cfg.MaxHalfOpenWait = true, 3*s
	b := newB(t, cfg)
	call(b, 0, true, 0)
	call(b, 0, true, 0)
	b.State(10 * s)
	b.Allow(10 * s) // a probe that never returns
	if got := b.NextChange(10 * s); got != 13*s {
		t.Fatalf("NextChange in half-open %v", got)
	}
	wantState(t, b, 30*s, Open) // 10 half, 13 open, 23 half, 26 open, 36 half...
	wantLog(t, b,
		Transition{0, Closed, Open, ReasonTripped},
		Transition{10 * s, Open, HalfOpen, ReasonWaitElapsed},
		Transition{13 * s, HalfOpen, Open, ReasonHalfOpenTimeout},
		Transition{23 * s, Open, HalfOpen, ReasonWaitElapsed},
		Transition{26 * s, HalfOpen, Open, ReasonHalfOpenTimeout},
	)
	if got := b.NextChange(30 * s); got != 36*s {
		t.Fatalf("NextChange %v", got)
	}

	// Without a max wait a stuck probe holds half-open forever (issue #903).
	cfg.MaxHalfOpenWait = 0
	b = newB(t, cfg)
	call(b, 0, true, 0)
	call(b, 0, true, 0)
	for i := 0; i < 10; i++ {
		b.Allow(10 * s)
	}
	wantState(t, b, sim.Hour, HalfOpen)
	if got := b.NextChange(sim.Hour); got != sim.Forever {
		t.Fatalf("NextChange %v", got)
	}
}

// resilience4j records a late result into whatever state it lands in (it
// keeps no generation); RecordStale=false ignores it.
func TestStaleRecordingIsConfigurable(t *testing.T) {
	for _, record := range []bool{true, false} {
		cfg := Resilience4j()
		cfg.WindowSize, cfg.MinCalls, cfg.HalfOpenPermits, cfg.RecordStale = 2, 2, 1, record
		b := newB(t, cfg)
		late, _ := b.Allow(0)
		call(b, 0, true, 0)
		call(b, 0, true, 0)
		b.Allow(60*s + 1) // the probe, still running
		b.Done(60*s+2, late, false, 0)
		want := HalfOpen
		if record {
			want = Closed // the late success counted as the probe
		}
		wantState(t, b, 60*s+2, want)
	}
}

// resilience4j TIME_BASED: buckets of one second; the window covers the
// current bucket and the WindowSize-1 before it.
func TestResilience4jTimeWindow(t *testing.T) {
	cfg := Resilience4j()
	cfg.Kind, cfg.WindowSize, cfg.MinCalls = TimeWindow, 3, 4
	b := newB(t, cfg)
	call(b, 0, true, 0)
	call(b, 500*ms, false, 0)
	call(b, 1*s, false, 0)
	call(b, 2*s, false, 0)
	wantState(t, b, 2*s, Closed) // 1 of 4
	call(b, 3*s, false, 0)       // bucket 0 leaves: 0 failed of 3, below minimum
	wantState(t, b, 3*s, Closed)
	call(b, 3*s, true, 0) // 1 of 4
	call(b, 3*s, true, 0) // 2 of 5 = 40 %
	wantState(t, b, 3*s, Closed)
	call(b, 3*s, true, 0) // 3 of 6 = 50 %
	wantState(t, b, 3*s, Open)
	// A long gap empties the window entirely.
	b.Reset(4 * s)
	call(b, 4*s, true, 0)
	call(b, 4*s, true, 0)
	call(b, 4*s, true, 0)
	call(b, 100*s, false, 0)
	wantState(t, b, 100*s, Closed)
}

// Hystrix (theory 4.2): 20 requests in the 10 s window at >= 50 % errors
// trip; after the 5 s sleep window exactly one trial goes out.
func TestHystrixTransitionTable(t *testing.T) {
	b := newB(t, Hystrix())
	for i := 0; i < 19; i++ {
		call(b, 0, true, 0)
	}
	wantState(t, b, 0, Closed) // below requestVolumeThreshold
	// Ten seconds later the first bucket has left the window.
	for i := 0; i < 10; i++ {
		call(b, 10*s, false, 0)
	}
	for i := 0; i < 9; i++ {
		call(b, 10*s, true, 0)
	}
	wantState(t, b, 10*s, Closed) // 9 of 19 in window
	call(b, 10*s, true, 0)        // 10 of 20 = 50 %
	wantState(t, b, 10*s, Open)
	if _, ok := b.Allow(15 * s); ok {
		t.Fatal("trial before the sleep window ended")
	}
	trial, ok := b.Allow(15*s + 1)
	if !ok {
		t.Fatal("no trial after the sleep window")
	}
	if _, ok := b.Allow(15*s + 2); ok {
		t.Fatal("second trial let through")
	}
	b.Done(16*s, trial, true, 0) // failure re-opens for another window
	wantState(t, b, 16*s, Open)
	if _, ok := b.Allow(21 * s); ok {
		t.Fatal("trial before the second sleep window ended")
	}
	trial, _ = b.Allow(21*s + 1)
	b.Done(21*s+1, trial, false, 0)
	wantState(t, b, 21*s+1, Closed)
	// Statistics were reset: 19 failures do not trip again.
	for i := 0; i < 19; i++ {
		call(b, 22*s, true, 0)
	}
	wantState(t, b, 22*s, Closed)
	wantLog(t, b,
		Transition{10 * s, Closed, Open, ReasonTripped},
		Transition{15*s + 1, Open, HalfOpen, ReasonWaitElapsed},
		Transition{16 * s, HalfOpen, Open, ReasonProbesFailed},
		Transition{21*s + 1, Open, HalfOpen, ReasonWaitElapsed},
		Transition{21*s + 1, HalfOpen, Closed, ReasonProbesPassed},
	)
}

func TestManualStates(t *testing.T) {
	for _, cfg := range []BreakerConfig{GoBreaker(), Resilience4j(), Hystrix()} {
		b := newB(t, cfg)
		inflight, _ := b.Allow(0)
		b.ForceOpen(1)
		if call(b, 2, false, 0) {
			t.Fatalf("%v: forced open let a call through", cfg.Kind)
		}
		wantState(t, b, sim.Hour, ForcedOpen) // no timer leaves it
		if got := b.NextChange(sim.Hour); got != sim.Forever {
			t.Fatalf("NextChange %v", got)
		}
		b.Disable(sim.Hour)
		for i := 0; i < 1000; i++ {
			if !call(b, sim.Hour, true, 0) {
				t.Fatalf("%v: disabled breaker rejected", cfg.Kind)
			}
		}
		wantState(t, b, sim.Hour, Disabled)
		b.Reset(sim.Hour)
		wantState(t, b, sim.Hour, Closed)
		b.Done(sim.Hour, inflight, true, 0) // from before the reset
		wantLog(t, b,
			Transition{1, Closed, ForcedOpen, ReasonManual},
			Transition{sim.Hour, ForcedOpen, Disabled, ReasonManual},
			Transition{sim.Hour, Disabled, Closed, ReasonManual},
		)
	}
}

func TestTransitionLogIsBounded(t *testing.T) {
	cfg := GoBreaker()
	cfg.LogSize = 2
	b := newB(t, cfg)
	b.ForceOpen(1)
	b.Disable(2)
	b.Reset(3)
	wantLog(t, b,
		Transition{2, ForcedOpen, Disabled, ReasonManual},
		Transition{3, Disabled, Closed, ReasonManual},
	)
	if b.Dropped() != 1 {
		t.Fatalf("dropped %d", b.Dropped())
	}
}

func TestPresets(t *testing.T) {
	for _, name := range []string{"gobreaker", "resilience4j", "hystrix"} {
		cfg, ok := BreakerPreset(name)
		if !ok {
			t.Fatal(name)
		}
		newB(t, cfg)
	}
	if _, ok := BreakerPreset("polly"); ok {
		t.Fatal("unknown preset accepted")
	}
	// The zero config of a window kind is resilience4j's defaults (apart
	// from RecordStale, whose zero value is the gobreaker choice).
	got := BreakerConfig{Kind: CountWindow}.withDefaults()
	want := Resilience4j().withDefaults()
	want.RecordStale = false
	want.MaxRequests, want.TripAfter = got.MaxRequests, got.TripAfter
	if got.ReadyToTrip != nil || !sameConfig(got, want) {
		t.Fatalf("zero CountWindow config %+v, want %+v", got, want)
	}
	if g := (BreakerConfig{}).withDefaults(); g.OpenFor != 60*s || g.MaxRequests != 1 || g.TripAfter != 5 || g.Interval != 0 {
		t.Fatalf("zero Consecutive config %+v", g)
	}
	h := Hystrix()
	if h.OpenFor != 5*s || h.MinCalls != 20 || h.FailureRate != 50 || h.WindowSize*int(h.BucketWidth) != int(10*s) || h.HalfOpenPermits != 1 {
		t.Fatalf("hystrix %+v", h)
	}
	if _, err := NewBreaker(BreakerConfig{FailureRate: 150}, 0); err == nil {
		t.Fatal("rate above 100 % accepted")
	}
}

func sameConfig(a, b BreakerConfig) bool {
	a.ReadyToTrip, b.ReadyToTrip = nil, nil
	return a.Kind == b.Kind && a.OpenFor == b.OpenFor && a.AutoHalfOpen == b.AutoHalfOpen &&
		a.MaxRequests == b.MaxRequests && a.Interval == b.Interval && a.TripAfter == b.TripAfter &&
		a.WindowSize == b.WindowSize && a.BucketWidth == b.BucketWidth && a.MinCalls == b.MinCalls &&
		a.FailureRate == b.FailureRate && a.SlowRate == b.SlowRate && a.SlowCall == b.SlowCall &&
		a.HalfOpenPermits == b.HalfOpenPermits && a.MaxHalfOpenWait == b.MaxHalfOpenWait &&
		a.RecordStale == b.RecordStale && a.LogSize == b.LogSize
}

func TestBreakerDoesNotAllocate(t *testing.T) {
	for _, cfg := range []BreakerConfig{GoBreaker(), Resilience4j(), Hystrix()} {
		cfg.AutoHalfOpen = true
		b := newB(t, cfg)
		now := sim.Time(0)
		buf := make([]Transition, 0, 64)
		allocs := testing.AllocsPerRun(1000, func() {
			now += 7 * ms
			p, ok := b.Allow(now)
			if ok {
				b.Done(now+ms, p, now%(3*ms) == 0, now%(5*s))
			}
			b.NextChange(now)
			buf = b.Transitions(buf[:0])
		})
		if allocs != 0 {
			t.Fatalf("%v: %v allocations per call", cfg.Kind, allocs)
		}
	}
}

func TestBreakerReleaseReturnsHalfOpenPermits(t *testing.T) {
	// resilience4j, 2 half-open calls: two permits taken and released
	// unused leave the breaker able to permit two more, and only results
	// decide the state.
	c := Resilience4j()
	c.WindowSize, c.MinCalls, c.OpenFor, c.HalfOpenPermits, c.AutoHalfOpen = 2, 2, sim.Second, 2, true
	b, err := NewBreaker(c, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		p, _ := b.Allow(1)
		b.Done(1, p, true, 0)
	}
	now := sim.Time(1) + sim.Second
	if b.State(now) != HalfOpen {
		t.Fatalf("state %v", b.State(now))
	}
	p1, ok1 := b.Allow(now)
	p2, ok2 := b.Allow(now)
	if _, ok := b.Allow(now); !ok1 || !ok2 || ok {
		t.Fatalf("want exactly 2 half-open permits")
	}
	b.Release(now, p1)
	b.Release(now, p2)
	q1, ok1 := b.Allow(now)
	q2, ok2 := b.Allow(now)
	if !ok1 || !ok2 {
		t.Fatal("released permits were not given back")
	}
	b.Done(now, q1, false, 0)
	b.Done(now, q2, false, 0)
	if b.State(now) != Closed || b.Counters().Released != 2 {
		t.Errorf("state %v released %d, want closed after two successes", b.State(now), b.Counters().Released)
	}
	// A permit of an older generation gives nothing back.
	b.Release(now, p1)
	if b.Counters().Released != 2 {
		t.Error("a stale permit was released")
	}
}

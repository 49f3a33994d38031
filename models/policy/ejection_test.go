package policy

import (
	"math"
	"testing"

	"cascade/sim"
)

func newEjector(t *testing.T, cfg EjectionConfig, n int) *Ejector {
	t.Helper()
	e, err := NewEjector(cfg, n, 0)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func fail(e *Ejector, now sim.Time, host, times int) {
	for i := 0; i < times; i++ {
		e.Result(now, host, true)
	}
}

func wantEvents(t *testing.T, e *Ejector, want ...EjectionEvent) {
	t.Helper()
	got := e.Events(nil)
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// consecutive_5xx 5, base 30 s, sweeps every 10 s from creation: ejected at
// the 5th failure, back at the first sweep at least 30 s later.
func TestEjectionConsecutive5xx(t *testing.T) {
	e := newEjector(t, EnvoyOutlier(), 10)
	fail(e, s, 3, 4)
	e.Result(s, 3, false) // a success resets the count
	fail(e, s, 3, 4)
	if e.Ejected(s, 3) {
		t.Fatal("ejected after 4 consecutive failures")
	}
	fail(e, s, 3, 1)
	if !e.Ejected(s, 3) || e.EjectedCount(s) != 1 {
		t.Fatal("not ejected at the 5th consecutive failure")
	}
	if got := e.EjectionTime(3); got != 30*s {
		t.Fatalf("ejection time %v", got)
	}
	if got := e.NextChange(s); got != 10*s {
		t.Fatalf("next sweep %v", got)
	}
	if !e.Ejected(30*s, 3) || !e.Ejected(40*s-1, 3) { // the 30 s sweep: 29 s elapsed
		t.Fatal("unejected early")
	}
	if e.Ejected(40*s, 3) {
		t.Fatal("still ejected at the 40 s sweep")
	}
	wantEvents(t, e, EjectionEvent{s, 3, EjectConsecutive5xx}, EjectionEvent{40 * s, 3, Uneject})
	// The count was reset at unejection: four more failures do not eject.
	fail(e, 41*s, 3, 4)
	if e.Ejected(41*s, 3) {
		t.Fatal("re-ejected on a stale count")
	}
}

// max_ejection_percent: a host is ejected only if 100·(ejected+1)/hosts <=
// max (current Envoy). 10 hosts at 10 % allow 1, 20 allow 2, 9 allow none
// unless always_eject_one_host.
func TestEjectionCap(t *testing.T) {
	tests := []struct {
		hosts     int
		alwaysOne bool
		percent   int
		want      int
	}{
		{10, false, 10, 1}, {20, false, 10, 2}, {9, false, 10, 0}, {9, true, 10, 1},
		{5, false, 100, 5}, {3, true, 0, 1}, {3, false, 0, 0}, {19, false, 10, 1},
	}
	for _, tc := range tests {
		cfg := EnvoyOutlier()
		cfg.AlwaysEjectOne, cfg.MaxEjectionPercent, cfg.SuccessRate = tc.alwaysOne, tc.percent, false
		e := newEjector(t, cfg, tc.hosts)
		for h := 0; h < tc.hosts; h++ {
			fail(e, s, h, 5)
		}
		if got := e.EjectedCount(s); got != tc.want {
			t.Fatalf("%+v: %d ejected, want %d", tc, got, tc.want)
		}
		if c := e.Counters(); c.Overflow != uint64(tc.hosts-tc.want) {
			t.Fatalf("%+v: overflow %d", tc, c.Overflow)
		}
	}
	// A refused ejection still resets the count (Envoy resets it after
	// ejectHost whatever the cap said), so the next attempt takes 5 more.
	cfg := EnvoyOutlier()
	e := newEjector(t, cfg, 10)
	fail(e, s, 0, 5)
	fail(e, s, 1, 5)
	fail(e, s, 1, 4)
	if e.Counters().Overflow != 1 {
		t.Fatal(e.Counters())
	}
	fail(e, s, 1, 1)
	if e.Counters().Overflow != 2 {
		t.Fatal(e.Counters())
	}
}

// Envoy's EjectTimeBackoff test, replayed with base 10 s: ejections last
// 10, 20, 30 s; two healthy sweeps bring the next down to 20 s; a long
// healthy spell back to 10 s.
func TestEjectionBackoff(t *testing.T) {
	cfg := EnvoyOutlier()
	cfg.BaseEjection, cfg.MaxEjectionPercent, cfg.SuccessRate = 10*s, 100, false
	e := newEjector(t, cfg, 1)
	back := func(ejectAt, wantBack sim.Time) {
		t.Helper()
		fail(e, ejectAt, 0, 5)
		if !e.Ejected(ejectAt, 0) {
			t.Fatalf("not ejected at %v", ejectAt)
		}
		if !e.Ejected(wantBack-1, 0) || e.Ejected(wantBack, 0) {
			t.Fatalf("ejected at %v: want back at the %v sweep (ejection time %v)", ejectAt, wantBack, e.EjectionTime(0))
		}
	}
	back(5*s, 20*s)    // 10 s: sweeps at 10 (5 s), 20 (15 s)
	back(21*s, 50*s)   // 20 s: 30 (9), 40 (19), 50 (29)
	back(51*s, 90*s)   // 30 s: ... 80 (29), 90 (39)
	back(115*s, 140*s) // sweeps 100 and 110 healthy: backoff 3 -> 1, then 2: 20 s
	back(1000*s, 1010*s)

	// Without decay the ejection time grows by base up to the max.
	cfg = EnvoyOutlier()
	cfg.MaxEjectionPercent, cfg.SuccessRate, cfg.Interval = 100, false, sim.Hour
	e = newEjector(t, cfg, 1)
	var got []sim.Time
	for i := 0; i < 12; i++ {
		e.hosts[0].ejected, e.active = false, 0 // uneject by hand, no sweep
		fail(e, 0, 0, 5)
		got = append(got, e.EjectionTime(0)/s)
	}
	want := []sim.Time{30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300, 300}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ejection times %v s, want %v", got, want)
		}
	}
}

// Success-rate ejection: Envoy's own example, rates {50, 100, 100, 100, 100}:
// mean 90, stdev 20, threshold 90 - 1.9·20 = 52, so the 50 % host goes.
func TestEjectionSuccessRate(t *testing.T) {
	mean, thr := SuccessRateThreshold([]float64{50, 100, 100, 100, 100}, 1.9)
	if mean != 90 || math.Abs(thr-52) > 1e-12 {
		t.Fatalf("mean %v threshold %v", mean, thr)
	}
	load := func(e *Ejector, hosts, volume int, okFirst int) {
		for h := 0; h < hosts; h++ {
			for i := 0; i < volume; i++ {
				// host 0 fails every other request (never 5 in a row)
				failed := h == 0 && i%2 == 1 && i >= 2*okFirst
				e.Result(5*s, h, failed)
			}
		}
	}
	cfg := EnvoyOutlier()
	cfg.MaxEjectionPercent = 20
	e := newEjector(t, cfg, 5)
	load(e, 5, 100, 0)
	if e.Ejected(10*s-1, 0) {
		t.Fatal("ejected before the sweep")
	}
	if !e.Ejected(10*s, 0) {
		t.Fatal("50 % host not ejected at the sweep")
	}
	wantEvents(t, e, EjectionEvent{10 * s, 0, EjectSuccessRate})

	// Too few hosts with enough volume: nothing happens.
	for _, tc := range []struct{ hosts, volume int }{{4, 100}, {5, 99}} {
		e := newEjector(t, cfg, 5)
		load(e, tc.hosts, tc.volume, 0)
		if e.EjectedCount(10*s) != 0 {
			t.Fatalf("%+v: ejected", tc)
		}
	}
	// The default 10 % cap forbids any ejection among 5 hosts.
	e = newEjector(t, EnvoyOutlier(), 5)
	load(e, 5, 100, 0)
	if e.EjectedCount(10*s) != 0 || e.Counters().Overflow != 1 {
		t.Fatalf("cap ignored: %d ejected, %+v", e.EjectedCount(10*s), e.Counters())
	}
	// Counts are per interval: the next sweep sees no volume.
	if e.EjectedCount(20*s) != 0 {
		t.Fatal("counts carried over")
	}
}

func TestEjectionIdleJump(t *testing.T) {
	e := newEjector(t, EnvoyOutlier(), 3)
	if got := e.NextChange(sim.Day + 5*s); got != sim.Day+10*s {
		t.Fatalf("next sweep %v", got)
	}
	if _, err := NewEjector(EjectionConfig{}, 3, 0); err == nil {
		t.Fatal("zero interval accepted")
	}
}

func TestEjectionDoesNotAllocate(t *testing.T) {
	e := newEjector(t, EnvoyOutlier(), 20)
	now := sim.Time(0)
	i := 0
	buf := make([]EjectionEvent, 0, 64)
	if a := testing.AllocsPerRun(2000, func() {
		now += 5 * ms
		i++
		e.Result(now, i%20, i%20 == 3 || i%7 == 0)
		e.Ejected(now, i%20)
		buf = e.Events(buf[:0])
	}); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

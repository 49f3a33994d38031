package policy

import (
	"math"
	"testing"

	"cascade/sim"
)

// A transition table: target 60 % utilization, 2..10 instances, 60 s
// scale-out and 300 s scale-in cooldowns.
func TestTargetTracking(t *testing.T) {
	a, err := NewTargetTracking(0.6, 2, 10, secs(60), secs(300))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at              sim.Time
		capacity, ready int
		metric          float64
		want            int
		why             string
	}{
		{secs(0), 2, 2, 0.6, 2, "on target"},
		{secs(10), 2, 2, 0.9, 3, "ceil(2·0.9/0.6) = 3"},
		{secs(20), 3, 2, 1.0, 3, "scale-out cooldown: the new instance is not in the metric yet"},
		{secs(70), 3, 3, 1.0, 5, "cooldown over: ceil(3·1.0/0.6) = 5"},
		{secs(80), 5, 3, 0.1, 5, "scale-in cooldown after any scaling"},
		{secs(200), 5, 5, 3.0, 10, "capped at max (ceil(25) > 10)"},
		{secs(400), 10, 10, 0.3, 10, "scale-in cooldown runs from the last scaling (200 s)"},
		{secs(500), 10, 10, 0.3, 5, "ceil(10·0.3/0.6) = 5"},
		{secs(510), 5, 5, 0.01, 5, "scale-in cooldown again"},
		{secs(900), 5, 5, 0.01, 2, "clamped at min"},
		{secs(905), 2, 2, math.NaN(), 2, "no data: no change"},
		{secs(910), 2, 2, 0.61, 3, "scale-out is not blocked by the scale-in cooldown"},
	}
	for _, s := range steps {
		if got := a.Decide(s.at, s.capacity, s.ready, s.metric); got != s.want {
			t.Fatalf("t=%v capacity %d ready %d metric %v: %d, want %d (%s)", s.at, s.capacity, s.ready, s.metric, got, s.want, s.why)
		}
	}
}

func TestTargetTrackingValidates(t *testing.T) {
	for _, c := range []struct {
		target  float64
		lo, hi  int
		out, in sim.Time
	}{{0, 1, 2, 0, 0}, {math.Inf(1), 1, 2, 0, 0}, {0.5, 0, 2, 0, 0}, {0.5, 3, 2, 0, 0}, {0.5, 1, 2, -1, 0}} {
		if _, err := NewTargetTracking(c.target, c.lo, c.hi, c.out, c.in); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func secs(s int) sim.Time { return sim.Time(s) * sim.Second }

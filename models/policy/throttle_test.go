package policy

import (
	"testing"

	"cascade/sim"
)

// SRE book ch. 21: p = max(0, (requests - K·accepts)/(requests + 1)).
func TestThrottleProbabilityTable(t *testing.T) {
	tests := []struct {
		k                  float64
		requests, accepts  int
		want               float64
		rejectAt, acceptAt float64 // a draw just below p is rejected, at p accepted
	}{
		{2, 0, 0, 0, 0, 0},
		{2, 10, 0, 10.0 / 11, 0, 0},
		{2, 100, 50, 0, 0, 0},
		{2, 100, 40, 20.0 / 101, 0, 0},
		{2, 100, 100, 0, 0, 0},
		{1.1, 100, 50, -1, 0, 0}, // computed below: (100 - 1.1·50)/101
	}
	for _, tc := range tests {
		th, err := NewThrottle(tc.k, 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < tc.requests; i++ {
			th.Reject(0, 1) // u = 1 is never rejected, but counts
			if i < tc.accepts {
				th.Accepted(0)
			}
		}
		p := th.Probability(0)
		if tc.want < 0 {
			tc.want = (float64(tc.requests) - tc.k*float64(tc.accepts)) / float64(tc.requests+1)
		}
		if p != tc.want {
			t.Fatalf("%+v: p %v", tc, p)
		}
		if p > 0 {
			probe := *th
			probe.req, probe.acc = append([]int64(nil), th.req...), append([]int64(nil), th.acc...)
			if !probe.Reject(0, p*(1-1e-12)) {
				t.Fatalf("%+v: draw below p accepted", tc)
			}
			if th.Reject(0, p) {
				t.Fatalf("%+v: draw equal to p rejected", tc)
			}
		}
	}
}

// Locally rejected requests still count as requests, so under a full outage
// p climbs towards 1 (n/(n+1)); the window forgets after two minutes.
func TestThrottleOutageAndWindow(t *testing.T) {
	th, _ := NewThrottle(0, 0, 0, 0)
	r := sim.NewStream(1, "throttle")
	rejected := 0
	for i := 0; i < 1000; i++ {
		if th.Reject(sim.Time(i)*10*ms, r.Float64()) {
			rejected++
		}
	}
	if req, acc := th.Window(10 * s); req != 1000 || acc != 0 {
		t.Fatalf("window %d/%d", req, acc)
	}
	if p := th.Probability(10 * s); p != 1000.0/1001 {
		t.Fatalf("p %v", p)
	}
	if rejected < 950 {
		t.Fatalf("only %d of 1000 rejected during an outage", rejected)
	}
	// Requests at t < 10 s sit in buckets 0..9; at 120 s bucket 0 leaves.
	if req, _ := th.Window(120 * s); req != 900 {
		t.Fatalf("after 120 s: %d requests in window, want 900", req)
	}
	if req, _ := th.Window(130 * s); req != 0 {
		t.Fatalf("after 130 s: %d requests", req)
	}
	if _, err := NewThrottle(0.5, 0, 0, 0); err == nil {
		t.Fatal("K < 1 accepted")
	}
}

// Against a backend with a fixed capacity (it accepts at most 250 of the
// 1000 requests a second offered to it), the throttle settles where the
// client sends about K·accepts (SRE book: requests = K·accepts is where p
// turns positive): sent/accepted ~ 2 and p ~ 1/2.
func TestThrottleSteadyState(t *testing.T) {
	th, _ := NewThrottle(2, 0, 0, 0)
	r := sim.NewStream(2, "steady")
	sent, accepted := 0, 0
	perSecond := 0
	for i := 0; i < 400_000; i++ {
		now := sim.Time(i) * ms // 1000 req/s for 400 s
		if i%1000 == 0 {
			perSecond = 0
		}
		if th.Reject(now, r.Float64()) {
			continue
		}
		measured := i >= 200_000 // after a warm-up
		if measured {
			sent++
		}
		if perSecond < 250 {
			perSecond++
			th.Accepted(now)
			if measured {
				accepted++
			}
		}
	}
	ratio := float64(sent) / float64(accepted)
	if ratio < 1.9 || ratio > 2.1 {
		t.Fatalf("sent/accepted %d/%d = %.3f, want about K = 2", sent, accepted, ratio)
	}
}

func TestThrottleDoesNotAllocate(t *testing.T) {
	th, _ := NewThrottle(0, 0, 0, 0)
	now := sim.Time(0)
	if a := testing.AllocsPerRun(1000, func() {
		now += 7 * ms
		if !th.Reject(now, 0.5) {
			th.Accepted(now)
		}
	}); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

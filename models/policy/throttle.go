package policy

import (
	"fmt"

	"cascade/sim"
)

// Throttle is client-side adaptive throttling from the Google SRE book,
// chapter 21 (theory 3.4, ref 1.5): over a trailing window the client
// counts requests (everything the application asked for, including those
// throttled locally) and accepts (requests the backend accepted), and
// rejects a new request locally with probability
//
//	max(0, (requests - K·accepts) / (requests + 1)).
//
// K = 2 by default; lower is more aggressive. The window is a ring of
// buckets (the book says about two minutes). The caller supplies the uniform
// draw, so the throttle has no randomness of its own.
type Throttle struct {
	k     float64
	width sim.Time
	req   []int64
	acc   []int64
	head  int
	epoch int64
	sumR  int64
	sumA  int64
}

// SRE defaults: K 2 over two minutes, in one-second buckets.
const (
	SREThrottleK       = 2.0
	SREThrottleWindow  = 2 * sim.Minute
	SREThrottleBuckets = 120
)

// NewThrottle returns a throttle with multiplier k over window split into
// buckets buckets, created at now. Zero values take the SRE defaults.
func NewThrottle(k float64, window sim.Time, buckets int, now sim.Time) (*Throttle, error) {
	if k == 0 {
		k = SREThrottleK
	}
	if window == 0 {
		window = SREThrottleWindow
	}
	if buckets == 0 {
		buckets = SREThrottleBuckets
	}
	if k < 1 || window < 0 || buckets < 1 || window/sim.Time(buckets) == 0 {
		return nil, fmt.Errorf("throttle: need K >= 1 and a window of at least one nanosecond per bucket")
	}
	w := window / sim.Time(buckets)
	return &Throttle{k: k, width: w, req: make([]int64, buckets), acc: make([]int64, buckets), epoch: int64(now / w)}, nil
}

func (t *Throttle) moveTo(now sim.Time) {
	e := int64(now / t.width)
	if e <= t.epoch {
		return
	}
	steps := e - t.epoch
	if steps >= int64(len(t.req)) {
		clear(t.req)
		clear(t.acc)
		t.sumR, t.sumA = 0, 0
	} else {
		for i := int64(0); i < steps; i++ {
			t.head = (t.head + 1) % len(t.req)
			t.sumR -= t.req[t.head]
			t.sumA -= t.acc[t.head]
			t.req[t.head], t.acc[t.head] = 0, 0
		}
	}
	t.epoch = e
}

// Probability is the local rejection probability at now.
func (t *Throttle) Probability(now sim.Time) float64 {
	t.moveTo(now)
	p := (float64(t.sumR) - t.k*float64(t.sumA)) / float64(t.sumR+1)
	return max(p, 0)
}

// Reject decides a new request at now given a uniform draw u in [0, 1): it
// is rejected locally when u < the probability computed from the window
// before it. Either way it is counted as a request.
func (t *Throttle) Reject(now sim.Time, u float64) bool {
	p := t.Probability(now)
	t.req[t.head]++
	t.sumR++
	return u < p
}

// Accepted records that the backend accepted a request at now.
func (t *Throttle) Accepted(now sim.Time) {
	t.moveTo(now)
	t.acc[t.head]++
	t.sumA++
}

// Window returns the requests and accepts in the window at now.
func (t *Throttle) Window(now sim.Time) (requests, accepts int64) {
	t.moveTo(now)
	return t.sumR, t.sumA
}

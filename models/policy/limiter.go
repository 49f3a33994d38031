package policy

import (
	"fmt"
	"math"
	"math/bits"

	"cascade/sim"
)

// Rate limiters (ref 1.4). Each Allow(now) returns whether the request is
// admitted and, when it is not, the Retry-After: the shortest wait after
// which the same limiter, left alone, admits a request. Rejected requests
// never change a limiter's state, so that wait is exact: a request at
// now+retryAfter-1 is rejected, one at now+retryAfter admitted.
//
// Arithmetic is integer nanoseconds throughout, so boundaries are exact.

// TokenBucket is a token bucket that starts full. With continuous refill it
// is Go's x/time/rate Limiter (rate, burst; Allow = reserve one token
// without waiting); with interval refill it is Envoy's local rate limit
// (max_tokens, tokens_per_fill, fill_interval): whole tokens added at each
// interval boundary, which lets bursts through at the boundaries.
type TokenBucket struct {
	// continuous: rate is count tokens per per; units are tokens x per, so
	// refill over d nanoseconds adds d x count units exactly.
	count int64
	per   sim.Time
	// interval: whole tokens, perFill of them every fill.
	fill    sim.Time
	perFill int64

	capacity int64 // in units
	units    int64
	last     sim.Time // continuous: last refill; interval: last fill boundary
}

// NewTokenBucket returns a continuously refilled bucket of rate count/per
// (e.g. 100 per second, or 1 per 2 s for half a token a second) holding at
// most burst tokens, full at now.
func NewTokenBucket(count int64, per sim.Time, burst int64, now sim.Time) (*TokenBucket, error) {
	if count <= 0 || per <= 0 || burst <= 0 {
		return nil, fmt.Errorf("token bucket: rate %d per %v and burst %d must be positive", count, per, burst)
	}
	if burst > math.MaxInt64/2/int64(per) {
		return nil, fmt.Errorf("token bucket: burst %d too large for a period of %v", burst, per)
	}
	c := burst * int64(per)
	return &TokenBucket{count: count, per: per, capacity: c, units: c, last: now}, nil
}

// NewIntervalBucket returns an Envoy-style bucket of maxTokens, full at now,
// adding tokensPerFill every fillInterval from now.
func NewIntervalBucket(maxTokens, tokensPerFill int64, fillInterval sim.Time, now sim.Time) (*TokenBucket, error) {
	if maxTokens <= 0 || tokensPerFill <= 0 || fillInterval <= 0 {
		return nil, fmt.Errorf("token bucket: max_tokens, tokens_per_fill and fill_interval must be positive")
	}
	return &TokenBucket{fill: fillInterval, perFill: tokensPerFill, capacity: maxTokens, units: maxTokens, last: now}, nil
}

func (b *TokenBucket) refill(now sim.Time) {
	if b.fill > 0 {
		k := int64((now - b.last) / b.fill)
		if k <= 0 {
			return
		}
		b.last += sim.Time(k) * b.fill
		if k >= (b.capacity-b.units)/b.perFill+1 {
			b.units = b.capacity
		} else {
			b.units += k * b.perFill
		}
		return
	}
	d := int64(now - b.last)
	b.last = now
	if b.units >= b.capacity || d <= 0 {
		return
	}
	need := ceilDiv(b.capacity-b.units, b.count)
	if d >= need {
		b.units = b.capacity
	} else {
		b.units += d * b.count
	}
}

// Allow takes one token if there is one.
func (b *TokenBucket) Allow(now sim.Time) (ok bool, retryAfter sim.Time) {
	b.refill(now)
	one := int64(1)
	if b.fill == 0 {
		one = int64(b.per)
	}
	if b.units >= one {
		b.units -= one
		return true, 0
	}
	if b.fill > 0 {
		return false, b.last + b.fill - now
	}
	return false, sim.Time(ceilDiv(one-b.units, b.count))
}

// Tokens returns the tokens in the bucket at now.
func (b *TokenBucket) Tokens(now sim.Time) float64 {
	b.refill(now)
	if b.fill > 0 {
		return float64(b.units)
	}
	return float64(b.units) / float64(b.per)
}

// GCRA is the generic cell rate algorithm, the leaky bucket as a meter
// (ref 1.4): emission interval T, tolerance τ = (burst-1)·T, so burst
// requests pass at once from idle and then one per T. It keeps one number,
// the theoretical arrival time TAT: a request at now is admitted when
// now >= TAT - τ, and then TAT = max(TAT, now) + T. (The reference phrases
// the tolerance as burst·T, counting the burst beyond the first request;
// this is the redis-cell / throttled convention where burst counts them
// all.) Rejected requests leave TAT alone; Retry-After is TAT - τ - now.
type GCRA struct {
	t, tau, tat sim.Time
}

// NewGCRA returns a GCRA with emission interval t (1/rate; callers converting
// a rate count/period use period/count truncated to the nanosecond, as
// throttled does) and burst >= 1, idle at now.
func NewGCRA(t sim.Time, burst int64, now sim.Time) (*GCRA, error) {
	if t <= 0 || burst < 1 {
		return nil, fmt.Errorf("gcra: emission interval %v and burst %d must be positive", t, burst)
	}
	return &GCRA{t: t, tau: sim.Time(burst-1) * t, tat: now}, nil
}

// Allow admits a request if it conforms.
func (g *GCRA) Allow(now sim.Time) (ok bool, retryAfter sim.Time) {
	if allowAt := g.tat - g.tau; now < allowAt {
		return false, allowAt - now
	}
	g.tat = max(g.tat, now) + g.t
	return true, 0
}

// LeakyQueue is the leaky bucket as a queue, nginx limit_req (ref 1.4):
// requests leave at one per interval; up to burst of them may wait; beyond
// that they are rejected. nginx keeps an "excess" (requests ahead of the
// rate) that drains at the rate and grows by one per admitted request; a
// request is rejected when its excess would exceed burst, else delayed by
// excess/rate, minus the first delayFree excess requests which nginx's
// delay=N serves at once (nodelay is delayFree = burst). Here the excess is
// kept in nanoseconds (requests x interval) so it drains exactly; nginx
// rounds to milliseconds.
type LeakyQueue struct {
	t         sim.Time
	burst     sim.Time // burst x t
	free      sim.Time // delayFree x t
	excess    sim.Time
	last      sim.Time
	untouched bool
}

// NewLeakyQueue returns an empty queue releasing one request per interval,
// holding at most burst (>= 0) excess requests, the first delayFree
// (0 <= delayFree <= burst) of which are not delayed.
func NewLeakyQueue(interval sim.Time, burst, delayFree int64) (*LeakyQueue, error) {
	if interval <= 0 || burst < 0 || delayFree < 0 || delayFree > burst {
		return nil, fmt.Errorf("leaky queue: need interval > 0 and 0 <= delay-free <= burst")
	}
	return &LeakyQueue{t: interval, burst: sim.Time(burst) * interval, free: sim.Time(delayFree) * interval, untouched: true}, nil
}

// Admit decides a request at now. When ok, wait is how long the request
// waits before it proceeds; when not, wait is the Retry-After.
func (q *LeakyQueue) Admit(now sim.Time) (ok bool, wait sim.Time) {
	excess := sim.Time(0)
	if !q.untouched {
		excess = max(q.excess-(now-q.last)+q.t, 0)
	}
	if excess > q.burst {
		// Smallest t with excess - (t - last) + T <= burst.
		return false, q.last + q.excess + q.t - q.burst - now
	}
	q.excess, q.last, q.untouched = excess, now, false
	return true, max(excess-q.free, 0)
}

// FixedWindow admits limit requests per window, windows aligned to
// multiples of the window from time 0 (ref 1.4: up to 2x the limit across a
// boundary).
type FixedWindow struct {
	limit  int64
	window sim.Time
	epoch  int64
	count  int64
}

// NewFixedWindow returns a fixed-window counter.
func NewFixedWindow(limit int64, window sim.Time) (*FixedWindow, error) {
	if limit <= 0 || window <= 0 {
		return nil, fmt.Errorf("fixed window: limit and window must be positive")
	}
	return &FixedWindow{limit: limit, window: window}, nil
}

// Allow admits a request if the current window has room.
func (w *FixedWindow) Allow(now sim.Time) (ok bool, retryAfter sim.Time) {
	if e := int64(now / w.window); e != w.epoch {
		w.epoch, w.count = e, 0
	}
	if w.count < w.limit {
		w.count++
		return true, 0
	}
	return false, sim.Time(w.epoch+1)*w.window - now
}

// SlidingWindow is the sliding-window counter (Cloudflare; ref 1.4): the
// rate at elapsed e into the current window is estimated as
// previous·(W-e)/W + current, and a request is admitted while that estimate
// (of the requests before it) is below the limit — Cloudflare's example of
// 42 previous, 18 current, 15 s into a minute (estimate 49.5) passes a limit
// of 50. The test previous·(W-e) + current·W < limit·W is evaluated exactly
// in 128-bit integers. Only admitted requests are counted (Cloudflare counts
// every request, since it is detecting abuse; a limiter that counted
// rejections would lock out a client that keeps retrying). From idle it
// admits exactly limit requests per window.
type SlidingWindow struct {
	limit       int64
	window      sim.Time
	epoch       int64
	prev, count int64
}

// NewSlidingWindow returns a sliding-window counter with windows aligned to
// multiples of window from time 0.
func NewSlidingWindow(limit int64, window sim.Time) (*SlidingWindow, error) {
	if limit <= 0 || window <= 0 {
		return nil, fmt.Errorf("sliding window: limit and window must be positive")
	}
	return &SlidingWindow{limit: limit, window: window}, nil
}

func (w *SlidingWindow) roll(now sim.Time) {
	e := int64(now / w.window)
	switch {
	case e == w.epoch:
	case e == w.epoch+1:
		w.prev, w.count = w.count, 0
	default:
		w.prev, w.count = 0, 0
	}
	w.epoch = e
}

// earliest returns the smallest elapsed e in [0, W] into a window with the
// given previous and current counts at which prev·(W-e) < (limit-count)·W
// (W: never in this window). With k = limit-count and c = ⌈k·W/prev⌉,
// integer W-e < k·W/prev exactly when W-e <= c-1.
func (w *SlidingWindow) earliest(prev, count int64) sim.Time {
	k := w.limit - count
	if k <= 0 {
		return w.window
	}
	if prev == 0 {
		return 0
	}
	c := mulDivCeil(uint64(k), uint64(w.window), uint64(prev))
	if c > uint64(w.window) {
		return 0
	}
	return w.window - sim.Time(c) + 1
}

// Allow admits a request if the estimated rate leaves room for it.
func (w *SlidingWindow) Allow(now sim.Time) (ok bool, retryAfter sim.Time) {
	w.roll(now)
	start := sim.Time(w.epoch) * w.window
	e := w.earliest(w.prev, w.count)
	if now-start >= e {
		w.count++
		return true, 0
	}
	if e < w.window {
		return false, start + e - now
	}
	// Not in this window: in the next one the current count becomes the
	// previous (and the one after starts from nothing).
	next := start + w.window
	if e = w.earliest(w.count, 0); e < w.window {
		return false, next + e - now
	}
	return false, next + w.window - now
}

// Estimate returns the sliding estimate at now (for metrics).
func (w *SlidingWindow) Estimate(now sim.Time) float64 {
	w.roll(now)
	e := now - sim.Time(w.epoch)*w.window
	return float64(w.prev)*float64(w.window-e)/float64(w.window) + float64(w.count)
}

// ceilDiv is ⌈a/b⌉ for a >= 0, b > 0, without overflow.
func ceilDiv(a, b int64) int64 {
	if a == 0 {
		return 0
	}
	return (a-1)/b + 1
}

// mulDivCeil is ⌈a·b/c⌉ in 128-bit arithmetic, saturating at MaxUint64.
func mulDivCeil(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return math.MaxUint64
	}
	q, r := bits.Div64(hi, lo, c)
	if r != 0 && q < math.MaxUint64 {
		q++
	}
	return q
}

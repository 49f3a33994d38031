package models

import (
	"fmt"
	"math"

	"cascade/models/policy"
	"cascade/sim"
)

// limiter adapts the policy package's rate limiters to one question: may a
// request go now, after how long a wait (the leaky queue delays instead of
// refusing), and if not, when to come back (Retry-After).
type limiter struct {
	allow interface {
		Allow(now sim.Time) (bool, sim.Time)
	}
	queue *policy.LeakyQueue
}

func (l *limiter) admit(now sim.Time) (ok bool, wait, retryAfter sim.Time) {
	if l.queue != nil {
		ok, d := l.queue.Admit(now)
		if ok {
			return true, d, 0
		}
		return false, 0, d
	}
	ok, after := l.allow.Allow(now)
	return ok, 0, after
}

// interval is the emission interval of a rate per second, in whole
// nanoseconds (as throttled and redis-cell truncate it).
func interval(rate float64) sim.Time { return sim.Time(float64(sim.Second) / rate) }

func newLimiter(s LimiterSpec, now sim.Time) (*limiter, error) {
	if !(s.Rate > 0) || math.IsInf(s.Rate, 0) {
		return nil, fmt.Errorf("rate limit: rate must be > 0")
	}
	burst := max(s.Burst, 1)
	switch s.Kind {
	case TokenBucket:
		// An integral rate per second is exact; otherwise one token per
		// emission interval.
		count, per := int64(1), interval(s.Rate)
		if s.Rate == math.Trunc(s.Rate) && s.Rate < 1e9 {
			count, per = int64(s.Rate), sim.Second
		}
		b, err := policy.NewTokenBucket(count, per, burst, now)
		return &limiter{allow: b}, err
	case IntervalBucket:
		fill := int64(math.Round(s.Rate * s.Interval.Seconds()))
		if fill < 1 {
			return nil, fmt.Errorf("rate limit: %v per %v adds no whole token per interval", s.Rate, s.Interval)
		}
		b, err := policy.NewIntervalBucket(max(s.Burst, fill), fill, s.Interval, now)
		return &limiter{allow: b}, err
	case GCRA:
		g, err := policy.NewGCRA(interval(s.Rate), burst, now)
		return &limiter{allow: g}, err
	case LeakyQueue:
		q, err := policy.NewLeakyQueue(interval(s.Rate), s.Burst, 0)
		return &limiter{queue: q}, err
	case FixedWindow, SlidingWindow:
		limit := int64(math.Round(s.Rate * s.Interval.Seconds()))
		if limit < 1 {
			return nil, fmt.Errorf("rate limit: %v per second over %v is less than one request per window", s.Rate, s.Interval)
		}
		if s.Kind == FixedWindow {
			w, err := policy.NewFixedWindow(limit, s.Interval)
			return &limiter{allow: w}, err
		}
		w, err := policy.NewSlidingWindow(limit, s.Interval)
		return &limiter{allow: w}, err
	}
	return nil, fmt.Errorf("rate limit: unknown kind %v", s.Kind)
}

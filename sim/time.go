// Package sim is the simulation kernel: simulated time, the event scheduler,
// named random streams and the metric primitives the models record into.
//
// Nothing in this package reads the wall clock, starts a goroutine or keeps
// package-level state, so two engines in one process never interfere and the
// same seed always replays the same run.
package sim

import (
	"math"
	"strconv"
	"time"
)

// Time is simulated time in integer nanoseconds since the start of a run. It
// is used for both instants and durations. Integers, not floats, order events,
// so ties are exact and resolve by scheduling order.
type Time int64

// Units of simulated time.
const (
	Nanosecond  Time = 1
	Microsecond Time = 1000 * Nanosecond
	Millisecond Time = 1000 * Microsecond
	Second      Time = 1000 * Millisecond
	Minute      Time = 60 * Second
	Hour        Time = 60 * Minute
	Day         Time = 24 * Hour

	// Forever is later than any event a run can schedule.
	Forever Time = math.MaxInt64
)

// Seconds returns t as a floating-point number of seconds.
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// Duration converts t to a time.Duration, for display only.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// FromSeconds converts seconds to Time, rounding to the nearest nanosecond and
// saturating instead of overflowing, so a sample from a heavy-tailed
// distribution can never wrap around into the past.
func FromSeconds(s float64) Time { return fromNanos(s * float64(Second)) }

// fromNanos is FromSeconds for a count of nanoseconds.
func fromNanos(ns float64) Time {
	if ns >= 0.5 && ns < 1<<52 {
		// The usual case, without math.Round's bit surgery: in this range
		// ns+0.5 is exact, so truncating it rounds half away from zero as
		// Round does. (Below 0.5 the sum can round up to 1; from 2^52 on
		// it can round to even.)
		return Time(ns + 0.5)
	}
	return roundNanos(ns)
}

// roundNanos is fromNanos for every input: NaN, saturation, math.Round.
func roundNanos(ns float64) Time {
	switch {
	case ns != ns: // NaN
		return 0
	case ns >= math.MaxInt64/2:
		return math.MaxInt64 / 2
	case ns <= math.MinInt64/2:
		return math.MinInt64 / 2
	}
	return Time(math.Round(ns))
}

// String prints t compactly with the largest unit that keeps it readable:
// "250ms", "1.5s", "10m0s"-style output is avoided in favour of "10m".
func (t Time) String() string {
	if t == Forever {
		return "forever"
	}
	neg := t < 0
	if neg {
		t = -t
	}
	var s string
	switch {
	case t == 0:
		s = "0s"
	case t < Microsecond:
		s = strconv.FormatInt(int64(t), 10) + "ns"
	case t < Millisecond:
		s = trim(float64(t)/float64(Microsecond)) + "µs"
	case t < Second:
		s = trim(float64(t)/float64(Millisecond)) + "ms"
	case t < Minute:
		s = trim(float64(t)/float64(Second)) + "s"
	case t < Hour:
		s = trim(float64(t)/float64(Minute)) + "m"
	default:
		s = trim(float64(t)/float64(Hour)) + "h"
	}
	if neg {
		return "-" + s
	}
	return s
}

// trim formats with at most three decimals and no trailing zeros.
func trim(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)
}

package sim

import (
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram is a streaming latency histogram: HdrHistogram buckets with a
// fixed memory footprint whatever the number of samples, plus the exact
// count, sum and extremes (the buckets alone would round the mean).
//
// Values from 1µs to one day keep the configured number of significant
// digits; smaller values fall in the first bucket and larger ones are clamped
// into the last, while Max still reports the true largest value.
type Histogram struct {
	h   *hdr.Histogram
	n   int64
	sum float64 // seconds; float64 keeps the mean exact enough at any count
	min Time
	max Time
}

const (
	histLowest  = int64(Microsecond)
	histHighest = int64(Day)
)

// NewHistogram returns an empty histogram keeping digits significant decimal
// digits (3 for run totals: quantiles within 0.1%; 2 for per-interval series).
func NewHistogram(digits int) *Histogram {
	return &Histogram{h: hdr.New(histLowest, histHighest, digits), min: Forever}
}

// Record adds one value. Negative values count as zero.
func (h *Histogram) Record(v Time) {
	if v < 0 {
		v = 0
	}
	h.n++
	h.sum += v.Seconds()
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	x := int64(v)
	if x > histHighest {
		x = histHighest
	}
	_ = h.h.RecordValue(x) // cannot fail: x is within the trackable range
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 { return h.n }

// Mean is the exact mean in seconds, or NaN when empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.n)
}

// Sum is the exact total in seconds.
func (h *Histogram) Sum() float64 { return h.sum }

// Max is the exact largest value, or 0 when empty.
func (h *Histogram) Max() Time { return h.max }

// Min is the exact smallest value, or 0 when empty.
func (h *Histogram) Min() Time {
	if h.n == 0 {
		return 0
	}
	return h.min
}

// Quantile returns the q-quantile (q in [0, 1]) in seconds, within the
// histogram's precision, or NaN when empty.
func (h *Histogram) Quantile(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	v := Time(h.h.ValueAtQuantile(q * 100))
	if v > h.max || int64(v) >= histHighest {
		v = h.max // the bucket's upper edge can exceed the true maximum
	}
	if v < h.min {
		v = h.min
	}
	return v.Seconds()
}

// Reset empties the histogram, keeping its memory.
func (h *Histogram) Reset() {
	if h.n == 0 {
		return
	}
	h.h.Reset()
	h.n, h.sum, h.min, h.max = 0, 0, Forever, 0
}

// Merge adds all of o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	h.h.Merge(o.h)
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

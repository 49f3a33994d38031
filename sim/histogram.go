package sim

import (
	"math"
	"math/bits"
	"slices"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram is a streaming latency histogram: HdrHistogram buckets with a
// fixed memory footprint whatever the number of samples, plus the exact
// count, sum and extremes (the buckets alone would round the mean).
//
// Values from 1µs to one day keep the configured number of significant
// digits; smaller values fall in the first bucket and larger ones are clamped
// into the last, while Max still reports the true largest value.
//
// The first values after a Reset, up to sparse of them, are kept as they
// are and go into the buckets only when there are more: a model keeps
// histograms for every service and workload, and with a thousand services
// each sees a handful of requests an interval and a few hundred in a short
// run. The buckets cost 237 KB at 3 digits (32 KB at 2), allocated, zeroed
// and then touched at random; the few cost 8 bytes a value, appended in
// order. Quantiles of the few values are what the buckets would give (the
// bucket of the ranked value, at its upper edge), which a test checks
// against the library, so where the limit lies changes no output. The
// buckets are allocated when first needed.
type Histogram struct {
	h       *hdr.Histogram // nil until first needed
	digits  int
	few     []int64 // values since Reset while they are at most sparse; grown as they come
	flushed bool    // the values since Reset are in h, not few
	n       int64
	sum     float64 // nanoseconds (no division per value); float64 keeps the mean exact enough at any count
	min     Time
	max     Time
}

const (
	histLowest  = int64(Microsecond)
	histHighest = int64(Day)
)

// NewHistogram returns an empty histogram keeping digits significant decimal
// digits (3 for run totals: quantiles within 0.1%; 2 for per-interval series).
func NewHistogram(digits int) *Histogram {
	return &Histogram{digits: digits, min: Forever}
}

// sparse is how many values a histogram keeps as they are after a Reset:
// at most 8 KB, and sorting them for a quantile costs about what reading
// the buckets does.
const sparse = 1024

// raw adds x to the buckets, or to the few while they are few.
func (h *Histogram) raw(x int64) {
	if !h.flushed {
		if len(h.few) < sparse {
			h.few = append(h.few, x)
			return
		}
		h.flush()
	}
	_ = h.h.RecordValue(x) // cannot fail: x is within the trackable range
}

// flush moves the few values into the buckets.
func (h *Histogram) flush() {
	if h.h == nil {
		h.h = hdr.New(histLowest, histHighest, h.digits)
	}
	for _, x := range h.few {
		_ = h.h.RecordValue(x)
	}
	h.few, h.flushed = h.few[:0], true
}

// Record adds one value. Negative values count as zero.
func (h *Histogram) Record(v Time) {
	if v < 0 {
		v = 0
	}
	h.n++
	h.sum += float64(v)
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
	if h.flushed { // the common case, without a call
		_ = h.h.RecordValue(x)
		return
	}
	h.raw(x)
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 { return h.n }

// Mean is the exact mean in seconds, or NaN when empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.n) / float64(Second)
}

// Sum is the exact total in seconds.
func (h *Histogram) Sum() float64 { return h.sum / float64(Second) }

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
	var v Time
	if h.flushed {
		v = Time(h.h.ValueAtQuantile(q * 100))
	} else {
		v = Time(h.fewQuantile(q * 100))
	}
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
	if h.flushed {
		h.h.Reset()
	}
	h.few, h.flushed = h.few[:0], false
	h.n, h.sum, h.min, h.max = 0, 0, Forever, 0
}

// Merge adds all of o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if o.flushed {
		if !h.flushed {
			h.flush()
		}
		h.h.Merge(o.h)
	} else {
		for _, x := range o.few {
			h.raw(x)
		}
	}
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// fewQuantile is the library's ValueAtQuantile(percentile) over the few
// values: the value of the ranked one's bucket, at its lower edge for the
// 0th percentile and its upper edge otherwise.
func (h *Histogram) fewQuantile(percentile float64) int64 {
	n := int64(len(h.few))
	if percentile > 100 {
		percentile = 100
	} else if percentile < 0 {
		percentile = 0
	}
	var rank int64
	switch r := (percentile/100)*float64(n) + 0.5; {
	case !(r >= 1):
		rank = 1
	case r >= float64(n):
		rank = n
	default:
		rank = int64(r)
	}
	few := h.few
	slices.Sort(few) // in place: their order matters to nothing else
	lo, size := bucketOf(few[rank-1], h.digits)
	if percentile == 0 {
		return lo
	}
	return lo + size - 1
}

// bucketOf is the lower edge and width of the library's bucket for v, with
// its geometry for histLowest and digits significant digits: unit is
// floor(log2(histLowest)), and half is ceil(log2(2·10^digits)) - 1, both
// computed exactly in integers.
func bucketOf(v int64, digits int) (lo, size int64) {
	unit := int64(bits.Len64(uint64(histLowest)) - 1)
	single := uint64(2) // 2·10^digits: unit resolution up to it
	for range digits {
		single *= 10
	}
	half := int64(bits.Len64(single-1)) - 1
	subCount := int64(1) << (half + 1)
	mask := (subCount - 1) << unit
	bucket := int64(64-bits.LeadingZeros64(uint64(v|mask))) - unit - (half + 1)
	sub := v >> (bucket + unit)
	lo = sub << (bucket + unit)
	if sub >= subCount {
		bucket++
	}
	return lo, 1 << (unit + bucket)
}

package sim

import (
	"math"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// libQuantile is Histogram.Quantile computed on the library alone.
func libQuantile(l *hdr.Histogram, vals []Time, q float64) float64 {
	mn, mx := Forever, Time(0)
	for _, v := range vals {
		mn, mx = min(mn, v), max(mx, v)
	}
	v := Time(l.ValueAtQuantile(q * 100))
	if v > mx || int64(v) >= histHighest {
		v = mx
	}
	if v < mn {
		v = mn
	}
	return v.Seconds()
}

// The few values kept after a Reset give the quantiles the library's
// buckets give, for sets on both sides of the sparse limit, values from
// zero to past the trackable range, both precisions, after Resets and
// Merges.
func TestSparseHistogramMatchesLibrary(t *testing.T) {
	rng := NewStream(5, "sparse")
	qs := []float64{0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1}
	draw := func() Time {
		switch rng.IntN(10) {
		case 0:
			return Time(rng.IntN(2000)) // below and around 1µs
		case 1:
			return Time(histHighest) + Time(rng.IntN(1000))
		}
		return Time(math.Exp(rng.Float64() * math.Log(1e13)))
	}
	for _, digits := range []int{2, 3} {
		h := NewHistogram(digits)
		for round := 0; round < 400; round++ {
			n := rng.IntN(2*sparse + 2)
			lib := hdr.New(histLowest, histHighest, digits)
			var vals []Time
			o := NewHistogram(digits) // merged in: sparse or not
			on := rng.IntN(sparse + 8)
			for i := 0; i < n+on; i++ {
				v := draw()
				vals = append(vals, v)
				lib.RecordValue(min(int64(v), histHighest))
				if i < n {
					h.Record(v)
				} else {
					o.Record(v)
				}
			}
			h.Merge(o)
			if h.Count() != int64(len(vals)) {
				t.Fatalf("count %d, want %d", h.Count(), len(vals))
			}
			for _, q := range qs {
				got := h.Quantile(q)
				if len(vals) == 0 {
					if !math.IsNaN(got) {
						t.Fatalf("empty: q%v = %v", q, got)
					}
					continue
				}
				if want := libQuantile(lib, vals, q); got != want {
					t.Fatalf("digits %d, %d values (%d merged), q%v: %v, library %v", digits, len(vals), on, q, got, want)
				}
			}
			h.Reset()
		}
	}
}

package sim

import (
	"math"
	"testing"
)

func TestHistogramQuantilesAndMean(t *testing.T) {
	h := NewHistogram(3)
	for i := 1; i <= 1000; i++ {
		h.Record(Time(i) * Millisecond)
	}
	if h.Count() != 1000 {
		t.Fatalf("count %d", h.Count())
	}
	if got := h.Mean(); math.Abs(got-0.5005) > 1e-12 {
		t.Fatalf("mean %v, want exactly 0.5005", got)
	}
	for _, c := range []struct{ q, want float64 }{{0.5, 0.5}, {0.99, 0.99}, {0.999, 0.999}, {1, 1}} {
		got := h.Quantile(c.q)
		if math.Abs(got-c.want)/c.want > 0.001 {
			t.Errorf("q%.3f = %v, want %v within 0.1%%", c.q, got, c.want)
		}
	}
	if h.Max() != Second || h.Min() != Millisecond {
		t.Fatalf("max %v min %v", h.Max(), h.Min())
	}
	h.Record(2 * Day) // beyond the trackable range: clamped, max exact
	if h.Max() != 2*Day || h.Quantile(1) != (2*Day).Seconds() {
		t.Fatalf("clamped max %v q1 %v", h.Max(), h.Quantile(1))
	}
	h.Reset()
	if h.Count() != 0 || !math.IsNaN(h.Mean()) || !math.IsNaN(h.Quantile(0.5)) {
		t.Fatal("reset histogram not empty")
	}
}

func TestLevelTimeAverage(t *testing.T) {
	var l Level
	l.Add(0, 2)         // 2 from 0s to 1s
	l.Add(Second, 1)    // 3 from 1s to 3s
	l.Add(3*Second, -3) // 0 from 3s to 4s
	got := l.Mean(4 * Second)
	if want := (2.0 + 6.0) / 4; math.Abs(got-want) > 1e-12 {
		t.Fatalf("mean %v want %v", got, want)
	}
	if l.Peak() != 3 {
		t.Fatalf("peak %d", l.Peak())
	}
	l.Restart(4 * Second)
	l.Add(5*Second, 4)
	if got := l.Mean(6 * Second); got != 2 {
		t.Fatalf("mean after restart %v want 2", got)
	}
}

func TestRingKeepsNewest(t *testing.T) {
	r := NewRing[int](3)
	for i := 1; i <= 5; i++ {
		r.Push(i)
	}
	got := r.Slice()
	if len(got) != 3 || got[0] != 3 || got[2] != 5 || r.Total() != 5 {
		t.Fatalf("ring %v total %d", got, r.Total())
	}
	if v, ok := r.Last(); !ok || v != 5 {
		t.Fatal("last")
	}
}

// A ring grows its buffer as values come and, once full, keeps the newest
// Cap of them as one allocated at Cap would.
func TestRingGrowsThenWraps(t *testing.T) {
	r := NewRing[int](200)
	for i := 0; i < 500; i++ {
		r.Push(i)
		want := min(i+1, 200)
		if r.Len() != want || r.At(0) != i+1-want || r.At(r.Len()-1) != i || r.Cap() != 200 {
			t.Fatalf("after %d pushes: len %d, oldest %d, newest %d, cap %d", i+1, r.Len(), r.At(0), r.At(r.Len()-1), r.Cap())
		}
	}
	got := r.Slice()
	for i, v := range got {
		if v != 300+i {
			t.Fatalf("slice[%d] = %d, want %d", i, v, 300+i)
		}
	}
}

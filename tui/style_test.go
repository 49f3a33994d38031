package tui

import (
	"math"
	"testing"
)

func TestSparkline(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		vals []float64
		top  float64
		want string
	}{
		{"zero is the lowest bar", []float64{0, 0, 0}, 0, "▁▁▁"},
		{"zero against a top too", []float64{0, 0, 0}, 1, "▁▁▁"},
		{"a constant series is flat at half height", []float64{448, 448, 448}, 0, "▄▄▄"},
		{"a constant share of a top sits at its level", []float64{0.5, 0.5}, 1, "▅▅"},
		{"no replies is a gap, not a full bar", []float64{nan, 1, nan}, 1, " █ "},
		{"scaled to the largest", []float64{0, 50, 100}, 0, "▁▅█"},
		{"padded on the left to the width", []float64{1}, 1, "   █"},
	} {
		w := len([]rune(tc.want))
		if got := sparkline(tc.vals, w, tc.top); got != tc.want {
			t.Errorf("%s: sparkline(%v, %d, %v) = %q, want %q", tc.name, tc.vals, w, tc.top, got, tc.want)
		}
	}
}

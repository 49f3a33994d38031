package report

import (
	"strings"
	"testing"
)

// Every axis gets at least 5 labelled ticks, on round values, with k and M
// past a thousand.
func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 100, "0 20 40 60 80 100"},
		{0, 108, "0 20 40 60 80 100"},
		{0, 300, "0 50 100 150 200 250 300"},
		{30, 290, "50 100 150 200 250"},
		{0, 9.3, "0 2 4 6 8"},
		{0, 1, "0 0.2 0.4 0.6 0.8 1"},
		{0, 2400, "0 0.5k 1k 1.5k 2k"},
		{0, 2.6e6, "0 0.5M 1M 1.5M 2M 2.5M"},
		{0, 0.013, "0 0.002 0.004 0.006 0.008 0.01 0.012"},
		{-20, 100, "-20 0 20 40 60 80 100"},
	} {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("ticks(%v, %v) = %q, want %q", c.lo, c.hi, g, c.want)
		}
		if len(got) < 5 {
			t.Errorf("ticks(%v, %v): %d labels, want at least 5", c.lo, c.hi, len(got))
		}
	}
}

func TestMillisecondsPast10000BecomeSeconds(t *testing.T) {
	c := chart{YLabel: "ms", Series: []chartSeries{{X: []float64{0, 1}, Y: []float64{500, 38000}}}}
	c.scaleUnits()
	if c.YLabel != "s" || c.Series[0].Y[1] != 38 {
		t.Errorf("got %s %v, want s [0.5 38]", c.YLabel, c.Series[0].Y)
	}
	c = chart{YLabel: "ms", Series: []chartSeries{{X: []float64{0, 1}, Y: []float64{500, 9000}}}}
	if c.scaleUnits(); c.YLabel != "ms" {
		t.Errorf("9000 ms became %s", c.YLabel)
	}
}

package units

import (
	"errors"
	"math"
	"testing"

	"cascade/sim"
	"cascade/sim/dist"
)

// checkErr asserts that a failed parse reports an *Error inside the input.
func checkErr(t *testing.T, s string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %v is not an *Error", s, err)
	}
	if e.Offset < 0 || e.Offset > len(s) || e.Msg == "" {
		t.Fatalf("%q: error %q at offset %d", s, e.Error(), e.Offset)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"250ms", "1.5s", "10m", "2h", "30d", "100us", "100µs", "5ns", "0",
		"1h30m", "250", "-5ms", "5sec", "1e3ms", "1.5.3s", "", " ", "99999999999999999999d", ".5s", "5 ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		if d < 0 || d > MaxDuration {
			t.Fatalf("%q: %d out of range", s, d)
		}
		// The exact printer and the parser agree.
		back, err := ParseDuration(dist.FormatDuration(d))
		if err != nil || back != d {
			t.Fatalf("%q = %d prints as %q, which parses to %d, %v", s, d, dist.FormatDuration(d), back, err)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"800/s", "50/m", "50/min", "3/ms", "10/h", "0.5/s", "1/5ms", "800", "5ms",
		"-1/s", "/s", "5/", "5/sex", "1e308/ns", "1/0s", "1e3/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		if !(r >= 0) || math.IsInf(r, 0) {
			t.Fatalf("%q: rate %v", s, r)
		}
	})
}

func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"99.9%", "0.5%", "0.999", "1", "0", "100%", "101%", "99.9", "-1%", "%", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePercent(s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		if !(p >= 0 && p <= 1) {
			t.Fatalf("%q: fraction %v", s, p)
		}
	})
}

func FuzzParseDist(f *testing.F) {
	for _, s := range []string{
		"5ms", "const(5ms)", "constant(5ms)", "exp(5ms)", "exponential(mean=5ms)",
		"uniform(1ms, 5ms)", "uniform(min=1ms, max=5ms)", "normal(10ms, 2ms)", "normal(mean=10ms, sd=2ms)",
		"lognormal(mean=10ms, p99=50ms)", "lognormal(p50=4ms, p99=40ms)", "lognormal(median=4ms, p99=40ms)",
		"lognormal(mu=-5.3, sigma=0.8)", "gamma(shape=2, mean=10ms)", "gamma(shape=2, scale=5ms)",
		"erlang(k=4, mean=10ms)", "pareto(alpha=2.5, min=1ms)", "pareto(alpha=2.5, mean=5ms)",
		"weibull(shape=1.5, scale=10ms)", "weibull(shape=1.5, mean=10ms)",
		"empirical(p50=4ms, p90=10ms, p99=40ms, p999=100ms)", "empirical(min=1ms, p50=4ms, p9999=1s, max=2s)",
		"empirical(p5.5=1ms, p0.1=0.5ms)",
		// broken
		"lognormel(p50=4ms, p99=40ms)", "exp(5)", "exp(5ms", "exp()", "uniform(1ms,,2ms)", "gamma(shape=1e-300, mean=1ms)",
		"weibull(shape=0.001, mean=1ms)", "lognormal(mu=1e300, sigma=1e300)", "empirical(p100=1s)", "erlang(k=1e300, mean=1ms)",
		"pareto(alpha=1e-300, min=1ns)", "(", ")", "=", ",", "exp(=)", "empirical(p=1ms)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDist(s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		printed := d.String()
		again, err := ParseDist(printed)
		if err != nil {
			t.Fatalf("%q parsed, but its String %q does not: %v", s, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("%q: String %q reparses as %q", s, printed, again.String())
		}
		// Whatever parses must be usable: no panics, no negative draws.
		r := sim.NewStream(1, "fuzz")
		for range 3 {
			if v := d.Sample(r); v < 0 {
				t.Fatalf("%s: negative sample %d", d, v)
			}
		}
		if m := d.Mean(); math.IsNaN(m) || m < 0 {
			t.Fatalf("%s: mean %v", d, m)
		}
		if v := d.Variance(); math.IsNaN(v) || v < 0 {
			t.Fatalf("%s: variance %v", d, v)
		}
		q := d.(dist.Quantiler)
		for _, p := range []float64{0, 0.5, 0.99} {
			if v := q.Quantile(p); math.IsNaN(v) || v < 0 {
				t.Fatalf("%s: Quantile(%v) = %v", d, p, v)
			}
		}
	})
}

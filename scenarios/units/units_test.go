package units

import (
	"errors"
	"math"
	"strings"
	"testing"

	"cascade/sim"
	"cascade/sim/dist"
)

// wantErr checks that err is an *Error at offset off whose rendering contains
// every one of parts.
func wantErr(t *testing.T, in string, err error, off int, parts ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%q: want *Error, got %v", in, err)
		return
	}
	if e.Offset != off {
		t.Errorf("%q: error %q at offset %d, want %d", in, e.Error(), e.Offset, off)
	}
	for _, p := range parts {
		if !strings.Contains(e.Error(), p) {
			t.Errorf("%q: error %q does not contain %q", in, e.Error(), p)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sim.Time
	}{
		{"250ms", 250 * sim.Millisecond},
		{"1.5s", 1500 * sim.Millisecond},
		{"10m", 10 * sim.Minute},
		{"2h", 2 * sim.Hour},
		{"30d", 30 * sim.Day},
		{"100us", 100 * sim.Microsecond},
		{"100µs", 100 * sim.Microsecond},
		{"100μs", 100 * sim.Microsecond}, // Greek mu
		{"5ns", 5},
		{"0", 0},
		{"0.0", 0},
		{"0s", 0},
		{"1h30m", 90 * sim.Minute},
		{"1h 30m", 90 * sim.Minute},
		{" 5 ms ", 5 * sim.Millisecond},
		{"5MS", 5 * sim.Millisecond},
		{".5s", 500 * sim.Millisecond},
		{"1.0000000005s", sim.Second + 1}, // half a nanosecond rounds up
		{"1.0000000004s", sim.Second},
		{"0.1h", 6 * sim.Minute},
		{"1.000000000000000000000001s", sim.Second},
		{"00000000000000000000000001s", sim.Second},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		in    string
		off   int
		parts []string
	}{
		{"250", 0, []string{"missing unit", `add a unit, e.g. "250ms"`}},
		{"1h30", 2, []string{"missing unit after 30", `"30ms"`}},
		{"-5ms", 0, []string{"must not be negative"}},
		{"", 0, []string{"missing duration"}},
		{"  5sec", 3, []string{`unknown unit "sec"`, `write "s"`}},
		{"5min", 1, []string{`write "m"`}},
		{"5x", 1, []string{`unknown unit "x"`, "units: ns"}},
		{"ms", 0, []string{"missing number"}},
		{"1.5.3s", 3, []string{`unexpected "."`}},
		{"5ms!", 3, []string{`unexpected "!"`}},
		{"1e3ms", 1, []string{"exponents", `"1000ms"`}},
		{"200000d", 0, []string{"too long"}},
		{"99999999999999999999999s", 0, []string{"too long"}},
	} {
		_, err := ParseDuration(tc.in)
		wantErr(t, tc.in, err, tc.off, tc.parts...)
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"800/s", 800},
		{"50/m", 50.0 / 60},
		{"50/min", 50.0 / 60},
		{"3/ms", 3000},
		{"10/h", 10.0 / 3600},
		{"0.5/s", 0.5},
		{"1/5ms", 200},
		{" 12 / sec ", 12},
		{"2/1m", 2.0 / 60},
		{"1e3/s", 1000},
		{"0/s", 0},
		{"24/day", 24.0 / 86400},
	} {
		got, err := ParseRate(tc.in)
		if err != nil || math.Abs(got-tc.want) > 1e-12*tc.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		in    string
		off   int
		parts []string
	}{
		{"800", 0, []string{"missing time unit", `write a rate with a unit, e.g. "800/s"`}},
		{"5ms", 0, []string{"is a duration, not a rate", `"1/5ms"`}},
		{"-5/s", 0, []string{"must not be negative"}},
		{"5/", 2, []string{"missing time unit"}},
		{"/s", 0, []string{"missing count"}},
		{"5/sex", 2, []string{`unknown time unit "sex"`, `did you mean "sec"?`}},
		{"5/0s", 2, []string{"zero"}},
		{"abc", 0, []string{"invalid rate"}},
		{"x/s", 0, []string{"invalid number"}},
		{"inf/s", 0, []string{"invalid number"}},
		{"1e308/ns", 0, []string{"too large"}},
	} {
		_, err := ParseRate(tc.in)
		wantErr(t, tc.in, err, tc.off, tc.parts...)
	}
}

func TestParsePercent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"99.9%", 0.999},
		{"0.5%", 0.005},
		{"100%", 1},
		{"0%", 0},
		{"0.999", 0.999},
		{"1", 1},
		{" 50 % ", 0.5},
	} {
		got, err := ParsePercent(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePercent(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		in    string
		off   int
		parts []string
	}{
		{"99.9", 0, []string{"not a fraction", `did you mean "99.9%"?`}},
		{"101%", 0, []string{"over 100%"}},
		{"-1%", 0, []string{"negative"}},
		{"%", 0, []string{"missing number"}},
		{"abc", 0, []string{"invalid percentage"}},
		{"", 0, []string{"missing percentage"}},
	} {
		_, err := ParsePercent(tc.in)
		wantErr(t, tc.in, err, tc.off, tc.parts...)
	}
}

func TestParseDist(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"5ms", "const(5ms)"},
		{"const(5ms)", "const(5ms)"},
		{"constant(value=5ms)", "const(5ms)"},
		{"exp(5ms)", "exp(5ms)"},
		{"Exponential( mean = 5ms )", "exp(5ms)"},
		{"uniform(1ms, 5ms)", "uniform(min=1ms, max=5ms)"},
		{"uniform(min=1ms, max=5ms)", "uniform(min=1ms, max=5ms)"},
		{"uniform(max=5ms, min=1ms)", "uniform(min=1ms, max=5ms)"},
		{"normal(10ms, 2ms)", "normal(mean=10ms, sd=2ms)"},
		{"normal(mean=10ms, sd=2ms)", "normal(mean=10ms, sd=2ms)"},
		{"normal(10ms, stddev=2ms)", "normal(mean=10ms, sd=2ms)"},
		{"lognormal(mean=10ms, p99=50ms)", "lognormal(mean=10ms, p99=50ms)"},
		{"lognormal(p50=4ms, p99=40ms)", "lognormal(p50=4ms, p99=40ms)"},
		{"LOGNORMAL(Median=4ms, P99=40ms)", "lognormal(p50=4ms, p99=40ms)"},
		{"lognormal(mu=-5.3, sigma=0.8)", "lognormal(mu=-5.3, sigma=0.8)"},
		{"gamma(shape=2, mean=10ms)", "gamma(shape=2, mean=10ms)"},
		{"gamma(k=2, scale=5ms)", "gamma(shape=2, scale=5ms)"},
		{"erlang(k=4, mean=10ms)", "erlang(k=4, mean=10ms)"},
		{"pareto(alpha=2.5, min=1ms)", "pareto(alpha=2.5, min=1ms)"},
		{"pareto(alpha=2.5, mean=5ms)", "pareto(alpha=2.5, mean=5ms)"},
		{"weibull(shape=1.5, scale=10ms)", "weibull(shape=1.5, scale=10ms)"},
		{"weibull(shape=1.5, mean=10ms)", "weibull(shape=1.5, mean=10ms)"},
		{"empirical(p50=4ms, p90=10ms, p99=40ms, p999=100ms)", "empirical(p50=4ms, p90=10ms, p99=40ms, p999=100ms)"},
		{"empirical(p99=40ms, min=1ms, p50=4ms, max=1s)", "empirical(min=1ms, p50=4ms, p99=40ms, max=1s)"},
		{"empirical(p5=1ms, p75=5ms, p99.9=9ms, p9999=10ms)", "empirical(p5=1ms, p75=5ms, p999=9ms, p9999=10ms)"},
		{"empirical(p0.1=1ms, p05=2ms, p5.5=3ms)", "empirical(p0.1=1ms, p5=2ms, p5.5=3ms)"},
		{"  exp ( 5 ms )  ", "exp(5ms)"},
	} {
		d, err := ParseDist(tc.in)
		if err != nil {
			t.Errorf("ParseDist(%q): %v", tc.in, err)
			continue
		}
		if got := d.String(); got != tc.want {
			t.Errorf("ParseDist(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseDistValues(t *testing.T) {
	d, err := ParseDist("empirical(p50=4ms, p99=40ms)")
	if err != nil {
		t.Fatal(err)
	}
	q := d.(dist.Quantiler)
	if q.Quantile(0.5) != 0.004 || q.Quantile(0.99) != 0.04 {
		t.Errorf("percentiles %v %v", q.Quantile(0.5), q.Quantile(0.99))
	}
	d, _ = ParseDist("empirical(p999=100ms, p99.99=1s)")
	if got := d.(*dist.Empirical).Points(); got[0].P != 0.999 || got[1].P != 0.9999 {
		t.Errorf("percentiles %v", got)
	}
	d, _ = ParseDist("lognormal(mean=10ms, p99=50ms)")
	if math.Abs(d.Mean()-0.010) > 1e-12 {
		t.Errorf("mean %v", d.Mean())
	}
}

func TestParseDistErrors(t *testing.T) {
	for _, tc := range []struct {
		in    string
		off   int
		parts []string
	}{
		{"lognormel(p50=4ms, p99=40ms)", 0, []string{`unknown distribution "lognormel" (did you mean "lognormal"?`}},
		{"  expo(5ms)", 2, []string{`did you mean "exp"?`}},
		{"zipf(1)", 0, []string{"unknown distribution", "known: const, exp"}},
		{"exp(5)", 4, []string{"missing unit", `add a unit, e.g. "5ms"`}},
		{"exp(-5ms)", 4, []string{"negative"}},
		{"exp(0s)", 4, []string{"mean must be > 0"}},
		{"exp(5ms", 7, []string{`missing ")"`}},
		{"exp(5ms) x", 9, []string{"unexpected text"}},
		{"exp", 0, []string{"needs parameters", "exp(5ms)"}},
		{"exp 5ms", 4, []string{`expected "("`}},
		{"exp()", 4, []string{"exp needs mean"}},
		{"uniform(1ms)", 11, []string{"uniform needs max"}},
		{"uniform(1ms,,2ms)", 12, []string{"empty parameter"}},
		{"uniform(1ms, 2ms, 3ms)", 18, []string{"too many parameters"}},
		{"uniform(5ms, 1ms)", 13, []string{"max must not be less than min"}},
		{"uniform(min=1ms, 5ms)", 17, []string{"unnamed parameter after a named one"}},
		{"uniform(min=1ms, min=2ms)", 17, []string{"min is given twice"}},
		{"normal(mean=1ms, sd=0s)", 20, []string{"sd must be > 0"}},
		{"lognormal(4ms, 40ms)", 10, []string{"lognormal needs named parameters", "lognormal(p50=4ms, p99=40ms)"}},
		{"lognormal(p50=40ms, p99=4ms)", 24, []string{"p99 must be greater than p50"}},
		{"lognormal(p50=4ms, p98=40ms)", 19, []string{`unknown parameter "p98" for lognormal`, `did you mean "p99"?`, "lognormal takes mean, p50 (or median), p99, mu, sigma"}},
		{"lognormal(p50=4ms, median=4ms, p99=1s)", 19, []string{"median and p50 are the same parameter"}},
		{"lognormal(p50=4ms, mean=4ms, p99=1s)", 19, []string{"give p50 or mean, not both"}},
		{"lognormal(p50=4ms)", 17, []string{"lognormal needs p99"}},
		{"lognormal(p99=4ms)", 17, []string{"lognormal needs p50 or mean with p99"}},
		{"lognormal(mu=1, sigma=1, p99=1s)", 25, []string{"give either mu and sigma"}},
		{"lognormal(mu=1ms, sigma=1)", 14, []string{"mu is a plain number, without a unit"}},
		{"lognormal(mu=abc, sigma=1)", 13, []string{`invalid number "abc" for mu`}},
		{"lognormal(mu=1e999, sigma=1)", 13, []string{"out of range"}},
		{"lognormal(mean=10ms, p99=1s)", 25, []string{"at most 14.97 times the mean"}},
		{"lognormal()", 10, []string{"lognormal needs p50 and p99"}},
		{"gamma(shape=0, mean=1ms)", 12, []string{"shape must be > 0"}},
		{"gamma(shape=2)", 13, []string{"gamma needs mean or scale"}},
		{"gamma(shape=2, mean=1ms, scale=1ms)", 25, []string{"give mean or scale, not both"}},
		{"gamma(shap=2, mean=1ms)", 6, []string{`did you mean "shape"?`}},
		{"erlang(k=2.5, mean=1ms)", 9, []string{"k must be a whole number"}},
		{"erlang(k=0, mean=1ms)", 9, []string{"k must be a whole number >= 1"}},
		{"pareto(alpha=1, mean=1ms)", 13, []string{"alpha must be > 1"}},
		{"weibull(shape=1.5)", 17, []string{"weibull needs scale or mean"}},
		{"empirical()", 10, []string{"at least one percentile"}},
		{"empirical(p50=4ms, p90=2ms)", 23, []string{"p90 (2ms) must not be less than p50 (4ms)"}},
		{"empirical(p50=4ms, p500=5ms)", 19, []string{"p500 is the same percentile as p50"}},
		{"empirical(p100=4ms)", 10, []string{"use max="}},
		{"empirical(p0=4ms)", 10, []string{"use min="}},
		{"empirical(p50=4ms, max=1ms)", 23, []string{"max (1ms) must not be less than p50 (4ms)"}},
		{"empirical(p50=4ms, mx=1ms)", 19, []string{`did you mean "max"?`, "percentiles such as"}},
		{"empirical(p5x=1ms)", 10, []string{"invalid percentile"}},
		{"empirical(p50=)", 14, []string{"missing value for p50"}},
		{"empirical(=4ms)", 10, []string{"missing parameter name"}},
		{"", 0, []string{"missing distribution"}},
		{"(5ms)", 0, []string{`unexpected "("`}},
		{"5", 0, []string{`add a unit, e.g. "5ms"`}},
	} {
		_, err := ParseDist(tc.in)
		wantErr(t, tc.in, err, tc.off, tc.parts...)
	}
}

func TestErrorRendering(t *testing.T) {
	e := &Error{Offset: 3, Msg: "bad", Hint: "try this"}
	if e.Error() != "bad (try this)" {
		t.Errorf("got %q", e.Error())
	}
	if (&Error{Msg: "bad"}).Error() != "bad" {
		t.Error("empty hint must not render parentheses")
	}
}

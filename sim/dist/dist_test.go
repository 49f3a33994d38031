package dist

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"cascade/sim"
)

const ms = sim.Millisecond

// must unwraps a constructor's result: must(t)(NewExponential(5 * ms)).
func must(t testing.TB) func(Dist, error) Dist {
	return func(d Dist, err error) Dist {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

// cases builds one of every distribution, in every form.
func cases(t testing.TB) []struct {
	name string
	d    Dist
	// heavy marks a tail too heavy for a sample variance to be checked
	// (infinite fourth moment).
	heavy bool
} {
	type c = struct {
		name  string
		d     Dist
		heavy bool
	}
	pts := []Percentile{{0.5, 4 * ms}, {0.9, 10 * ms}, {0.99, 40 * ms}, {0.999, 100 * ms}}
	return []c{
		{"uniform", must(t)(NewUniform(1*ms, 5*ms)), false},
		{"exp", must(t)(NewExponential(5 * ms)), false},
		{"normal", must(t)(NewNormal(10*ms, 2*ms)), false},
		{"normal-truncated", must(t)(NewNormal(1*ms, 2*ms)), false},
		{"half-normal", must(t)(NewNormal(0, 2*ms)), false},
		{"lognormal-mu-sigma", must(t)(NewLognormal(-5.3, 0.8)), false},
		{"lognormal-p50-p99", must(t)(NewLognormalP50P99(4*ms, 40*ms)), false},
		{"lognormal-mean-p99", must(t)(NewLognormalMeanP99(10*ms, 50*ms)), false},
		{"gamma-mean", must(t)(NewGamma(2, 10*ms)), false},
		{"gamma-small-shape", must(t)(NewGamma(0.3, 10*ms)), false},
		{"gamma-scale", must(t)(NewGammaScale(2, 5*ms)), false},
		{"erlang", must(t)(NewErlang(4, 10*ms)), false},
		{"pareto-min", must(t)(NewPareto(4.5, 1*ms)), false},
		{"pareto-heavy", must(t)(NewPareto(2.5, 1*ms)), true},
		{"pareto-mean", must(t)(NewParetoMean(3.5, 5*ms)), true},
		{"weibull-scale", must(t)(NewWeibull(1.5, 10*ms)), false},
		{"weibull-mean", must(t)(NewWeibullMean(0.7, 10*ms)), false},
		{"empirical-tail", must(t)(NewEmpirical(0, pts, NoMax)), false},
		{"empirical-max", must(t)(NewEmpirical(1*ms, pts, 300*ms)), false},
		{"empirical-one-point", must(t)(NewEmpirical(0, []Percentile{{0.5, 3 * ms}}, NoMax)), false},
	}
}

const n = 200_000

func draw(d Dist) []float64 {
	r := sim.NewStream(1, "test")
	xs := make([]float64, n)
	for i := range xs {
		x := d.Sample(r)
		xs[i] = x.Seconds()
	}
	return xs
}

// TestSamplesMatchMoments checks the sample mean within 5 standard errors
// (from the analytic Variance) and the sample variance within 5 standard
// errors estimated from the sample's fourth central moment.
func TestSamplesMatchMoments(t *testing.T) {
	for _, tc := range cases(t) {
		t.Run(tc.name, func(t *testing.T) {
			xs := draw(tc.d)
			mean, vari := tc.d.Mean(), tc.d.Variance()
			if math.IsInf(mean, 0) || math.IsInf(vari, 0) {
				t.Fatalf("moments of %s: mean %v variance %v", tc.d, mean, vari)
			}
			var sum float64
			for _, x := range xs {
				if x < 0 {
					t.Fatalf("negative sample %v", x)
				}
				sum += x
			}
			m := sum / n
			if se := math.Sqrt(vari / n); math.Abs(m-mean) > 5*se {
				t.Errorf("%s: sample mean %.6g, want %.6g ± %.3g", tc.d, m, mean, 5*se)
			}
			if tc.heavy {
				return
			}
			var m2, m4 float64
			for _, x := range xs {
				d2 := (x - m) * (x - m)
				m2 += d2
				m4 += d2 * d2
			}
			m2 /= n
			m4 /= n
			if se := math.Sqrt((m4 - m2*m2) / n); math.Abs(m2-vari) > 5*se {
				t.Errorf("%s: sample variance %.6g, want %.6g ± %.3g", tc.d, m2, vari, 5*se)
			}
		})
	}
}

// TestSamplesMatchQuantiles checks that the fraction of draws at or below
// Quantile(p) is p within 5 binomial standard errors.
func TestSamplesMatchQuantiles(t *testing.T) {
	ps := []float64{0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}
	for _, tc := range cases(t) {
		t.Run(tc.name, func(t *testing.T) {
			xs := draw(tc.d)
			slices.Sort(xs)
			q := tc.d.(Quantiler)
			for _, p := range ps {
				v := q.Quantile(p)
				f := float64(countLE(xs, v)) / n
				if se := math.Sqrt(p * (1 - p) / n); math.Abs(f-p) > 5*se+1.0/n {
					t.Errorf("%s: F(Quantile(%v) = %.6g) = %.5f, want %v ± %.2g", tc.d, p, v, f, p, 5*se)
				}
			}
		})
	}
}

// countLE counts sorted samples <= v, allowing for their rounding to whole
// nanoseconds.
func countLE(sorted []float64, v float64) int {
	i, _ := slices.BinarySearch(sorted, v+0.5e-9)
	return i
}

func TestQuantileOutOfRangeIsNaN(t *testing.T) {
	for _, tc := range cases(t) {
		q := tc.d.(Quantiler)
		for _, p := range []float64{-0.1, 1.1, math.NaN()} {
			if v := q.Quantile(p); !math.IsNaN(v) {
				t.Errorf("%s.Quantile(%v) = %v, want NaN", tc.d, p, v)
			}
		}
	}
}

// TestMeanIsIntegralOfQuantile checks the closed-form means against ∫Q(p)dp,
// which is independent of both the sampler and the moment formulas.
func TestMeanIsIntegralOfQuantile(t *testing.T) {
	for _, tc := range cases(t) {
		if tc.heavy {
			continue
		}
		q := tc.d.(Quantiler)
		const steps = 20_000
		var sum float64
		for i := range steps {
			sum += q.Quantile((float64(i) + 0.5) / steps)
		}
		// The midpoint rule misses part of the last cell of an unbounded
		// tail; 0.1% is far below any modelling error.
		if got, want := sum/steps, tc.d.Mean(); math.Abs(got-want) > 1e-3*want {
			t.Errorf("%s: ∫Q = %.6g, Mean = %.6g", tc.d, got, want)
		}
	}
}

func TestConstant(t *testing.T) {
	d := must(t)(NewConstant(5 * ms))
	r := sim.NewStream(1, "test")
	for range 10 {
		if v := d.Sample(r); v != 5*ms {
			t.Fatalf("sample %v", v)
		}
	}
	if d.Mean() != 0.005 || d.Variance() != 0 || d.(Quantiler).Quantile(0.99) != 0.005 {
		t.Errorf("moments %v %v", d.Mean(), d.Variance())
	}
}

func TestLognormalHitsGivenPercentiles(t *testing.T) {
	d := must(t)(NewLognormalP50P99(4*ms, 40*ms)).(*Lognormal)
	assertClose(t, "p50", d.Quantile(0.5), 0.004)
	assertClose(t, "p99", d.Quantile(0.99), 0.040)

	d = must(t)(NewLognormalMeanP99(10*ms, 50*ms)).(*Lognormal)
	assertClose(t, "mean", d.Mean(), 0.010)
	assertClose(t, "p99", d.Quantile(0.99), 0.050)
	if _, sigma := d.MuSigma(); sigma >= z99 {
		t.Errorf("sigma %v: want the light-tailed root", sigma)
	}

	// At the largest ratio both roots meet at sigma = z99.
	top := sim.Time(149_684_883) // just under 10ms·MaxP99OverMean
	d = must(t)(NewLognormalMeanP99(10*ms, top)).(*Lognormal)
	if _, sigma := d.MuSigma(); math.Abs(sigma-z99) > 1e-3 {
		t.Errorf("sigma at the largest ratio %v, want %v", sigma, z99)
	}
	assertClose(t, "p99 at the largest ratio", d.Quantile(0.99), top.Seconds())
}

func TestZ99(t *testing.T) {
	d := must(t)(NewLognormal(0, 1)).(*Lognormal)
	assertClose(t, "z99", math.Log(d.Quantile(0.99)), z99)
	assertClose(t, "max ratio", math.Exp(z99*z99/2), MaxP99OverMean)
}

func TestGammaAndErlangMeans(t *testing.T) {
	for _, tc := range []struct {
		d          Dist
		mean, vari float64
	}{
		{must(t)(NewGamma(2, 10*ms)), 0.010, 2 * 0.005 * 0.005},
		{must(t)(NewGammaScale(2, 5*ms)), 0.010, 2 * 0.005 * 0.005},
		{must(t)(NewErlang(4, 10*ms)), 0.010, 4 * 0.0025 * 0.0025},
		{must(t)(NewGamma(1, 10*ms)), 0.010, 0.010 * 0.010}, // exponential
	} {
		assertClose(t, tc.d.String()+" mean", tc.d.Mean(), tc.mean)
		assertClose(t, tc.d.String()+" variance", tc.d.Variance(), tc.vari)
	}
}

func TestNormalIsTruncatedAtZero(t *testing.T) {
	d := must(t)(NewNormal(1*ms, 2*ms))
	// Half-normal check: with mean 0 the truncated mean is sd·√(2/π).
	h := must(t)(NewNormal(0, 2*ms))
	assertClose(t, "half-normal mean", h.Mean(), 0.002*math.Sqrt(2/math.Pi))
	assertClose(t, "half-normal variance", h.Variance(), 0.002*0.002*(1-2/math.Pi))
	assertClose(t, "half-normal median", h.(Quantiler).Quantile(0.5), 0.002*0.6744897501960817)
	if d.Mean() <= 0.001 {
		t.Errorf("truncation must raise the mean above 1ms, got %v", d.Mean())
	}
	if q := d.(Quantiler).Quantile(0); q > 1e-15 {
		t.Errorf("Quantile(0) = %v, want 0", q)
	}
	r := sim.NewStream(1, "test")
	for range 100_000 {
		if v := d.Sample(r); v < 0 {
			t.Fatalf("negative sample %v", v)
		}
	}
	// Five sd from zero truncation is all but invisible.
	far := must(t)(NewNormal(10*ms, 2*ms))
	if m, v := far.Mean(), far.Variance(); math.Abs(m-0.010) > 1e-8 || math.Abs(v-4e-6) > 1e-10 {
		t.Errorf("normal(10ms, 2ms): mean %v variance %v", m, v)
	}
}

func TestEmpiricalHitsGivenPercentiles(t *testing.T) {
	pts := []Percentile{{0.999, 100 * ms}, {0.5, 4 * ms}, {0.99, 40 * ms}, {0.9, 10 * ms}} // any order
	for _, max := range []sim.Time{NoMax, 300 * ms} {
		d := must(t)(NewEmpirical(0, pts, max)).(*Empirical)
		for _, pt := range pts {
			assertClose(t, d.String()+" "+PercentileName(pt.P), d.Quantile(pt.P), pt.V.Seconds())
		}
		xs := draw(d)
		slices.Sort(xs)
		for _, pt := range pts {
			f := float64(countLE(xs, pt.V.Seconds())) / n
			if se := math.Sqrt(pt.P * (1 - pt.P) / n); math.Abs(f-pt.P) > 5*se {
				t.Errorf("%s: F(%v) = %.5f, want %v", d, pt.V, f, pt.P)
			}
		}
	}
}

func TestEmpiricalTail(t *testing.T) {
	d := must(t)(NewEmpirical(0, []Percentile{{0.9, 10 * ms}, {0.99, 40 * ms}}, NoMax)).(*Empirical)
	// Each further nine adds the same 30ms: the tail is exponential.
	assertClose(t, "p999", d.Quantile(0.999), 0.070)
	assertClose(t, "p9999", d.Quantile(0.9999), 0.100)
	if !math.IsInf(d.Quantile(1), 1) {
		t.Errorf("Quantile(1) = %v, want +Inf", d.Quantile(1))
	}
	// Closed form: linear pieces, then 40ms + Exp(mean 30ms/ln 10) on 1%.
	beta := 0.030 / math.Ln10
	want := 0.9*0.005 + 0.09*0.025 + 0.01*(0.040+beta)
	assertClose(t, "mean", d.Mean(), want)

	b := must(t)(NewEmpirical(0, []Percentile{{0.5, 10 * ms}}, 20*ms)).(*Empirical)
	assertClose(t, "bounded mean", b.Mean(), 0.5*0.005+0.5*0.015)
	assertClose(t, "bounded Quantile(1)", b.Quantile(1), 0.020)
}

func TestConstructorErrors(t *testing.T) {
	pts := []Percentile{{0.5, 4 * ms}, {0.99, 40 * ms}}
	for _, tc := range []struct {
		err        error
		param, msg string
	}{
		{second(NewConstant(-1)), "value", "must not be negative"},
		{second(NewUniform(5*ms, 1*ms)), "max", "max must not be less than min"},
		{second(NewExponential(0)), "mean", "mean must be > 0"},
		{second(NewNormal(-1*ms, 1*ms)), "mean", "must not be negative"},
		{second(NewNormal(1*ms, 0)), "sd", "sd must be > 0"},
		{second(NewLognormal(math.NaN(), 1)), "mu", "finite"},
		{second(NewLognormal(0, 0)), "sigma", "sigma must be > 0"},
		{second(NewLognormalP50P99(40*ms, 4*ms)), "p99", "p99 must be greater than p50"},
		{second(NewLognormalMeanP99(10*ms, 10*ms)), "p99", "p99 must be greater than mean"},
		{second(NewLognormalMeanP99(10*ms, 200*ms)), "p99", "at most 14.97 times the mean"},
		{second(NewGamma(0, 10*ms)), "shape", "shape must be > 0"},
		{second(NewGamma(math.Inf(1), 10*ms)), "shape", "finite"},
		{second(NewGammaScale(2, 0)), "scale", "scale must be > 0"},
		{second(NewErlang(0, 10*ms)), "k", "whole number >= 1"},
		{second(NewPareto(-1, 1*ms)), "alpha", "alpha must be > 0"},
		{second(NewParetoMean(1, 1*ms)), "alpha", "alpha must be > 1"},
		{second(NewWeibull(1, 0)), "scale", "scale must be > 0"},
		{second(NewWeibullMean(0, 1*ms)), "shape", "shape must be > 0"},
		{second(NewEmpirical(0, nil, NoMax)), "p50", "at least one percentile"},
		{second(NewEmpirical(0, []Percentile{{0.5, 4 * ms}, {0.99, 3 * ms}}, NoMax)), "p99", "p99 (3ms) must not be less than p50 (4ms)"},
		{second(NewEmpirical(5*ms, pts, NoMax)), "p50", "p50 (4ms) must not be less than min (5ms)"},
		{second(NewEmpirical(0, pts, 10*ms)), "max", "max (10ms) must not be less than p99 (40ms)"},
		{second(NewEmpirical(0, []Percentile{{0.5, 4 * ms}, {0.5, 5 * ms}}, NoMax)), "p50", "p50 is given twice"},
		{second(NewEmpirical(0, []Percentile{{1, 4 * ms}}, NoMax)), "p100", "strictly between"},
	} {
		var pe *ParamError
		if !errors.As(tc.err, &pe) {
			t.Errorf("want a *ParamError about %s, got %v", tc.param, tc.err)
			continue
		}
		if pe.Param != tc.param || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("got (%s) %q, want (%s) containing %q", pe.Param, pe.Msg, tc.param, tc.msg)
		}
	}
}

func second(_ Dist, err error) error { return err }

func TestString(t *testing.T) {
	pts := []Percentile{{0.5, 4 * ms}, {0.9, 10 * ms}, {0.99, 40 * ms}, {0.999, 100 * ms}}
	for _, tc := range []struct {
		d    Dist
		want string
	}{
		{must(t)(NewConstant(5 * ms)), "const(5ms)"},
		{must(t)(NewUniform(1*ms, 1500*ms)), "uniform(min=1ms, max=1.5s)"},
		{must(t)(NewExponential(5 * ms)), "exp(5ms)"},
		{must(t)(NewNormal(10*ms, 2500*sim.Microsecond)), "normal(mean=10ms, sd=2.5ms)"},
		{must(t)(NewLognormal(-5.3, 0.8)), "lognormal(mu=-5.3, sigma=0.8)"},
		{must(t)(NewLognormalP50P99(4*ms, 40*ms)), "lognormal(p50=4ms, p99=40ms)"},
		{must(t)(NewLognormalMeanP99(10*ms, 50*ms)), "lognormal(mean=10ms, p99=50ms)"},
		{must(t)(NewGamma(2, 10*ms)), "gamma(shape=2, mean=10ms)"},
		{must(t)(NewGammaScale(0.5, 5*ms)), "gamma(shape=0.5, scale=5ms)"},
		{must(t)(NewErlang(4, 10*ms)), "erlang(k=4, mean=10ms)"},
		{must(t)(NewPareto(2.5, 1*ms)), "pareto(alpha=2.5, min=1ms)"},
		{must(t)(NewParetoMean(2.5, 5*ms)), "pareto(alpha=2.5, mean=5ms)"},
		{must(t)(NewWeibull(1.5, 10*ms)), "weibull(shape=1.5, scale=10ms)"},
		{must(t)(NewWeibullMean(1.5, 10*ms)), "weibull(shape=1.5, mean=10ms)"},
		{must(t)(NewEmpirical(0, pts, NoMax)), "empirical(p50=4ms, p90=10ms, p99=40ms, p999=100ms)"},
		{must(t)(NewEmpirical(1*ms, pts[:2], sim.Second)), "empirical(min=1ms, p50=4ms, p90=10ms, max=1s)"},
	} {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		t    sim.Time
		want string
	}{
		{0, "0s"},
		{5, "5ns"},
		{1500, "1.5µs"},
		{250 * ms, "250ms"},
		{1234567, "1.234567ms"},
		{1500 * ms, "1.5s"},
		{sim.Second + 1, "1.000000001s"},
		{90 * sim.Second, "1.5m"},
		{100 * sim.Second, "100s"},
		{10 * sim.Minute, "10m"},
		{90 * sim.Minute, "1.5h"},
		{30 * sim.Day, "30d"},
		{36 * sim.Hour, "1.5d"},
		{-5 * ms, "-5ms"},
	} {
		if got := FormatDuration(tc.t); got != tc.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestPercentileName(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want string
	}{
		{0.5, "p50"}, {0.75, "p75"}, {0.9, "p90"}, {0.99, "p99"}, {0.999, "p999"},
		{0.9999, "p9999"}, {0.995, "p995"}, {0.1, "p10"}, {0.05, "p5"}, {0.055, "p5.5"},
		{0.001, "p0.1"}, {0.01, "p1"},
	} {
		if got := PercentileName(tc.p); got != tc.want {
			t.Errorf("PercentileName(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestSampleDoesNotAllocate(t *testing.T) {
	for _, tc := range append(cases(t), struct {
		name  string
		d     Dist
		heavy bool
	}{"const", must(t)(NewConstant(ms)), false}) {
		r := sim.NewStream(1, "test")
		if a := testing.AllocsPerRun(1000, func() { tc.d.Sample(r) }); a != 0 {
			t.Errorf("%s: %v allocations per Sample", tc.d, a)
		}
	}
}

func assertClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Abs(want) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

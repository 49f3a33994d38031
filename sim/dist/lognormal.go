package dist

import (
	"math"

	"cascade/sim"
	"gonum.org/v1/gonum/stat/distuv"
)

// z99 is the standard normal's 99th percentile, Φ⁻¹(0.99).
const z99 = 2.3263478740408408

// How a Lognormal was specified, so String can say it the same way.
const (
	byMuSigma = iota
	byP50P99
	byMeanP99
)

// Lognormal is the usual shape of service latency: most requests are quick, a
// few are much slower, and the spread grows with the typical value. People
// know it by its percentiles, so besides the textbook (mu, sigma) it can be
// built from a median or mean together with a p99.
type Lognormal struct {
	mu, sigma float64 // of ln(seconds)
	form      int
	a, p99    sim.Time // p50 or mean, and p99, when given that way
}

// NewLognormal returns exp(N(mu, sigma²)) seconds: mu is the natural log of
// the median in seconds (ln 0.005 ≈ -5.3 for 5ms).
func NewLognormal(mu, sigma float64) (Dist, error) {
	if math.IsNaN(mu) || math.IsInf(mu, 0) {
		return nil, paramErr("mu", "mu must be a finite number")
	}
	if err := finitePositive("sigma", sigma); err != nil {
		return nil, err
	}
	return &Lognormal{mu: mu, sigma: sigma, form: byMuSigma}, nil
}

// NewLognormalP50P99 returns the lognormal whose median and 99th percentile
// are exactly p50 and p99.
func NewLognormalP50P99(p50, p99 sim.Time) (Dist, error) {
	if err := positive("p50", p50); err != nil {
		return nil, err
	}
	if p99 <= p50 {
		return nil, paramErr("p99", "p99 must be greater than p50")
	}
	mu := math.Log(secs(p50))
	return &Lognormal{
		mu:    mu,
		sigma: (math.Log(secs(p99)) - mu) / z99,
		form:  byP50P99, a: p50, p99: p99,
	}, nil
}

// MaxP99OverMean is the largest p99/mean ratio any lognormal has,
// exp(z99²/2) ≈ 14.97, reached at sigma = z99. For a fixed mean, a heavier
// tail than that lowers the p99 again, so larger ratios have no fit.
const MaxP99OverMean = 14.968488362247689

// NewLognormalMeanP99 returns the lognormal with the given mean and 99th
// percentile. Two lognormals fit any admissible pair; this is the one with
// the lighter tail (sigma < z99), whose p99 lies above its mean, which is
// what a latency SLO with that mean and p99 describes.
func NewLognormalMeanP99(mean, p99 sim.Time) (Dist, error) {
	if err := positive("mean", mean); err != nil {
		return nil, err
	}
	if p99 <= mean {
		return nil, paramErr("p99", "p99 must be greater than mean")
	}
	// mu + sigma²/2 = ln mean and mu + z·sigma = ln p99 give
	// sigma² - 2z·sigma + 2L = 0 with L = ln(p99/mean).
	l := math.Log(secs(p99) / secs(mean))
	disc := z99*z99 - 2*l
	if disc < 0 {
		return nil, paramErr("p99", "p99 can be at most %.2f times the mean for a lognormal (use lognormal(p50=..., p99=...), pareto or empirical for a heavier tail)", MaxP99OverMean)
	}
	sigma := 2 * l / (z99 + math.Sqrt(disc)) // the smaller root, without cancellation
	return &Lognormal{
		mu:    math.Log(secs(mean)) - sigma*sigma/2,
		sigma: sigma,
		form:  byMeanP99, a: mean, p99: p99,
	}, nil
}

func (l *Lognormal) Sample(r *sim.Rand) sim.Time {
	return sim.FromSeconds(exp(l.mu + l.sigma*r.NormFloat64()))
}

func (l *Lognormal) dist() distuv.LogNormal { return distuv.LogNormal{Mu: l.mu, Sigma: l.sigma} }

func (l *Lognormal) Mean() float64     { return l.dist().Mean() }
func (l *Lognormal) Variance() float64 { return inf(l.dist().Variance()) }

// MuSigma returns the parameters of ln(seconds), whichever way l was given.
func (l *Lognormal) MuSigma() (mu, sigma float64) { return l.mu, l.sigma }

func (l *Lognormal) String() string {
	switch l.form {
	case byP50P99:
		return "lognormal(p50=" + FormatDuration(l.a) + ", p99=" + FormatDuration(l.p99) + ")"
	case byMeanP99:
		return "lognormal(mean=" + FormatDuration(l.a) + ", p99=" + FormatDuration(l.p99) + ")"
	}
	return "lognormal(mu=" + formatFloat(l.mu) + ", sigma=" + formatFloat(l.sigma) + ")"
}

func (l *Lognormal) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	return l.dist().Quantile(p)
}

// inf turns a NaN moment (Inf - Inf in an overflowing formula) into +Inf: the
// moment is finite in theory but too large for a float64, and callers treat
// both the same way.
func inf(x float64) float64 {
	if math.IsNaN(x) {
		return math.Inf(1)
	}
	return x
}

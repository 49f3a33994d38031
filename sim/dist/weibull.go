package dist

import (
	"math"

	"cascade/sim"
	"gonum.org/v1/gonum/stat/distuv"
)

// Weibull models times to failure and timeouts whose hazard rises (shape >
// 1) or falls (shape < 1) with age; shape 1 is exponential.
type Weibull struct {
	k, lambda float64 // shape, and scale in seconds
	invK      float64
	byMean    bool
	given     sim.Time // scale or mean as given
}

// NewWeibull returns the Weibull distribution with the given shape and scale.
func NewWeibull(shape float64, scale sim.Time) (Dist, error) {
	if err := finitePositive("shape", shape); err != nil {
		return nil, err
	}
	if err := positive("scale", scale); err != nil {
		return nil, err
	}
	return &Weibull{k: shape, lambda: secs(scale), invK: 1 / shape, given: scale}, nil
}

// NewWeibullMean returns the Weibull distribution with the given shape and
// mean; the scale is mean / Γ(1 + 1/shape).
func NewWeibullMean(shape float64, mean sim.Time) (Dist, error) {
	if err := finitePositive("shape", shape); err != nil {
		return nil, err
	}
	if err := positive("mean", mean); err != nil {
		return nil, err
	}
	lambda := secs(mean) / math.Gamma(1+1/shape)
	if !(lambda > 0) || math.IsInf(lambda, 0) {
		return nil, paramErr("shape", "shape is too small to reach that mean")
	}
	return &Weibull{k: shape, lambda: lambda, invK: 1 / shape, byMean: true, given: mean}, nil
}

// Sample is the inverse CDF applied to an exponential draw, λ·E^(1/k);
// gonum's Rand would allocate a generator per draw. exp(log(E)/k) beats
// math.Pow, whose special cases cannot occur here, by a third.
func (w *Weibull) Sample(r *sim.Rand) sim.Time {
	return sim.FromSeconds(w.lambda * exp(math.Log(r.ExpFloat64())*w.invK))
}

func (w *Weibull) dist() distuv.Weibull { return distuv.Weibull{K: w.k, Lambda: w.lambda} }

func (w *Weibull) Mean() float64 { return inf(w.dist().Mean()) }

// Variance is clamped at zero: for very large shapes the textbook formula
// is a difference of two nearly equal gamma functions.
func (w *Weibull) Variance() float64 { return math.Max(0, inf(w.dist().Variance())) }

func (w *Weibull) String() string {
	if w.byMean {
		return "weibull(shape=" + formatFloat(w.k) + ", mean=" + FormatDuration(w.given) + ")"
	}
	return "weibull(shape=" + formatFloat(w.k) + ", scale=" + FormatDuration(w.given) + ")"
}

func (w *Weibull) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	return w.dist().Quantile(p)
}

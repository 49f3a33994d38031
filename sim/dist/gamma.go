package dist

import (
	"math"
	"strconv"

	"cascade/sim"
	"gonum.org/v1/gonum/mathext"
)

// How a Gamma was specified.
const (
	byShapeMean = iota
	byShapeScale
	byErlang
)

// Gamma tunes variability independently of the mean: shape 1 is exponential,
// larger shapes are more regular (squared coefficient of variation 1/shape),
// smaller ones burstier. Erlang-k, the sum of k exponential stages, is the
// integer-shape case.
type Gamma struct {
	shape, scale float64 // scale in seconds
	form         int
	given        sim.Time // mean or scale as given
	k            int      // Erlang stages
	// Marsaglia-Tsang constants for shape+1 when shape < 1, else for shape.
	d, c, invShape float64
}

// NewGamma returns the gamma distribution with the given shape and mean.
func NewGamma(shape float64, mean sim.Time) (Dist, error) {
	if err := finitePositive("shape", shape); err != nil {
		return nil, err
	}
	if err := positive("mean", mean); err != nil {
		return nil, err
	}
	return asDist(newGamma(shape, secs(mean)/shape, byShapeMean, mean))
}

// NewGammaScale returns the gamma distribution with the given shape and scale
// (theta; the mean is shape·scale).
func NewGammaScale(shape float64, scale sim.Time) (Dist, error) {
	if err := finitePositive("shape", shape); err != nil {
		return nil, err
	}
	if err := positive("scale", scale); err != nil {
		return nil, err
	}
	return asDist(newGamma(shape, secs(scale), byShapeScale, scale))
}

// NewErlang returns the Erlang distribution of k stages with the given total
// mean.
func NewErlang(k int, mean sim.Time) (Dist, error) {
	if k < 1 {
		return nil, paramErr("k", "k must be a whole number >= 1")
	}
	if err := positive("mean", mean); err != nil {
		return nil, err
	}
	g, err := newGamma(float64(k), secs(mean)/float64(k), byErlang, mean)
	if err != nil {
		return nil, err
	}
	g.k = k
	return g, nil
}

// asDist keeps a failed constructor's nil *Gamma from becoming a non-nil Dist.
func asDist(g *Gamma, err error) (Dist, error) {
	if err != nil {
		return nil, err
	}
	return g, nil
}

func newGamma(shape, scale float64, form int, given sim.Time) (*Gamma, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		if shape < 1 {
			return nil, paramErr("shape", "shape is too small for that mean")
		}
		return nil, paramErr("shape", "shape is too large for that mean")
	}
	a := shape
	if a < 1 {
		a++
	}
	d := a - 1.0/3
	return &Gamma{
		shape: shape, scale: scale, form: form, given: given,
		d: d, c: 1 / math.Sqrt(9*d), invShape: 1 / shape,
	}, nil
}

// Sample uses Marsaglia and Tsang's squeeze method, written out here because
// gonum's Gamma.Rand allocates a generator per draw. For shape < 1 it draws
// with shape+1 and multiplies by U^(1/shape).
func (g *Gamma) Sample(r *sim.Rand) sim.Time {
	boost := 1.0
	if g.shape < 1 {
		boost = exp(math.Log(r.Float64()) * g.invShape)
	}
	for {
		x := r.NormFloat64()
		v := 1 + g.c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		x2 := x * x
		if u < 1-0.0331*x2*x2 || math.Log(u) < 0.5*x2+g.d*(1-v+math.Log(v)) {
			return sim.FromSeconds(g.d * v * boost * g.scale)
		}
	}
}

func (g *Gamma) Mean() float64     { return g.shape * g.scale }
func (g *Gamma) Variance() float64 { return inf(g.shape * g.scale * g.scale) }

// Shape returns the shape parameter k.
func (g *Gamma) Shape() float64 { return g.shape }

func (g *Gamma) String() string {
	switch g.form {
	case byShapeScale:
		return "gamma(shape=" + formatFloat(g.shape) + ", scale=" + FormatDuration(g.given) + ")"
	case byErlang:
		return "erlang(k=" + strconv.Itoa(g.k) + ", mean=" + FormatDuration(g.given) + ")"
	}
	return "gamma(shape=" + formatFloat(g.shape) + ", mean=" + FormatDuration(g.given) + ")"
}

// Quantile inverts the regularized incomplete gamma function by bisection
// on a log scale. gonum's Gamma.Quantile (mathext.GammaIncRegInv) is faster
// but the fuzzer found shapes and probabilities where it panics or never
// returns; bisection over the robust forward function always ends, and ~60
// halvings reach full float64 precision.
func (g *Gamma) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	return gammaQuantile(g.shape, p) * g.scale
}

// gammaQuantile is the p quantile of the unit-scale gamma distribution.
func gammaQuantile(shape, p float64) float64 {
	switch {
	case p == 0:
		return 0
	case p == 1:
		return math.Inf(1)
	}
	cdf := func(x float64) float64 { return mathext.GammaIncReg(shape, x) }
	lo, hi := shape, shape
	for cdf(lo) >= p {
		if lo /= 2; lo == 0 {
			return 0
		}
	}
	for cdf(hi) < p {
		if hi *= 2; math.IsInf(hi, 1) {
			return hi
		}
	}
	for i := 0; i < 200 && hi > lo*(1+1e-15); i++ {
		mid := math.Sqrt(lo) * math.Sqrt(hi)
		if cdf(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

package dist

import (
	"math"

	"cascade/sim"
	"gonum.org/v1/gonum/stat/distuv"
)

// Normal is a normal distribution truncated at zero, for durations that vary
// symmetrically around a typical value (a batch job, a human's think time).
// A duration cannot be negative, and clamping negatives to zero would pile a
// spike of mass at exactly 0, so negative draws are redrawn instead: the
// result is the normal conditioned on being >= 0. Mean, Variance and Quantile
// are those of that truncated distribution. Because the mean parameter must
// be >= 0 at least half of all draws are accepted, so a sample costs at most
// two normal draws on average.
type Normal struct {
	mean, sd sim.Time
	mu, s    float64 // untruncated mean and standard deviation, seconds
	lowCDF   float64 // P(untruncated draw < 0)
}

// NewNormal returns the normal distribution with the given mean and standard
// deviation before truncation at zero. When mean is several sd above zero,
// as it usually is, truncation changes nothing visible.
func NewNormal(mean, sd sim.Time) (Dist, error) {
	if err := nonNegative("mean", mean); err != nil {
		return nil, err
	}
	if err := positive("sd", sd); err != nil {
		return nil, err
	}
	n := &Normal{mean: mean, sd: sd, mu: secs(mean), s: secs(sd)}
	n.lowCDF = 0.5 * math.Erfc(n.mu/(n.s*math.Sqrt2))
	return n, nil
}

func (n *Normal) Sample(r *sim.Rand) sim.Time {
	for {
		if x := n.mu + n.s*r.NormFloat64(); x >= 0 {
			return sim.FromSeconds(x)
		}
	}
}

// hazard is λ = φ(α)/(1-Φ(α)) at the truncation point α = -μ/σ, the term by
// which truncation shifts the moments.
func (n *Normal) hazard() (alpha, lambda float64) {
	alpha = -n.mu / n.s
	phi := math.Exp(-alpha*alpha/2) / math.Sqrt(2*math.Pi)
	return alpha, phi / (1 - n.lowCDF)
}

func (n *Normal) Mean() float64 {
	_, l := n.hazard()
	return n.mu + n.s*l
}

func (n *Normal) Variance() float64 {
	a, l := n.hazard()
	return n.s * n.s * (1 + a*l - l*l)
}

func (n *Normal) String() string {
	return "normal(mean=" + FormatDuration(n.mean) + ", sd=" + FormatDuration(n.sd) + ")"
}

func (n *Normal) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	q := n.mu + n.s*distuv.UnitNormal.Quantile(n.lowCDF+p*(1-n.lowCDF))
	return math.Max(q, 0)
}

package dist

import (
	"math"

	"cascade/sim"
	"gonum.org/v1/gonum/stat/distuv"
)

// Pareto is the power-law tail: file sizes, batch sizes, the rare request
// that is a thousand times the typical one. With alpha <= 2 its variance is
// infinite and with alpha <= 1 its mean too, which queueing results built on
// moments cannot handle; Mean and Variance report +Inf then.
type Pareto struct {
	alpha, xm float64 // xm in seconds
	byMean    bool
	given     sim.Time // min or mean as given
}

// NewPareto returns the Pareto distribution with tail index alpha and
// smallest value min.
func NewPareto(alpha float64, min sim.Time) (Dist, error) {
	if err := finitePositive("alpha", alpha); err != nil {
		return nil, err
	}
	if err := positive("min", min); err != nil {
		return nil, err
	}
	return &Pareto{alpha: alpha, xm: secs(min), given: min}, nil
}

// NewParetoMean returns the Pareto distribution with tail index alpha and
// the given mean, which exists only for alpha > 1.
func NewParetoMean(alpha float64, mean sim.Time) (Dist, error) {
	if err := finitePositive("alpha", alpha); err != nil {
		return nil, err
	}
	if alpha <= 1 {
		return nil, paramErr("alpha", "alpha must be > 1 for the mean to exist; give min= instead")
	}
	if err := positive("mean", mean); err != nil {
		return nil, err
	}
	return &Pareto{alpha: alpha, xm: secs(mean) * (alpha - 1) / alpha, byMean: true, given: mean}, nil
}

// Sample is inverse-transform sampling written in terms of an exponential
// draw (xm·e^(E/alpha)); gonum's Rand would allocate a generator per draw.
func (p *Pareto) Sample(r *sim.Rand) sim.Time {
	return sim.FromSeconds(p.xm * exp(r.ExpFloat64()/p.alpha))
}

func (p *Pareto) dist() distuv.Pareto { return distuv.Pareto{Xm: p.xm, Alpha: p.alpha} }

func (p *Pareto) Mean() float64     { return p.dist().Mean() }
func (p *Pareto) Variance() float64 { return inf(p.dist().Variance()) }

// Alpha returns the tail index.
func (p *Pareto) Alpha() float64 { return p.alpha }

func (p *Pareto) String() string {
	if p.byMean {
		return "pareto(alpha=" + formatFloat(p.alpha) + ", mean=" + FormatDuration(p.given) + ")"
	}
	return "pareto(alpha=" + formatFloat(p.alpha) + ", min=" + FormatDuration(p.given) + ")"
}

func (p *Pareto) Quantile(q float64) float64 {
	if badP(q) {
		return math.NaN()
	}
	return p.dist().Quantile(q)
}

package dist

import (
	"math"

	"cascade/sim"
)

// Exponential is the memoryless distribution: Poisson inter-arrival gaps and
// the service times of textbook M/M/c queues. It is the hottest sampler in a
// run, so it is one ziggurat draw and a multiply.
type Exponential struct {
	mean sim.Time
	m    float64 // mean in seconds
}

// NewExponential returns the exponential distribution with the given mean
// (the reciprocal of its rate).
func NewExponential(mean sim.Time) (Dist, error) {
	if err := positive("mean", mean); err != nil {
		return nil, err
	}
	return &Exponential{mean: mean, m: secs(mean)}, nil
}

func (e *Exponential) Sample(r *sim.Rand) sim.Time { return sim.FromSeconds(r.ExpFloat64() * e.m) }
func (e *Exponential) Mean() float64               { return e.m }
func (e *Exponential) Variance() float64           { return e.m * e.m }
func (e *Exponential) String() string              { return "exp(" + FormatDuration(e.mean) + ")" }

func (e *Exponential) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	return -e.m * math.Log1p(-p)
}

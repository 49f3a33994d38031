package dist

import (
	"math"

	"cascade/sim"
)

// Constant always draws the same duration: a fixed cost such as a network
// hop, or the deterministic service of an M/D/1 check.
type Constant struct {
	v sim.Time
}

// NewConstant returns the distribution that is always v.
func NewConstant(v sim.Time) (Dist, error) {
	if err := nonNegative("value", v); err != nil {
		return nil, err
	}
	return &Constant{v: v}, nil
}

func (c *Constant) Sample(*sim.Rand) sim.Time { return c.v }
func (c *Constant) Mean() float64             { return secs(c.v) }
func (c *Constant) Variance() float64         { return 0 }
func (c *Constant) String() string            { return "const(" + FormatDuration(c.v) + ")" }

// Quantile is the value itself for every p.
func (c *Constant) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	return secs(c.v)
}

package dist

import (
	"math"

	"cascade/sim"
)

// Uniform spreads draws evenly between min and max, for jitter and backoff
// windows where nothing is known but the bounds.
type Uniform struct {
	min, max sim.Time
}

// NewUniform returns the uniform distribution on [min, max]; min == max is
// allowed and behaves as a constant, so sweeps can pass through zero width.
func NewUniform(min, max sim.Time) (Dist, error) {
	if err := nonNegative("min", min); err != nil {
		return nil, err
	}
	if max < min {
		return nil, paramErr("max", "max must not be less than min")
	}
	return &Uniform{min: min, max: max}, nil
}

// Sample interpolates in integer nanoseconds so that wide ranges keep their
// resolution.
func (u *Uniform) Sample(r *sim.Rand) sim.Time {
	return u.min + sim.Time(math.Round(float64(u.max-u.min)*r.Float64()))
}

func (u *Uniform) Mean() float64 { return (secs(u.min) + secs(u.max)) / 2 }

func (u *Uniform) Variance() float64 {
	w := secs(u.max) - secs(u.min)
	return w * w / 12
}

func (u *Uniform) String() string {
	return "uniform(min=" + FormatDuration(u.min) + ", max=" + FormatDuration(u.max) + ")"
}

func (u *Uniform) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	return secs(u.min) + (secs(u.max)-secs(u.min))*p
}

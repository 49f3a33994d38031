package dist

import (
	"math"
	"slices"
	"strings"

	"cascade/sim"
)

// Percentile is one measured point of a latency distribution: a fraction P
// of requests (0.99 for p99) take at most V.
type Percentile struct {
	P float64
	V sim.Time
}

// NoMax tells NewEmpirical that the distribution has no upper bound and
// continues past its highest percentile with an exponential tail.
const NoMax = sim.Forever

// Empirical reproduces a latency profile known only by its percentiles, the
// way dashboards report it. Between given points the inverse CDF is linear,
// starting from (0, min); past the last point it either runs linearly to
// (1, max) or, without a max, continues as an exponential tail fitted through
// the last two points, so every given percentile is hit exactly and the tail
// keeps the slope the data shows instead of stopping dead at the last value.
type Empirical struct {
	min, max sim.Time
	points   []Percentile // sorted by P
	// Knots of the inverse CDF in seconds: (0, min), the points, and (1, max)
	// when bounded.
	ps, vs []float64
	tail   bool
	beta   float64 // mean of the exponential tail beyond the last knot
	mean   float64
	vari   float64
}

// NewEmpirical returns the distribution through the given percentiles, which
// may come in any order. min is the smallest value (usually 0); max is the
// largest, or NoMax for an exponential tail.
func NewEmpirical(min sim.Time, points []Percentile, max sim.Time) (Dist, error) {
	if err := nonNegative("min", min); err != nil {
		return nil, err
	}
	if len(points) == 0 {
		return nil, paramErr("p50", "empirical needs at least one percentile, e.g. p50=4ms")
	}
	pts := slices.Clone(points)
	slices.SortStableFunc(pts, func(a, b Percentile) int {
		switch {
		case a.P < b.P:
			return -1
		case a.P > b.P:
			return 1
		}
		return 0
	})
	prevName, prevV := "min", min
	for i, pt := range pts {
		name := PercentileName(pt.P)
		if !(pt.P > 0 && pt.P < 1) {
			return nil, paramErr(name, "percentiles must lie strictly between p0 and p100; use min= and max= for the ends")
		}
		if i > 0 && pt.P == pts[i-1].P {
			return nil, paramErr(name, "%s is given twice", name)
		}
		if pt.V < prevV {
			return nil, paramErr(name, "%s (%s) must not be less than %s (%s)", name, FormatDuration(pt.V), prevName, FormatDuration(prevV))
		}
		prevName, prevV = name, pt.V
	}
	if max != NoMax && max < prevV {
		return nil, paramErr("max", "max (%s) must not be less than %s (%s)", FormatDuration(max), prevName, FormatDuration(prevV))
	}

	e := &Empirical{min: min, max: max, points: pts, tail: max == NoMax}
	e.ps = append(e.ps, 0)
	e.vs = append(e.vs, secs(min))
	for _, pt := range pts {
		e.ps = append(e.ps, pt.P)
		e.vs = append(e.vs, secs(pt.V))
	}
	if e.tail {
		k := len(e.ps) - 1
		// v(p) = v_k + beta·ln((1-p_k)/(1-p)) passes through knot k-1 too.
		e.beta = (e.vs[k] - e.vs[k-1]) / math.Log((1-e.ps[k-1])/(1-e.ps[k]))
	} else {
		e.ps = append(e.ps, 1)
		e.vs = append(e.vs, secs(max))
	}
	e.mean, e.vari = e.moments()
	return e, nil
}

// moments integrates the inverse CDF exactly: each linear piece is a uniform
// distribution carrying the probability between its knots, and the tail is
// v_k plus an exponential of mean beta carrying 1-p_k. The variance is summed
// about the mean, which avoids cancelling two large second moments.
func (e *Empirical) moments() (mean, variance float64) {
	n := len(e.ps)
	for i := 1; i < n; i++ {
		mean += (e.ps[i] - e.ps[i-1]) * (e.vs[i-1] + e.vs[i]) / 2
	}
	last := n - 1
	if e.tail {
		mean += (1 - e.ps[last]) * (e.vs[last] + e.beta)
	}
	for i := 1; i < n; i++ {
		a, b := e.vs[i-1]-mean, e.vs[i]-mean
		variance += (e.ps[i] - e.ps[i-1]) * (a*a + a*b + b*b) / 3
	}
	if e.tail {
		c := e.vs[last] - mean
		variance += (1 - e.ps[last]) * (c*c + 2*c*e.beta + 2*e.beta*e.beta)
	}
	return mean, variance
}

// at is the inverse CDF in seconds. A linear scan beats a binary search for
// the handful of points a profile has.
func (e *Empirical) at(u float64) float64 {
	n := len(e.ps)
	for i := 1; i < n; i++ {
		if u < e.ps[i] {
			lo := i - 1
			return e.vs[lo] + (e.vs[i]-e.vs[lo])*(u-e.ps[lo])/(e.ps[i]-e.ps[lo])
		}
	}
	last := n - 1
	if !e.tail || e.beta == 0 {
		return e.vs[last]
	}
	return e.vs[last] + e.beta*math.Log((1-e.ps[last])/(1-u))
}

// Sample is inverse-transform sampling, one uniform draw per sample.
func (e *Empirical) Sample(r *sim.Rand) sim.Time { return sim.FromSeconds(e.at(r.Float64())) }

func (e *Empirical) Mean() float64     { return e.mean }
func (e *Empirical) Variance() float64 { return e.vari }

// Points returns a copy of the given percentiles in increasing order.
func (e *Empirical) Points() []Percentile { return slices.Clone(e.points) }

func (e *Empirical) String() string {
	var b strings.Builder
	b.WriteString("empirical(")
	sep := ""
	if e.min != 0 {
		b.WriteString("min=" + FormatDuration(e.min))
		sep = ", "
	}
	for _, pt := range e.points {
		b.WriteString(sep + PercentileName(pt.P) + "=" + FormatDuration(pt.V))
		sep = ", "
	}
	if !e.tail {
		b.WriteString(sep + "max=" + FormatDuration(e.max))
	}
	b.WriteString(")")
	return b.String()
}

// Quantile is exact at every given percentile; Quantile(1) is max, or +Inf
// with an exponential tail.
func (e *Empirical) Quantile(p float64) float64 {
	if badP(p) {
		return math.NaN()
	}
	return e.at(p)
}

package theory

import "math"

// CheHitRatio is Che's approximation of an LRU cache's hit ratio under the
// independent reference model: C entries, key i requested with probability
// p[i]. The characteristic time T solves Σ (1 − e^(−p_i T)) = C, and the
// hit ratio is Σ p_i (1 − e^(−p_i T)) (Che, Tung, Wang 2002; Fricker,
// Robert, Roberts 2012 explain why it is so accurate). It returns 1 when
// every key fits and NaN for bad input.
func CheHitRatio(p []float64, c int) float64 {
	if c < 1 || len(p) == 0 {
		return math.NaN()
	}
	if c >= len(p) {
		return 1
	}
	filled := func(t float64) float64 {
		var s float64
		for _, x := range p {
			s += -math.Expm1(-x * t)
		}
		return s
	}
	// filled(T) rises from 0 to len(p): bracket C, then bisect.
	lo, hi := 0.0, 1.0
	for filled(hi) < float64(c) {
		hi *= 2
		if hi > 1e300 {
			return math.NaN()
		}
	}
	for i := 0; i < 200 && hi-lo > 1e-12*hi; i++ {
		mid := (lo + hi) / 2
		if filled(mid) < float64(c) {
			lo = mid
		} else {
			hi = mid
		}
	}
	t := (lo + hi) / 2
	var h float64
	for _, x := range p {
		h += x * -math.Expm1(-x*t)
	}
	return h
}

package dist

import (
	"math"
	"math/big"
	"testing"

	"cascade/sim"
)

// bigExp is e^x to 300 bits: 2^k e^r with r = x - k ln2 in [0, ln2), by the
// series of each.
func bigExp(x float64) *big.Float {
	f := f64
	k := math.Floor(x / math.Ln2)
	r := f().Sub(f().SetFloat64(x), f().Mul(bigLn2, f().SetFloat64(k)))
	sum, term := f().SetInt64(1), f().SetInt64(1)
	for i := 1; i < 90; i++ {
		term.Mul(term, r)
		term.Quo(term, f().SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	return sum.SetMantExp(sum, int(k))
}

// TestExpIsWithinHalfAnUlp compares exp with e^x to 300 bits where samplers
// call it (the log of durations in seconds, from nanoseconds to days) and
// across its whole range, and requires at most 0.52 ulp (the method's bound
// is 0.511), and so at most one ulp from math.Exp, whose amd64 assembly is
// within about 1.5.
func TestExpIsWithinHalfAnUlp(t *testing.T) {
	rng := sim.NewStream(1, "exp")
	xs := []float64{0, -0.0, 1, -1, math.Ln2, -math.Ln2, 1e-300, -1e-300, 699.9, -699.9}
	for range 4000 {
		xs = append(xs, -3.5+2*rng.NormFloat64(), 1400*rng.Float64()-700)
	}
	worst := 0.0
	for _, x := range xs {
		got := exp(x)
		ulp := math.Nextafter(got, math.Inf(1)) - got
		e, _ := f64().Sub(f64().SetFloat64(got), bigExp(x)).Float64()
		if e = math.Abs(e) / ulp; e > worst {
			worst = e
		}
		if e > 0.52 {
			t.Fatalf("exp(%v) = %v, %.3f ulp from e^x", x, got, e)
		}
	}
	t.Logf("worst error %.3f ulp over %d arguments", worst, len(xs))
}

func f64() *big.Float { return new(big.Float).SetPrec(300) }

// bigLn2 is ln 2 to 300 bits: the sum of 1/(i 2^i).
var bigLn2 = func() *big.Float {
	ln2 := f64()
	for i := 1; i < 320; i++ {
		ln2.Add(ln2, f64().Quo(f64().SetInt64(1), f64().SetMantExp(f64().SetInt64(int64(i)), i)))
	}
	return ln2
}()

// TestExpOutsideItsRange is math.Exp where exp leaves it to it.
func TestExpOutsideItsRange(t *testing.T) {
	for _, x := range []float64{-700, 700, -745.2, -800, 709.8, 710, math.Inf(1), math.Inf(-1), math.NaN()} {
		got, want := exp(x), math.Exp(x)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("exp(%v) = %v, want %v", x, got, want)
		}
	}
}

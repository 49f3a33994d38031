package dist

import "math"

// exp is e^x for the samplers: Tang's table method as ARM's optimized-routines
// and musl write it (a 128-entry table of 2^(j/128) with its rounding error,
// and a degree-5 polynomial on |r| <= ln2/256), about 0.5 ulp.
//
// It is written out for two reasons. math.Exp is assembly on amd64 with up
// to 1.5 ulp error and about 32 ns from argument to result, on the path of
// every lognormal draw (shop makes ten per request: 13% of a run); this is
// 14 ns. And Go's float arithmetic is the same on every architecture only
// where nothing is fused or left to assembly: every product here is rounded
// with an explicit float64 conversion, which the language guarantees stops a
// fused multiply-add, so e^x itself is the same on amd64 and arm64. The draw
// around it is not yet: mu + sigma*z and FromSeconds may fuse on arm64, and
// math.Log (weibull, gamma) and math/rand's rare ziggurat tails are assembly
// or fused there too.
//
// Outside (-700, 700), far beyond any duration, it is math.Exp (0, +Inf,
// NaN and subnormals alike).
func exp(x float64) float64 {
	if !(x > -700 && x < 700) {
		return math.Exp(x)
	}
	// x = (k*128 + j) ln2/128 + r, k and j from z = x*128/ln2 rounded to an
	// integer by adding 1.5*2^52, whose mantissa then holds it.
	z := float64(expInvLn2N * x)
	kd := float64(z + expShift)
	ki := math.Float64bits(kd)
	kd = float64(kd - expShift)
	r := float64(float64(x+float64(kd*expNegLn2HiN)) + float64(kd*expNegLn2LoN))
	j := 2 * (ki % expN)
	tail := math.Float64frombits(expEntry(j))
	scale := math.Float64frombits(expEntry(j+1) + ki<<(52-expTableBits)) // 2^(k + j/128)
	r2 := float64(r * r)
	p := float64(float64(tail+r) + float64(r2*float64(expC2+float64(r*expC3))))
	p = float64(p + float64(float64(r2*r2)*float64(expC4+float64(r*expC5))))
	return float64(scale + float64(scale*p))
}

const (
	expTableBits = 7
	expN         = 1 << expTableBits

	expInvLn2N   = 0x1.71547652b82fep0 * expN
	expNegLn2HiN = -0x1.62e42fefa0000p-8 // ln2/128 split so that k*hi is exact
	expNegLn2LoN = -0x1.cf79abc9e3b3ap-47
	expShift     = 0x1.8p52

	// e^r - 1 - r = r^2 (C2 + C3 r) + r^4 (C4 + C5 r) on |r| <= ln2/256
	// (optimized-routines' exp_data.c, N = 128).
	expC2 = 0x1.ffffffffffdbdp-2
	expC3 = 0x1.555555555543cp-3
	expC4 = 0x1.55555cf172b91p-5
	expC5 = 0x1.1111167a4d017p-7
)

// expEntry is entry i of expTable (exp_table.go): for j < 128, the relative
// error of 2^(j/128) rounded to a float64 at 2j, and that float64's bits less
// j<<45 at 2j+1, so that adding k<<52 + j<<45 gives 2^(k + j/128). The table
// is a constant string, little-endian, because the simulation core keeps no
// package-level variables; the compiler reads an entry with one load.
func expEntry(i uint64) uint64 {
	s := expTable[8*i : 8*i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

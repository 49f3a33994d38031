package scenarios

import (
	"math"
	"testing"
)

func TestRewriteDurations(t *testing.T) {
	tests := []struct{ in, want string }{
		{"800/s", "800/s"},
		{"100 + 50*sin(2*pi*t/5m)", "100 + 50*sin(2*pi*t/(300))"},
		{"t < 250ms ? 1 : 2", "t < (0.25) ? 1 : 2"},
		{"1h30m", "(5400)"},
		{"1.5h", "(5400)"},
		{".5s", "(0.5)"},
		{"2e3", "2e3"},
		{"2e3ms", "(2)"},
		{"x5m + 5m", "x5m + (300)"},
		{"5min", "5min"},
		{"5µs*1e6", "(5e-06)*1e6"},
		{"1.5.m", "1.5.m"},
		{"1d", "(86400)"},
		{"", ""},
	}
	for _, tt := range tests {
		got, pos := rewriteDurations(tt.in)
		if got != tt.want {
			t.Errorf("rewriteDurations(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if n := len([]rune(got)) + 1; len(pos) != n {
			t.Errorf("rewriteDurations(%q): %d positions for %d runes", tt.in, len(pos), n-1)
		}
	}
}

// TestRewritePositions checks that every rune of the rewritten expression
// maps back to the byte of the source it came from.
func TestRewritePositions(t *testing.T) {
	src := "a + 5m*µ + bb"
	got, pos := rewriteDurations(src)
	want := "a + (300)*µ + bb"
	if got != want {
		t.Fatalf("got %q", got)
	}
	// runes of got:  a␠+␠(300)*µ␠+␠bb
	wantPos := []int{0, 1, 2, 3, 4, 4, 4, 4, 4, 6, 7, 9, 10, 11, 12, 13, 14}
	if len(pos) != len(wantPos) {
		t.Fatalf("pos = %v", pos)
	}
	for i := range pos {
		if pos[i] != wantPos[i] {
			t.Fatalf("pos = %v, want %v", pos, wantPos)
		}
	}
}

func TestCompileRate(t *testing.T) {
	tests := []struct {
		src  string
		t    float64
		want float64
	}{
		{"800", 0, 800},
		{"800/s", 3, 800},
		{"50/m", 0, 50.0 / 60},
		{"t", 2.5, 2.5},
		{"100 + 50*sin(2*pi*t/5m)", 75, 150},
		{"100 + 50*sin(2*pi*t/5m)", 225, 50},
		// Values that are no rate come out as they are: the model stops
		// the run on them (and validation finds them on the run's grid).
		{"abs(t - 5) - 1", 5, -1},
		{"log(t + 1)", math.E - 1, 1},
		{"sqrt(10 - t)", 11, math.NaN()},
		{"clamp(t, 10, 20)", 5, 10},
		{"clamp(t, 10, 20)", 50, 20},
		{"min(t, 3, 2)", 5, 2},
		{"max(1, t)", 5, 5},
		{"pow(2, 10)", 0, 1024},
		{"abs(floor(-t)) + ceil(0.2)", 1.5, 3},
		{"exp(0) * cos(0) + tan(0)", 0, 1},
		{"t < 1m ? 10 : 1000", 30, 10},
		{"t < 1m ? 10 : 1000", 61, 1000},
		{"e", 0, math.E},
		{"h/m + ms*1000 + s", 0, 62},
		{"1/abs(t-1)", 1, math.Inf(1)},
	}
	for _, tt := range tests {
		r, err := compileRate(tt.src)
		if err != nil {
			t.Errorf("compileRate(%q): %+v", tt.src, err)
			continue
		}
		if r.fast == nil {
			t.Errorf("%q: no closure translation", tt.src)
		}
		same := func(got float64) bool {
			return got == tt.want || math.Abs(got-tt.want) <= 1e-9 || (math.IsNaN(got) && math.IsNaN(tt.want))
		}
		if got := r.Func()(tt.t); !same(got) {
			t.Errorf("%q at t=%v = %v, want %v", tt.src, tt.t, got, tt.want)
		}
		if got := r.vmFunc()(tt.t); !same(got) {
			t.Errorf("VM: %q at t=%v = %v, want %v", tt.src, tt.t, got, tt.want)
		}
	}
}

func TestCompileRateErrors(t *testing.T) {
	const known = "known: t, pi, e, s, ms, m, h, sin, cos, tan, exp, log, sqrt, abs, pow, floor, ceil, min, max, clamp"
	tests := []struct {
		src    string
		offset int
		msg    string
		hint   string
	}{
		{"100 + 50*sine(t)", 9, "rate expression: unknown name sine", `did you mean "sin"? ` + known},
		{"100 + tt", 6, "rate expression: unknown name tt", `did you mean "t"? ` + known},
		{"5m + 2*)", 7, "rate expression: unexpected token Bracket(\")\")", ""},
		{"now()", 0, "rate expression: unknown name now", `did you mean "pow"? ` + known},
		{"sqrt(t-1)", 0, "rate expression is NaN at t=0", rateHint},
		{"log(t)", 0, "rate expression is -Inf at t=0", rateHint},
		{"t - 5", 0, "rate expression is -5 at t=0", rateHint},
		{"'a'", 0, "rate expression: the result must be a number, not string", ""},
		{"1/t", 0, "rate expression is +Inf at t=0", rateHint},
		{"sin(", 3, "rate expression: unexpected token EOF", ""},
	}
	for _, tt := range tests {
		_, err := compileRate(tt.src)
		if err == nil {
			t.Errorf("compileRate(%q): no error", tt.src)
			continue
		}
		if err.Offset != tt.offset || err.Msg != tt.msg || err.Hint != tt.hint {
			t.Errorf("compileRate(%q) = {%d %q %q}, want {%d %q %q}", tt.src, err.Offset, err.Msg, err.Hint, tt.offset, tt.msg, tt.hint)
		}
	}
}

// TestRateFuncsIndependent checks that two functions from one expression do
// not share state: each engine gets its own VM.
func TestRateFuncsIndependent(t *testing.T) {
	r, err := compileRate("t*2")
	if err != nil {
		t.Fatal(err)
	}
	f, g := r.Func(), r.Func()
	if f(1) != 2 || g(5) != 10 || f(2) != 4 {
		t.Fatal("rate funcs interfere")
	}
}

// TestClosuresMatchVM evaluates expressions with both the closures and expr's
// VM over a range of times: the closures must agree exactly.
func TestClosuresMatchVM(t *testing.T) {
	exprs := []string{
		"100 + 50*sin(2*pi*t/5m)", "7 % 3 + t", "-7 % 3 + 1 + t", "2 ** 3 ** 0.5 * t", "2 ^ t", "t/7*3",
		"t > 10 && t < 20 ? 1000 : 10", "!(t >= 5) || t == 7 ? t : -t", "t != 3 and not (t <= 1) ? 1 : 2",
		"true ? t : 0", "max(t, 3, 2*t) - min(1, t)", "clamp(100*t, 50, 300)", "pow(t, 1.5)",
		"exp(-t/10m) * 1000", "1 + 2 * 3 - 4 / 5", "(t < 1 ? t > 0.5 : false) ? 3 : 4", "+t", "1h/(t+1)",
		"abs(sin(t)) + cos(t) + tan(t/100) + sqrt(t) + log(1+t) + floor(t/3) + ceil(t/3)",
	}
	for _, src := range exprs {
		r, err := compileRate(src)
		if err != nil {
			t.Errorf("%q: %+v", src, err)
			continue
		}
		if r.fast == nil {
			t.Errorf("%q: no closure translation", src)
			continue
		}
		fast, slow := r.Func(), r.vmFunc()
		for i := 0; i <= 400; i++ {
			x := float64(i) * 0.25
			if a, b := fast(x), slow(x); a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Errorf("%q at t=%v: closures %v, VM %v", src, x, a, b)
				break
			}
		}
	}
}

// TestRateFuncAllocs pins the point of the closures: no allocation per call.
func TestRateFuncAllocs(t *testing.T) {
	r, err := compileRate("100 + 50*sin(2*pi*t/5m) + max(t, 1, 2)")
	if err != nil {
		t.Fatal(err)
	}
	f := r.Func()
	x := 0.0
	if n := testing.AllocsPerRun(100, func() { x += f(x) }); n != 0 {
		t.Errorf("rate function allocates %v times per call", n)
	}
}

func BenchmarkRateFunc(b *testing.B) {
	for _, src := range []string{"800", "t", "100 + 50*sin(2*pi*t/5m)"} {
		b.Run(src, func(b *testing.B) {
			r, err := compileRate(src)
			if err != nil {
				b.Fatal(err)
			}
			f := r.Func()
			b.ReportAllocs()
			x := 0.0
			for i := 0; b.Loop(); i++ {
				x += f(float64(i))
			}
			_ = x
		})
	}
}

// BenchmarkRateFuncVM is the VM fallback, for comparison.
func BenchmarkRateFuncVM(b *testing.B) {
	r, err := compileRate("100 + 50*sin(2*pi*t/5m)")
	if err != nil {
		b.Fatal(err)
	}
	f := r.vmFunc()
	b.ReportAllocs()
	x := 0.0
	for i := 0; b.Loop(); i++ {
		x += f(float64(i))
	}
	_ = x
}

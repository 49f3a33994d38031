package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"cascade/sim"
)

// rateEnv is the typed environment rate expressions are compiled against and
// run in. Typing it lets expr reject unknown names and non-numeric results at
// load time instead of at run time. The unit constants make "800/s" and
// "50/m" mean what they say inside an expression.
type rateEnv struct {
	T  float64 `expr:"t"` // simulated time in seconds
	Pi float64 `expr:"pi"`
	E  float64 `expr:"e"`
	S  float64 `expr:"s"`
	Ms float64 `expr:"ms"`
	M  float64 `expr:"m"`
	H  float64 `expr:"h"`
}

func newRateEnv() *rateEnv {
	return &rateEnv{Pi: math.Pi, E: math.E, S: 1, Ms: 0.001, M: 60, H: 3600}
}

// rateNames are the names an expression can use, for did-you-mean hints.
var rateNames = []string{"t", "pi", "e", "s", "ms", "m", "h",
	"sin", "cos", "tan", "exp", "log", "sqrt", "abs", "pow", "floor", "ceil", "min", "max", "clamp"}

// rateExpr is a compiled rate expression. The program is immutable and shared;
// each Func call gets its own VM and environment, so copies of a topology can
// run in several engines at once.
type rateExpr struct {
	src     string
	program *vm.Program
	fast    numFn // the same expression as closures, or nil: see ratefunc.go
}

// exprError is a compile problem at byte Offset of the expression as written.
type exprError struct {
	Offset    int
	Msg, Hint string
}

// unaryFuncs are the one-argument math functions.
var unaryFuncs = []struct {
	name string
	fn   func(float64) float64
}{
	{"sin", math.Sin}, {"cos", math.Cos}, {"tan", math.Tan}, {"exp", math.Exp},
	{"log", math.Log}, {"sqrt", math.Sqrt}, {"abs", math.Abs},
	{"floor", math.Floor}, {"ceil", math.Ceil},
}

// num converts an expr value to float64: integer literals arrive as int.
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case int32:
		return float64(x)
	case uint64:
		return float64(x)
	}
	panic(fmt.Sprintf("not a number: %v", v))
}

// rateOptions are built once: the environment, the functions, float results,
// and no expr built-ins, some of which (now(), date()) read the wall clock
// and would break replays.
var rateOptions = func() []expr.Option {
	opts := []expr.Option{
		expr.Env(rateEnv{}),
		expr.AsFloat64(),
		expr.DisableAllBuiltins(),
	}
	for _, u := range unaryFuncs {
		fn := u.fn
		opts = append(opts, expr.Function(u.name, func(p ...any) (any, error) {
			return fn(num(p[0])), nil
		}, new(func(float64) float64)))
	}
	opts = append(opts,
		expr.Function("pow", func(p ...any) (any, error) {
			return math.Pow(num(p[0]), num(p[1])), nil
		}, new(func(float64, float64) float64)),
		expr.Function("min", func(p ...any) (any, error) {
			m := num(p[0])
			for _, v := range p[1:] {
				m = math.Min(m, num(v))
			}
			return m, nil
		}, new(func(float64, float64, ...float64) float64)),
		expr.Function("max", func(p ...any) (any, error) {
			m := num(p[0])
			for _, v := range p[1:] {
				m = math.Max(m, num(v))
			}
			return m, nil
		}, new(func(float64, float64, ...float64) float64)),
		expr.Function("clamp", func(p ...any) (any, error) {
			return math.Min(math.Max(num(p[0]), num(p[1])), num(p[2])), nil
		}, new(func(float64, float64, float64) float64)),
	)
	return opts
}()

// compileRate compiles src once, at load time, and evaluates it at t = 0 so
// an expression that cannot run fails the load rather than the simulation.
func compileRate(src string) (*rateExpr, *exprError) {
	rewritten, pos := rewriteDurations(src)
	program, err := expr.Compile(rewritten, rateOptions...)
	if err != nil {
		return nil, compileError(err, src, pos)
	}
	r := &rateExpr{src: src, program: program}
	r.fast, _ = numClosure(program.Node())
	var machine vm.VM
	out, err := machine.Run(program, newRateEnv())
	if err != nil {
		return nil, &exprError{Msg: "rate expression fails at t=0: " + exprMessage(err)}
	}
	if v, ok := out.(float64); !ok || badRate(v) {
		return nil, &exprError{Msg: fmt.Sprintf("rate expression is %v at t=0", out), Hint: rateHint}
	}
	return r, nil
}

// rateHint is the hint of every problem with a rate expression's value.
const rateHint = "a rate must be a finite number of requests per second >= 0 at every instant of the run: bound it, e.g. max(0, ...), or change it"

// badRate says whether v is no rate: negative, NaN or +Inf.
func badRate(v float64) bool { return !(v >= 0) || math.IsInf(v, 1) }

// rateScan is what evaluating a rate expression over a run found.
type rateScan struct {
	bad        bool     // a value that is no rate, at badT
	badT       sim.Time // the first such instant
	badV       float64
	total      float64  // the requests the rate sends over the span scanned
	peak       float64  // the highest rate seen
	end        sim.Time // how far the scan went
	stride     sim.Time // the spacing of the instants evaluated
	fullLength bool     // the scan covered the whole run
}

// scanSteps bounds the evaluations of one scan: a run longer than
// scanSteps steps of the workload's 10 ms grid is scanned at a coarser
// spacing, so that validating a week-long run takes milliseconds.
const scanSteps = 1_000_000

// rateGrid is the models' integration step: the workload evaluates a
// time-varying rate at the middle of every 10 ms step.
const rateGrid = 10 * sim.Millisecond

// scan evaluates the expression at the middle of every 10 ms step of the
// grid the workload integrates it on, from 0 to end, and stops at the first
// value that is no rate. With end 0 (a run that ends with its requests) it
// goes on until the rate has sent limit requests, at most scanSteps steps.
func (r *rateExpr) scan(end sim.Time, limit int64) rateScan {
	f := r.raw()
	sc := rateScan{stride: rateGrid}
	steps := int64(scanSteps)
	if end > 0 {
		n := int64((end + rateGrid - 1) / rateGrid)
		if n > scanSteps {
			sc.stride = sim.Time((n + scanSteps - 1) / scanSteps * int64(rateGrid))
		}
		steps = int64((end + sc.stride - 1) / sc.stride)
	}
	span := sc.stride.Seconds()
	sc.fullLength = true
	for k := int64(0); k < steps; k++ {
		from := sim.Time(k) * sc.stride
		t := from + rateGrid/2
		if end > 0 && t >= end {
			t = from + (end-from)/2
		}
		v := f(t.Seconds())
		if badRate(v) {
			sc.bad, sc.badT, sc.badV = true, t, v
			sc.end = t
			return sc
		}
		sc.peak = max(sc.peak, v)
		if end > 0 && from+sc.stride > end {
			sc.total += v * (end - from).Seconds()
		} else {
			sc.total += v * span
		}
		sc.end = from + sc.stride
		if end == 0 && limit > 0 && sc.total >= float64(limit) {
			return sc
		}
	}
	if end > 0 {
		sc.end = end
	} else {
		sc.fullLength = false
	}
	return sc
}

// rateValueMsg is the message for a rate expression's value v at t, the
// same whether validation or the running model finds it.
func rateValueMsg(t sim.Time, v float64) string {
	return fmt.Sprintf("rate expression is %.6g at t=%s", v, t.Duration())
}

// compileError turns an expr compile error into an exprError at the
// corresponding byte of the expression as the user wrote it.
func compileError(err error, src string, pos []int) *exprError {
	msg := exprMessage(err)
	if got, ok := strings.CutPrefix(msg, "expected float64, but got "); ok {
		msg = "the result must be a number, not " + got
	}
	e := &exprError{Msg: "rate expression: " + msg}
	var fe *file.Error
	if errors.As(err, &fe) {
		from := fe.From
		if from >= 0 && from < len(pos) {
			e.Offset = pos[from]
		} else if from >= len(pos) {
			e.Offset = len(src)
		}
		if name, ok := strings.CutPrefix(fe.Message, "unknown name "); ok {
			e.Hint = hintFor(name, rateNames, "known")
		}
	}
	return e
}

// exprMessage is the first line of an expr error, without its snippet (the
// problem's position already says where).
func exprMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fe.Message
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// Func returns a fresh rate function for one engine: the allocation-free
// closures when the expression has them, else the VM. Either way it reuses
// one environment (and VM) for every call, so it is cheap and not safe for
// concurrent use: each engine asks for its own.
func (r *rateExpr) Func() func(t float64) float64 {
	return r.raw()
}

// raw is the rate function: its values as the expression gives them, NaN
// when it fails to run. The model stops the run on a value that is no rate
// (see badRate) rather than clamping it, so a mistake is never hidden.
func (r *rateExpr) raw() func(t float64) float64 {
	if r.fast == nil {
		return r.vmFunc()
	}
	env := newRateEnv()
	fast := r.fast
	return func(t float64) float64 {
		env.T = t
		return fast(env)
	}
}

// vmFunc is the rate function run by expr's VM.
func (r *rateExpr) vmFunc() func(t float64) float64 {
	var machine vm.VM
	env := newRateEnv()
	program := r.program
	return func(t float64) float64 {
		env.T = t
		out, err := machine.Run(program, env)
		if err != nil {
			return math.NaN()
		}
		v, ok := out.(float64)
		if !ok {
			return math.NaN()
		}
		return v
	}
}

// durationUnits are the suffixes rewriteDurations understands, longest first
// so "ms" is not read as "m" followed by "s".
var durationUnits = []struct {
	suffix string
	nanos  float64 // in nanoseconds, so that 5µs is exactly 5e-06 seconds
}{
	{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6},
	{"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9},
}

// rewriteDurations replaces number literals with a duration unit ("5m",
// "250ms", "1h30m") by their value in seconds in parentheses, so
// "sin(2*pi*t/5m)" compiles as "sin(2*pi*t/(300))". It also returns, for each
// rune of the result (and one past the end), the byte offset in src it came
// from, so compile errors point at the right column of the YAML file.
func rewriteDurations(src string) (string, []int) {
	var b strings.Builder
	pos := make([]int, 0, len(src)+1)
	emit := func(s string, from int) {
		b.WriteString(s)
		for range utf8.RuneCountInString(s) {
			pos = append(pos, from)
		}
	}
	i := 0
	for i < len(src) {
		c := src[i]
		if c == '"' || c == '\'' || c == '`' {
			// A string literal is copied as it is: "8m" stays a string.
			j := skipString(src, i)
			emit(src[i:j], i)
			i = j
			continue
		}
		startsNumber := isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1])
		if !startsNumber || i > 0 && (isIdent(src[i-1]) || src[i-1] == '.') {
			r, size := utf8.DecodeRuneInString(src[i:])
			emit(string(r), i)
			i += size
			continue
		}
		total, end, n := 0.0, i, 0
		for {
			numEnd := scanNumber(src, end)
			if numEnd == end {
				break
			}
			unit, nanos := matchUnit(src[numEnd:])
			if unit == "" {
				break
			}
			v, err := strconv.ParseFloat(src[end:numEnd], 64)
			if err != nil {
				break
			}
			total += v * nanos
			end = numEnd + len(unit)
			n++
		}
		if n == 0 || end < len(src) && (isIdent(src[end]) || src[end] == '.') {
			// Not a duration: copy the whole number so its tail is not
			// rescanned as a literal of its own.
			numEnd := scanNumber(src, i)
			emit(src[i:numEnd], i)
			i = numEnd
			continue
		}
		emit("("+strconv.FormatFloat(total/1e9, 'g', -1, 64)+")", i)
		i = end
	}
	pos = append(pos, len(src))
	return b.String(), pos
}

// scanNumber returns the end of the decimal number starting at i (i itself
// if there is none): digits, a fraction, and an exponent only when digits
// follow it, so "2e" stays a number and a name.
func scanNumber(s string, i int) int {
	j := i
	for j < len(s) && (isDigit(s[j]) || s[j] == '_') {
		j++
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j+1 || j > i {
			j = k
		}
	}
	if j == i {
		return i
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

// matchUnit returns the duration unit s starts with, if any.
func matchUnit(s string) (string, float64) {
	for _, u := range durationUnits {
		if strings.HasPrefix(s, u.suffix) {
			return u.suffix, u.nanos
		}
	}
	return "", 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdent(c byte) bool {
	return c == '_' || isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' || c >= 0x80
}

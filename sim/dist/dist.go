// Package dist holds the probability distributions of durations that models
// draw service times, think times and inter-arrival gaps from.
//
// Every distribution keeps the parameters it was built from, exactly as given
// (durations as integer nanoseconds), and prints them back in the compact
// syntax of cascade/scenarios/units. That is why String round-trips: a report
// shows what the user wrote, and pasting it back into a scenario rebuilds the
// very same distribution.
//
// Sampling never allocates and draws only from the stream it is handed, so the
// same stream replays the same samples.
package dist

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"cascade/sim"
)

// Dist is a distribution of non-negative durations.
type Dist interface {
	// Sample draws one duration from r; it is never negative.
	Sample(r *sim.Rand) sim.Time
	// Mean is the expected value in seconds, +Inf when it does not exist.
	Mean() float64
	// Variance is in seconds squared, +Inf when it does not exist. Queueing
	// formulas such as Pollaczek-Khinchine need the second moment, which is
	// Variance + Mean².
	Variance() float64
	// String is the compact form that units.ParseDist parses back to a
	// distribution with the same String.
	String() string
}

// Quantiler is implemented by every distribution in this package. It is kept
// out of Dist so that models can supply their own Dist without having to
// invert a CDF.
type Quantiler interface {
	// Quantile returns the value in seconds below which a fraction p of draws
	// fall. p outside [0, 1] gives NaN.
	Quantile(p float64) float64
}

// ParamError is a constructor's complaint about one parameter. Param is the
// parameter's name in the compact syntax ("p99", "shape", ...), so a parser
// can point at the text the user has to change.
type ParamError struct {
	Param string
	Msg   string
}

func (e *ParamError) Error() string { return e.Msg }

func paramErr(param, format string, args ...any) error {
	return &ParamError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// nonNegative checks a duration parameter. Durations come in as sim.Time so
// that they print back exactly.
func nonNegative(name string, t sim.Time) error {
	if t < 0 {
		return paramErr(name, "%s must not be negative", name)
	}
	return nil
}

func positive(name string, t sim.Time) error {
	if t <= 0 {
		return paramErr(name, "%s must be > 0", name)
	}
	return nil
}

// finitePositive checks a dimensionless parameter such as a shape.
func finitePositive(name string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return paramErr(name, "%s must be a finite number", name)
	}
	if x <= 0 {
		return paramErr(name, "%s must be > 0", name)
	}
	return nil
}

// badP reports whether p cannot be a probability; Quantile answers NaN then
// instead of panicking as gonum does.
func badP(p float64) bool { return !(p >= 0 && p <= 1) }

// secs converts a parameter to the float seconds the formulas use.
func secs(t sim.Time) float64 { return t.Seconds() }

// durationUnit returns the i-th unit FormatDuration may pick, largest first.
// step is the finest amount the unit prints exactly with the given decimals;
// minutes, hours and days only get three decimals because most of their
// fractions have no finite decimal form.
func durationUnit(i int) (name string, unit, step sim.Time, decimals int) {
	switch i {
	case 0:
		return "d", sim.Day, sim.Day / 1000, 3
	case 1:
		return "h", sim.Hour, sim.Hour / 1000, 3
	case 2:
		return "m", sim.Minute, sim.Minute / 1000, 3
	case 3:
		return "s", sim.Second, 1, 9
	case 4:
		return "ms", sim.Millisecond, 1, 6
	case 5:
		return "µs", sim.Microsecond, 1, 3
	}
	return "ns", sim.Nanosecond, 1, 0
}

// FormatDuration prints t exactly, in the largest unit that represents it
// without rounding, so that parsing the text gives t back to the nanosecond.
// (sim.Time.String rounds to three decimals, which is for display only.)
func FormatDuration(t sim.Time) string {
	if t == 0 {
		return "0s"
	}
	sign := ""
	if t < 0 {
		if t == math.MinInt64 {
			return "-" + FormatDuration(-(t + 1)) // off by 1ns, unreachable in practice
		}
		sign, t = "-", -t
	}
	for i := 0; ; i++ {
		name, unit, step, decimals := durationUnit(i)
		if t < unit && unit != sim.Nanosecond || t%step != 0 {
			continue
		}
		return sign + fixed(int64(t/step), decimals) + name
	}
}

// fixed prints n / 10^decimals without trailing zeros.
func fixed(n int64, decimals int) string {
	s := strconv.FormatInt(n, 10)
	if decimals == 0 {
		return s
	}
	for len(s) <= decimals {
		s = "0" + s
	}
	whole, frac := s[:len(s)-decimals], strings.TrimRight(s[len(s)-decimals:], "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// formatFloat prints a dimensionless parameter with the fewest digits that
// parse back to the same float64.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// PercentileName is the parameter name of percentile p (a fraction in (0,1))
// in the compact syntax: 0.5 is "p50", 0.999 "p999", 0.9999 "p9999", 0.05
// "p5" and 0.055 "p5.5". The digits are those of the shortest decimal that
// parses back to p, so the name identifies p exactly.
func PercentileName(p float64) string {
	if !(p > 0 && p < 1) {
		return "p" + formatFloat(p*100)
	}
	digits := strings.TrimPrefix(strconv.FormatFloat(p, 'f', -1, 64), "0.")
	for len(digits) < 2 {
		digits += "0"
	}
	if digits[0] != '0' {
		return "p" + digits
	}
	// Below p10 the digits no longer start with the whole percent, so write
	// the decimal point.
	whole, frac := digits[1:2], digits[2:]
	if frac == "" {
		return "p" + whole
	}
	return "p" + whole + "." + frac
}

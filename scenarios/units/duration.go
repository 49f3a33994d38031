package units

import (
	"math"
	"math/bits"
	"strings"

	"cascade/sim"
)

// MaxDuration is the longest duration accepted, about 146 years: the point
// where sim.FromSeconds saturates, so that adding any accepted duration to
// any reachable time cannot overflow.
const MaxDuration = sim.Time(math.MaxInt64 / 2)

const unitList = "units: ns, us (or µs), ms, s, m, h, d"

// ParseDuration parses a non-negative duration such as "250ms", "1.5s",
// "100us", "100µs", "10m", "2h", "30d" or "1h30m". Units are those of Go's
// time.ParseDuration plus "d" for days, in any letter case. A bare number is
// an error, except 0: "250" could mean seconds or milliseconds, and guessing
// wrong is off by a factor of a thousand. Fractions are exact to the
// nanosecond, rounding halves up.
func ParseDuration(s string) (sim.Time, error) {
	lo, hi := trim(s, 0, len(s))
	t, err := parseDuration(s[lo:hi], lo)
	if err != nil {
		return 0, err
	}
	return t, nil
}

// parseDuration parses s, which starts at offset base of the user's text.
func parseDuration(s string, base int) (sim.Time, *Error) {
	if s == "" {
		return 0, errAt(base, "missing duration", `write a duration such as "250ms"`)
	}
	if s[0] == '-' {
		return 0, errAt(base, "duration must not be negative", "")
	}
	var total sim.Time
	for i := 0; i < len(s); {
		j := scanDecimal(s, i)
		if j == i {
			if isLetter(s[i]) && i == 0 {
				return 0, errAt(base+i, "missing number before the unit", `write a duration such as "1`+s+`"`)
			}
			return 0, errAt(base+i, "unexpected "+quote(s[i:i+1])+" in duration "+quote(s), `write a duration such as "250ms" or "1h30m"`)
		}
		num := s[i:j]
		k := j
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		u := scanUnit(s, k)
		if u == k {
			if k < len(s) {
				return 0, errAt(base+k, "unexpected "+quote(s[k:k+1])+" in duration "+quote(s), `write a duration such as "250ms" or "1h30m"`)
			}
			if i == 0 && strings.Trim(num, "0.") == "" {
				return 0, nil // a bare zero needs no unit
			}
			return 0, errAt(base+i, "missing unit after "+num, `add a unit, e.g. "`+num+`ms"`)
		}
		unit, ok := unitNanos(s[k:u])
		if !ok && (s[k] == 'e' || s[k] == 'E') && u < len(s) && (isDigit(s[u]) || s[u] == '-' || s[u] == '+') {
			return 0, errAt(base+k, "exponents are not allowed in durations", `write the digits out, e.g. "1000ms" for 1e3ms`)
		}
		if !ok {
			return 0, errAt(base+k, "unknown unit "+quote(s[k:u]), unitHint(s[k:u]))
		}
		v, ok := scale(num, unit)
		if !ok || v > MaxDuration-total {
			return 0, errAt(base, "duration "+quote(s)+" is too long", "the longest is about 146 years")
		}
		total += v
		i = u
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	return total, nil
}

// scanUnit returns the end of the unit word starting at s[i]: ASCII letters
// and the micro signs µ (U+00B5) and μ (U+03BC).
func scanUnit(s string, i int) int {
	for i < len(s) {
		switch {
		case isLetter(s[i]):
			i++
		case strings.HasPrefix(s[i:], "µ"), strings.HasPrefix(s[i:], "μ"):
			i += 2
		default:
			return i
		}
	}
	return i
}

func unitNanos(u string) (sim.Time, bool) {
	switch strings.ToLower(u) {
	case "ns":
		return sim.Nanosecond, true
	case "us", "µs", "μs":
		return sim.Microsecond, true
	case "ms":
		return sim.Millisecond, true
	case "s":
		return sim.Second, true
	case "m":
		return sim.Minute, true
	case "h":
		return sim.Hour, true
	case "d":
		return sim.Day, true
	}
	return 0, false
}

// unitHint says which unit a spelled-out one means.
func unitHint(u string) string {
	want := ""
	switch strings.ToLower(u) {
	case "nsec", "nsecs", "nanos", "nanosecond", "nanoseconds":
		want = "ns"
	case "usec", "usecs", "micros", "microsecond", "microseconds":
		want = "us"
	case "msec", "msecs", "millis", "millisecond", "milliseconds":
		want = "ms"
	case "sec", "secs", "second", "seconds":
		want = "s"
	case "min", "mins", "minute", "minutes":
		want = "m"
	case "hr", "hrs", "hour", "hours":
		want = "h"
	case "day", "days":
		want = "d"
	}
	if want != "" {
		return `write "` + want + `"; ` + unitList
	}
	return unitList
}

// scale returns round(num × unit) for a decimal num exactly, using 128-bit
// intermediate products, or false if it exceeds MaxDuration.
func scale(num string, unit sim.Time) (sim.Time, bool) {
	whole, frac, _ := strings.Cut(num, ".")
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 19 {
		return 0, false
	}
	var w uint64
	for i := 0; i < len(whole); i++ {
		w = w*10 + uint64(whole[i]-'0')
	}
	u := uint64(unit)
	if w > uint64(MaxDuration)/u {
		return 0, false
	}
	v := w * u
	// Digits past the 18th are worth less than 1e-4ns even in days.
	if len(frac) > 18 {
		frac = frac[:18]
	}
	if frac != "" {
		var f, pow uint64 = 0, 1
		for i := 0; i < len(frac); i++ {
			f = f*10 + uint64(frac[i]-'0')
			pow *= 10
		}
		hi, lo := bits.Mul64(f, u)
		q, r := bits.Div64(hi, lo, pow) // f < pow, so hi < pow
		if 2*r >= pow {
			q++
		}
		v += q
	}
	if v > uint64(MaxDuration) {
		return 0, false
	}
	return sim.Time(v), true
}

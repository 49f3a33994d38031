package units

import (
	"math"
	"strconv"
	"strings"

	"cascade/sim"
)

// ParseRate parses a rate and returns it per second: "800/s", "50/m" or
// "50/min", "3/ms", "10/h", "0.5/s". The part after the slash may also be a
// duration, "1/5ms" being one every five milliseconds (200/s). A bare number
// is an error: "800" per second and per minute differ sixty-fold.
func ParseRate(s string) (float64, error) {
	lo, hi := trim(s, 0, len(s))
	r, err := parseRate(s, lo, hi)
	if err != nil {
		return 0, err
	}
	return r, nil
}

func parseRate(s string, lo, hi int) (float64, *Error) {
	const example = `write a rate with a unit, e.g. "800/s"`
	if lo == hi {
		return 0, errAt(lo, "missing rate", example)
	}
	slash := strings.IndexByte(s[lo:hi], '/')
	if slash < 0 {
		if end := scanFloat(s, lo); end == hi {
			return 0, errAt(lo, "missing time unit in rate "+quote(s[lo:hi]), `write a rate with a unit, e.g. "`+s[lo:hi]+`/s"`)
		}
		if d, err := parseDuration(s[lo:hi], lo); err == nil && d > 0 {
			return 0, errAt(lo, quote(s[lo:hi])+" is a duration, not a rate", `write a count per time such as "800/s"; "1/`+s[lo:hi]+`" is one every `+s[lo:hi])
		}
		return 0, errAt(lo, "invalid rate "+quote(s[lo:hi]), example)
	}
	slash += lo
	nlo, nhi := trim(s, lo, slash)
	if nlo == nhi {
		return 0, errAt(lo, "missing count before \"/\"", example)
	}
	if s[nlo] == '-' {
		return 0, errAt(nlo, "rate must not be negative", "")
	}
	if scanFloat(s, nlo) != nhi {
		return 0, errAt(nlo, "invalid number "+quote(s[nlo:nhi])+" in rate", example)
	}
	n, err := strconv.ParseFloat(s[nlo:nhi], 64)
	if err != nil || math.IsInf(n, 0) {
		return 0, errAt(nlo, "number "+quote(s[nlo:nhi])+" is out of range", "")
	}
	dlo, dhi := trim(s, slash+1, hi)
	if dlo == dhi {
		return 0, errAt(slash+1, "missing time unit after \"/\"", example)
	}
	var per float64 // seconds
	if isDigit(s[dlo]) || s[dlo] == '.' {
		d, err := parseDuration(s[dlo:dhi], dlo)
		if err != nil {
			return 0, err
		}
		if d == 0 {
			return 0, errAt(dlo, "rate per zero time", `write e.g. "1/5ms"`)
		}
		per = d.Seconds()
	} else {
		u, ok := rateUnit(s[dlo:dhi])
		if !ok {
			word := s[dlo:dhi]
			return 0, errAt(dlo, "unknown time unit "+quote(word)+" in rate",
				didYouMean(word, rateUnitNames(), "units: /ns, /us, /ms, /s (/sec), /m (/min), /h (/hr), /d (/day)"))
		}
		per = u.Seconds()
	}
	r := n / per
	if math.IsInf(r, 0) {
		return 0, errAt(lo, "rate "+quote(s[lo:hi])+" is too large", "")
	}
	return r, nil
}

// rateUnitNames lists the words accepted after the slash, for suggestions.
func rateUnitNames() []string {
	return []string{"ns", "us", "µs", "ms", "s", "sec", "second", "m", "min", "minute", "h", "hr", "hour", "d", "day"}
}

// rateUnit accepts more spellings than durations do: "/min" and "/sec" read
// naturally and cannot be misread, while in a duration "5min" next to "5m"
// would only be a second way to say the same thing.
func rateUnit(u string) (sim.Time, bool) {
	switch strings.ToLower(u) {
	case "sec", "second":
		return sim.Second, true
	case "min", "minute":
		return sim.Minute, true
	case "hr", "hour":
		return sim.Hour, true
	case "day":
		return sim.Day, true
	}
	return unitNanos(u)
}

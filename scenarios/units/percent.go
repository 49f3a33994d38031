package units

import (
	"strconv"
	"strings"
)

// ParsePercent parses a percentage and returns it as a fraction: "99.9%" is
// 0.999 and "0.5%" is 0.005. A bare number is read as a fraction and must lie
// in [0, 1] ("0.999"); "99.9" without the sign is an error, since it is
// either a typo for "99.9%" or not a probability at all. The fraction is the
// float nearest the decimal written, so "99.9%" gives exactly 0.999.
func ParsePercent(s string) (float64, error) {
	lo, hi := trim(s, 0, len(s))
	p, err := parsePercent(s, lo, hi)
	if err != nil {
		return 0, err
	}
	return p, nil
}

func parsePercent(s string, lo, hi int) (float64, *Error) {
	const example = `write a percentage such as "99.9%" or a fraction such as 0.999`
	if lo == hi {
		return 0, errAt(lo, "missing percentage", example)
	}
	pct := s[hi-1] == '%'
	nhi := hi
	if pct {
		_, nhi = trim(s, lo, hi-1)
	}
	if lo == nhi {
		return 0, errAt(lo, "missing number before \"%\"", example)
	}
	if s[lo] == '-' {
		return 0, errAt(lo, "percentage must not be negative", "")
	}
	if scanDecimal(s, lo) != nhi {
		return 0, errAt(lo, "invalid percentage "+quote(s[lo:hi]), example)
	}
	num := s[lo:nhi]
	if pct {
		// Shifting the decimal point in text keeps "99.9%" exactly 0.999;
		// 99.9/100 in floating point is 0.9990000000000001.
		p, err := strconv.ParseFloat(num+"e-2", 64)
		if err != nil || p > 1 {
			return 0, errAt(lo, "percentage "+quote(s[lo:hi])+" is over 100%", "")
		}
		return p, nil
	}
	p, err := strconv.ParseFloat(num, 64)
	if err != nil || p > 1 {
		hint := "a bare number is a fraction between 0 and 1"
		if err == nil && p <= 100 {
			hint = `did you mean "` + strings.TrimSpace(num) + `%"? ` + hint
		}
		return 0, errAt(lo, quote(num)+" is not a fraction between 0 and 1", hint)
	}
	return p, nil
}

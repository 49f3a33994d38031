// Package units parses the quantities people write in scenario files:
// durations ("250ms"), rates ("800/s"), percentages ("99.9%") and
// distributions ("lognormal(p50=4ms, p99=40ms)").
//
// Every error is an *Error carrying the byte offset of the offending text, so
// the scenario loader can point at the exact column, and where a likely fix is
// known a hint says what to write instead. The parsers never panic.
package units

import (
	"strings"
	"unicode/utf8"
)

// Error is a parse error at a position in the parsed string.
type Error struct {
	Offset int    // 0-based byte offset in the input where the problem starts
	Msg    string // what is wrong
	Hint   string // what to write instead; may be empty
}

// Error renders "msg (hint)", the form the scenario loader prints.
func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Msg
	}
	return e.Msg + " (" + e.Hint + ")"
}

func errAt(off int, msg, hint string) *Error { return &Error{Offset: off, Msg: msg, Hint: hint} }

// result turns a possibly nil *Error into an error without the typed-nil trap.
func result(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// trim returns the bounds of s[lo:hi] without surrounding whitespace.
func trim(s string, lo, hi int) (int, int) {
	for lo < hi && isSpace(s[lo]) {
		lo++
	}
	for hi > lo && isSpace(s[hi-1]) {
		hi--
	}
	return lo, hi
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// scanDecimal returns the end of the unsigned decimal number (digits with at
// most one point, at least one digit) starting at s[i], or i if there is none.
func scanDecimal(s string, i int) int {
	j, digits := i, 0
	for j < len(s) && isDigit(s[j]) {
		j, digits = j+1, digits+1
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k, digits = k+1, digits+1
		}
		if digits > 0 {
			j = k
		}
	}
	if digits == 0 {
		return i
	}
	return j
}

// scanFloat extends scanDecimal with an optional sign and exponent, the
// syntax strconv.FormatFloat produces, but never "inf", "nan" or hex.
func scanFloat(s string, i int) int {
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := scanDecimal(s, j)
	if k == j {
		return i
	}
	if k < len(s) && (s[k] == 'e' || s[k] == 'E') {
		m := k + 1
		if m < len(s) && (s[m] == '+' || s[m] == '-') {
			m++
		}
		n := m
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		if n > m {
			k = n
		}
	}
	return k
}

// quote shows a piece of input in a message, shortened so that a pasted
// paragraph does not flood the terminal.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:37]) + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// suggest returns the candidate the user most likely meant by word: the
// closest within edit distance 2 (and closer than the word is long), ties to
// the earliest candidate so hints are stable. A wrong guess is worse than
// none, so it returns "" when nothing is that close.
func suggest(word string, candidates []string) string {
	best, bestD := "", 3
	lw := strings.ToLower(word)
	n := utf8.RuneCountInString(word)
	for _, c := range candidates {
		d := EditDistance(lw, c)
		if d < bestD && d < n && d < utf8.RuneCountInString(c) {
			best, bestD = c, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance between a and b, counted in runes,
// with a swap of two adjacent runes counting as one edit (optimal string
// alignment). Long inputs are not compared: nothing that long is a typo.
// It is the one measure behind every did-you-mean hint, in files and on the
// command line alike.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// didYouMean is the hint for an unknown word: a suggestion when one is close,
// then what the valid words are.
func didYouMean(word string, candidates []string, valid string) string {
	if s := suggest(word, candidates); s != "" {
		return `did you mean "` + s + `"? ` + valid
	}
	return valid
}

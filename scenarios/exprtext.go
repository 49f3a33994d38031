package scenarios

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expectations and fault conditions are expr-lang expressions with three
// conveniences expr does not have: named arguments (p99("api", from: 8m)),
// percentages (99.9%) and duration literals (250ms). rewriteCheck turns them
// into plain expr before compiling, and keeps, for every rune of the
// result, the byte of the source it came from, so a compile error still
// points at the column the user typed.

// rewriteCheck rewrites named arguments and percentages, then durations.
func rewriteCheck(src string) (string, []int) {
	mid, midPos := rewriteNamedAndPercent(src)
	out, outPos := rewriteDurations(mid)
	final := make([]int, len(outPos))
	for i, b := range outPos {
		if b >= len(midPos) {
			b = len(midPos) - 1
		}
		final[i] = midPos[b]
	}
	return out, final
}

// rewriteNamedAndPercent turns `name: value` (or `name=value`, which YAML
// leaves alone without quotes) inside a call's parentheses into
// `"name", value` (functions take the pairs as trailing arguments and
// the loader checks them), and a number followed by % that is not a modulo
// (nothing that could be its right operand follows) into its fraction:
// `99.9%` reads (0.999). The position map it returns is by byte of the
// result, one past the end included.
func rewriteNamedAndPercent(src string) (string, []int) {
	var b strings.Builder
	pos := make([]int, 0, len(src)+8)
	emit := func(s string, from int) {
		b.WriteString(s)
		for range len(s) {
			pos = append(pos, from)
		}
	}
	var stack []byte
	lastSig := byte('(') // last significant character emitted: start acts like an open paren
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := skipString(src, i)
			emit(src[i:j], i)
			i, lastSig = j, '"'
			continue
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, c)
		case c == ')' || c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case isIdentStart(c) && (i == 0 || !isIdent(src[i-1]) && src[i-1] != '.'):
			j := i
			for j < len(src) && isIdent(src[j]) {
				j++
			}
			k := j
			for k < len(src) && (src[k] == ' ' || src[k] == '\t') {
				k++
			}
			inCall := len(stack) > 0 && stack[len(stack)-1] == '('
			named := k < len(src) && (src[k] == ':' || src[k] == '=' && (k+1 >= len(src) || src[k+1] != '='))
			if inCall && (lastSig == '(' || lastSig == ',') && named {
				emit(strconv.Quote(src[i:j])+",", i)
				i, lastSig = k+1, ','
				continue
			}
			emit(src[i:j], i)
			i, lastSig = j, 'a'
			continue
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			if i > 0 && (isIdent(src[i-1]) || src[i-1] == '.') {
				break
			}
			j := scanNumber(src, i)
			if j > i && j < len(src) && src[j] == '%' && !operandFollows(src, j+1) {
				// Parsing "99.9e-2" rounds once, exactly; 99.9/100 would not.
				v, err := strconv.ParseFloat(strings.ReplaceAll(src[i:j], "_", "")+"e-2", 64)
				if err == nil {
					emit("("+strconv.FormatFloat(v, 'g', -1, 64)+")", i)
					i, lastSig = j+1, ')'
					continue
				}
			}
			if j > i {
				emit(src[i:j], i)
				i, lastSig = j, '0'
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		emit(string(r), i)
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			lastSig = c
		}
		i += size
	}
	pos = append(pos, len(src))
	return b.String(), pos
}

// operandFollows says whether what follows position i could be the right
// operand of a binary %: a number, a name, a string or an open paren.
func operandFollows(s string, i int) bool {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i >= len(s) {
		return false
	}
	c := s[i]
	return isIdent(c) || c == '(' || c == '"' || c == '\'' || c == '.'
}

// skipString returns the index just past the string literal starting at i
// (or the end of s when it is not closed: the compiler reports that).
func skipString(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if q != '`' {
				j++
			}
		case q:
			return j + 1
		}
	}
	return len(s)
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c|0x20 && c|0x20 <= 'z'
}

// callEnd returns the index just past the parenthesised argument list that
// opens at or after i (the call's source text ends there), or len(s).
func callEnd(s string, i int) int {
	for i < len(s) && s[i] != '(' {
		i++
	}
	depth := 0
	for i < len(s) {
		switch c := s[i]; c {
		case '"', '\'', '`':
			i = skipString(s, i)
			continue
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return len(s)
}

package scenarios

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineRE finds the line number in a yaml decoder message.
var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError splits a decoder error into its message and line (0 if none).
func yamlError(err error) (string, int) {
	msg := err.Error()
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return m[2], line
	}
	return strings.TrimPrefix(msg, "yaml: "), 0
}

// syntaxProblem turns a YAML decoder error into a Problem. The decoder's line
// is where the enclosing construct started (often line 1 for a mis-indented
// key deep in the file), so the line is found again as the shortest prefix
// of the file, in whole lines, that fails with the same message. The column
// is the first tab in that line's indentation (YAML forbids tabs there), or
// else its first non-blank character.
func (l *loader) syntaxProblem(data []byte, err error) {
	msg, line := yamlError(err)
	lines := strings.SplitAfter(string(data), "\n")
	if k := firstFailingPrefix(lines, msg, max(line, 1)); k > 0 {
		line = k
	}
	col, hint := 1, ""
	if line >= 1 && line <= len(lines) {
		text := strings.TrimRight(lines[line-1], "\r\n")
		indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
		if i := strings.IndexByte(indent, '\t'); i >= 0 {
			col, hint = i+1, "indent with spaces: YAML does not allow tabs there"
		} else {
			col = len(indent) + 1
		}
	}
	msg = strings.ReplaceAll(msg, "\n", " ")
	l.problem(line, col, "", hint, "YAML syntax: %s", msg)
}

// firstFailingPrefix returns the smallest k >= from such that the first k
// lines fail to parse with message msg, or 0. It bisects, assuming that once
// a prefix fails that way the longer ones do too; prefixes that fail only
// because they were cut short fail with another message and do not count.
func firstFailingPrefix(lines []string, msg string, from int) int {
	fails := func(k int) bool {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n)
		if err == nil {
			return false
		}
		m, _ := yamlError(err)
		return m == msg
	}
	lo, hi := min(from, len(lines)), len(lines)
	if !fails(hi) {
		return 0
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

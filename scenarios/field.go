package scenarios

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"cascade/scenarios/units"
	"cascade/sim"
)

// This file reads typed values out of YAML nodes: maps with their keys
// checked, lists, scalars, numbers, enums and the quantities the units
// package parses. Every reader records a problem at the node (or the exact
// character inside it) and returns ok = false, so callers just carry on.

// field is one key: value pair of a YAML mapping.
type field struct {
	key, val *yaml.Node
}

// deref follows aliases to the node they name. Aliases are allowed (they are
// ordinary YAML), but the walk is bounded elsewhere by maxSteps/maxDepth.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// kindName names what the user wrote, for "expected X, got Y" messages.
func kindName(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a map"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		if r := []rune(n.Value); len(r) > 40 {
			return fmt.Sprintf("%q", string(r[:37])+"...")
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML node"
}

// mapping checks that n is a mapping and returns its pairs in document order.
// Duplicate keys are reported (YAML allows the decoder to keep either one,
// which silently loses settings), and when allowed is non-nil every key must
// be one of them, with a did-you-mean hint otherwise.
func (l *loader) mapping(n *yaml.Node, path, what string, allowed []string) ([]field, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		l.errorf(n, path, "", "expected %s, got %s", what, kindName(n))
		return nil, false
	}
	fields := make([]field, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode {
			k = deref(k)
			if k == nil {
				l.errorf(n.Content[i], path, "", "alias key names nothing")
				continue
			}
		}
		if k.Kind != yaml.ScalarNode {
			l.errorf(k, path, "", "keys must be plain names, got %s", kindName(k))
			continue
		}
		if k.Tag == "!!merge" {
			l.errorf(k, join(path, k.Value), "write the keys out, or use an alias for the whole value", "merge keys (<<) are not supported")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			l.errorf(k, join(path, k.Value), "", "duplicate key %q (first set at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		if path == "" && strings.HasPrefix(k.Value, "x-") {
			continue // extension keys: a place to define anchors, ignored
		}
		if allowed != nil && !contains(allowed, k.Value) {
			hint := hintFor(k.Value, allowed, "known fields")
			if n.Style&yaml.FlowStyle != 0 && splitByComma(k.Value) {
				hint = flowCommaHint
			}
			l.errorf(k, path, hint, "unknown field %q", k.Value)
			continue
		}
		fields = append(fields, field{k, v})
	}
	return fields, true
}

// flowCommaHint explains the classic YAML trap: inside { } or [ ] a comma
// separates entries, so an unquoted "lognormal(p50=4ms, p99=40ms)" is cut in
// two.
const flowCommaHint = `inside { } or [ ] a comma separates entries: quote values with commas, e.g. "lognormal(p50=4ms, p99=40ms)"`

// splitByComma says whether s looks like the second half of a distribution
// cut at its comma by a flow collection ("p99=40ms)").
func splitByComma(s string) bool {
	return strings.Contains(s, "=") || strings.HasSuffix(s, ")")
}

// misspelt says whether mapping n has an unknown key that suggest maps to
// want. A missing key is then not reported again: "unknown field "rtae" (did
// you mean "rate"?)" already says everything.
func misspelt(n *yaml.Node, allowed []string, want string) bool {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k != nil && k.Kind == yaml.ScalarNode && !contains(allowed, k.Value) && suggest(k.Value, allowed) == want {
			return true
		}
	}
	return false
}

// sequence checks that n is a list and returns its items.
func (l *loader) sequence(n *yaml.Node, path, what string) ([]*yaml.Node, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		l.errorf(n, path, "", "expected %s, got %s", what, kindName(n))
		return nil, false
	}
	if n.Style&yaml.FlowStyle != 0 {
		for _, item := range n.Content {
			if item.Kind == yaml.ScalarNode && splitByComma(item.Value) {
				l.errorf(item, path, flowCommaHint, "%q is a separate list item", item.Value)
				return nil, false
			}
		}
	}
	return n.Content, true
}

// scalar checks that n is a non-empty scalar and returns its text.
func (l *loader) scalar(n *yaml.Node, path, what string) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		l.errorf(n, path, "", "expected %s, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// integer reads a decimal integer within [lo, hi].
func (l *loader) integer(n *yaml.Node, path string, lo, hi int64) (int64, bool) {
	s, ok := l.scalar(n, path, "a whole number")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil {
		if _, number := parseInt(s); number {
			l.errorf(n, path, "", "%s is too large", s)
		} else {
			l.errorf(n, path, "", "expected a whole number, got %q", s)
		}
		return 0, false
	}
	if v < lo {
		l.errorf(n, path, "", "must be >= %d, got %d", lo, v)
		return 0, false
	}
	if v > hi {
		l.errorf(n, path, "", "must be <= %d, got %d", hi, v)
		return 0, false
	}
	return v, true
}

// parseInt parses a decimal integer (underscores allowed as separators); ok
// is also true for numbers too large to represent, which are still numbers.
func parseInt(s string) (int64, bool) {
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	return v, err == nil || errors.Is(err, strconv.ErrRange)
}

// enum reads one of values and returns its index.
func (l *loader) enum(n *yaml.Node, path string, values []string) (int, bool) {
	s, ok := l.scalar(n, path, "one of "+strings.Join(values, ", "))
	if !ok {
		return 0, false
	}
	for i, v := range values {
		if s == v {
			return i, true
		}
	}
	l.errorf(n, path, hintFor(s, values, "one of"), "unknown value %q", s)
	return 0, false
}

// unitsProblem reports err from the units package at the exact character of
// n it points to.
func (l *loader) unitsProblem(n *yaml.Node, path string, err error) {
	var ue *units.Error
	if errors.As(err, &ue) {
		l.problem(n.Line, scalarCol(n, ue.Offset), path, ue.Hint, "%s", ue.Msg)
		return
	}
	l.errorf(n, path, "", "%v", err)
}

// scalarCol is the column of byte offset off inside scalar n's value. Columns
// count characters, so multi-byte characters such as µ count once. Quoted
// scalars start one character after their quote; block scalars and values
// spread over several lines cannot be mapped character by character, so they
// point at the value's start.
func scalarCol(n *yaml.Node, off int) int {
	base := n.Column
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		base++
	case yaml.LiteralStyle, yaml.FoldedStyle:
		return n.Column
	}
	if strings.ContainsRune(n.Value, '\n') {
		return n.Column
	}
	off = max(0, min(off, len(n.Value)))
	return base + utf8.RuneCountInString(n.Value[:off])
}

// duration reads a duration such as 250ms; a bare number is an error (the
// units package says which unit to add).
func (l *loader) duration(n *yaml.Node, path string) (sim.Time, bool) {
	s, ok := l.scalar(n, path, "a duration such as 250ms")
	if !ok {
		return 0, false
	}
	d, err := units.ParseDuration(s)
	if err != nil {
		l.unitsProblem(deref(n), path, err)
		return 0, false
	}
	return d, true
}

// positiveDuration reads a duration that must be > 0 (timeouts).
func (l *loader) positiveDuration(n *yaml.Node, path string) (sim.Time, bool) {
	d, ok := l.duration(n, path)
	if ok && d <= 0 {
		l.errorf(n, path, "", "must be > 0, got %s", deref(n).Value)
		return 0, false
	}
	return d, ok
}

// probability reads a percentage or fraction in [0, 1].
func (l *loader) probability(n *yaml.Node, path string) (float64, bool) {
	s, ok := l.scalar(n, path, "a probability such as 10%")
	if !ok {
		return 0, false
	}
	p, err := units.ParsePercent(s)
	if err != nil {
		l.unitsProblem(deref(n), path, err)
		return 0, false
	}
	if !(p >= 0 && p <= 1) {
		l.errorf(n, path, "", "must be between 0%% and 100%%, got %s", s)
		return 0, false
	}
	return p, true
}

// nameRE is what service, operation and workload names may look like: they
// appear inside "service.op" references and "from->to" link keys, so dots,
// spaces and ">" would make those ambiguous.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)

func (l *loader) checkName(k *yaml.Node, path, what string) bool {
	if !nameRE.MatchString(k.Value) || strings.Contains(k.Value, "->") {
		l.errorf(k, path, "letters, digits, _ and -, not starting with -", "invalid %s name %q", what, k.Value)
		return false
	}
	return true
}

// join appends a key to a dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends a list index to a path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a scenario file, with the position a human
// should look at. Line and Col are 1-based; Col counts characters, not bytes,
// so an editor's "go to line:column" lands on the spot.
type Problem struct {
	File      string
	Line, Col int
	Path      string // where in the document, e.g. "services.api.ops.get[1].call"; "" for syntax errors
	Msg       string
	Hint      string // optional: a suggestion, printed in parentheses
}

// String formats the problem as `file:line:col: path: message (hint)`, the
// form compilers use, so editors and CI logs can jump to it.
func (p Problem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", p.File, p.Line, p.Col)
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	if p.Hint != "" {
		b.WriteString(" (")
		b.WriteString(p.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Problems is every problem found in one file. Loading collects them all
// instead of stopping at the first, so one edit-run cycle fixes everything.
type Problems []Problem

// Error lists every problem, sorted, one per line.
func (ps Problems) Error() string {
	sorted := slices.Clone(ps)
	sorted.Sort()
	lines := make([]string, len(sorted))
	for i, p := range sorted {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by (line, column, path, message): the reading order
// of the file, and a total order so output is stable.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Msg, b.Msg),
			cmp.Compare(a.Hint, b.Hint),
		)
	})
}

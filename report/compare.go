package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// CompareTable writes the side-by-side table of a review as text: one row
// per metric, one column per design, deltas against the first.
func CompareTable(w io.Writer, rv Review) {
	if len(rv.Runs) == 0 {
		return
	}
	var labels []string
	for _, r := range rv.Runs {
		labels = append(labels, r.Label)
	}
	// The header's first column is as wide as its widest label (at least
	// "scenario", padded to 10 as before), so long labels stay aligned.
	width := 10
	for _, l := range labels {
		width = max(width, utf8.RuneCountInString(l))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-utf8.RuneCountInString(s)) }
	fmt.Fprintf(w, "%s %s\n", pad("scenario"), strings.Join(labels, " vs "))
	for _, r := range rv.Runs {
		fmt.Fprintf(w, "%s %s, seed %d, sha256 %s\n", pad(r.Label), r.Meta.Source, r.Meta.Seed, r.Hash[:min(12, len(r.Hash))])
	}
	fmt.Fprintln(w)
	t := &table{head: append([]string{"METRIC"}, labels...)}
	for _, c := range comparison(rv) {
		t.add(append([]string{c.Metric}, c.Cells...)...)
	}
	t.write(w)
	fmt.Fprintf(w, "\ndeltas against %s; same seed and named random streams for every design (common random numbers)\n", rv.Runs[0].Label)
}

package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"cascade/sim"
)

// dash stands for a value that does not exist (a latency with no OK reply,
// the utilization of a service with unlimited workers). A blank would shift
// a reader's eye to the next column; "NaN" reads like a bug.
const dash = "-"

// finite reports whether f is a number worth printing.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// latency formats seconds with the unit that keeps three or four significant
// digits — µs below a millisecond, ms below a second, s above — at a fixed
// number of decimals per unit so that columns line up and golden files do
// not depend on float printing subtleties. The unit is chosen after rounding
// so that 0.9999995s prints as "1.000s", never "1000.00ms".
func latency(sec float64) string {
	if !finite(sec) {
		return dash
	}
	if sec < 0 {
		sec = 0
	}
	if us := sec * 1e6; math.Round(us*10)/10 < 1000 {
		return strconv.FormatFloat(us, 'f', 1, 64) + "µs"
	}
	if ms := sec * 1e3; math.Round(ms*100)/100 < 1000 {
		return strconv.FormatFloat(ms, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(sec, 'f', 3, 64) + "s"
}

// fixed formats f with prec decimals, or a dash when it is not a number.
func fixed(f float64, prec int) string {
	if !finite(f) {
		return dash
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// percent formats a ratio (0.5) as a percentage ("50.0%").
func percent(ratio float64, prec int) string {
	if !finite(ratio) {
		return dash
	}
	return strconv.FormatFloat(ratio*100, 'f', prec, 64) + "%"
}

// integer formats a count.
func integer(n int64) string { return strconv.FormatInt(n, 10) }

// table is a fixed-width text table: the first column (names) is aligned
// left, every other column right, so digits of one magnitude line up. It
// counts runes, not bytes, because "µs" is two bytes wide in UTF-8 but one
// column on a terminal.
type table struct {
	head []string
	rows [][]string
	left []bool // per column: align left; column 0 always is
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write prints the table with two spaces between columns and no trailing
// spaces, so golden files and diffs stay clean.
func (t *table) write(w io.Writer) {
	widths := make([]int, len(t.head))
	all := append([][]string{t.head}, t.rows...)
	for _, row := range all {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(c))
			}
		}
	}
	for _, row := range all {
		var b strings.Builder
		for i, c := range row {
			if i >= len(widths) {
				break
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i == 0 || (i < len(t.left) && t.left[i]) {
				b.WriteString(c)
				b.WriteString(pad)
			} else {
				b.WriteString(pad)
				b.WriteString(c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// span formats a simulated duration as people write it — "9m30s", "1h5m",
// "2.5s" — where sim.Time.String would round 9m30s to "9.5m". Headers are
// read against the scenario's own "duration: 10m", so the same notation
// helps; seconds keep up to three decimals.
func span(t sim.Time) string {
	if t < sim.Minute {
		return t.String()
	}
	t = (t + sim.Millisecond/2) / sim.Millisecond * sim.Millisecond // the precision of what follows
	var b strings.Builder
	if h := t / sim.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		t -= h * sim.Hour
	}
	if m := t / sim.Minute; m > 0 || (b.Len() > 0 && t > 0) {
		fmt.Fprintf(&b, "%dm", m)
		t -= m * sim.Minute
	}
	if t > 0 {
		b.WriteString(strconv.FormatFloat(t.Seconds(), 'f', -1, 64) + "s")
	}
	return b.String()
}

// wrap breaks text into lines of at most width runes at spaces (a longer
// word gets a line of its own), so that long scenario descriptions stay
// readable in an 80-column terminal. Empty text gives no lines.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

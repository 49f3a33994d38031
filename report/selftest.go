package report

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"cascade/scenarios/selftest"
)

// SelftestTable prints the self-test: for each model and metric, the value
// queueing theory predicts, the simulated mean over the replications with
// the half-width of its confidence interval, the relative error, and whether
// the check passed; then a count of passes and failures.
func SelftestTable(w io.Writer, rows []selftest.Row) {
	t := table{
		head: []string{"MODEL", "metric", "unit", "theory", "simulated", "rel err", "result"},
		left: []bool{1: true, 2: true},
	}
	passed, failed := 0, 0
	for _, r := range rows {
		verdict := "PASS"
		if r.Pass {
			passed++
		} else {
			failed++
			verdict = "FAIL"
		}
		sim := sig(r.Mean)
		if finite(r.Half) {
			sim += " ± " + sig(r.Half)
		}
		t.add(r.Model, r.Metric, r.Unit, sig(r.Theory), sim, percent(r.RelErr, 2), verdict)
	}
	if len(rows) > 0 {
		t.write(w)
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
}

// sig prints about four significant digits without exponents in the range
// queueing metrics live in (utilizations, queue lengths, seconds, rates).
func sig(f float64) string {
	if !finite(f) {
		return dash
	}
	switch a := math.Abs(f); {
	case a >= 9999.5: // "g" would switch to an exponent
		return strconv.FormatFloat(f, 'f', 0, 64)
	case a >= 1e-3 || a == 0:
		return strconv.FormatFloat(f, 'g', 4, 64)
	default:
		return strconv.FormatFloat(f, 'e', 3, 64)
	}
}

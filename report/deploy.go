package report

import (
	"fmt"
	"io"
	"math"
	"strings"

	"cascade/models"
)

// deploys writes, under the fault timeline, what each deploy did: its
// phase and one line per wave, with the error share its check saw.
func deploys(w io.Writer, fs []models.FaultRecord) {
	for _, f := range fs {
		d := f.Deploy
		if d == nil {
			continue
		}
		fmt.Fprintf(w, "%s: %s, %d of %d instances on the new version\n", f.Name, d.Phase, d.Updated, d.Instances)
		for i, wv := range d.Waves {
			what := "update"
			if wv.Rollback {
				what = "rollback"
			}
			line := fmt.Sprintf("  wave %d %s instances %s: out at %s", i+1, what, instanceRange(wv.Lo, wv.Hi), span(wv.Start))
			if wv.Up > 0 {
				line += ", back at " + span(wv.Up)
			}
			if wv.Checked {
				rate := "no replies"
				if !math.IsNaN(wv.ErrorRate) {
					rate = percent(wv.ErrorRate, 2) + " of the service's replies failed"
				}
				switch {
				case d.Check == 0:
					line += "; bake: " + rate + " (no check)"
				case wv.Healthy:
					line += fmt.Sprintf("; bake: %s, check (at most %s) passed", rate, percent(d.Check, 2))
				default:
					line += fmt.Sprintf("; bake: %s, check (at most %s) FAILED", rate, percent(d.Check, 2))
				}
			}
			fmt.Fprintln(w, line)
		}
	}
}

func instanceRange(lo, hi int) string {
	var ids []string
	for i := lo; i < hi; i++ {
		ids = append(ids, fmt.Sprint(i))
	}
	return "#" + strings.Join(ids, ",#")
}

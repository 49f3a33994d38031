package report

import (
	"fmt"
	"io"
	"strings"

	"cascade/models"
)

// autoscaling writes, for each autoscaled service, its instances now and
// on average, and its scaling decisions.
func autoscaling(w io.Writer, ss []models.ServiceResult) {
	first := true
	for _, s := range ss {
		a := s.Autoscale
		if a == nil {
			continue
		}
		if first {
			fmt.Fprintln(w)
			first = false
		}
		target := fmt.Sprintf("%g", a.Target)
		if a.Metric == "utilization" {
			target = percent(a.Target, 0)
		}
		fmt.Fprintf(w, "%s: autoscaled on %s, target %s per instance, %d..%d: %d ready and %d provisioning now, %.2f ready on average; %d scale-outs, %d scale-ins since the warm-up\n",
			s.Name, a.Metric, target, a.Min, a.Max, a.Ready, a.Provisioning, a.MeanReady, a.ScaleOuts, a.ScaleIns)
		var steps []string
		for _, e := range a.Events {
			steps = append(steps, fmt.Sprintf("%s %d->%d", span(e.At), e.From, e.To))
		}
		const show = 12
		if len(steps) > show {
			steps = append(steps[:show], fmt.Sprintf("... %d more", len(steps)-show))
		}
		if len(steps) > 0 {
			fmt.Fprintf(w, "  capacity (ready + provisioning): %s\n", strings.Join(steps, ", "))
		}
	}
	if !first {
		fmt.Fprintln(w, "util of an autoscaled service is of the workers of its ready instances (parked ones excluded)")
	}
}

package report

import (
	"bytes"
	"strings"
	"testing"

	"cascade/models"
	"cascade/models/slo"
	"cascade/sim"
)

// TestSLOHistoryReported: the summary's SLO line and the review's note say
// which history the run assumed.
func TestSLOHistoryReported(t *testing.T) {
	for _, c := range []struct {
		h          slo.History
		line, note string
	}{
		{slo.History{}, "objective 99.900%, history elapsed", "history elapsed: windows longer"},
		{slo.History{Virtual: true}, "objective 99.900%, history clean", "history clean: the time before"},
		{slo.History{Virtual: true, Burned: 0.4}, "objective 99.900%, history burned 40%", "had spent 40% of the budget"},
	} {
		s := models.SLOResult{Name: "avail", Workload: "w", Status: slo.Status{Objective: 0.999, SLI: 1, History: c.h, TimeToExhaustion: sim.Forever}}
		var b bytes.Buffer
		slos(&b, []models.SLOResult{s})
		if first := strings.SplitN(strings.TrimSpace(b.String()), "\n", 2)[0]; !strings.HasSuffix(first, c.line) {
			t.Errorf("%v: summary line %q, want it to end %q", c.h, first, c.line)
		}
		if n := historyNote(c.h); !strings.Contains(n, c.note) {
			t.Errorf("%v: note %q lacks %q", c.h, n, c.note)
		}
	}
}

package scenarios

import (
	"testing"

	"cascade/models/slo"
)

// TestSLOHistory: history: on an SLO, on slos: for every SLO that gives
// none, and the default.
func TestSLOHistory(t *testing.T) {
	base := "duration: 1m\nworkloads:\n  w: {to: api, rate: 10/s}\nservices:\n  api: {service_time: 1ms}\n"
	clean, burned := slo.History{Virtual: true}, slo.History{Virtual: true, Burned: 0.4}
	for _, c := range []struct {
		name, slos string
		want       map[string]slo.History
	}{
		{"default", "slos:\n  a: {workload: w, objective: 99.9%}\n", map[string]slo.History{"a": {}}},
		{"per SLO", "slos:\n  a: {workload: w, objective: 99.9%, history: clean}\n  b: {workload: w, objective: 99%, history: {burned: 40%}}\n  c: {workload: w, objective: 99%, history: elapsed}\n",
			map[string]slo.History{"a": clean, "b": burned, "c": {}}},
		{"for all, after the SLOs", "slos:\n  a: {workload: w, objective: 99.9%}\n  b: {workload: w, objective: 99%, history: elapsed}\n  history: {burned: 0.4}\n",
			map[string]slo.History{"a": burned, "b": {}}},
		{"for all, first", "slos:\n  history: clean\n  a: {workload: w, objective: 99.9%}\n", map[string]slo.History{"a": clean}},
	} {
		s, err := Parse("x.yaml", []byte(base+c.slos))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := s.Topology().SLOs
		if len(got) != len(c.want) {
			t.Errorf("%s: %d SLOs, want %d (history: is not an SLO)", c.name, len(got), len(c.want))
		}
		for _, o := range got {
			if w, ok := c.want[o.Name]; !ok || o.History != w {
				t.Errorf("%s: SLO %s history %v, want %v", c.name, o.Name, o.History, w)
			}
		}
	}
}

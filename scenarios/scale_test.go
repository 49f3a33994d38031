package scenarios

import (
	"strings"
	"testing"

	"cascade/models"
)

// Scaled multiplies every workload's traffic and every service's capacity
// by k, leaves the original alone, and refuses what it cannot scale.
func TestScaled(t *testing.T) {
	shop, err := Load("shop")
	if err != nil {
		t.Fatal(err)
	}
	s, err := shop.Scaled(3)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := specs(shop)
	ws, svcs := specs(s)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"browse rate (900/s in the file)", ws["browse"].Rate, 2700},
		{"checkout users (100)", float64(ws["checkout"].Users), 300},
		{"gateway instances (2)", float64(svcs["gateway"].Instances), 6},
		{"db instances (1)", float64(svcs["db"].Instances), 3},
		{"gateway workers per instance (12), unchanged", float64(svcs["gateway"].Workers), 12},
		{"the original's browse rate, unchanged", orig["browse"].Rate, 900},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if one, _ := shop.Scaled(1); one != shop {
		t.Error("Scaled(1) is not the scenario itself")
	}
	auto, err := Load("autoscaling")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auto.Scaled(2); err == nil || !strings.Contains(err.Error(), "rate expression") {
		t.Errorf("a rate expression scaled: err %v", err)
	}
}

// specs indexes a scenario's workloads and services by name; a name that
// is not there reads as a zero spec, which no assertion here wants.
func specs(s *Scenario) (map[string]models.WorkloadSpec, map[string]models.ServiceSpec) {
	ws := map[string]models.WorkloadSpec{}
	for _, w := range s.Topology().Workloads {
		ws[w.Name] = w
	}
	svcs := map[string]models.ServiceSpec{}
	for _, sv := range s.Topology().Services {
		svcs[sv.Name] = sv
	}
	return ws, svcs
}

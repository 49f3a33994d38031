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
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"browse rate (900/s in the file)", workload(t, s, "browse").Rate, 2700},
		{"checkout users (100)", float64(workload(t, s, "checkout").Users), 300},
		{"gateway instances (2)", float64(service(t, s, "gateway").Instances), 6},
		{"db instances (1)", float64(service(t, s, "db").Instances), 3},
		{"gateway workers per instance, unchanged", float64(service(t, s, "gateway").Workers), 12},
		{"the original's browse rate, unchanged", workload(t, shop, "browse").Rate, 900},
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

func workload(t *testing.T, s *Scenario, name string) models.WorkloadSpec {
	t.Helper()
	for _, w := range s.Topology().Workloads {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no workload %s", name)
	return models.WorkloadSpec{}
}

func service(t *testing.T, s *Scenario, name string) models.ServiceSpec {
	t.Helper()
	for _, sv := range s.Topology().Services {
		if sv.Name == name {
			return sv
		}
	}
	t.Fatalf("no service %s", name)
	return models.ServiceSpec{}
}

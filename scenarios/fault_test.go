package scenarios

import (
	"testing"

	"cascade/models"
	"cascade/sim"
)

func TestFaultsAndSLOsLoad(t *testing.T) {
	src := `
duration: 10m
workloads:
  browse: { to: api, rate: 10/s }
services:
  api: { instances: 4, service_time: 1ms }
  db: { service_time: 1ms }
faults:
  - { name: slow-db, at: 3m, for: 2m, latency: 200ms, on: api->db }
  - { partition: [[api], [db]], direction: one_way }
  - { crash: api, instances: 50%, restart: 30s }
  - { pause: api, instance: 3, for: 800ms }
  - { errors: 20%, on: db, keys: 10% }
  - { ramp: 2x, on: browse, over: 1m, for: 2m }
  - { blackhole: db, after: 10s }
slos:
  fast:
    workload: browse
    objective: 99.9%
    latency: 300ms
    scale: 1m = 1d
    alerts: pyrra
`
	sc, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	top := sc.Topology()
	f := top.Faults
	if len(f) != 7 {
		t.Fatalf("%d faults", len(f))
	}
	if f[0].Name != "slow-db" || f[0].Verb != models.FaultLatency || f[0].Start != 3*sim.Minute || f[0].Duration != 2*sim.Minute ||
		f[0].Target.From != "api" || f[0].Target.To != "db" || f[0].Latency.Mean() != 0.2 {
		t.Errorf("latency fault %+v", f[0])
	}
	if f[1].Verb != models.FaultPartition || !f[1].OneWay || f[1].Target.Groups[0][0] != "api" || f[1].Target.Groups[1][0] != "db" {
		t.Errorf("partition %+v", f[1])
	}
	if f[2].Target.Instances != (models.Instances{Mode: models.SelectPercent, N: 50}) || f[2].Restart != 30*sim.Second {
		t.Errorf("crash %+v", f[2])
	}
	if f[3].Target.Instances != (models.Instances{Mode: models.SelectOne, N: 3}) || f[3].Duration != 800*sim.Millisecond {
		t.Errorf("pause %+v", f[3])
	}
	if f[4].P != 0.2 || f[4].Keys != 0.1 || f[4].Target.Component != "db" {
		t.Errorf("errors %+v", f[4])
	}
	if f[5].Factor != 2 || f[5].Over != sim.Minute || f[5].Target.Component != "browse" {
		t.Errorf("ramp %+v", f[5])
	}
	if f[6].Target.To != "db" || f[6].Target.From != "" || f[6].After != 10*sim.Second {
		t.Errorf("blackhole %+v", f[6])
	}
	s := top.SLOs[0]
	if s.Name != "fast" || s.Workload != "browse" || s.Objective != 0.999 || s.Threshold != 300*sim.Millisecond ||
		s.Scale != 1440 || s.Period != 30*sim.Day || len(s.Rules) != 4 || s.Rules[0].Burn != 14 {
		t.Errorf("slo %+v", s)
	}
	// Topology copies do not share group slices.
	top.Faults[1].Target.Groups[0][0] = "changed"
	if sc.Topology().Faults[1].Target.Groups[0][0] != "api" {
		t.Error("Topology shares fault groups between copies")
	}
}

package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
	"cascade/sim/dist"
)

// d parses a distribution for expected values; it fails the test on error.
func d(t *testing.T, s string) dist.Dist {
	t.Helper()
	v, err := units.ParseDist(s)
	if err != nil {
		t.Fatalf("ParseDist(%q): %v", s, err)
	}
	return v
}

func work(t *testing.T, s string) models.Step {
	return models.Step{Kind: models.Work, Work: d(t, s)}
}

func call(target, op string) models.Step {
	return models.Step{Kind: models.Call, Target: target, Op: op}
}

// TestParseValid loads valid files and compares every field of the result
// with the topology written out by hand.
func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		file string
		yaml string
		want func(t *testing.T) (Scenario, models.Topology)
	}{{
		name: "defaults",
		file: "dir/min.yaml",
		yaml: `
workloads:
  w: {to: s, rate: 5/s, requests: 10}
  u: {to: s, users: 3, requests: 5}
services:
  s: {service_time: 2ms}
`,
		want: func(t *testing.T) (Scenario, models.Topology) {
			return Scenario{Name: "min", Source: "dir/min.yaml", Seed: 1},
				models.Topology{
					Workloads: []models.WorkloadSpec{
						{Name: "w", Target: "s", Rate: 5, Limit: 10},
						{Name: "u", Target: "s", Users: 3, Think: d(t, "0s"), Limit: 5},
					},
					Services: []models.ServiceSpec{{
						Name: "s", Instances: 1, Workers: 1, Queue: models.Unbounded,
						Ops: []models.OpSpec{{Name: "default", Steps: []models.Step{work(t, "2ms")}}},
					}},
				}
		},
	}, {
		name: "every feature",
		file: "full.yaml",
		yaml: `
name: everything
description: " every feature "
seed: 7
duration: 1h30m
warmup: 30s
workloads:
  web:
    to: front.home
    rate: 800/s
    arrivals: constant
    requests: 1_000
    timeout: 2s
  people:
    to: back
    users: 50
    think: {dist: exp, mean: 2s}
    timeout: 5s
  batch:
    to: back.write
    rate: 50/m
services:
  front:
    instances: 4
    workers: unlimited
    queue: 0
    discipline: lifo
    balancer: p2c
    ops:
      home:
        - work: lognormal(p50=2ms, p99=20ms)
        - call: back.read
          timeout: 500ms
          repeat: 3
        - parallel:
            - call: back
            - work: 1ms
          wait: first
        - branch:
            - p: 90%
              steps: [ {call: back.write} ]
            - p: 0.05
              steps: []
        - fail: 1%
  back:
    instances: 2
    workers: 16
    queue: unbounded
    balancer: least_request
    ops:
      read: [ work: exp(1ms) ]
      write: [ work: "uniform(1ms, 3ms)" ]
links:
  web->front: 10ms
  front->back: { latency: "lognormal(p50=1ms, p99=5ms)" }
  people -> back: {dist: exp, mean: 3ms}
`,
		want: func(t *testing.T) (Scenario, models.Topology) {
			return Scenario{Name: "everything", Description: "every feature", Source: "full.yaml", Seed: 7,
					Duration: 90 * sim.Minute, Warmup: 30 * sim.Second},
				models.Topology{
					Workloads: []models.WorkloadSpec{
						{Name: "web", Target: "front", Op: "home", Arrivals: models.Constant, Rate: 800, Limit: 1000, Timeout: 2 * sim.Second},
						{Name: "people", Target: "back", Users: 50, Think: d(t, "exp(2s)"), Timeout: 5 * sim.Second},
						{Name: "batch", Target: "back", Op: "write", Rate: 50.0 / 60},
					},
					Services: []models.ServiceSpec{{
						Name: "front", Instances: 4, Workers: 0, Queue: 0, Discipline: models.LIFO, Balancer: models.P2C,
						Ops: []models.OpSpec{{Name: "home", Steps: []models.Step{
							work(t, "lognormal(p50=2ms, p99=20ms)"),
							{Kind: models.Call, Target: "back", Op: "read", Timeout: 500 * sim.Millisecond, Repeat: 3},
							{Kind: models.Parallel, WaitFirst: true, Children: []models.Step{call("back", ""), work(t, "1ms")}},
							{Kind: models.Branch, Branches: []models.BranchSpec{
								{P: 0.9, Steps: []models.Step{call("back", "write")}},
								{P: 0.05, Steps: []models.Step{}},
							}},
							{Kind: models.Fail, FailP: 0.01},
						}}},
					}, {
						Name: "back", Instances: 2, Workers: 16, Queue: models.Unbounded, Balancer: models.LeastRequest,
						Ops: []models.OpSpec{
							{Name: "read", Steps: []models.Step{work(t, "exp(1ms)")}},
							{Name: "write", Steps: []models.Step{work(t, "uniform(1ms, 3ms)")}},
						},
					}},
					Links: []models.LinkSpec{
						{From: "web", To: "front", Latency: d(t, "10ms")},
						{From: "front", To: "back", Latency: d(t, "lognormal(p50=1ms, p99=5ms)")},
						{From: "people", To: "back", Latency: d(t, "exp(3ms)")},
					},
				}
		},
	}, {
		name: "document order, forward references and aliases",
		file: "order.yaml",
		yaml: `
duration: 1m
workloads:
  zeta: {to: mid, rate: 1/s}
  alpha: {to: mid.b, rate: 2/s}
services:
  mid:
    ops:
      b: &steps
        - call: low.x
      a: *steps
  low:
    ops:
      x: [ work: 1ms ]
`,
		want: func(t *testing.T) (Scenario, models.Topology) {
			return Scenario{Name: "order", Source: "order.yaml", Seed: 1, Duration: sim.Minute},
				models.Topology{
					Workloads: []models.WorkloadSpec{
						{Name: "zeta", Target: "mid", Rate: 1},
						{Name: "alpha", Target: "mid", Op: "b", Rate: 2},
					},
					Services: []models.ServiceSpec{{
						Name: "mid", Instances: 1, Workers: 1, Queue: models.Unbounded,
						Ops: []models.OpSpec{
							{Name: "b", Steps: []models.Step{call("low", "x")}},
							{Name: "a", Steps: []models.Step{call("low", "x")}},
						},
					}, {
						Name: "low", Instances: 1, Workers: 1, Queue: models.Unbounded,
						Ops: []models.OpSpec{{Name: "x", Steps: []models.Step{work(t, "1ms")}}},
					}},
				}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Parse(tt.file, []byte(tt.yaml))
			if err != nil {
				t.Fatalf("unexpected problems:\n%v", err)
			}
			wantSc, wantTopo := tt.want(t)
			got := *sc
			got.topo, got.rates, got.conds, got.at = models.Topology{}, nil, nil, positions{}
			if string(got.Data) != tt.yaml {
				t.Errorf("Data is not the file as read")
			}
			got.Data = nil
			if !reflect.DeepEqual(got, wantSc) {
				t.Errorf("scenario:\n got %+v\nwant %+v", got, wantSc)
			}
			topo := sc.Topology()
			for i := range topo.Workloads {
				if topo.Workloads[i].RateFunc != nil {
					t.Errorf("workload %s: unexpected RateFunc", topo.Workloads[i].Name)
				}
			}
			if !reflect.DeepEqual(topo, wantTopo) {
				t.Errorf("topology differs:\n got %s\nwant %s", dump(topo), dump(wantTopo))
			}
		})
	}
}

// dump prints a topology with distributions by their String, for diffs.
func dump(t models.Topology) string {
	var b strings.Builder
	for _, w := range t.Workloads {
		fmt.Fprintf(&b, "\n  workload %+v", w)
	}
	for _, s := range t.Services {
		fmt.Fprintf(&b, "\n  service %+v", s)
	}
	for _, l := range t.Links {
		fmt.Fprintf(&b, "\n  link %+v", l)
	}
	return b.String()
}

// TestRateExpression checks that an expression becomes a RateFunc in
// requests per second of simulated seconds, and a plain rate does not.
func TestRateExpression(t *testing.T) {
	sc, err := Parse("wave.yaml", []byte(`
duration: 10m
workloads:
  wave: {to: s, rate: "100 + 50*sin(2*pi*t/5m)"}
  flat: {to: s, rate: 800/s}
  div:  {to: s, rate: "1000/(1 + t/1m)"}
services:
  s: {service_time: 1ms}
`))
	if err != nil {
		t.Fatal(err)
	}
	topo := sc.Topology()
	wave, flat, div := topo.Workloads[0], topo.Workloads[1], topo.Workloads[2]
	if wave.RateFunc == nil || wave.Rate != 0 {
		t.Fatalf("wave: %+v", wave)
	}
	if flat.RateFunc != nil || flat.Rate != 800 {
		t.Fatalf("flat: %+v", flat)
	}
	for _, c := range []struct{ t, want float64 }{{0, 100}, {75, 150}, {150, 100}, {225, 50}} {
		if got := wave.RateFunc(c.t); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("wave(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	if got := div.RateFunc(60); got != 500 {
		t.Errorf("div(60) = %v, want 500", got)
	}
	// Each Topology call builds its own functions.
	if reflect.ValueOf(sc.Topology().Workloads[0].RateFunc).Pointer() == 0 {
		t.Error("no RateFunc in a second topology")
	}
}

// TestTopologyFresh checks that a caller modifying one topology does not
// change the next one.
func TestTopologyFresh(t *testing.T) {
	sc, err := Load(Default)
	if err != nil {
		t.Fatal(err)
	}
	a := sc.Topology()
	a.Workloads[0].Rate = -1
	a.Services[0].Ops[0].Steps[0].Kind = models.Fail
	a.Services[1].Ops[0].Steps[1].Children[0].Target = "x"
	a.Links[0].From = "x"
	b := sc.Topology()
	if b.Workloads[0].Rate == -1 || b.Services[0].Ops[0].Steps[0].Kind == models.Fail ||
		b.Services[1].Ops[0].Steps[1].Children[0].Target == "x" || b.Links[0].From == "x" {
		t.Error("topologies share memory")
	}
}

// TestUnitsColumns checks that a units error inside a value points at the
// exact character, for plain, quoted and non-ASCII values.
func TestUnitsColumns(t *testing.T) {
	tests := []struct {
		line     string
		col      int
		fragment string
	}{
		{`    timeout: 5`, 14, "missing unit"},
		{`    timeout: "5"`, 15, "missing unit"},
		{`    timeout: '5'`, 15, "missing unit"},
		{`    timeout: 1h30x`, 18, `unknown unit "x"`},
		{`    timeout: "1h 30x"`, 20, `unknown unit "x"`},
		{`    timeout: 5µs5x`, 18, `unknown unit "x"`},
		{`    rate: 800/sek`, 15, `unknown time unit "sek"`},
	}
	for _, tt := range tests {
		src := "duration: 1m\nworkloads:\n  w:\n    to: s\n" + tt.line + "\n"
		if !strings.Contains(tt.line, "rate:") {
			src += "    rate: 1/s\n"
		}
		src += "services:\n  s: {service_time: 1ms}\n"
		_, err := Parse("f.yaml", []byte(src))
		var ps Problems
		if !errors.As(err, &ps) || len(ps) != 1 {
			t.Errorf("%s: got %v", tt.line, err)
			continue
		}
		if p := ps[0]; p.Line != 5 || p.Col != tt.col || !strings.Contains(p.Msg, tt.fragment) {
			t.Errorf("%s: got %d:%d %q, want 5:%d %q", tt.line, p.Line, p.Col, p.Msg, tt.col, tt.fragment)
		}
	}
}

func TestProblemsFormat(t *testing.T) {
	ps := Problems{
		{File: "f.yaml", Line: 9, Col: 1, Path: "b", Msg: "second"},
		{File: "f.yaml", Line: 2, Col: 7, Path: "a.b", Msg: "bad", Hint: "try this"},
		{File: "f.yaml", Line: 2, Col: 3, Msg: "syntax"},
	}
	want := "f.yaml:2:3: syntax\nf.yaml:2:7: a.b: bad (try this)\nf.yaml:9:1: b: second"
	if got := ps.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if ps[0].Msg != "second" {
		t.Error("Error() reordered the receiver")
	}
}

// TestAliasBomb checks that aliases cannot make a small file expand into an
// enormous walk: ten steps that each run ten copies of the previous one.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("duration: 1m\nworkloads: {w: {to: s, rate: 1/s}}\nservices:\n  s:\n    ops:\n      a0: [ &a0 {work: 1ms} ]\n")
	for i := 1; i < 12; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "      a%d: [ &a%d {parallel: [ %s ]} ]\n", i, i, strings.Repeat(p+", ", 9)+p)
	}
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too many steps") {
		t.Errorf("got %v", err)
	}
}

// TestSelfReferentialAlias checks that an alias to an enclosing node, which
// makes the node graph cyclic, ends in a problem, not a stack overflow.
func TestSelfReferentialAlias(t *testing.T) {
	src := "duration: 1m\nworkloads: {w: {to: s, rate: 1/s}}\nservices:\n  s:\n    ops:\n      a: &x [ {parallel: *x} ]\n"
	_, err := Parse("self.yaml", []byte(src))
	if err == nil {
		t.Fatal("no problems")
	}
}

package scenarios

import (
	"math"
	"strings"
	"testing"

	"cascade/models"
	"cascade/models/slo"
	"cascade/sim"
)

func TestRewriteNamedAndPercent(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`p99("api", from: 8m)`, `p99("api", "from", 8m)`},
		{`p99("api", from=8m, to = 9m)`, `p99("api", "from",8m, "to", 9m)`},
		{`p99("api",from:"8m")`, `p99("api","from","8m")`},
		{`sli >= 99.9%`, `sli >= (0.999)`},
		{`x > 5% && y`, `x > (0.05) && y`},
		{`f(a, tolerance: 10%)`, `f(a, "tolerance", (0.1))`},
		{`a % b`, `a % b`},         // modulo stays
		{`a % 3`, `a % 3`},         // modulo stays
		{`7 % (2)`, `7 % (2)`},     // modulo stays
		{`c ? a : b`, `c ? a : b`}, // a ternary is not a named argument
		{`f(c ? a : b)`, `f(c ? a : b)`},
		{`{a: 1}`, `{a: 1}`}, // a map literal is not either
		{`f({a: 1, b: 2})`, `f({a: 1, b: 2})`},
		{`f("x: 5%")`, `f("x: 5%")`}, // strings are left alone
		{`a == b`, `a == b`},
		{`f(a == b)`, `f(a == b)`},
	} {
		got, pos := rewriteNamedAndPercent(c.in)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.in, got, c.want)
		}
		if len(pos) != len(got)+1 {
			t.Errorf("%s: %d positions for %d bytes", c.in, len(pos), len(got))
		}
	}
	// Durations inside strings are not rewritten: "8m" must stay a string.
	if got, _ := rewriteCheck(`p99("api", from: "8m") < 250ms`); got != `p99("api", "from", "8m") < (0.25)` {
		t.Errorf("rewriteCheck: %s", got)
	}
}

// checkScenario is a small scenario whose names expectations can use.
const checkScenario = `
duration: 10m
workloads:
  browse: { to: api, rate: 10/s, retry: 3 }
services:
  api: { workers: 2, service_time: exp(10ms) }
slos:
  avail: { workload: browse, objective: 99.9% }
`

func parseWithExpect(t *testing.T, expect ...string) *Scenario {
	t.Helper()
	src := checkScenario + "expect:\n"
	for _, e := range expect {
		src += "  - '" + strings.ReplaceAll(e, "'", "''") + "'\n"
	}
	sc, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatalf("%v", err)
	}
	return sc
}

// fakeResult is a run with known numbers: 1000 requests to browse, 990 OK,
// p99 of 120 ms, a window from 5m with p99 80 ms, one SLO that paged
// twice and ticketed once.
func fakeResult() models.Result {
	lat := models.Latency{Count: 990, Mean: 0.05, P50: 0.04, P90: 0.09, P99: 0.12, P999: 0.3, Max: 0.5}
	return models.Result{
		Now: 10 * sim.Minute, Measured: 10 * sim.Minute,
		Workloads: []models.WorkloadResult{{Name: "browse",
			Counts:  models.Counts{Arrivals: 1000, OK: 990, Error: 4, Timeout: 6},
			Goodput: 1.65, Latency: lat}},
		Services: []models.ServiceResult{{Name: "api", Counts: models.Counts{Arrivals: 1000, OK: 994, Error: 6},
			Utilization: 0.42, MeanQueue: 0.3, PeakQueue: 7, Latency: lat}},
		Windows: []models.WindowResult{{WindowSpec: models.WindowSpec{Component: "browse", From: 5 * sim.Minute},
			Counts: models.Counts{OK: 500}, Goodput: 500.0 / 300, Latency: models.Latency{P99: 0.08}}},
		Edges: []models.EdgeResult{{Name: "browse -> api.default", Caller: "browse", Target: "api", Requests: 1000, Attempts: 1500,
			Retries: 500, Suppressed: 7, Breakers: []models.BreakerResult{{State: "closed", Transitions: []models.BreakerTransition{
				{From: "closed", To: "open"}, {From: "open", To: "half-open"}, {From: "half-open", To: "closed"}}}}}},
		SLOs: []models.SLOResult{{Name: "avail",
			Status: slo.Status{Remaining: 0.25, Consumed: 0.75, SLI: 0.99, Total: 1000, Bad: 10, TimeToExhaustion: sim.Forever},
			Alerts: []slo.Event{{Severity: "page", Firing: true}, {Severity: "page", Firing: false},
				{Severity: "page", Firing: true}, {Severity: "ticket", Firing: true}}}},
	}
}

func TestEvaluate(t *testing.T) {
	for _, c := range []struct {
		expr     string
		pass     bool
		measured string // the first measured value, printed
	}{
		{`p99("browse") < 250ms`, true, "120.0ms"},
		{`p99("browse") < 100ms`, false, "120.0ms"},
		{`p99("browse", from: 5m) < 100ms`, true, "80.0ms"},
		{`p50("api") == 40ms`, true, "40.0ms"},
		{`availability("browse") >= 99%`, true, "0.9900"},
		{`availability("browse") > 99%`, false, "0.9900"},
		{`error_rate("browse") < 2%`, true, "0.0100"},
		{`timeouts("browse") == 6 && errors("browse") == 4`, true, "6"},
		{`requests("browse") == 1000 && ok("browse") == 990`, true, "1000"},
		{`goodput("browse", from=5m) > 1.6`, true, "1.7/s"},
		{`utilization("api") < 50%`, true, "0.4200"},
		{`peak_queue("api") <= 7 && mean_queue("api") < 1`, true, "7"},
		{`slo("avail").budget_remaining > 0.2`, true, "0.2500"},
		{`slo("avail").budget_remaining > 0.5`, false, "0.2500"},
		{`slo("avail").pages == 2 && slo("avail").tickets == 1`, true, "2"},
		{`slo("avail").time_to_exhaustion > 1h`, true, "never"},
		{`slo("avail").sli >= 99%`, true, "0.9900"},
		{`calls("browse", "api").amplification == 1.5`, true, "1.5"},
		{`calls("browse", "api").opens == 1 && calls("browse", "api").closes == 1`, true, "1"},
		{`calls("browse", "api").suppressed == 7 && calls("browse", "api").open_at_end == 0`, true, "7"},
	} {
		sc := parseWithExpect(t, c.expr)
		v := sc.Evaluate([]models.Result{fakeResult()})
		if len(v) != 1 {
			t.Fatalf("%s: %d verdicts", c.expr, len(v))
		}
		if v[0].Pass != c.pass || v[0].Err != "" {
			t.Errorf("%s: pass %v (err %q), want %v", c.expr, v[0].Pass, v[0].Err, c.pass)
		}
		if len(v[0].Measured) == 0 || v[0].Measured[0].Text != c.measured {
			t.Errorf("%s: measured %+v, want first %q", c.expr, v[0].Measured, c.measured)
		}
		if c.pass && v[0].Passed != 1 || !c.pass && v[0].Passed != 0 {
			t.Errorf("%s: Passed = %d", c.expr, v[0].Passed)
		}
	}
}

func TestWindowsDeclared(t *testing.T) {
	sc := parseWithExpect(t, `p99("browse", from: 5m) < 1s`, `goodput("browse", from=5m) > 0`, `p99("api", from: 1m, to: 2m) < 1s`, `p99("api") < 1s`)
	got := sc.Windows()
	want := []models.WindowSpec{{Component: "browse", From: 5 * sim.Minute}, {Component: "api", From: sim.Minute, To: 2 * sim.Minute}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("windows %+v, want %+v", got, want)
	}
	if sc.NeedsSeries() {
		t.Error("no recovered(), no series needed")
	}
	if !parseWithExpect(t, `recovered("browse", within: 1m)`).NeedsSeries() {
		t.Error("recovered() needs series")
	}
}

// seriesResult is a run of 600 one-second intervals with ok OK replies in
// each, then the faults given.
func seriesResult(ok func(sec int) int64, faults ...models.FaultRecord) models.Result {
	r := models.Result{Now: 600 * sim.Second, Measured: 570 * sim.Second, Faults: faults}
	var pts []models.Point
	for i := 1; i <= 600; i++ {
		var p models.Point
		p.T = sim.Time(i) * sim.Second
		p.Outcomes[models.OK] = ok(i)
		pts = append(pts, p)
	}
	r.Workloads = []models.WorkloadResult{{Name: "browse", Series: pts}}
	return r
}

func TestRecovered(t *testing.T) {
	fault := models.FaultRecord{Name: "cut", State: models.FaultEnded, Start: 240 * sim.Second, End: 270 * sim.Second}
	during := func(level, after int64) func(int) int64 {
		return func(s int) int64 {
			switch {
			case s <= 240:
				return 100
			case s <= 270:
				return 0
			}
			return after
		}
	}
	for _, c := range []struct {
		name   string
		r      models.Result
		expr   string
		pass   bool
		detail string
	}{
		{"back to level", seriesResult(during(100, 100), fault), `recovered("browse", within: 1m)`, true, "goodput 100.0/s"},
		{"within tolerance", seriesResult(during(100, 91), fault), `recovered("browse", within: 1m)`, true, "≥ 90%"},
		{"collapsed", seriesResult(during(100, 20), fault), `recovered("browse", within: 1m)`, false, "goodput 20.0/s from 1m after the last fault < 90% of the 100.0/s"},
		{"tight tolerance", seriesResult(during(100, 91), fault), `recovered("browse", within: 1m, tolerance: 5%)`, false, "< 95%"},
		{"negated", seriesResult(during(100, 20), fault), `!recovered("browse", within: 1m)`, true, ""},
		{"no fault", seriesResult(during(100, 100)), `recovered("browse", within: 1m)`, false, "nothing to recover from"},
		{"still active", seriesResult(during(100, 100), models.FaultRecord{Name: "cut", State: models.FaultActive, Start: 240 * sim.Second}),
			`recovered("browse", within: 1m)`, false, "still active"},
		{"too short", seriesResult(during(100, 100), fault), `recovered("browse", within: 6m)`, false, "the run ends"},
		// Nothing got through before the fault either: not a recovery
		// (0 >= 90% of 0 used to pass, and --find then found no boundary).
		{"no goodput before", seriesResult(func(int) int64 { return 0 }, fault), `recovered("browse", within: 1m)`, false, "no goodput before the fault"},
	} {
		sc := parseWithExpect(t, c.expr)
		v := sc.Evaluate([]models.Result{c.r})[0]
		if v.Pass != c.pass {
			t.Errorf("%s: pass %v, want %v (%+v)", c.name, v.Pass, c.pass, v.Measured)
		}
		if !strings.Contains(v.Measured[0].Detail, c.detail) {
			t.Errorf("%s: detail %q, want it to contain %q", c.name, v.Measured[0].Detail, c.detail)
		}
	}
}

func TestMeanCI(t *testing.T) {
	// 1..5: mean 3, s² = 2.5; t(0.975, 4) = 2.776445 (tables), so the
	// half-width is 2.776445 × √(2.5/5) = 1.963243.
	mean, half := MeanCI([]float64{1, 2, 3, 4, 5})
	if mean != 3 || math.Abs(half-1.963243) > 1e-5 {
		t.Errorf("MeanCI(1..5) = %v ± %v, want 3 ± 1.963243", mean, half)
	}
	if m, h := MeanCI([]float64{7}); m != 7 || h != 0 {
		t.Errorf("one value: %v ± %v", m, h)
	}
	if m, _ := MeanCI([]float64{math.NaN(), 4, math.NaN(), 6}); m != 5 {
		t.Errorf("NaN left out: mean %v", m)
	}
	if m, _ := MeanCI([]float64{math.NaN()}); !math.IsNaN(m) {
		t.Errorf("no values: mean %v", m)
	}
}

func TestEvaluateReplications(t *testing.T) {
	// Three runs with p99 of 100, 200 and 300 ms: the mean, 200 ms, is under
	// 250 ms, though one run of the three is not.
	var runs []models.Result
	for _, p99 := range []float64{0.1, 0.2, 0.3} {
		r := fakeResult()
		r.Workloads[0].Latency.P99 = p99
		runs = append(runs, r)
	}
	sc := parseWithExpect(t, `p99("browse") < 250ms`)
	v := sc.Evaluate(runs)[0]
	if !v.Pass || v.Passed != 2 || v.Runs != 3 {
		t.Errorf("pass %v, %d/%d runs passed; want pass on the mean, 2/3", v.Pass, v.Passed, v.Runs)
	}
	// t(0.975, 2) = 4.302653; s = 0.1; half = 4.302653 × 0.1/√3 = 0.248414.
	if m := v.Measured[0]; math.Abs(m.Value-0.2) > 1e-12 || math.Abs(m.HalfCI-0.248414) > 1e-5 || m.Text != "200.0ms ± 248.4ms" {
		t.Errorf("measured %+v", m)
	}
}

func TestWhenCondition(t *testing.T) {
	src := checkScenario + `faults:
  - name: late-crash
    when: t >= 30 && goodput("browse") > 5 && queue("api") < 1000
    for: 10s
    crash: api
`
	sc, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// Two copies of the topology run side by side: each condition has its
	// own VM, so they must agree exactly.
	var starts []sim.Time
	for range 2 {
		eng := sim.NewEngine(1)
		m, err := models.New(eng, sc.Topology(), models.Options{Until: sim.Minute})
		if err != nil {
			t.Fatal(err)
		}
		m.Start()
		m.Advance(sim.Minute)
		f := m.Result(false).Faults[0]
		if f.State != models.FaultEnded {
			t.Fatalf("fault %+v never ran", f)
		}
		starts = append(starts, f.Start)
	}
	// Checked every 100ms from the start: the first check at or after 30s.
	if starts[0] != 30*sim.Second || starts[1] != starts[0] {
		t.Errorf("started at %v and %v, want 30s", starts[0], starts[1])
	}
}

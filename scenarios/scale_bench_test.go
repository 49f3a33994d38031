package scenarios

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"cascade/models"
	"cascade/sim"
)

// BenchmarkScale is the simulator's cost per simulated request as the
// system grows, the numbers of issue #17's scale table (recorded in the
// notes, never asserted):
//
//   - shop-Nx: the default scenario with N times the traffic on N times the
//     capacity (Scaled), so each instance sees the load it saw before.
//
//   - wide-N: a generated topology of about N services in groups of three
//     (a front calling two backends, each group with its own workload
//     sharing 2,000 requests/s), so a request touches three services
//     whatever N is.
//
//     go test ./scenarios -run '^$' -bench Scale -benchtime 1x
func BenchmarkScale(b *testing.B) {
	shop, err := Load("shop")
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []int{1, 2, 4, 8} {
		s, err := shop.Scaled(k)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("shop-%dx", k), func(b *testing.B) { scaleRun(b, s, 2*sim.Minute) })
	}
	for _, n := range []int{6, 50, 200, 1000} {
		s, err := Parse(fmt.Sprintf("wide-%d.yaml", n), []byte(wideTopology(n)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("wide-%d", n), func(b *testing.B) { scaleRun(b, s, 2*sim.Minute) })
	}
}

// scaleRun simulates s for d (after its warm-up) per iteration and reports
// wall nanoseconds and events per simulated request, with the error rate
// and mean utilization to show the scaled system is as healthy as the
// original.
func scaleRun(b *testing.B, s *Scenario, d sim.Time) {
	var events uint64
	var requests, errors int64
	var util float64
	b.ReportAllocs()
	for b.Loop() {
		eng := sim.NewEngine(s.Seed)
		m, err := models.New(eng, s.Topology(), models.Options{Until: s.Warmup + d, Warmup: s.Warmup, NoSeries: true, Headless: true}) // as cascade run
		if err != nil {
			b.Fatal(err)
		}
		m.Start()
		for !m.Advance(sim.Hour) {
		}
		r := m.Result(false)
		events += eng.Fired()
		util = 0
		for _, w := range r.Workloads {
			requests += w.Arrivals
			errors += w.Completed() - w.OK
		}
		n := 0
		for _, sv := range r.Services {
			if !math.IsNaN(sv.Utilization) { // NaN: unlimited workers
				util += sv.Utilization
				n++
			}
		}
		util /= float64(max(n, 1))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(requests), "ns/req")
	b.ReportMetric(float64(events)/float64(requests), "events/req")
	b.ReportMetric(float64(errors)/float64(requests), "err-ratio")
	b.ReportMetric(util, "mean-util")
}

// wideTopology is about n services in groups of three: a front with two
// backends, and one workload per group, all together 2,000 requests/s.
func wideTopology(n int) string {
	groups := max(1, n/3)
	var y strings.Builder
	fmt.Fprintf(&y, "name: wide-%d\nseed: 1\nduration: 2m\nwarmup: 10s\nworkloads:\n", n)
	for g := range groups {
		fmt.Fprintf(&y, "  w%d: { to: front%d, rate: %g/s, timeout: 1s }\n", g, g, 2000/float64(groups))
	}
	y.WriteString("services:\n")
	for g := range groups {
		fmt.Fprintf(&y, "  front%d:\n    workers: 64\n    ops:\n      run:\n        - work: exp(1ms)\n"+
			"        - call: back%da\n          timeout: 500ms\n        - call: back%db\n          timeout: 500ms\n", g, g, g)
		for _, x := range []string{"a", "b"} {
			fmt.Fprintf(&y, "  back%d%s:\n    workers: 8\n    service_time: exp(2ms)\n", g, x)
		}
	}
	return y.String()
}

package report

import (
	"fmt"
	"io"
	"math"

	"cascade/models"
	"cascade/scenarios"
)

// Replications summarises several runs of one scenario with different
// seeds: each headline metric as its mean over the runs with a confidence
// interval, so a difference between two designs can be told from noise.
type Replications struct {
	Seeds      []uint64
	Confidence float64
	Metrics    []ReplicatedMetric // workloads, then services, then SLOs, in scenario order
}

// ReplicatedMetric is one metric over the runs.
type ReplicatedMetric struct {
	Component, Metric string
	Unit              string // "s", "/s", "ratio"
	Mean, HalfCI      float64
	Min, Max          float64
}

// Replicate computes the summary of runs (one per seed, in seed order).
func Replicate(runs []models.Result, seeds []uint64) *Replications {
	rep := &Replications{Seeds: seeds, Confidence: scenarios.Confidence}
	add := func(component, metric, unit string, get func(*models.Result) float64) {
		xs := make([]float64, len(runs))
		m := ReplicatedMetric{Component: component, Metric: metric, Unit: unit, Min: math.Inf(1), Max: math.Inf(-1)}
		for i := range runs {
			xs[i] = get(&runs[i])
			if !math.IsNaN(xs[i]) {
				m.Min, m.Max = math.Min(m.Min, xs[i]), math.Max(m.Max, xs[i])
			}
		}
		m.Mean, m.HalfCI = scenarios.MeanCI(xs)
		if math.IsInf(m.Min, 1) {
			m.Min, m.Max = math.NaN(), math.NaN()
		}
		rep.Metrics = append(rep.Metrics, m)
	}
	if len(runs) == 0 {
		return rep
	}
	for i, w := range runs[0].Workloads {
		add(w.Name, "goodput", "/s", func(r *models.Result) float64 { return r.Workloads[i].Goodput })
		add(w.Name, "error_rate", "ratio", func(r *models.Result) float64 { return errorRate(r.Workloads[i].Counts) })
		add(w.Name, "p50", "s", func(r *models.Result) float64 { return r.Workloads[i].Latency.P50 })
		add(w.Name, "p99", "s", func(r *models.Result) float64 { return r.Workloads[i].Latency.P99 })
	}
	for i, s := range runs[0].Services {
		add(s.Name, "utilization", "ratio", func(r *models.Result) float64 { return r.Services[i].Utilization })
		add(s.Name, "p99", "s", func(r *models.Result) float64 { return r.Services[i].Latency.P99 })
	}
	for i, s := range runs[0].SLOs {
		add("slo "+s.Name, "budget_remaining", "ratio", func(r *models.Result) float64 { return r.SLOs[i].Remaining })
	}
	return rep
}

func errorRate(c models.Counts) float64 {
	if c.Completed() == 0 {
		return math.NaN()
	}
	return 1 - float64(c.OK)/float64(c.Completed())
}

// ReplicationSummary writes the replicated metrics as a table.
func ReplicationSummary(w io.Writer, rep *Replications) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "REPLICATIONS  %d runs, seeds %d..%d; mean ± %.0f%% confidence half-width (min .. max)\n",
		len(rep.Seeds), rep.Seeds[0], rep.Seeds[len(rep.Seeds)-1], 100*rep.Confidence)
	t := table{head: []string{"COMPONENT", "metric", "mean", "±", "min", "max"}, left: []bool{true, true}}
	for _, m := range rep.Metrics {
		f := func(v float64) string { return unitValue(v, m.Unit) }
		t.add(m.Component, m.Metric, f(m.Mean), f(m.HalfCI), f(m.Min), f(m.Max))
	}
	t.write(w)
}

func unitValue(v float64, unit string) string {
	switch unit {
	case "s":
		return latency(v)
	case "ratio":
		return fixed(v, 4)
	}
	return fixed(v, 1)
}

type jsonReplicas struct {
	Runs       int           `json:"runs"`
	Seeds      []uint64      `json:"seeds"`
	Confidence float64       `json:"confidence"`
	Metrics    []jsonRepStat `json:"metrics"`
}

type jsonRepStat struct {
	Component string `json:"component"`
	Metric    string `json:"metric"`
	Unit      string `json:"unit"`
	Mean      number `json:"mean"`
	HalfCI    number `json:"half_ci"`
	Min       number `json:"min"`
	Max       number `json:"max"`
}

func jsonReplications(rep *Replications) *jsonReplicas {
	if rep == nil {
		return nil
	}
	out := &jsonReplicas{Runs: len(rep.Seeds), Seeds: rep.Seeds, Confidence: rep.Confidence, Metrics: []jsonRepStat{}}
	for _, m := range rep.Metrics {
		out.Metrics = append(out.Metrics, jsonRepStat{Component: m.Component, Metric: m.Metric, Unit: m.Unit,
			Mean: number(m.Mean), HalfCI: number(m.HalfCI), Min: number(m.Min), Max: number(m.Max)})
	}
	return out
}

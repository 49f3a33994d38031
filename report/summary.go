package report

import (
	"fmt"
	"io"

	"cascade/models"
)

// Summary writes a human-readable result: a few header lines about the run,
// then one table for the workloads (what users saw) and one for the services
// (where the time went). Latencies are of OK replies only, as in the models.
func Summary(w io.Writer, run Meta, r models.Result) {
	header := [][2]string{
		{"scenario", run.Scenario},
		{"about", run.Description},
		{"source", run.Source},
		{"seed", fmt.Sprint(run.Seed)},
		{"simulated", simulated(run, r)},
		{"measured", measured(run, r)},
		{"events", fmt.Sprint(run.Events)},
	}
	for _, h := range header {
		for i, line := range wrap(h[1], 80-11) {
			label := h[0]
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "%-10s %s\n", label, line)
		}
	}
	if run.Interrupted {
		fmt.Fprintln(w, "status     INTERRUPTED — partial results, covering only the time simulated")
	}

	fmt.Fprintln(w)
	workloads(w, r.Workloads)
	fmt.Fprintln(w)
	services(w, r.Services)
	faults(w, r.Faults)
	slos(w, r.SLOs)
	if run.Replications != nil {
		ReplicationSummary(w, run.Replications)
	}
	Expectations(w, run.Expect)
}

// simulated says how far the run got, against its plan.
func simulated(run Meta, r models.Result) string {
	switch {
	case run.Duration > 0 && run.Interrupted:
		return fmt.Sprintf("%s of %s (interrupted)", span(r.Now), span(run.Duration))
	case run.Duration > 0:
		return span(r.Now)
	case run.Interrupted:
		return fmt.Sprintf("%s (interrupted before every workload finished)", span(r.Now))
	default:
		return fmt.Sprintf("%s (until every workload finished)", span(r.Now))
	}
}

// measured says what span the statistics cover. A run interrupted during
// warm-up never discarded anything, and the reader should know.
func measured(run Meta, r models.Result) string {
	switch {
	case run.Warmup <= 0:
		return span(r.Measured)
	case r.Now < run.Warmup:
		return fmt.Sprintf("%s (the run stopped inside the %s warm-up: nothing was discarded)", span(r.Measured), span(run.Warmup))
	default:
		return fmt.Sprintf("%s after %s warm-up", span(r.Measured), span(run.Warmup))
	}
}

func workloads(w io.Writer, ws []models.WorkloadResult) {
	t := table{head: []string{"WORKLOAD", "requests", "ok", "error", "timeout", "rejected", "goodput/s",
		"mean", "p50", "p90", "p99", "p99.9", "max"}}
	for _, x := range ws {
		l := x.Latency
		t.add(x.Name, integer(x.Arrivals), integer(x.OK), integer(x.Error), integer(x.Timeout),
			integer(x.Rejected), fixed(x.Goodput, 1),
			latency(l.Mean), latency(l.P50), latency(l.P90), latency(l.P99), latency(l.P999), latency(l.Max))
	}
	if len(ws) == 0 {
		fmt.Fprintln(w, "no workloads")
		return
	}
	t.write(w)
}

func services(w io.Writer, ss []models.ServiceResult) {
	t := table{head: []string{"SERVICE", "inst×wrk", "arrivals", "ok", "error", "rejected", "late",
		"util", "queue", "peak", "p50", "p99", "little"}}
	for _, s := range ss {
		t.add(s.Name, shape(s), integer(s.Arrivals), integer(s.OK), integer(s.Error), integer(s.Rejected),
			integer(s.Late), percent(s.Utilization, 1), fixed(s.MeanQueue, 2), integer(s.PeakQueue),
			latency(s.Latency.P50), latency(s.Latency.P99), percent(s.Little.RelErr(), 1))
	}
	if len(ss) == 0 {
		fmt.Fprintln(w, "no services")
		return
	}
	t.write(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "util: busy workers / all workers; queue: time-average waiting, peak: most waiting at once;")
	fmt.Fprintln(w, "late: replies after the caller gave up; little: |L - λW| / λW, Little's law (near 0 when steady)")
}

// shape prints instances × workers per instance, "∞" for unlimited workers.
func shape(s models.ServiceResult) string {
	if s.Workers == 0 {
		return fmt.Sprintf("%d×∞", s.Instances)
	}
	return fmt.Sprintf("%d×%d", s.Instances, s.Workers)
}

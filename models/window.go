package models

import "cascade/sim"

// window keeps one component's totals over a fixed span of simulated time,
// for expectations that look at part of a run ("p99 from the eighth minute
// on"). It costs one histogram whatever the run's length.
type window struct {
	spec     WindowSpec
	arrivals int64
	outcomes [numOutcomes]int64
	latency  *sim.Histogram
}

func (w *window) in(now sim.Time) bool {
	return now >= w.spec.From && (w.spec.To == 0 || now < w.spec.To)
}

func (w *window) arrive(now sim.Time) {
	if w.in(now) {
		w.arrivals++
	}
}

func (w *window) end(now sim.Time, o Outcome, latency sim.Time) {
	if !w.in(now) {
		return
	}
	w.outcomes[o]++
	if o == OK {
		w.latency.Record(latency)
	}
}

func (w *window) result(now sim.Time) WindowResult {
	r := WindowResult{WindowSpec: w.spec, Latency: summarize(w.latency),
		Counts: countsOf(w.arrivals, &w.outcomes)}
	end := now
	if w.spec.To > 0 && w.spec.To < end {
		end = w.spec.To
	}
	if span := (end - w.spec.From).Seconds(); span > 0 {
		r.Goodput = float64(r.OK) / span
	}
	return r
}

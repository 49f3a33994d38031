package models

import (
	"math"

	"cascade/sim"
)

// Now is the simulated time: with Value it makes the model a Probe, which
// fault conditions read.
func (m *Model) Now() sim.Time { return m.eng.Now() }

// Value reads one live metric of a workload or service by name; see
// ProbeMetrics. Unknown names read as NaN, which compares false with
// anything, so a misspelt condition never fires (the scenario loader
// rejects misspellings before a run).
func (m *Model) Value(component, metric string) float64 {
	id, ok := m.names[component]
	if !ok {
		return math.NaN()
	}
	var st *stats
	var svc *Service
	var wl *Workload
	if int(id) < len(m.services) {
		svc = m.services[id]
		st = &svc.stats
	} else {
		wl = m.workloads[int(id)-len(m.services)]
		st = &wl.stats
	}
	switch metric {
	case "queue":
		if svc != nil {
			return float64(svc.queued.Value())
		}
	case "in_flight":
		if svc != nil {
			return float64(svc.inFlight.Value())
		}
		return float64(wl.inFlight)
	case "busy":
		if svc != nil {
			return float64(svc.busy.Value())
		}
	case "utilization":
		if svc != nil && svc.workers > 0 {
			up := len(svc.insts) - int(svc.down.Value())
			if up <= 0 {
				return math.NaN() // nothing up: no utilization, not 0%
			}
			return float64(svc.busy.Value()) / float64(svc.workers*up)
		}
	case "rate", "goodput", "error_rate", "p99":
		p, ok := st.series.Last()
		if !ok {
			return math.NaN()
		}
		sec := m.opt.Interval.Seconds()
		var done int64
		for _, n := range p.Outcomes {
			done += n
		}
		switch metric {
		case "rate":
			return float64(p.Arrivals) / sec
		case "goodput":
			return float64(p.Outcomes[OK]) / sec
		case "error_rate":
			if done == 0 {
				return 0
			}
			return 1 - float64(p.Outcomes[OK])/float64(done)
		default:
			return p.P99
		}
	}
	return math.NaN()
}

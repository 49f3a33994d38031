package models

import (
	"cascade/models/slo"
	"cascade/sim"
)

// sloTrack feeds one SLO's tracker from the outcomes of one component and
// keeps the budget each fault burned while it was active.
type sloTrack struct {
	spec      SLOSpec
	start     sim.Time // the SLO counts from the end of warm-up
	tracker   *slo.Tracker
	threshold sim.Time
	marks     []faultMark
}

// faultMark is the tracker's bad count when a fault started and ended.
type faultMark struct {
	fault     *injected
	bad0, bad int64
	open      bool
}

func (t *sloTrack) record(now sim.Time, o Outcome, latency sim.Time) {
	if now < t.start {
		return
	}
	good := o == OK && (t.threshold == 0 || latency <= t.threshold)
	t.tracker.Record(now, good)
}

func (t *sloTrack) faultStarted(f *injected) {
	t.marks = append(t.marks, faultMark{fault: f, bad0: t.tracker.Bad(), open: true})
}

func (t *sloTrack) faultEnded(f *injected) {
	for i := range t.marks {
		if m := &t.marks[i]; m.fault == f && m.open {
			m.bad, m.open = t.tracker.Bad()-m.bad0, false
		}
	}
}

func (t *sloTrack) result(now sim.Time) SLOResult {
	t.tracker.Advance(now)
	r := SLOResult{Name: t.spec.Name, Workload: t.spec.Workload, Service: t.spec.Service,
		Threshold: t.spec.Threshold, Scale: t.spec.Scale, Status: t.tracker.Status(now), Rules: t.tracker.Rules(),
		Alerts: t.tracker.Events(), Warnings: t.tracker.Warnings()}
	if r.Scale <= 0 {
		r.Scale = 1
	}
	budget := t.tracker.BudgetEvents(now)
	for _, m := range t.marks {
		bad := m.bad
		if m.open {
			bad = t.tracker.Bad() - m.bad0
		}
		a := Attribution{Fault: m.fault.id, Name: m.fault.f.Name, Start: m.fault.start, End: m.fault.end, Bad: bad}
		if budget > 0 {
			a.Budget = float64(bad) / budget
		}
		r.Attribution = append(r.Attribution, a)
	}
	return r
}

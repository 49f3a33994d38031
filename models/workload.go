package models

import (
	"math"

	"cascade/sim"
)

// rateStep is how far the integration of a time-varying rate moves at once.
// The rate is treated as constant over each step (evaluated at its middle),
// so features of the rate curve shorter than this are smoothed.
const rateStep = 10 * sim.Millisecond

// Workload sends requests to one operation of a service, open- or
// closed-loop, and records what its users saw.
type Workload struct {
	m      *Model
	spec   WorkloadSpec
	target *Service
	op     *op
	link   *link
	rng    *sim.Rand // arrivals
	think  *sim.Rand // closed loop
	users  []user

	sent     int64    // requests sent so far (for Limit)
	hazard   float64  // open loop with a rate function: integrated rate still to cover
	nextT    sim.Time // open loop with a rate function: integration reached here
	finished bool     // sent its last request
	inFlight int64

	stats
}

// user is one member of a closed-loop population.
type user struct{ w *Workload }

// Fire is the end of a user's think time: send the next request.
func (u *user) Fire(any) { u.w.sendFrom(u) }

func (u *user) reply(c *call, o Outcome) {
	w := u.w
	if w.spec.Limit > 0 && w.sent >= w.spec.Limit {
		w.finished = true
	}
	w.record(c, o)
	if !w.finished {
		w.m.eng.After(w.spec.Think.Sample(w.think), u, nil)
	}
}

func (w *Workload) start() {
	if w.spec.Users > 0 {
		w.users = make([]user, w.spec.Users)
		for i := range w.users {
			u := &w.users[i]
			u.w = w
			// Users start spread over one think time, not all at t=0.
			w.m.eng.After(w.spec.Think.Sample(w.think), u, nil)
		}
		return
	}
	w.scheduleNext()
}

// Fire is an open-loop arrival.
func (w *Workload) Fire(any) {
	w.sendFrom(w)
	w.scheduleNext()
}

// quietStretch continues the integration of a rate that stayed near zero for
// a long time, without sending anything.
type quietStretch Workload

func (q *quietStretch) Fire(any) { (*Workload)(q).scheduleNext() }

// sendFrom sends one request whose reply goes to r.
func (w *Workload) sendFrom(r caller) {
	if w.spec.Limit > 0 && w.sent >= w.spec.Limit {
		w.finished = true
		return
	}
	w.sent++
	w.inFlight++
	w.arrive()
	c := w.m.newCall(w.target, w.op, r, w.link)
	w.m.send(c, w.spec.Timeout)
}

func (w *Workload) reply(c *call, o Outcome) { w.record(c, o) }

func (w *Workload) record(c *call, o Outcome) {
	w.inFlight--
	w.end(o, w.m.eng.Now()-c.sent)
	// A run without an end time ends with its last reply, exactly.
	if w.finished && w.inFlight == 0 && w.m.opt.Until == 0 && w.m.Done() {
		w.m.eng.Stop()
	}
}

// scheduleNext schedules the next open-loop arrival.
func (w *Workload) scheduleNext() {
	if w.spec.Limit > 0 && w.sent >= w.spec.Limit {
		w.finished = true
		return
	}
	eng := w.m.eng
	now := eng.Now()
	if w.spec.RateFunc == nil {
		r := w.spec.Rate
		if r <= 0 {
			w.finished = true
			return
		}
		gap := 1 / r
		if w.spec.Arrivals == Poisson {
			gap = w.rng.ExpFloat64() / r
		}
		eng.After(sim.FromSeconds(gap), w, nil)
		return
	}
	// A time-varying rate: walk forward until the integral of the rate
	// covers one unit-exponential draw (Poisson) or one unit (constant) —
	// the time-change construction of a non-homogeneous Poisson process.
	if w.hazard <= 0 {
		w.hazard = 1
		if w.spec.Arrivals == Poisson {
			w.hazard = w.rng.ExpFloat64()
		}
		if w.nextT < now {
			w.nextT = now
		}
	}
	t := w.nextT
	for i := 0; i < 1000; i++ {
		end := (t/rateStep + 1) * rateStep
		r := w.spec.RateFunc((t + (end-t)/2).Seconds())
		if r < 0 || math.IsNaN(r) {
			r = 0
		}
		span := (end - t).Seconds()
		if r*span >= w.hazard {
			at := t + sim.FromSeconds(w.hazard/r)
			if at <= t && at < end {
				at = t + 1 // time moves forward at least a nanosecond
			}
			w.hazard = 0
			w.nextT = at
			eng.At(at, w, nil)
			return
		}
		w.hazard -= r * span
		t = end
	}
	// A long quiet stretch: come back later rather than loop forever.
	w.nextT = t
	eng.At(t, (*quietStretch)(w), nil)
}

// restart begins the measured span. Requests still in flight count as
// arrivals of the new span, so arrivals always equal outcomes plus in flight.
func (w *Workload) restart() {
	w.stats.restart()
	w.arrivals = w.inFlight
}

func (w *Workload) tick(now sim.Time) { w.series.Push(w.stats.point(now)) }

// Name is the workload's name in the scenario.
func (w *Workload) Name() string { return w.spec.Name }

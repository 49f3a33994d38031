package models

import (
	"fmt"
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
	edge   *edge     // the requests' policy, or nil
	pair   *pair     // its calls, for the topology view
	rng    *sim.Rand // arrivals
	think  *sim.Rand // closed loop
	keys   *sim.Rand // each request's key
	client *sim.Rand // which client sends a request (Clients > 1)
	keyed  *keySampler
	users  []*user
	id     int32 // component id

	traffic []*injected // active spike and ramp faults
	next    sim.Timer   // open loop: the pending arrival, moved when the rate changes
	active  int         // closed loop: users that keep sending (len(users) when healthy)

	sent     int64    // requests sent so far (for Limit)
	hazard   float64  // open loop with a rate function: integrated rate still to cover
	nextT    sim.Time // open loop with a rate function: integration reached here
	finished bool     // sent its last request
	inFlight int64

	stats
}

// user is one member of a closed-loop population. Its key is fixed, so a
// fault that fails some users' requests fails the same users every time.
type user struct {
	w    *Workload
	idx  int
	key  uint32
	idle bool // retired by the end of a traffic spike: neither thinking nor waiting
}

// Fire is the end of a user's think time: send the next request.
func (u *user) Fire(any) {
	if u.idx >= u.w.active {
		u.idle = true
		return
	}
	key := u.key
	if k, ok := u.w.keyed.draw(u.w.keys); ok {
		key = k
	}
	u.w.sendFrom(u, key)
}

func (u *user) reply(_ *call, o Outcome, sent sim.Time) {
	w := u.w
	if w.spec.Limit > 0 && w.sent >= w.spec.Limit {
		w.finished = true
	}
	w.record(o, sent)
	switch {
	case w.finished:
	case u.idx >= w.active:
		u.idle = true
	default:
		w.m.eng.After(w.spec.Think.Sample(w.think), u, nil)
	}
}

func (w *Workload) start() {
	if w.spec.Users > 0 {
		w.setUsers(w.spec.Users)
		return
	}
	w.scheduleNext()
}

// setUsers changes how many closed-loop users keep sending. New users, and
// idle ones called back, start after a think time, as at the start of the
// run; users beyond n stop after their current request.
func (w *Workload) setUsers(n int) {
	w.active = n
	for len(w.users) < n {
		i := len(w.users)
		w.users = append(w.users, &user{w: w, idx: i, key: uint32(i+1) * 2654435761, idle: true})
	}
	if w.finished {
		return
	}
	for _, u := range w.users[:n] {
		if u.idle {
			u.idle = false
			// Users start spread over one think time, not all at once.
			w.m.eng.After(w.spec.Think.Sample(w.think), u, nil)
		}
	}
}

// Fire is an open-loop arrival.
func (w *Workload) Fire(any) {
	key, ok := w.keyed.draw(w.keys)
	if !ok && w.m.keysRead {
		key = uint32(w.keys.Uint64())
	}
	w.sendFrom(w, key)
	w.scheduleNext()
}

// quietStretch continues the integration of a rate that stayed near zero for
// a long time, without sending anything.
type quietStretch Workload

func (q *quietStretch) Fire(any) { (*Workload)(q).scheduleNext() }

// sendFrom sends one request for key whose reply goes to r.
func (w *Workload) sendFrom(r caller, key uint32) {
	if w.spec.Limit > 0 && w.sent >= w.spec.Limit {
		w.finished = true
		return
	}
	w.sent++
	w.inFlight++
	now := w.m.eng.Now()
	w.arrive(now)
	w.pair.sent(w.m.measuring())
	if w.unbounded() {
		w.pair.open.add(now)
	}
	if w.edge != nil {
		c := 0
		if w.client != nil {
			c = w.client.IntN(w.spec.Clients)
		}
		w.edge.begin(r, key, w.spec.Sheddable, c, 0)
		return
	}
	c := w.m.newCall(w.target, w.op, r, w.link, w.id, key)
	c.sheddable = w.spec.Sheddable
	if w.spec.Timeout > 0 {
		c.deadline = now + w.spec.Timeout
	}
	w.m.send(c, w.spec.Timeout, w.spec.Timeout)
}

func (w *Workload) reply(_ *call, o Outcome, sent sim.Time) { w.record(o, sent) }

func (w *Workload) record(o Outcome, sent sim.Time) {
	w.inFlight--
	now := w.m.eng.Now()
	w.pair.ended(o, now >= w.m.since)
	if w.unbounded() {
		w.pair.open.remove(sent)
	}
	w.end(now, o, now-sent)
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
	if w.spec.RateFunc == nil && len(w.traffic) == 0 {
		r := w.spec.Rate
		if r <= 0 {
			w.finished = true
			return
		}
		gap := 1 / r
		if w.spec.Arrivals == Poisson {
			gap = w.rng.ExpFloat64() / r
		}
		w.next = eng.After(sim.FromSeconds(gap), w, nil)
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
		r, ok := w.checkedRate(t + (end-t)/2)
		if !ok {
			w.finished = true
			return
		}
		span := (end - t).Seconds()
		if r*span >= w.hazard {
			at := t + sim.FromSeconds(w.hazard/r)
			if at <= t && at < end {
				at = t + 1 // time moves forward at least a nanosecond
			}
			w.hazard = 0
			w.nextT = at
			w.next = eng.At(at, w, nil)
			return
		}
		w.hazard -= r * span
		t = end
	}
	// A long quiet stretch: come back later rather than loop forever.
	w.nextT = t
	w.next = eng.At(t, (*quietStretch)(w), nil)
}

// checkedRate is the open-loop rate at t (the scenario's, times any traffic
// faults'), or false when the rate function gave a value that
// is no rate: the run then stops with the workload's RateError rather than
// treating the value as zero, which would hide the mistake.
func (w *Workload) checkedRate(t sim.Time) (float64, bool) {
	r := w.spec.Rate
	if w.spec.RateFunc != nil {
		r = w.spec.RateFunc(t.Seconds())
		if !(r >= 0) || math.IsInf(r, 1) {
			sec := t.Seconds()
			if w.spec.RateError != nil {
				w.m.fail(w.spec.RateError(sec, r))
			} else {
				w.m.fail(fmt.Errorf("workload %q: the rate is %v at t=%gs, not a number of requests per second >= 0", w.spec.Name, r, sec))
			}
			return 0, false
		}
	}
	r *= w.multiplier(t)
	if math.IsNaN(r) {
		r = 0
	}
	return r, true
}

// multiplier is the product of the active traffic faults' factors at t.
func (w *Workload) multiplier(t sim.Time) float64 {
	k := 1.0
	for _, f := range w.traffic {
		k *= f.factorAt(t)
	}
	return k
}

// trafficChanged applies a new multiplier at once. For Poisson arrivals,
// drawing the next gap afresh is exact (memorylessness); constant arrivals
// restart their spacing.
func (w *Workload) trafficChanged() {
	now := w.m.eng.Now()
	if w.spec.Users > 0 {
		w.setUsers(max(0, int(math.Round(float64(w.spec.Users)*w.multiplier(now)))))
		return
	}
	if w.finished {
		return
	}
	w.m.eng.Cancel(w.next)
	w.hazard, w.nextT = 0, now
	w.scheduleNext()
}

// restart begins the measured span. Requests still in flight count as
// arrivals of the new span, so arrivals always equal outcomes plus in flight.
func (w *Workload) restart() {
	w.stats.restart()
	w.arrivals = w.inFlight
}

func (w *Workload) tick(now sim.Time) {
	w.series.Push(w.stats.point(now))
	if w.spec.Users > 0 && len(w.traffic) > 0 {
		w.trafficChanged() // a ramp moves closed-loop users once a tick
	}
}

// Name is the workload's name in the scenario.
func (w *Workload) Name() string { return w.spec.Name }

// unbounded says the workload waits for ever for a reply: no timeout of its
// own and none on its call policy.
func (w *Workload) unbounded() bool {
	if w.edge != nil {
		return w.edge.unbounded(0)
	}
	return w.spec.Timeout == 0
}

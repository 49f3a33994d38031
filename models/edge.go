package models

import (
	"fmt"
	"math"

	"cascade/models/policy"
	"cascade/sim"
	"cascade/sim/dist"
)

// edge is one call site under a CallPolicy: a Call step of an operation,
// or a workload's requests. It owns the policy's state — breakers, retry
// budgets, bulkheads, limiters, throttles, one set per caller instance
// (or one shared) — and the edge's metrics: how many requests its callers
// made, how many attempts that took, and why attempts were refused.
type edge struct {
	m       *Model
	name    string // "api.get -> db.query"
	caller  string
	target  *Service
	op      *op
	link    *link
	src     int32    // id of the calling component
	timeout sim.Time // per attempt
	pol     CallPolicy
	states  []*edgeState
	rng     *sim.Rand // backoff jitter, throttle draws

	requests, attempts, retries, hedges int64
	suppressed, exhausted               int64 // retries refused by the budget; requests out of attempts
	breakerRejected, bulkheadRejected   int64
	bulkheadWaited, throttledLocal      int64
	outcomes                            [numOutcomes]int64

	series *sim.Ring[EdgePoint]
	iv     EdgePoint // counts of the open interval

	outbox           *queue // a database write's outbox event: every attempt carries it
	forced, disabled int    // breaker faults holding the breakers (see FaultBreaker)
	inflight         int64  // requests begun and not finished
}

// poolLeak is one active pool_leak fault on a pool: the fault, its
// probability per returned connection, and the connections it has kept.
type poolLeak struct {
	fault int
	p     float64
	n     int
}

// edgeState is the policy state of one client: one caller instance, or
// the whole caller when the policy is shared.
type edgeState struct {
	e        *edge
	idx      int
	breaker  *policy.Breaker
	bAt      sim.Time  // when the pending breaker timer fires; 0 = none
	bTimer   sim.Timer // a timed breaker transition, for the state timeline
	trans    []BreakerTransition
	dropped  int64
	budget   *policy.Budget
	bulk     bulkhead
	limiter  *limiter
	throttle *policy.Throttle
}

// bulkhead is a counting semaphore with a FIFO of waiting requests.
type bulkhead struct {
	max, inUse int
	granting   int // released slots on their way to waiters
	wait       sim.Time
	queue      int // most waiters; 0 = unbounded
	waiters    []*request
	peakWait   int
	peakInUse  int
	waitHist   *sim.Histogram // how long granted waiters waited
	timeouts   int64          // waits that ran out

	// A pool's connections: opened lazily, idle ones kept with their
	// birth time, closed after lifetime when returned.
	pool     bool
	setup    dist.Dist
	lifetime sim.Time
	idle     []sim.Time
	opened   int64
	leaking  []poolLeak // active pool_leak faults
	leaked   int        // connections lost to leaks (held in use)
	inUseLvl sim.Level
}

// maxTransitions bounds the breaker timeline kept per breaker: a flapping
// breaker must not grow memory without end.
const maxTransitions = 4096

// newEdge builds the edge of a call site; caller is nil for a workload,
// whose clients (when > 1) each get their own policy state.
func (m *Model) newEdge(name string, callerSvc *Service, callerName string, src int32, target *Service, o *op, l *link, timeout sim.Time, pol CallPolicy, clients int) (*edge, error) {
	e := &edge{m: m, name: name, caller: callerName, target: target, op: o, link: l, src: src, timeout: timeout, pol: pol,
		rng: m.eng.Stream("edge/" + name), series: sim.NewRing[EdgePoint](m.opt.Points)}
	if pol.Retry != nil && pol.Hedge != nil {
		return nil, fmt.Errorf("%s: a call hedges or retries, not both (gRPC)", name)
	}
	n := 1
	if callerSvc != nil && !pol.Shared {
		n = len(callerSvc.insts)
	}
	if callerSvc == nil && clients > 1 {
		n = clients
	}
	for i := 0; i < n; i++ {
		st := &edgeState{e: e, idx: i}
		var err error
		if pol.Breaker != nil {
			if st.breaker, err = policy.NewBreaker(*pol.Breaker, 0); err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
		}
		if pol.Retry != nil && pol.Retry.Budget != nil {
			if st.budget, err = policy.NewBudget(*pol.Retry.Budget, 0); err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
		}
		if b := pol.Bulkhead; b != nil {
			st.bulk = bulkhead{max: b.Max, wait: b.Wait, queue: b.Queue, pool: b.Pool, setup: b.Setup,
				lifetime: b.Lifetime, waitHist: sim.NewHistogram(3)}
		}
		if pol.Limiter != nil {
			if st.limiter, err = newLimiter(*pol.Limiter, 0); err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
		}
		if t := pol.Throttle; t != nil {
			if st.throttle, err = policy.NewThrottle(t.K, t.Window, 0, 0); err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
		}
		e.states = append(e.states, st)
	}
	return e, nil
}

// state is the policy state for a call from caller instance idx.
func (e *edge) state(idx int) *edgeState {
	if idx < len(e.states) {
		return e.states[idx]
	}
	return e.states[0]
}

// request is one request made through an edge: every attempt it takes
// (retries, hedges), the timers between them, and its overall deadline.
// It is the caller of each attempt's call and calls its own caller once,
// at the end. Requests are pooled like calls.
type request struct {
	m         *Model
	e         *edge
	st        *edgeState
	from      caller
	src       int32
	key       uint32
	sheddable bool
	zone      int8 // the caller's zone, when zones are declared

	start, deadline sim.Time
	dlTimer         sim.Timer
	retryTimer      sim.Timer
	hedgeTimer      sim.Timer
	waitTimer       sim.Timer
	waiting         bool        // in the bulkhead's queue
	connecting      bool        // holds a pool slot while its connection opens
	waitStart       sim.Time    // when it began to wait for a permit
	connBorn        sim.Time    // the pool connection the next attempt uses
	waitKind        attemptKind // what the attempt waiting there is
	waitPermit      policy.Permit

	attempts, retries int  // attempts launched; retries scheduled
	tries             int  // attempts started, refused locally or not: what attempts: and max: count
	backoffN          int  // the retry number backoff computes for (gRPC resets it after a pushback)
	granted           bool // the budget granted a retry not yet sent
	prevDelay         sim.Time
	live              []*call // attempts in flight
	last              Outcome
	retryAfter        sim.Time
}

// The event kinds of a request.
type (
	reqDeadline request // the overall deadline passed
	reqRetry    request // a backoff ended: try again
	reqHedge    request // time for another hedge
	reqWait     request // the bulkhead wait ran out
)

func (d *reqDeadline) Fire(any) {
	r := (*request)(d)
	r.dlTimer = sim.Timer{}
	r.finish(Timeout, true)
}

func (t *reqRetry) Fire(any) {
	r := (*request)(t)
	r.retryTimer = sim.Timer{}
	r.send(retryAttempt)
}

func (h *reqHedge) Fire(any) {
	r := (*request)(h)
	r.hedgeTimer = sim.Timer{}
	r.hedge()
}

func (w *reqWait) Fire(any) {
	r := (*request)(w)
	r.waitTimer = sim.Timer{}
	r.st.bulk.remove(r)
	r.waiting = false
	st := r.st
	st.bulk.timeouts++
	if st.breaker != nil {
		// The breaker wraps the bulkhead: the bulkhead's refusal is a
		// failure the breaker sees (resilience4j records the exception).
		st.breaker.Done(r.m.eng.Now(), r.waitPermit, true, 0)
		st.watch()
	}
	r.e.bulkheadRejected++
	r.refused(BulkheadFull)
}

// begin starts a request from a caller; inst is the caller's instance
// (its policy state) and parent the deadline the caller's own request
// carries, if its service propagates deadlines (0 = none).
func (e *edge) begin(from caller, key uint32, sheddable bool, inst int, parent sim.Time) {
	m := e.m
	now := m.eng.Now()
	r := m.newRequest()
	r.e, r.st, r.from, r.src, r.key, r.sheddable, r.start = e, e.state(inst), from, e.src, key, sheddable, now
	if m.zones != nil {
		if x, ok := from.(*exec); ok {
			r.zone = x.inst.zone
		}
	}
	if e.pol.Deadline > 0 {
		r.deadline = now + e.pol.Deadline
	}
	if parent > 0 && (r.deadline == 0 || parent < r.deadline) {
		r.deadline = parent
	}
	if m.measuring() {
		e.requests++
	}
	e.inflight++
	e.iv.Requests++
	if r.deadline > 0 {
		if r.deadline <= now {
			r.finish(Timeout, false)
			return
		}
		r.dlTimer = m.eng.At(r.deadline, (*reqDeadline)(r), nil)
	}
	r.send(firstAttempt)
}

// unbounded says a request over e with the caller's deadline parent (0 =
// none) waits for ever if the callee never answers: no attempt timeout, no
// policy deadline, none propagated.
func (e *edge) unbounded(parent sim.Time) bool {
	return e.timeout == 0 && e.pol.Deadline == 0 && parent == 0
}

// attemptKind says what an attempt is: the first, a retry, or a hedge.
type attemptKind uint8

const (
	firstAttempt attemptKind = iota
	retryAttempt
	hedgeAttempt
)

// send makes one attempt through breaker, bulkhead, limiter and link.
func (r *request) send(kind attemptKind) {
	e, st := r.e, r.st
	now := r.m.eng.Now()
	r.tries++
	var permit policy.Permit
	if st.breaker != nil {
		p, ok := st.breaker.Allow(now)
		st.watch()
		if !ok {
			e.breakerRejected++
			e.iv.BreakerRejected++
			r.refused(BreakerOpen)
			return
		}
		permit = p
	}
	if b := &st.bulk; b.max > 0 {
		if b.inUse >= b.max {
			if b.wait > 0 && !r.waiting && (b.queue == 0 || len(b.waiters) < b.queue) {
				r.waitStart = now
				r.waiting, r.waitKind, r.waitPermit = true, kind, permit
				b.waiters = append(b.waiters, r)
				b.peakWait = max(b.peakWait, len(b.waiters))
				e.bulkheadWaited++
				r.waitTimer = r.m.eng.After(b.wait, (*reqWait)(r), nil)
				return
			}
			if st.breaker != nil {
				st.breaker.Done(now, permit, true, 0)
				st.watch()
			}
			e.bulkheadRejected++
			r.refused(BulkheadFull)
			return
		}
		st.take(now)
		if st.bulk.pool && r.connect(kind, permit) {
			return
		}
	}
	r.launch(kind, permit, st.bulk.max > 0)
}

// take takes a bulkhead slot.
func (st *edgeState) take(now sim.Time) {
	b := &st.bulk
	b.inUse++
	b.peakInUse = max(b.peakInUse, b.inUse)
	b.inUseLvl.Add(now, 1)
}

// connect gives a pool slot its connection: an idle one young enough, or a
// new one after the setup time. It reports whether the attempt must wait
// for the connection (it then launches from reqConnected).
func (r *request) connect(kind attemptKind, permit policy.Permit) bool {
	b := &r.st.bulk
	now := r.m.eng.Now()
	for len(b.idle) > 0 {
		born := b.idle[len(b.idle)-1]
		b.idle = b.idle[:len(b.idle)-1]
		if b.lifetime == 0 || now-born < b.lifetime {
			r.connBorn = born
			return false
		}
	}
	r.connBorn = now
	var d sim.Time
	if b.setup != nil {
		d = b.setup.Sample(r.e.rng)
	}
	if d <= 0 {
		b.opened++
		return false
	}
	r.connecting, r.waitKind, r.waitPermit = true, kind, permit
	r.waitTimer = r.m.eng.After(d, (*reqConnected)(r), nil)
	return true
}

// reqConnected is a new pool connection ready: the attempt goes out.
type reqConnected request

func (c *reqConnected) Fire(any) {
	r := (*request)(c)
	r.waitTimer = sim.Timer{}
	r.connecting = false
	r.st.bulk.opened++ // counted once open: warm-up may reset the count meanwhile
	r.launch(r.waitKind, r.waitPermit, true)
}

// launch sends an attempt that holds its breaker permit and bulkhead slot.
func (r *request) launch(kind attemptKind, permit policy.Permit, bulk bool) {
	m, e, st := r.m, r.e, r.st
	retry := kind != firstAttempt
	now := m.eng.Now()
	if st.throttle != nil && st.throttle.Reject(now, e.rng.Float64()) {
		r.refuseLocally(permit, bulk, 0)
		return
	}
	if st.limiter != nil {
		if ok, wait, after := st.limiter.admit(now); !ok || wait > 0 {
			// A client-side limiter does not wait: beyond its rate it
			// fails the call at once, with its own Retry-After.
			r.refuseLocally(permit, bulk, max(after, wait))
			return
		}
	}
	if st.budget != nil && !retry {
		st.budget.Attempt(now)
	}
	if retry {
		r.granted = false // it goes out: its Done comes with the reply
	}
	c := m.newCall(e.target, e.op, r, e.link, r.src, r.key)
	c.permit, c.bulk, c.retry, c.sheddable = permit, bulk, retry, r.sheddable
	c.connBorn = r.connBorn
	c.outbox = e.outbox
	timeout := e.timeout
	if timeout > 0 {
		c.deadline = now + timeout
	}
	if r.deadline > 0 && (c.deadline == 0 || r.deadline < c.deadline) {
		c.deadline, timeout = r.deadline, r.deadline-now
	}
	r.attempts++
	if m.measuring() {
		e.attempts++
		switch kind {
		case retryAttempt:
			e.retries++
		case hedgeAttempt:
			e.hedges++
		}
	}
	e.iv.Attempts++
	switch kind {
	case retryAttempt:
		e.iv.Retries++
	case hedgeAttempt:
		e.iv.Hedges++
	}
	r.live = append(r.live, c)
	r.armHedge()
	// Nothing of r may be touched after send: the reply can come at once
	// (no link, rejected at the door) and finish and recycle the request.
	m.send(c, timeout, e.timeout)
}

// refuseLocally fails an attempt the client's own throttle or limiter
// refused: it gives back the bulkhead slot and reports the failure to the
// breaker, which wraps both.
func (r *request) refuseLocally(permit policy.Permit, bulk bool, after sim.Time) {
	st := r.st
	now := r.m.eng.Now()
	if bulk {
		born := sim.Time(-1)
		if st.bulk.pool {
			born = r.connBorn
		}
		st.release(now, born)
	}
	if st.breaker != nil {
		st.breaker.Done(now, permit, true, 0)
		st.watch()
	}
	r.e.throttledLocal++
	r.retryAfter = after
	r.refused(Throttled)
}

// armHedge schedules the next hedge, if the policy allows one more copy.
func (r *request) armHedge() {
	if h := r.e.pol.Hedge; h != nil && r.tries < h.Max && r.hedgeTimer == (sim.Timer{}) {
		r.hedgeTimer = r.m.eng.After(h.Delay, (*reqHedge)(r), nil)
	}
}

// hedge sends another copy while no attempt has succeeded. When none may
// go (copies used up, or the budget says no) and none is out, the request
// ends with the last failure.
func (r *request) hedge() {
	h := r.e.pol.Hedge
	if r.waiting || r.connecting {
		// An attempt is already waiting for a bulkhead slot or a pool
		// connection: a copy would only queue behind it, and a request
		// holds one such wait at a time. The waiting attempt arms the
		// next hedge when it goes out.
		return
	}
	if r.tries >= h.Max {
		if len(r.live) == 0 {
			r.finish(r.last, false)
		}
		return
	}
	if st := r.st; st.budget != nil {
		if !st.budget.Retry(r.m.eng.Now()) {
			if r.m.measuring() {
				r.e.suppressed++
			}
			r.e.iv.Suppressed++
			if len(r.live) == 0 {
				r.finish(r.last, false)
			}
			return
		}
		r.granted = true
	}
	r.send(hedgeAttempt)
}

// reply is an attempt's reply (or its timeout).
func (r *request) reply(c *call, o Outcome, _ sim.Time) {
	e, st := r.e, r.st
	now := r.m.eng.Now()
	for i, x := range r.live {
		if x == c {
			r.live = append(r.live[:i], r.live[i+1:]...)
			break
		}
	}
	if c.bulk {
		st.release(now, c.connBorn)
	}
	if st.breaker != nil {
		st.breaker.Done(now, c.permit, o != OK, now-c.sent)
		st.watch()
	}
	if st.budget != nil {
		st.budget.Done(now, c.retry, e.budgetOutcome(o))
	}
	if st.throttle != nil && (o == OK || o == Error) {
		st.throttle.Accepted(now) // the backend took it, whatever it answered
	}
	if o == OK {
		r.finish(OK, false)
		return
	}
	r.retryAfter = c.retryAfter
	r.failed(o)
}

// failed handles an attempt the other side answered with a failure (or
// its timeout). Hedging: gRPC treats a failure as non-fatal and sends the
// next copy at once while copies remain; otherwise retry or give up once no
// attempt is out.
func (r *request) failed(o Outcome) {
	r.last = o
	if h := r.e.pol.Hedge; h != nil {
		if r.tries < h.Max {
			r.m.eng.Cancel(r.hedgeTimer)
			r.hedgeTimer = sim.Timer{}
			r.hedge()
			return
		}
		if len(r.live) == 0 {
			r.finish(o, false)
		}
		return
	}
	if len(r.live) > 0 {
		return
	}
	r.retryOrFinish(o)
}

// refused handles an attempt the caller's own breaker, bulkhead, limiter
// or throttle refused before it went out. It counts as a try (resilience4j
// counts every attempt, permitted or not), so refusals cannot loop; a
// refused hedge leaves the copies already out to finish, and the next
// hedge to its timer.
func (r *request) refused(o Outcome) {
	r.dropGranted(r.m.eng.Now())
	r.last = o
	if len(r.live) > 0 {
		r.armHedge()
		return
	}
	if r.e.pol.Hedge != nil {
		r.finish(o, false)
		return
	}
	r.retryOrFinish(o)
}

// retryOrFinish schedules a retry if the policy, the deadline and the
// budget all allow one.
func (r *request) retryOrFinish(o Outcome) {
	e, st := r.e, r.st
	rs := e.pol.Retry
	if rs == nil || !rs.On.Has(o) {
		r.finish(o, false)
		return
	}
	if r.tries >= rs.Attempts {
		e.exhausted++
		r.finish(o, false)
		return
	}
	now := r.m.eng.Now()
	delay := rs.Backoff.Delay(r.backoffN+1, r.prevDelay, e.rng)
	r.backoffN++
	if r.retryAfter > 0 {
		delay = rs.Backoff.Honour(delay, r.retryAfter)
		if rs.Backoff.Pushback == policy.PushbackReplace {
			r.backoffN = 0 // gRPC: after a pushback retry, backoff starts over
		}
	}
	if r.deadline > 0 && now+delay >= r.deadline {
		r.finish(o, false) // no time left for another attempt
		return
	}
	if st.budget != nil && !st.budget.Retry(now) {
		if r.m.measuring() {
			e.suppressed++
		}
		e.iv.Suppressed++
		r.finish(o, false)
		return
	}
	r.granted = true
	r.retries++
	r.prevDelay = delay
	if delay <= 0 {
		r.send(retryAttempt)
		return
	}
	r.retryTimer = r.m.eng.After(delay, (*reqRetry)(r), nil)
}

// finish ends the request with o and tells its caller. Attempts still out
// are abandoned: their replies will go nowhere, but the servers keep
// working on them unless deadlines propagate. expired says the overall
// deadline ended it, which the breaker counts as a failure of the attempts
// cut short.
func (r *request) finish(o Outcome, expired bool) {
	m, e, st := r.m, r.e, r.st
	now := m.eng.Now()
	m.eng.Cancel(r.dlTimer)
	m.eng.Cancel(r.retryTimer)
	m.eng.Cancel(r.hedgeTimer)
	m.eng.Cancel(r.waitTimer)
	r.dropGranted(now)
	if r.waiting {
		st.bulk.remove(r)
		r.waiting = false
		if st.breaker != nil {
			if expired {
				st.breaker.Done(now, r.waitPermit, true, 0)
			} else {
				st.breaker.Release(now, r.waitPermit)
			}
			st.watch()
		}
	}
	if r.connecting {
		r.connecting = false
		st.release(now, -1) // the connection never finished opening
	}
	for _, c := range r.live {
		if c.bulk {
			st.release(now, c.connBorn)
			c.bulk = false
		}
		if st.breaker != nil {
			// Cut short by the deadline: a failure. Cancelled because
			// another copy won: no result, the permit goes back.
			if expired {
				st.breaker.Done(now, c.permit, true, now-c.sent)
			} else {
				st.breaker.Release(now, c.permit)
			}
			st.watch()
		}
		if st.budget != nil {
			st.budget.Done(now, c.retry, policy.Neutral) // cancelled: neither
		}
		c.abandon()
	}
	if m.measuring() {
		e.outcomes[o]++
	}
	e.inflight--
	e.iv.Outcomes[o]++
	from, start := r.from, r.start
	m.freeRequest(r)
	from.reply(nil, o, start)
}

// budgetOutcome is how the retry budget counts an attempt's outcome: for
// gRPC throttling only retryable failures are "qualified" failures.
func (e *edge) budgetOutcome(o Outcome) policy.Outcome {
	switch {
	case o == OK:
		return policy.Succeeded
	case e.pol.Retry == nil || e.pol.Retry.On.Has(o):
		return policy.Failed
	}
	return policy.Neutral
}

// dropGranted ends a retry the budget granted that never went out (the
// request ended during its backoff, or the caller's own breaker, bulkhead
// or limiter refused it): the budget is owed one Done per grant.
func (r *request) dropGranted(now sim.Time) {
	if r.granted && r.st.budget != nil {
		r.st.budget.Done(now, true, policy.Neutral)
	}
	r.granted = false
}

// release frees a bulkhead slot. A waiter gets it through an event at the
// same instant rather than at once: handing it over synchronously would
// run the waiter's attempt (and maybe its whole request) in the middle of
// whoever released — possibly the same request.
//
// born is the pool connection the slot held (its birth time), or -1 for
// none: it goes back to the idle set unless it has outlived its lifetime,
// or a pool_leak fault keeps it (and the slot) for good.
func (st *edgeState) release(now, born sim.Time) {
	b := &st.bulk
	if b.pool && born >= 0 {
		for i := range b.leaking {
			if st.e.rng.Float64() < b.leaking[i].p {
				b.leaking[i].n++
				b.leaked++ // never returned: the slot stays taken
				return
			}
		}
		if b.lifetime == 0 || now-born < b.lifetime {
			b.idle = append(b.idle, born)
		}
	}
	if len(b.waiters) > b.granting {
		b.granting++ // the slot stays taken until the grant fires
		st.e.m.eng.After(0, (*bulkGrant)(st), nil)
		return
	}
	b.inUse--
	b.inUseLvl.Add(now, -1)
}

// bulkGrant hands a released bulkhead slot to the oldest waiter.
type bulkGrant edgeState

func (g *bulkGrant) Fire(any) {
	st := (*edgeState)(g)
	b := &st.bulk
	b.granting--
	now := st.e.m.eng.Now()
	if len(b.waiters) == 0 {
		b.inUse-- // the waiter gave up meanwhile
		b.inUseLvl.Add(now, -1)
		return
	}
	r := b.waiters[0]
	copy(b.waiters, b.waiters[1:])
	b.waiters[len(b.waiters)-1] = nil
	b.waiters = b.waiters[:len(b.waiters)-1]
	r.waiting = false
	r.m.eng.Cancel(r.waitTimer)
	r.waitTimer = sim.Timer{}
	if b.waitHist != nil {
		b.waitHist.Record(now - r.waitStart)
	}
	if b.pool && r.connect(r.waitKind, r.waitPermit) {
		return
	}
	r.launch(r.waitKind, r.waitPermit, true)
}

func (b *bulkhead) remove(r *request) {
	for i, w := range b.waiters {
		if w == r {
			copy(b.waiters[i:], b.waiters[i+1:])
			b.waiters[len(b.waiters)-1] = nil
			b.waiters = b.waiters[:len(b.waiters)-1]
			return
		}
	}
}

// watch keeps the breaker's timeline current: it collects the transitions
// logged so far and, when a timed transition is due (open -> half-open
// with automatic transition, half-open's max wait), schedules an event at
// that instant so the state changes then, not when the next call looks.
func (st *edgeState) watch() {
	b := st.breaker
	st.collect()
	now := st.e.m.eng.Now()
	next := b.NextChange(now)
	if next == sim.Forever || next == st.bAt {
		return
	}
	st.e.m.eng.Cancel(st.bTimer)
	st.bAt = next
	st.bTimer = st.e.m.eng.At(max(next, now), (*breakerTick)(st), nil)
}

func (st *edgeState) collect() {
	for _, t := range st.breaker.Transitions(nil) {
		if len(st.trans) >= maxTransitions {
			st.dropped++
			continue
		}
		st.trans = append(st.trans, BreakerTransition{At: t.At, From: t.From.String(), To: t.To.String(), Reason: t.Reason.String()})
	}
}

// manual applies a change of d in the breaker faults of mode holding this
// edge's breakers: forced open while any forces them, else disabled while
// any disables them, else reset to closed.
func (e *edge) manual(mode string, d int) {
	if mode == BreakerForcedOpen {
		e.forced += d
	} else {
		e.disabled += d
	}
	now := e.m.eng.Now()
	for _, st := range e.states {
		b := st.breaker
		switch {
		case e.forced > 0:
			if b.State(now) != policy.ForcedOpen {
				b.ForceOpen(now)
			}
		case e.disabled > 0:
			if b.State(now) != policy.Disabled {
				b.Disable(now)
			}
		default:
			b.Reset(now)
		}
		st.watch()
	}
}

// breakerTick is a timed breaker transition coming due.
type breakerTick edgeState

func (t *breakerTick) Fire(any) {
	st := (*edgeState)(t)
	st.bAt, st.bTimer = 0, sim.Timer{}
	st.breaker.State(st.e.m.eng.Now())
	st.watch()
}

// abandon is the caller giving up on c: the reply goes nowhere. A call
// whose message was lost is referred to by nothing else, so it is freed.
func (c *call) abandon() {
	c.m.eng.Cancel(c.timer)
	c.timer = sim.Timer{}
	if c.lost {
		c.m.freeCall(c)
		return
	}
	c.abandoned = true
}

func (m *Model) newRequest() *request {
	if n := len(m.requests); n > 0 {
		r := m.requests[n-1]
		m.requests = m.requests[:n-1]
		return r
	}
	return &request{m: m}
}

func (m *Model) freeRequest(r *request) {
	live := r.live[:0]
	*r = request{m: m, live: live}
	m.requests = append(m.requests, r)
}

// measuring reports whether statistics are being kept (after warm-up).
func (m *Model) measuring() bool { return m.eng.Now() >= m.since }

// EdgePoint is one interval of an edge's time series.
type EdgePoint struct {
	T               sim.Time
	Requests        int64
	Attempts        int64
	Retries         int64
	Hedges          int64
	Suppressed      int64
	BreakerRejected int64
	Outcomes        [numOutcomes]int64 // how the requests that ended in the interval ended
	OpenBreakers    int                // breakers not closed at the end of the interval
	BudgetLevel     float64            // mean over the edge's budgets; NaN without one
	PoolInUse       int                // a pooled bulkhead: connections in use at the end of the interval, over the caller's instances
	PoolWaiting     int                // requests waiting for one then
}

func (e *edge) tick(now sim.Time) {
	p := e.iv
	p.T = now
	p.BudgetLevel = math.NaN()
	var lvl float64
	nb := 0
	for _, st := range e.states {
		if st.breaker != nil && st.breaker.State(now) != policy.Closed {
			p.OpenBreakers++
		}
		if st.budget != nil {
			lvl += st.budget.Level(now)
			nb++
		}
		if b := &st.bulk; b.pool {
			p.PoolInUse += b.inUse
			p.PoolWaiting += len(b.waiters)
		}
	}
	if nb > 0 {
		p.BudgetLevel = lvl / float64(nb)
	}
	e.series.Push(p)
	e.iv = EdgePoint{}
}

// restart begins the measured span; requests in flight count as requests
// of the new span (as a workload's do), so their later attempts are not
// attempts without a request.
func (e *edge) restart() {
	e.requests, e.attempts, e.retries, e.hedges = e.inflight, 0, 0, 0
	e.suppressed, e.exhausted, e.breakerRejected, e.bulkheadRejected = 0, 0, 0, 0
	e.bulkheadWaited, e.throttledLocal = 0, 0
	e.outcomes = [numOutcomes]int64{}
	for _, st := range e.states {
		b := &st.bulk
		b.timeouts, b.opened, b.peakInUse = 0, 0, b.inUse
		if b.waitHist != nil {
			b.waitHist.Reset()
		}
		b.inUseLvl.Restart(e.m.eng.Now())
	}
}

// BreakerTransition is one change of a breaker's state.
type BreakerTransition struct {
	At       sim.Time
	From, To string
	Reason   string
}

// BreakerResult is one breaker of an edge: its state now and its timeline.
type BreakerResult struct {
	Instance    int // the caller instance it belongs to; 0 when shared
	State       string
	Transitions []BreakerTransition
	Dropped     int64 // transitions beyond the kept timeline
	Permitted   uint64
	Rejected    uint64
}

// EdgeResult is what one call site saw: its callers' requests, the
// attempts they took, and what the policy refused.
type EdgeResult struct {
	Name           string // "api.get -> db.query"
	Caller, Target string
	Requests       int64
	Attempts       int64
	Retries        int64
	Hedges         int64
	// Amplification is attempts per request: what this layer multiplies
	// its dependency's load by.
	Amplification    float64
	Suppressed       int64 // retries the budget refused
	Exhausted        int64 // requests that ran out of attempts
	BreakerRejected  int64
	BulkheadRejected int64
	BulkheadWaited   int64
	BulkheadPeakWait int
	ThrottledLocally int64
	Outcomes         Counts  // how the requests ended, as the caller saw them
	BudgetLevel      float64 // mean over the edge's budgets now; NaN without one
	Breakers         []BreakerResult
	Series           []EdgePoint
	Pool             *PoolResult // when the bulkhead is a connection pool
}

// PoolResult is a connection pool's state, over all of an edge's pools
// (one per caller instance unless shared).
type PoolResult struct {
	Size            int     // connections allowed, over all pools
	InUse, Idle     int     // now
	PeakInUse       int     // most in use at once in one pool
	MeanInUse       float64 // time-averaged, over all pools
	Waiting         int     // callers waiting now
	Opened          int64   // connections opened (setup paid)
	AcquireTimeouts int64
	Rejected        int64   // waiters beyond the queue bound, or no wait allowed
	Waited          int64   // callers that waited for a connection
	WaitMean        float64 // seconds, of the waits that ended with a connection
	WaitP99         float64
	Leaked          int // connections lost to pool_leak faults
}

func (e *edge) result(now sim.Time, withSeries bool) EdgeResult {
	r := EdgeResult{Name: e.name, Caller: e.caller, Target: e.target.spec.Name, Requests: e.requests,
		Attempts: e.attempts, Retries: e.retries, Hedges: e.hedges, Suppressed: e.suppressed, Exhausted: e.exhausted,
		BreakerRejected: e.breakerRejected, BulkheadRejected: e.bulkheadRejected, BulkheadWaited: e.bulkheadWaited,
		ThrottledLocally: e.throttledLocal, Outcomes: countsOf(e.requests, &e.outcomes), BudgetLevel: math.NaN(),
		Amplification: math.NaN()}
	if e.requests > 0 {
		r.Amplification = float64(e.attempts) / float64(e.requests)
	}
	var lvl float64
	nb := 0
	for _, st := range e.states {
		r.BulkheadPeakWait = max(r.BulkheadPeakWait, st.bulk.peakWait)
		if st.budget != nil {
			lvl += st.budget.Level(now)
			nb++
		}
		if st.breaker != nil {
			st.breaker.State(now)
			st.collect()
			c := st.breaker.Counters()
			r.Breakers = append(r.Breakers, BreakerResult{Instance: st.idx, State: st.breaker.State(now).String(),
				Transitions: append([]BreakerTransition(nil), st.trans...), Dropped: st.dropped,
				Permitted: c.Permitted, Rejected: c.Rejected})
		}
	}
	if nb > 0 {
		r.BudgetLevel = lvl / float64(nb)
	}
	if withSeries {
		r.Series = e.series.Slice()
	}
	if e.pol.Bulkhead != nil && e.pol.Bulkhead.Pool {
		p := &PoolResult{WaitMean: math.NaN(), WaitP99: math.NaN(), Rejected: e.bulkheadRejected, Waited: e.bulkheadWaited}
		waits := sim.NewHistogram(3)
		for _, st := range e.states {
			b := &st.bulk
			p.Size += b.max
			p.InUse += b.inUse
			p.Idle += len(b.idle)
			p.PeakInUse = max(p.PeakInUse, b.peakInUse)
			p.MeanInUse += b.inUseLvl.Mean(now)
			p.Waiting += len(b.waiters)
			p.Opened += b.opened
			p.AcquireTimeouts += b.timeouts
			p.Leaked += b.leaked
			waits.Merge(b.waitHist)
		}
		// The edge counts a timed-out wait as a bulkhead refusal (it is
		// one to the caller); the pool reports the two apart.
		p.Rejected -= p.AcquireTimeouts
		if waits.Count() > 0 {
			p.WaitMean, p.WaitP99 = waits.Mean(), waits.Quantile(0.99)
		}
		r.Pool = p
	}
	return r
}

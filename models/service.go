package models

import (
	"fmt"
	"math"

	"cascade/models/policy"
	"cascade/sim"
)

// Service is a set of identical instances behind a load balancer.
type Service struct {
	m       *Model
	spec    ServiceSpec
	ops     []*op
	insts   []*instance
	rr      int       // round-robin cursor
	lbRand  *sim.Rand // random and p2c choices
	seen    []int     // the loads the balancer reads when Refresh > 0
	seenAt  sim.Time  // when seen was last refreshed
	workers int       // per instance; 0 = unlimited
	id      int32     // component id: services first, then workloads
	zoned   bool      // instances placed in zones: routed when sent (zone.go)

	stats
	late     int64     // completions after the caller had given up
	refused  int64     // failed at the door (crashed instance, errors fault): never admitted
	sojourn  float64   // nanoseconds (no division per reply), every completion since warm-up (Little's law)
	departed int64     // admitted calls that left (completed, shed or expired at dequeue)
	inFlight sim.Level // admitted and not finished, all instances
	queued   sim.Level // waiting for a worker, all instances
	busy     sim.Level // workers busy, all instances
	// down counts instances down (crashed, or in a zone outage): a
	// utilization of all workers would count theirs as idle and hide that
	// the rest are full.
	down sim.Level

	ivArea struct{ inFlight, queued, busy, down, ready float64 } // level areas at the last tick
	ivMech struct {                                              // the mechanism's counters at the last tick
		cache CachePoint
		dead  int64
	}

	// Admission (see ServiceSpec.Admission).
	limiters []*limiter      // one for the service, or one per instance; nil = none
	codels   []*policy.CoDel // per instance; nil = none
	ejector  *policy.Ejector
	healthy  []int // scratch: instances not ejected
	turned   int64 // throttled or shed at the door, or expired on arrival: never admitted
	expired  int64 // dropped because the caller's deadline had passed
	shedBy   ShedCauses
	retried  int64 // arrivals that were retries or hedges
	ejEvents []EjectionEvent
	cache    *cache    // caches only
	db       *database // databases only
	scaler   *scaler   // autoscaled services only
	rot      int       // inRotation's round robin
	queue    *queue    // queues only
	sagas    SagaStats
}

// SagaStats count the sagas a service's operations ran.
type SagaStats struct {
	Started      int64 `json:"started"`
	Completed    int64 `json:"completed"`
	Compensated  int64 `json:"compensated"`
	Undos        int64 `json:"undos"`         // undo steps run
	UndoFailures int64 `json:"undo_failures"` // undo steps that failed (the saga is left half undone)
}

// ShedCauses counts requests shed by each mechanism.
type ShedCauses struct {
	QueueTimeout int64 `json:"queue_timeout"`
	CoDel        int64 `json:"codel"`
	Priority     int64 `json:"priority"`
}

// EjectionEvent is an instance taken out of (or put back into) the
// balancer by outlier detection.
type EjectionEvent struct {
	At       sim.Time
	Instance int
	Ejected  bool
	Reason   string
}

// instance is one copy of a service: its workers and its waiting queue.
type instance struct {
	idx    int // index in the service, for per-instance policy state
	busy   int
	queue  []*call // ring buffer
	head   int
	n      int
	active int // busy + waiting: what least-request balancing compares

	running []*call // calls holding a worker, so a crash can reset them

	// Fault state; see injected.go. Faults compose: counts of crash and
	// pause faults holding the instance, the product of slow factors.
	epoch       uint32 // bumped by a crash: older calls and execs are remains
	down        int
	paused      int
	pauseSince  sim.Time
	pausedTotal sim.Time // every finished pause, for the work clock
	stalled     []*exec  // execs that tried to run during a pause
	held        []*call  // completions waiting for the pause to end
	slow        float64  // work multiplier; 1 when healthy
	errs        []*injected
	out         int  // deploys, autoscaling and zone outages holding it out of rotation (deploy.go, autoscale.go, zone.go)
	zone        int8 // its zone, from 1; 0 = unzoned
}

// clock is the instance's work clock: simulated time minus the time it
// spent paused. Work of length d started at clock c is done at clock c+d,
// which is how a GC pause stretches the work it interrupts.
func (in *instance) clock(now sim.Time) sim.Time {
	c := now - in.pausedTotal
	if in.paused > 0 {
		c -= now - in.pauseSince
	}
	return c
}

func (in *instance) push(c *call) {
	if in.n == len(in.queue) {
		grown := make([]*call, 2*len(in.queue)+8)
		for i := 0; i < in.n; i++ {
			grown[i] = in.queue[(in.head+i)%len(in.queue)]
		}
		in.queue, in.head = grown, 0
	}
	in.queue[wrap(in.head+in.n, len(in.queue))] = c
	in.n++
}

// wrap is i % n for i in [0, 2n): the index i steps to in a ring of n
// places, without a division (tens of cycles, on every request's path).
func wrap(i, n int) int {
	if i >= n {
		i -= n
	}
	return i
}

// take removes the next call to serve: the oldest under FIFO, the newest
// under LIFO.
func (in *instance) take(d Discipline) *call {
	var i int
	if d == LIFO {
		i = wrap(in.head+in.n-1, len(in.queue))
	} else {
		i = in.head
		in.head = wrap(in.head+1, len(in.queue))
	}
	c := in.queue[i]
	in.queue[i] = nil
	in.n--
	return c
}

// pick chooses an instance for a new request, around ejected ones.
func (s *Service) pick() *instance {
	n := len(s.insts)
	if n == 1 {
		return s.insts[0]
	}
	if s.spec.Refresh > 0 {
		s.refresh()
	}
	if s.ejector != nil {
		if now := s.m.eng.Now(); s.ejector.EjectedCount(now) > 0 {
			if in := s.pickHealthy(now); in != nil {
				return in
			}
		}
	}
	switch s.spec.Balancer {
	case Random:
		return s.insts[s.lbRand.IntN(n)]
	case LeastRequest:
		best := s.rr
		for k := 1; k < n; k++ {
			i := wrap(s.rr+k, n)
			if s.load(i) < s.load(best) {
				best = i
			}
		}
		s.rr = wrap(s.rr+1, n)
		return s.insts[best]
	case P2C:
		return s.insts[s.choose(n, nil)]
	case JSQ:
		return s.insts[s.shortest(n, nil)]
	default:
		in := s.insts[s.rr]
		s.rr = wrap(s.rr+1, n)
		return in
	}
}

// load is what a load-reading balancer sees of instance i: its active
// requests now, or at the last refresh.
func (s *Service) load(i int) int {
	if s.seen != nil {
		return s.seen[i]
	}
	return s.insts[i].active
}

// refresh takes a new snapshot of the loads when Refresh has passed since
// the last one. Snapshots fall on the grid of multiples of Refresh (taken
// lazily, at the first pick after each grid point: a pick sees exactly what
// a periodic report would have told it, without an event per report).
func (s *Service) refresh() {
	now, r := s.m.eng.Now(), s.spec.Refresh
	if s.seen != nil && now-s.seenAt < r {
		return
	}
	if s.seen == nil {
		s.seen = make([]int, len(s.insts))
	}
	for i, in := range s.insts {
		s.seen[i] = in.active
	}
	s.seenAt = now - now%r
}

// choose is the power of d choices over m candidates (instance indices h,
// or 0..m-1 when h is nil): d distinct ones sampled uniformly, the least
// loaded wins, ties to the first sampled. It returns an instance index.
func (s *Service) choose(m int, h []int) int {
	at := func(k int) int {
		if h != nil {
			return h[k]
		}
		return k
	}
	d := s.spec.Choices
	if d == 0 || d == 2 {
		// Two choices: the draws p2c always made.
		a, b := s.lbRand.IntN(m), s.lbRand.IntN(m-1)
		if b >= a {
			b++
		}
		if s.load(at(b)) < s.load(at(a)) {
			a = b
		}
		return at(a)
	}
	if d >= m {
		return s.shortest(m, h)
	}
	// Floyd's sampling: d draws, d distinct candidates.
	var small [8]int
	set := small[:0]
	best := -1
	for j := m - d; j < m; j++ {
		t := s.lbRand.IntN(j + 1)
		for _, x := range set {
			if x == t {
				t = j
				break
			}
		}
		set = append(set, t)
		if best < 0 || s.load(at(t)) < s.load(at(best)) {
			best = t
		}
	}
	return at(best)
}

// shortest is join the shortest queue over m candidates: the fewest active
// requests, ties broken uniformly at random (reservoir sampling).
func (s *Service) shortest(m int, h []int) int {
	best, ties := -1, 0
	for k := 0; k < m; k++ {
		i := k
		if h != nil {
			i = h[k]
		}
		switch l := s.load(i); {
		case best < 0 || l < s.load(best):
			best, ties = i, 1
		case l == s.load(best):
			ties++
			if s.lbRand.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return best
}

// pickHealthy is pick among the instances outlier detection has not
// ejected; nil when every one is (then all take traffic, as Envoy's panic
// threshold does).
func (s *Service) pickHealthy(now sim.Time) *instance {
	h := s.healthy[:0]
	for i := range s.insts {
		if !s.ejector.Ejected(now, i) {
			h = append(h, i)
		}
	}
	s.healthy = h
	if len(h) == 0 {
		return nil
	}
	return s.pickAmong(h)
}

// pickAmong is the service's balancer restricted to the instances in h
// (indices, ascending, at least one): outlier detection's survivors, or a
// zone's instances in rotation.
func (s *Service) pickAmong(h []int) *instance {
	n := len(s.insts)
	switch s.spec.Balancer {
	case Random:
		return s.insts[h[s.lbRand.IntN(len(h))]]
	case LeastRequest:
		best := -1
		for k := 0; k < n; k++ {
			i := wrap(s.rr+k, n)
			if inSet(h, i) && (best < 0 || s.load(i) < s.load(best)) {
				best = i
			}
		}
		s.rr = wrap(s.rr+1, n)
		return s.insts[best]
	case P2C:
		if len(h) == 1 {
			return s.insts[h[0]]
		}
		return s.insts[s.choose(len(h), h)]
	case JSQ:
		return s.insts[s.shortest(len(h), h)]
	}
	for k := 0; k < n; k++ {
		i := wrap(s.rr+k, n)
		if inSet(h, i) {
			s.rr = wrap(i+1, n)
			return s.insts[i]
		}
	}
	return s.insts[h[0]]
}

// limitedArrival is a call the service's leaky-queue limiter delayed,
// arriving for real.
type limitedArrival call

func (a *limitedArrival) Fire(any) {
	c := (*call)(a)
	// It was in the service while it waited (Little's law counts it, and
	// its time counts in the service's latency); it is admitted afresh now.
	c.svc.inFlight.Add(c.svc.m.eng.Now(), -1)
	c.svc.accept(c)
}

// accept is a call arriving: refuse it at the door (crashed instance,
// injected error, rate limit, priority shedding, an expired deadline),
// start it, queue it, or reject it.
func (s *Service) accept(c *call) {
	now := s.m.eng.Now()
	if !c.limited {
		s.arrive(now)
		c.arrived = now
		if c.retry {
			s.retried++
		}
	}
	in := c.inst
	routed := true
	switch {
	case s.db != nil:
		in, routed = s.db.route(c)
	case c.picked:
		// A zoned service: the instance was chosen when the call was sent.
	case !c.limited || len(s.limiters) < 2:
		// A per-instance limiter's delayed call stays with its instance.
		in = s.pick()
		if in.out > 0 {
			in = s.inRotation(in) // a deploy is restarting it
		}
	}
	c.inst = in
	if !routed || in.down > 0 || in.out > 0 || c.poison || (len(in.errs) > 0 && failFast(c, in)) {
		// Refused at the door: connection refused by a crashed instance, or
		// an injected error. No worker, no queue slot.
		s.refused++
		s.door(c, in, now, Error)
		return
	}
	adm := &s.spec.Admission
	if s.limiters != nil && !c.limited {
		lim := s.limiters[0]
		if len(s.limiters) > 1 {
			lim = s.limiters[in.idx]
		}
		ok, wait, after := lim.admit(now)
		switch {
		case !ok:
			c.retryAfter = after
			s.turned++
			s.door(c, in, now, Throttled)
			return
		case wait > 0:
			// A leaky queue releases it later, at the rate.
			c.limited = true
			s.inFlight.Add(now, 1)
			s.m.eng.After(wait, (*limitedArrival)(c), nil)
			return
		}
	}
	if adm.Deadlines != DeadlinesIgnored && c.deadline > 0 && now >= c.deadline {
		s.expired++
		s.turned++
		s.door(c, in, now, Timeout)
		return
	}
	switch {
	case in.paused == 0 && (s.workers == 0 || in.busy < s.workers):
		s.admit(c, in, now)
		s.start(c, in, now)
	case c.sheddable && adm.ShedAbove > 0 && in.n >= adm.ShedAbove:
		s.shedBy.Priority++
		s.turned++
		s.door(c, in, now, Shed)
	case s.spec.Queue == Unbounded || in.n < s.spec.Queue:
		s.admit(c, in, now)
		in.push(c)
		s.queued.Add(now, 1)
	default:
		s.door(c, in, now, Rejected)
	}
}

// door answers a call that was never admitted.
func (s *Service) door(c *call, in *instance, now sim.Time, o Outcome) {
	s.stats.end(now, o, 0)
	s.outlier(in, now, o)
	c.respond(o)
}

// outlier reports an outcome to outlier detection: errors, resets,
// rejections (503), sheds and server-side deadline drops are 5xx; a 429
// is not.
func (s *Service) outlier(in *instance, now sim.Time, o Outcome) {
	if s.ejector == nil {
		return
	}
	s.ejector.Result(now, in.idx, o != OK && o != Throttled)
	s.collectEjections()
}

func (s *Service) collectEjections() {
	for _, ev := range s.ejector.Events(nil) {
		if len(s.ejEvents) >= maxTransitions {
			break
		}
		s.ejEvents = append(s.ejEvents, EjectionEvent{At: ev.At, Instance: ev.Host,
			Ejected: ev.Reason != policy.Uneject, Reason: ev.Reason.String()})
	}
}

// serveNext gives free workers of in to waiting calls, dropping on the way
// the ones the admission policy says are no longer worth serving.
func (s *Service) serveNext(in *instance, now sim.Time) {
	for in.n > 0 && in.paused == 0 && in.down == 0 && (s.workers == 0 || in.busy < s.workers) {
		d := s.spec.Discipline
		if l := s.spec.Admission.LIFOAbove; l > 0 && in.n > l {
			d = LIFO // adaptive LIFO: while backed up, the newest first
		}
		next := in.take(d)
		s.queued.Add(now, -1)
		if s.dropAtDequeue(next, in, now) {
			continue
		}
		s.start(next, in, now)
	}
}

// dropAtDequeue sheds a call leaving the queue: its caller's deadline has
// passed (when the service honours deadlines), it waited longer than the
// queue-time limit, or CoDel drops it.
func (s *Service) dropAtDequeue(c *call, in *instance, now sim.Time) bool {
	adm := &s.spec.Admission
	sojourn := now - c.arrived
	o := OK
	switch {
	case adm.Deadlines != DeadlinesIgnored && c.deadline > 0 && now >= c.deadline:
		s.expired++
		o = Timeout
	case adm.QueueTimeout > 0 && sojourn > adm.QueueTimeout:
		s.shedBy.QueueTimeout++
		o = Shed
	case s.codels != nil && s.codels[in.idx].Dequeue(now, sojourn, in.n):
		s.shedBy.CoDel++
		o = Shed
	default:
		return false
	}
	s.leave(c, in, now, o, false)
	s.outlier(in, now, o)
	c.respond(o)
	return true
}

func (s *Service) admit(c *call, in *instance, now sim.Time) {
	c.admitted = true
	in.active++
	s.inFlight.Add(now, 1)
}

func (s *Service) start(c *call, in *instance, now sim.Time) {
	in.busy++
	s.busy.Add(now, 1)
	c.epoch = in.epoch
	c.slot = int32(len(in.running))
	in.running = append(in.running, c)
	x := &c.root
	x.m, x.op, x.steps, x.call = s.m, c.op, c.op.steps, c
	x.inst, x.epoch, x.key, x.sheddable = in, in.epoch, c.key, c.sheddable
	if s.db != nil && s.db.rows != nil {
		c.snap = s.db.rows.Read() // an optimistic write reads its row's version as it starts
	}
	if s.spec.Admission.Deadlines != DeadlinesIgnored {
		x.deadline = c.deadline
	}
	x.run()
}

// stopRunning takes c off its instance's running list.
func (in *instance) stopRunning(c *call) {
	last := in.running[len(in.running)-1]
	in.running[c.slot] = last
	last.slot = c.slot
	in.running[len(in.running)-1] = nil
	in.running = in.running[:len(in.running)-1]
}

// complete is the end of a call's operation: free the worker, record, hand
// the worker to the next waiting call, and send the reply.
func (s *Service) complete(c *call, o Outcome) {
	in := c.inst
	if c.epoch != in.epoch {
		// The remains of a call its instance's crash already ended and
		// counted: the caller heard an error then. Just let it go.
		c.respond(o)
		return
	}
	if in.paused > 0 {
		// A paused process sends nothing: the reply waits for the pause.
		c.outcome = o
		in.held = append(in.held, c)
		return
	}
	if o == OK && c.ackLSN == 0 && s.db != nil && s.db.conflict(c) {
		o = Error // an optimistic write whose row moved since it read it
	} else if o == OK && c.ackLSN == 0 && s.db != nil && s.db.isWrite(c.op) && s.db.committed(c) {
		// The reply waits for the replicas' acks, and so does the worker:
		// a database session waiting for synchronous replication holds
		// its connection (see acked).
		c.outcome = o
		return
	}
	s.finish(c, in, o)
}

// acked is a write the replicas have acknowledged: it ends as complete
// would have ended it (held by a pause, if one is on).
func (s *Service) acked(c *call) {
	in := c.inst
	if in.paused > 0 {
		in.held = append(in.held, c) // resume completes it; ackLSN says it is committed
		return
	}
	s.finish(c, in, c.outcome)
}

// finish frees c's worker, records it, hands the worker on and replies.
func (s *Service) finish(c *call, in *instance, o Outcome) {
	now := s.m.eng.Now()
	in.stopRunning(c)
	s.leave(c, in, now, o, true)
	if c.abandoned {
		s.late++
	}
	s.outlier(in, now, o)
	s.serveNext(in, now)
	c.respond(o)
}

// leave does the books of an admitted call that ends with o: it frees its
// place (and its worker, if it was running) and records its time in the
// service, which Little's law compares with the time-average in flight.
func (s *Service) leave(c *call, in *instance, now sim.Time, o Outcome, running bool) {
	if running {
		in.busy--
		s.busy.Add(now, -1)
	}
	in.active--
	s.inFlight.Add(now, -1)
	d := now - c.arrived
	s.sojourn += float64(d)
	s.departed++
	s.stats.end(now, o, d)
}

// fill starts waiting calls while workers are free, after a pause.
func (s *Service) fill(in *instance, now sim.Time) { s.serveNext(in, now) }

// restart begins the measured span; admitted calls still in flight count as
// arrivals of the new span, as for workloads.
func (s *Service) restart(now sim.Time) {
	s.stats.restart()
	s.arrivals = s.inFlight.Value()
	s.late, s.sojourn, s.refused, s.departed = 0, 0, 0, 0
	s.turned, s.expired, s.retried, s.shedBy = 0, 0, 0, ShedCauses{}
	s.sagas = SagaStats{}
	// The levels' areas start again from zero; the series interval under
	// way keeps what it had so far as a negative offset, so the point at
	// its end covers all of it rather than reading 0 at the warm-up.
	s.ivArea.inFlight -= s.inFlight.Area(now)
	s.ivArea.queued -= s.queued.Area(now)
	s.ivArea.busy -= s.busy.Area(now)
	s.ivArea.down -= s.down.Area(now)
	s.inFlight.Restart(now)
	s.queued.Restart(now)
	s.busy.Restart(now)
	s.down.Restart(now)
}

// tick closes a series interval of length iv.
func (s *Service) tick(now, iv sim.Time) {
	p := s.stats.point(now)
	sec := iv.Seconds()
	a, q, b := s.inFlight.Area(now), s.queued.Area(now), s.busy.Area(now)
	p.InFlight = (a - s.ivArea.inFlight) / sec
	p.Queue = (q - s.ivArea.queued) / sec
	p.Busy = (b - s.ivArea.busy) / sec
	s.ivArea.inFlight, s.ivArea.queued, s.ivArea.busy = a, q, b
	if s.workers > 0 {
		insts := float64(len(s.insts))
		if s.scaler != nil {
			r := s.scaler.ready.Area(now)
			insts, s.ivArea.ready = (r-s.ivArea.ready)/sec, r
		}
		d := s.down.Area(now)
		p.Workers = float64(s.workers) * max(0, insts-(d-s.ivArea.down)/sec)
		s.ivArea.down = d
	}
	s.mechPoint(&p, now)
	s.series.Push(p)
}

// mechPoint adds what the service's cache, database or queue did in the
// interval. Counters reset at the end of warm-up: a counter below its last
// value counts from zero.
func (s *Service) mechPoint(p *Point, now sim.Time) {
	diff := func(cur int64, last *int64) int64 {
		d := cur - *last
		if d < 0 {
			d = cur
		}
		*last = cur
		return d
	}
	if k := s.cache; k != nil {
		l := &s.ivMech.cache
		p.Cache = CachePoint{Lookups: diff(k.Lookups, &l.Lookups), Hits: diff(k.Hits, &l.Hits),
			StaleServes: diff(k.StaleServes, &l.StaleServes), Coalesced: diff(k.Coalesced, &l.Coalesced),
			OriginLoads: diff(k.OriginLoads, &l.OriginLoads)}
	}
	if d := s.db; d != nil {
		for _, r := range d.replicas {
			if !r.gone {
				p.ReplicaLag = math.Max(p.ReplicaLag, d.lag(r, now).Seconds())
			}
		}
	}
	if q := s.queue; q != nil {
		var dead int64
		for _, g := range q.result(now).Groups {
			p.Backlog += g.Backlog
			p.OldestAge = math.Max(p.OldestAge, g.OldestAge)
			dead += g.DeadLettered
		}
		p.Dead = diff(dead, &s.ivMech.dead)
	}
}

// Name is the service's name in the scenario.
func (s *Service) Name() string { return s.spec.Name }

// buildAdmission creates the service's admission state from its spec.
func (m *Model) buildAdmission(s *Service) error {
	adm := s.spec.Admission
	if rl := adm.RateLimit; rl != nil {
		n := 1
		if rl.PerInstance {
			n = len(s.insts)
		}
		for range n {
			l, err := newLimiter(*rl, 0)
			if err != nil {
				return fmt.Errorf("service %q: %v", s.spec.Name, err)
			}
			s.limiters = append(s.limiters, l)
		}
	}
	if cd := adm.CoDel; cd != nil {
		for range s.insts {
			c, err := policy.NewCoDel(cd[0], cd[1])
			if err != nil {
				return fmt.Errorf("service %q: %v", s.spec.Name, err)
			}
			s.codels = append(s.codels, c)
		}
	}
	if o := adm.Outlier; o != nil {
		e, err := policy.NewEjector(*o, len(s.insts), 0)
		if err != nil {
			return fmt.Errorf("service %q: %v", s.spec.Name, err)
		}
		s.ejector = e
		s.healthy = make([]int, 0, len(s.insts))
	}
	return nil
}

func (s *SagaStats) count(m *Model, f *int64) {
	if m.measuring() {
		*f++
	}
}

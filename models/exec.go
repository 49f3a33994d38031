package models

import (
	"sort"

	"cascade/sim"
	"cascade/sim/dist"
)

// op is an operation compiled for running: references resolved to pointers.
type op struct {
	svc   *Service
	name  string
	steps []step
	rng   *sim.Rand // every draw the operation makes: its own stream
}

// step is a Step with its references resolved.
type step struct {
	kind StepKind

	work dist.Dist

	target  *Service
	op      *op
	link    *link
	repeat  int
	timeout sim.Time
	edge    *edge // the call's policy, or nil for a plain call
	pair    *pair // the caller -> service counts

	children  [][]step // Parallel: each child as a one-step sequence
	waitFirst bool

	arms []arm // Branch

	failP float64

	cache   *cache // cache operations: the cache they act on
	cacheOf *cache // Cache step: the target's cache
	fillOp  *op    // Cache step: the target's set operation

	outboxTo *queue     // Call: a database write that carries an outbox event
	owes     *queue     // Call: a database write a dual-write publish must follow
	pays     bool       // Call: the publish that settles what the write owed
	saga     []sagaPair // Saga
}

// sagaPair is a compiled saga action and its undo.
type sagaPair struct {
	do, undo [][]step // each a single sequence, run as a fork
}

type arm struct {
	cum float64  // cumulative probability up to and including this arm
	seq [][]step // the arm's steps, as the single sequence of a fork
}

// exec runs a sequence of steps for one request inside a worker. The root
// exec of a call is the whole operation; Parallel and Branch steps run their
// parts as child execs that report to a join. A child never touches the call
// that started it, only its join — so when a wait-first parallel moves on,
// the children still running can finish safely after the call is gone.
type exec struct {
	m     *Model
	op    *op
	steps []step
	pc    int
	rep   int // calls done of the current Call step

	call *call // root exec: the call whose operation this is
	join *join // child exec: where to report

	inst  *instance // where it runs: pauses stall it, a crash ends it
	epoch uint32    // the instance's epoch when the call started
	key   uint32    // the request's key, for downstream calls
	wend  sim.Time  // Work step: the instance's work clock when it is done

	deadline sim.Time // the caller's deadline, when this service honours deadlines; 0 = none

	// Caches.
	waitTimer sim.Timer // a coalesced miss's wait for another's load
	missAt    sim.Time  // when a load began (for the fill's Δ)

	hangOn *pair // the pair of the call out now with no time limit (hangs)

	owed  *queue // a dual write committed to the database, its publish not done yet
	sagaK int32  // Saga: actions done
	undoK int32  // Saga: next action to undo

	// Flags, together so the struct packs tight.
	inWork    bool // stalled by a pause in the middle of a Work step
	sheddable bool // the request is sheddable traffic, and so are its calls
	missing   bool // a Cache step's miss steps run: fill when they end
	writeStep bool // a cache write waits for its origin
	undoing   bool // Saga: compensating
}

// join waits for the child execs of one Parallel or Branch step.
type join struct {
	m         *Model
	parent    *exec
	pending   int
	waitFirst bool
	resumed   bool // the parent has moved on
	failed    bool
}

// workDone is the end of a Work step.
type workDone exec

func (w *workDone) Fire(any) {
	x := (*exec)(w)
	if in := x.inst; in.pausedTotal != 0 || in.paused > 0 {
		// The instance has been paused since: has the work had its time?
		if in.paused > 0 {
			x.inWork = true
			in.stalled = append(in.stalled, x)
			return
		}
		if rest := x.wend - in.clock(x.m.eng.Now()); rest > 0 {
			x.m.eng.After(rest, w, nil)
			return
		}
	}
	x.pc++
	x.run()
}

// unstall continues an exec stalled by a pause that has ended.
func (x *exec) unstall() {
	if x.inWork {
		x.inWork = false
		(*workDone)(x).Fire(nil)
		return
	}
	x.run()
}

// run executes steps from pc until one has to wait or the sequence ends.
func (x *exec) run() {
	in := x.inst
	if in.paused > 0 {
		in.stalled = append(in.stalled, x)
		return
	}
	if x.epoch != in.epoch {
		x.finish(Error) // its instance crashed: stop doing anything
		return
	}
	if x.deadline > 0 && x.op.svc.spec.Admission.Deadlines == DeadlinesAbort && x.m.eng.Now() >= x.deadline {
		x.finish(Timeout) // the caller has given up: stop at this step
		return
	}
	for x.pc < len(x.steps) {
		s := &x.steps[x.pc]
		switch s.kind {
		case Work:
			d := s.work.Sample(x.op.rng)
			if in.slow != 1 {
				d = sim.Time(float64(d) * in.slow)
			}
			if d > 0 {
				x.wend = in.clock(x.m.eng.Now()) + d
				x.m.eng.After(d, (*workDone)(x), nil)
				return
			}
		case Fail:
			if s.failP > 0 && x.op.rng.Float64() < s.failP {
				x.finish(Error)
				return
			}
		case Call:
			x.callOnce(s)
			return
		case Cache:
			x.cacheLookup(s)
			return
		case CacheServe:
			x.cacheServe(s.cache)
			return
		case CacheFill:
			x.cacheFill(s.cache)
		case CacheWrite:
			x.cacheWrite(s.cache)
			return
		case CacheDelete:
			s.cache.remove(x.key)
		case QueuePublish:
			x.op.svc.queue.publish(x.key, false)
		case Publish:
			// through the outbox: the write before it carried the event
		case Saga:
			x.sagaK, x.undoing = 0, false
			x.op.svc.sagas.count(x.m, &x.op.svc.sagas.Started)
			x.fork(s.saga[0].do, false)
			return
		case Parallel:
			x.fork(s.children, s.waitFirst)
			return
		case Branch:
			// The first arm whose cumulative probability passes u, found
			// by bisection: a branch over a thousand backends costs ten
			// comparisons, not five hundred. None when the arms' total is
			// below 1 and u falls past it.
			u := x.op.rng.Float64()
			if i := sort.Search(len(s.arms), func(i int) bool { return u < s.arms[i].cum }); i < len(s.arms) {
				x.fork(s.arms[i].seq, false)
				return
			}
		}
		x.pc++
	}
	x.finish(OK)
}

func (x *exec) callOnce(s *step) {
	s.pair.sent(x.m.measuring())
	if x.unbounded(s) {
		s.pair.open.add(x.m.eng.Now())
		x.hangOn = s.pair
	}
	if s.edge != nil {
		s.edge.begin(x, x.key, x.sheddable, x.inst.idx, x.deadline)
		return
	}
	m := x.m
	c := m.newCall(s.target, s.op, x, s.link, x.op.svc.id, x.key)
	c.sheddable = x.sheddable
	c.outbox = s.outboxTo
	timeout := s.timeout
	if timeout > 0 {
		c.deadline = m.eng.Now() + timeout
	}
	if x.deadline > 0 && (c.deadline == 0 || x.deadline < c.deadline) {
		// A propagated deadline bounds the call: the caller's caller will
		// not wait longer, so neither does this call.
		c.deadline = x.deadline
		timeout = max(x.deadline-m.eng.Now(), 1)
	}
	m.send(c, timeout, s.timeout)
}

// unbounded says step s, sent now, waits for ever if its callee never
// answers: no timeout on the step or its policy and no deadline from above.
// A cache lookup takes only its own timeout (cacheLookup).
func (x *exec) unbounded(s *step) bool {
	switch {
	case s.edge != nil:
		return s.edge.unbounded(x.deadline)
	case s.kind == Cache:
		return s.timeout == 0
	}
	return s.timeout == 0 && x.deadline == 0
}

// reply continues after a Call step's reply. Anything but OK fails the
// operation: the caller reports an error of its own, whatever went wrong
// below it.
func (x *exec) reply(c *call, o Outcome, sent sim.Time) {
	s := &x.steps[x.pc]
	if s.pair != nil {
		s.pair.ended(o, x.m.measuring())
	}
	if x.hangOn != nil {
		x.hangOn.open.remove(sent)
		x.hangOn = nil
	}
	switch s.kind {
	case Cache:
		x.cacheReply(s, c, o)
		return
	case CacheServe:
		x.originReply(s.cache, o)
		return
	case CacheWrite:
		x.writeStep = false
		if o != OK {
			x.finish(Error)
			return
		}
		if s.cache.spec.Writes == WriteThrough {
			s.cache.put(x.key, x.m.eng.Now(), 0, false)
		}
		x.pc++
		x.run()
		return
	}
	if o != OK {
		x.finish(Error)
		return
	}
	switch {
	case s.owes != nil:
		x.owed = s.owes // written; the event is still to publish
	case s.pays:
		x.owed = nil
	}
	x.rep++
	if x.rep < s.repeat {
		x.run() // the same Call step again, unless paused or crashed
		return
	}
	x.rep = 0
	x.pc++
	x.run()
}

// fork starts one child exec per sequence and waits on a join. A Branch is
// a fork of its chosen arm alone.
//
// A child may finish at once and even resume the parent, which may then
// finish and be recycled: nothing of x is read after the first child starts.
func (x *exec) fork(seqs [][]step, waitFirst bool) {
	m, o, inst, epoch, key, dl, shed := x.m, x.op, x.inst, x.epoch, x.key, x.deadline, x.sheddable
	j := m.newJoin()
	j.m, j.parent, j.pending, j.waitFirst = m, x, len(seqs), waitFirst
	for _, seq := range seqs {
		c := m.newExec()
		c.op, c.steps, c.join = o, seq, j
		c.inst, c.epoch, c.key, c.deadline, c.sheddable = inst, epoch, key, dl, shed
		c.run()
	}
}

// finish ends this exec with o: a root exec completes its call, a child
// reports to its join.
func (x *exec) finish(o Outcome) {
	if x.owed != nil {
		// A dual write ends between its two writes: the database has the
		// change, the queue never hears of it.
		if x.m.measuring() {
			x.owed.LostEvents++
		}
		x.owed = nil
	}
	if x.call != nil {
		x.call.svc.complete(x.call, o)
		return
	}
	j := x.join
	x.m.freeExec(x)
	j.childDone(o)
}

func (j *join) childDone(o Outcome) {
	m := j.m
	j.pending--
	if o != OK {
		j.failed = true
	}
	if !j.resumed {
		switch {
		case j.waitFirst && o == OK:
			j.resume(OK)
		case j.pending == 0 && j.waitFirst:
			j.resume(Error) // every child failed
		case j.pending == 0 && j.failed:
			j.resume(Error)
		case j.pending == 0:
			j.resume(OK)
		}
	}
	if j.pending == 0 {
		m.freeJoin(j)
	}
}

// resume continues the parent after the fork. pending is checked by the
// caller after resume returns, so the parent may run to completion here.
func (j *join) resume(o Outcome) {
	j.resumed = true
	p := j.parent
	switch s := &p.steps[p.pc]; s.kind {
	case Cache:
		p.missDone(s, o)
		return
	case Saga:
		p.sagaNext(s, o)
		return
	}
	if o != OK {
		p.finish(Error)
		return
	}
	p.pc++
	p.run()
}

func (m *Model) newExec() *exec {
	if n := len(m.execs); n > 0 {
		x := m.execs[n-1]
		m.execs = m.execs[:n-1]
		return x
	}
	return &exec{m: m}
}

func (m *Model) freeExec(x *exec) {
	*x = exec{m: m}
	m.execs = append(m.execs, x)
}

func (m *Model) newJoin() *join {
	if n := len(m.joins); n > 0 {
		j := m.joins[n-1]
		m.joins = m.joins[:n-1]
		return j
	}
	return &join{}
}

func (m *Model) freeJoin(j *join) {
	*j = join{}
	m.joins = append(m.joins, j)
}

// sagaNext continues a saga after an action or an undo.
func (x *exec) sagaNext(s *step, o Outcome) {
	sv := x.op.svc
	if x.undoing {
		if o != OK {
			sv.sagas.count(x.m, &sv.sagas.UndoFailures)
		}
		x.undoK--
		x.runUndo(s)
		return
	}
	if o == OK {
		x.sagaK++
		if int(x.sagaK) < len(s.saga) {
			x.fork(s.saga[x.sagaK].do, false)
			return
		}
		sv.sagas.count(x.m, &sv.sagas.Completed)
		x.pc++
		x.run()
		return
	}
	// Action sagaK failed: undo the ones before it, newest first.
	sv.sagas.count(x.m, &sv.sagas.Compensated)
	x.undoing, x.undoK = true, x.sagaK-1
	x.runUndo(s)
}

// runUndo runs the next undo step, or ends the saga failed.
func (x *exec) runUndo(s *step) {
	for x.undoK >= 0 && s.saga[x.undoK].undo == nil {
		x.undoK--
	}
	if x.undoK < 0 {
		x.undoing = false
		x.finish(Error)
		return
	}
	x.op.svc.sagas.count(x.m, &x.op.svc.sagas.Undos)
	x.fork(s.saga[x.undoK].undo, false)
}

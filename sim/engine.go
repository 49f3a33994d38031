package sim

import (
	"math"
	"math/bits"
	"slices"
)

// Handler receives an event. Models implement it on the object the event is
// about (a service instance, a call in flight), and use arg to say which one
// of several things it concerns; storing a pointer in arg does not allocate.
type Handler interface {
	Fire(arg any)
}

// HandlerFunc adapts a function to Handler. A func value that captures
// variables allocates once when it is created, so hot paths should implement
// Handler on a long-lived object instead and use this only for one-off events.
type HandlerFunc func(arg any)

// Fire calls f(arg).
func (f HandlerFunc) Fire(arg any) { f(arg) }

// Timer names a scheduled event so that it can be cancelled. The zero Timer
// names nothing; cancelling it is a no-op.
type Timer struct {
	slot uint32
	gen  uint32
}

// entry is one pending event in the queue (radixHeap). Only the ordering key
// lives here so that the queue moves 16-byte values; what to call is kept in
// the slot. The key packs the sequence number above the slot: ordering by
// (at, key) is ordering by (at, seq), since sequence numbers are unique.
type entry struct {
	at  Time
	key uint64 // seq<<32 | slot
}

func (x entry) slot() uint32 { return uint32(x.key) }

// newEntry names slot id as the next event scheduled at at. Its callers
// renumber first when sequence numbers have run out (kept out of here so
// that it inlines).
func (e *Engine) newEntry(at Time, id uint32) entry {
	e.seq++
	return entry{at, e.seq<<32 | uint64(id)}
}

// renumber gives the pending events the sequence numbers 1..n in their
// order, so that sequence numbers never run out: ties still go to whoever
// was scheduled first. It runs once every four billion events scheduled.
func (e *Engine) renumber() {
	var seqs []uint64
	e.eachPending(func(x *entry) { seqs = append(seqs, x.key>>32) })
	slices.Sort(seqs)
	seqs = slices.Compact(seqs) // a lane's front is in the heap too
	e.eachPending(func(x *entry) {
		r, _ := slices.BinarySearch(seqs, x.key>>32)
		x.key = uint64(r+1)<<32 | uint64(x.slot())
	})
	e.seq = uint64(len(seqs))
}

// eachPending calls f on every pending entry in the heap and in the lanes (a
// lane's front twice: it is in both).
func (e *Engine) eachPending(f func(*entry)) {
	e.q.each(f)
	for _, l := range e.lanes {
		for i := 0; i < l.n; i++ {
			f(&l.buf[(l.start+i)&(len(l.buf)-1)])
		}
	}
}

// slot holds the callback of a pending event. gen changes every time the slot
// is freed, so a Timer kept past its event cannot cancel a later one.
type slot struct {
	h    Handler
	arg  any
	lane *lane // the lane the event waits in, or nil when it is in the heap
	gen  uint32
}

// Engine is a single-threaded discrete-event scheduler. Events fire in order
// of (time, sequence), where the sequence number is assigned when an event is
// scheduled: ties go to whoever scheduled first.
//
// Cancellation is lazy: a cancelled event stays in the heap with an empty slot
// and is dropped when it reaches the front. That keeps Cancel O(1) and the queue
// free of back-pointer updates. Timeouts are mostly cancelled long before they
// are due, so dead entries could outnumber live ones; when they pass half the
// queue it is filtered, which keeps the cost amortised O(1) per
// cancellation and the heap at most twice its live size.
//
// The engine can be driven in pieces: RunUntil a time, Step one event, Stop
// from inside a handler and resume with another RunUntil. The TUI drives it
// that way; headless runs call RunUntil once.
type Engine struct {
	now Time
	seq uint64
	// seqLimit is the largest sequence number a key holds (a field so a
	// test can make renumbering happen).
	seqLimit uint64
	q        radixHeap
	slots    []slot
	free     []uint32
	fired    uint64
	dead     int // cancelled entries still in the heap
	stopped  bool
	seed     uint64

	lanes    []*lane // AfterFixed's FIFOs, one per delay
	lastLane *lane
}

// NewEngine returns an engine at time zero whose random streams derive from
// seed.
func NewEngine(seed uint64) *Engine {
	return &Engine{seqLimit: 1<<32 - 1, seed: seed, slots: make([]slot, 0, 1024)}
}

// Now is the current simulated time.
func (e *Engine) Now() Time { return e.now }

// Seed is the run's seed.
func (e *Engine) Seed() uint64 { return e.seed }

// Fired counts the events delivered so far (cancelled ones excluded).
func (e *Engine) Fired() uint64 { return e.fired }

// Pending counts the events scheduled and not yet fired or dropped,
// including cancelled ones that have not reached the top yet.
func (e *Engine) Pending() int {
	n := e.q.n
	for _, l := range e.lanes {
		n += max(l.n-1, 0) // its front is in the heap
	}
	return n
}

// Stream returns the random stream called name for this run's seed. Ask once
// per component and keep it: two calls with one name return two generators
// that repeat each other.
func (e *Engine) Stream(name string) *Rand { return NewStream(e.seed, name) }

// After schedules h.Fire(arg) d after now. A negative d is treated as zero:
// nothing can happen in the past.
func (e *Engine) After(d Time, h Handler, arg any) Timer {
	return e.At(e.due(d), h, arg)
}

// due is the time d after now: a negative d counts as zero, and an
// overflow saturates at Forever.
func (e *Engine) due(d Time) Time {
	at := e.now + max(d, 0)
	if at < e.now {
		return Forever
	}
	return at
}

// At schedules h.Fire(arg) at time at (clamped to now if earlier).
func (e *Engine) At(at Time, h Handler, arg any) Timer {
	if at < e.now {
		at = e.now
	}
	return e.schedule(at, h, arg, nil)
}

// schedule files h.Fire(arg) at at, which its callers have made no earlier
// than now: in lane l when l is not nil (the lane's front in the queue too),
// otherwise in the queue.
func (e *Engine) schedule(at Time, h Handler, arg any, l *lane) Timer {
	if e.seq >= e.seqLimit {
		e.renumber()
	}
	id, s := e.alloc()
	s.h, s.arg, s.lane = h, arg, l
	x := e.newEntry(at, id)
	if l == nil {
		e.q.push(x)
	} else if l.push(x); l.n == 1 {
		e.q.push(x)
	}
	return Timer{slot: id, gen: s.gen}
}

// alloc takes a free slot.
func (e *Engine) alloc() (uint32, *slot) {
	var id uint32
	if n := len(e.free); n > 0 {
		id = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		id = uint32(len(e.slots))
		e.slots = append(e.slots, slot{gen: 1})
	}
	return id, &e.slots[id]
}

// Cancel stops a scheduled event from firing. It reports whether the event
// was still pending; cancelling twice, or after the event fired, is harmless.
func (e *Engine) Cancel(t Timer) bool {
	if t.gen == 0 || int(t.slot) >= len(e.slots) {
		return false
	}
	s := &e.slots[t.slot]
	if s.gen != t.gen || s.h == nil {
		return false
	}
	s.h, s.arg = nil, nil
	if l := s.lane; l != nil { // skipped when it reaches the lane's front
		if l.front().slot() != t.slot {
			l.dead++
			if l.dead > compactFrom && 3*l.dead > 2*l.n {
				e.compactLane(l)
			}
		}
		return true
	}
	e.dead++
	if e.dead > compactFrom && e.dead > e.q.n/2 {
		e.compact()
	}
	return true
}

// compactFrom is how many cancelled entries a heap or a lane may hold
// whatever its size; past it the heap's are dropped once they are half of
// it, a lane's once they are two thirds (see compactLane), so the heap holds
// at most about twice its live events plus this and a lane three times.
const compactFrom = 64

// compact drops cancelled entries. A lane's front stays, cancelled or not:
// dropping it is the lane's job.
func (e *Engine) compact() {
	e.q.filter(func(x entry) bool {
		if s := &e.slots[x.slot()]; s.h != nil || s.lane != nil {
			return true
		}
		e.release(x.slot())
		return false
	})
	e.dead = 0
}

// Stop makes the current RunUntil return after the event being handled.
// Pending events stay scheduled: a later RunUntil resumes exactly there.
func (e *Engine) Stop() { e.stopped = true }

// NextAt is the time of the next pending event, or Forever when none is.
func (e *Engine) NextAt() Time {
	for e.q.n > 0 {
		top := e.q.min()
		if e.slots[top.slot()].h != nil {
			return top.at
		}
		e.q.pop()
		e.drop(top) // a cancelled entry
	}
	return Forever
}

// Step fires the next pending event and reports whether there was one.
func (e *Engine) Step() bool {
	if e.NextAt() == Forever {
		return false
	}
	top := e.q.min()
	e.q.pop()
	e.fire(top)
	return true
}

// RunUntil fires every event due at or before until, then advances the clock
// to until. It returns early, with the clock at the last event fired, when a
// handler calls Stop; it reports whether it reached until.
func (e *Engine) RunUntil(until Time) bool {
	return e.RunUntilN(until, math.MaxUint64)
}

// RunUntilN is RunUntil firing at most n events: when the n-th is fired
// before until is reached, it returns false with the clock at that event,
// and a later call resumes exactly there. A caller that must stay
// responsive (to an interrupt, say) uses it so that even a run whose clock
// stands still returns in bounded work.
func (e *Engine) RunUntilN(until Time, n uint64) bool {
	e.stopped = false
	limit := e.fired + n
	if limit < e.fired {
		limit = math.MaxUint64
	}
	for e.q.n > 0 {
		top := e.q.min()
		if top.at > until {
			break
		}
		e.q.pop()
		e.fire(top)
		if e.stopped || e.fired >= limit {
			return false
		}
	}
	if until > e.now && until != Forever {
		e.now = until
	}
	return true
}

// fire delivers a popped entry unless it was cancelled. The slot is freed
// before the callback runs so the handler may schedule into it again.
func (e *Engine) fire(top entry) {
	s := &e.slots[top.slot()]
	if s.h == nil {
		e.drop(top)
		return
	}
	h, arg, l := s.h, s.arg, s.lane
	e.release(top.slot())
	if l != nil {
		e.advance(l)
	}
	e.now = top.at
	e.fired++
	h.Fire(arg)
}

// drop frees a cancelled entry popped from the heap.
func (e *Engine) drop(x entry) {
	l := e.slots[x.slot()].lane
	e.release(x.slot())
	if l != nil {
		e.advance(l)
	} else {
		e.dead--
	}
}

func (e *Engine) release(id uint32) {
	s := &e.slots[id]
	s.h, s.arg, s.lane = nil, nil, nil
	s.gen++
	if s.gen == 0 { // never hand out generation 0: the zero Timer uses it
		s.gen = 1
	}
	e.free = append(e.free, id)
}

// less orders entries by (time, sequence).
func less(a, b entry) bool {
	return lessBit(a, b) != 0
}

// lessBit is less as 0 or 1, computed as the borrow of the 128-bit
// subtraction (at, seq)a - (at, seq)b, without a branch. Times are never
// negative, so comparing them as unsigned is exact.
func lessBit(a, b entry) uint64 {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

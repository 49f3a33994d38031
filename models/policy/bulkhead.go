package policy

import (
	"fmt"

	"cascade/sim"
)

// Admission is a bulkhead's answer to a call.
type Admission uint8

const (
	Admitted Admission = iota // holds a permit now; Release it when done
	Queued                    // waits for a permit: Release hands it over, or it expires
	Rejected                  // full (BulkheadFullException / Envoy overflow)
)

func (a Admission) String() string {
	switch a {
	case Admitted:
		return "admitted"
	case Queued:
		return "queued"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("Admission(%d)", uint8(a))
}

// Bulkhead is a semaphore of maxConcurrent permits with an optional bounded
// FIFO of waiters (ref 1.3): resilience4j SemaphoreBulkhead
// (maxConcurrentCalls 25, maxWaitDuration 0 = reject at once when full), a
// ThreadPoolBulkhead's queue (queueCapacity 100), Envoy's max_requests with
// max_pending_requests, or a connection pool.
//
// The caller owns the waiting requests and names them by an id of its
// choosing. A queued waiter gets its permit from a later Release, which
// returns its id. Waiting time limits (resilience4j maxWaitDuration, a pool's
// acquire timeout) are the caller's timer: when it fires the caller calls
// Cancel(id); true means the waiter timed out, false that a Release at or
// before that instant already handed it the permit (the engine's event order
// decides a tie, deterministically).
type Bulkhead struct {
	max   int
	inUse int

	queue []uint64 // ring of waiter ids, capacity = queue capacity
	head  int
	n     int

	ctr BulkheadCounters
}

// BulkheadCounters are run totals.
type BulkheadCounters struct {
	Admitted  uint64 // got a permit at once
	Queued    uint64
	Handed    uint64 // waiters that got a permit from a Release
	Rejected  uint64
	Cancelled uint64
}

// Resilience4jBulkhead is resilience4j's SemaphoreBulkhead default: 25
// concurrent calls, no waiting (NewBulkhead(Resilience4jBulkhead, 0)).
const Resilience4jBulkhead = 25

// NewBulkhead returns a bulkhead of maxConcurrent permits with room for
// queue waiters; queue 0 rejects at once when the permits are taken.
func NewBulkhead(maxConcurrent, queue int) (*Bulkhead, error) {
	if maxConcurrent < 0 || queue < 0 {
		return nil, fmt.Errorf("bulkhead: negative setting")
	}
	return &Bulkhead{max: maxConcurrent, queue: make([]uint64, queue)}, nil
}

// Acquire asks for a permit for call id at now. Waiters are served in
// order, so a call never overtakes one already waiting.
func (b *Bulkhead) Acquire(now sim.Time, id uint64) Admission {
	if b.inUse < b.max && b.n == 0 {
		b.inUse++
		b.ctr.Admitted++
		return Admitted
	}
	if b.n == len(b.queue) {
		b.ctr.Rejected++
		return Rejected
	}
	b.queue[(b.head+b.n)%len(b.queue)] = id
	b.n++
	b.ctr.Queued++
	return Queued
}

// Release returns a permit at now. If a waiter is queued the permit passes
// to the oldest one, whose id is returned with handed true.
func (b *Bulkhead) Release(now sim.Time) (id uint64, handed bool) {
	if b.n > 0 {
		id = b.queue[b.head]
		b.head = (b.head + 1) % len(b.queue)
		b.n--
		b.ctr.Handed++
		return id, true
	}
	if b.inUse > 0 {
		b.inUse--
	}
	return 0, false
}

// Cancel removes waiter id (its caller gave up or timed out) and reports
// whether it was waiting. It scans and closes up the queue, so the slot is
// free at once.
func (b *Bulkhead) Cancel(now sim.Time, id uint64) bool {
	q := len(b.queue)
	for i := 0; i < b.n; i++ {
		if b.queue[(b.head+i)%q] != id {
			continue
		}
		for j := i; j < b.n-1; j++ {
			b.queue[(b.head+j)%q] = b.queue[(b.head+j+1)%q]
		}
		b.n--
		b.ctr.Cancelled++
		return true
	}
	return false
}

// InUse is the permits taken; Waiting the queued waiters.
func (b *Bulkhead) InUse() int   { return b.inUse }
func (b *Bulkhead) Waiting() int { return b.n }

// Counters returns the run totals.
func (b *Bulkhead) Counters() BulkheadCounters { return b.ctr }

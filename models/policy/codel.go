package policy

import (
	"fmt"
	"math"

	"cascade/sim"
)

// CoDel is the Controlled Delay queue discipline of RFC 8289 (Nichols &
// Jacobson; ref 1.5), applied to a request queue the caller owns. When the
// sojourn time of dequeued requests has stayed at or above Target for a whole
// Interval, it drops the head, and keeps dropping at instants spaced by the
// control law interval/√count while the sojourn stays high.
//
// Protocol: when a worker frees, the caller pops the head and calls
// Dequeue(now, sojourn, remaining). If it returns true the request is
// dropped, and the caller must at once (same now) offer the next head the
// same way, until Dequeue returns false (serve that request) or the queue is
// empty. That is exactly the RFC's dequeue() loop, one packet per call.
//
// The RFC does not mark a packet droppable while the queue holds at most
// one maximum-size packet (bytes <= MAXPACKET); for requests that is
// remaining <= 1 after this one. Count starts the RFC way (Linux variant):
// re-entering the dropping state soon after leaving it resumes near the
// previous drop rate. The control law truncates to the nanosecond.
type CoDel struct {
	target, interval sim.Time

	firstAbove sim.Time // 0 = sojourn not above target
	dropNext   sim.Time
	count      int
	lastCount  int
	dropping   bool

	phase   uint8 // what the next call continues (same instant)
	phaseAt sim.Time

	drops uint64
}

// What the next Dequeue call continues.
const (
	codelIdle       = iota
	codelAfterFirst // the call after the first drop of a dropping state
	codelInLoop     // the call after a drop inside the dropping loop
)

const (
	codelMaxPacket   = 1  // remaining requests at or below which nothing is dropped
	codelResumeSpans = 16 // RFC: resume the count if within 16 intervals
)

// NewCoDel returns CoDel with the given target and interval; 0 means the RFC
// defaults 5 ms and 100 ms.
func NewCoDel(target, interval sim.Time) (*CoDel, error) {
	if target == 0 {
		target = 5 * sim.Millisecond
	}
	if interval == 0 {
		interval = 100 * sim.Millisecond
	}
	if target < 0 || interval < 0 {
		return nil, fmt.Errorf("codel: negative target or interval")
	}
	return &CoDel{target: target, interval: interval}, nil
}

// controlLaw is t + interval/√count.
func (c *CoDel) controlLaw(t sim.Time, count int) sim.Time {
	return t + sim.Time(float64(c.interval)/math.Sqrt(float64(count)))
}

// okToDrop is the RFC's dodequeue() for one request.
func (c *CoDel) okToDrop(now, sojourn sim.Time, remaining int) bool {
	if sojourn < c.target || remaining <= codelMaxPacket {
		c.firstAbove = 0
		return false
	}
	if c.firstAbove == 0 {
		c.firstAbove = now + c.interval
		return false
	}
	return now >= c.firstAbove
}

// Dequeue decides whether the request just taken from the head, having
// waited sojourn, is dropped; remaining is the queue length after it.
func (c *CoDel) Dequeue(now, sojourn sim.Time, remaining int) (drop bool) {
	ok := c.okToDrop(now, sojourn, remaining)
	phase := c.phase
	if now != c.phaseAt {
		phase = codelIdle // the caller did not continue the loop; start afresh
	}
	c.phase = codelIdle
	switch phase {
	case codelAfterFirst:
		return false
	case codelInLoop:
		if !ok {
			c.dropping = false
		} else {
			c.dropNext = c.controlLaw(c.dropNext, c.count)
		}
		return c.loopDrop(now)
	}
	if c.dropping {
		if !ok {
			c.dropping = false
		}
		return c.loopDrop(now)
	}
	if !ok {
		return false
	}
	c.dropping = true
	delta := c.count - c.lastCount
	c.count = 1
	if delta > 1 && now-c.dropNext < codelResumeSpans*c.interval {
		c.count = delta
	}
	c.dropNext = c.controlLaw(now, c.count)
	c.lastCount = c.count
	c.phase, c.phaseAt = codelAfterFirst, now
	c.drops++
	return true
}

// loopDrop is one turn of the RFC's while (now >= drop_next && dropping).
func (c *CoDel) loopDrop(now sim.Time) bool {
	if !c.dropping || now < c.dropNext {
		return false
	}
	c.count++
	c.phase, c.phaseAt = codelInLoop, now
	c.drops++
	return true
}

// Dropping reports whether CoDel is in its dropping state.
func (c *CoDel) Dropping() bool { return c.dropping }

// DropNext is when the next drop is due while dropping.
func (c *CoDel) DropNext() sim.Time { return c.dropNext }

// Count is the RFC's count: drops since entering the dropping state (or the
// resumed value).
func (c *CoDel) Count() int { return c.count }

// Drops is the total number of drops.
func (c *CoDel) Drops() uint64 { return c.drops }

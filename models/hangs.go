package models

import "cascade/sim"

// HungAfter is how long a call with no time limit must have been in flight
// before it counts as hung. Nothing in the model ever gives up on such a
// call, so "hung" is a judgement of the screen, not a state of the call: a
// second is far past every latency a healthy built-in has, and short enough
// that a room sees the hang within a tick of the fault.
const HungAfter = sim.Second

// Hung is what a caller is waiting on with no timeout, deadline or
// propagated deadline anywhere above it: calls that, if the callee never
// answers, are in flight for ever and hold whatever they hold (a worker, a
// pool connection, a caller's own request).
type Hung struct {
	Calls  int64    // in flight for at least HungAfter, with no time limit
	Oldest sim.Time // age of the oldest of them; 0 when Calls is 0
}

// hangGrain is the resolution of the send instants hangs keeps: a tenth
// of HungAfter, so "hung" and the oldest age are exact to 100 ms.
const hangGrain = HungAfter / 10

// hangs tracks the calls of one pair that were sent with no time limit, by
// send instant to hangGrain: n[i] counts the calls still out that were sent
// in grain start+i. Sends come in time order, so they only ever append; a
// reply finds its grain by subtraction. Both are O(1): every call of a
// scenario without timeouts passes here. Memory is one counter per grain
// from the oldest call still out to now, and nothing once all are back.
type hangs struct {
	start int64   // grain number of n[0]
	n     []int64 // calls still out per grain
	head  int     // first grain with calls out; len(n) when none
}

func (h *hangs) add(now sim.Time) {
	g := int64(now / hangGrain)
	if h.head == len(h.n) { // none out: start afresh at now
		h.n, h.head, h.start = h.n[:0], 0, g
	}
	for h.start+int64(len(h.n)) <= g {
		h.n = append(h.n, 0)
	}
	h.n[g-h.start]++
}

func (h *hangs) remove(sent sim.Time) {
	i := int64(sent/hangGrain) - h.start
	if i < int64(h.head) || i >= int64(len(h.n)) || h.n[i] == 0 {
		return // sent before tracking began afresh: not tracked
	}
	h.n[i]--
	for h.head < len(h.n) && h.n[h.head] == 0 {
		h.head++
	}
	if h.head > 64 && h.head*2 > len(h.n) {
		k := copy(h.n, h.n[h.head:])
		h.n, h.start, h.head = h.n[:k], h.start+int64(h.head), 0
	}
}

// hung counts the calls out for at least HungAfter at now (to hangGrain).
func (h *hangs) hung(now sim.Time) Hung {
	var out Hung
	for i := h.head; i < len(h.n); i++ {
		at := sim.Time(h.start+int64(i)) * hangGrain
		if at > now-HungAfter {
			break
		}
		if h.n[i] == 0 {
			continue
		}
		if out.Calls == 0 {
			out.Oldest = now - at
		}
		out.Calls += h.n[i]
	}
	return out
}

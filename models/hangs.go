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

// hangs tracks the calls of one pair that were sent with no time limit, by
// send instant: sends come in time order, so they append to a queue of
// buckets; a reply removes its call from its send instant's bucket, found
// by binary search. Memory is one bucket per distinct instant with calls
// still out, which a hang keeps small (the callers run out of workers).
type hangs struct {
	at   []sim.Time // send instants, ascending, from head on
	n    []int64    // calls still out per instant
	head int
}

func (h *hangs) add(now sim.Time) {
	if k := len(h.at); k > h.head && h.at[k-1] == now {
		h.n[k-1]++
		return
	}
	if h.head > 0 && h.head == len(h.at) {
		h.at, h.n, h.head = h.at[:0], h.n[:0], 0
	}
	h.at = append(h.at, now)
	h.n = append(h.n, 1)
}

func (h *hangs) remove(sent sim.Time) {
	lo, hi := h.head, len(h.at)
	for lo < hi {
		mid := (lo + hi) / 2
		if h.at[mid] < sent {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(h.at) || h.at[lo] != sent || h.n[lo] == 0 {
		return // sent before tracking began (a restart keeps no history)
	}
	h.n[lo]--
	for h.head < len(h.at) && h.n[h.head] == 0 {
		h.head++
	}
	if h.head > 64 && h.head*2 > len(h.at) {
		k := copy(h.at, h.at[h.head:])
		copy(h.n, h.n[h.head:])
		h.at, h.n, h.head = h.at[:k], h.n[:k], 0
	}
}

// hung counts the calls out for at least HungAfter at now.
func (h *hangs) hung(now sim.Time) Hung {
	var out Hung
	for i := h.head; i < len(h.at) && h.at[i] <= now-HungAfter; i++ {
		if h.n[i] == 0 {
			continue
		}
		if out.Calls == 0 {
			out.Oldest = now - h.at[i]
		}
		out.Calls += h.n[i]
	}
	return out
}

package models

import (
	"cascade/models/policy"
	"cascade/sim"
)

// caller is whoever waits for a call's reply: a workload, a closed-loop
// user, or the execution of an operation that made a downstream call.
//
// c is the call that ended and sent when the caller sent it; for a request
// under a policy (retries, breaker ...) the caller hears once, at the end,
// with sent the request's start and c nil when no attempt was ever made.
type caller interface {
	reply(c *call, o Outcome, sent sim.Time)
}

// call is one request to one operation of one service, from the moment the
// caller sends it until its reply is delivered (or dropped, when the caller
// gave up first). A call is pooled: it goes back to the model's free list
// exactly once, when its reply is delivered or dropped, which is the last
// moment anything refers to it — the caller's timer is cancelled or has
// fired by then.
type call struct {
	m    *Model
	svc  *Service
	op   *op
	from caller
	link *link

	sent    sim.Time // caller side: when it was sent
	arrived sim.Time // server side: when it reached the service
	back    sim.Time // response half of the link's round trip
	timer   sim.Timer
	inst    *instance

	src   int32  // id of the sending component (network faults match on it)
	key   uint32 // the user or key the request is for, inherited by downstream calls
	epoch uint32 // the instance's epoch when the call started: a crash bumps it
	slot  int32  // index in the instance's running list while it runs
	zone  int8   // a call to a zoned service: the sender's zone (0 = none)

	outcome Outcome

	// Policies (see edge.go and admission.go).
	deadline   sim.Time      // when the caller stops waiting, if known; 0 = never
	retryAfter sim.Time      // a Throttled reply: when to come back
	permit     policy.Permit // the caller's breaker permit
	connBorn   sim.Time      // a pool slot's connection (bulk)

	// Caches, databases, queues (see cache.go, database.go, queue.go).
	delta  sim.Time // a fill: how long the value took to load
	ackLSN uint64   // a database write waiting for replicas: its LSN
	snap   uint64   // an optimistic database write: the versions it read (policy.Versions)
	outbox *queue   // a database write carrying an outbox event for this queue

	// Flags, together so the struct packs tight (it is zeroed on every reuse).
	abandoned  bool // the caller timed out: the reply goes nowhere
	admitted   bool // took a worker or a queue slot
	lost       bool // a message was dropped: only the caller's timeout frees it
	bulk       bool // holds a slot of the caller's bulkhead
	retry      bool // a retry or hedge, not a first attempt
	sheddable  bool // priority shedding drops it first
	limited    bool // passed the service's rate limiter (a leaky queue delays, then re-admits)
	hit        bool // a cache lookup's answer: the key was there
	failedLoad bool // a cache fill reporting that the load failed
	poison     bool // a poison message: its handler fails on it
	picked     bool // a zoned service's instance, chosen when sent (inst)

	root exec // the operation's execution, embedded: no allocation per call
}

// The event kinds of a call are distinct types over the same memory, so
// scheduling one is a pointer conversion, not an allocation.
type (
	arrival  call // the request reaches the service
	response call // the reply reaches the caller
	expiry   call // the caller's timeout fires
)

func (a *arrival) Fire(any) { c := (*call)(a); c.svc.accept(c) }

func (r *response) Fire(any) { (*call)(r).deliver() }

// Fire abandons the call: the caller hears Timeout now, and whatever the
// server sends later is dropped. The server is not told — without deadline
// propagation abandoned work still runs, which is what makes retry storms.
func (x *expiry) Fire(any) {
	c := (*call)(x)
	c.timer = sim.Timer{}
	c.abandoned = true
	c.from.reply(c, Timeout, c.sent)
	if c.lost {
		c.m.freeCall(c) // nothing else will ever refer to it
	}
}

// send starts c on its way to the service. timeout > 0 arms the caller's
// timer. configured is the caller's own timeout: when timeout is that (not
// a propagated deadline's remainder) it recurs for every call of the
// caller, so the engine keeps it in a fixed-delay lane (AfterFixed).
func (m *Model) send(c *call, timeout, configured sim.Time) {
	c.sent = m.eng.Now()
	if timeout > 0 {
		if timeout == configured {
			c.timer = m.eng.AfterFixed(timeout, (*expiry)(c), nil)
		} else {
			c.timer = m.eng.After(timeout, (*expiry)(c), nil)
		}
	}
	var extra sim.Time
	if c.svc.zoned {
		extra = m.zoneSend(c)
	}
	if len(m.net) > 0 {
		more, gone := m.netRequest(c)
		if gone {
			return
		}
		extra += more
	}
	if c.link == nil && extra == 0 {
		c.svc.accept(c)
		return
	}
	rtt := extra
	if c.link != nil {
		rtt += c.link.draw()
	}
	there := rtt / 2
	c.back = rtt - there
	m.eng.After(there, (*arrival)(c), nil)
}

// respond is the server side finishing with c: the reply travels back over
// the link.
func (c *call) respond(o Outcome) {
	c.outcome = o
	if len(c.m.net) > 0 && !c.abandoned && c.m.netReplyLost(c) {
		c.lose()
		return
	}
	if c.back > 0 {
		c.m.eng.After(c.back, (*response)(c), nil)
		return
	}
	c.deliver()
}

// deliver hands the reply to the caller unless it gave up, and frees c.
func (c *call) deliver() {
	m := c.m
	if c.abandoned {
		m.freeCall(c)
		return
	}
	m.eng.Cancel(c.timer)
	from, o := c.from, c.outcome
	from.reply(c, o, c.sent)
	m.freeCall(c)
}

// lose is a message of c dropped by the network: nobody will hear of it.
// The caller's timeout frees the call; a caller without one waits forever,
// which is what a missing timeout costs.
func (c *call) lose() {
	if c.abandoned {
		c.m.freeCall(c)
		return
	}
	c.lost = true
}

// reset tells the caller at once that the connection broke (the server
// crashed). The call itself lives on until its operation's remains finish.
func (c *call) reset() {
	if c.abandoned {
		return
	}
	c.m.eng.Cancel(c.timer)
	c.timer = sim.Timer{}
	c.abandoned = true
	c.from.reply(c, Error, c.sent)
}

func (m *Model) newCall(svc *Service, o *op, from caller, l *link, src int32, key uint32) *call {
	var c *call
	if n := len(m.calls); n > 0 {
		c = m.calls[n-1]
		m.calls = m.calls[:n-1]
	} else {
		c = &call{m: m}
	}
	c.svc, c.op, c.from, c.link, c.src, c.key = svc, o, from, l, src, key
	return c
}

func (m *Model) freeCall(c *call) {
	*c = call{m: m}
	m.calls = append(m.calls, c)
}

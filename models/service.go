package models

import (
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
	workers int       // per instance; 0 = unlimited

	stats
	late     int64     // completions after the caller had given up
	sojourn  float64   // seconds, every completion since warm-up (Little's law)
	inFlight sim.Level // admitted and not finished, all instances
	queued   sim.Level // waiting for a worker, all instances
	busy     sim.Level // workers busy, all instances

	ivArea struct{ inFlight, queued, busy float64 } // level areas at the last tick
}

// instance is one copy of a service: its workers and its waiting queue.
type instance struct {
	busy   int
	queue  []*call // ring buffer
	head   int
	n      int
	active int // busy + waiting: what least-request balancing compares
}

func (in *instance) push(c *call) {
	if in.n == len(in.queue) {
		grown := make([]*call, 2*len(in.queue)+8)
		for i := 0; i < in.n; i++ {
			grown[i] = in.queue[(in.head+i)%len(in.queue)]
		}
		in.queue, in.head = grown, 0
	}
	in.queue[(in.head+in.n)%len(in.queue)] = c
	in.n++
}

// take removes the next call to serve: the oldest under FIFO, the newest
// under LIFO.
func (in *instance) take(d Discipline) *call {
	var i int
	if d == LIFO {
		i = (in.head + in.n - 1) % len(in.queue)
	} else {
		i = in.head
		in.head = (in.head + 1) % len(in.queue)
	}
	c := in.queue[i]
	in.queue[i] = nil
	in.n--
	return c
}

// pick chooses an instance for a new request.
func (s *Service) pick() *instance {
	n := len(s.insts)
	if n == 1 {
		return s.insts[0]
	}
	switch s.spec.Balancer {
	case Random:
		return s.insts[s.lbRand.IntN(n)]
	case LeastRequest:
		best := s.rr
		for k := 1; k < n; k++ {
			i := (s.rr + k) % n
			if s.insts[i].active < s.insts[best].active {
				best = i
			}
		}
		s.rr = (s.rr + 1) % n
		return s.insts[best]
	case P2C:
		a := s.lbRand.IntN(n)
		b := s.lbRand.IntN(n - 1)
		if b >= a {
			b++
		}
		if s.insts[b].active < s.insts[a].active {
			a = b
		}
		return s.insts[a]
	default:
		in := s.insts[s.rr]
		s.rr = (s.rr + 1) % n
		return in
	}
}

// accept is a call arriving: start it, queue it, or reject it.
func (s *Service) accept(c *call) {
	now := s.m.eng.Now()
	s.arrive()
	c.arrived = now
	in := s.pick()
	c.inst = in
	switch {
	case s.workers == 0 || in.busy < s.workers:
		s.admit(c, in, now)
		s.start(c, in, now)
	case s.spec.Queue == Unbounded || in.n < s.spec.Queue:
		s.admit(c, in, now)
		in.push(c)
		s.queued.Add(now, 1)
	default:
		s.stats.end(Rejected, 0)
		c.respond(Rejected)
	}
}

func (s *Service) admit(c *call, in *instance, now sim.Time) {
	c.admitted = true
	in.active++
	s.inFlight.Add(now, 1)
}

func (s *Service) start(c *call, in *instance, now sim.Time) {
	in.busy++
	s.busy.Add(now, 1)
	x := &c.root
	x.m, x.op, x.steps, x.call = s.m, c.op, c.op.steps, c
	x.run()
}

// complete is the end of a call's operation: free the worker, record, hand
// the worker to the next waiting call, and send the reply.
func (s *Service) complete(c *call, o Outcome) {
	now := s.m.eng.Now()
	in := c.inst
	in.busy--
	in.active--
	s.busy.Add(now, -1)
	s.inFlight.Add(now, -1)
	d := now - c.arrived
	s.sojourn += d.Seconds()
	s.stats.end(o, d)
	if c.abandoned {
		s.late++
	}
	if in.n > 0 && (s.workers == 0 || in.busy < s.workers) {
		next := in.take(s.spec.Discipline)
		s.queued.Add(now, -1)
		s.start(next, in, now)
	}
	c.respond(o)
}

// restart begins the measured span; admitted calls still in flight count as
// arrivals of the new span, as for workloads.
func (s *Service) restart(now sim.Time) {
	s.stats.restart()
	s.arrivals = s.inFlight.Value()
	s.late, s.sojourn = 0, 0
	s.inFlight.Restart(now)
	s.queued.Restart(now)
	s.busy.Restart(now)
	s.ivArea.inFlight, s.ivArea.queued, s.ivArea.busy = 0, 0, 0
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
	s.series.Push(p)
}

// Name is the service's name in the scenario.
func (s *Service) Name() string { return s.spec.Name }

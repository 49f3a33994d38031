package models

import (
	"fmt"

	"cascade/sim"
	"cascade/sim/dist"
)

// QueueSpec makes a service a message queue (a topic with partitions):
// its publish operation stores a message, and each consumer group
// delivers every message to its own consumers, at least once.
type QueueSpec struct {
	Partitions    int       // >= 1; a message goes to partition key mod Partitions
	Visibility    sim.Time  // a delivered message not acked within this is delivered again (SQS default 30 s)
	MaxDeliveries int       // deliveries before the dead-letter queue; 0 = no limit
	PublishTime   dist.Dist // time the queue takes to accept a message; nil = instant
	Groups        []ConsumerGroup
	// Outbox relay: events written to an outbox with a database write
	// are published every OutboxPoll, at most OutboxBatch at a time.
	OutboxPoll  sim.Time
	OutboxBatch int
}

// ConsumerGroup is a set of consumers that together see every message.
type ConsumerGroup struct {
	Name        string
	Target, Op  string   // the operation that handles a message
	Concurrency int      // messages handled at once, >= 1
	Ordered     bool     // one message at a time per partition (Kafka), else any visible message (SQS)
	Idempotent  bool     // a redelivered message that was already handled has no second effect
	Timeout     sim.Time // the consumer's call timeout; 0 = none
}

// message is one published message.
type message struct {
	key       uint32
	published sim.Time
	poison    bool
	db        *database // an outbox row: the database write it belongs to
	lsn       uint64
}

// pending is a message as one group sees it.
type pending struct {
	m          *message
	deliveries int
	applied    int  // handled successfully (side effects happened)
	acked      bool // deleted from the queue (handled, or dead-lettered)
	busy       int  // deliveries in flight
	visible    sim.Time
	timer      sim.Timer
	g          *group
}

// visibilityOver is a message's visibility timeout ending.
type visibilityOver pending

func (v *visibilityOver) Fire(any) {
	p := (*pending)(v)
	p.timer = sim.Timer{}
	g := p.g
	if p.acked {
		return
	}
	if g.q.spec.MaxDeliveries > 0 && p.deliveries >= g.q.spec.MaxDeliveries {
		p.acked = true
		g.count(&g.DeadLettered)
		g.backlog--
		g.pump()
		return
	}
	g.readyAgain(p)
	g.pump() // visible again
}

// group is one consumer group's state.
type group struct {
	q        *queue
	spec     ConsumerGroup
	target   *Service
	op       *op
	link     *link
	parts    [][]*pending // per partition, in publish order; acked ones dropped from the front
	ready    [][]*pending // unordered groups: per partition, the messages deliverable now, in the order they became so
	busyPart []int
	inflight int
	rr       int
	backlog  int64 // unacked messages
	free     []*delivery

	GroupStats
}

// GroupStats are a consumer group's counters since the end of warm-up.
type GroupStats struct {
	Delivered, Acked, Failed int64
	Redelivered              int64 // deliveries after the first
	DeadLettered             int64
	Duplicates               int64 // messages handled more than once by a consumer that is not idempotent
}

// delivery is one message handed to a consumer.
type delivery struct {
	g *group
	p *pending
}

func (d *delivery) reply(_ *call, o Outcome, _ sim.Time) {
	g, p := d.g, d.p
	d.p = nil
	g.free = append(g.free, d)
	g.inflight--
	p.busy--
	part := int(p.m.key) % len(g.parts)
	g.busyPart[part]--
	if o == OK {
		p.applied++
		if p.applied > 1 && !g.spec.Idempotent {
			g.count(&g.Duplicates) // the handler did its work twice
		}
		if !p.acked {
			p.acked = true
			g.backlog--
			g.count(&g.Acked)
			g.q.s.m.eng.Cancel(p.timer)
			p.timer = sim.Timer{}
		}
	} else {
		g.count(&g.Failed) // not deleted: visible again after the timeout
	}
	g.pump()
}

// readyAgain puts a visible message of an unordered group in line for a consumer.
func (g *group) readyAgain(p *pending) {
	if !g.spec.Ordered {
		i := int(p.m.key) % len(g.parts)
		g.ready[i] = append(g.ready[i], p)
	}
}

func (g *group) count(f *int64) {
	if g.q.s.m.measuring() {
		*f++
	}
}

// pump hands visible messages to free consumers.
func (g *group) pump() {
	m := g.q.s.m
	now := m.eng.Now()
	n := len(g.parts)
	for g.inflight < g.spec.Concurrency {
		var next *pending
		for k := 0; k < n && next == nil; k++ {
			i := (g.rr + k) % n
			part := g.parts[i]
			for len(part) > 0 && part[0].acked {
				part[0] = nil
				part = part[1:]
			}
			g.parts[i] = part
			if g.spec.Ordered {
				if g.busyPart[i] == 0 && len(part) > 0 && part[0].visible <= now && part[0].timer == (sim.Timer{}) {
					next = part[0]
				}
				continue
			}
			// Unordered: the first message ready in the partition. Scanning
			// the partition instead would pass over every invisible one (a
			// backlog of failed deliveries) on each pump.
			ready := g.ready[i]
			for len(ready) > 0 && next == nil {
				if p := ready[0]; !p.acked && p.timer == (sim.Timer{}) {
					next = p
				}
				ready[0] = nil
				ready = ready[1:]
			}
			g.ready[i] = ready
		}
		if next == nil {
			return
		}
		g.rr = (g.rr + 1) % n
		g.deliver(next)
	}
}

func (g *group) deliver(p *pending) {
	m := g.q.s.m
	now := m.eng.Now()
	p.deliveries++
	g.count(&g.Delivered)
	if p.deliveries > 1 {
		g.count(&g.Redelivered)
	}
	p.busy++
	g.inflight++
	g.busyPart[int(p.m.key)%len(g.parts)]++
	p.timer = m.eng.At(now+g.q.spec.Visibility, (*visibilityOver)(p), nil)
	var d *delivery
	if n := len(g.free); n > 0 {
		d = g.free[n-1]
		g.free = g.free[:n-1]
	} else {
		d = &delivery{}
	}
	d.g, d.p = g, p
	c := m.newCall(g.target, g.op, d, g.link, g.q.s.id, p.m.key)
	c.poison = p.m.poison
	m.send(c, g.spec.Timeout, g.spec.Timeout)
}

// queue is a message queue service's state.
type queue struct {
	s      *Service
	spec   QueueSpec
	groups []*group
	rng    *sim.Rand
	poison []float64 // active poison faults: the chance a new message is poison

	outbox     []*message // written with a database write, not yet relayed
	relayArmed bool
	QueueStats
}

// QueueStats are a queue's counters since the end of warm-up.
type QueueStats struct {
	Published       int64
	OutboxPublished int64 // relayed from an outbox
	LostEvents      int64 // dual writes whose database write committed and whose publish never happened
}

func newQueue(s *Service, spec QueueSpec, rng *sim.Rand) (*queue, error) {
	if spec.Partitions < 1 {
		return nil, fmt.Errorf("queue %q: partitions must be >= 1", s.spec.Name)
	}
	if spec.Visibility <= 0 {
		return nil, fmt.Errorf("queue %q: visibility timeout must be > 0", s.spec.Name)
	}
	return &queue{s: s, spec: spec, rng: rng}, nil
}

// queueOps are the operations of a queue service.
func queueOps(spec *QueueSpec) []OpSpec {
	var steps []Step
	if spec.PublishTime != nil {
		steps = append(steps, Step{Kind: Work, Work: spec.PublishTime})
	}
	return []OpSpec{{Name: "publish", Steps: append(steps, Step{Kind: QueuePublish})}}
}

// publish stores a message for every group.
func (q *queue) publish(key uint32, fromOutbox bool) {
	m := q.s.m
	msg := &message{key: key, published: m.eng.Now()}
	for _, p := range q.poison {
		if q.rng.Float64() < p {
			msg.poison = true
		}
	}
	if m.measuring() {
		q.Published++
		if fromOutbox {
			q.OutboxPublished++
		}
	}
	for _, g := range q.groups {
		i := int(key) % len(g.parts)
		p := &pending{m: msg, g: g}
		g.parts[i] = append(g.parts[i], p)
		g.readyAgain(p)
		g.backlog++
		g.pump()
	}
}

// toOutbox records an event written in the same transaction as a
// database write: it will be published by the relay, whatever happens to
// the service that wrote it.
func (q *queue) toOutbox(key uint32, d *database, lsn uint64) {
	q.outbox = append(q.outbox, &message{key: key, db: d, lsn: lsn})
	if !q.relayArmed {
		q.relayArmed = true
		q.s.m.eng.After(q.spec.OutboxPoll, (*relay)(q), nil)
	}
}

// dropLost removes the outbox rows of d's writes a failover lost (those
// after lsn): the new primary never had them. Rows relayed already stay
// published, as they would.
func (q *queue) dropLost(d *database, lsn uint64) {
	kept := q.outbox[:0]
	for _, msg := range q.outbox {
		if msg.db != d || msg.lsn <= lsn {
			kept = append(kept, msg)
		}
	}
	clear(q.outbox[len(kept):])
	q.outbox = kept
}

// relay is the outbox relay's poll.
type relay queue

func (r *relay) Fire(any) {
	q := (*queue)(r)
	n := len(q.outbox)
	if q.spec.OutboxBatch > 0 {
		n = min(n, q.spec.OutboxBatch)
	}
	batch := q.outbox[:n]
	for _, msg := range batch {
		q.publish(msg.key, true)
	}
	q.outbox = append(q.outbox[:0], q.outbox[n:]...)
	q.relayArmed = false
	if len(q.outbox) > 0 {
		q.relayArmed = true
		q.s.m.eng.After(q.spec.OutboxPoll, r, nil)
	}
}

// QueueResult is a queue's state and counters.
type QueueResult struct {
	QueueStats
	Outbox int // events waiting in the outbox
	Groups []GroupResult
}

// GroupResult is one consumer group's backlog and counters.
type GroupResult struct {
	Name string
	GroupStats
	Backlog   int64   // unacked messages now
	OldestAge float64 // seconds, the oldest unacked message; 0 when none
	InFlight  int
}

func (q *queue) result(now sim.Time) *QueueResult {
	r := &QueueResult{QueueStats: q.QueueStats, Outbox: len(q.outbox)}
	for _, g := range q.groups {
		gr := GroupResult{Name: g.spec.Name, GroupStats: g.GroupStats, Backlog: g.backlog, InFlight: g.inflight}
		oldest := sim.Forever
		for _, part := range g.parts {
			for _, p := range part {
				if !p.acked {
					oldest = min(oldest, p.m.published)
					break
				}
			}
		}
		if oldest != sim.Forever {
			gr.OldestAge = (now - oldest).Seconds()
		}
		r.Groups = append(r.Groups, gr)
	}
	return r
}

func (q *queue) restart() {
	q.QueueStats = QueueStats{}
	for _, g := range q.groups {
		g.GroupStats = GroupStats{}
	}
}

// buildQueue creates a queue service's state and resolves its groups.
func (m *Model) buildQueue(s *Service, resolve resolver) error {
	q, err := newQueue(s, *s.spec.Topic, m.eng.Stream("queue/"+s.spec.Name))
	if err != nil {
		return err
	}
	for _, gs := range q.spec.Groups {
		t, o, l, err := resolve(s.spec.Name, gs.Target, gs.Op)
		if err != nil {
			return err
		}
		if gs.Concurrency < 1 {
			return fmt.Errorf("queue %q: group %q needs concurrency >= 1", s.spec.Name, gs.Name)
		}
		q.groups = append(q.groups, &group{q: q, spec: gs, target: t, op: o, link: l,
			parts: make([][]*pending, q.spec.Partitions), ready: make([][]*pending, q.spec.Partitions), busyPart: make([]int, q.spec.Partitions)})
		m.pairOf(s.spec.Name, t.spec.Name)
	}
	s.queue = q
	return nil
}

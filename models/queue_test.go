package models

import (
	"testing"

	"cascade/sim"
)

// queueTopo is a producer publishing rate/s to a topic consumed by one
// group of conc consumers calling a handler that takes handle.
func queueTopo(t *testing.T, rate float64, conc int, handle sim.Time, spec QueueSpec) Topology {
	spec.Groups = []ConsumerGroup{{Name: "g", Target: "worker", Concurrency: conc, Idempotent: spec.Groups == nil}}
	return Topology{
		Workloads: []WorkloadSpec{{Name: "p", Target: "topic", Rate: rate, Arrivals: Constant, Keys: KeySpec{Kind: KeysUniform, N: 1000}}},
		Services: []ServiceSpec{
			{Name: "topic", Instances: 1, Queue: Unbounded, Topic: &spec},
			service("worker", 0, Unbounded, work(constant(t, handle))),
		},
	}
}

func TestQueueBacklogGrowsAndDrains(t *testing.T) {
	// 100/s into 4 consumers of 20 ms (200/s): no backlog. A spike to
	// 300/s for 10 s builds 100/s of backlog, which drains at 100/s after.
	topo := queueTopo(t, 100, 4, 20*sim.Millisecond, QueueSpec{Partitions: 4, Visibility: 30 * sim.Second})
	topo.Faults = []Fault{{Verb: FaultSpike, Factor: 3, Start: 10 * sim.Second, Duration: 10 * sim.Second, Target: Target{Component: "p"}}}
	eng := sim.NewEngine(1)
	m, err := New(eng, topo, Options{Until: 60 * sim.Second})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	m.Advance(20 * sim.Second)
	g := m.Result(false).Services[0].Queue.Groups[0]
	if g.Backlog < 900 || g.Backlog > 1100 || g.OldestAge < 3 {
		t.Errorf("after the spike: backlog %d, oldest %.1fs; want about 1000 and several seconds", g.Backlog, g.OldestAge)
	}
	m.Advance(40 * sim.Second)
	r := m.Result(false)
	g = r.Services[0].Queue.Groups[0]
	if g.Backlog > 5 || g.Acked < 7900 || g.Redelivered != 0 {
		t.Errorf("at the end: %+v; want drained, every message acked once", g)
	}
}

func TestPoisonMessagesReachTheDeadLetterQueue(t *testing.T) {
	// Every message published between 5s and 6s is poison: the handler
	// fails on it, it is redelivered after each visibility timeout, and
	// after 3 deliveries it goes to the dead-letter queue.
	topo := queueTopo(t, 100, 4, 5*sim.Millisecond, QueueSpec{Partitions: 2, Visibility: sim.Second, MaxDeliveries: 3})
	topo.Faults = []Fault{{Verb: FaultPoison, P: 1, Start: 5 * sim.Second, Duration: sim.Second, Target: Target{Component: "topic"}}}
	r := run(t, topo, Options{Until: 20 * sim.Second})
	g := r.Services[0].Queue.Groups[0]
	if g.DeadLettered < 95 || g.DeadLettered > 105 || g.Redelivered < 2*g.DeadLettered {
		t.Errorf("%+v: want the ~100 poison messages dead-lettered after 3 deliveries each", g.GroupStats)
	}
}

func TestRedeliveryDoubleAppliesWithoutIdempotence(t *testing.T) {
	// Handling takes 2 s, the visibility timeout is 1 s: every message is
	// delivered again while the first delivery still runs. A consumer that
	// is not idempotent applies it twice.
	for _, idem := range []bool{false, true} {
		spec := QueueSpec{Partitions: 1, Visibility: sim.Second, MaxDeliveries: 2}
		topo := queueTopo(t, 1, 10, 2*sim.Second, spec)
		topo.Services[0].Topic.Groups[0].Idempotent = idem
		topo.Workloads[0].Limit = 5
		r := run(t, topo, Options{Until: 30 * sim.Second})
		g := r.Services[0].Queue.Groups[0]
		if g.Redelivered != 5 {
			t.Errorf("idempotent=%v: %d redeliveries, want 5", idem, g.Redelivered)
		}
		if want := int64(5); idem {
			if g.Duplicates != 0 {
				t.Errorf("idempotent consumer counted %d duplicates", g.Duplicates)
			}
		} else if g.Duplicates != want {
			t.Errorf("%d duplicate side effects, want %d", g.Duplicates, want)
		}
	}
}

// outboxTopo is an order service that writes the database and publishes an
// event, as a dual write or through the outbox, and crashes for a while.
func outboxTopo(t *testing.T, outbox bool) Topology {
	db := ServiceSpec{Name: "db", Instances: 1, Queue: Unbounded, Database: &DatabaseSpec{Writes: []string{"write"}},
		Ops: []OpSpec{{Name: "write", Steps: []Step{work(constant(t, 2*sim.Millisecond))}}}}
	orders := service("orders", 0, Unbounded, Step{Kind: Call, Target: "db", Op: "write"},
		work(constant(t, 50*sim.Millisecond)), Step{Kind: Publish, Target: "events", Outbox: outbox})
	return Topology{
		Workloads: []WorkloadSpec{{Name: "shop", Target: "orders", Rate: 200, Arrivals: Constant}},
		Services: []ServiceSpec{orders, db,
			{Name: "events", Instances: 1, Queue: Unbounded, Topic: &QueueSpec{Partitions: 1, Visibility: 30 * sim.Second,
				OutboxPoll: 100 * sim.Millisecond, OutboxBatch: 100,
				Groups: []ConsumerGroup{{Name: "billing", Target: "billing", Concurrency: 8, Idempotent: true}}}},
			service("billing", 0, Unbounded, work(constant(t, sim.Millisecond)))},
		Faults: []Fault{{Verb: FaultCrash, Start: 10 * sim.Second, Duration: 5 * sim.Second, Target: Target{Component: "orders"}}},
	}
}

func TestOutboxLosesNoEventOnACrash(t *testing.T) {
	dual := run(t, outboxTopo(t, false), Options{Until: 30 * sim.Second})
	box := run(t, outboxTopo(t, true), Options{Until: 30 * sim.Second})
	dq, bq := dual.Services[2].Queue, box.Services[2].Queue
	dw, bw := dual.Services[1].Database.Writes, box.Services[1].Database.Writes
	// The crash catches about 200/s × 50 ms = 10 orders between the write
	// and the publish: a dual write loses their events. (A few more may
	// be in flight when the run ends.)
	if dq.LostEvents < 5 || dq.Published+dq.LostEvents > dw || dw-(dq.Published+dq.LostEvents) > 15 {
		t.Errorf("dual write: %d writes, %d published, %d lost", dw, dq.Published, dq.LostEvents)
	}
	// Through the outbox every committed write's event is published or
	// waiting in the outbox for the next poll (a write may still be running
	// when the run ends: writes are counted as they arrive).
	if bq.LostEvents != 0 || bw-(bq.Published+int64(bq.Outbox)) > 2 || bq.OutboxPublished != bq.Published {
		t.Errorf("outbox: %d writes, %d published (%d relayed), %d waiting, %d lost", bw, bq.Published, bq.OutboxPublished, bq.Outbox, bq.LostEvents)
	}
}

func TestSagaCompensatesInReverse(t *testing.T) {
	// order -> payment -> inventory; inventory fails 30% of the time:
	// those sagas refund the payment (one undo each) and fail.
	undo := func(svc string) *Step { s := Step{Kind: Call, Target: svc, Op: "undo"}; return &s }
	op2 := func(name string, failP float64) ServiceSpec {
		return ServiceSpec{Name: name, Instances: 1, Queue: Unbounded, Ops: []OpSpec{
			{Name: "do", Steps: []Step{work(constant(t, sim.Millisecond)), {Kind: Fail, FailP: failP}}},
			{Name: "undo", Steps: []Step{work(constant(t, sim.Millisecond))}}}}
	}
	orders := service("orders", 0, Unbounded, Step{Kind: Saga, Saga: []SagaStep{
		{Do: Step{Kind: Call, Target: "payments", Op: "do"}, Undo: undo("payments")},
		{Do: Step{Kind: Call, Target: "inventory", Op: "do"}, Undo: undo("inventory")},
	}})
	r := run(t, Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "orders", Rate: 100}},
		Services:  []ServiceSpec{orders, op2("payments", 0), op2("inventory", 0.3)},
	}, Options{Until: 60 * sim.Second})
	sg := r.Services[0].Sagas
	if sg.Started < 5800 || sg.Started-(sg.Completed+sg.Compensated) > 5 || sg.Undos != sg.Compensated {
		t.Errorf("%+v", sg)
	}
	if frac := float64(sg.Compensated) / float64(sg.Started); frac < 0.27 || frac > 0.33 {
		t.Errorf("compensated %.3f of sagas, want 0.3", frac)
	}
	var inventoryUndos int64
	for _, c := range r.Calls {
		if c.Caller == "orders" && c.Target == "inventory" {
			inventoryUndos = c.Arrivals - sg.Started
		}
	}
	if inventoryUndos != 0 {
		t.Errorf("%d inventory undos: a failed action is not undone, only the ones before it", inventoryUndos)
	}
}

// An outbox write made through a call policy (here a connection pool)
// carries its event like a plain call does.
func TestOutboxThroughACallPolicy(t *testing.T) {
	for _, withPool := range []bool{false, true} {
		write := Step{Kind: Call, Target: "db", Op: "write"}
		if withPool {
			write.Policy = &CallPolicy{Bulkhead: &BulkheadSpec{Pool: true, Max: 10, Wait: sim.Second}}
		}
		dbs := DatabaseSpec{Writes: []string{"write"}}
		topo := Topology{
			Workloads: []WorkloadSpec{{Name: "w", Target: "api", Rate: 20, Keys: KeySpec{Kind: KeysUniform, N: 100}}},
			Services: []ServiceSpec{
				service("api", 0, Unbounded, write, Step{Kind: Publish, Target: "q", Outbox: true}),
				{Name: "db", Instances: 1, Queue: Unbounded, Database: &dbs, Ops: []OpSpec{{Name: "write", Steps: []Step{work(constant(t, sim.Millisecond))}}}},
				{Name: "q", Instances: 1, Queue: Unbounded, Topic: &QueueSpec{Partitions: 1, Visibility: 30 * sim.Second, OutboxPoll: 100 * sim.Millisecond, OutboxBatch: 100}},
			},
		}
		r := run(t, topo, Options{Until: 5 * sim.Second})
		w, q := r.Services[1].Database.Writes, r.Services[2].Queue
		if w < 80 || q.OutboxPublished < w-5 {
			t.Errorf("pool=%v: %d writes committed, %d outbox events published", withPool, w, q.OutboxPublished)
		}
	}
}

// Consumers down: every delivery fails at once and the message waits out
// its visibility timeout; after MaxDeliveries it is dead-lettered. Messages
// published after the consumers come back are all handled.
func TestQueueConsumersDownDeadLetterThenRecover(t *testing.T) {
	topo := queueTopo(t, 100, 4, 10*sim.Millisecond, QueueSpec{Partitions: 4, Visibility: sim.Second, MaxDeliveries: 3})
	topo.Faults = []Fault{{Verb: FaultCrash, Start: 10 * sim.Second, Duration: 20 * sim.Second, Target: Target{Component: "worker"}}}
	g := run(t, topo, Options{Until: 60 * sim.Second}).Services[0].Queue.Groups[0]
	// Published during the 20 s down: ≈2000, each delivered 3 times a
	// second apart; those published in the last ~2 s get a delivery
	// after the restart and are handled.
	if g.DeadLettered < 1700 || g.DeadLettered > 2000 || g.Backlog > 5 || g.Acked+g.DeadLettered < 5990 {
		t.Errorf("%+v; want ≈1800 dead-lettered, the rest acked, nothing left", g)
	}
}

// A failover loses the writes the promoted replica never received, and
// their outbox rows with them: the relay publishes only what the new
// primary has.
func TestOutboxRowsOfLostWritesAreGone(t *testing.T) {
	dbs := DatabaseSpec{Writes: []string{"write"}, Delay: constant(t, 500*sim.Millisecond), Promotion: sim.Second}
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "api", Rate: 100, Keys: KeySpec{Kind: KeysUniform, N: 100}}},
		Services: []ServiceSpec{
			service("api", 0, Unbounded, Step{Kind: Call, Target: "db", Op: "write"}, Step{Kind: Publish, Target: "q", Outbox: true}),
			{Name: "db", Instances: 2, Queue: Unbounded, Database: &dbs, Ops: []OpSpec{{Name: "write", Steps: []Step{work(constant(t, sim.Millisecond))}}}},
			{Name: "q", Instances: 1, Queue: Unbounded, Topic: &QueueSpec{Partitions: 1, Visibility: 30 * sim.Second, OutboxPoll: 10 * sim.Second}},
		},
		Faults: []Fault{{Verb: FaultFailover, Start: 5 * sim.Second, Target: Target{Component: "db"}}},
	}
	r := run(t, topo, Options{Until: 12 * sim.Second})
	d, q := r.Services[1].Database, r.Services[2].Queue
	events := q.OutboxPublished + int64(q.Outbox)
	// Every acknowledged write that survived has its event; ≈50 lost ones
	// (500 ms of writes) have none.
	if d.LostWrites < 30 || events != r.Services[0].OK-d.LostWrites {
		t.Errorf("%d writes acknowledged, %d lost, %d outbox events", r.Services[0].OK, d.LostWrites, events)
	}
}

package policy

import (
	"testing"

	"cascade/sim"
)

// resilience4j SemaphoreBulkhead defaults: 25 concurrent, maxWaitDuration 0
// rejects the 26th at once.
func TestBulkheadNoWait(t *testing.T) {
	b, _ := NewBulkhead(Resilience4jBulkhead, 0)
	for i := 0; i < 25; i++ {
		if got := b.Acquire(0, uint64(i)); got != Admitted {
			t.Fatalf("call %d: %v", i, got)
		}
	}
	if got := b.Acquire(0, 25); got != Rejected {
		t.Fatalf("26th call: %v", got)
	}
	if _, handed := b.Release(1); handed {
		t.Fatal("handed a permit with nobody waiting")
	}
	if b.InUse() != 24 || b.Acquire(1, 26) != Admitted {
		t.Fatal("released permit not reusable")
	}
}

// Bounded FIFO waiters: permits pass in order; the queue bound rejects;
// Cancel frees a slot at once, wherever the waiter is.
func TestBulkheadQueue(t *testing.T) {
	b, _ := NewBulkhead(2, 3)
	table := []struct {
		id   uint64
		want Admission
	}{{1, Admitted}, {2, Admitted}, {3, Queued}, {4, Queued}, {5, Queued}, {6, Rejected}}
	for _, tc := range table {
		if got := b.Acquire(0, tc.id); got != tc.want {
			t.Fatalf("call %d: %v, want %v", tc.id, got, tc.want)
		}
	}
	if !b.Cancel(1, 4) || b.Cancel(1, 4) || b.Cancel(1, 99) {
		t.Fatal("cancel of a waiter")
	}
	if got := b.Acquire(1, 7); got != Queued { // the cancelled slot is free
		t.Fatalf("after cancel: %v", got)
	}
	var order []uint64
	for i := 0; i < 4; i++ {
		if id, ok := b.Release(2); ok {
			order = append(order, id)
		}
	}
	want := []uint64{3, 5, 7}
	if len(order) != 3 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] {
		t.Fatalf("hand-over order %v, want %v", order, want)
	}
	if b.InUse() != 1 || b.Waiting() != 0 {
		t.Fatalf("in use %d waiting %d", b.InUse(), b.Waiting())
	}
	c := b.Counters()
	if c.Admitted != 2 || c.Queued != 4 || c.Handed != 3 || c.Rejected != 1 || c.Cancelled != 1 {
		t.Fatalf("counters %+v", c)
	}
}

// A waiter times out by its caller's timer: Cancel true means timed out;
// false means a Release already handed it the permit.
func TestBulkheadTimeoutByCancel(t *testing.T) {
	b, _ := NewBulkhead(1, 1)
	b.Acquire(0, 1)
	b.Acquire(0, 2) // waits, with a caller timer at 100 ms
	if id, ok := b.Release(100 * ms); !ok || id != 2 {
		t.Fatal("release did not hand over")
	}
	if b.Cancel(100*ms, 2) {
		t.Fatal("timer after the hand-over saw a timeout")
	}
	b.Acquire(200*ms, 3)
	if !b.Cancel(300*ms, 3) {
		t.Fatal("timeout of a waiter not reported")
	}
	if _, ok := b.Release(400 * ms); ok || b.InUse() != 0 {
		t.Fatal("permit handed to a timed-out waiter")
	}
}

func TestBulkheadDoesNotAllocate(t *testing.T) {
	b, _ := NewBulkhead(4, 8)
	i := uint64(0)
	if a := testing.AllocsPerRun(1000, func() {
		i++
		b.Acquire(sim.Time(i), i)
		if i%3 == 0 {
			b.Cancel(sim.Time(i), i-1)
		}
		if i%2 == 0 {
			b.Release(sim.Time(i))
		}
	}); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

package sim

import "testing"

// laneLog records what fired and when.
type laneLog struct {
	e   *Engine
	got []int
	at  []Time
	// on firing, schedule more and cancel some, the same in both engines
	rng    *Rand
	timers []Timer
	fixed  bool
}

func (l *laneLog) Fire(arg any) {
	l.got = append(l.got, arg.(int))
	l.at = append(l.at, l.e.Now())
	if len(l.got) > 20000 {
		return
	}
	for k := 0; k < 2; k++ {
		id := len(l.got)*4 + k
		switch l.rng.IntN(4) {
		case 0: // a random delay: always the heap
			l.timers = append(l.timers, l.e.After(Time(l.rng.IntN(3000))*Microsecond, l, id))
		default: // one of three fixed delays, zero among them
			d := []Time{0, Millisecond, 5 * Millisecond}[l.rng.IntN(3)]
			if l.fixed {
				l.timers = append(l.timers, l.e.AfterFixed(d, l, id))
			} else {
				l.timers = append(l.timers, l.e.After(d, l, id))
			}
		}
	}
	if n := len(l.timers); n > 0 && l.rng.IntN(2) == 0 {
		l.e.Cancel(l.timers[l.rng.IntN(n)]) // maybe fired already: harmless
	}
}

// Events in lanes fire at the same times and in the same order as they
// would from the heap, with cancellations anywhere in a lane, its front
// included.
func TestAfterFixedFiresAsAfter(t *testing.T) {
	run := func(fixed bool) *laneLog {
		e := NewEngine(1)
		l := &laneLog{e: e, rng: NewStream(9, "lane"), fixed: fixed}
		for i := 0; i < 50; i++ {
			e.After(Time(i)*Microsecond, l, -i-1)
		}
		e.RunUntil(Forever)
		return l
	}
	heap, lanes := run(false), run(true)
	if len(heap.got) < 20000 {
		t.Fatalf("only %d events fired", len(heap.got))
	}
	if len(heap.got) != len(lanes.got) {
		t.Fatalf("heap fired %d, lanes %d", len(heap.got), len(lanes.got))
	}
	for i := range heap.got {
		if heap.got[i] != lanes.got[i] || heap.at[i] != lanes.at[i] {
			t.Fatalf("event %d: heap %d at %v, lanes %d at %v", i, heap.got[i], heap.at[i], lanes.got[i], lanes.at[i])
		}
	}
}

// A lane's events count as pending until they fire or their cancelled
// entry is dropped, and a cancelled front lets the next one through.
func TestAfterFixedPendingAndCancel(t *testing.T) {
	e := NewEngine(1)
	r := &recorder{e: e}
	a := e.AfterFixed(Second, r, 1)
	e.AfterFixed(Second, r, 2)
	e.After(2*Second, r, 3)
	if e.Pending() != 3 {
		t.Fatalf("pending %d, want 3", e.Pending())
	}
	if !e.Cancel(a) || e.Cancel(a) {
		t.Fatal("cancel of a lane's front: want true once")
	}
	if e.NextAt() != Second {
		t.Fatalf("next at %v, want 1s (the second event of the lane)", e.NextAt())
	}
	e.RunUntil(Forever)
	if len(r.got) != 2 || r.got[0] != 2 || r.got[1] != 3 || e.Pending() != 0 {
		t.Fatalf("fired %v, %d pending", r.got, e.Pending())
	}
}

// Cancelled events behind a lane's front are dropped once they are two
// thirds of it (compactLane), so a long timeout that is nearly always
// cancelled does not keep a lane the size of everything scheduled within the
// delay: live events are then at least a third, hence the bound of 3x below.
func TestAfterFixedCompacts(t *testing.T) {
	e := NewEngine(1)
	r := &recorder{e: e}
	var keep []Timer
	for i := 0; i < 100000; i++ {
		e.At(Time(i)*Microsecond, HandlerFunc(func(any) {
			tm := e.AfterFixed(Hour, r, i)
			if i%10 == 0 {
				keep = append(keep, tm)
			} else {
				e.Cancel(tm)
			}
		}), nil)
	}
	e.RunUntil(Second)
	// At most three times the live events plus compactFrom cancelled ones,
	// and a cancelled front (which leaves through advance, not compaction).
	// Without compaction all 100,000 would still be pending.
	if p := e.Pending(); p > 3*len(keep)+compactFrom+1 {
		t.Fatalf("%d pending for %d live", p, len(keep))
	}
	e.RunUntil(Forever)
	if len(r.got) != len(keep) {
		t.Fatalf("fired %d, want %d", len(r.got), len(keep))
	}
	for i := 1; i < len(r.got); i++ {
		if r.got[i] <= r.got[i-1] || r.at[i] < r.at[i-1] {
			t.Fatal("out of order after compaction")
		}
	}
}

// Sequence numbers are renumbered when they run out, in heap and lanes
// alike, without changing what fires when.
func TestRenumberKeepsOrder(t *testing.T) {
	run := func(limit uint64) *laneLog {
		e := NewEngine(1)
		if limit > 0 {
			e.seqLimit = limit
		}
		l := &laneLog{e: e, rng: NewStream(9, "lane"), fixed: true}
		for i := 0; i < 50; i++ {
			e.After(0, l, -i-1) // ties at one instant: only seq orders them
		}
		e.RunUntil(Forever)
		return l
	}
	want, got := run(0), run(20000) // about 40,000 are scheduled
	if scheduled := uint64(len(got.timers) + 50); got.e.seq >= scheduled {
		t.Fatalf("sequence at %d after %d scheduled: never renumbered", got.e.seq, scheduled)
	}
	if len(want.got) != len(got.got) {
		t.Fatalf("fired %d, want %d", len(got.got), len(want.got))
	}
	for i := range want.got {
		if want.got[i] != got.got[i] || want.at[i] != got.at[i] {
			t.Fatalf("event %d: %d at %v, want %d at %v", i, got.got[i], got.at[i], want.got[i], want.at[i])
		}
	}
}

package policy

import (
	"testing"

	"cascade/sim"
)

// feed dequeues one request per millisecond from a queue that always holds
// plenty, with the sojourn given by soj, offering heads until one is served,
// and returns the instants of the drops.
func feed(c *CoDel, from, to sim.Time, soj func(sim.Time) sim.Time) []sim.Time {
	var drops []sim.Time
	for now := from; now < to; now += ms {
		for c.Dequeue(now, soj(now), 10) {
			drops = append(drops, now)
		}
	}
	return drops
}

// RFC 8289 with the defaults (5 ms, 100 ms) and a standing 10 ms sojourn:
// the first drop one interval after the sojourn first exceeded the target,
// then drops at drop_next = previous + 100ms/√count (truncated to ns):
// 100, 200, 270.710678, 328.445704, 378.445704 ms, ...
func TestCoDelDropTimes(t *testing.T) {
	c, _ := NewCoDel(0, 0)
	high := func(sim.Time) sim.Time { return 10 * ms }
	drops := feed(c, 0, 379*ms, high)
	want := []sim.Time{100 * ms, 200 * ms, 271 * ms, 329 * ms}
	if len(drops) != len(want) {
		t.Fatalf("drops at %v, want %v", drops, want)
	}
	for i := range want {
		if drops[i] != want[i] {
			t.Fatalf("drops at %v, want %v", drops, want)
		}
	}
	if c.Count() != 4 || c.DropNext() != 378445704 || !c.Dropping() {
		t.Fatalf("count %d drop_next %d dropping %v", c.Count(), c.DropNext(), c.Dropping())
	}
	// The control law, step by step, in exact nanoseconds.
	steps := []struct {
		count int
		next  sim.Time
	}{{1, 200 * ms}, {2, 270710678}, {3, 328445704}, {4, 378445704}, {5, 423167063}}
	next := 100 * ms
	for _, s := range steps {
		next = c.controlLaw(next, s.count)
		if next != s.next {
			t.Fatalf("control law at count %d: %d, want %d", s.count, next, s.next)
		}
	}

	// The sojourn drops below target at 400 ms: dropping stops.
	low := func(now sim.Time) sim.Time {
		if now >= 400*ms && now < 410*ms {
			return ms
		}
		return 10 * ms
	}
	drops = feed(c, 379*ms, 600*ms, low)
	// 379 (due at 378.4) is the last drop of the first episode; at 400 it
	// stops; at 410 the sojourn is high again, so the next drop is at 510
	// with the count resumed at count - lastcount = 5 - 1 = 4, then
	// 510 + 100/√4 = 560 and 560 + 100/√5 = 604.72 (not reached).
	want = []sim.Time{379 * ms, 510 * ms, 560 * ms}
	if len(drops) != len(want) {
		t.Fatalf("drops at %v, want %v", drops, want)
	}
	for i := range want {
		if drops[i] != want[i] {
			t.Fatalf("drops at %v, want %v", drops, want)
		}
	}
	if c.Drops() != 7 {
		t.Fatalf("drops %d", c.Drops())
	}
}

// Below the target, or with at most one request left, nothing is dropped and
// the clock towards the first drop restarts.
func TestCoDelNoDrop(t *testing.T) {
	c, _ := NewCoDel(0, 0)
	if d := feed(c, 0, sim.Second, func(sim.Time) sim.Time { return 5*ms - 1 }); len(d) != 0 {
		t.Fatalf("dropped below target: %v", d)
	}
	c, _ = NewCoDel(0, 0)
	for now := sim.Time(0); now < sim.Second; now += ms {
		if c.Dequeue(now, sim.Second, 1) {
			t.Fatal("dropped with one request left")
		}
	}
	// Exactly at the target counts as above (the RFC tests sojourn < target).
	c, _ = NewCoDel(0, 0)
	d := feed(c, 0, 101*ms, func(sim.Time) sim.Time { return 5 * ms })
	if len(d) != 1 || d[0] != 100*ms {
		t.Fatalf("drops %v", d)
	}
	// A dip below the target restarts the interval.
	c, _ = NewCoDel(0, 0)
	d = feed(c, 0, 200*ms, func(now sim.Time) sim.Time {
		if now == 50*ms {
			return 0
		}
		return 10 * ms
	})
	if len(d) != 1 || d[0] != 151*ms {
		t.Fatalf("drops %v, want [151ms]", d)
	}
}

// Several drops at one dequeue: when drop_next has fallen behind (dequeues
// are sparse), the RFC loop drops head after head until drop_next passes now.
func TestCoDelDropsSeveralAtOnce(t *testing.T) {
	c, _ := NewCoDel(0, 0)
	c.Dequeue(0, 10*ms, 10)      // first above: due 100 ms
	c.Dequeue(100*ms, 10*ms, 10) // first drop, count 1, next 200 ms
	c.Dequeue(100*ms, 10*ms, 10) // served
	n := 0
	for c.Dequeue(400*ms, 10*ms, 10) {
		n++
	}
	// count 2 at 200 -> next 270.7; count 3 -> 328.4; count 4 -> 378.4;
	// count 5 -> 423.2 > 400: four drops in this one dequeue.
	if n != 4 || c.Count() != 5 || c.DropNext() != 423167063 {
		t.Fatalf("%d drops, count %d, next %d", n, c.Count(), c.DropNext())
	}
}

func TestCoDelDoesNotAllocate(t *testing.T) {
	c, _ := NewCoDel(0, 0)
	now := sim.Time(0)
	if a := testing.AllocsPerRun(1000, func() { now += ms; c.Dequeue(now, 10*ms, 5) }); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

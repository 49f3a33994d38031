package sim

import (
	"slices"
	"testing"
)

// TestRadixHeapOrder drives the radix heap and a sorted slice with the same
// random operations and requires the same entry from every pop. The
// operations are the engine's: pushes at or after the last entry popped
// (times in clusters, so that runs are short and long, and ties), pushes of
// an older key (a lane's front), and looking at the minimum without taking
// it and then pushing earlier than it (RunUntil stopping short, then a
// fault injected at the clock), and now and then one far in the future (a
// warm-up's end), which a small run stretches to. The queue grows to thousands, or is held
// near a few entries, about smallRun, or a few dozen: a run that never
// empties, and one that spills into the buckets and back.
func TestRadixHeapOrder(t *testing.T) {
	for _, hold := range []int{1 << 30, 3, smallRun - 1, smallRun + 8} {
		for seed := uint64(1); seed <= 20; seed++ {
			radixHeapOrder(t, seed, hold)
		}
	}
}

// radixHeapOrder is TestRadixHeapOrder's run for seed, popping instead of
// pushing while more than hold entries are queued.
func radixHeapOrder(t *testing.T, seed uint64, hold int) {
	rng := NewStream(seed, "radix")
	var q radixHeap
	var ref []entry
	var now Time
	var seq uint64
	key := func() uint64 { seq++; return seq << 32 }
	pop := func() entry { x := q.min(); q.pop(); return x }
	push := func(x entry) {
		q.push(x)
		i, _ := slices.BinarySearchFunc(ref, x, func(a, b entry) int {
			return int(lessBit(b, a)) - int(lessBit(a, b))
		})
		ref = slices.Insert(ref, i, x)
	}
	for op := 0; op < 20000; op++ {
		r := rng.IntN(100)
		if len(ref) > hold {
			r = 99
		}
		switch {
		case r < 45:
			var d Time
			switch rng.IntN(40) {
			case 4:
				d = Time(rng.IntN(int(60 * Second))) // far: see split
			case 0:
				d = 0 // a tie with now
			case 1, 5, 6, 7, 8, 9, 10, 11, 12, 13:
				d = Time(rng.IntN(16))
			case 2, 14, 15, 16, 17, 18, 19, 20, 21, 22:
				d = Time(rng.IntN(5000))
			default:
				d = Time(rng.ExpFloat64() * float64(Millisecond))
			}
			push(entry{now + d, key()})
		case r < 50 && len(ref) > 0:
			// a lane's front: an older key, at or after now
			old := ref[rng.IntN(len(ref))]
			push(entry{max(old.at, now), old.key>>32<<32 | 1})
		case r < 55 && len(ref) > 0:
			// look without taking, then schedule before it
			if got := q.min(); got != ref[0] {
				t.Fatalf("seed %d op %d: min %v, want %v", seed, op, got, ref[0])
			}
			if ref[0].at > now {
				now += Time(rng.IntN(int(ref[0].at - now)))
				push(entry{now, key()})
			}
		case len(ref) > 0:
			got, want := pop(), ref[0]
			ref = ref[1:]
			if got != want {
				t.Fatalf("seed %d hold %d op %d: popped %v, want %v", seed, hold, op, got, want)
			}
			now = got.at
		}
		if q.n != len(ref) {
			t.Fatalf("seed %d op %d: %d entries, want %d", seed, op, q.n, len(ref))
		}
		if q.stretched && len(q.b[0])-q.head > longRun {
			t.Fatalf("seed %d hold %d op %d: a stretched run of %d", seed, hold, op, len(q.b[0])-q.head)
		}
		if len(q.b[0]) > 2*q.n+128 { // see pop
			t.Fatalf("seed %d hold %d op %d: the run holds %d places for %d entries", seed, hold, op, len(q.b[0]), q.n)
		}
		if op%5000 == 4999 { // drop a third, as compaction does
			drop := func(x entry) bool { return x.key>>32%3 == 0 }
			q.filter(func(x entry) bool { return !drop(x) })
			ref = slices.DeleteFunc(ref, drop)
		}
	}
	for len(ref) > 0 {
		if got := pop(); got != ref[0] {
			t.Fatalf("seed %d draining: popped %v, want %v", seed, got, ref[0])
		}
		ref = ref[1:]
	}
}

// TestRadixHeapStretchIsSplit pushes one event far in the future while the
// queue is small, which stretches last to it, then keeps a few hundred
// near ones queued: without split every one of them would be an insertion
// into a run holding them all.
func TestRadixHeapStretchIsSplit(t *testing.T) {
	var q radixHeap
	var seq uint64
	push := func(at Time) { seq++; q.push(entry{at, seq << 32}) }
	push(Hour)
	if !q.stretched || q.last != Hour {
		t.Fatalf("a push into an empty queue: stretched %v, last %v; want a run stretched to it", q.stretched, q.last)
	}
	rng := NewStream(1, "split")
	now, longest := Time(0), 0
	for i := 0; i < 100000; i++ {
		if q.n < 300 || rng.IntN(2) == 0 {
			push(now + Time(rng.ExpFloat64()*float64(Second)))
		} else {
			x := q.min()
			q.pop()
			if x.at < now {
				t.Fatalf("popped %v after %v", x.at, now)
			}
			now = x.at
		}
		longest = max(longest, len(q.b[0])-q.head)
	}
	if longest > longRun+shortRun {
		t.Errorf("the run reached %d entries (of about 300 queued); a split keeps it under %d", longest, longRun+shortRun)
	}
}

// TestRadixHeapFarRefillIsSplit empties the queue but for one event far in
// the future, which a refill then makes the run and last, as a warm-up's
// end is when traffic pauses; the near events pushed after it all go
// before last, into the run, which split must keep short as it does a
// stretched one.
func TestRadixHeapFarRefillIsSplit(t *testing.T) {
	var q radixHeap
	var seq uint64
	push := func(at Time) { seq++; q.push(entry{at, seq << 32}) }
	for i := 1; i <= 2*smallRun; i++ {
		push(Time(i) * Microsecond)
	}
	push(Hour)
	for q.n > 1 {
		q.min()
		q.pop()
	}
	if x := q.min(); x.at != Hour || q.last != Hour {
		t.Fatalf("the far event alone: min %v, last %v; want both %v", x.at, q.last, Hour)
	}
	rng := NewStream(1, "far")
	now, longest := Time(0), 0
	for i := 0; i < 100000; i++ {
		if q.n < 300 || rng.IntN(2) == 0 {
			push(now + Time(rng.ExpFloat64()*float64(Second)))
		} else {
			x := q.min()
			q.pop()
			now = x.at
		}
		longest = max(longest, len(q.b[0])-q.head)
	}
	if longest > longRun+shortRun {
		t.Errorf("the run reached %d entries (of about 300 queued); a split keeps it under %d", longest, longRun+shortRun)
	}
}

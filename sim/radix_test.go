package sim

import (
	"fmt"
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
		if op%97 == 0 { // a full check is O(n): often, not always, and at every phase of the filter's 5000
			if err := q.check(); err != "" {
				t.Fatalf("seed %d hold %d op %d: %s", seed, hold, op, err)
			}
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

// TestRadixHeapInsertsAreShallow counts how many entries of the run every
// push before last moves, in the patterns that made a stretched run hold
// everything pending: an event far in the future pushed first, then a few
// hundred or a few dozen near ones kept queued; the same far event alone
// when traffic pauses, which a refill makes last; and pushes in decreasing
// order. Without split each of them moves up to the whole queue.
func TestRadixHeapInsertsAreShallow(t *testing.T) {
	type heap struct {
		q   radixHeap
		seq uint64
		max int // most run entries one push moved
	}
	push := func(h *heap, at Time) {
		h.seq++
		x := entry{at, h.seq << 32}
		h.q.push(x)
		run := h.q.b[0][h.q.head:]
		if i := slices.Index(run, x); i >= 0 {
			h.max = max(h.max, len(run)-1-i) // the entries it moved
		}
	}
	// hold runs the clock on from now for many pushes, each due an
	// exponential time with mean d after the clock, popping half the time
	// once n entries are queued (so at least about n are).
	hold := func(h *heap, now Time, n int, d Time) {
		rng := NewStream(uint64(n), "shallow")
		for i := 0; i < 100000; i++ {
			if h.q.n < n || rng.IntN(2) == 0 {
				push(h, now+Time(rng.ExpFloat64()*float64(d)))
			} else {
				x := h.q.min()
				h.q.pop()
				now = x.at
			}
		}
	}
	cases := []struct {
		name string
		run  func(h *heap)
	}{
		{"far first, 300 queued", func(h *heap) { push(h, Hour); hold(h, 0, 300, Second) }},
		{"far first, 50 queued", func(h *heap) { push(h, Hour); hold(h, 0, 50, Millisecond) }},
		{"far first, 10 queued", func(h *heap) { push(h, Hour); hold(h, 0, 10, Millisecond) }},
		{"far alone after a pause, 300 queued", func(h *heap) {
			for i := 1; i <= 2*smallRun; i++ {
				push(h, Time(i)*Microsecond)
			}
			push(h, Hour)
			var now Time
			for h.q.n > 1 {
				now = h.q.min().at
				h.q.pop()
			}
			if x := h.q.min(); x.at != Hour || h.q.last != Hour {
				t.Fatalf("the far event alone: min %v, last %v; want both %v", x.at, h.q.last, Hour)
			}
			hold(h, now, 300, Second)
		}},
		{"decreasing", func(h *heap) {
			for at := Time(10000); at > 0; at-- {
				push(h, at)
			}
		}},
	}
	for _, c := range cases {
		var h heap
		c.run(&h)
		if h.max > deep {
			t.Errorf("%s: a push moved %d entries of the run; split keeps it to %d", c.name, h.max, deep)
		}
	}
}

// check says what is wrong with q's invariants, or "": the run sorted and at
// or before last, every bucket's entries after last and in the bucket of
// their first digit differing from it, the marks and the count right.
func (q *radixHeap) check() string {
	run := q.b[0][q.head:]
	n := len(run)
	for i, x := range run {
		if x.at > q.last {
			return fmt.Sprintf("run entry %v after last %v", x, q.last)
		}
		if i > 0 && less(x, run[i-1]) {
			return fmt.Sprintf("run unsorted at %d", i)
		}
	}
	for i := 1; i < len(q.b); i++ {
		n += len(q.b[i])
		if marked := q.nonEmpty[i/64]>>(i%64)&1 == 1; marked != (len(q.b[i]) > 0) {
			return fmt.Sprintf("bucket %d holds %d, marked %v", i, len(q.b[i]), marked)
		}
		for _, x := range q.b[i] {
			if x.at <= q.last || q.bucket(x) != i {
				return fmt.Sprintf("entry %v in bucket %d, last %v", x, i, q.last)
			}
		}
	}
	for w := range q.nonEmpty {
		if (q.nonEmpty[w] != 0) != (q.words>>w&1 == 1) {
			return fmt.Sprintf("word %d's mark is wrong", w)
		}
	}
	if n != q.n {
		return fmt.Sprintf("%d entries, counted %d", n, q.n)
	}
	return ""
}

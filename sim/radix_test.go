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
// fault injected at the clock).
func TestRadixHeapOrder(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
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
			switch r := rng.IntN(100); {
			case r < 45:
				var d Time
				switch rng.IntN(4) {
				case 0:
					d = 0 // a tie with now
				case 1:
					d = Time(rng.IntN(16))
				case 2:
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
					t.Fatalf("seed %d op %d: popped %v, want %v", seed, op, got, want)
				}
				now = got.at
			}
			if q.n != len(ref) {
				t.Fatalf("seed %d op %d: %d entries, want %d", seed, op, q.n, len(ref))
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
}

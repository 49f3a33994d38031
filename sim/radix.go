package sim

import (
	"math/bits"
	"slices"
)

// radixHeap holds the pending entries in (time, sequence) order. It is a
// radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, 1990) with sixteen buckets
// per hexadecimal digit of the time, in front of a short sorted run.
//
// The run, bucket 0 read from head, holds the next entries in order, all at
// or before last. An entry after last whose time first differs from last in
// digit L, where its digit is d (greater than last's), is in bucket 16L+d;
// so every entry of a bucket is earlier than every entry of a higher one. A
// push is an append, to the run only when it belongs there. When the run is
// empty the lowest non-empty bucket becomes the next run: sorted as it is
// when it is short, otherwise split by its earliest time, which becomes
// last, into lower buckets. Between splits (below) an entry moves at most
// 15 times; in shop, about 1.3 times after its push (counted with 8 as
// shortRun).
//
// Compared with a 4-ary heap this turns a pop's walk down the tree (four
// children compared per level, a level per factor of four pending) into a
// few sequential appends per entry: BenchmarkEngine with about 3,500
// pending went from 9M to 12-13M events/s, and with a few dozen pending it
// is as fast as the heap was (18M).
//
// While the run is short (smallRun), a push after last whose first digit
// differing from last is below every non-empty bucket's goes into the run
// and becomes last: last keeps every digit the buckets are placed by, so
// none of them moves. An M/M/8's ten pending events then live in the run
// alone, a push an append (an insertion sort's step when it is before
// last) and a pop the head, while a fault or a warm-up's end waits in a
// high bucket. The run then may never empty, so pop moves it down once its
// taken head is half of it.
//
// The run is then "stretched": last is a time it took in (so is a short
// bucket's latest entry after a refill), and every push before last is an
// insertion into it. One far-future event taken in first (a warm-up's end
// scheduled at setup) would make every later push an insertion into a run
// of everything pending. So a push that would move more than deep entries
// of a stretched run splits it first (split): the run keeps its first
// shortRun entries and their ties, the last of them becomes last, and the
// rest of the run and the buckets below the first digit where the new last
// differs from the old are filed again relative to it. A push then moves at
// most deep entries (TestRadixHeapInsertsAreShallow). A split moves the
// run, whose entries past the first shortRun (and ties) were pushed since
// the previous split or refill, and the buckets it must: after a look-ahead
// those can be older, but with 10^3 to 10^5 queued and a look-ahead every
// 61 pushes a push still cost 12-18 ns whatever the size.
//
// last only grows outside a split, and an entry can be pushed before it
// (after the engine looked at the next event without firing it and the
// clock then moved to an earlier until): it goes into the run, which is
// sorted.
type radixHeap struct {
	last     Time
	n        int
	head     int                // the run's first entry not yet taken
	nonEmpty [radixWords]uint64 // bit k%64 of word k/64 set: bucket k > 0 holds entries
	words    uint64             // bit w set: nonEmpty[w] is not 0
	// stretched: last is a time the run took in (see above), so a push
	// before it is an insertion, which split keeps shallow.
	stretched bool
	b         [radixBuckets][]entry
	scratch   []entry // split's
}

const (
	radixBits    = 4
	radixLevels  = (63 + radixBits - 1) / radixBits // times are never negative: 63 bits
	radixBuckets = radixLevels << radixBits
	radixWords   = (radixBuckets + 63) / 64

	// shortRun is the most entries a bucket may hold to become the run
	// by sorting (rank) instead of being split. It was 8 when short buckets
	// were sorted by insertion; with rank, 16 takes BenchmarkEngine
	// churners=2000 from 69 to 62 ns per event, bench-tandem 0.966x and
	// shop 0.979x wall (paired, n 7 and 5): a bucket of 9 to 16 is sorted
	// in one pass of 256 branch-free compares where splitting it moved
	// every entry once more. A split keeps shortRun entries of a run
	// longer than deep, so shortRun must not exceed deep+1 (checked below).
	shortRun = 16

	// smallRun is the most entries the run holds to take a push past
	// last; deep is the most entries of a stretched run a push may move
	// before the run is split.
	smallRun = 32
	deep     = 16

	// A negative constant does not convert to uint: shortRun <= deep+1.
	_ = uint(deep + 1 - shortRun)
)

// bucket is the bucket of x, which is after last.
func (q *radixHeap) bucket(x entry) int {
	level := q.level(x.at)
	digit := uint64(x.at) >> (level * radixBits) & (1<<radixBits - 1)
	return level<<radixBits | int(digit)
}

// lowest is the lowest non-empty bucket above 0; there must be one.
func (q *radixHeap) lowest() int {
	w := bits.TrailingZeros64(q.words) % radixWords
	return w*64 + bits.TrailingZeros64(q.nonEmpty[w])
}

// mark notes that bucket i holds entries.
func (q *radixHeap) mark(i int) {
	q.nonEmpty[i/64] |= 1 << (i % 64)
	q.words |= 1 << (i / 64)
}

// unmark notes that bucket i is empty.
func (q *radixHeap) unmark(i int) {
	w := &q.nonEmpty[i/64]
	*w &^= 1 << (i % 64)
	if *w == 0 {
		q.words &^= 1 << (i / 64)
	}
}

func (q *radixHeap) push(x entry) {
	q.n++
	if x.at <= q.last {
		if b := q.b[0]; q.stretched && len(b)-q.head > deep && less(x, b[len(b)-deep]) {
			q.split()
			if x.at > q.last {
				q.file(x)
				return
			}
		}
		q.b[0] = sortedAppend(q.b[0], q.head, x)
		return
	}
	i := q.bucket(x)
	if len(q.b[0])-q.head < smallRun && (q.words == 0 || i>>radixBits < q.lowest()>>radixBits) {
		// Every entry of the run is at or before last, so x goes at its end.
		q.b[0] = append(q.b[0], x)
		q.last, q.stretched = x.at, true
		return
	}
	q.put(i, x)
}

// level is the level of the first digit where t differs from last.
func (q *radixHeap) level(t Time) int {
	return (bits.Len64(uint64(t^q.last)) - 1) / radixBits
}

// file puts x, which is after last, in its bucket.
func (q *radixHeap) file(x entry) { q.put(q.bucket(x), x) }

// put appends x to bucket i > 0.
func (q *radixHeap) put(i int, x entry) {
	q.b[i] = append(q.b[i], x)
	q.mark(i)
}

// sortedAppend adds x to b, sorted from from on, keeping it sorted: an
// insertion sort's step. x usually belongs at the end, its sequence number
// being the newest; a lane's front carries an older one.
func sortedAppend(b []entry, from int, x entry) []entry {
	b = append(b, x)
	j := len(b) - 1
	for j > from && less(x, b[j-1]) {
		b[j] = b[j-1]
		j--
	}
	b[j] = x
	return b
}

// min is the earliest entry; the heap must not be empty.
func (q *radixHeap) min() entry {
	if q.head == len(q.b[0]) {
		q.refill()
	}
	return q.b[0][q.head]
}

// pop removes the earliest entry, which min has just returned (so that the
// engine's loop looks for it once).
func (q *radixHeap) pop() {
	q.head++
	if q.head == len(q.b[0]) {
		q.b[0], q.head = q.b[0][:0], 0
	} else if q.head >= 64 && 2*q.head >= len(q.b[0]) {
		// A stretched run may never empty and must not grow for ever: move
		// it down once what was taken is half of it, and at least 64, so
		// a copy is paid for by as many pops and a short run never copies.
		b := q.b[0]
		q.b[0], q.head = b[:copy(b, b[q.head:])], 0
	}
	q.n--
}

// split shortens a stretched run (see radixHeap): it keeps its first
// shortRun entries and those at the same time as the last of them, which
// becomes last; the rest of the run, and the buckets no longer in place
// relative to the new last, are filed again.
func (q *radixHeap) split() {
	run := q.b[0][q.head:]
	k := shortRun - 1
	for k+1 < len(run) && run[k+1].at == run[k].at {
		k++
	}
	s := append(q.scratch[:0], run[k+1:]...)
	if at := run[k].at; at < q.last {
		// A bucket at or above the first level where the new last differs
		// from the old is in place relative to both (its digit there is
		// above both); only those below it move.
		below := q.level(at) << radixBits
		for q.words != 0 {
			i := q.lowest()
			if i >= below {
				break
			}
			s = append(s, q.b[i]...)
			q.b[i] = q.b[i][:0]
			q.unmark(i)
		}
	}
	q.b[0] = q.b[0][:q.head+k+1]
	// last is a time the run took in unless nothing was split off
	q.last, q.stretched = run[k].at, k+1 < len(run)
	for _, x := range s {
		q.file(x) // after last: the run is sorted, the buckets after it
	}
	q.scratch = s[:0]
}

// refill makes the lowest non-empty bucket the run, the run being empty.
func (q *radixHeap) refill() {
	i := q.lowest()
	src := q.b[i]
	q.b[0], q.head = q.b[0][:0], 0
	// A short bucket's latest entry can be far from its earliest, and every
	// push between them is an insertion: the run is stretched.
	q.stretched = len(src) <= shortRun
	if n := len(src); n <= shortRun {
		b := slices.Grow(q.b[0], n)[:n]
		for i, x := range src {
			b[rank(src, i, x)] = x
		}
		q.b[0], q.last = b, b[n-1].at
	} else {
		m := src[0].at
		for _, x := range src[1:] {
			m = min(m, x.at)
		}
		q.last = m
		for _, x := range src {
			if x.at == m {
				q.b[0] = sortedAppend(q.b[0], 0, x)
				continue
			}
			q.file(x) // below i
		}
	}
	q.b[i] = src[:0]
	q.unmark(i)
}

// rank is the place of x, which is src[i], in src sorted: how many entries
// are before it, an equal one before i counting as before. It does not
// branch on the order, which is random: sorting a short bucket by insertion
// mispredicted about once an entry, and the instruction after that branch
// held a fifth of refill's samples on bench-tandem. With it, bench-tandem
// and shop take 0.98x the time (paired; small, but in both).
func rank(src []entry, i int, x entry) int {
	r := 0
	for j, y := range src {
		if j < i {
			r += int(1 - lessBit(x, y))
		} else {
			r += int(lessBit(y, x))
		}
	}
	return r
}

// each calls f on every entry, in no particular order.
func (q *radixHeap) each(f func(*entry)) {
	for i := q.head; i < len(q.b[0]); i++ {
		f(&q.b[0][i])
	}
	for i := 1; i < len(q.b); i++ {
		for j := range q.b[i] {
			f(&q.b[i][j])
		}
	}
}

// filter keeps the entries keep returns true for, in their order: the run
// stays sorted, and the buckets need no order.
func (q *radixHeap) filter(keep func(entry) bool) {
	b0 := q.b[0][:0]
	for _, x := range q.b[0][q.head:] {
		if keep(x) {
			b0 = append(b0, x)
		}
	}
	q.b[0], q.head, q.n = b0, 0, len(b0)
	for i := 1; i < len(q.b); i++ {
		b := q.b[i][:0]
		for _, x := range q.b[i] {
			if keep(x) {
				b = append(b, x)
			}
		}
		q.b[i] = b
		q.n += len(b)
		if len(b) == 0 {
			q.unmark(i)
		}
	}
}

package sim

// Ring keeps the last Cap values pushed, so a time series costs the same
// memory after ten hours of simulated time as after ten minutes.
//
// Its buffer grows as values come, up to Cap, rather than being allocated
// at Cap: a model keeps a ring per service and workload, and a short run
// of a topology with a thousand services would otherwise allocate (and
// zero) a gigabyte of series it never fills.
type Ring[T any] struct {
	buf   []T // the values held: len(buf) of them
	max   int
	start int   // index of the oldest value (0 until the ring is full)
	total int64 // values ever pushed
}

// NewRing returns an empty ring holding at most capacity values.
func NewRing[T any](capacity int) *Ring[T] {
	if capacity < 1 {
		capacity = 1
	}
	return &Ring[T]{buf: make([]T, 0, min(capacity, 64)), max: capacity}
}

// Push appends v, dropping the oldest value when full.
func (r *Ring[T]) Push(v T) {
	r.total++
	if len(r.buf) < r.max {
		if len(r.buf) == cap(r.buf) { // grow, but never past max
			r.buf = append(make([]T, 0, min(2*cap(r.buf), r.max)), r.buf...)
		}
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

// Len is the number of values held.
func (r *Ring[T]) Len() int { return len(r.buf) }

// Cap is the most values the ring holds.
func (r *Ring[T]) Cap() int { return r.max }

// Total counts every value ever pushed, dropped ones included.
func (r *Ring[T]) Total() int64 { return r.total }

// At returns the i-th oldest value held (0 is the oldest).
func (r *Ring[T]) At(i int) T { return r.buf[(r.start+i)%len(r.buf)] }

// Last returns the newest value, and false when the ring is empty.
func (r *Ring[T]) Last() (T, bool) {
	var zero T
	if len(r.buf) == 0 {
		return zero, false
	}
	return r.At(len(r.buf) - 1), true
}

// Slice copies the values held, oldest first.
func (r *Ring[T]) Slice() []T {
	out := make([]T, len(r.buf))
	for i := range out {
		out[i] = r.At(i)
	}
	return out
}

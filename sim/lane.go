package sim

// lane holds the events scheduled with one fixed delay (AfterFixed). Every
// event in it was scheduled d after its scheduling time, and the clock never
// goes back, so the lane is already sorted by (time, sequence): a FIFO. Only
// its front sits in the heap. A model's timeouts are the bulk of its pending
// events and nearly all of them are cancelled; in a lane they cost an append
// and a skip instead of a push and a dead entry in the queue.
//
// The order events fire in is exactly the heap's: the front carries its own
// (time, sequence), assigned when it was scheduled.
type lane struct {
	d     Time
	buf   []entry // ring, length a power of two
	start int
	n     int
	dead  int // cancelled events behind the front
}

// laneFor returns the lane for delay d, making it on first use. Models have
// a handful of distinct timeouts, so a scan of a short slice with the last
// hit tried first beats a map.
func (e *Engine) laneFor(d Time) *lane {
	if l := e.lastLane; l != nil && l.d == d {
		return l
	}
	for _, l := range e.lanes {
		if l.d == d {
			e.lastLane = l
			return l
		}
	}
	if len(e.lanes) >= maxLanes {
		return nil
	}
	l := &lane{d: d, buf: make([]entry, 16)}
	e.lanes = append(e.lanes, l)
	e.lastLane = l
	return l
}

// maxLanes bounds the distinct fixed delays kept in lanes; past it (delays
// drawn from a distribution passed to AfterFixed by mistake, say) events go
// to the heap as After would put them, with the same order.
const maxLanes = 64

func (l *lane) push(x entry) {
	if l.n == len(l.buf) {
		buf := make([]entry, 2*len(l.buf))
		for i := 0; i < l.n; i++ {
			buf[i] = l.buf[(l.start+i)&(len(l.buf)-1)]
		}
		l.buf, l.start = buf, 0
	}
	l.buf[(l.start+l.n)&(len(l.buf)-1)] = x
	l.n++
}

// compactLane drops the cancelled events behind the front once they are two
// thirds of the lane, so a lane holds at most about three times its live
// events. A compaction reads the slot of every entry, at random in the slot
// table: at two thirds it reads 1.5 entries per cancellation where at half
// (the heap's share) it read 2, and BenchmarkEngine churners=2000 takes 69.5
// instead of 72 ns per event (paired, n = 4); the lane's entries are 16
// bytes, so the extra third is cheap in memory. The front stays even when
// cancelled: it is in the heap, and leaves through advance.
func (e *Engine) compactLane(l *lane) {
	mask := len(l.buf) - 1
	k := 1
	for i := 1; i < l.n; i++ {
		x := l.buf[(l.start+i)&mask]
		if e.slots[x.slot()].h == nil {
			e.release(x.slot())
			continue
		}
		l.buf[(l.start+k)&mask] = x
		k++
	}
	l.n, l.dead = k, 0
}

func (l *lane) front() entry { return l.buf[l.start] }

func (l *lane) popFront() {
	l.start = (l.start + 1) & (len(l.buf) - 1)
	l.n--
}

// AfterFixed is After for a delay that recurs, a timeout per call of an edge
// being the case it is for: events scheduled with one d are kept in a FIFO of
// their own with only the first in the heap. They fire exactly when and in
// the order After would fire them; only the cost differs, most for events
// that are usually cancelled.
func (e *Engine) AfterFixed(d Time, h Handler, arg any) Timer {
	d = max(d, 0)
	return e.schedule(e.due(d), h, arg, e.laneFor(d)) // no lane past maxLanes: the queue
}

// advance drops l's front, which has just left the heap, and the cancelled
// events behind it, and puts the next live one in the heap.
func (e *Engine) advance(l *lane) {
	l.popFront()
	for l.n > 0 {
		x := l.front()
		if e.slots[x.slot()].h != nil {
			e.q.push(x)
			return
		}
		e.release(x.slot())
		l.popFront()
		l.dead--
	}
}

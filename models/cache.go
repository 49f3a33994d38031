package models

import (
	"fmt"
	"math"

	"cascade/sim"
	"cascade/sim/dist"
)

// CachePattern is how a cache gets its data.
type CachePattern int

const (
	// CacheAside (look-aside): the application asks the cache, and on a
	// miss loads from the origin itself and fills the cache — only if it
	// still waits for the answer, unless FillAfterTimeout.
	CacheAside CachePattern = iota
	// ReadThrough: the cache loads from Origin on a miss and fills itself.
	ReadThrough
)

func (p CachePattern) String() string {
	if p == ReadThrough {
		return "read_through"
	}
	return "cache_aside"
}

// WritePolicy is what a cache's write operation does.
type WritePolicy int

const (
	// WriteInvalidate drops the key (what cache-aside applications do
	// after writing the database).
	WriteInvalidate WritePolicy = iota
	// WriteThrough writes WriteOrigin, then stores the value.
	WriteThrough
	// WriteBack stores the value and answers; WriteOrigin is written
	// WriteBackDelay later (lost if the cache crashes first).
	WriteBack
	// WriteAround writes WriteOrigin and drops the key.
	WriteAround
)

func (w WritePolicy) String() string {
	switch w {
	case WriteThrough:
		return "through"
	case WriteBack:
		return "back"
	case WriteAround:
		return "around"
	}
	return "invalidate"
}

// CacheSpec makes a service a cache of key -> value entries. Its
// operations are get (a lookup by the request's key), set (a fill),
// write and delete; a look-aside cache is used through a Cache step.
type CacheSpec struct {
	Capacity  int      // entries, LRU eviction; >= 1
	TTL       sim.Time // freshness; 0 = never expires
	TTLJitter float64  // each fill's TTL is TTL·(1 ± U·jitter), jitter in [0, 1)
	NegTTL    sim.Time // cache origin errors this long; 0 = not at all
	Pattern   CachePattern
	OriginSvc string // ReadThrough and background refreshes: the service and op loaded from
	OriginOp  string
	// OriginTimeout bounds the cache's own loads; 0 = none.
	OriginTimeout sim.Time
	Writes        WritePolicy
	WriteSvc      string // WriteThrough, WriteBack, WriteAround: where writes go
	WriteOp       string
	WriteDelay    sim.Time  // WriteBack
	HitTime       dist.Dist // time to answer a lookup; nil = instant

	// Stampede protection.
	SingleFlight bool     // concurrent misses of one key wait for one load and share its result
	LockTimeout  sim.Time // ... but give up after this and load themselves (nginx proxy_cache_lock)
	Lease        sim.Time // memcache leases: one loader per key per lease; others wait until it fills
	// StaleWhileRevalidate serves an expired entry for this long after its
	// TTL while one background refresh (from the origin) runs.
	StaleWhileRevalidate sim.Time
	// StaleIfError serves an expired entry for this long after its TTL
	// when the origin fails: a read-through load, a refresh, or a
	// look-aside client's miss steps.
	StaleIfError sim.Time
	// XFetchBeta > 0 refreshes early, XFetch style: a read at now refreshes
	// when now − Δ·β·ln(U) ≥ expiry, Δ the last recompute time.
	XFetchBeta float64
	// FillAfterTimeout fills a look-aside cache even when the caller that
	// loaded the value had given up waiting.
	FillAfterTimeout bool
}

// coalesces says whether misses of one key wait on a load in flight.
func (s *CacheSpec) coalesces() bool { return s.SingleFlight || s.LockTimeout > 0 || s.Lease > 0 }

// cacheEntry is one key's value: fresh until soft, servable stale until
// hard. Entries form the LRU list, most recent first.
type cacheEntry struct {
	key        uint32
	soft, hard sim.Time
	delta      sim.Time // how long the value took to compute (XFetch)
	negative   bool     // an origin error, cached
	prev, next *cacheEntry
}

// cacheLoad is a load of one key in flight: the misses waiting for it.
type cacheLoad struct {
	waiters []*exec
	until   sim.Time // when the loader's lock (lease) runs out: see lockAge
	bg      bool     // a background refresh (no caller waits on it)
}

// cache is the state of one cache service (shared by its instances: a
// cluster with one key space).
type cache struct {
	s       *Service
	spec    CacheSpec
	byKey   map[uint32]*cacheEntry
	head    *cacheEntry // most recently used
	tail    *cacheEntry
	n       int
	free    []*cacheEntry
	loads   map[uint32]*cacheLoad
	rng     *sim.Rand // TTL jitter, XFetch draws
	origin  *step     // ReadThrough and refreshes: a Call step to the origin
	writeTo *step     // WriteThrough/Back/Around: a Call step to WriteOrigin

	CacheStats
}

// CacheStats are a cache's counters since the end of warm-up.
type CacheStats struct {
	Lookups, Hits, Misses int64
	StaleServes           int64 // expired entries served (stale-while-revalidate, stale-if-error)
	NegativeHits          int64 // cached errors served
	Coalesced             int64 // misses that waited on another's load
	EarlyRefreshes        int64 // XFetch refreshes before expiry
	Refreshes             int64 // background loads (stale-while-revalidate, XFetch read-through)
	OriginLoads           int64 // loads the cache itself made (read-through, refreshes)
	Fills, Evictions      int64
	TopLookups, TopHits   int64 // the 10 most popular keys (0..9)
	Flushes, MassExpired  int64
	WriteBackLost         int64 // write-back writes lost: the instance holding them crashed first
}

func newCache(s *Service, spec CacheSpec, rng *sim.Rand) (*cache, error) {
	if spec.Capacity < 1 {
		return nil, fmt.Errorf("cache %q: capacity must be >= 1", s.spec.Name)
	}
	if !(spec.TTLJitter >= 0 && spec.TTLJitter < 1) {
		return nil, fmt.Errorf("cache %q: ttl jitter must be in [0, 1)", s.spec.Name)
	}
	return &cache{s: s, spec: spec, byKey: make(map[uint32]*cacheEntry, min(spec.Capacity, 1<<16)),
		loads: map[uint32]*cacheLoad{}, rng: rng}, nil
}

// cacheOps are the operations of a cache service.
func cacheOps(spec *CacheSpec) []OpSpec {
	lead := func(k StepKind) []Step {
		var out []Step
		if spec.HitTime != nil {
			out = append(out, Step{Kind: Work, Work: spec.HitTime})
		}
		return append(out, Step{Kind: k})
	}
	return []OpSpec{
		{Name: "get", Steps: lead(CacheServe)},
		{Name: "set", Steps: lead(CacheFill)},
		{Name: "write", Steps: lead(CacheWrite)},
		{Name: "delete", Steps: lead(CacheDelete)},
	}
}

// get returns the entry for key, marking it most recently used.
func (k *cache) get(key uint32) *cacheEntry {
	e := k.byKey[key]
	if e != nil && e != k.head {
		k.unlink(e)
		k.pushFront(e)
	}
	return e
}

func (k *cache) unlink(e *cacheEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		k.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		k.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (k *cache) pushFront(e *cacheEntry) {
	e.next = k.head
	if k.head != nil {
		k.head.prev = e
	}
	k.head = e
	if k.tail == nil {
		k.tail = e
	}
}

// put stores key, fresh for the TTL (jittered), evicting the least
// recently used entry when full.
func (k *cache) put(key uint32, now, delta sim.Time, negative bool) {
	e := k.byKey[key]
	if e == nil {
		if k.n >= k.spec.Capacity {
			old := k.tail
			k.unlink(old)
			delete(k.byKey, old.key)
			k.n--
			k.free = append(k.free, old)
			if k.s.m.measuring() {
				k.Evictions++
			}
		}
		if n := len(k.free); n > 0 {
			e = k.free[n-1]
			k.free = k.free[:n-1]
			*e = cacheEntry{}
		} else {
			e = &cacheEntry{}
		}
		e.key = key
		k.byKey[key] = e
		k.n++
		k.pushFront(e)
	} else if e != k.head {
		k.unlink(e)
		k.pushFront(e)
	}
	ttl := k.spec.TTL
	if negative {
		ttl = k.spec.NegTTL
	}
	switch {
	case ttl == 0:
		e.soft = sim.Forever
	default:
		if j := k.spec.TTLJitter; j > 0 && !negative {
			ttl = sim.Time(float64(ttl) * (1 + j*(2*k.rng.Float64()-1)))
		}
		e.soft = now + ttl
	}
	e.hard = e.soft
	if !negative && e.soft != sim.Forever {
		e.hard = e.soft + max(k.spec.StaleWhileRevalidate, k.spec.StaleIfError)
	}
	e.delta, e.negative = delta, negative
	if k.s.m.measuring() {
		k.Fills++
	}
}

// remove drops key.
func (k *cache) remove(key uint32) {
	if e := k.byKey[key]; e != nil {
		k.unlink(e)
		delete(k.byKey, key)
		k.n--
		k.free = append(k.free, e)
	}
}

// flush empties the cache: a restart, a cold start.
func (k *cache) flush() {
	for e := k.head; e != nil; {
		next := e.next
		e.prev, e.next = nil, nil
		k.free = append(k.free, e)
		e = next
	}
	clear(k.byKey)
	k.head, k.tail, k.n = nil, nil, 0
	k.Flushes++
}

// expire makes a fraction p of the entries expire now, hard: a
// synchronized mass expiry. Entries are walked in LRU order, so the same
// seed expires the same keys.
func (k *cache) expire(now sim.Time, p float64, r *sim.Rand) {
	for e := k.head; e != nil; e = e.next {
		if r.Float64() < p && e.soft > now {
			// The TTL runs out now; what may be served stale afterwards
			// still may be, as after any expiry.
			e.soft = now
			e.hard = now
			if !e.negative {
				e.hard = now + max(k.spec.StaleWhileRevalidate, k.spec.StaleIfError)
			}
			k.MassExpired++
		}
	}
}

// early is XFetch's test on a fresh entry: refresh when
// now − Δ·β·ln(U) ≥ expiry, U uniform on (0, 1].
func (k *cache) early(e *cacheEntry, now sim.Time) bool {
	if k.spec.XFetchBeta <= 0 || e.delta <= 0 || e.soft == sim.Forever {
		return false
	}
	u := 1 - k.rng.Float64() // (0, 1]
	return float64(now)-float64(e.delta)*k.spec.XFetchBeta*math.Log(u) >= float64(e.soft)
}

func (k *cache) count(f *int64) {
	if k.s.m.measuring() {
		*f++
	}
}

// cacheServe answers a lookup at the cache (the get operation).
func (x *exec) cacheServe(k *cache) {
	m, c := x.m, x.call
	now := m.eng.Now()
	key := x.key
	k.count(&k.Lookups)
	if key < 10 {
		k.count(&k.TopLookups)
	}
	hit := func() {
		k.count(&k.Hits)
		if key < 10 {
			k.count(&k.TopHits)
		}
		c.hit = true
		x.finish(OK)
	}
	if e := k.get(key); e != nil {
		switch {
		case e.negative && now < e.soft:
			// A cached error. hit marks it as the cache's answer for the
			// key, not a failure of the cache: a look-aside client fails
			// the request instead of loading (which is what the negative
			// entry is there to prevent).
			k.count(&k.NegativeHits)
			c.hit = true
			x.finish(Error)
			return
		case now < e.soft:
			if !k.early(e, now) {
				hit()
				return
			}
			if k.origin != nil {
				// Refresh ahead (counted only when a load starts: one may
				// already be in flight); this read is still a hit.
				if k.refresh(key) {
					k.count(&k.EarlyRefreshes)
				}
				hit()
				return
			}
			// Look-aside XFetch: this reader recomputes, the others keep
			// hitting until it fills.
			k.count(&k.EarlyRefreshes)
			k.count(&k.Misses)
			c.hit = false
			x.finish(OK)
			return
		case now < e.hard && k.spec.StaleWhileRevalidate > 0 && now < e.soft+k.spec.StaleWhileRevalidate && k.origin != nil:
			k.count(&k.StaleServes)
			k.refresh(key)
			hit()
			return
		}
	}
	k.count(&k.Misses)
	if ld := k.loads[key]; ld != nil && k.spec.coalesces() && now < ld.until {
		k.count(&k.Coalesced)
		ld.waiters = append(ld.waiters, x)
		x.waitTimer = m.eng.At(k.waitLimit(now, ld), (*cacheWaitOver)(x), nil)
		return
	}
	if k.spec.coalesces() {
		// This miss loads and holds the key's lock (taking over one that
		// has run out: the misses waiting on it stay and get this load's
		// result, or the older load's if that comes first).
		ld := k.loads[key]
		if ld == nil {
			ld = &cacheLoad{}
			k.loads[key] = ld
		}
		ld.bg = false
		ld.until = now + k.lockAge()
	}
	if k.spec.Pattern == ReadThrough && k.origin != nil {
		k.count(&k.OriginLoads)
		x.missAt = now
		x.callOnce(k.origin)
		return
	}
	c.hit = false // look-aside: the caller loads and fills
	x.finish(OK)
}

// DefaultCacheLockAge is how long a load holds its key's lock when the
// cache has no lease: nginx's proxy_cache_lock_age default. A load still
// in flight after it no longer holds misses back — the next miss (or a
// waiter) loads again — so a load lost to a partition or a crash, which
// never answers when the cache has no origin_timeout, or a look-aside
// loader that gave up without a fill, stalls its key this long at most.
const DefaultCacheLockAge = 5 * sim.Second

// lockAge is how long a load holds its key's lock: the lease, else
// DefaultCacheLockAge.
func (k *cache) lockAge() sim.Time {
	if k.spec.Lease > 0 {
		return k.spec.Lease
	}
	return DefaultCacheLockAge
}

// waitLimit is when a coalesced miss stops waiting: after lock_timeout
// (nginx proxy_cache_lock_timeout), else when the load's lock runs out
// (its lease or DefaultCacheLockAge), when one waiter takes the lock over
// and the others wait for it.
func (k *cache) waitLimit(now sim.Time, ld *cacheLoad) sim.Time {
	if k.spec.LockTimeout > 0 {
		return now + k.spec.LockTimeout
	}
	return ld.until
}

// cacheWaitOver is a coalesced miss giving up on the load: it loads
// itself (look-aside: it gets a miss; read-through: the cache loads for it).
// A miss waiting out the load's lock (a lease, or the lock age) takes the
// lock over; the waiters whose timers fire at the same instant find it
// taken and wait for that load.
type cacheWaitOver exec

func (w *cacheWaitOver) Fire(any) {
	x := (*exec)(w)
	x.waitTimer = sim.Timer{}
	k := x.steps[x.pc].cache
	now := x.m.eng.Now()
	if ld := k.loads[x.key]; ld != nil {
		if k.spec.LockTimeout == 0 && now < ld.until {
			// Another waiter (or miss) took the lock over since this
			// one began waiting: wait for its load (it stays in the
			// waiters).
			x.waitTimer = x.m.eng.At(ld.until, w, nil)
			return
		}
		for i, w := range ld.waiters {
			if w == x {
				ld.waiters = append(ld.waiters[:i], ld.waiters[i+1:]...)
				break
			}
		}
		if now >= ld.until {
			ld.until = now + k.lockAge() // this one takes the lock over
		}
	}
	if k.spec.Pattern == ReadThrough && k.origin != nil {
		k.count(&k.OriginLoads)
		x.missAt = x.m.eng.Now()
		x.callOnce(k.origin)
		return
	}
	x.call.hit = false
	x.finish(OK)
}

// originReply is a read-through load's answer, at the cache.
func (x *exec) originReply(k *cache, o Outcome) {
	now := x.m.eng.Now()
	key := x.key
	if o == OK {
		k.put(key, now, now-x.missAt, false)
		k.settle(key, OK, true)
		x.call.hit = false
		x.finish(OK)
		return
	}
	if e := k.byKey[key]; e != nil && !e.negative && now < e.soft+k.spec.StaleIfError {
		// stale-if-error: the old value beats an error.
		k.count(&k.StaleServes)
		k.settle(key, OK, true)
		x.finish(OK)
		return
	}
	if k.spec.NegTTL > 0 {
		k.put(key, now, 0, true)
	}
	k.settle(key, Error, false)
	x.finish(Error)
}

// settle ends the load of key: every coalesced miss gets the loader's
// result (singleflight shares the error too) or, when the loader failed
// without sharing, a miss of its own (it loads itself).
func (k *cache) settle(key uint32, o Outcome, filled bool) {
	ld := k.loads[key]
	if ld == nil {
		return
	}
	delete(k.loads, key)
	for _, w := range ld.waiters {
		w.m.eng.Cancel(w.waitTimer)
		w.waitTimer = sim.Timer{}
		switch {
		case filled:
			w.call.hit = true
			w.finish(OK)
		case k.spec.SingleFlight && k.spec.LockTimeout == 0 && k.spec.Lease == 0 && o != OK:
			// The shared error is the cache's answer for the key (see
			// the negative hit): a look-aside waiter fails, it does not
			// load.
			w.call.hit = true
			w.finish(o)
		case k.spec.Pattern == ReadThrough && k.origin != nil:
			k.count(&k.OriginLoads)
			w.missAt = w.m.eng.Now()
			w.callOnce(k.origin)
		default:
			w.call.hit = false
			w.finish(OK)
		}
	}
}

// cacheFill is a set at the cache: a look-aside loader's fill (or, with
// failed, its report that the load failed).
func (x *exec) cacheFill(k *cache) {
	now := x.m.eng.Now()
	c := x.call
	if c.failedLoad {
		if k.staleIfError(x.key, now) {
			// The loader serves the old value (see missDone); so do
			// the misses that waited for it.
			k.settle(x.key, OK, true)
			return
		}
		if k.spec.NegTTL > 0 {
			k.put(x.key, now, 0, true)
		}
		k.settle(x.key, Error, false)
		return
	}
	k.put(x.key, now, c.delta, false)
	k.settle(x.key, OK, true)
}

// staleIfError says whether stale-if-error lets a look-aside load of key
// that failed at now serve the entry the cache still holds instead.
func (k *cache) staleIfError(key uint32, now sim.Time) bool {
	e := k.byKey[key]
	return k.spec.StaleIfError > 0 && e != nil && !e.negative && now < e.soft+k.spec.StaleIfError
}

// refresh loads key in the background from the origin, unless a load is
// already in flight; it says whether it started one.
func (k *cache) refresh(key uint32) bool {
	if k.origin == nil {
		return false
	}
	now := k.s.m.eng.Now()
	ld := k.loads[key]
	if ld != nil && now < ld.until {
		return false
	}
	if ld == nil {
		ld = &cacheLoad{}
		k.loads[key] = ld
	}
	// A new refresh, or one taking over a lock that ran out (a load lost
	// in a partition must not stop the key's refreshes for good).
	ld.bg, ld.until = len(ld.waiters) == 0, now+k.lockAge()
	k.count(&k.Refreshes)
	k.count(&k.OriginLoads)
	m := k.s.m
	r := &refresher{k: k, key: key, start: m.eng.Now()}
	c := m.newCall(k.origin.target, k.origin.op, r, k.origin.link, k.s.id, key)
	m.send(c, k.origin.timeout, k.origin.timeout)
	return true
}

// refresher is a background refresh waiting for the origin.
type refresher struct {
	k     *cache
	key   uint32
	start sim.Time
}

func (r *refresher) reply(_ *call, o Outcome, _ sim.Time) {
	k := r.k
	now := k.s.m.eng.Now()
	if o == OK {
		k.put(r.key, now, now-r.start, false)
		k.settle(r.key, OK, true)
		return
	}
	k.settle(r.key, o, false)
}

// cacheWrite is the write operation.
func (x *exec) cacheWrite(k *cache) {
	now := x.m.eng.Now()
	switch k.spec.Writes {
	case WriteThrough:
		x.writeStep = true
		x.callOnce(k.writeTo)
		return
	case WriteBack:
		k.put(x.key, now, 0, false)
		w := &writeBack{k: k, inst: x.inst, epoch: x.epoch}
		x.m.eng.After(k.spec.WriteDelay, w, x.key)
	case WriteAround:
		k.remove(x.key)
		x.writeStep = true
		x.callOnce(k.writeTo)
		return
	default:
		k.remove(x.key)
	}
	x.pc++
	x.run()
}

// writeBack writes one deferred value to the origin. It lives in the
// memory of the instance that took the write: if that instance crashes
// before the delay is up, the write is lost.
type writeBack struct {
	k     *cache
	inst  *instance
	epoch uint32 // the instance's epoch when it took the write
}

func (w *writeBack) Fire(arg any) {
	k := w.k
	m := k.s.m
	if w.inst.epoch != w.epoch {
		k.count(&k.WriteBackLost)
		return
	}
	c := m.newCall(k.writeTo.target, k.writeTo.op, discard{}, k.writeTo.link, k.s.id, arg.(uint32))
	m.send(c, k.writeTo.timeout, k.writeTo.timeout)
}

// discard is a caller that does not care about the reply.
type discard struct{}

func (discard) reply(*call, Outcome, sim.Time) {}

// cacheStep is the caller's side of a look-aside cache: ask; on a hit go
// on; on a miss (or when the cache itself fails) run the miss steps and
// fill the cache with what they loaded.
func (x *exec) cacheLookup(s *step) {
	m := x.m
	s.pair.sent(m.measuring())
	if x.unbounded(s) {
		s.pair.open.add(m.eng.Now())
		x.hangOn = s.pair
	}
	c := m.newCall(s.target, s.op, x, s.link, x.op.svc.id, x.key)
	c.sheddable = x.sheddable
	m.send(c, s.timeout, s.timeout)
}

// cacheReply continues a Cache step after the cache's answer. An error
// the cache answered for the key (a negative hit, a single-flight load's
// shared error: hit is set) fails the step; any other failure — the
// cache down, overloaded or too slow — is the cache failing, and the miss
// steps load instead. A reply the client stopped waiting for (abandoned:
// its timeout, a reset) never counts as the cache's answer.
func (x *exec) cacheReply(s *step, c *call, o Outcome) {
	if c != nil && c.hit && !c.abandoned {
		if o != OK {
			x.finish(Error)
			return
		}
		x.pc++
		x.run()
		return
	}
	x.missAt = x.m.eng.Now()
	x.missing = o == OK // the cache answered "miss": it expects a fill
	x.fork(s.children, false)
}

// missDone is the end of a Cache step's miss steps: fill (or tell the
// cache the load failed, so coalesced misses stop waiting), then go on.
//
// stale-if-error: when the load fails after the cache answered a miss,
// and the cache still holds the key's expired value within stale_if_error
// of its expiry, the request goes on with that value. (The application
// got the stale value along with the miss; the model looks at the cache
// when the load fails, as a read-through cache does — an entry evicted in
// between is not served.)
func (x *exec) missDone(s *step, o Outcome) {
	m := x.m
	stale := false
	if x.missing {
		k := s.cacheOf
		if o != OK && k.staleIfError(x.key, m.eng.Now()) {
			stale = true
			k.count(&k.StaleServes)
		}
		gone := x.call != nil && x.call.abandoned && !k.spec.FillAfterTimeout
		if !gone {
			c := m.newCall(s.target, s.fillOp, discard{}, s.link, x.op.svc.id, x.key)
			c.delta = m.eng.Now() - x.missAt
			c.failedLoad = o != OK
			m.send(c, 0, 0)
		}
	}
	x.missing = false
	if o != OK && !stale {
		x.finish(Error)
		return
	}
	x.pc++
	x.run()
}

// CacheResult is a cache's counters and size.
type CacheResult struct {
	CacheStats
	Entries  int
	Capacity int
	HitRatio float64 // hits (stale serves included) / lookups; NaN without lookups
	TopRatio float64 // the same for the 10 most popular keys
}

func (k *cache) result() *CacheResult {
	r := &CacheResult{CacheStats: k.CacheStats, Entries: k.n, Capacity: k.spec.Capacity,
		HitRatio: math.NaN(), TopRatio: math.NaN()}
	if k.Lookups > 0 {
		r.HitRatio = float64(k.Hits) / float64(k.Lookups)
	}
	if k.TopLookups > 0 {
		r.TopRatio = float64(k.TopHits) / float64(k.TopLookups)
	}
	return r
}

func (k *cache) restart() {
	flushes, mass := k.Flushes, k.MassExpired
	k.CacheStats = CacheStats{}
	k.Flushes, k.MassExpired = flushes, mass
}

// buildCache creates a cache service's state and resolves its origins.
func (m *Model) buildCache(s *Service, resolve resolver) error {
	k, err := newCache(s, *s.spec.Cache, m.eng.Stream("cache/"+s.spec.Name))
	if err != nil {
		return err
	}
	spec := &k.spec
	if spec.OriginSvc != "" {
		t, o, l, err := resolve(s.spec.Name, spec.OriginSvc, spec.OriginOp)
		if err != nil {
			return err
		}
		k.origin = &step{kind: Call, target: t, op: o, link: l, repeat: 1, timeout: spec.OriginTimeout, pair: m.pairOf(s.spec.Name, t.spec.Name)}
	}
	if spec.Pattern == ReadThrough && k.origin == nil {
		return fmt.Errorf("cache %q: read_through needs an origin", s.spec.Name)
	}
	if spec.Writes != WriteInvalidate {
		if spec.WriteSvc == "" {
			return fmt.Errorf("cache %q: writes %s needs a write origin", s.spec.Name, spec.Writes)
		}
		t, o, l, err := resolve(s.spec.Name, spec.WriteSvc, spec.WriteOp)
		if err != nil {
			return err
		}
		k.writeTo = &step{kind: Call, target: t, op: o, link: l, repeat: 1, timeout: spec.OriginTimeout, pair: m.pairOf(s.spec.Name, t.spec.Name)}
	}
	s.cache = k
	return nil
}

// bind points a cache service's compiled operation steps at its cache.
func (k *cache) bind(steps []step) {
	for i := range steps {
		switch steps[i].kind {
		case CacheServe:
			steps[i].cache = k
			if k.origin != nil {
				steps[i].pair = k.origin.pair
			}
		case CacheWrite:
			steps[i].cache = k
			if k.writeTo != nil {
				steps[i].pair = k.writeTo.pair
			}
		case CacheFill, CacheDelete:
			steps[i].cache = k
		}
	}
}

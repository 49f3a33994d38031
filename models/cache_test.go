package models

import (
	"math"
	"testing"

	"cascade/models/theory"
	"cascade/sim"
)

// cacheTopo is a client at rate/s with keys, calling api.get, which looks
// the key up in a cache in front of db.
func cacheTopo(t *testing.T, rate float64, keys KeySpec, spec CacheSpec, dbWork sim.Time, dbWorkers int, timeout sim.Time) Topology {
	api := service("api", 0, Unbounded, Step{Kind: Cache, Target: "products",
		Children: []Step{{Kind: Call, Target: "db", Timeout: timeout}}})
	db := service("db", dbWorkers, Unbounded, work(constant(t, dbWork)))
	return Topology{
		Workloads: []WorkloadSpec{{Name: "c", Target: "api", Rate: rate, Keys: keys, Timeout: timeout}},
		Services:  []ServiceSpec{api, {Name: "products", Instances: 1, Cache: &spec}, db},
	}
}

func TestLRUAgreesWithChe(t *testing.T) {
	// Zipf(0.8) over 2000 keys into an LRU of 200 entries, no TTL: the
	// measured hit ratio after warm-up against Che's approximation. A long
	// run makes the sampling error small (binomial sd ≈ 0.002 at 60,000
	// lookups), so 0.01 is a tight test of the LRU itself.
	keys := KeySpec{Kind: KeysZipf, N: 2000, S: 0.8}
	topo := cacheTopo(t, 1000, keys, CacheSpec{Capacity: 200}, sim.Millisecond, 0, 0)
	r := run(t, topo, Options{Until: 70 * sim.Second, Warmup: 10 * sim.Second})
	c := r.Services[1].Cache
	want := theory.CheHitRatio(keys.Probabilities(), 200)
	if math.Abs(c.HitRatio-want) > 0.01 {
		t.Errorf("LRU hit ratio %.4f, Che %.4f", c.HitRatio, want)
	}
	// Every miss goes to the origin exactly once: origin load = (1-h)·λ.
	if db := r.Services[2].Arrivals; db != c.Misses && math.Abs(float64(db-c.Misses)) > 5 {
		t.Errorf("db arrivals %d, misses %d", db, c.Misses)
	}
	if c.Entries != 200 || c.Evictions == 0 {
		t.Errorf("entries %d evictions %d", c.Entries, c.Evictions)
	}
}

func TestFlushStampedeAndSingleFlight(t *testing.T) {
	// A hot working set (uniform over 100 keys at 2000/s) behind a
	// look-aside cache whose origin takes 50ms with 20 workers (400/s):
	// warm, almost nothing reaches the db. A flush sends every request to
	// the db at once; without protection each miss loads on its own and
	// the db queue explodes; with single-flight one load per key suffices.
	keys := KeySpec{Kind: KeysUniform, N: 100}
	for _, c := range []struct {
		name     string
		single   bool
		maxMiss  int64
		coalesce bool
	}{{"plain", false, 0, false}, {"single-flight", true, 150, true}} {
		spec := CacheSpec{Capacity: 1000, SingleFlight: c.single}
		topo := cacheTopo(t, 2000, keys, spec, 50*sim.Millisecond, 20, 0)
		topo.Faults = []Fault{{Verb: FaultFlush, Target: Target{Component: "products"}, Start: 10 * sim.Second}}
		r := run(t, topo, Options{Until: 20 * sim.Second, Warmup: 5 * sim.Second})
		k := r.Services[1].Cache
		if k.Flushes != 1 {
			t.Fatalf("%s: flushes %d", c.name, k.Flushes)
		}
		db := r.Services[2].Arrivals
		if c.single {
			// 100 keys: one load each after the flush (plus the few misses
			// before warm-up ended).
			if db > c.maxMiss || k.Coalesced == 0 {
				t.Errorf("%s: %d db calls, %d coalesced", c.name, db, k.Coalesced)
			}
		} else if db < 400 {
			t.Errorf("%s: only %d db calls: a flush without protection should stampede", c.name, db)
		}
		t.Logf("%s: %d db calls, %d coalesced, hit ratio %.3f", c.name, db, k.Coalesced, k.HitRatio)
	}
}

func TestCacheAsideNegativeHitSparesOrigin(t *testing.T) {
	// A look-aside cache with negative caching in front of an origin that
	// always fails: a cached error is the cache's answer for the key, so
	// the client fails the request without loading. The origin sees one
	// load per miss, not one per lookup.
	spec := CacheSpec{Capacity: 1000, TTL: 10 * sim.Second, NegTTL: 5 * sim.Second}
	topo := cacheTopo(t, 200, KeySpec{Kind: KeysUniform, N: 10}, spec, sim.Millisecond, 0, 0)
	topo.Services[2].Ops[0].Steps = append(topo.Services[2].Ops[0].Steps, Step{Kind: Fail, FailP: 1})
	r := run(t, topo, Options{Until: 4 * sim.Second})
	c := r.Services[1].Cache
	db := r.Services[2]
	t.Logf("lookups=%d negHits=%d misses=%d fills=%d; db arrivals=%d", c.Lookups, c.NegativeHits, c.Misses, c.Fills, db.Arrivals)
	if db.Arrivals > c.Misses+5 {
		t.Errorf("db got %d loads for %d misses (%d negative hits went to the origin too)", db.Arrivals, c.Misses, c.NegativeHits)
	}
	if c.NegativeHits < 500 {
		t.Errorf("only %d negative hits", c.NegativeHits)
	}
	// Every request fails: the origin's errors, then the cached ones.
	if w := r.Workloads[0]; w.OK != 0 || w.Error < c.NegativeHits {
		t.Errorf("client %+v, %d negative hits: every request should fail", w.Counts, c.NegativeHits)
	}
}

func TestCacheAsideSingleFlightSharedErrorSparesOrigin(t *testing.T) {
	// Single-flight shares the loader's error with the waiters: a
	// look-aside waiter fails with it rather than loading itself.
	spec := CacheSpec{Capacity: 1000, TTL: 10 * sim.Second, SingleFlight: true}
	topo := cacheTopo(t, 1000, KeySpec{Kind: KeysUniform, N: 1}, spec, 100*sim.Millisecond, 0, 0)
	topo.Services[2].Ops[0].Steps = append(topo.Services[2].Ops[0].Steps, Step{Kind: Fail, FailP: 1})
	r := run(t, topo, Options{Until: 2 * sim.Second})
	c := r.Services[1].Cache
	t.Logf("lookups=%d misses=%d coalesced=%d; db arrivals=%d", c.Lookups, c.Misses, c.Coalesced, r.Services[2].Arrivals)
	if r.Services[2].Arrivals > c.Misses-c.Coalesced+5 {
		t.Errorf("single-flight shared the error, yet %d coalesced waiters loaded from the db (%d db calls for %d leader misses)", c.Coalesced, r.Services[2].Arrivals, c.Misses-c.Coalesced)
	}
	if c.Coalesced < 1000 {
		t.Errorf("only %d coalesced misses", c.Coalesced)
	}
}

func TestCacheAsideCacheFailureStillLoads(t *testing.T) {
	// A cache that fails (here: crashed) is not an answer for the key: the
	// client still loads from the origin, and requests succeed.
	spec := CacheSpec{Capacity: 1000, TTL: 10 * sim.Second, NegTTL: 5 * sim.Second}
	topo := cacheTopo(t, 200, KeySpec{Kind: KeysUniform, N: 10}, spec, sim.Millisecond, 0, 0)
	topo.Faults = []Fault{{Verb: FaultCrash, Start: sim.Second, Duration: sim.Second, Target: Target{Component: "products"}}}
	r := run(t, topo, Options{Until: 3 * sim.Second})
	if w := r.Workloads[0]; w.Error != 0 || w.OK < 550 {
		t.Errorf("client %+v: a crashed look-aside cache should fall back to the origin", w.Counts)
	}
	if db := r.Services[2].Arrivals; db < 150 {
		t.Errorf("db arrivals %d while the cache was down for 1s at 200/s", db)
	}
}

func TestCacheLeaseExpiryNoHerd(t *testing.T) {
	// Read-through with memcache leases, one key, a 500ms load and a
	// 100ms lease: the waiters' timers all fire when the lease runs out.
	// One of them takes the next lease and loads; the others wait for it
	// instead of each loading (which sent 419 loads to the origin).
	spec := CacheSpec{Capacity: 1000, TTL: 100 * sim.Second, Pattern: ReadThrough, OriginSvc: "db", Lease: 100 * sim.Millisecond}
	topo := cacheTopo(t, 1000, KeySpec{Kind: KeysUniform, N: 1}, spec, 500*sim.Millisecond, 0, 0)
	topo.Services[0].Ops[0].Steps = []Step{{Kind: Call, Target: "products", Op: "get"}}
	r := run(t, topo, Options{Until: 2 * sim.Second})
	c := r.Services[1].Cache
	t.Logf("lookups=%d coalesced=%d originLoads=%d db arrivals=%d", c.Lookups, c.Coalesced, c.OriginLoads, r.Services[2].Arrivals)
	if c.OriginLoads > 10 {
		t.Errorf("one key, lease 100ms, load 500ms: %d origin loads", c.OriginLoads)
	}
	// One load per lease until the first fill at 500ms: about 5.
	if c.OriginLoads < 4 {
		t.Errorf("%d origin loads: each expired lease should hand out a new one", c.OriginLoads)
	}
	// Nobody is left waiting: the first fill answers every waiter.
	if w := r.Workloads[0]; w.Error != 0 || w.InFlight != 0 || w.OK < 1900 {
		t.Errorf("client %+v, %d in flight", w.Counts, w.InFlight)
	}
}

func TestCacheXFetchCountsRefreshesStarted(t *testing.T) {
	// Read-through XFetch on one hot key (1000 reads/s, 200ms load, 2s
	// TTL): once one read starts the early refresh, the reads during its
	// 200ms also pass the XFetch test, but no second load starts. Early
	// refreshes count the loads started, so they equal the refreshes.
	spec := CacheSpec{Capacity: 100, TTL: 2 * sim.Second, Pattern: ReadThrough, OriginSvc: "db", XFetchBeta: 1}
	topo := cacheTopo(t, 1000, KeySpec{Kind: KeysUniform, N: 1}, spec, 200*sim.Millisecond, 0, 0)
	topo.Services[0].Ops[0].Steps = []Step{{Kind: Call, Target: "products", Op: "get"}}
	r := run(t, topo, Options{Until: 20 * sim.Second, Warmup: sim.Second})
	c := r.Services[1].Cache
	t.Logf("lookups=%d early=%d refreshes=%d originLoads=%d db=%d", c.Lookups, c.EarlyRefreshes, c.Refreshes, c.OriginLoads, r.Services[2].Arrivals)
	if c.Refreshes < 5 {
		t.Fatalf("only %d refreshes in 19s of a 2s TTL", c.Refreshes)
	}
	if c.EarlyRefreshes != c.Refreshes || c.EarlyRefreshes > c.OriginLoads {
		t.Errorf("%d early refreshes counted for %d refreshes started (%d origin loads)", c.EarlyRefreshes, c.Refreshes, c.OriginLoads)
	}
}

func TestCacheWriteBackLostInCrash(t *testing.T) {
	// 100 writes in the first second, written back 5s later; the cache
	// crashes at 2s: none of them reaches the db.
	{
		spec := CacheSpec{Capacity: 1000, Writes: WriteBack, WriteSvc: "db", WriteDelay: 5 * sim.Second}
		topo := Topology{
			Workloads: []WorkloadSpec{{Name: "w", Target: "products", Op: "write", Rate: 100, Limit: 100, Keys: KeySpec{Kind: KeysUniform, N: 1000}}},
			Services:  []ServiceSpec{{Name: "products", Instances: 1, Cache: &spec}, service("db", 0, Unbounded, work(constant(t, sim.Millisecond)))},
			Faults:    []Fault{{Verb: FaultCrash, Start: 2 * sim.Second, Duration: sim.Second, Target: Target{Component: "products"}}},
		}
		r := run(t, topo, Options{Until: 10 * sim.Second})
		if r.Services[1].Arrivals == r.Workloads[0].OK || r.Services[0].Cache.WriteBackLost != r.Workloads[0].OK {
			t.Errorf("the cache crashed with %d write-backs pending; %d reached the db, %d counted lost", r.Workloads[0].OK, r.Services[1].Arrivals, r.Services[0].Cache.WriteBackLost)
		}
	}
	// Write-back with a 5s delay: the writes of the first 2s are still in
	// the cache's memory when it crashes at 2s, and are lost; the writes
	// after its restart at 3s reach the db 5s later.
	spec := CacheSpec{Capacity: 1000, Writes: WriteBack, WriteSvc: "db", WriteDelay: 5 * sim.Second}
	topo := Topology{
		Workloads: []WorkloadSpec{{Name: "w", Target: "products", Op: "write", Rate: 100, Limit: 500, Keys: KeySpec{Kind: KeysUniform, N: 1000}}},
		Services:  []ServiceSpec{{Name: "products", Instances: 1, Cache: &spec}, service("db", 0, Unbounded, work(constant(t, sim.Millisecond)))},
		Faults:    []Fault{{Verb: FaultCrash, Start: 2 * sim.Second, Duration: sim.Second, Target: Target{Component: "products"}}},
	}
	r := run(t, topo, Options{Until: 12 * sim.Second})
	w, db, c := r.Workloads[0], r.Services[1], r.Services[0].Cache
	t.Logf("writes ok=%d error=%d; db arrivals=%d; lost=%d", w.OK, w.Error, db.Arrivals, c.WriteBackLost)
	// Poisson arrivals: ~200 ± 14 in each 2s.
	if c.WriteBackLost < 150 || c.WriteBackLost > 250 {
		t.Errorf("%d write-backs lost; want the ~200 acknowledged in the 2s before the crash", c.WriteBackLost)
	}
	if db.Arrivals+c.WriteBackLost != w.OK {
		t.Errorf("%d acknowledged writes: %d reached the db, %d lost", w.OK, db.Arrivals, c.WriteBackLost)
	}
	if db.Arrivals < 150 {
		t.Errorf("only %d writes reached the db; the ~200 after the restart should", db.Arrivals)
	}
}

func TestCacheAsideStaleIfError(t *testing.T) {
	// A look-aside cache with a 1s TTL and stale_if_error 30s in front of
	// a db that fails every request from 2s on (after 50ms: a connection
	// closed by a blackhole): each miss after that loads, fails, and
	// serves the expired value — nobody sees an error. With single-flight
	// the misses that wait for the failing load get the stale value too.
	for _, single := range []bool{false, true} {
		spec := CacheSpec{Capacity: 1000, TTL: sim.Second, StaleIfError: 30 * sim.Second, SingleFlight: single}
		topo := cacheTopo(t, 200, KeySpec{Kind: KeysUniform, N: 10}, spec, sim.Millisecond, 0, 0)
		topo.Faults = []Fault{{Verb: FaultBlackhole, After: 50 * sim.Millisecond, Start: 2 * sim.Second, Target: Target{To: "db"}}}
		r := run(t, topo, Options{Until: 6 * sim.Second})
		c, w := r.Services[1].Cache, r.Workloads[0]
		t.Logf("single=%v lookups=%d hits=%d stale=%d misses=%d coalesced=%d; client %+v; db %d", single, c.Lookups, c.Hits, c.StaleServes, c.Misses, c.Coalesced, w.Counts, r.Services[2].Arrivals)
		// 4s of misses at 200/s: ~800 answered with the stale value, by
		// the loader (a stale serve) or, with single-flight, as a waiter.
		if served := c.StaleServes + c.Coalesced; served < 700 || c.StaleServes < 300 {
			t.Errorf("single=%v: %d stale serves, %d coalesced while the origin failed for 4s at 200/s", single, c.StaleServes, c.Coalesced)
		}
		if single && c.Coalesced < 300 {
			t.Errorf("single-flight: only %d coalesced misses", c.Coalesced)
		}
		if w.Error != 0 {
			t.Errorf("single=%v: %d client errors although every key had a stale value", single, w.Error)
		}
	}
	// The origin failing at once (an errors fault): the same.
	spec := CacheSpec{Capacity: 1000, TTL: sim.Second, StaleIfError: 30 * sim.Second}
	topo := cacheTopo(t, 200, KeySpec{Kind: KeysUniform, N: 10}, spec, sim.Millisecond, 0, 0)
	topo.Faults = []Fault{{Verb: FaultErrors, P: 1, Start: 2 * sim.Second, Target: Target{Component: "db"}}}
	r := run(t, topo, Options{Until: 6 * sim.Second})
	c := r.Services[1].Cache
	if c.StaleServes == 0 || r.Workloads[0].Error != 0 {
		t.Errorf("stale_if_error: %d stale serves while the origin failed; client errors %d", c.StaleServes, r.Workloads[0].Error)
	}
	// Past the stale window the error gets through.
	spec.StaleIfError = sim.Second
	topo = cacheTopo(t, 200, KeySpec{Kind: KeysUniform, N: 10}, spec, sim.Millisecond, 0, 0)
	topo.Faults = []Fault{{Verb: FaultErrors, P: 1, Start: 2 * sim.Second, Target: Target{Component: "db"}}}
	r = run(t, topo, Options{Until: 6 * sim.Second})
	if w := r.Workloads[0]; w.Error < 300 {
		t.Errorf("stale_if_error 1s, origin failing for 4s: only %d client errors (%+v)", w.Error, w.Counts)
	}
}

func TestCacheSingleFlightLostLoadDoesNotStallKey(t *testing.T) {
	// Read-through single-flight without origin_timeout, 10 keys with a
	// 500ms TTL. A partition between the cache and the db from 1s to 2s
	// loses the loads started then, and the misses of those keys wait
	// for them. A load holds its key's lock for DefaultCacheLockAge: then
	// one waiter takes the lock over and loads again, which (the fault
	// over) answers every waiter and later miss. Without that bound the
	// keys stall forever. (The requests whose own loads were lost — one
	// per key — still wait for them, as any call without a timeout does.)
	spec := CacheSpec{Capacity: 1000, TTL: 500 * sim.Millisecond, Pattern: ReadThrough, OriginSvc: "db", SingleFlight: true}
	topo := cacheTopo(t, 200, KeySpec{Kind: KeysUniform, N: 10}, spec, 10*sim.Millisecond, 0, 0)
	topo.Services[0].Ops[0].Steps = []Step{{Kind: Call, Target: "products", Op: "get"}}
	topo.Faults = []Fault{{Verb: FaultPartition, Target: Target{Groups: [2][]string{{"products"}, {"db"}}}, Start: sim.Second, Duration: sim.Second}}
	r := run(t, topo, Options{Until: 15 * sim.Second})
	c, w := r.Services[1].Cache, r.Workloads[0]
	t.Logf("client %+v in flight %d; lookups=%d coalesced=%d originLoads=%d db=%d", w.Counts, w.InFlight, c.Lookups, c.Coalesced, c.OriginLoads, r.Services[2].Arrivals)
	if c.Coalesced < 100 {
		t.Fatalf("only %d coalesced misses: the partition should have caught loads", c.Coalesced)
	}
	if w.InFlight > 10+3 || w.OK < w.Arrivals-10-3 {
		t.Errorf("%d requests still waiting at 15s (%d of %d answered), 13s after the partition ended", w.InFlight, w.OK, w.Arrivals)
	}
	// One new load per stalled key per lock age, not one per waiter.
	if c.OriginLoads > 200 {
		t.Errorf("%d origin loads", c.OriginLoads)
	}
}

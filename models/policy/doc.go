// Package policy holds the resilience mechanisms of issue 4 as deterministic
// state machines over simulated time: circuit breakers, retry backoff and
// retry budgets, rate limiters, CoDel, client-side adaptive throttling and
// Envoy-style outlier ejection.
//
// It is pure arithmetic, like models/slo: no events, no goroutines, no wall
// clock and no randomness of its own. Every method takes the current
// simulated instant now (the caller guarantees it never decreases), and a
// mechanism that needs a random draw takes it from the caller (a *sim.Rand or
// a uniform float), so the caller's named stream decides every draw and runs
// replay exactly. A mechanism whose state changes by itself at an instant
// (a breaker timed out of open, an ejected host coming back) computes that
// change lazily on its next call, stamped with the exact instant it was due,
// and tells the caller when the next one is due (NextChange) so the caller
// can schedule an event for a state timeline if it wants one.
//
// Where a mechanism carries a library's name it follows that library's
// semantics and defaults, as collected in /work/shared/reference/semantics.md
// section 1 and theory-and-slo.md sections 3 and 4 (cited per type as
// "ref 1.1" or "theory 3.5"). Where the reference is silent the choice is
// written on the type.
//
// What is here, one file each:
//
//	Breaker      breaker.go   gobreaker, resilience4j (count/time windows), Hystrix
//	Backoff      backoff.go   none/fixed/exponential/decorrelated, full/equal/proportional jitter, Retry-After
//	Budget       budget.go    Finagle ratio, gRPC A6 token throttling, Envoy concurrency
//	TokenBucket, GCRA, LeakyQueue, FixedWindow, SlidingWindow   limiter.go
//	Bulkhead     bulkhead.go  semaphore with a bounded FIFO of waiters
//	CoDel        codel.go     RFC 8289
//	Throttle     throttle.go  SRE book client-side adaptive throttling
//	Ejector      ejection.go  Envoy outlier detection
//	Versions     versions.go  optimistic concurrency: versioned rows, first committer wins
//	Rollout      rollout.go   rolling deploys in waves, bake, check, rollback or halt
//	TargetTracking autoscaler.go  AWS target tracking with scale-out/scale-in cooldowns
//
// Memory is fixed at construction: windows are rings of buckets, so the hot
// path (Allow/Done, Retry/Done, Admit ...) does not allocate; each type has
// a testing.AllocsPerRun test saying so (Versions, Rollout and
// TargetTracking are off the per-request hot path, or keep a map that
// Prune bounds, and have none).
package policy

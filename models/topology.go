// Package models holds component behaviour — workloads, services, links,
// load balancers — built from a Topology of plain values and driven by a
// sim.Engine. It knows nothing of YAML or expressions: the scenarios package
// turns files into a Topology, and anything a user wrote as an expression
// arrives here as a Go function.
package models

import (
	"cascade/models/policy"
	"cascade/models/slo"
	"cascade/sim"
	"cascade/sim/dist"
)

// Topology is a whole system to simulate, as plain values. Order matters:
// results list workloads and services in the order given here, which is the
// order of the scenario file.
type Topology struct {
	Workloads []WorkloadSpec
	Services  []ServiceSpec
	Links     []LinkSpec
	Faults    []Fault   // the timeline: injected when the run starts
	SLOs      []SLOSpec // error budgets tracked as the run goes
	// Zones declares availability zones; nil = none (see zone.go).
	Zones *ZoneSpec
}

// ArrivalKind says how an open-loop workload spaces its requests.
type ArrivalKind int

const (
	// Poisson arrivals: exponential gaps, the memoryless default.
	Poisson ArrivalKind = iota
	// Constant arrivals: evenly spaced at the current rate.
	Constant
)

func (k ArrivalKind) String() string {
	if k == Constant {
		return "constant"
	}
	return "poisson"
}

// WorkloadSpec is a source of requests. It is open-loop when Users is zero
// (requests arrive at Rate whatever happens to earlier ones) and closed-loop
// otherwise (each user waits for its response, thinks, and sends again).
type WorkloadSpec struct {
	Name   string
	Target string // service name
	Op     string // operation on Target; "" means its first operation

	Arrivals ArrivalKind
	Rate     float64 // requests per second, used when RateFunc is nil
	// RateFunc gives the rate (per second) at simulated time t in seconds.
	// It is evaluated often; it must be deterministic and cheap.
	RateFunc func(t float64) float64
	// RateError says what is wrong when RateFunc gives a value that is not
	// a rate (negative, NaN or infinite) at t: the run stops with it. nil
	// gives a plain message naming the workload.
	RateError func(t, v float64) error
	Limit     int64 // stop after this many requests; 0 = no limit

	Users int       // closed loop: number of users
	Think dist.Dist // closed loop: pause between a response and the next request

	Timeout sim.Time // the client gives up after this; 0 = waits forever
	// Policy wraps every request in retries, a breaker ...; nil = plain.
	Policy *CallPolicy
	// Sheddable marks the workload's requests, and the calls made on their
	// behalf, as the traffic priority shedding drops first.
	Sheddable bool
	// Keys is the popularity of the keys its requests are for.
	Keys KeySpec
	// Clients splits the workload into that many independent clients, each
	// with its own Policy state (breaker, retry budget, bulkhead...), each
	// request sent by one chosen uniformly at random; 0 or 1 is one client
	// for all requests.
	Clients int
}

// Discipline orders a service's waiting queue.
type Discipline int

const (
	FIFO Discipline = iota
	LIFO
)

func (d Discipline) String() string {
	if d == LIFO {
		return "lifo"
	}
	return "fifo"
}

// Balancer picks the instance of a service that gets a request.
type Balancer int

const (
	RoundRobin Balancer = iota
	Random
	// LeastRequest scans every instance and picks the fewest active requests
	// (waiting plus in service), ties to the earliest in round-robin order.
	LeastRequest
	// P2C samples Choices distinct instances at random (two unless set) and
	// picks the least busy: what Envoy's LEAST_REQUEST does (choice_count,
	// default 2); with Choices d it is the power of d choices.
	P2C
	// JSQ joins the shortest queue: the fewest active requests over every
	// instance, ties broken uniformly at random (least_request breaks them
	// in round-robin order).
	JSQ
)

func (b Balancer) String() string {
	switch b {
	case Random:
		return "random"
	case LeastRequest:
		return "least_request"
	case P2C:
		return "p2c"
	case JSQ:
		return "jsq"
	}
	return "round_robin"
}

// Unbounded is the Queue value of a service whose waiting room never fills.
const Unbounded = -1

// ServiceSpec is a horizontally scaled service: Instances copies, each with
// Workers that each serve one request at a time (holding it for the whole
// operation, downstream calls included, as a thread-per-request server does)
// and a waiting queue of at most Queue requests.
type ServiceSpec struct {
	Name       string
	Instances  int        // >= 1
	Workers    int        // per instance; 0 = unlimited (no queueing at all)
	Queue      int        // per instance; Unbounded, or >= 0 (0: reject when all workers are busy)
	Discipline Discipline // of the waiting queue
	Balancer   Balancer
	// Choices is how many instances P2C samples (0 means 2).
	Choices int
	// Refresh makes the balancers that read load (least_request, p2c, jsq)
	// see each instance's active count as it was at the last refresh, taken
	// every Refresh; 0 means live counts. Stale load is what a balancer fed
	// by periodic load reports has.
	Refresh   sim.Time
	Ops       []OpSpec // at least one; the first is the default operation
	Admission Admission
	// Cache makes the service a cache; its operations (get, set, write,
	// delete) are then built from it and Ops must be empty.
	Cache *CacheSpec
	// Database makes the service a primary (instance 0) with replicas
	// (the other instances).
	Database *DatabaseSpec
	// Autoscale makes the instance count follow the load; Instances must
	// be its Max (see autoscale.go).
	Autoscale *AutoscaleSpec
	// Topic makes the service a message queue (a topic); its publish
	// operation is built from it and Ops must be empty.
	Topic *QueueSpec
	// Zones places the instances in zones, round robin by index (instance
	// i in Zones[i % len(Zones)]); nil = unzoned. A zoned service's
	// instance is chosen when a call is sent, so a call between zones
	// pays the cross-zone latency and cost (see zone.go).
	Zones []string
	// ZoneAware makes the balancer prefer instances in the caller's zone
	// while one of them is in rotation with a free worker.
	ZoneAware bool
}

// OpSpec is one operation of a service: steps run in order by the worker
// that took the request. The operation fails as soon as a step fails.
type OpSpec struct {
	Name  string
	Steps []Step
}

// StepKind selects which fields of a Step apply.
type StepKind int

const (
	// Work holds the worker for a duration drawn from Work.
	Work StepKind = iota
	// Call invokes Target.Op and waits for the reply, Repeat times in a row
	// (an N+1 query loop is a Call with Repeat N), each attempt bounded by
	// Timeout when it is non-zero.
	Call
	// Parallel runs Children concurrently and waits for all of them, or with
	// WaitFirst only for the first one that succeeds.
	Parallel
	// Branch runs the steps of one Branches entry, chosen with its
	// probability; when the probabilities add up to less than one, the rest
	// of the time it does nothing.
	Branch
	// Fail ends the operation with an error with probability FailP.
	Fail
	// Cache asks the look-aside cache Target (a service with a CacheSpec)
	// for the request's key; on a miss it runs Children in order (the
	// load) and fills the cache with the result.
	Cache

	// Publish publishes a message with the request's key to the queue
	// Target. With Outbox it is not a call at all: the event is written to
	// the queue's outbox in the same transaction as the preceding step (a
	// call to a database write), and the queue's relay publishes it.
	Publish
	// Saga runs Saga's actions in order; when one fails it runs the undo
	// steps of those that succeeded, newest first, and fails.
	Saga

	// The operations of a cache service (see cacheOps); not for users.
	CacheServe
	CacheFill
	CacheWrite
	CacheDelete
	// The publish operation of a queue service (see queueOps).
	QueuePublish
)

// Step is one instruction of an operation.
type Step struct {
	Kind StepKind

	Work dist.Dist // Work

	Target  string      // Call: service name
	Op      string      // Call: operation; "" means the first
	Repeat  int         // Call: sequential repetitions; 0 or 1 means once
	Timeout sim.Time    // Call: per attempt; 0 = none
	Policy  *CallPolicy // Call: retries, breaker, bulkhead ...; nil = a plain call

	Children  []Step // Parallel: each child runs concurrently
	WaitFirst bool   // Parallel

	Branches []BranchSpec // Branch

	FailP float64 // Fail: probability in [0, 1]

	Outbox bool       // Publish: through the transactional outbox
	Saga   []SagaStep // Saga
}

// SagaStep is one action of a saga and the step that undoes it (nil:
// nothing to undo).
type SagaStep struct {
	Do   Step
	Undo *Step
}

// BranchSpec is one arm of a Branch step.
type BranchSpec struct {
	P     float64
	Steps []Step
}

// LinkSpec is the network between a caller (a workload or service) and a
// service. Latency is the round trip a call pays on top of the server's own
// time: half of each draw delays the request, half the response. Calls over
// pairs with no link are instantaneous.
type LinkSpec struct {
	From, To string
	Latency  dist.Dist
}

// SLOSpec is a service level objective on one workload (what its users saw)
// or one service (what it answered). The SLI counts every request that
// ended after the warm-up: good is an OK reply, or with Threshold > 0 an OK
// reply within Threshold (a latency SLI).
type SLOSpec struct {
	Name      string
	Workload  string // exactly one of Workload and Service
	Service   string
	Threshold sim.Time
	slo.Spec
}

// WindowSpec asks the model to keep totals for one component over
// [From, To) of simulated time (To 0 = the end of the run), for
// expectations such as p99 from the eighth minute on. Windows are declared
// before the run so they cost one histogram each, not stored samples.
type WindowSpec struct {
	Component string // a workload or service name
	From, To  sim.Time
}

// CallPolicy is the client side of one call edge (a Call step, or a
// workload's requests), applied in the order timeout -> retry -> breaker ->
// bulkhead -> limiter -> link: the overall deadline bounds every attempt,
// each attempt asks the breaker, then takes a bulkhead permit, then passes
// the client-side limiter, then crosses the network. Every part is
// optional; a nil part is not there.
type CallPolicy struct {
	// Deadline bounds the whole request, retries and backoff included;
	// 0 = none. The per-attempt timeout is the Call's Timeout (a workload's
	// Timeout).
	Deadline sim.Time
	Retry    *RetrySpec
	Hedge    *HedgeSpec
	Breaker  *policy.BreakerConfig
	Bulkhead *BulkheadSpec
	Limiter  *LimiterSpec
	Throttle *ThrottleSpec // client-side adaptive throttling (SRE book)
	// Shared gives the calling service one breaker, budget, bulkhead and
	// limiter for all its instances; by default each caller instance has
	// its own, as each process of a real service does.
	Shared bool
}

// RetrySpec says when and how a request is tried again.
type RetrySpec struct {
	Attempts int        // in all, the first included (gRPC maxAttempts); >= 2
	On       OutcomeSet // outcomes that are retried
	Backoff  policy.Backoff
	Budget   *policy.BudgetConfig // nil: unlimited retries
}

// DefaultRetryOn is what a retry policy retries unless told otherwise: every
// failure that came back from the other side or the network. The caller's
// own refusals (breaker open, bulkhead full) are not retried: retrying them
// would only spin.
func DefaultRetryOn() OutcomeSet {
	var s OutcomeSet
	for _, o := range []Outcome{Error, Timeout, Rejected, Throttled, Shed} {
		s = s.With(o)
	}
	return s
}

// HedgeSpec sends extra copies of a request while none has succeeded
// (gRPC hedgingPolicy): one every Delay, up to Max in all; the first
// success wins and the others are cancelled.
type HedgeSpec struct {
	Delay sim.Time
	Max   int // attempts in all, the first included; >= 2
}

// BulkheadSpec is a semaphore per dependency (resilience4j
// SemaphoreBulkhead): at most Max calls in flight; a call finding none free
// waits up to Wait for one (0: fails at once).
type BulkheadSpec struct {
	Max  int
	Wait sim.Time
	// Queue bounds the calls waiting for a permit (a pool's waiters);
	// beyond it a call fails at once. 0 = unbounded.
	Queue int

	// Pool makes the bulkhead a connection pool: each permit is a
	// connection, opened on first use in Setup (and again after Lifetime),
	// then kept idle between calls. Wait is the acquire timeout.
	Pool     bool
	Setup    dist.Dist // time to open a connection; nil = instant
	Lifetime sim.Time  // a connection older than this is closed when returned; 0 = never
}

// LimiterKind selects a rate limiter algorithm.
type LimiterKind int

const (
	TokenBucket    LimiterKind = iota // continuous refill (Go x/time/rate)
	IntervalBucket                    // whole tokens every Interval (Envoy local rate limit)
	GCRA                              // leaky bucket as a meter
	LeakyQueue                        // leaky bucket as a queue (nginx limit_req): excess waits
	FixedWindow                       // Limit per Interval, aligned windows
	SlidingWindow                     // the sliding-window counter estimate
)

func (k LimiterKind) String() string {
	switch k {
	case IntervalBucket:
		return "interval_bucket"
	case GCRA:
		return "gcra"
	case LeakyQueue:
		return "leaky_queue"
	case FixedWindow:
		return "fixed_window"
	case SlidingWindow:
		return "sliding_window"
	}
	return "token_bucket"
}

// LimiterSpec is a rate limiter: Rate per second with Burst (token
// buckets, GCRA, the leaky queue's waiting room), or Limit per Interval
// (windows; IntervalBucket adds Rate×Interval tokens every Interval).
type LimiterSpec struct {
	Kind     LimiterKind
	Rate     float64 // per second
	Burst    int64
	Interval sim.Time
	// PerInstance (server side): each instance limits on its own; by
	// default one limiter covers the whole service.
	PerInstance bool
}

// ThrottleSpec is client-side adaptive throttling (Google SRE book ch. 21):
// reject locally with probability max(0, (requests − K·accepts)/(requests+1))
// over a trailing Window.
type ThrottleSpec struct {
	K      float64
	Window sim.Time
}

// DeadlineMode is what a service does with the deadlines its callers
// attach to requests.
type DeadlineMode int

const (
	// DeadlinesIgnored: work runs to the end whoever still waits for it —
	// without propagation abandoned work keeps the server busy.
	DeadlinesIgnored DeadlineMode = iota
	// DeadlinesDrop: queued work whose deadline has passed is dropped when
	// it reaches a worker, and calls it makes inherit the deadline.
	DeadlinesDrop
	// DeadlinesAbort: also stop work in progress at its next step once the
	// deadline has passed.
	DeadlinesAbort
)

func (d DeadlineMode) String() string {
	switch d {
	case DeadlinesDrop:
		return "drop"
	case DeadlinesAbort:
		return "abort"
	}
	return "ignore"
}

// Admission is a service's server-side protection, checked as requests
// arrive and as they leave the queue.
type Admission struct {
	RateLimit *LimiterSpec // 429 with Retry-After beyond the rate
	// QueueTimeout sheds a request that waited longer than this for a
	// worker (0: no limit).
	QueueTimeout sim.Time
	// CoDel sheds at dequeue by the RFC 8289 control law (target,
	// interval; zero values are 5ms and 100ms).
	CoDel *[2]sim.Time
	// LIFOAbove serves the newest request first while more than this many
	// wait (adaptive LIFO); 0 = off.
	LIFOAbove int
	// ShedAbove turns sheddable requests away while more than this many
	// wait (priority shedding); 0 = off.
	ShedAbove int
	Deadlines DeadlineMode
	Outlier   *policy.EjectionConfig // passive health checks on the balancer
}

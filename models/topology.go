// Package models holds component behaviour — workloads, services, links,
// load balancers — built from a Topology of plain values and driven by a
// sim.Engine. It knows nothing of YAML or expressions: the scenarios package
// turns files into a Topology, and anything a user wrote as an expression
// arrives here as a Go function.
package models

import (
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
	Limit    int64 // stop after this many requests; 0 = no limit

	Users int       // closed loop: number of users
	Think dist.Dist // closed loop: pause between a response and the next request

	Timeout sim.Time // the client gives up after this; 0 = waits forever
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
	// P2C samples two distinct instances at random and picks the less busy:
	// what Envoy's LEAST_REQUEST does by default (choice_count 2).
	P2C
)

func (b Balancer) String() string {
	switch b {
	case Random:
		return "random"
	case LeastRequest:
		return "least_request"
	case P2C:
		return "p2c"
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
	Ops        []OpSpec // at least one; the first is the default operation
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
)

// Step is one instruction of an operation.
type Step struct {
	Kind StepKind

	Work dist.Dist // Work

	Target  string   // Call: service name
	Op      string   // Call: operation; "" means the first
	Repeat  int      // Call: sequential repetitions; 0 or 1 means once
	Timeout sim.Time // Call: per attempt; 0 = none

	Children  []Step // Parallel: each child runs concurrently
	WaitFirst bool   // Parallel

	Branches []BranchSpec // Branch

	FailP float64 // Fail: probability in [0, 1]
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

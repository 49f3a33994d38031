package models

import (
	"cascade/sim"
	"cascade/sim/dist"
)

// Verb names what a fault does.
type Verb int

const (
	// Network faults act on the messages of calls between components: on a
	// link (From -> To) or between two groups of components.

	// FaultLatency adds Latency (a round trip, split half each way like a
	// link's) to every call crossing the target. Several add up.
	FaultLatency Verb = iota + 1
	// FaultLoss drops each message (request or reply) with probability P.
	// A lost message is never answered: the caller learns of it from its
	// own timeout, and a caller without one waits forever.
	FaultLoss
	// FaultPartition drops every message from group A to group B, and from
	// B to A unless OneWay. Messages already on the wire arrive.
	FaultPartition
	// FaultBlackhole accepts requests to the target and never answers: the
	// caller hangs until its timeout or, with After > 0, gets an error when
	// the connection is closed after that long (Toxiproxy's timeout toxic).
	FaultBlackhole

	// Instance and service faults act on the selected instances of a
	// service.

	// FaultCrash takes instances down: requests in flight and waiting there
	// fail at once (connection reset), new ones are refused (error) until
	// the instance restarts — after Restart, or when the fault ends.
	FaultCrash
	// FaultPause stops the world on the instances, like a GC pause: running
	// work stalls for the fault's duration, nothing new starts, arrivals
	// wait in the queue and replies are held until it ends.
	FaultPause
	// FaultSlow multiplies the instances' work by Factor (a gray failure).
	// Several multiply.
	FaultSlow
	// FaultErrors fails a fraction P of the requests reaching the instances
	// at once, without using a worker. With Keys in (0, 1) only requests
	// whose key is in that fraction of the key space are affected (a
	// closed-loop user keeps its key, so the same users see the failures).
	FaultErrors

	// Traffic faults act on a workload.

	// FaultSpike multiplies a workload's rate by Factor (closed loop: its
	// number of users). Several multiply.
	FaultSpike
	// FaultRamp moves a workload's rate multiplier linearly from 1 to
	// Factor over Over (default: the whole duration), then holds it until
	// the fault ends.
	FaultRamp

	// Policy faults act on the call sites from Target.From to Target.To.

	// FaultBreaker holds their circuit breakers in a manual state, Mode
	// "forced_open" (reject every call) or "disabled" (let every call
	// through, record nothing) — resilience4j's transitionToForcedOpenState
	// and transitionToDisabledState, a trainer's "pull the breaker". When
	// the last such fault ends the breakers are reset to closed. Forced
	// open wins over disabled while both hold.
	FaultBreaker
	// FaultPoolLeak makes the connection pools of the calls From -> To
	// lose connections: each connection returned is kept (never given
	// back) with probability P while the fault lasts. When it ends the
	// leaked connections come back (the process is restarted, say).
	FaultPoolLeak

	// Data faults act on caches and on the keys requests are for.

	// FaultFlush empties a cache at once (a restart, a cold start). It
	// takes no time: the fault ends as it starts.
	FaultFlush
	// FaultMassExpiry expires a fraction P of a cache's entries at once
	// (synchronized TTLs), also instantly.
	FaultMassExpiry
	// FaultHotKey sends a share P of a workload's requests to one key,
	// Key, for the fault's duration.
	FaultHotKey
	// FaultReplicaLag delays the replication of a database's writes to
	// its replicas (the selected instances, 1.. being replicas) by
	// Latency more, or with Stop stops them applying at all.
	FaultReplicaLag
	// FaultFailover kills a database's primary and promotes the replica
	// that has received the most; writes it never received are lost, and
	// writes fail until the promotion (DatabaseSpec.Promotion) is over.
	// It happens at an instant.
	FaultFailover
	// FaultPoison makes a fraction P of the messages published to a queue
	// poison while it lasts: every consumer fails on them, so they are
	// redelivered until they reach the dead-letter queue.
	FaultPoison

	// FaultDeploy rolls a service onto a new version in waves (Deploy;
	// DefaultDeploy when nil): instances leave rotation, restart, come
	// back cold, and after each wave's bake a check decides whether the
	// rollout goes on, halts or rolls back. It ends by itself when the
	// rollout does; what it deployed stays. Clearing it stops further
	// waves, leaving the instances as they are.
	FaultDeploy

	// Zone faults act on every instance placed in one zone (Target.Zone).

	// FaultZoneOutage loses a whole zone: every instance placed there
	// crashes (its calls fail at once) and leaves rotation — the health
	// checks see the zone gone, so balancers send its share to the other
	// zones, which must have the headroom to take it. They come back when
	// the fault ends.
	FaultZoneOutage
	// FaultZonePartition cuts a zone off from the others: every message
	// between an instance there and an instance in another zone is
	// dropped, both ways. Calls within a zone, and from workloads (outside
	// every zone), pass. Balancers do not route around it by themselves;
	// zone-aware ones keep most calls inside the zone anyway.
	FaultZonePartition
)

func (v Verb) String() string {
	switch v {
	case FaultLatency:
		return "latency"
	case FaultLoss:
		return "loss"
	case FaultPartition:
		return "partition"
	case FaultBlackhole:
		return "blackhole"
	case FaultCrash:
		return "crash"
	case FaultPause:
		return "pause"
	case FaultSlow:
		return "slow"
	case FaultErrors:
		return "errors"
	case FaultSpike:
		return "spike"
	case FaultRamp:
		return "ramp"
	case FaultBreaker:
		return "breaker"
	case FaultPoolLeak:
		return "pool_leak"
	case FaultFlush:
		return "flush"
	case FaultMassExpiry:
		return "mass_expiry"
	case FaultHotKey:
		return "hot_key"
	case FaultReplicaLag:
		return "replica_lag"
	case FaultFailover:
		return "failover"
	case FaultPoison:
		return "poison"
	case FaultDeploy:
		return "deploy"
	case FaultZoneOutage:
		return "zone_outage"
	case FaultZonePartition:
		return "zone_partition"
	}
	return "unknown"
}

// Verbs lists every verb by name, in declaration order.
func Verbs() []Verb {
	var out []Verb
	for v := FaultLatency; v <= FaultZonePartition; v++ {
		out = append(out, v)
	}
	return out
}

// Network reports whether v acts on messages between components.
func (v Verb) Network() bool { return v >= FaultLatency && v <= FaultBlackhole }

// Instance reports whether v acts on the instances of a service.
func (v Verb) Instance() bool { return v >= FaultCrash && v <= FaultErrors }

// Traffic reports whether v acts on a workload.
func (v Verb) Traffic() bool { return v == FaultSpike || v == FaultRamp }

// Policy reports whether v acts on the policy of call sites (From -> To).
func (v Verb) Policy() bool { return v == FaultBreaker || v == FaultPoolLeak }

// Data reports whether v acts on a cache (flush, mass expiry) or on a
// workload's keys (hot key).
func (v Verb) Data() bool { return v >= FaultFlush && v <= FaultHotKey }

// Database reports whether v acts on a database's replication.
func (v Verb) Database() bool { return v == FaultReplicaLag || v == FaultFailover }

// Zone reports whether v acts on a zone.
func (v Verb) Zone() bool { return v == FaultZoneOutage || v == FaultZonePartition }

// Instant reports whether v happens at an instant and ends at once.
func (v Verb) Instant() bool { return v == FaultFlush || v == FaultMassExpiry || v == FaultFailover }

// Breaker modes of a FaultBreaker.
const (
	BreakerForcedOpen = "forced_open"
	BreakerDisabled   = "disabled"
)

// SelectMode says which instances of a service an instance fault hits.
type SelectMode int

const (
	// SelectAll hits every instance (the default).
	SelectAll SelectMode = iota
	// SelectOne hits one instance: the first, or N (0-based) when given.
	SelectOne
	// SelectCount hits the first N instances.
	SelectCount
	// SelectPercent hits the first ceil(N% of instances) instances.
	SelectPercent
)

// Instances selects instances of a service. Selection is by index, not at
// random, so a fault written down and replayed hits the same instances.
type Instances struct {
	Mode SelectMode
	N    float64
}

// Target is what a fault acts on. Exactly one form applies, by verb:
//   - network verbs: From and To (a link: calls from component From to
//     service To), or Groups (every call between a component of Groups[0]
//     and one of Groups[1]); FaultBlackhole may also name only To (every
//     caller of that service);
//   - instance verbs: Component, a service, and Instances;
//   - traffic verbs: Component, a workload;
//   - policy verbs: From (a workload or service) and To (a service): every
//     call site from one to the other that has a policy;
//   - zone verbs: Zone, a declared zone.
type Target struct {
	Zone      string
	Component string
	Instances Instances
	From, To  string
	Groups    [2][]string
}

// Fault is one fault as a value: what, on what, when and for how long. The
// scenario timeline and the terminal UI both inject faults this way, so a
// fault injected by hand can be written down and replayed to the same
// numbers.
type Fault struct {
	Name   string // for reports and budget attribution; default "verb target"
	Verb   Verb
	Target Target

	// Start is when the fault begins, in simulated time. With When it is
	// the earliest time the condition is checked.
	Start sim.Time
	// Duration is how long it lasts; 0 means until it is cleared or the
	// run ends.
	Duration sim.Time
	// When, if set, delays the start until it first reports true. It is
	// checked every CheckEvery (default 100ms) from Start on; the fault
	// fires at most once.
	When       func(Probe) bool
	CheckEvery sim.Time

	Latency dist.Dist // FaultLatency: added round trip; FaultReplicaLag: added replication delay
	P       float64   // FaultLoss, FaultErrors, FaultMassExpiry, FaultHotKey: probability in (0, 1]
	Keys    float64   // FaultErrors: fraction of the key space, 0 = all keys
	Factor  float64   // FaultSlow, FaultSpike, FaultRamp: multiplier > 0
	Over    sim.Time  // FaultRamp: time to reach Factor; 0 = Duration
	Restart sim.Time  // FaultCrash: instances come back after this; 0 = when the fault ends
	After   sim.Time  // FaultBlackhole: close with an error after this; 0 = hang
	OneWay  bool      // FaultPartition: only Groups[0] -> Groups[1]
	Mode    string    // FaultBreaker: BreakerForcedOpen or BreakerDisabled
	Key     int       // FaultHotKey: the key that becomes hot
	Stop    bool      // FaultReplicaLag: stop applying instead of adding Latency

	Deploy *DeploySpec // FaultDeploy: the rollout; nil = DefaultDeploy()
}

// Probe reads live metrics while the simulation runs, for fault conditions.
// Component is a service or workload name; metrics are listed in
// ProbeMetrics. Unknown names read as NaN.
type Probe interface {
	Now() sim.Time
	Value(component, metric string) float64
}

// ProbeMetrics are the metric names Probe.Value knows, with what they mean.
// Instantaneous values are read at the moment of the check; the others
// cover the last completed series interval (1 s by default).
func ProbeMetrics() [][2]string {
	return [][2]string{
		{"queue", "requests waiting now (services)"},
		{"in_flight", "requests admitted and not finished now (services; workloads: sent and unanswered)"},
		{"busy", "busy workers now (services)"},
		{"utilization", "busy workers / workers of the instances up now, 0..1 (services)"},
		{"rate", "arrivals per second over the last interval"},
		{"goodput", "OK replies per second over the last interval"},
		{"error_rate", "fraction of replies over the last interval that were not OK, 0..1"},
		{"p99", "p99 latency of OK replies over the last interval, seconds"},
	}
}

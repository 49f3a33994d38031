package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"cascade/sim"
)

// injected is a Fault attached to a running model: resolved to the
// components it acts on, with its own random stream and its place in time.
//
// Every effect is kept as a contribution that is added when the fault
// starts and taken away when it ends — counts of crash and pause faults
// per instance, a product of slow factors, lists of active network, error
// and traffic faults — so faults compose and clearing one leaves the others.
type injected struct {
	m     *Model
	id    int
	f     Fault
	state FaultState
	start sim.Time
	end   sim.Time
	rng   *sim.Rand
	timer sim.Timer // the pending start, check or end

	// Network faults: membership of component ids on each side. A link
	// fault has one id on each side; a blackhole on a service leaves a nil.
	a, b []bool
	// Instance faults.
	svc   *Service
	insts []*instance
	down  bool // a crash holding its instances down (until restart or end)
	// Traffic faults.
	wl *Workload
	// Policy faults: the call sites they hold.
	edges []*edge
	// Replica lag: the delay it added; a note when it could not act.
	extra sim.Time
	note  string
	// Deploy: the rollout.
	dep *deployment
	// Zone faults: the zone, from 1.
	zone int8
}

// replicas are the database replicas a replica_lag fault selected: the
// selected instances that are replicas.
func (x *injected) replicas() []*replica {
	var out []*replica
	for _, r := range x.svc.db.replicas {
		for _, in := range x.insts {
			if r.in == in {
				out = append(out, r)
			}
		}
	}
	return out
}

// The event kinds of a fault.
type (
	faultStart injected
	faultCheck injected
	faultEnd   injected
	restart    injected
)

// Inject attaches f to the running model and returns its id. It starts at
// f.Start (at once if that has passed), or once f.When holds; with a
// Duration it ends by itself. The terminal UI and the scenario timeline both
// come through here.
func (m *Model) Inject(f Fault) (int, error) {
	x := &injected{m: m, id: len(m.faults), f: f}
	if err := x.resolve(); err != nil {
		return 0, err
	}
	if x.f.Name == "" {
		x.f.Name = f.Verb.String() + " " + x.target()
	}
	// The stream is named after the fault, so a fault replayed from a file
	// draws what it drew when it was injected by hand.
	x.rng = m.eng.Stream("fault/" + x.f.Name + "/" + strconv.Itoa(m.countNamed(x.f.Name)))
	m.faults = append(m.faults, x)
	at := max(f.Start, m.eng.Now())
	if f.When != nil {
		x.timer = m.eng.At(at, (*faultCheck)(x), nil)
	} else {
		x.timer = m.eng.At(at, (*faultStart)(x), nil)
	}
	return x.id, nil
}

func (m *Model) countNamed(name string) int {
	n := 0
	for _, f := range m.faults {
		if f.f.Name == name {
			n++
		}
	}
	return n
}

// Clear ends fault id now: an active fault is reverted, a pending one never
// starts. It reports whether there was anything to clear.
func (m *Model) Clear(id int) bool {
	if id < 0 || id >= len(m.faults) {
		return false
	}
	x := m.faults[id]
	switch x.state {
	case FaultPending:
		m.eng.Cancel(x.timer)
		x.state, x.end = FaultEnded, m.eng.Now()
		return true
	case FaultActive:
		m.eng.Cancel(x.timer)
		x.stop()
		return true
	}
	return false
}

// Faults lists every fault injected so far.
func (m *Model) Faults() []FaultRecord {
	out := make([]FaultRecord, len(m.faults))
	for i, f := range m.faults {
		out[i] = f.record()
	}
	return out
}

func (x *injected) record() FaultRecord {
	r := FaultRecord{ID: x.id, Name: x.f.Name, Verb: x.f.Verb, Target: x.target(), State: x.state}
	if x.state != FaultPending {
		r.Start = x.start
	}
	if x.state == FaultEnded {
		r.End = x.end
	}
	if x.dep != nil {
		r.Deploy = x.dep.state()
	}
	return r
}

// resolve finds the components the fault acts on.
func (x *injected) resolve() error {
	m, f := x.m, x.f
	member := func(names []string) ([]bool, error) {
		set := make([]bool, len(m.services)+len(m.workloads))
		for _, n := range names {
			id, ok := m.names[n]
			if !ok {
				return nil, fmt.Errorf("%s: no workload or service %q", f.Verb, n)
			}
			set[id] = true
		}
		return set, nil
	}
	var err error
	switch {
	case f.Verb.Network():
		switch {
		case len(f.Target.Groups[0]) > 0 || len(f.Target.Groups[1]) > 0:
			if x.a, err = member(f.Target.Groups[0]); err == nil {
				x.b, err = member(f.Target.Groups[1])
			}
		case f.Target.From == "" && f.Verb == FaultBlackhole:
			x.b, err = member([]string{f.Target.To})
		default:
			if x.a, err = member([]string{f.Target.From}); err == nil {
				x.b, err = member([]string{f.Target.To})
			}
		}
		if err == nil && f.Verb == FaultLatency && f.Latency == nil {
			err = fmt.Errorf("latency: no latency to add")
		}
		return err
	case f.Verb.Instance():
		id, ok := m.names[f.Target.Component]
		if !ok || int(id) >= len(m.services) {
			return fmt.Errorf("%s: no service %q", f.Verb, f.Target.Component)
		}
		x.svc = m.services[id]
		x.insts = f.Target.Instances.pick(x.svc.insts)
		if len(x.insts) == 0 {
			return fmt.Errorf("%s: selects no instance of %s", f.Verb, x.svc.spec.Name)
		}
		if f.Verb == FaultSlow && !(f.Factor > 0) {
			return fmt.Errorf("slow: factor must be > 0")
		}
		return nil
	case f.Verb.Traffic():
		id, ok := m.names[f.Target.Component]
		if !ok || int(id) < len(m.services) {
			return fmt.Errorf("%s: no workload %q", f.Verb, f.Target.Component)
		}
		x.wl = m.workloads[int(id)-len(m.services)]
		if !(f.Factor > 0) {
			return fmt.Errorf("%s: factor must be > 0", f.Verb)
		}
		return nil
	case f.Verb.Zone():
		if m.zones == nil {
			return fmt.Errorf("%s: the scenario declares no zones", f.Verb)
		}
		x.zone = m.zones.index[f.Target.Zone]
		if x.zone == 0 {
			return fmt.Errorf("%s: no zone %q (zones: %s)", f.Verb, f.Target.Zone, strings.Join(m.zones.names, ", "))
		}
		return nil
	case f.Verb == FaultDeploy:
		id, ok := m.names[f.Target.Component]
		if !ok || int(id) >= len(m.services) {
			return fmt.Errorf("deploy: no service %q", f.Target.Component)
		}
		x.svc = m.services[id]
		if x.svc.db != nil || x.svc.cache != nil || x.svc.queue != nil {
			return fmt.Errorf("deploy: %q keeps state (a database, cache or queue); deploy the services in front of it", f.Target.Component)
		}
		x.dep, err = newDeployment(x)
		return err
	case f.Verb == FaultPoison:
		id, ok := m.names[f.Target.Component]
		if !ok || int(id) >= len(m.services) || m.services[id].queue == nil {
			return fmt.Errorf("poison: no queue %q", f.Target.Component)
		}
		x.svc = m.services[id]
		if !(f.P > 0 && f.P <= 1) {
			return fmt.Errorf("poison: fraction must be in (0, 1]")
		}
		return nil
	case f.Verb.Database():
		id, ok := m.names[f.Target.Component]
		if !ok || int(id) >= len(m.services) || m.services[id].db == nil {
			return fmt.Errorf("%s: no database %q", f.Verb, f.Target.Component)
		}
		x.svc = m.services[id]
		if f.Verb == FaultReplicaLag && !f.Stop && f.Latency == nil {
			return fmt.Errorf("replica_lag: give the added delay or stop")
		}
		x.insts = f.Target.Instances.pick(x.svc.insts)
		if f.Verb == FaultReplicaLag {
			if f.Target.Instances.Mode != SelectOne {
				// A count or a share of the replicas: the primary is not one.
				var reps []*instance
				for _, r := range x.svc.db.replicas {
					reps = append(reps, r.in)
				}
				x.insts = f.Target.Instances.pick(reps)
			}
			if len(x.svc.db.replicas) == 0 {
				return fmt.Errorf("replica_lag: %q has no replicas (give it instances: 2 or more)", f.Target.Component)
			}
			if len(x.replicas()) == 0 {
				return fmt.Errorf("replica_lag: instance %d of %q is not a replica (the primary is instance 0; replicas are 1..%d)",
					int(f.Target.Instances.N), f.Target.Component, len(x.svc.db.replicas))
			}
		}
		return nil
	case f.Verb == FaultHotKey:
		id, ok := m.names[f.Target.Component]
		if !ok || int(id) < len(m.services) {
			return fmt.Errorf("hot_key: no workload %q", f.Target.Component)
		}
		x.wl = m.workloads[int(id)-len(m.services)]
		if !(f.P > 0 && f.P <= 1) || f.Key < 0 {
			return fmt.Errorf("hot_key: share must be in (0, 1] and the key >= 0")
		}
		return nil
	case f.Verb.Data():
		id, ok := m.names[f.Target.Component]
		if !ok || int(id) >= len(m.services) || m.services[id].cache == nil {
			return fmt.Errorf("%s: no cache %q", f.Verb, f.Target.Component)
		}
		x.svc = m.services[id]
		if f.Verb == FaultMassExpiry && !(f.P > 0 && f.P <= 1) {
			return fmt.Errorf("mass_expiry: fraction must be in (0, 1]")
		}
		return nil
	case f.Verb == FaultPoolLeak:
		if !(f.P > 0 && f.P <= 1) {
			return fmt.Errorf("pool_leak: probability must be in (0, 1]")
		}
		for _, e := range m.edges {
			if e.caller == f.Target.From && e.target.spec.Name == f.Target.To && e.pol.Bulkhead != nil && e.pol.Bulkhead.Pool {
				x.edges = append(x.edges, e)
			}
		}
		if len(x.edges) == 0 {
			return fmt.Errorf("pool_leak: no call from %q to %q has a pool", f.Target.From, f.Target.To)
		}
		return nil
	case f.Verb.Policy():
		if f.Mode != BreakerForcedOpen && f.Mode != BreakerDisabled {
			return fmt.Errorf("breaker: mode must be %s or %s, not %q", BreakerForcedOpen, BreakerDisabled, f.Mode)
		}
		for _, e := range m.edges {
			if e.caller == f.Target.From && e.target.spec.Name == f.Target.To && e.states[0].breaker != nil {
				x.edges = append(x.edges, e)
			}
		}
		if len(x.edges) == 0 {
			return fmt.Errorf("breaker: no call from %q to %q has a breaker", f.Target.From, f.Target.To)
		}
		return nil
	}
	return fmt.Errorf("unknown fault verb %d", f.Verb)
}

// pick applies the selection to a service's instances, by index.
func (s Instances) pick(all []*instance) []*instance {
	n := len(all)
	switch s.Mode {
	case SelectOne:
		i := int(s.N)
		if i < 0 || i >= n {
			return nil
		}
		return all[i : i+1]
	case SelectCount:
		return all[:min(n, max(0, int(s.N)))]
	case SelectPercent:
		return all[:min(n, int(math.Ceil(s.N/100*float64(n)-1e-9)))]
	}
	return all
}

// target describes what the fault acts on, for reports.
func (x *injected) target() string {
	t := x.f.Target
	switch {
	case x.f.Verb.Network():
		if len(t.Groups[0]) > 0 || len(t.Groups[1]) > 0 {
			sep := " | "
			if x.f.OneWay {
				sep = " -> "
			}
			return "{" + strings.Join(t.Groups[0], ",") + "}" + sep + "{" + strings.Join(t.Groups[1], ",") + "}"
		}
		if t.From == "" {
			return t.To
		}
		return t.From + "->" + t.To
	case x.f.Verb.Policy():
		return t.From + "->" + t.To
	case x.f.Verb == FaultHotKey:
		return fmt.Sprintf("%s key %d", t.Component, x.f.Key)
	case x.f.Verb.Zone():
		return "zone " + t.Zone
	case x.f.Verb == FaultReplicaLag:
		if t.Instances.Mode == SelectAll {
			return t.Component + " replicas"
		}
	case x.f.Verb.Instance():
		switch t.Instances.Mode {
		case SelectOne:
			return fmt.Sprintf("%s[%d]", t.Component, int(t.Instances.N))
		case SelectCount:
			return fmt.Sprintf("%s[%d instances]", t.Component, int(t.Instances.N))
		case SelectPercent:
			return fmt.Sprintf("%s[%g%%]", t.Component, t.Instances.N)
		}
	}
	return t.Component
}

func (s *faultCheck) Fire(any) {
	x := (*injected)(s)
	if x.f.When(x.m) {
		x.begin()
		return
	}
	every := x.f.CheckEvery
	if every <= 0 {
		every = 100 * sim.Millisecond
	}
	x.timer = x.m.eng.After(every, s, nil)
}

func (s *faultStart) Fire(any) { (*injected)(s).begin() }

func (e *faultEnd) Fire(any) { (*injected)(e).stop() }

// begin applies the fault and schedules its end.
func (x *injected) begin() {
	m := x.m
	now := m.eng.Now()
	x.state, x.start = FaultActive, now
	x.timer = sim.Timer{}
	if x.f.Duration > 0 {
		x.timer = m.eng.At(now+x.f.Duration, (*faultEnd)(x), nil)
	}
	for _, t := range m.slos {
		t.faultStarted(x)
	}
	switch x.f.Verb {
	case FaultLatency, FaultLoss, FaultPartition, FaultBlackhole:
		m.net = append(m.net, x)
	case FaultZonePartition:
		m.zones.cut[x.zone-1]++
		m.net = append(m.net, x)
	case FaultZoneOutage:
		m.zones.outage[x.zone-1]++
		for _, mb := range m.zones.members[x.zone-1] {
			mb.in.out++
			mb.svc.crash(mb.in, now)
		}
	case FaultCrash:
		x.down = true
		for _, in := range x.insts {
			x.svc.crash(in, now)
		}
		if x.f.Restart > 0 {
			m.eng.At(now+x.f.Restart, (*restart)(x), nil)
		}
	case FaultPause:
		for _, in := range x.insts {
			if in.paused == 0 {
				in.pauseSince = now
			}
			in.paused++
		}
	case FaultSlow:
		for _, in := range x.insts {
			in.slow *= x.f.Factor
		}
	case FaultErrors:
		for _, in := range x.insts {
			in.errs = append(in.errs, x)
		}
	case FaultSpike, FaultRamp:
		x.wl.traffic = append(x.wl.traffic, x)
		x.wl.trafficChanged()
	case FaultBreaker:
		for _, e := range x.edges {
			e.manual(x.f.Mode, 1)
		}
	case FaultPoolLeak:
		for _, e := range x.edges {
			for _, st := range e.states {
				st.bulk.leaking = append(st.bulk.leaking, poolLeak{fault: x.id, p: x.f.P})
			}
		}
	case FaultReplicaLag:
		x.extra = 0
		if x.f.Latency != nil {
			x.extra = x.f.Latency.Sample(x.rng)
		}
		for _, r := range x.replicas() {
			if x.f.Stop {
				r.stopped++
			} else {
				r.extra += x.extra
			}
		}
	case FaultPoison:
		x.svc.queue.poison = append(x.svc.queue.poison, x.f.P)
	case FaultDeploy:
		x.dep.start()
	case FaultFailover:
		if err := x.svc.db.failover(now); err != nil {
			x.note = err.Error()
		}
	case FaultFlush:
		x.svc.cache.flush()
	case FaultMassExpiry:
		x.svc.cache.expire(now, x.f.P, x.rng)
	case FaultHotKey:
		k := x.wl.keyed
		k.hotShare, k.hotKey = x.f.P, uint32(x.f.Key)
	}
	if x.f.Verb.Instant() {
		m.eng.Cancel(x.timer)
		x.timer = sim.Timer{}
		x.stop()
	}
}

// stop reverts the fault.
func (x *injected) stop() {
	m := x.m
	now := m.eng.Now()
	x.state, x.end = FaultEnded, now
	for _, t := range m.slos {
		t.faultEnded(x)
	}
	switch x.f.Verb {
	case FaultLatency, FaultLoss, FaultPartition, FaultBlackhole:
		m.net = without(m.net, x)
	case FaultZonePartition:
		m.zones.cut[x.zone-1]--
		m.net = without(m.net, x)
	case FaultZoneOutage:
		m.zones.outage[x.zone-1]--
		for _, mb := range m.zones.members[x.zone-1] {
			mb.svc.bringBack(mb.in, now)
			mb.in.out--
		}
	case FaultCrash:
		x.bringUp()
	case FaultPause:
		for _, in := range x.insts {
			in.paused--
			if in.paused == 0 {
				in.pausedTotal += now - in.pauseSince
				x.svc.resume(in, now)
			}
		}
	case FaultSlow:
		for _, in := range x.insts {
			m.recomputeSlow(x.svc, in)
		}
	case FaultDeploy:
		x.dep.halted = true // no more waves; instances restarting still come back
	case FaultErrors:
		for _, in := range x.insts {
			in.errs = without(in.errs, x)
		}
	case FaultSpike, FaultRamp:
		x.wl.traffic = without(x.wl.traffic, x)
		x.wl.trafficChanged()
	case FaultBreaker:
		for _, e := range x.edges {
			e.manual(x.f.Mode, -1)
		}
	case FaultPoison:
		q := x.svc.queue
		for i, p := range q.poison {
			if p == x.f.P {
				q.poison = append(q.poison[:i], q.poison[i+1:]...)
				break
			}
		}
	case FaultReplicaLag:
		for _, r := range x.replicas() {
			if x.f.Stop {
				r.stopped--
				r.next()
			} else {
				r.extra -= x.extra
			}
		}
	case FaultPoolLeak:
		for _, e := range x.edges {
			for _, st := range e.states {
				// This fault's leaked connections come back; another
				// pool_leak still active keeps its own.
				b := &st.bulk
				n := 0
				for i, l := range b.leaking {
					if l.fault == x.id {
						n = l.n
						b.leaking = append(b.leaking[:i], b.leaking[i+1:]...)
						break
					}
				}
				b.leaked -= n
				for range n {
					st.release(now, now) // a fresh connection in its place
				}
			}
		}
	case FaultHotKey:
		// The newest hot_key fault still active on the workload rules; with
		// none, the sampler goes back to what it had before the first.
		k := x.wl.keyed
		k.hotShare, k.hotKey = 0, 0
		var newest *injected
		for _, y := range m.faults {
			if y.state == FaultActive && y.f.Verb == FaultHotKey && y.wl == x.wl && (newest == nil || y.start >= newest.start) {
				newest = y
			}
		}
		if newest != nil {
			k.hotShare, k.hotKey = newest.f.P, uint32(newest.f.Key)
		}
	}
}

// Fire brings crashed instances back after the fault's Restart delay.
func (r *restart) Fire(any) { (*injected)(r).bringUp() }

// bringUp releases the crash's hold on its instances, once: at the restart
// or at the end of the fault, whichever comes first.
func (x *injected) bringUp() {
	if !x.down {
		return
	}
	x.down = false
	now := x.m.eng.Now()
	for _, in := range x.insts {
		x.svc.bringBack(in, now)
	}
}

// bringBack releases one hold on a crashed instance; the last one brings
// it back up.
func (s *Service) bringBack(in *instance, now sim.Time) {
	if in.down--; in.down > 0 {
		return
	}
	s.down.Add(now, -1)
	if s.db != nil {
		s.db.up(in, now)
	}
}

func (x *injected) hits(in *instance) bool {
	for _, i := range x.insts {
		if i == in {
			return true
		}
	}
	return false
}

func without(list []*injected, x *injected) []*injected {
	for i, f := range list {
		if f == x {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// factorAt is a traffic fault's rate multiplier at t.
func (x *injected) factorAt(t sim.Time) float64 {
	k := x.f.Factor
	if x.f.Verb != FaultRamp {
		return k
	}
	over := x.f.Over
	if over <= 0 {
		over = x.f.Duration
	}
	if over <= 0 || t-x.start >= over {
		return k
	}
	return 1 + (k-1)*float64(t-x.start)/float64(over)
}

// crash takes an instance down: every call it holds fails now, as a reset
// connection does, and everything it was doing is abandoned.
func (s *Service) crash(in *instance, now sim.Time) {
	in.down++
	if in.down > 1 {
		return // already down
	}
	s.down.Add(now, 1)
	in.epoch++
	running := in.running
	in.running = nil
	for _, c := range running {
		s.leave(c, in, now, Error, true)
		c.reset()
	}
	for in.n > 0 {
		c := in.take(FIFO)
		s.queued.Add(now, -1)
		s.leave(c, in, now, Error, false)
		c.respond(Error)
	}
	// Replies a pause held go nowhere now (the callers heard of the
	// crash above); the calls are done.
	for _, c := range in.held {
		c.respond(Error)
	}
	in.held = in.held[:0]
	if s.db != nil {
		s.db.crashed(in)
	}
}

// resume ends a pause: held replies go out, stalled work continues, and
// waiting calls take the free workers.
func (s *Service) resume(in *instance, now sim.Time) {
	held, stalled := in.held, in.stalled
	in.held, in.stalled = nil, nil
	for _, c := range held {
		s.complete(c, c.outcome)
	}
	for _, x := range stalled {
		x.unstall()
	}
	s.fill(in, now)
}

// netRequest applies the active network faults to a request about to be
// sent: the latency they add to its round trip, or whether it is gone.
func (m *Model) netRequest(c *call) (extra sim.Time, gone bool) {
	src, dst := c.src, c.svc.id
	for _, x := range m.net {
		if x.f.Verb == FaultZonePartition {
			if c.picked && x.zoneCut(c.zone, c.inst.zone) {
				gone = true
			}
			continue
		}
		if !x.crosses(src, dst) && !(x.f.Verb != FaultPartition && x.crosses(dst, src)) {
			continue
		}
		switch x.f.Verb {
		case FaultLatency:
			extra += x.f.Latency.Sample(x.rng)
		case FaultLoss:
			if x.rng.Float64() < x.f.P {
				gone = true
			}
		case FaultPartition:
			gone = true
		case FaultBlackhole:
			if x.f.After > 0 && !gone {
				// The connection is closed on the caller after a while.
				c.outcome = Error
				m.eng.After(x.f.After, (*response)(c), nil)
				return 0, true
			}
			gone = true
		}
	}
	if gone {
		c.lost = true
	}
	return extra, gone
}

// netReplyLost reports whether the active network faults drop c's reply.
func (m *Model) netReplyLost(c *call) bool {
	src, dst := c.src, c.svc.id
	for _, x := range m.net {
		switch x.f.Verb {
		case FaultZonePartition:
			if c.picked && x.zoneCut(c.zone, c.inst.zone) {
				return true
			}
		case FaultPartition:
			if x.crosses(dst, src) {
				return true
			}
		case FaultLoss:
			if (x.crosses(src, dst) || x.crosses(dst, src)) && x.rng.Float64() < x.f.P {
				return true
			}
		case FaultBlackhole:
			if x.crosses(src, dst) || x.crosses(dst, src) {
				return true
			}
		}
	}
	return false
}

// crosses reports whether a message from component i to component j
// crosses the fault: from side a to side b, or back unless the fault is
// one way. A nil side is every component.
func (x *injected) crosses(i, j int32) bool {
	in := func(side []bool, id int32) bool { return side == nil || side[id] }
	if in(x.a, i) && in(x.b, j) {
		return true
	}
	return x.f.Verb == FaultPartition && !x.f.OneWay && in(x.b, i) && in(x.a, j)
}

// failFast decides whether an errors fault fails c at the door.
func failFast(c *call, in *instance) bool {
	for _, x := range in.errs {
		if x.f.Keys > 0 && float64(mixKey(c.key)) >= x.f.Keys*(1<<32) {
			continue
		}
		if x.rng.Float64() < x.f.P {
			return true
		}
	}
	return false
}

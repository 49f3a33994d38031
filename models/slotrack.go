package models

import (
	"slices"

	"cascade/models/slo"
	"cascade/sim"
)

// sloTrack feeds one SLO's tracker from the outcomes of one component and
// charges the budget burned while faults were active to the faults that
// could cause it: those on the SLO's call path (see onPath). Bad events
// while exactly one such fault was active are that fault's; while several
// were, they are shared by that set, never counted twice.
type sloTrack struct {
	spec      SLOSpec
	start     sim.Time // the SLO counts from the end of warm-up
	tracker   *slo.Tracker
	threshold sim.Time
	marks     []faultMark

	m      *Model
	path   *sloPath // built on the first fault: the call graph is static
	active []int    // ids of the faults on the path active now, in start order
	since  int64    // the tracker's bad count when active last changed
	own    map[int]int64
	shared []sharedMark
}

// faultMark is one fault that started while the SLO was tracked.
type faultMark struct {
	fault   *injected
	outside bool // not on the SLO's call path: never charged
}

// sharedMark is the bad events while one set of faults was active at once.
type sharedMark struct {
	ids []int
	bad int64
}

// sloPath is what an SLO's requests pass through: its component and
// everything that component calls, directly or not, and the calls between
// them (callers -> services, by component id), with the calls into the
// component itself.
type sloPath struct {
	nodes []bool
	calls [][2]int32
	// feeders are the workloads whose calls reach the SLO's component: a
	// traffic fault on one of them changes the load on the path.
	feeders []bool
}

func (m *Model) pathOf(spec SLOSpec) *sloPath {
	n := len(m.services) + len(m.workloads)
	p := &sloPath{nodes: make([]bool, n), feeders: make([]bool, n)}
	root, ok := m.names[spec.Workload+spec.Service]
	if !ok {
		return p
	}
	id := func(name string) (int32, bool) { v, ok := m.names[name]; return v, ok }
	p.nodes[root] = true
	for grown := true; grown; {
		grown = false
		for _, pr := range m.pairs {
			u, ok1 := id(pr.caller)
			v, ok2 := id(pr.target)
			if ok1 && ok2 && p.nodes[u] && !p.nodes[v] {
				p.nodes[v], grown = true, true
			}
		}
	}
	for _, pr := range m.pairs {
		u, ok1 := id(pr.caller)
		v, ok2 := id(pr.target)
		if ok1 && ok2 && (p.nodes[u] || v == root) {
			p.calls = append(p.calls, [2]int32{u, v})
		}
	}
	// Upstream of the root: what calls it, transitively.
	up := make([]bool, n)
	up[root] = true
	for grown := true; grown; {
		grown = false
		for _, pr := range m.pairs {
			u, ok1 := id(pr.caller)
			v, ok2 := id(pr.target)
			if ok1 && ok2 && up[v] && !up[u] {
				up[u], grown = true, true
			}
		}
	}
	for i := len(m.services); i < n; i++ {
		p.feeders[i] = up[i]
	}
	return p
}

// onPath reports whether fault x can act on the SLO's requests: it targets
// a component on the path, a call between two of them or into the SLO's
// component, or a workload that sends traffic into the SLO's component.
func (p *sloPath) onPath(x *injected) bool {
	f := x.f
	switch {
	case f.Verb.Network():
		for _, c := range p.calls {
			if x.crosses(c[0], c[1]) || x.crosses(c[1], c[0]) {
				return true
			}
		}
		return false
	case x.wl != nil:
		return p.nodes[x.wl.id] || p.feeders[x.wl.id]
	case len(x.edges) > 0:
		for _, e := range x.edges {
			if u, ok := x.m.names[e.caller]; ok && p.nodes[u] && p.nodes[e.target.id] {
				return true
			}
		}
		return false
	case x.svc != nil:
		return p.nodes[x.svc.id]
	case f.Verb.Zone():
		for _, mb := range x.m.zones.members[x.zone-1] {
			if p.nodes[mb.svc.id] {
				return true
			}
		}
		return false
	}
	return true // unknown: charge rather than hide a burn
}

// settle charges the bad events since the active set last changed.
func (t *sloTrack) settle() {
	bad := t.tracker.Bad()
	d := bad - t.since
	t.since = bad
	if d == 0 || len(t.active) == 0 {
		return
	}
	if len(t.active) == 1 {
		t.own[t.active[0]] += d
		return
	}
	for i := range t.shared {
		if slices.Equal(t.shared[i].ids, t.active) {
			t.shared[i].bad += d
			return
		}
	}
	t.shared = append(t.shared, sharedMark{ids: slices.Clone(t.active), bad: d})
}

func (t *sloTrack) record(now sim.Time, o Outcome, latency sim.Time) {
	if now < t.start {
		return
	}
	good := o == OK && (t.threshold == 0 || latency <= t.threshold)
	t.tracker.Record(now, good)
}

func (t *sloTrack) faultStarted(f *injected) {
	if t.path == nil {
		t.path = t.m.pathOf(t.spec)
		t.own = map[int]int64{}
	}
	outside := !t.path.onPath(f)
	t.marks = append(t.marks, faultMark{fault: f, outside: outside})
	if outside {
		return
	}
	t.settle()
	t.active = append(t.active, f.id)
}

func (t *sloTrack) faultEnded(f *injected) {
	i := slices.Index(t.active, f.id)
	if i < 0 {
		return
	}
	t.settle()
	t.active = slices.Delete(t.active, i, i+1)
}

func (t *sloTrack) result(now sim.Time) SLOResult {
	t.tracker.Advance(now)
	r := SLOResult{Name: t.spec.Name, Workload: t.spec.Workload, Service: t.spec.Service,
		Threshold: t.spec.Threshold, Scale: t.spec.Scale, Status: t.tracker.Status(now), Rules: t.tracker.Rules(),
		Alerts: t.tracker.Events(), Warnings: t.tracker.Warnings()}
	if r.Scale <= 0 {
		r.Scale = 1
	}
	budget := t.tracker.BudgetEvents(now)
	share := func(bad int64) float64 {
		if budget > 0 {
			return float64(bad) / budget
		}
		return 0
	}
	// What is burning now is charged as if the active set ended now,
	// without changing the running account.
	own := map[int]int64{}
	for k, v := range t.own {
		own[k] = v
	}
	shared := slices.Clone(t.shared)
	if d := t.tracker.Bad() - t.since; d > 0 && len(t.active) > 0 {
		if len(t.active) == 1 {
			own[t.active[0]] += d
		} else {
			i := slices.IndexFunc(shared, func(s sharedMark) bool { return slices.Equal(s.ids, t.active) })
			if i < 0 {
				shared = append(shared, sharedMark{ids: slices.Clone(t.active)})
				i = len(shared) - 1
			}
			shared[i] = sharedMark{ids: shared[i].ids, bad: shared[i].bad + d}
		}
	}
	name := map[int]string{}
	for _, m := range t.marks {
		name[m.fault.id] = m.fault.f.Name
		a := Attribution{Fault: m.fault.id, Name: m.fault.f.Name, Start: m.fault.start, End: m.fault.end,
			Outside: m.outside, Bad: own[m.fault.id]}
		a.Budget = share(a.Bad)
		r.Attribution = append(r.Attribution, a)
	}
	for _, s := range shared {
		if s.bad == 0 {
			continue
		}
		sb := SharedBurn{Faults: slices.Clone(s.ids), Bad: s.bad, Budget: share(s.bad)}
		for _, id := range s.ids {
			sb.Names = append(sb.Names, name[id])
		}
		r.Shared = append(r.Shared, sb)
	}
	return r
}

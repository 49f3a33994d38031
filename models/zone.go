package models

import (
	"fmt"

	"cascade/sim"
	"cascade/sim/dist"
)

// ZoneSpec declares the availability zones instances are placed in and
// what crossing between two of them costs. Services opt in with
// ServiceSpec.Zones; workloads stand outside every zone (traffic enters
// through a front door that belongs to none), so only calls between
// zoned instances can cross a zone.
type ZoneSpec struct {
	Names []string
	// Latency is the round trip a call between two different zones adds
	// (half each way, like a link); nil = none. Pairs override it for one
	// pair of zones, in both directions.
	Latency dist.Dist
	Pairs   []ZonePair
	// Cost of the traffic between zones: per call, and per GB with Bytes
	// the size of one call (request and reply together).
	CostPerCall float64
	CostPerGB   float64
	Bytes       float64
}

// ZonePair is the cross-zone latency between two zones.
type ZonePair struct {
	A, B    string
	Latency dist.Dist
}

// ZoneResult is one zone at Result time.
type ZoneResult struct {
	Name      string
	Instances int   // zoned instances placed here, every service
	Up        int   // of them: not crashed and in rotation now
	Requests  int64 // calls routed to its instances (after warm-up)
	CrossOut  int64 // calls its instances sent to another zone
	CrossIn   int64 // calls its instances received from another zone
	Cost      float64
	Outage    bool // a zone_outage fault holds it now
	Cut       bool // a zone_partition fault holds it now
	Series    []ZonePoint
}

// ZonePoint is one series interval of a zone: its instances up at the end
// of the interval, and the calls routed there and sent from it to another
// zone during the interval (warm-up included, like every series).
type ZonePoint struct {
	T        sim.Time
	Up       int
	Requests int64
	CrossOut int64
}

// CrossZoneResult totals the traffic between zones.
type CrossZoneResult struct {
	Calls int64
	Bytes float64
	Cost  float64
}

// zones is a model's zone state: names, latency matrix, counters.
type zones struct {
	spec  ZoneSpec
	names []string
	index map[string]int8 // name -> zone number, from 1
	lat   [][]dist.Dist   // [from][to], by zone number - 1; nil = no latency
	rng   *sim.Rand

	cross    [][]int64 // [from][to] cross-zone calls since warm-up
	requests []int64   // per zone: calls routed there since warm-up
	outage   []int     // per zone: zone_outage faults holding it
	cut      []int     // per zone: zone_partition faults holding it
	members  [][]member

	series []*sim.Ring[ZonePoint] // per zone
	ivReq  []int64                // per zone: the open interval's routed calls
	ivOut  []int64                // per zone: the open interval's cross-zone calls sent
}

// member is one instance placed in a zone.
type member struct {
	svc *Service
	in  *instance
}

func (m *Model) buildZones(t Topology) error {
	spec := t.Zones
	if spec == nil {
		for _, s := range m.services {
			if len(s.spec.Zones) > 0 {
				return fmt.Errorf("service %q is placed in zones but the topology declares none", s.spec.Name)
			}
		}
		return nil
	}
	n := len(spec.Names)
	if n == 0 || n > 100 {
		return fmt.Errorf("zones: between 1 and 100 zones")
	}
	z := &zones{spec: *spec, names: spec.Names, index: map[string]int8{}, rng: m.eng.Stream("zones/latency"),
		requests: make([]int64, n), outage: make([]int, n), cut: make([]int, n), members: make([][]member, n),
		ivReq: make([]int64, n), ivOut: make([]int64, n)}
	for range n {
		z.series = append(z.series, sim.NewRing[ZonePoint](m.opt.Points))
	}
	for i, name := range spec.Names {
		if _, dup := z.index[name]; dup {
			return fmt.Errorf("zones: %q twice", name)
		}
		z.index[name] = int8(i + 1)
	}
	z.lat = make([][]dist.Dist, n)
	z.cross = make([][]int64, n)
	for i := range z.lat {
		z.lat[i] = make([]dist.Dist, n)
		z.cross[i] = make([]int64, n)
		for j := range z.lat[i] {
			if i != j {
				z.lat[i][j] = spec.Latency
			}
		}
	}
	for _, p := range spec.Pairs {
		a, b := z.index[p.A], z.index[p.B]
		if a == 0 || b == 0 || a == b {
			return fmt.Errorf("zones: pair %s-%s: two different declared zones", p.A, p.B)
		}
		z.lat[a-1][b-1], z.lat[b-1][a-1] = p.Latency, p.Latency
	}
	for _, s := range m.services {
		if len(s.spec.Zones) == 0 {
			if s.spec.ZoneAware {
				return fmt.Errorf("service %q: zone_aware needs zones", s.spec.Name)
			}
			continue
		}
		if s.db != nil || s.queue != nil {
			return fmt.Errorf("service %q: a database or topic is not placed in zones", s.spec.Name)
		}
		for i, in := range s.insts {
			name := s.spec.Zones[i%len(s.spec.Zones)]
			k := z.index[name]
			if k == 0 {
				return fmt.Errorf("service %q: unknown zone %q", s.spec.Name, name)
			}
			in.zone = k
			z.members[k-1] = append(z.members[k-1], member{s, in})
		}
		s.zoned = true
	}
	m.zones = z
	return nil
}

// fromZone is the zone of whoever sends c: the instance running the exec
// (or the request's exec) that sent it; 0 for workloads and unzoned
// services.
func fromZone(c *call) int8 {
	switch f := c.from.(type) {
	case *exec:
		return f.inst.zone
	case *request:
		return f.zone
	}
	return 0
}

// zoneSend routes a call to a zoned service when it is sent: the caller's
// side picks the instance (as a sidecar or client library does), so the
// zones it crosses are known. It returns the cross-zone round trip.
func (m *Model) zoneSend(c *call) sim.Time {
	s, z := c.svc, m.zones
	from := fromZone(c)
	in := s.pickZoned(from)
	c.inst, c.picked = in, true
	c.zone = from
	measuring := m.measuring()
	z.ivReq[in.zone-1]++
	if measuring {
		z.requests[in.zone-1]++
	}
	if from == 0 || from == in.zone {
		return 0
	}
	z.ivOut[from-1]++
	if measuring {
		z.cross[from-1][in.zone-1]++
	}
	if d := z.lat[from-1][in.zone-1]; d != nil {
		return d.Sample(z.rng)
	}
	return 0
}

// pickZoned chooses an instance of a zoned service for a caller in zone
// from (0: outside every zone) among the instances in rotation: with
// ZoneAware, those of the caller's own zone while one of them has a free
// worker (not saturated), else every instance in rotation; the service's
// balancer picks within that set. Instances outlier detection ejected
// count as out of rotation. With none in rotation, the plain pick (the
// request is refused there).
func (s *Service) pickZoned(from int8) *instance {
	h := s.healthy[:0]
	now := s.m.eng.Now()
	usable := func(i int, in *instance) bool {
		return in.out == 0 && (s.ejector == nil || !s.ejector.Ejected(now, i))
	}
	if s.spec.ZoneAware && from != 0 {
		free := false
		for i, in := range s.insts {
			if in.zone == from && usable(i, in) {
				h = append(h, i)
				free = free || s.workers == 0 || in.busy < s.workers
			}
		}
		if !free {
			h = h[:0]
		}
	}
	if len(h) == 0 {
		for i, in := range s.insts {
			if usable(i, in) {
				h = append(h, i)
			}
		}
	}
	s.healthy = h
	if len(h) == 0 {
		return s.pick()
	}
	if len(h) == 1 {
		return s.insts[h[0]]
	}
	if s.spec.Refresh > 0 {
		s.refresh()
	}
	return s.pickAmong(h)
}

// inSet reports whether sorted h holds i.
func inSet(h []int, i int) bool {
	lo, hi := 0, len(h)
	for lo < hi {
		mid := (lo + hi) / 2
		switch {
		case h[mid] == i:
			return true
		case h[mid] < i:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
}

// zoneCut reports whether a zone_partition fault drops a message between
// the caller's zone a and the instance's zone b.
func (x *injected) zoneCut(a, b int8) bool {
	if a == 0 || b == 0 || a == b {
		return false
	}
	return a == x.zone || b == x.zone
}

// tick closes one series interval.
func (z *zones) tick(now sim.Time) {
	for i := range z.names {
		z.series[i].Push(ZonePoint{T: now, Up: z.up(i), Requests: z.ivReq[i], CrossOut: z.ivOut[i]})
	}
	clear(z.ivReq)
	clear(z.ivOut)
}

// up counts zone i's instances up and in rotation now.
func (z *zones) up(i int) int {
	n := 0
	for _, mb := range z.members[i] {
		if mb.in.down == 0 && mb.in.out == 0 {
			n++
		}
	}
	return n
}

// restart resets the counters at the end of the warm-up.
func (z *zones) restart() {
	for i := range z.cross {
		clear(z.cross[i])
	}
	clear(z.requests)
}

// result is every zone at now, in declaration order, and the totals.
func (z *zones) result(withSeries bool) ([]ZoneResult, CrossZoneResult) {
	var tot CrossZoneResult
	out := make([]ZoneResult, len(z.names))
	for i, name := range z.names {
		r := ZoneResult{Name: name, Instances: len(z.members[i]), Up: z.up(i), Requests: z.requests[i], Outage: z.outage[i] > 0, Cut: z.cut[i] > 0}
		if withSeries {
			r.Series = z.series[i].Slice()
		}
		for j := range z.names {
			r.CrossOut += z.cross[i][j]
			r.CrossIn += z.cross[j][i]
		}
		r.Cost = z.cost(r.CrossOut)
		tot.Calls += r.CrossOut
		out[i] = r
	}
	tot.Bytes = float64(tot.Calls) * z.spec.Bytes
	tot.Cost = z.cost(tot.Calls)
	return out, tot
}

func (z *zones) cost(calls int64) float64 {
	return float64(calls)*z.spec.CostPerCall + float64(calls)*z.spec.Bytes/1e9*z.spec.CostPerGB
}

// Zones lists the declared zones, in order (nil without zones).
func (m *Model) Zones() []string {
	if m.zones == nil {
		return nil
	}
	return m.zones.names
}

// InstanceZone is the zone of a service's instance i ("" when unzoned).
func (m *Model) InstanceZone(service string, i int) string {
	id, ok := m.names[service]
	if !ok || m.zones == nil || int(id) >= len(m.services) {
		return ""
	}
	s := m.services[id]
	if i < 0 || i >= len(s.insts) || s.insts[i].zone == 0 {
		return ""
	}
	return m.zones.names[s.insts[i].zone-1]
}

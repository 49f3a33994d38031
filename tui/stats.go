package tui

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"cascade/models"
	"cascade/sim"
)

// health is a component's state at a glance.
type health int

const (
	healthIdle health = iota // no traffic yet
	healthOK
	healthDegraded
	healthFailing
)

// Thresholds of health, on the last completed series interval: a component
// is failing when at least failErr of its replies were not OK or its queue
// is nearly full, degraded from degradeErr errors, degradeUtil busy workers
// or half a queue. (The default shop runs with about 2% errors at checkout
// by design — declined cards — and that is healthy.) A firing page alert on its SLO makes it failing, a
// ticket degraded.
const (
	failErr     = 0.10
	degradeErr  = 0.03
	degradeUtil = 0.85
	failQueue   = 0.9
	degradeQ    = 0.5
	// saturatedUtil with requests waiting: every worker busy, a queue
	// forming (the last interval's average, so a burst of 0.98 counts).
	saturatedUtil = 0.98
)

// nodeStats is what the topology shows of one component, from the last
// completed series interval (1 s).
type nodeStats struct {
	rate       float64 // arrivals per second
	done       int64
	errs       float64 // fraction of replies not OK
	p99        float64 // seconds; NaN without OK replies
	util       float64 // NaN when workers are unlimited
	queue      float64 // time-average waiting
	queueCap   int     // all instances; <0 unbounded
	inFlight   float64
	health     health
	faults     []string // active faults acting on it
	alerts     []string // SLO alerts firing on it
	down       bool     // every instance crashed
	crashed    int      // instances down now
	paused     int      // instances paused now
	hasPoint   bool
	interval   float64  // seconds the point covers
	sloRemain  float64  // budget remaining of its first SLO; NaN without one
	openTo     []string // callees some breaker of this component has open
	instances  int
	workersAll int

	// Data-tier extras: NaN or -1 when the component has none.
	hitRatio float64  // cache: hits / lookups so far
	lag      float64  // database: the worst replica's lag now, seconds
	backlog  int64    // topic: unacked messages over its groups; -1 = not a topic
	pools    []string // "db 8/10": connection pools it calls through, in use / size
	poolFull bool     // some pool it calls through has every connection in use and callers waiting

	zones []zoneUp // a zoned service: its instances per zone, in its zones: order

	hung  models.Hung // calls it waits on with no time limit (all callees)
	sat   string      // why it is saturated: "hung", "queue full", "workers", "pool full", "down"; "" = not
	cause string      // set on a root cause: what it is ("saturated", "partition→db", ...)
}

// zoneUp is a zoned service's instances in one zone.
type zoneUp struct {
	name        string
	up, placed  int
	outage, cut bool
}

func seriesOf(r *models.Result, g *graph, i int) []models.Point {
	n := g.nodes[i]
	if n.workload {
		if n.index < len(r.Workloads) {
			return r.Workloads[n.index].Series
		}
		return nil
	}
	if n.index < len(r.Services) {
		return r.Services[n.index].Series
	}
	return nil
}

func statsOf(s *Snapshot, g *graph, i int) nodeStats {
	n := g.nodes[i]
	st := nodeStats{p99: math.NaN(), util: math.NaN(), sloRemain: math.NaN(), queueCap: -1,
		hitRatio: math.NaN(), lag: math.NaN(), backlog: -1}
	if !n.workload && n.index < len(s.Result.Services) {
		sr := &s.Result.Services[n.index]
		if c := sr.Cache; c != nil {
			st.hitRatio = c.HitRatio
		}
		if d := sr.Database; d != nil {
			st.lag = 0
			for _, r := range d.Replicas {
				if !r.Promoted {
					st.lag = math.Max(st.lag, r.Lag)
				}
			}
		}
		if q := sr.Queue; q != nil {
			st.backlog = 0
			for _, g := range q.Groups {
				st.backlog += g.Backlog
			}
		}
	}
	for _, e := range s.Result.Edges {
		if e.Caller == n.name && e.Pool != nil {
			st.pools = append(st.pools, e.Target+" "+strconv.Itoa(e.Pool.InUse)+"/"+strconv.Itoa(e.Pool.Size))
			if e.Pool.Size > 0 && e.Pool.InUse >= e.Pool.Size && e.Pool.Waiting > 0 {
				st.poolFull = true
			}
		}
	}
	for _, c := range s.Result.Calls {
		if c.Caller == n.name && c.Hung.Calls > 0 {
			st.hung.Calls += c.Hung.Calls
			st.hung.Oldest = max(st.hung.Oldest, c.Hung.Oldest)
		}
	}
	if !n.workload {
		st.instances = n.spec.Instances
		st.workersAll = n.spec.Workers * n.spec.Instances
		if n.spec.Queue >= 0 {
			st.queueCap = n.spec.Queue * n.spec.Instances
		}
	}
	series := seriesOf(&s.Result, g, i)
	if len(series) > 0 {
		p := series[len(series)-1]
		prev := sim.Time(0)
		if len(series) > 1 {
			prev = series[len(series)-2].T
		} else if p.T > sim.Second {
			prev = p.T - sim.Second
		}
		sec := (p.T - prev).Seconds()
		if sec <= 0 {
			sec = 1
		}
		st.hasPoint, st.interval = true, sec
		st.rate = float64(p.Arrivals) / sec
		for _, c := range p.Outcomes {
			st.done += c
		}
		if st.done > 0 {
			st.errs = 1 - float64(p.Outcomes[models.OK])/float64(st.done)
		}
		st.p99 = p.P99
		st.queue = p.Queue
		st.inFlight = p.InFlight
		if st.workersAll > 0 && p.Workers > 0 {
			// Of the workers of the instances up in the interval: a
			// crashed instance has none, so counting its workers would
			// hide that the rest are full.
			st.util = p.Busy / p.Workers
		}
	}
	var crashed, paused []bool
	if !n.workload {
		crashed, paused = make([]bool, n.spec.Instances), make([]bool, n.spec.Instances)
	}
	for id, rec := range s.Result.Faults {
		if rec.State != models.FaultActive || id >= len(s.Faults) {
			continue
		}
		f := s.Faults[id]
		if rec.Verb.Zone() {
			if !n.workload && slices.Contains(n.spec.Zones, f.Target.Zone) {
				st.faults = append(st.faults, rec.Verb.String()+" "+f.Target.Zone)
				if rec.Verb == models.FaultZoneOutage {
					for k := range crashed {
						crashed[k] = crashed[k] || n.spec.Zones[k%len(n.spec.Zones)] == f.Target.Zone
					}
				}
			}
			continue
		}
		if !touches(f, n.name) {
			continue
		}
		st.faults = append(st.faults, rec.Verb.String())
		if f.Target.Component != n.name || n.workload {
			continue
		}
		switch {
		case rec.Verb == models.FaultCrash && (f.Restart == 0 || s.Now < rec.Start+f.Restart):
			mark(crashed, f.Target.Instances)
		case rec.Verb == models.FaultPause:
			mark(paused, f.Target.Instances)
		}
	}
	st.crashed, st.paused = count(crashed), count(paused)
	st.down = st.crashed > 0 && st.crashed == len(crashed)
	st.zones = zonesOf(s, n, crashed)
	for _, o := range s.Result.SLOs {
		if o.Workload != n.name && o.Service != n.name {
			continue
		}
		if math.IsNaN(st.sloRemain) {
			st.sloRemain = o.Remaining
		}
		st.alerts = append(st.alerts, o.Firing...)
	}
	st.sat = saturation(st)
	st.health = classify(st)
	return st
}

// zonesOf counts a zoned service's instances up in each of its zones
// (instance k is in Zones[k % len]), and whether a zone fault holds it.
func zonesOf(s *Snapshot, n node, crashed []bool) []zoneUp {
	if n.workload || len(n.spec.Zones) == 0 {
		return nil
	}
	var out []zoneUp
	at := func(name string) *zoneUp {
		for i := range out {
			if out[i].name == name {
				return &out[i]
			}
		}
		out = append(out, zoneUp{name: name})
		for _, z := range s.Result.Zones {
			if z.Name == name {
				out[len(out)-1].outage, out[len(out)-1].cut = z.Outage, z.Cut
			}
		}
		return &out[len(out)-1]
	}
	for k := range n.spec.Instances {
		z := at(n.spec.Zones[k%len(n.spec.Zones)])
		z.placed++
		if k >= len(crashed) || !crashed[k] {
			z.up++
		}
	}
	return out
}

// saturation says why a component can take no more, most basic first: it
// is down; it waits on calls that never end; its queue is full; every
// worker is busy with requests waiting; a connection pool it needs is
// exhausted. A saturated component is failing, whatever its error ratio:
// its callers' errors are its doing.
func saturation(st nodeStats) string {
	qfill := 0.0
	if st.queueCap > 0 {
		qfill = st.queue / float64(st.queueCap)
	}
	switch {
	case st.down:
		return "down"
	case st.hung.Calls > 0:
		return "hung"
	case qfill >= failQueue:
		return "queue full"
	case st.util >= saturatedUtil && st.queue >= 1:
		return "workers"
	case st.poolFull:
		return "pool full"
	}
	return ""
}

// mark sets the instances a selection picks, by index as the model picks
// them (models.Instances).
func mark(set []bool, in models.Instances) {
	n := len(set)
	lo, hi := 0, n
	switch in.Mode {
	case models.SelectOne:
		lo, hi = int(in.N), int(in.N)+1
	case models.SelectCount:
		hi = int(in.N)
	case models.SelectPercent:
		hi = int(math.Ceil(in.N/100*float64(n) - 1e-9))
	}
	for i := max(lo, 0); i < min(hi, n); i++ {
		set[i] = true
	}
}

func count(set []bool) int {
	k := 0
	for _, b := range set {
		if b {
			k++
		}
	}
	return k
}

// touches reports whether fault f acts on component name: its target, or
// either end of a link, or a member of a group.
func touches(f models.Fault, name string) bool {
	t := f.Target
	if t.Component == name || t.To == name || t.From == name {
		return true
	}
	for _, g := range t.Groups {
		for _, n := range g {
			if n == name {
				return true
			}
		}
	}
	return false
}

func classify(st nodeStats) health {
	h := healthIdle
	if st.hasPoint && (st.done > 0 || st.rate > 0) {
		h = healthOK
	}
	qfill := 0.0
	if st.queueCap > 0 {
		qfill = st.queue / float64(st.queueCap)
	}
	switch {
	case st.sat != "", st.errs >= failErr, hasString(st.alerts, "page"): // sat covers down and a full queue
		return healthFailing
	case st.errs >= degradeErr, st.util >= degradeUtil, qfill >= degradeQ, len(st.alerts) > 0, len(st.openTo) > 0:
		return healthDegraded
	}
	return h
}

func hasString(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// edgeStats is what the model's call metrics say about one caller ->
// callee pair: every pair has its requests and outcomes (Result.Calls);
// call sites under a policy (retry, breaker, ...) add attempts and breaker
// state, several sites of one pair summed.
type edgeStats struct {
	counted  bool    // the model counts this pair's calls
	errs     float64 // fraction of the last interval's replies that were not OK
	policy   bool
	rate     float64 // requests per second over the last interval
	amp      float64 // attempts per request over the last interval; NaN without requests
	breakers int     // breakers on the pair (one per caller instance, or shared)
	open     int     // open or forced open now
	half     int     // half-open now
	budget   float64 // retry budget level now; NaN without a budget
	series   []float64
	hung     models.Hung // calls out with no time limit for HungAfter or more
	fault    string      // an active network fault on the edge: "partition", "loss", "latency", "blackhole"
}

// edgeHealth is the colour of a call edge: the edge's own trouble (a network
// fault, hung calls, errors, an open breaker) first, so a partition is drawn
// failing even while the idle callee behind it looks fine.
func edgeHealth(es edgeStats, callee health) health {
	switch {
	case es.fault == "partition", es.fault == "blackhole", es.fault == "loss", es.hung.Calls > 0, es.open > 0, es.errs >= failErr:
		return healthFailing
	case es.fault != "", es.half > 0, es.errs >= degradeErr:
		return max(callee, healthDegraded)
	}
	return callee
}

// networkFault names the active network fault that acts on calls from
// caller to callee ("" for none), the most disruptive first.
func networkFault(s *Snapshot, caller, callee string) string {
	best, rank := "", 0
	for id, rec := range s.Result.Faults {
		if rec.State != models.FaultActive || id >= len(s.Faults) {
			continue
		}
		f := s.Faults[id]
		t := f.Target
		hit, r := false, 0
		switch rec.Verb {
		case models.FaultPartition:
			in := func(g []string, n string) bool { return slices.Contains(g, n) }
			a, b := t.Groups[0], t.Groups[1]
			hit = (in(a, caller) && in(b, callee)) || (!f.OneWay && in(b, caller) && in(a, callee))
			r = 4
		case models.FaultBlackhole:
			hit, r = (t.Component == callee || t.To == callee) && (t.From == "" || t.From == caller), 3
		case models.FaultLoss:
			hit, r = t.To == callee && (t.From == "" || t.From == caller), 2
		case models.FaultLatency:
			hit, r = t.To == callee && (t.From == "" || t.From == caller), 1
		}
		if hit && r > rank {
			best, rank = rec.Verb.String(), r
		}
	}
	return best
}

func edgeStatsOf(r *models.Result, caller, callee string, width int) edgeStats {
	es := edgeStats{amp: math.NaN(), budget: math.NaN()}
	var req, att int64
	var lvl float64
	nb := 0
	for _, e := range r.Edges {
		if e.Caller != caller || e.Target != callee {
			continue
		}
		es.policy = true
		if n := len(e.Series); n > 0 {
			p := e.Series[n-1]
			req += p.Requests
			att += p.Attempts
			start := max(n-width, 0)
			if es.series == nil {
				es.series = make([]float64, n-start)
			}
			for i, q := range e.Series[start:] {
				if k := i - (n - start) + len(es.series); k >= 0 {
					es.series[k] += float64(q.Requests)
				}
			}
		}
		for _, b := range e.Breakers {
			es.breakers++
			switch b.State {
			case "open", "forced-open":
				es.open++
			case "half-open":
				es.half++
			}
		}
		if finite(e.BudgetLevel) {
			lvl += e.BudgetLevel
			nb++
		}
	}
	es.rate = float64(req) // per 1 s interval
	if req > 0 {
		es.amp = float64(att) / float64(req)
	}
	for _, c := range r.Calls {
		if c.Caller != caller || c.Target != callee || len(c.Series) == 0 {
			continue
		}
		p := c.Series[len(c.Series)-1]
		es.counted = true
		es.hung = c.Hung
		es.rate = float64(p.Requests)
		var done int64
		for _, n := range p.Outcomes {
			done += n
		}
		if done > 0 {
			es.errs = 1 - float64(p.Outcomes[models.OK])/float64(done)
		}
	}
	if nb > 0 {
		es.budget = lvl / float64(nb)
	}
	return es
}

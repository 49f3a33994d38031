package models

import (
	"fmt"
	"math"
	"slices"

	"cascade/models/slo"
	"cascade/sim"
)

// Options controls a run's bookkeeping, not the system's behaviour.
type Options struct {
	// Until is when the run ends; 0 means when every workload has sent its
	// last request and had its reply (every workload needs a Limit then).
	Until sim.Time
	// Warmup discards statistics gathered before it, so a run that starts
	// empty can be compared with steady-state theory.
	Warmup sim.Time
	// Interval is the time-series resolution (default 1s) and Points how
	// many intervals each series keeps (default 3600): older ones are
	// dropped, so memory does not grow with the run's length.
	Interval sim.Time
	Points   int
	// Windows are extra spans whose totals the result reports.
	Windows []WindowSpec
	// NoSeries says nothing will read the time series but fault conditions
	// (a headless run whose result keeps none): each keeps only its last
	// interval, whatever Points says, and unless a fault has a condition
	// (p99(...) reads it) every OK reply skips the per-interval latency
	// histogram, a third of the recording cost on a small model, so the
	// points' P50 and P99 are NaN.
	NoSeries bool
	// Headless says no fault will be injected but the topology's own:
	// with no cache, database, queue or key-reading fault either, nothing
	// reads a request's key, and workloads without a key distribution
	// skip drawing one (keys have their own stream, so no other draw moves).
	Headless bool
}

// Model is a built topology attached to an engine.
type Model struct {
	eng       *sim.Engine
	opt       Options
	services  []*Service
	workloads []*Workload
	since     sim.Time // statistics start here

	// Free lists: the hot path recycles its objects instead of allocating.
	calls    []*call
	execs    []*exec
	joins    []*join
	requests []*request

	edges []*edge // call sites under a policy, in build order
	pairs []*pair // caller -> service call counts, in build order

	names    map[string]int32 // component name -> id: services, then workloads
	timeline []Fault          // Topology.Faults, injected by Start
	faults   []*injected      // every fault injected, in order
	net      []*injected      // active network faults, checked on every message
	slos     []*sloTrack
	windows  []*window
	zones    *zones // nil without zones
	keysRead bool   // something may read a request's key (see Options.Headless)

	err error // why the run stopped early (a rate that is no rate), or nil
}

// readsKeys says whether anything in the run may read a request's key:
// a cache, a database or a queue keys on it, an errors fault may pick
// keys, a hot_key fault draws them, and a fault injected live may be any
// of these.
func (m *Model) readsKeys(t Topology) bool {
	if !m.opt.Headless {
		return true
	}
	for _, s := range m.services {
		if s.cache != nil || s.db != nil || s.queue != nil {
			return true
		}
	}
	for _, f := range t.Faults {
		if f.Keys > 0 || f.Verb == FaultHotKey {
			return true
		}
	}
	return false
}

// New builds t on eng. The scenarios package has already validated t; the
// errors here guard programmatic use.
func New(eng *sim.Engine, t Topology, opt Options) (*Model, error) {
	if opt.Interval <= 0 {
		opt.Interval = sim.Second
	}
	if opt.Points <= 0 {
		opt.Points = 3600
	}
	// A fault's condition may read p99(...): the interval latency stays.
	seriesLatency := !opt.NoSeries || slices.ContainsFunc(t.Faults, func(f Fault) bool { return f.When != nil })
	if opt.NoSeries {
		opt.Points = 1
	}
	m := &Model{eng: eng, opt: opt, names: map[string]int32{}, timeline: t.Faults}
	byName := map[string]*Service{}
	for i := range t.Services {
		if q := t.Services[i].Topic; q != nil {
			if len(t.Services[i].Ops) > 0 {
				return nil, fmt.Errorf("service %q: a queue has no ops of its own", t.Services[i].Name)
			}
			t.Services[i].Ops = queueOps(q)
		}
		if c := t.Services[i].Cache; c != nil {
			if len(t.Services[i].Ops) > 0 {
				return nil, fmt.Errorf("service %q: a cache has no ops of its own", t.Services[i].Name)
			}
			t.Services[i].Ops = cacheOps(c)
		}
	}
	for _, spec := range t.Services {
		if len(spec.Ops) == 0 {
			return nil, fmt.Errorf("service %q has no operations", spec.Name)
		}
		if spec.Instances < 1 {
			return nil, fmt.Errorf("service %q: instances must be >= 1", spec.Name)
		}
		if spec.Choices < 0 || spec.Choices == 1 || spec.Refresh < 0 {
			return nil, fmt.Errorf("service %q: choices must be >= 2 and refresh >= 0", spec.Name)
		}
		s := &Service{m: m, spec: spec, workers: spec.Workers, stats: newStats(opt.Points, seriesLatency),
			lbRand: eng.Stream("service/" + spec.Name + "/balancer")}
		for i := 0; i < spec.Instances; i++ {
			s.insts = append(s.insts, &instance{idx: i, slow: 1})
		}
		s.id = int32(len(m.services))
		for _, o := range spec.Ops {
			s.ops = append(s.ops, &op{svc: s, name: o.Name, rng: eng.Stream("service/" + spec.Name + "/op/" + o.Name)})
		}
		byName[spec.Name] = s
		m.names[spec.Name] = s.id
		m.services = append(m.services, s)
	}
	links := map[[2]string]*link{}
	for _, l := range t.Links {
		links[[2]string{l.From, l.To}] = &link{spec: l, rng: eng.Stream("link/" + l.From + "->" + l.To)}
	}
	resolve := func(from, svc, opName string) (*Service, *op, *link, error) {
		s := byName[svc]
		if s == nil {
			return nil, nil, nil, fmt.Errorf("%s calls unknown service %q", from, svc)
		}
		o := s.op(opName)
		if o == nil {
			return nil, nil, nil, fmt.Errorf("%s calls unknown operation %s.%s", from, svc, opName)
		}
		return s, o, links[[2]string{from, svc}], nil
	}
	for _, s := range m.services {
		if s.spec.Cache != nil {
			if err := m.buildCache(s, resolve); err != nil {
				return nil, err
			}
		}
		if s.spec.Database != nil {
			d, err := newDatabase(s, *s.spec.Database, eng.Stream("database/"+s.spec.Name))
			if err != nil {
				return nil, err
			}
			s.db = d
		}
		if s.spec.Autoscale != nil {
			sc, err := newScaler(s, *s.spec.Autoscale)
			if err != nil {
				return nil, err
			}
			s.scaler = sc
		}
	}
	for _, s := range m.services {
		if s.spec.Topic != nil {
			if err := m.buildQueue(s, resolve); err != nil {
				return nil, err
			}
		}
	}
	names := map[string]int{} // edge names, to number repeats
	edgeName := func(base string) string {
		names[base]++
		if n := names[base]; n > 1 {
			return fmt.Sprintf("%s #%d", base, n)
		}
		return base
	}
	for i, spec := range t.Services {
		s := m.services[i]
		if err := m.buildAdmission(s); err != nil {
			return nil, err
		}
		for j, o := range spec.Ops {
			opName := o.Name
			mk := func(st Step, target *Service, to *op, l *link) (*edge, error) {
				name := edgeName(spec.Name + "." + opName + " -> " + target.spec.Name + "." + to.name)
				e, err := m.newEdge(name, s, spec.Name, s.id, target, to, l, st.Timeout, *st.Policy, 0)
				if err == nil {
					m.edges = append(m.edges, e)
				}
				return e, err
			}
			steps, err := compile(o.Steps, spec.Name, resolve, mk)
			if err != nil {
				return nil, err
			}
			if s.cache != nil {
				s.cache.bind(steps)
			}
			s.ops[j].steps = steps
		}
	}
	for _, spec := range t.Workloads {
		s, o, l, err := resolve(spec.Name, spec.Target, spec.Op)
		if err != nil {
			return nil, err
		}
		if spec.Users > 0 && spec.Think == nil {
			return nil, fmt.Errorf("workload %q: closed loop needs a think time", spec.Name)
		}
		w := &Workload{m: m, spec: spec, target: s, op: o, link: l, stats: newStats(opt.Points, seriesLatency), pair: m.pairOf(spec.Name, s.spec.Name),
			rng: eng.Stream("workload/" + spec.Name + "/arrivals"), think: eng.Stream("workload/" + spec.Name + "/think"),
			keys: eng.Stream("workload/" + spec.Name + "/keys"), id: int32(len(m.services) + len(m.workloads))}
		if spec.Clients < 0 {
			return nil, fmt.Errorf("workload %q: clients must be >= 0", spec.Name)
		}
		if spec.Clients > 1 {
			w.client = eng.Stream("workload/" + spec.Name + "/clients")
		}
		if w.keyed, err = newKeySampler(spec.Keys); err != nil {
			return nil, fmt.Errorf("workload %q: %v", spec.Name, err)
		}
		if _, dup := m.names[spec.Name]; dup {
			return nil, fmt.Errorf("workload %q has the name of a service", spec.Name)
		}
		m.names[spec.Name] = w.id
		m.workloads = append(m.workloads, w)
		if spec.Policy != nil {
			e, err := m.newEdge(edgeName(spec.Name+" -> "+s.spec.Name+"."+o.name), nil, spec.Name, w.id, s, o, l, spec.Timeout, *spec.Policy, spec.Clients)
			if err != nil {
				return nil, err
			}
			w.edge = e
			m.edges = append(m.edges, e)
		}
	}
	for _, spec := range t.SLOs {
		st, err := m.statsOf(spec.Workload + spec.Service)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %v", spec.Name, err)
		}
		tr, err := slo.New(spec.Spec, opt.Warmup)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %v", spec.Name, err)
		}
		track := &sloTrack{spec: spec, start: opt.Warmup, tracker: tr, threshold: spec.Threshold, m: m}
		st.slos = append(st.slos, track)
		m.slos = append(m.slos, track)
	}
	for _, spec := range opt.Windows {
		st, err := m.statsOf(spec.Component)
		if err != nil {
			return nil, fmt.Errorf("window: %v", err)
		}
		w := &window{spec: spec, latency: sim.NewHistogram(3)}
		st.windows = append(st.windows, w)
		m.windows = append(m.windows, w)
	}
	if err := m.buildZones(t); err != nil {
		return nil, err
	}
	// The timeline's faults are injected at Start, which has no one to tell
	// of a fault that cannot act: check them now.
	for i, f := range t.Faults {
		x := &injected{m: m, f: f}
		if err := x.resolve(); err != nil {
			return nil, fmt.Errorf("fault %d: %w", i+1, err)
		}
	}
	m.keysRead = m.readsKeys(t)
	return m, nil
}

// statsOf finds the metric surface of a workload or service by name.
func (m *Model) statsOf(name string) (*stats, error) {
	id, ok := m.names[name]
	if !ok {
		return nil, fmt.Errorf("no workload or service %q", name)
	}
	if int(id) < len(m.services) {
		return &m.services[id].stats, nil
	}
	return &m.workloads[int(id)-len(m.services)].stats, nil
}

func (s *Service) op(name string) *op {
	if name == "" {
		return s.ops[0]
	}
	for _, o := range s.ops {
		if o.name == name {
			return o
		}
	}
	return nil
}

type resolver func(from, svc, op string) (*Service, *op, *link, error)

// edgeMaker builds the edge of a Call step that has a policy.
type edgeMaker func(st Step, target *Service, o *op, l *link) (*edge, error)

func compile(in []Step, owner string, resolve resolver, mk edgeMaker) ([]step, error) {
	out := make([]step, len(in))
	for i, st := range in {
		s := step{kind: st.Kind, work: st.Work, repeat: max(st.Repeat, 1), timeout: st.Timeout,
			waitFirst: st.WaitFirst, failP: st.FailP}
		switch st.Kind {
		case Work:
			if st.Work == nil {
				return nil, fmt.Errorf("service %q: work step without a distribution", owner)
			}
		case Call:
			var err error
			s.target, s.op, s.link, err = resolve(owner, st.Target, st.Op)
			if err != nil {
				return nil, err
			}
			s.pair = s.target.m.pairOf(owner, s.target.spec.Name)
			if st.Policy != nil {
				if s.edge, err = mk(st, s.target, s.op, s.link); err != nil {
					return nil, err
				}
			}
		case Cache:
			var err error
			s.target, s.op, s.link, err = resolve(owner, st.Target, "get")
			if err != nil {
				return nil, err
			}
			if s.target.cache == nil {
				return nil, fmt.Errorf("service %q: cache step on %q, which is not a cache", owner, st.Target)
			}
			s.cacheOf, s.fillOp = s.target.cache, s.target.op("set")
			s.pair = s.target.m.pairOf(owner, s.target.spec.Name)
			seq, err := compile(st.Children, owner, resolve, mk)
			if err != nil {
				return nil, err
			}
			s.children = [][]step{seq}
		case Publish:
			var err error
			s.target, s.op, s.link, err = resolve(owner, st.Target, "publish")
			if err != nil {
				return nil, err
			}
			q := s.target.queue
			if q == nil {
				return nil, fmt.Errorf("service %q: publish to %q, which is not a queue", owner, st.Target)
			}
			s.pair = s.target.m.pairOf(owner, s.target.spec.Name)
			// The database write the event belongs to: the last call before
			// it in the sequence, local work in between allowed.
			var prev *step
			j := i - 1
			for j >= 0 && out[j].kind == Work {
				j--
			}
			if j >= 0 && out[j].kind == Call && out[j].target.db != nil && out[j].target.db.isWrite(out[j].op) {
				prev = &out[j]
			}
			if st.Outbox {
				if prev == nil {
					return nil, fmt.Errorf("service %q: an outbox publish must follow a call to a database write", owner)
				}
				prev.outboxTo = q // the event rides in the write's transaction
				if prev.edge != nil {
					prev.edge.outbox = q // and so in each attempt's through a policy
				}
				break
			}
			s.kind, s.repeat, s.pays = Call, 1, true
			if prev != nil {
				prev.owes = q // a dual write: the event is owed until published
			}
		case Saga:
			for _, a := range st.Saga {
				do, err := compile([]Step{a.Do}, owner, resolve, mk)
				if err != nil {
					return nil, err
				}
				pair := sagaPair{do: [][]step{do}}
				if a.Undo != nil {
					undo, err := compile([]Step{*a.Undo}, owner, resolve, mk)
					if err != nil {
						return nil, err
					}
					pair.undo = [][]step{undo}
				}
				s.saga = append(s.saga, pair)
			}
			if len(s.saga) == 0 {
				return nil, fmt.Errorf("service %q: a saga needs at least one action", owner)
			}
		case Parallel:
			for _, ch := range st.Children {
				seq, err := compile([]Step{ch}, owner, resolve, mk)
				if err != nil {
					return nil, err
				}
				s.children = append(s.children, seq)
			}
		case Branch:
			cum := 0.0
			for _, b := range st.Branches {
				seq, err := compile(b.Steps, owner, resolve, mk)
				if err != nil {
					return nil, err
				}
				cum += b.P
				s.arms = append(s.arms, arm{cum: cum, seq: [][]step{seq}})
			}
		}
		out[i] = s
	}
	return out, nil
}

// Start schedules the workloads, the series ticks and the end of warm-up.
// Call it once, before running the engine.
func (m *Model) Start() {
	for _, w := range m.workloads {
		w.start()
	}
	for _, f := range m.timeline {
		m.Inject(f)
	}
	m.eng.After(m.opt.Interval, (*ticker)(m), nil)
	for _, s := range m.services {
		if s.scaler != nil {
			s.scaler.start()
		}
	}
	if m.opt.Warmup > 0 {
		m.eng.At(m.opt.Warmup, (*warmupEnd)(m), nil)
	}
}

// ticker closes one series interval for every component.
type ticker Model

func (t *ticker) Fire(any) {
	m := (*Model)(t)
	now := m.eng.Now()
	for _, s := range m.services {
		s.tick(now, m.opt.Interval)
		if s.db != nil {
			s.db.tick(now)
		}
	}
	for _, w := range m.workloads {
		w.tick(now)
	}
	for _, e := range m.edges {
		e.tick(now)
	}
	for _, p := range m.pairs {
		p.tick(now)
	}
	if m.zones != nil {
		m.zones.tick(now)
	}
	for _, s := range m.slos {
		s.tracker.Advance(now)
	}
	next := now + m.opt.Interval
	if (m.opt.Until == 0 && !m.Done()) || (m.opt.Until > 0 && next <= m.opt.Until) {
		m.eng.At(next, t, nil)
	}
}

type warmupEnd Model

func (w *warmupEnd) Fire(any) {
	m := (*Model)(w)
	now := m.eng.Now()
	m.since = now
	for _, s := range m.services {
		s.restart(now)
	}
	for _, w := range m.workloads {
		w.restart()
	}
	for _, e := range m.edges {
		e.restart()
	}
	for _, p := range m.pairs {
		p.restart()
	}
	if m.zones != nil {
		m.zones.restart()
	}
	for _, s := range m.services {
		if s.cache != nil {
			s.cache.restart()
		}
		if s.db != nil {
			s.db.restart()
		}
		if s.scaler != nil {
			s.scaler.restart(now)
		}
		if s.queue != nil {
			s.queue.restart()
		}
	}
}

// Done reports whether every workload has sent its last request and had its
// reply. Open-loop workloads without a limit are never done.
func (m *Model) Done() bool {
	for _, w := range m.workloads {
		if !w.finished || w.inFlight > 0 {
			return false
		}
	}
	return true
}

// Engine is the engine the model runs on.
func (m *Model) Engine() *sim.Engine { return m.eng }

// Result is a snapshot of every metric at the engine's current time, as
// plain values: safe to keep, print or hand to another goroutine.
type Result struct {
	Now       sim.Time
	Measured  sim.Time // the span statistics cover: after warm-up, until Now
	Workloads []WorkloadResult
	Services  []ServiceResult
	SLOs      []SLOResult    // in Topology order
	Windows   []WindowResult // in Options.Windows order
	Faults    []FaultRecord  // every fault injected so far, in injection order
	Edges     []EdgeResult   // call sites under a policy: services' steps in file order, then workloads
	Calls     []CallResult   // every caller -> service pair, policy or not
	Zones     []ZoneResult   // declared zones, in order; nil without zones
	CrossZone CrossZoneResult
}

// SLOResult is the state of one SLO's error budget at Result time.
type SLOResult struct {
	Name              string
	Workload, Service string
	Threshold         sim.Time
	Scale             float64 // real seconds one simulated second stands for (slo.Spec.Scale; 1 = real time)
	slo.Status
	Rules       []slo.Rule    // the alert rules; Alerts refer to them by index
	Alerts      []slo.Event   // every alert transition, in time order
	Warnings    []slo.Warning // windows with too few events to mean much
	Attribution []Attribution // per fault that started: the budget it alone burned
	Shared      []SharedBurn  // budget burned while several faults on the SLO's path were active at once
}

// Attribution is the part of an SLO's budget one fault burned: the bad
// events while it was the only fault on the SLO's call path that was
// active. A fault outside the path (it cannot reach the SLO's component:
// another service, a call the SLO's requests never make) is listed with
// Outside and charged nothing; time when several faults on the path were
// active at once is in SLOResult.Shared, not counted for each of them.
type Attribution struct {
	Fault      int    // FaultRecord.ID
	Name       string // FaultRecord.Name
	Start, End sim.Time
	Outside    bool    // not on the SLO's call path
	Bad        int64   // bad events while it alone was active on the path
	Budget     float64 // Bad as a fraction of the SLO's budget at Result time
}

// SharedBurn is the budget burned while a set of faults on the SLO's path
// were active together: the cause cannot be told apart.
type SharedBurn struct {
	Faults []int    // FaultRecord.IDs, in start order
	Names  []string // their names
	Bad    int64
	Budget float64
}

// WindowResult is what one component saw during a WindowSpec's span (cut
// at Result time when the window has not closed yet).
type WindowResult struct {
	WindowSpec
	Counts
	Goodput float64 // OK replies per second of the window
	Latency Latency // OK replies, seconds
}

// FaultRecord is one injected fault and what became of it.
type FaultRecord struct {
	ID     int
	Name   string
	Verb   Verb
	Target string   // readable: "db", "api->db", "api[0,1]", "{gateway} | {db}"
	Start  sim.Time // when it took effect; for a conditional fault, when the condition held
	End    sim.Time // when it was reverted; 0 while it is active or pending
	State  FaultState
	Deploy *DeployState // a deploy: its rollout's phase and waves
}

// FaultState is where a fault is in its life.
type FaultState int

const (
	FaultPending FaultState = iota // not yet started (a future start, or its When not yet true)
	FaultActive
	FaultEnded
)

func (s FaultState) String() string {
	switch s {
	case FaultActive:
		return "active"
	case FaultEnded:
		return "ended"
	}
	return "pending"
}

// WorkloadResult is what a workload's users saw.
type WorkloadResult struct {
	Name string
	Counts
	Throughput float64 // replies per second, any outcome
	Goodput    float64 // OK replies per second
	Latency    Latency // OK replies, seconds
	InFlight   int64
	Series     []Point
}

// ServiceResult is a service's view: from arrival at the service to the end
// of its operation, downstream calls included.
type ServiceResult struct {
	Name               string
	Instances, Workers int // Workers 0 = unlimited
	Counts
	Late         int64   // completions whose caller had already given up
	Refused      int64   // errors at the door, never admitted: crashed instance, injected errors
	Throughput   float64 // completions per second, any outcome
	Goodput      float64
	Latency      Latency // OK completions, seconds
	Utilization  float64 // busy workers / workers of the instances up (ready, if autoscaled), time-averaged; NaN when unlimited
	MeanBusy     float64
	MeanQueue    float64
	PeakQueue    int64
	MeanInFlight float64
	InFlight     int64
	Little       Little
	Series       []Point

	Shed    ShedCauses // Counts.Shed by mechanism
	Expired int64      // dropped because the caller's deadline had passed (in Counts.Timeout)
	// Retried are arrivals that were retries or hedges; Amplification is
	// arrivals per first attempt.
	Retried       int64
	Amplification float64
	Ejected       int // instances ejected by outlier detection now
	Ejections     []EjectionEvent
	Cache         *CacheResult    // caches only
	Database      *DatabaseResult // databases only
	Queue         *QueueResult    // queues only
	Sagas         SagaStats       // sagas its operations ran

	Autoscale *AutoscaleResult // autoscaled services only
}

// Little compares both sides of Little's law, L = λW, at a service: the
// time-average number in the service against the admission rate times the
// mean time in it. They agree up to the requests in flight at the edges of
// the measured span, so a large gap means a bookkeeping bug.
type Little struct {
	L       float64 `json:"l"`
	LambdaW float64 `json:"lambda_w"`
}

// RelErr is |L - λW| / λW (0 when both are 0).
func (l Little) RelErr() float64 {
	if l.LambdaW == 0 {
		if l.L == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(l.L-l.LambdaW) / l.LambdaW
}

// Result snapshots the model; withSeries copies the time series too.
func (m *Model) Result(withSeries bool) Result {
	now := m.eng.Now()
	span := now - m.since
	sec := span.Seconds()
	rate := func(n int64) float64 {
		if sec <= 0 {
			return 0
		}
		return float64(n) / sec
	}
	r := Result{Now: now, Measured: span}
	if m.zones != nil {
		r.Zones, r.CrossZone = m.zones.result(withSeries)
	}
	for _, t := range m.slos {
		r.SLOs = append(r.SLOs, t.result(now))
	}
	for _, w := range m.windows {
		r.Windows = append(r.Windows, w.result(now))
	}
	for _, f := range m.faults {
		r.Faults = append(r.Faults, f.record())
	}
	for _, e := range m.edges {
		r.Edges = append(r.Edges, e.result(now, withSeries))
	}
	for _, p := range m.pairs {
		r.Calls = append(r.Calls, p.result(now, withSeries))
	}
	for _, w := range m.workloads {
		c := w.counts()
		wr := WorkloadResult{Name: w.spec.Name, Counts: c, Throughput: rate(c.Completed()), Goodput: rate(c.OK),
			Latency: summarize(w.latency), InFlight: w.inFlight}
		if withSeries {
			wr.Series = w.series.Slice()
		}
		r.Workloads = append(r.Workloads, wr)
	}
	for _, s := range m.services {
		c := s.counts()
		done := s.departed
		sr := ServiceResult{Name: s.spec.Name, Instances: len(s.insts), Workers: s.workers, Counts: c,
			Late: s.late, Refused: s.refused, Throughput: rate(c.Completed()), Goodput: rate(c.OK), Latency: summarize(s.latency),
			MeanBusy: s.busy.Mean(now), MeanQueue: s.queued.Mean(now), PeakQueue: s.queued.Peak(),
			MeanInFlight: s.inFlight.Mean(now), InFlight: s.inFlight.Value(), Utilization: math.NaN()}
		if s.workers > 0 {
			// Of the workers of the instances up: a crashed one has none.
			sr.Utilization = sr.MeanBusy / (float64(s.workers) * (float64(len(s.insts)) - s.down.Mean(now)))
		}
		if s.scaler != nil {
			// Of the workers of the instances ready, not of the parked ones.
			sr.Autoscale = s.scaler.result(now)
			sr.Utilization = sr.MeanBusy / (float64(s.workers) * sr.Autoscale.MeanReady)
		}
		sr.Little.L = sr.MeanInFlight
		if done > 0 {
			w := s.sojourn / float64(done) / float64(sim.Second)
			sr.Little.LambdaW = rate(c.Arrivals-c.Rejected-s.refused-s.turned) * w
		}
		if withSeries {
			sr.Series = s.series.Slice()
		}
		sr.Shed, sr.Expired, sr.Retried = s.shedBy, s.expired, s.retried
		if s.cache != nil {
			sr.Cache = s.cache.result()
		}
		if s.db != nil {
			sr.Database = s.db.result(now)
		}
		if s.queue != nil {
			sr.Queue = s.queue.result(now)
		}
		sr.Sagas = s.sagas
		sr.Amplification = math.NaN()
		if first := c.Arrivals - s.retried; first > 0 {
			sr.Amplification = float64(c.Arrivals) / float64(first)
		}
		if s.ejector != nil {
			sr.Ejected = s.ejector.EjectedCount(now)
			s.collectEjections()
			sr.Ejections = append([]EjectionEvent(nil), s.ejEvents...)
		}
		r.Services = append(r.Services, sr)
	}
	return r
}

// fail stops the run with err: the first error wins, and the engine stops
// after the event being handled.
func (m *Model) fail(err error) {
	if m.err == nil {
		m.err = err
	}
	m.eng.Stop()
}

// Err is why the run stopped before its end, or nil: a workload's rate
// function gave a value that is not a rate. Finished reports true then.
func (m *Model) Err() error { return m.err }

// Finished reports whether the run is over: Until reached, (without an
// Until) every workload done, or stopped by an error (Err).
func (m *Model) Finished() bool {
	if m.err != nil {
		return true
	}
	if m.opt.Until > 0 {
		return m.eng.Now() >= m.opt.Until
	}
	return m.Done() || m.eng.NextAt() == sim.Forever
}

// Advance runs at most d more simulated time, never past the end of the
// run, and reports whether the run is finished. Callers drive long runs in
// slices this way to show progress and to stop cleanly on an interrupt.
func (m *Model) Advance(d sim.Time) bool {
	return m.AdvanceN(d, math.MaxUint64)
}

// AdvanceN is Advance firing at most n events, so that a caller checking
// for an interrupt between calls regains control after bounded work even
// when simulated time hardly moves (a rate of 1e12/s, a loop of zero-delay
// calls). When the budget runs out first the clock stays at the last event.
func (m *Model) AdvanceN(d sim.Time, n uint64) bool {
	until := m.eng.Now() + d
	if m.opt.Until > 0 && until > m.opt.Until {
		until = m.opt.Until
	}
	m.eng.RunUntilN(until, n)
	return m.Finished()
}

// End is when the run ends, or 0 when it ends with its workloads.
func (m *Model) End() sim.Time { return m.opt.Until }

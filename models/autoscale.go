package models

import (
	"fmt"
	"math"

	"cascade/models/policy"
	"cascade/sim"
)

// ScaleMetric is what an autoscaler tracks, per ready instance.
type ScaleMetric int

const (
	ScaleUtilization ScaleMetric = iota // busy workers / workers, 0..1
	ScaleQueue                          // requests waiting
	ScaleRPS                            // arrivals per second
)

func (k ScaleMetric) String() string {
	switch k {
	case ScaleQueue:
		return "queue"
	case ScaleRPS:
		return "rps"
	}
	return "utilization"
}

// AutoscaleSpec makes a service's instance count follow its load by
// target tracking (policy.TargetTracking). The service is built with Max
// instances; those beyond the capacity are parked out of rotation. Every
// Period the autoscaler reads Metric averaged over the period per ready
// instance and decides a capacity. A new instance joins after Provision
// (the cold start: booting, pulling the image, passing readiness), then
// works Cold times slower for Warmup (an empty cache, a JIT not warm). A
// removed instance leaves rotation at once and finishes what it holds.
type AutoscaleSpec struct {
	Metric                  ScaleMetric
	Target                  float64
	Min, Max, Initial       int // Initial 0: Min
	Period                  sim.Time
	OutCooldown, InCooldown sim.Time
	Provision               sim.Time
	Warmup                  sim.Time
	Cold                    float64 // 0 or 1: no warm-up effect
}

// ScaleEvent is one scaling decision.
type ScaleEvent struct {
	At       sim.Time
	From, To int     // capacity (ready + provisioning)
	Metric   float64 // the per-instance metric that drove it
}

// AutoscaleResult is an autoscaled service's instances and decisions.
type AutoscaleResult struct {
	Metric              string
	Target              float64
	Min, Max            int
	Ready, Provisioning int          // now
	MeanReady           float64      // time-average ready instances since the warm-up
	ScaleOuts, ScaleIns int64        // decisions since the warm-up
	Events              []ScaleEvent // every decision of the run, the first maxTransitions
}

const (
	parked uint8 = iota
	provisioning
	ready
)

// scaler runs a service's autoscaling.
type scaler struct {
	s      *Service
	spec   AutoscaleSpec
	tt     *policy.TargetTracking
	state  []uint8
	gen    []uint32   // bumped when a provisioning instance is cancelled
	warmTo []sim.Time // cold until then
	ready  sim.Level  // ready instances over the whole run, for the metric
	since  sim.Level  // the same, restarted at the end of warm-up, for the result

	lastAt                     sim.Time
	lastBusy, lastQueue, lastR float64
	lastArrivals               int64

	outs, ins int64
	events    []ScaleEvent
}

type (
	scaleTick scaler
	scaleUp   scaler // arg: instance index << 32 | generation
	scaleWarm scaler // arg: instance index
)

func newScaler(s *Service, spec AutoscaleSpec) (*scaler, error) {
	if len(s.insts) != spec.Max {
		return nil, fmt.Errorf("autoscale %q: built with %d instances, max is %d", s.spec.Name, len(s.insts), spec.Max)
	}
	tt, err := policy.NewTargetTracking(spec.Target, spec.Min, spec.Max, spec.OutCooldown, spec.InCooldown)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", s.spec.Name, err)
	}
	if spec.Period <= 0 {
		return nil, fmt.Errorf("autoscale %q: the metric period must be > 0", s.spec.Name)
	}
	if spec.Metric == ScaleUtilization && s.workers == 0 {
		return nil, fmt.Errorf("autoscale %q: utilization needs a worker count (workers: unlimited has none)", s.spec.Name)
	}
	n := len(s.insts)
	sc := &scaler{s: s, spec: spec, tt: tt, state: make([]uint8, n), gen: make([]uint32, n), warmTo: make([]sim.Time, n)}
	initial := spec.Initial
	if initial == 0 {
		initial = spec.Min
	}
	initial = min(max(initial, spec.Min), spec.Max)
	for i, in := range s.insts {
		if i < initial {
			sc.state[i] = ready
		} else {
			in.out++ // parked
		}
	}
	sc.ready.Add(0, int64(initial))
	sc.since.Add(0, int64(initial))
	return sc, nil
}

func (sc *scaler) start() {
	sc.s.m.eng.After(sc.spec.Period, (*scaleTick)(sc), nil)
}

func (sc *scaler) count(st uint8) int {
	n := 0
	for _, x := range sc.state {
		if x == st {
			n++
		}
	}
	return n
}

// metric is the per-ready-instance average over the period just ended,
// NaN when it cannot be read (no ready instance-time, or the warm-up
// restarted the counters during it).
func (sc *scaler) metric(now sim.Time) float64 {
	s := sc.s
	b, q, r := s.busy.Area(now), s.queued.Area(now), sc.ready.Area(now)
	arr := s.arrivals
	db, dq, dr, da := b-sc.lastBusy, q-sc.lastQueue, r-sc.lastR, arr-sc.lastArrivals
	sc.lastBusy, sc.lastQueue, sc.lastR, sc.lastArrivals, sc.lastAt = b, q, r, arr, now
	if dr <= 0 || db < 0 || dq < 0 || da < 0 {
		return math.NaN()
	}
	switch sc.spec.Metric {
	case ScaleQueue:
		return dq / dr
	case ScaleRPS:
		return float64(da) / dr // areas are in value-seconds
	}
	return db / (dr * float64(s.workers))
}

func (t *scaleTick) Fire(any) {
	sc := (*scaler)(t)
	m := sc.s.m
	now := m.eng.Now()
	x := sc.metric(now)
	rd, prov := sc.count(ready), sc.count(provisioning)
	capacity := rd + prov
	want := sc.tt.Decide(now, capacity, rd, x)
	if want != capacity {
		if m.measuring() {
			if want > capacity {
				sc.outs++
			} else {
				sc.ins++
			}
		}
		if len(sc.events) < maxTransitions {
			sc.events = append(sc.events, ScaleEvent{At: now, From: capacity, To: want, Metric: x})
		}
		sc.resize(now, capacity, want)
	}
	m.eng.After(sc.spec.Period, t, nil)
}

// resize provisions parked instances (lowest index first) or removes
// instances: provisioning ones first (newest first), then ready ones
// (highest index first).
func (sc *scaler) resize(now sim.Time, from, to int) {
	s := sc.s
	for ; from < to; from++ {
		for i, st := range sc.state {
			if st == parked {
				sc.state[i] = provisioning
				s.m.eng.After(sc.spec.Provision, (*scaleUp)(sc), uint64(i)<<32|uint64(sc.gen[i]))
				break
			}
		}
	}
	for ; from > to; from-- {
		i := sc.last(provisioning)
		if i >= 0 {
			sc.state[i] = parked
			sc.gen[i]++ // its pending scaleUp is void
			continue
		}
		if i = sc.last(ready); i < 0 {
			return
		}
		sc.state[i] = parked
		s.insts[i].out++
		sc.ready.Add(now, -1)
		sc.since.Add(now, -1)
	}
}

func (sc *scaler) last(st uint8) int {
	for i := len(sc.state) - 1; i >= 0; i-- {
		if sc.state[i] == st {
			return i
		}
	}
	return -1
}

// Fire is a provisioned instance joining, cold.
func (u *scaleUp) Fire(arg any) {
	sc := (*scaler)(u)
	v := arg.(uint64)
	i, g := int(v>>32), uint32(v)
	if sc.state[i] != provisioning || sc.gen[i] != g {
		return // cancelled by a scale-in meanwhile
	}
	now := sc.s.m.eng.Now()
	sc.state[i] = ready
	in := sc.s.insts[i]
	in.out--
	sc.ready.Add(now, 1)
	sc.since.Add(now, 1)
	if sc.spec.Warmup > 0 && sc.spec.Cold > 1 {
		sc.warmTo[i] = now + sc.spec.Warmup
		sc.s.m.eng.After(sc.spec.Warmup, (*scaleWarm)(sc), i)
	}
	sc.s.m.recomputeSlow(sc.s, in)
}

func (w *scaleWarm) Fire(arg any) {
	sc := (*scaler)(w)
	i := arg.(int)
	if sc.s.m.eng.Now() >= sc.warmTo[i] {
		sc.s.m.recomputeSlow(sc.s, sc.s.insts[i])
	}
}

// factor is the cold start's work multiplier on instance i.
func (sc *scaler) factor(i int, now sim.Time) float64 {
	if now < sc.warmTo[i] {
		return sc.spec.Cold
	}
	return 1
}

func (sc *scaler) restart(now sim.Time) {
	sc.outs, sc.ins = 0, 0
	sc.since.Restart(now)
	// The service's levels restarted: their areas start again from 0.
	sc.lastBusy, sc.lastQueue, sc.lastArrivals, sc.lastR = 0, 0, sc.s.arrivals, sc.ready.Area(now)
}

func (sc *scaler) result(now sim.Time) *AutoscaleResult {
	return &AutoscaleResult{Metric: sc.spec.Metric.String(), Target: sc.spec.Target, Min: sc.spec.Min, Max: sc.spec.Max,
		Ready: sc.count(ready), Provisioning: sc.count(provisioning), MeanReady: sc.since.Mean(now),
		ScaleOuts: sc.outs, ScaleIns: sc.ins, Events: append([]ScaleEvent(nil), sc.events...)}
}

package models

import (
	"fmt"
	"math"

	"cascade/models/policy"
	"cascade/sim"
)

// DeploySpec is a FaultDeploy's rollout: a rolling restart of a service
// onto a new version in waves, as a Kubernetes Deployment or a progressive
// delivery tool (Argo Rollouts, Flagger, Spinnaker) does it.
//
// A wave takes Batch instances out of rotation (the balancer stops sending
// them requests; what they hold finishes), restarts them for Startup, and
// puts them back on the new version, cold: their work takes Cold times
// longer for Warmup. Once the whole wave is back the rollout bakes for
// Pause, then checks the service's error rate over the bake: above
// MaxErrorRate the check fails, and the rollout rolls the updated
// instances back (in waves, unchecked) or, without Rollback, halts where
// it is. A bad version fails BadErrors of the requests its instances get,
// or works BadSlow times slower.
type DeploySpec struct {
	Batch        int      // instances per wave; 0: BatchShare, else 1
	BatchShare   float64  // or a share of the instances, rounded up, in (0, 1]
	Pause        sim.Time // bake after each wave, before its check
	Startup      sim.Time // out of rotation while restarting
	Warmup       sim.Time // then cold this long
	Cold         float64  // work multiplier while cold; 0 or 1: no warm-up effect
	BadErrors    float64  // the new version fails this share of requests at once
	BadSlow      float64  // the new version's work multiplier; 0 or 1: as fast
	MaxErrorRate float64  // the check; 0: no check, every wave passes
	Rollback     bool     // a failed check rolls back; otherwise it halts
}

// DefaultDeploy is the rollout of a deploy given without settings (the
// terminal UI's palette): one instance at a time, 5 s out of rotation,
// 30 s bake, no check.
func DefaultDeploy() DeploySpec {
	return DeploySpec{Batch: 1, Pause: 30 * sim.Second, Startup: 5 * sim.Second}
}

// DeployState is where a deploy is, for the fault timeline.
type DeployState struct {
	Phase     string // policy.RolloutPhase: pending, updating, baking, done, halted, rolling_back, rolled_back
	Instances int
	Updated   int     // instances on the new version, or restarting onto it
	Check     float64 // the error share a bake may reach; 0: no check
	Waves     []DeployWave
}

// DeployWave is one wave of a deploy.
type DeployWave struct {
	Start, Up sim.Time // taken out of rotation; all back in (0 while restarting)
	Lo, Hi    int      // instances [Lo, Hi)
	Rollback  bool     // restarting them on the old version
	Checked   bool     // the check after its bake has run
	ErrorRate float64  // the service's error share over the bake (NaN: no replies)
	Healthy   bool
}

// deployment is a running FaultDeploy.
type deployment struct {
	x      *injected
	spec   DeploySpec
	ro     *policy.Rollout
	newVer []bool     // by instance index: runs the new version
	warmTo []sim.Time // by instance index: cold until then
	left   int        // instances of the wave still restarting
	toNew  bool       // the wave in progress restarts onto the new version
	halted bool       // the fault ended: no more waves
	ended  bool       // ... because the rollout did (not cleared)
	ok0    int64      // the service's OK and all outcomes at the start of the bake
	all0   int64
	waves  []DeployWave
}

// The events of a deployment.
type (
	deployUp    deployment // arg: instance index
	deployWarm  deployment // arg: instance index
	deployCheck deployment
)

func newDeployment(x *injected) (*deployment, error) {
	spec := DefaultDeploy()
	if x.f.Deploy != nil {
		spec = *x.f.Deploy
	}
	n := len(x.svc.insts)
	batch := spec.Batch
	if batch <= 0 && spec.BatchShare > 0 {
		batch = int(math.Ceil(spec.BatchShare*float64(n) - 1e-9))
	}
	ro, err := policy.NewRollout(n, max(batch, 1), spec.Rollback)
	if err != nil {
		return nil, fmt.Errorf("deploy: %v", err)
	}
	if spec.BadErrors < 0 || spec.BadErrors > 1 || spec.MaxErrorRate < 0 || spec.MaxErrorRate > 1 {
		return nil, fmt.Errorf("deploy: error shares must be in [0, 1]")
	}
	if spec.Cold < 0 || spec.BadSlow < 0 {
		return nil, fmt.Errorf("deploy: factors must be > 0")
	}
	x.f.P = spec.BadErrors // what failFast draws against on the new version's instances
	return &deployment{x: x, spec: spec, ro: ro, newVer: make([]bool, n), warmTo: make([]sim.Time, n)}, nil
}

func (d *deployment) start() {
	lo, hi, err := d.ro.Start()
	if err != nil {
		d.x.note = err.Error()
		return
	}
	d.wave(lo, hi, true)
}

// wave takes instances [lo, hi) out of rotation to restart them.
func (d *deployment) wave(lo, hi int, toNew bool) {
	m := d.x.m
	d.toNew, d.left = toNew, hi-lo
	d.waves = append(d.waves, DeployWave{Start: m.eng.Now(), Lo: lo, Hi: hi, Rollback: !toNew, ErrorRate: math.NaN()})
	for i := lo; i < hi; i++ {
		d.x.svc.insts[i].out++
		m.eng.After(d.spec.Startup, (*deployUp)(d), i)
	}
}

// Fire is instance i back in rotation on the wave's version, cold.
func (u *deployUp) Fire(arg any) {
	d := (*deployment)(u)
	s, now := d.x.svc, d.x.m.eng.Now()
	i := arg.(int)
	in := s.insts[i]
	in.out--
	d.newVer[i] = d.toNew
	in.errs = without(in.errs, d.x)
	if d.toNew && d.spec.BadErrors > 0 {
		in.errs = append(in.errs, d.x)
	}
	if d.spec.Warmup > 0 {
		d.warmTo[i] = now + d.spec.Warmup
		d.x.m.eng.After(d.spec.Warmup, (*deployWarm)(d), i)
	}
	s.m.recomputeSlow(s, in)
	if d.left--; d.left > 0 {
		return
	}
	d.waves[len(d.waves)-1].Up = now
	lo, hi, more, err := d.ro.Up()
	switch {
	case err != nil:
		d.x.note = err.Error()
	case more && !d.halted:
		d.wave(lo, hi, false)
	case d.ro.Phase() == policy.RolloutBaking && !d.halted:
		d.ok0, d.all0 = s.outcomes[OK], d.replies()
		d.x.m.eng.After(d.spec.Pause, (*deployCheck)(d), nil)
	case d.ro.Phase() == policy.RolloutRolledBack:
		d.finish()
	}
}

func (d *deployment) replies() int64 {
	var n int64
	for _, c := range d.x.svc.outcomes {
		n += c
	}
	return n
}

// Fire is the end of instance i's warm-up, unless a later restart began
// a new one.
func (w *deployWarm) Fire(arg any) {
	d := (*deployment)(w)
	i := arg.(int)
	if d.x.m.eng.Now() >= d.warmTo[i] {
		d.x.m.recomputeSlow(d.x.svc, d.x.svc.insts[i])
	}
}

// Fire is the check after a wave's bake: the service's share of replies
// that were not OK since the bake began.
func (c *deployCheck) Fire(any) {
	d := (*deployment)(c)
	if d.halted {
		return
	}
	ok, all := d.x.svc.outcomes[OK]-d.ok0, d.replies()-d.all0
	if all < 0 || ok < 0 { // the warm-up ended during the bake and reset the counters
		ok, all = d.x.svc.outcomes[OK], d.replies()
	}
	rate := math.NaN()
	if all > 0 {
		rate = 1 - float64(ok)/float64(all)
	}
	healthy := d.spec.MaxErrorRate == 0 || !(rate > d.spec.MaxErrorRate)
	w := &d.waves[len(d.waves)-1]
	w.Checked, w.ErrorRate, w.Healthy = true, rate, healthy
	lo, hi, more, err := d.ro.Checked(healthy)
	switch {
	case err != nil:
		d.x.note = err.Error()
	case more:
		d.wave(lo, hi, d.ro.Phase() == policy.RolloutUpdating)
	default:
		d.finish()
	}
}

// finish ends the fault: the rollout is done, halted or rolled back. What
// it deployed stays deployed.
func (d *deployment) finish() {
	d.ended = true
	if d.x.state == FaultActive {
		d.x.m.eng.Cancel(d.x.timer)
		d.x.stop()
	}
}

// factor is what the deploy does to instance i's work: a slow new
// version, a cold start.
func (d *deployment) factor(i int, now sim.Time) float64 {
	k := 1.0
	if d.newVer[i] && d.spec.BadSlow > 0 {
		k *= d.spec.BadSlow
	}
	if now < d.warmTo[i] && d.spec.Cold > 0 {
		k *= d.spec.Cold
	}
	return k
}

func (d *deployment) state() *DeployState {
	st := &DeployState{Phase: d.ro.Phase().String(), Instances: d.ro.Instances, Updated: d.ro.Updated(), Check: d.spec.MaxErrorRate}
	if d.halted && !d.ended {
		st.Phase = "cleared while " + st.Phase
	}
	st.Waves = append(st.Waves, d.waves...)
	return st
}

// recomputeSlow sets an instance's work multiplier from every slow fault
// active on it and every deploy that touched it: recomputed rather than
// divided, so factors never drift.
func (m *Model) recomputeSlow(s *Service, in *instance) {
	now := m.eng.Now()
	in.slow = 1
	for _, f := range m.faults {
		switch {
		case f.state == FaultActive && f.f.Verb == FaultSlow && f.svc == s && f.hits(in):
			in.slow *= f.f.Factor
		case f.dep != nil && f.svc == s:
			in.slow *= f.dep.factor(in.idx, now)
		}
	}
	if s.scaler != nil {
		in.slow *= s.scaler.factor(in.idx, now)
	}
}

// inRotation is the instance to use instead of in, which a deploy or the
// autoscaler took out of rotation: the instances in rotation take turns
// (round robin of their own, so that the ones after a gap do not get its
// share), or in itself when every instance is out (the request is
// refused).
func (s *Service) inRotation(in *instance) *instance {
	n := len(s.insts)
	for k := 0; k < n; k++ {
		s.rot = (s.rot + 1) % n
		if c := s.insts[s.rot]; c.out == 0 {
			return c
		}
	}
	return in
}

package policy

import (
	"fmt"
	"math"

	"cascade/sim"
)

// TargetTracking is a target-tracking scaling policy (AWS Application
// Auto Scaling, EC2 target tracking; the Kubernetes HPA's formula): keep
// a per-instance metric at Target by running
//
//	desired = ceil(ready · metric / Target)
//
// instances, clamped to [Min, Max], where metric is the per-instance
// average over the last metric period and ready the instances serving.
//
// Cooldowns, as AWS documents them: after a scale-out no further
// scale-out for OutCooldown (the new capacity has not shown in the metric
// yet); after any scaling activity no scale-in for InCooldown. A
// scale-out is never blocked by the scale-in cooldown. The Kubernetes HPA
// calls the scale-in one the downscale stabilization window.
//
// It is told the current capacity (ready plus provisioning, what has been
// asked for) and decides the new one; the caller provisions or removes
// instances.
type TargetTracking struct {
	Target                  float64
	Min, Max                int
	OutCooldown, InCooldown sim.Time

	outAt, anyAt sim.Time // the last scale-out, the last scaling of either kind
	out, acted   bool     // there has been one
}

// NewTargetTracking checks the policy.
func NewTargetTracking(target float64, lo, hi int, out, in sim.Time) (*TargetTracking, error) {
	switch {
	case !(target > 0) || math.IsInf(target, 0):
		return nil, fmt.Errorf("autoscale: target %v must be > 0", target)
	case lo < 1 || hi < lo:
		return nil, fmt.Errorf("autoscale: min %d, max %d: need 1 <= min <= max", lo, hi)
	case out < 0 || in < 0:
		return nil, fmt.Errorf("autoscale: negative cooldown")
	}
	return &TargetTracking{Target: target, Min: lo, Max: hi, OutCooldown: out, InCooldown: in}, nil
}

// Decide is one evaluation at now: capacity is what runs or is
// provisioning, ready what serves, metric the per-ready-instance average
// (NaN: no data, no decision). It returns the capacity to have; equal to
// capacity means no change.
func (a *TargetTracking) Decide(now sim.Time, capacity, ready int, metric float64) int {
	if math.IsNaN(metric) || ready < 1 {
		// Nothing serving: at least the minimum.
		if capacity < a.Min {
			return a.scaled(now, capacity, a.Min)
		}
		return capacity
	}
	want := int(math.Ceil(float64(ready)*metric/a.Target - 1e-9))
	want = min(max(want, a.Min), a.Max)
	switch {
	case want > capacity:
		if a.out && now-a.outAt < a.OutCooldown {
			return capacity
		}
		return a.scaled(now, capacity, want)
	case want < capacity:
		if a.acted && now-a.anyAt < a.InCooldown {
			return capacity
		}
		return a.scaled(now, capacity, want)
	}
	return capacity
}

func (a *TargetTracking) scaled(now sim.Time, from, to int) int {
	if to > from {
		a.outAt, a.out = now, true
	}
	a.anyAt, a.acted = now, true
	return to
}

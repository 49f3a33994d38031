package scenarios

import (
	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/sim"
)

var autoscaleKeys = []string{"metric", "target", "min", "max", "initial", "period", "scale_out_cooldown", "scale_in_cooldown", "provision", "warmup", "cold"}

// decodeAutoscale reads services.NAME.autoscale: target tracking on one
// metric. The service is built with max instances; instances: is an error.
// Defaults follow AWS target tracking: a 60 s metric period, 300 s
// cooldowns both ways.
func (l *loader) decodeAutoscale(s *serviceInfo, key, n *yaml.Node, svcPath string, fields []field) {
	path := join(svcPath, "autoscale")
	if s.spec.Database != nil || s.spec.Cache != nil || s.spec.Topic != nil {
		l.errorf(key, path, "autoscale the stateless services in front of it", "autoscale: does not apply to a database, cache or topic")
		return
	}
	as, ok := l.mapping(n, path, "autoscaling such as {metric: utilization, target: 60%, min: 2, max: 20}", autoscaleKeys)
	if !ok {
		return
	}
	a := &models.AutoscaleSpec{Period: sim.Minute, OutCooldown: 5 * sim.Minute, InCooldown: 5 * sim.Minute}
	var targetNode, maxNode *yaml.Node
	for _, f := range as {
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "metric":
			if i, eok := l.enum(f.val, k, []string{"utilization", "queue", "rps"}); eok {
				a.Metric = models.ScaleMetric(i)
			}
		case "target":
			targetNode = f.val
		case "min":
			v, _ := l.integer(f.val, k, 1, 10000)
			a.Min = int(v)
		case "max":
			maxNode = f.val
			v, _ := l.integer(f.val, k, 1, 10000)
			a.Max = int(v)
		case "initial":
			v, _ := l.integer(f.val, k, 1, 10000)
			a.Initial = int(v)
		case "period":
			a.Period, _ = l.positiveDuration(f.val, k)
		case "scale_out_cooldown":
			a.OutCooldown, _ = l.duration(f.val, k)
		case "scale_in_cooldown":
			a.InCooldown, _ = l.duration(f.val, k)
		case "provision":
			a.Provision, _ = l.duration(f.val, k)
		case "warmup":
			a.Warmup, _ = l.positiveDuration(f.val, k)
			if a.Cold == 0 {
				a.Cold = 2
			}
		case "cold":
			a.Cold, _ = l.factor(f.val, k)
		}
	}
	switch {
	case targetNode == nil:
		l.errorf(n, path, "e.g. target: 60% (utilization), 10 (queue) or 50 (rps per instance)", "missing target:")
	case a.Metric == models.ScaleUtilization:
		a.Target, _ = l.probability(targetNode, join(path, "target"))
	default:
		a.Target, _ = l.number(targetNode, join(path, "target"), 0, 1e9)
	}
	if targetNode != nil && a.Target == 0 {
		l.errorf(targetNode, join(path, "target"), "", "target must be > 0")
	}
	if a.Min == 0 {
		a.Min = 1
	}
	if maxNode == nil {
		l.errorf(n, path, "e.g. max: 20", "missing max:")
	} else if a.Max < a.Min {
		l.errorf(maxNode, join(path, "max"), "", "max %d is below min %d", a.Max, a.Min)
	}
	if a.Initial > a.Max && maxNode != nil {
		l.errorf(n, join(path, "initial"), "", "initial %d is above max %d", a.Initial, a.Max)
	}
	for _, f := range fields {
		if f.key.Value == "instances" {
			l.errorf(f.key, join(svcPath, "instances"), "autoscale: min, max and initial set the instance count", "instances: does not apply to an autoscaled service")
		}
	}
	s.spec.Autoscale = a
	s.spec.Instances = max(a.Max, 1)
}

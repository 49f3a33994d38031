package scenarios

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Scaled is the scenario with k times the traffic on k times the capacity:
// every workload's rate (an open loop) or users (a closed loop) times k,
// and every service k times as large — instances times k, or for a
// database, a cache or a queue (whose instances mean replicas, shards or
// partitions) its workers times k, and for an autoscaled service its min,
// max and initial times k. Each instance then sees the load it saw before,
// so utilization, queueing and the work done per request stay about the
// same: what the simulator's cost per request at scale is measured on.
//
// It goes through Override, as `--set` does, so the result is what a user
// would get by writing the larger numbers in the file. Limits that are not
// per instance (a service-wide rate limit, bulkheads, pools, cache
// capacity) are left as written; a workload whose rate is an expression is
// an error.
func (s *Scenario) Scaled(k int) (*Scenario, error) {
	if k < 1 {
		return nil, fmt.Errorf("scale %d: want k >= 1", k)
	}
	if k == 1 {
		return s, nil
	}
	var ovs []Override
	var err error // the first failure; set does nothing after one
	set := func(path, value string) {
		if err != nil {
			return
		}
		var n *yaml.Node
		if n, err = ValueNode(value); err == nil {
			ovs = append(ovs, Override{Path: path, Value: n, Origin: "scale " + path + "=" + value})
		}
	}
	times := func(n int) string { return strconv.Itoa(n * k) }
	for i, w := range s.topo.Workloads {
		path := "workloads." + w.Name
		switch {
		case s.rates[i] != nil:
			return nil, fmt.Errorf("workload %s: a rate expression cannot be scaled", w.Name)
		case w.Users > 0:
			set(path+".users", times(w.Users))
		default:
			set(path+".rate", strconv.FormatFloat(w.Rate*float64(k), 'g', -1, 64)+"/s")
		}
	}
	for _, svc := range s.topo.Services {
		path := "services." + svc.Name
		switch {
		case svc.Autoscale != nil:
			set(path+".autoscale.min", times(svc.Autoscale.Min))
			set(path+".autoscale.max", times(svc.Autoscale.Max))
			if _, ok := s.Field(path + ".autoscale.initial"); ok {
				set(path+".autoscale.initial", times(svc.Autoscale.Initial))
			}
		case svc.Database != nil || svc.Cache != nil || svc.Topic != nil:
			if svc.Workers > 0 { // 0: unlimited already
				set(path+".workers", times(svc.Workers))
			}
		default:
			set(path+".instances", times(svc.Instances))
		}
	}
	if err != nil {
		return nil, err
	}
	return s.Override(ovs)
}

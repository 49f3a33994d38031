package scenarios

import (
	"fmt"
	"strconv"
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
	set := func(path, value string) error {
		n, err := ValueNode(value)
		if err != nil {
			return err
		}
		ovs = append(ovs, Override{Path: path, Value: n, Origin: "scale " + path + "=" + value})
		return nil
	}
	times := func(n int) string { return strconv.Itoa(n * k) }
	for i, w := range s.topo.Workloads {
		path := "workloads." + w.Name
		var err error
		switch {
		case s.rates[i] != nil:
			err = fmt.Errorf("workload %s: a rate expression cannot be scaled", w.Name)
		case w.Users > 0:
			err = set(path+".users", times(w.Users))
		default:
			err = set(path+".rate", strconv.FormatFloat(w.Rate*float64(k), 'g', -1, 64)+"/s")
		}
		if err != nil {
			return nil, err
		}
	}
	for _, svc := range s.topo.Services {
		path := "services." + svc.Name
		var err error
		switch {
		case svc.Autoscale != nil:
			a := svc.Autoscale
			if err = set(path+".autoscale.min", times(a.Min)); err == nil {
				if err = set(path+".autoscale.max", times(a.Max)); err == nil {
					if _, ok := s.Field(path + ".autoscale.initial"); ok {
						err = set(path+".autoscale.initial", times(a.Initial))
					}
				}
			}
		case svc.Database != nil || svc.Cache != nil || svc.Topic != nil:
			if svc.Workers == 0 {
				continue // unlimited already
			}
			err = set(path+".workers", times(svc.Workers))
		default:
			err = set(path+".instances", times(svc.Instances))
		}
		if err != nil {
			return nil, err
		}
	}
	return s.Override(ovs)
}

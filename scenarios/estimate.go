package scenarios

import (
	"fmt"
	"math"
	"strconv"

	"cascade/models"
	"cascade/sim"
)

// EventLimit is the most events a run may be estimated to take before
// cascade refuses it (unless told --allow-huge): 2e9, about ten minutes of
// CPU at the 3 to 4 million events/s shop runs at on a shared two-core
// machine (more for runs with many components). It is what turns a typo
// such as "rate: 1e300/s" into an error instead of a run that never ends.
const EventLimit = 2e9

// ObjectLimit is the most instances, closed-loop users (with their
// spikes) and clients (see clientWeight) a model may hold before cascade refuses it unless --allow-huge:
// each is allocated when the run starts, a few hundred bytes apiece, so
// "instances: 2000000000" would exhaust memory before the first event.
const ObjectLimit = 1e6

// clientWeight is what one of a workload's clients: counts for against
// ObjectLimit: each keeps its own breaker, retry budget, limiter ... and
// weighs about ten instances (1e6 clients took 2.7 GB and 35 s for ten
// simulated seconds; 1e6 instances 265 MB and 3 s).
const clientWeight = 10

// Estimate is the work a run is expected to take, from the file alone:
// requests (rates, or users over their cycle, times the run's length, with
// spike and ramp faults at their full factor) times the events each
// request causes (one per arrival, reply and work step of every call it
// makes, retries and hedges at their maximum attempts, repeated calls at
// their count), times the replications. It is an order of magnitude, meant
// for the limit and for the progress line, not a prediction.
type Estimate struct {
	Events float64
	// At is the term that contributes most: the position of its rate:,
	// users: or spike/ramp factor, with its path; What says what it is
	// ("1e+300/s for 1m, 4 events per request").
	At    Problem
	What  string
	Share float64 // its part of Events, 0..1

	// Objects is the instances and users the model allocates; ObjectsAt
	// the service or workload with the most, and ObjectsWhat what it is.
	Objects     float64
	ObjectsAt   Problem
	ObjectsWhat string
}

// boundTerm is one workload's or traffic fault's share of the estimate.
type boundTerm struct {
	events float64
	at     Problem
	what   string
}

// Estimate estimates the events of a run to until (0: until every
// workload has sent its requests) of reps replications.
func (s *Scenario) Estimate(until sim.Time, reps int) Estimate {
	var terms []boundTerm
	topo := s.topo
	svcs := make(map[string]*models.ServiceSpec, len(topo.Services))
	for i := range topo.Services {
		svcs[topo.Services[i].Name] = &topo.Services[i]
	}
	T := until.Seconds()
	for i, w := range topo.Workloads {
		per := float64(attempts(w.Policy)) * opEvents(svcs, w.Target, w.Op, 0)
		// rate is the workload's requests per second, peak the highest,
		// for the spikes on top; n the requests of the whole run.
		var rate, peak, n float64
		switch {
		case w.Users > 0:
			cycle := opLatency(svcs, w.Target, w.Op, 0)
			if w.Think != nil {
				cycle += w.Think.Mean()
			}
			if math.IsNaN(cycle) {
				cycle = 0
			}
			rate = float64(w.Users) / max(cycle, 1e-6)
			peak, n = rate, rate*T
		case s.rates[i] != nil:
			sc := s.rates[i].scan(until, w.Limit)
			peak, n = sc.peak, sc.total
			if until == 0 && !sc.fullLength && sc.total < float64(w.Limit) {
				n = float64(w.Limit) // the rest of the requests, later
			}
			rate = peak
		default:
			rate, peak, n = w.Rate, w.Rate, w.Rate*T
		}
		if until == 0 || (w.Limit > 0 && n > float64(w.Limit)) {
			n = float64(w.Limit)
		}
		base := boundTerm{events: n * per, at: s.at.load[i]}
		base.what = fmt.Sprintf("%s requests, %s events each", short(n), short(per))
		terms = append(terms, base)
		for j, f := range topo.Faults {
			if !f.Verb.Traffic() || f.Target.Component != w.Name || f.Factor <= 1 {
				continue
			}
			span := f.Duration.Seconds()
			if f.Duration == 0 || (until > 0 && f.Start+f.Duration > until) {
				span = max(0, (until - f.Start).Seconds())
			}
			extra := peak * (f.Factor - 1) * span
			if w.Limit > 0 {
				extra = min(extra, max(0, float64(w.Limit)-n))
			}
			terms = append(terms, boundTerm{events: extra * per, at: s.at.factor[j],
				what: fmt.Sprintf("%gx on %s/s for %s, %s events per request", f.Factor, short(peak), sim.FromSeconds(span).Duration(), short(per))})
		}
	}
	var e Estimate
	e.Objects, e.ObjectsAt, e.ObjectsWhat = s.objects()
	var top boundTerm
	for _, t := range terms {
		e.Events += t.events
		if t.events > top.events {
			top = t
		}
	}
	e.Events *= float64(max(reps, 1))
	if e.Events > 0 {
		e.At, e.What, e.Share = top.at, top.what, top.events*float64(max(reps, 1))/e.Events
	}
	return e
}

// objects counts the instances and closed-loop users a model allocates
// (see ObjectLimit) and names the service or workload with the most.
func (s *Scenario) objects() (total float64, at Problem, what string) {
	topo := s.topo
	var most float64
	add := func(n float64, where Problem, w string) {
		total += n
		if n > most {
			most, at, what = n, where, w
		}
	}
	for i, svc := range topo.Services {
		n := svc.Instances
		if svc.Autoscale != nil {
			n = max(n, svc.Autoscale.Max)
		}
		add(float64(n), s.at.inst[i], fmt.Sprintf("%d instances", n))
	}
	for i, w := range topo.Workloads {
		if w.Clients > 1 && w.Policy != nil {
			add(clientWeight*float64(w.Clients), s.at.clients[i], fmt.Sprintf("%d clients, each keeping its own policy state (counted %d times)", w.Clients, clientWeight))
		}
		if w.Users == 0 {
			continue
		}
		k := 1.0
		for _, f := range topo.Faults {
			if f.Verb.Traffic() && f.Target.Component == w.Name {
				k = max(k, f.Factor)
			}
		}
		desc := fmt.Sprintf("%d users", w.Users)
		if k > 1 {
			desc += fmt.Sprintf(", %g times that in a spike", k)
		}
		add(float64(w.Users)*k, s.at.load[i], desc)
	}
	return total, at, what
}

// CheckBound is nil when the estimate of a run to until with reps
// replications is within EventLimit and ObjectLimit, and otherwise the
// problem, at the rate, users, spike or instances that contributes most.
func (s *Scenario) CheckBound(until sim.Time, reps int) error {
	e := s.Estimate(until, reps)
	if e.Objects > ObjectLimit {
		p := e.ObjectsAt
		p.Msg = fmt.Sprintf("the model would hold %s instances, users and clients, more than the limit of %s; the most here: %s", short(e.Objects), short(ObjectLimit), e.ObjectsWhat)
		p.Hint = "each is allocated when the run starts; use fewer, or give --allow-huge to run it anyway"
		return Problems{p}
	}
	if !(e.Events > EventLimit) && !math.IsNaN(e.Events) {
		return nil
	}
	p := e.At
	if p.File == "" {
		p = Problem{File: s.Source, Line: 1, Col: 1}
	}
	reps = max(reps, 1)
	runs := ""
	if reps > 1 {
		runs = fmt.Sprintf(" (%d replications)", reps)
	}
	p.Msg = fmt.Sprintf("the run would take about %s events%s, more than the limit of %s; %.0f%% of them from here: %s",
		short(e.Events), runs, short(EventLimit), 100*e.Share, e.What)
	p.Hint = "lower the rate, the factor or the duration, or give --allow-huge to run it anyway"
	return Problems{p}
}

// short prints a count to three significant digits: 4.2e+12, 800, 1.5e+06.
func short(x float64) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// attempts is the most tries a policy makes of one call.
func attempts(p *models.CallPolicy) int {
	n := 1
	if p == nil {
		return n
	}
	if p.Retry != nil {
		n *= max(p.Retry.Attempts, 1)
	}
	if p.Hedge != nil {
		n *= max(p.Hedge.Max, 1)
	}
	return n
}

// maxEstimateDepth bounds the walk of calls (cycles are refused by the
// loader; this only guards a topology built by hand).
const maxEstimateDepth = 32

// findOp is the operation named op of service svc ("" for the first).
func findOp(svcs map[string]*models.ServiceSpec, svc, op string) (*models.ServiceSpec, *models.OpSpec) {
	s := svcs[svc]
	if s == nil {
		return nil, nil
	}
	for i := range s.Ops {
		if op == "" || s.Ops[i].Name == op {
			return s, &s.Ops[i]
		}
	}
	return s, nil
}

// opEvents is the events one call of svc.op causes: its arrival and reply,
// one per work step, and the events of the calls it makes.
func opEvents(svcs map[string]*models.ServiceSpec, svc, op string, depth int) float64 {
	s, o := findOp(svcs, svc, op)
	ev := 2.0
	if depth >= maxEstimateDepth || s == nil {
		return ev
	}
	if s.Topic != nil {
		for _, g := range s.Topic.Groups {
			ev += opEvents(svcs, g.Target, g.Op, depth+1)
		}
	}
	if o == nil {
		return ev + 1 // a cache or database's own work
	}
	return ev + stepsEvents(svcs, o.Steps, depth)
}

func stepsEvents(svcs map[string]*models.ServiceSpec, steps []models.Step, depth int) float64 {
	ev := 0.0
	for i := range steps {
		st := &steps[i]
		switch st.Kind {
		case models.Work:
			ev++
		case models.Call, models.Publish:
			ev += float64(max(st.Repeat, 1)*attempts(st.Policy)) * opEvents(svcs, st.Target, st.Op, depth+1)
		case models.Cache:
			ev += opEvents(svcs, st.Target, "", depth+1) + stepsEvents(svcs, st.Children, depth+1)
		case models.Parallel:
			ev += stepsEvents(svcs, st.Children, depth+1)
		case models.Branch:
			for _, b := range st.Branches {
				ev += b.P * stepsEvents(svcs, b.Steps, depth+1)
			}
		case models.Saga:
			for _, a := range st.Saga {
				ev += stepsEvents(svcs, []models.Step{a.Do}, depth+1)
				if a.Undo != nil {
					ev += stepsEvents(svcs, []models.Step{*a.Undo}, depth+1)
				}
			}
		}
	}
	return ev
}

// opLatency is the mean work of one call of svc.op and the calls it
// makes, in seconds: a closed loop's users cannot send faster than this.
func opLatency(svcs map[string]*models.ServiceSpec, svc, op string, depth int) float64 {
	s, o := findOp(svcs, svc, op)
	if depth >= maxEstimateDepth || s == nil || o == nil {
		return 0
	}
	return stepsLatency(svcs, o.Steps, depth)
}

func stepsLatency(svcs map[string]*models.ServiceSpec, steps []models.Step, depth int) float64 {
	d := 0.0
	for i := range steps {
		st := &steps[i]
		switch st.Kind {
		case models.Work:
			if st.Work != nil {
				d += st.Work.Mean()
			}
		case models.Call:
			d += float64(max(st.Repeat, 1)) * opLatency(svcs, st.Target, st.Op, depth+1)
		case models.Parallel:
			longest := 0.0
			for j := range st.Children {
				longest = max(longest, stepsLatency(svcs, st.Children[j:j+1], depth+1))
			}
			d += longest
		case models.Branch:
			for _, b := range st.Branches {
				d += b.P * stepsLatency(svcs, b.Steps, depth+1)
			}
		}
	}
	return d
}

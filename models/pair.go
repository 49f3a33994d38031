package models

import "cascade/sim"

// pair counts the calls from one component to one service, policy or not:
// what a topology view draws on an edge. Every call site between the two
// shares it. Requests are counted when the caller sends and outcomes when
// the caller hears back (a policy's retries are inside one request).
type pair struct {
	caller, target string
	requests       int64
	outcomes       [numOutcomes]int64
	iv             CallPoint
	series         *sim.Ring[CallPoint]
	open           hangs // calls sent with no time limit, still out
}

// CallPoint is one interval of a pair's calls.
type CallPoint struct {
	T        sim.Time
	Requests int64
	Outcomes [numOutcomes]int64
}

// CallResult is what one caller asked of one service.
type CallResult struct {
	Caller, Target string
	Counts         // Arrivals: requests sent; outcomes as the caller heard them
	Series         []CallPoint
	Hung           Hung // calls out with no time limit for HungAfter or more, now
}

// pairOf returns the pair for caller -> target, creating it.
func (m *Model) pairOf(caller, target string) *pair {
	for _, p := range m.pairs {
		if p.caller == caller && p.target == target {
			return p
		}
	}
	p := &pair{caller: caller, target: target, series: sim.NewRing[CallPoint](m.opt.Points)}
	m.pairs = append(m.pairs, p)
	return p
}

func (p *pair) sent(measuring bool) {
	if measuring {
		p.requests++
	}
	p.iv.Requests++
}

func (p *pair) ended(o Outcome, measuring bool) {
	if measuring {
		p.outcomes[o]++
	}
	p.iv.Outcomes[o]++
}

func (p *pair) tick(now sim.Time) {
	p.iv.T = now
	p.series.Push(p.iv)
	p.iv = CallPoint{}
}

func (p *pair) restart() {
	p.requests = 0
	p.outcomes = [numOutcomes]int64{}
}

func (p *pair) result(now sim.Time, withSeries bool) CallResult {
	r := CallResult{Caller: p.caller, Target: p.target, Counts: countsOf(p.requests, &p.outcomes), Hung: p.open.hung(now)}
	if withSeries {
		r.Series = p.series.Slice()
	}
	return r
}

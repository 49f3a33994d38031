package models

import (
	"math"

	"cascade/sim"
)

// Point is one interval of a time series: counts during the interval and
// time averages over it. Quantiles are NaN for an interval with no OK reply.
type Point struct {
	T        sim.Time // end of the interval
	Arrivals int64
	Outcomes [numOutcomes]int64
	P50, P99 float64 // seconds, OK replies completed in the interval
	Queue    float64 // time-average waiting requests (services)
	InFlight float64 // time-average admitted, unfinished requests (services)
	Busy     float64 // time-average busy workers (services)
	Workers  float64 // time-average workers of the instances up and ready (services with a worker limit)

	// What a stateful service's own mechanism did (zero elsewhere).
	Cache      CachePoint // a cache: its counters in the interval
	ReplicaLag float64    // a database: seconds, its most lagging live replica at the end of the interval
	Backlog    int64      // a queue: unacked messages over every group at the end of the interval
	OldestAge  float64    // a queue: seconds, the oldest unacked message of any group then
	Dead       int64      // a queue: messages dead-lettered in the interval
}

// CachePoint is one interval of a cache's counters.
type CachePoint struct {
	Lookups, Hits, StaleServes, Coalesced, OriginLoads int64
}

// stats is the metric surface every component shares: arrivals, outcomes,
// the latency of OK replies, and a per-interval series. Memory is fixed at
// construction: two histograms and a ring, whatever the run length.
type stats struct {
	arrivals int64
	outcomes [numOutcomes]int64
	latency  *sim.Histogram // OK replies, since the end of warm-up

	ivArrivals int64
	ivOutcomes [numOutcomes]int64
	ivLatency  *sim.Histogram // nil when nothing reads the series' quantiles (Options.NoSeries)

	series *sim.Ring[Point]

	// Observers beyond the totals, usually none: SLOs fed by this
	// component and windows (spans) that expectations asked for.
	slos    []*sloTrack
	windows []*window
}

func newStats(points int, seriesLatency bool) stats {
	s := stats{latency: sim.NewHistogram(3), series: sim.NewRing[Point](points)}
	if seriesLatency {
		s.ivLatency = sim.NewHistogram(2)
	}
	return s
}

func (s *stats) arrive(now sim.Time) {
	s.arrivals++
	s.ivArrivals++
	for _, w := range s.windows {
		w.arrive(now)
	}
}

// end records an outcome; latency counts only for OK, whose latency is what
// users and latency SLIs mean by "latency".
func (s *stats) end(now sim.Time, o Outcome, latency sim.Time) {
	s.outcomes[o]++
	s.ivOutcomes[o]++
	if o == OK {
		s.latency.Record(latency)
		if s.ivLatency != nil {
			s.ivLatency.Record(latency)
		}
	}
	for _, t := range s.slos {
		t.record(now, o, latency)
	}
	for _, w := range s.windows {
		w.end(now, o, latency)
	}
}

// point closes the current interval.
func (s *stats) point(now sim.Time) Point {
	p := Point{T: now, Arrivals: s.ivArrivals, Outcomes: s.ivOutcomes, P50: math.NaN(), P99: math.NaN()}
	if iv := s.ivLatency; iv != nil && iv.Count() > 0 {
		p.P50 = iv.Quantile(0.5)
		p.P99 = iv.Quantile(0.99)
		iv.Reset()
	}
	s.ivArrivals = 0
	s.ivOutcomes = [numOutcomes]int64{}
	return p
}

// restart forgets totals at the end of warm-up; the series keeps going.
func (s *stats) restart() {
	s.arrivals = 0
	s.outcomes = [numOutcomes]int64{}
	s.latency.Reset()
}

// Counts are totals by outcome since the end of warm-up.
type Counts struct {
	Arrivals     int64 `json:"arrivals"`
	OK           int64 `json:"ok"`
	Error        int64 `json:"error"`
	Timeout      int64 `json:"timeout"`
	Rejected     int64 `json:"rejected"`
	Throttled    int64 `json:"throttled"`
	Shed         int64 `json:"shed"`
	BreakerOpen  int64 `json:"breaker_open"`
	BulkheadFull int64 `json:"bulkhead_full"`
}

// Completed counts requests that ended, whatever the outcome.
func (c Counts) Completed() int64 {
	return c.OK + c.Error + c.Timeout + c.Rejected + c.Throttled + c.Shed + c.BreakerOpen + c.BulkheadFull
}

// Of is the count of outcome o.
func (c Counts) Of(o Outcome) int64 {
	switch o {
	case OK:
		return c.OK
	case Error:
		return c.Error
	case Timeout:
		return c.Timeout
	case Rejected:
		return c.Rejected
	case Throttled:
		return c.Throttled
	case Shed:
		return c.Shed
	case BreakerOpen:
		return c.BreakerOpen
	case BulkheadFull:
		return c.BulkheadFull
	}
	return 0
}

func countsOf(arrivals int64, o *[numOutcomes]int64) Counts {
	return Counts{Arrivals: arrivals, OK: o[OK], Error: o[Error], Timeout: o[Timeout], Rejected: o[Rejected],
		Throttled: o[Throttled], Shed: o[Shed], BreakerOpen: o[BreakerOpen], BulkheadFull: o[BulkheadFull]}
}

func (s *stats) counts() Counts { return countsOf(s.arrivals, &s.outcomes) }

// Latency summarises a histogram in seconds. Fields are NaN when Count is 0.
type Latency struct {
	Count                          int64
	Mean, P50, P90, P99, P999, Max float64
}

func summarize(h *sim.Histogram) Latency {
	l := Latency{Count: h.Count(), Mean: h.Mean(), P50: h.Quantile(0.5), P90: h.Quantile(0.9),
		P99: h.Quantile(0.99), P999: h.Quantile(0.999), Max: math.NaN()}
	if l.Count > 0 {
		l.Max = h.Max().Seconds()
	}
	return l
}

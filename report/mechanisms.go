package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"cascade/models"
)

// The stateful mechanisms — caches, databases, queues (topics) and
// connection pools — each get a table and charts in reports and compare:
// the same numbers cascade run prints, from the same builders.

// mechTable is one kind of component's table, rendered alike as text,
// Markdown and HTML.
type mechTable struct {
	Kind   string   // "Caches", "Databases", "Topics", "Pools"
	Head   []string // the text summary's head; reports lower-case its first cell
	Left   int      // leading columns aligned left
	Rows   [][]string
	Legend string // one line: what the columns mean
}

func cacheTable(ss []models.ServiceResult) mechTable {
	t := mechTable{Kind: "Caches", Left: 1,
		Head:   []string{"CACHE", "lookups", "hit", "top-10 hit", "stale", "coalesced", "early", "origin loads", "entries", "evicted"},
		Legend: "hit: lookups answered from the cache (stale included); top-10: for the 10 most popular keys; stale: expired entries served; coalesced: misses that waited on another's load; early: XFetch refreshes; origin loads: the cache's own."}
	for _, s := range ss {
		c := s.Cache
		if c == nil {
			continue
		}
		t.Rows = append(t.Rows, []string{s.Name, integer(c.Lookups), percent(c.HitRatio, 1), percent(c.TopRatio, 1), integer(c.StaleServes),
			integer(c.Coalesced), integer(c.EarlyRefreshes), integer(c.OriginLoads),
			fmt.Sprintf("%d/%d", c.Entries, c.Capacity), integer(c.Evictions)})
	}
	return t
}

func databaseTable(ss []models.ServiceResult) mechTable {
	t := mechTable{Kind: "Databases", Left: 1,
		Head:   []string{"DATABASE", "writes", "write p99", "reads", "on replicas", "stale", "redirected", "lost writes", "failovers", "replica lag now / mean / max"},
		Legend: "stale: replica reads that missed a committed write for their key; redirected: reads the routing sent to the primary; lost writes: committed on a primary that died before a replica received them."}
	for _, s := range ss {
		d := s.Database
		if d == nil {
			continue
		}
		var lags []string
		for _, r := range d.Replicas {
			if r.Promoted {
				label := "primary"
				if r.Instance != d.Primary {
					label = "promoted, then failed over" // an earlier failover's primary
				}
				lags = append(lags, fmt.Sprintf("#%d %s", r.Instance, label))
				continue
			}
			lags = append(lags, fmt.Sprintf("#%d %s/%s/%s", r.Instance, latency(r.Lag), latency(r.MeanLag), latency(r.MaxLag)))
		}
		t.Rows = append(t.Rows, []string{s.Name, integer(d.Writes), latency(d.WriteP99), integer(d.Reads), integer(d.ReplicaReads), integer(d.StaleReads),
			integer(d.Redirected), integer(d.LostWrites), integer(d.Failovers), strings.Join(lags, "  ")})
	}
	return t
}

func queueTable(ss []models.ServiceResult) mechTable {
	t := mechTable{Kind: "Topics", Left: 2,
		Head:   []string{"QUEUE", "group", "published", "delivered", "acked", "redelivered", "dead", "duplicates", "backlog", "oldest"},
		Legend: "dead: dead-lettered after max_deliveries; duplicates: messages a non-idempotent consumer handled twice; backlog: messages not yet acked; oldest: the age of the oldest of them."}
	for _, s := range ss {
		q := s.Queue
		if q == nil {
			continue
		}
		for _, g := range q.Groups {
			t.Rows = append(t.Rows, []string{s.Name, g.Name, integer(q.Published), integer(g.Delivered), integer(g.Acked), integer(g.Redelivered),
				integer(g.DeadLettered), integer(g.Duplicates), integer(g.Backlog), latency(g.OldestAge)})
		}
	}
	return t
}

func poolTable(es []models.EdgeResult) mechTable {
	t := mechTable{Kind: "Pools", Left: 1,
		Head:   []string{"POOL", "size", "in use", "peak", "mean in use", "waited", "wait mean", "wait p99", "acquire timeouts", "refused", "opened", "leaked"},
		Legend: "in use: connections in use at the end; peak: most in use at once in one pool; waited: callers that waited for a connection; refused: beyond the wait queue or no wait allowed; leaked: lost to pool_leak faults."}
	for _, e := range es {
		p := e.Pool
		if p == nil {
			continue
		}
		t.Rows = append(t.Rows, []string{e.Name, integer(int64(p.Size)), integer(int64(p.InUse)), integer(int64(p.PeakInUse)), fixed(p.MeanInUse, 1),
			integer(p.Waited), latency(p.WaitMean), latency(p.WaitP99), integer(p.AcquireTimeouts), integer(p.Rejected), integer(p.Opened), integer(int64(p.Leaked))})
	}
	return t
}

// mechTables are a run's tables, the kinds it has, in a fixed order.
func mechTables(r models.Result) []mechTable {
	var out []mechTable
	for _, t := range []mechTable{cacheTable(r.Services), poolTable(r.Edges), databaseTable(r.Services), queueTable(r.Services), zoneTable(r)} {
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// reportHead is a table's head as reports print it: "cache", not "CACHE".
func (t mechTable) reportHead() []string {
	h := append([]string{}, t.Head...)
	h[0] = strings.ToLower(h[0])
	return h
}

// hitPercent is the share of an interval's lookups answered from the
// cache; NaN (a gap) without lookups.
func hitPercent(p models.Point, _ float64) float64 {
	if p.Cache.Lookups == 0 {
		return math.NaN()
	}
	return 100 * float64(p.Cache.Hits) / float64(p.Cache.Lookups)
}

func perSecond(f func(models.Point) int64) func(models.Point, float64) float64 {
	return func(p models.Point, iv float64) float64 { return float64(f(p)) / iv }
}

func lagMs(p models.Point, _ float64) float64 { return p.ReplicaLag * 1000 }

func backlogOf(p models.Point, _ float64) float64 { return float64(p.Backlog) }

func oldestS(p models.Point, _ float64) float64 { return p.OldestAge }

// edgeSeries is seriesOf for a call site's points.
func edgeSeries(ps []models.EdgePoint, ax timeAxis, f func(models.EdgePoint) float64) ([]float64, []float64) {
	xs := make([]float64, len(ps))
	ys := make([]float64, len(ps))
	for i, p := range ps {
		xs[i] = p.T.Seconds() / ax.div
		ys[i] = f(p)
	}
	return bucketed(xs, ys, false)
}

// mechCharts are the mechanisms' charts: with one run a chart per kind and
// metric with a line per component, with several a chart per component
// and metric with a line per run.
func mechCharts(rv Review) []chart {
	ax, mk := timeCharts(rv)
	var out []chart
	// A chart of zeros (no stale serve, no dead letter all run) says
	// nothing the table does not: it is left out.
	add := func(c chart) {
		for _, s := range c.Series {
			for _, y := range s.Y {
				if finite(y) && y != 0 {
					out = append(out, c)
					return
				}
			}
		}
	}
	type svcMetric struct {
		file, title, ylabel, note string
		has                       func(models.ServiceResult) bool
		f                         func(models.Point, float64) float64
		worst                     bool
	}
	isCache := func(s models.ServiceResult) bool { return s.Cache != nil }
	isDB := func(s models.ServiceResult) bool { return s.Database != nil && len(s.Database.Replicas) > 0 }
	isQueue := func(s models.ServiceResult) bool { return s.Queue != nil }
	metrics := []svcMetric{
		{"cache-hit", "Cache hit ratio", "% of lookups", "Hits (stale serves included) per lookup in each interval; gaps: no lookup.", isCache, hitPercent, false},
		{"cache-loads", "Cache origin loads", "loads/s", "Loads the cache made from its origin.", isCache, perSecond(func(p models.Point) int64 { return p.Cache.OriginLoads }), false},
		{"cache-coalesced", "Cache coalesced waits", "misses/s", "Misses that waited on another request's load.", isCache, perSecond(func(p models.Point) int64 { return p.Cache.Coalesced }), false},
		{"cache-stale", "Cache stale serves", "serves/s", "Expired entries served.", isCache, perSecond(func(p models.Point) int64 { return p.Cache.StaleServes }), false},
		{"replica-lag", "Replica lag", "ms", "The most lagging live replica at the end of each interval (worst of a bucket).", isDB, lagMs, true},
		{"backlog", "Topic backlog", "messages", "Unacked messages over every consumer group at the end of each interval.", isQueue, backlogOf, false},
		{"oldest", "Oldest unacked message", "s", "Age of the oldest unacked message of any group (worst of a bucket).", isQueue, oldestS, true},
		{"dead-letters", "Dead letters", "messages/s", "Messages dead-lettered after max_deliveries.", isQueue, perSecond(func(p models.Point) int64 { return p.Dead }), false},
	}
	if len(rv.Runs) == 1 {
		r := rv.Runs[0]
		for _, m := range metrics {
			c := mk(m.file+".svg", m.title, m.ylabel, m.note)
			for _, s := range r.Result.Services {
				if m.has(s) {
					x, y := seriesOf(s.Series, ax, m.worst, m.f)
					c.Series = append(c.Series, chartSeries{Name: s.Name, X: x, Y: y, Color: len(c.Series)})
				}
			}
			add(c)
		}
		c := mk("pools.svg", "Connection pools", "connections", "Solid: in use; dotted: callers waiting, at the end of each interval.")
		k := 0
		for _, e := range r.Result.Edges {
			if e.Pool == nil {
				continue
			}
			x, y := edgeSeries(e.Series, ax, func(p models.EdgePoint) float64 { return float64(p.PoolInUse) })
			c.Series = append(c.Series, chartSeries{Name: e.Name + " in use", X: x, Y: y, Color: k})
			x, y = edgeSeries(e.Series, ax, func(p models.EdgePoint) float64 { return float64(p.PoolWaiting) })
			c.Series = append(c.Series, chartSeries{Name: e.Name + " waiting", X: x, Y: y, Color: k, Dashed: true})
			k++
		}
		add(c)
		for _, zm := range zoneMetrics {
			c := mk(zm.file+".svg", zm.title, zm.ylabel, zm.note)
			for _, z := range r.Result.Zones {
				x, y := zoneSeries(z.Series, ax, zm.worst, zm.f)
				c.Series = append(c.Series, chartSeries{Name: "zone " + z.Name, X: x, Y: y, Color: len(c.Series)})
			}
			add(c)
		}
		return out
	}
	overlay := func(file, title, ylabel, n string, series func(r ReviewRun) ([]float64, []float64, bool)) {
		add(runLines(mk(file, title, ylabel, n), rv.Runs, series))
	}
	for _, name := range names(rv, serviceNames) {
		for _, m := range metrics {
			overlay(fileName(m.file, name), m.title+" of "+name, m.ylabel, m.note, func(r ReviewRun) ([]float64, []float64, bool) {
				s, ok := findService(r.Result, name)
				if !ok || !m.has(s) {
					return nil, nil, false
				}
				x, y := seriesOf(s.Series, ax, m.worst, m.f)
				return x, y, true
			})
		}
	}
	var pools []string
	for _, r := range rv.Runs {
		for _, e := range r.Result.Edges {
			if e.Pool != nil && !slices.Contains(pools, e.Name) {
				pools = append(pools, e.Name)
			}
		}
	}
	var zones []string
	for _, r := range rv.Runs {
		for _, z := range r.Result.Zones {
			if !slices.Contains(zones, z.Name) {
				zones = append(zones, z.Name)
			}
		}
	}
	for _, name := range zones {
		for _, zm := range zoneMetrics {
			overlay(fileName(zm.file, name), zm.title+": zone "+name, zm.ylabel, zm.note, func(r ReviewRun) ([]float64, []float64, bool) {
				for _, z := range r.Result.Zones {
					if z.Name == name {
						x, y := zoneSeries(z.Series, ax, zm.worst, zm.f)
						return x, y, true
					}
				}
				return nil, nil, false
			})
		}
	}
	for _, name := range pools {
		overlay(fileName("pool", name), "Connections in use, "+name, "connections", "At the end of each interval.", func(r ReviewRun) ([]float64, []float64, bool) {
			for _, e := range r.Result.Edges {
				if e.Name == name && e.Pool != nil {
					x, y := edgeSeries(e.Series, ax, func(p models.EdgePoint) float64 { return float64(p.PoolInUse) })
					return x, y, true
				}
			}
			return nil, nil, false
		})
	}
	return out
}

// mechKinds are the kinds of mechanism, in report order.
var mechKinds = []string{"Caches", "Pools", "Databases", "Topics", "Zones"}

// chartKind is the kind of mechanism a chart of mechCharts is about.
func chartKind(file string) string {
	switch {
	case strings.HasPrefix(file, "cache-"):
		return "Caches"
	case strings.HasPrefix(file, "pool"):
		return "Pools"
	case strings.HasPrefix(file, "replica-lag"):
		return "Databases"
	case strings.HasPrefix(file, "zone-"):
		return "Zones"
	}
	return "Topics"
}

// mechSection is what a report shows of one kind of mechanism: per run
// its table (nil when the run has none), and the charts' indexes.
type mechSection struct {
	Kind   string
	Tables []*mechTable // one per run
	Legend string
	Charts []int // indexes into mechCharts' result
}

func mechSections(rv Review, cs []chart) []mechSection {
	var out []mechSection
	for _, kind := range mechKinds {
		sec := mechSection{Kind: kind}
		found := false
		for _, r := range rv.Runs {
			var t *mechTable
			for _, mt := range mechTables(r.Result) {
				if mt.Kind == kind {
					t = &mt
					sec.Legend = mt.Legend
					found = true
				}
			}
			sec.Tables = append(sec.Tables, t)
		}
		for i, c := range cs {
			if chartKind(c.File) == kind {
				sec.Charts = append(sec.Charts, i)
			}
		}
		if found {
			out = append(out, sec)
		}
	}
	return out
}

// mechTitle is the report section of the mechanisms.
const mechTitle = "Caches, pools, databases, topics and zones"

package report

import (
	"encoding/json"
	"io"
	"math"

	"cascade/models"
	"cascade/sim"
)

// Schema names the layout of the JSON result. Within v1 fields are only
// added; renaming, removing or changing the meaning or unit of a field makes
// it v2. Consumers should check it and ignore fields they do not know.
// docs/json-result.md documents every field.
const Schema = "cascade.result/v1"

// The document is built from structs, never maps: encoding/json writes
// struct fields in declaration order, so the field order is part of the
// code and stable, and the same result always gives the same bytes.

type jsonResult struct {
	Schema      string         `json:"schema"`
	Version     string         `json:"version"`
	Scenario    string         `json:"scenario"`
	Description string         `json:"description"`
	Source      string         `json:"source"`
	Seed        uint64         `json:"seed"`
	Planned     number         `json:"planned"`
	Duration    number         `json:"duration"`
	Warmup      number         `json:"warmup"`
	Measured    number         `json:"measured"`
	Events      uint64         `json:"events"`
	Interrupted bool           `json:"interrupted"`
	Workloads   []jsonWorkload `json:"workloads"`
	Services    []jsonService  `json:"services"`
	Faults      []jsonFault    `json:"faults"`
	SLOs        []jsonSLO      `json:"slos"`
	Edges       []jsonEdge     `json:"edges"`
	Calls       []jsonCall     `json:"calls"`
	Expect      []jsonExpect   `json:"expectations"`
	Passed      bool           `json:"passed"` // every expectation holds (true when there are none)
	Replicas    *jsonReplicas  `json:"replications,omitempty"`
	Zones       []jsonZone     `json:"zones,omitempty"`      // declared zones, in order
	CrossZone   *jsonCrossZone `json:"cross_zone,omitempty"` // with zones: the traffic between them
}

// jsonZone is one zone at the end of the run.
type jsonZone struct {
	Name      string `json:"name"`
	Instances int    `json:"instances"`
	Up        int    `json:"up"`
	Requests  int64  `json:"requests"`
	CrossOut  int64  `json:"cross_out"`
	CrossIn   int64  `json:"cross_in"`
	Cost      number `json:"cost"`
	Outage    bool   `json:"outage"`
	Cut       bool   `json:"cut"`
}

type jsonCrossZone struct {
	Calls int64  `json:"calls"`
	Bytes number `json:"bytes"`
	Cost  number `json:"cost"`
}

type jsonFault struct {
	Name   string `json:"name"`
	Verb   string `json:"verb"`
	Target string `json:"target"`
	State  string `json:"state"`
	Start  number `json:"start"` // null while pending
	End    number `json:"end"`   // null unless ended

	Deploy *jsonDeploy `json:"deploy,omitempty"` // deploy faults only
}

type jsonDeploy struct {
	Phase     string           `json:"phase"`
	Instances int              `json:"instances"`
	Updated   int              `json:"updated"`
	Check     number           `json:"max_error_rate"` // null: no check
	Waves     []jsonDeployWave `json:"waves"`
}

type jsonDeployWave struct {
	Start     number `json:"start"`
	Up        number `json:"up"` // null while restarting
	Lo        int    `json:"lo"`
	Hi        int    `json:"hi"`
	Rollback  bool   `json:"rollback"`
	Checked   bool   `json:"checked"`
	ErrorRate number `json:"error_rate"` // null before the check or without replies
	Healthy   bool   `json:"healthy"`
}

type jsonBurn struct {
	Window number `json:"window"` // seconds of the SLO's (scaled) clock
	Burn   number `json:"burn"`
	Events int64  `json:"events"`
}

type jsonAlert struct {
	At        number  `json:"at"` // simulated seconds
	Severity  string  `json:"severity"`
	Long      number  `json:"long"`
	Short     number  `json:"short"`
	Threshold float64 `json:"threshold"`
	Firing    bool    `json:"firing"`
	LongBurn  number  `json:"long_burn"`
	ShortBurn number  `json:"short_burn"`
}

type jsonAttribution struct {
	Fault   string `json:"fault"`
	Outside bool   `json:"outside"` // not on the SLO's call path: not charged
	Bad     int64  `json:"bad"`     // while it alone was active on the path
	Budget  number `json:"budget"`
}

type jsonShared struct {
	Faults []string `json:"faults"`
	Bad    int64    `json:"bad"`
	Budget number   `json:"budget"`
}

type jsonSLO struct {
	Name             string            `json:"name"`
	Workload         string            `json:"workload,omitempty"`
	Service          string            `json:"service,omitempty"`
	Threshold        number            `json:"latency_threshold"` // null for availability
	Objective        float64           `json:"objective"`
	History          string            `json:"history"` // elapsed, clean or "burned 40%"
	Burned           float64           `json:"history_burned"`
	Total            int64             `json:"total"`
	Bad              int64             `json:"bad"`
	SLI              number            `json:"sli"`
	Elapsed          number            `json:"elapsed"` // seconds of the SLO's clock
	BudgetEvents     number            `json:"budget_events"`
	Consumed         number            `json:"budget_consumed"`
	Remaining        number            `json:"budget_remaining"`
	TimeToExhaustion number            `json:"time_to_exhaustion"` // null: not burning
	Burn             []jsonBurn        `json:"burn"`
	Firing           []string          `json:"firing"`
	Alerts           []jsonAlert       `json:"alerts"`
	Attribution      []jsonAttribution `json:"attribution"`
	Shared           []jsonShared      `json:"shared"`
	Warnings         int               `json:"low_traffic_warnings"`
}

type jsonCounts struct {
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

type jsonLatency struct {
	Count int64  `json:"count"`
	Mean  number `json:"mean"`
	P50   number `json:"p50"`
	P90   number `json:"p90"`
	P99   number `json:"p99"`
	P999  number `json:"p999"`
	Max   number `json:"max"`
}

type jsonWorkload struct {
	Name       string      `json:"name"`
	Counts     jsonCounts  `json:"counts"`
	InFlight   int64       `json:"in_flight"`
	Throughput number      `json:"throughput"`
	Goodput    number      `json:"goodput"`
	Latency    jsonLatency `json:"latency"`
}

type jsonLittle struct {
	L       number `json:"l"`
	LambdaW number `json:"lambda_w"`
	RelErr  number `json:"rel_err"`
}

type jsonService struct {
	Name          string            `json:"name"`
	Instances     int               `json:"instances"`
	Workers       int               `json:"workers"`
	Counts        jsonCounts        `json:"counts"`
	Late          int64             `json:"late"`
	InFlight      int64             `json:"in_flight"`
	Throughput    number            `json:"throughput"`
	Goodput       number            `json:"goodput"`
	Latency       jsonLatency       `json:"latency"`
	Utilization   number            `json:"utilization"`
	MeanBusy      number            `json:"mean_busy"`
	MeanQueue     number            `json:"mean_queue"`
	PeakQueue     int64             `json:"peak_queue"`
	MeanInFlight  number            `json:"mean_in_flight"`
	Little        jsonLittle        `json:"little"`
	Shed          models.ShedCauses `json:"shed_by"`
	Expired       int64             `json:"expired"`
	Retried       int64             `json:"retried"`
	Amplification number            `json:"amplification"`
	Ejected       int               `json:"ejected"`
	Ejections     []jsonEjection    `json:"ejections"`
	Cache         *jsonCache        `json:"cache,omitempty"`
	Database      *jsonDatabase     `json:"database,omitempty"`
	Queue         *jsonQueue        `json:"queue,omitempty"`
	Sagas         *models.SagaStats `json:"sagas,omitempty"`

	Autoscale *jsonAutoscale `json:"autoscale,omitempty"`
}

type jsonAutoscale struct {
	Metric       string           `json:"metric"`
	Target       float64          `json:"target"`
	Min          int              `json:"min"`
	Max          int              `json:"max"`
	Ready        int              `json:"ready"`
	Provisioning int              `json:"provisioning"`
	MeanReady    number           `json:"mean_ready"`
	ScaleOuts    int64            `json:"scale_outs"`
	ScaleIns     int64            `json:"scale_ins"`
	Events       []jsonScaleEvent `json:"events"`
}

type jsonScaleEvent struct {
	At     number `json:"at"`
	From   int    `json:"from"`
	To     int    `json:"to"`
	Metric number `json:"metric"`
}

func jsonAutoscaleOf(a *models.AutoscaleResult) *jsonAutoscale {
	if a == nil {
		return nil
	}
	out := &jsonAutoscale{Metric: a.Metric, Target: a.Target, Min: a.Min, Max: a.Max, Ready: a.Ready, Provisioning: a.Provisioning,
		MeanReady: number(a.MeanReady), ScaleOuts: a.ScaleOuts, ScaleIns: a.ScaleIns, Events: []jsonScaleEvent{}}
	for _, e := range a.Events {
		out.Events = append(out.Events, jsonScaleEvent{At: seconds(e.At), From: e.From, To: e.To, Metric: number(e.Metric)})
	}
	return out
}

type jsonQueue struct {
	Published       int64       `json:"published"`
	OutboxPublished int64       `json:"outbox_published"`
	OutboxWaiting   int         `json:"outbox_waiting"`
	LostEvents      int64       `json:"lost_events"`
	Groups          []jsonGroup `json:"groups"`
}

type jsonGroup struct {
	Name         string `json:"name"`
	Delivered    int64  `json:"delivered"`
	Acked        int64  `json:"acked"`
	Failed       int64  `json:"failed"`
	Redelivered  int64  `json:"redelivered"`
	DeadLettered int64  `json:"dead_lettered"`
	Duplicates   int64  `json:"duplicates"`
	Backlog      int64  `json:"backlog"`
	OldestAge    number `json:"oldest_age"`
	InFlight     int    `json:"in_flight"`
}

type jsonDatabase struct {
	Primary      int           `json:"primary"`
	Replication  string        `json:"replication"`
	ReadFrom     string        `json:"read_from"`
	Writes       int64         `json:"writes"`
	Reads        int64         `json:"reads"`
	ReplicaReads int64         `json:"replica_reads"`
	StaleReads   int64         `json:"stale_reads"`
	Redirected   int64         `json:"redirected"`
	LostWrites   int64         `json:"lost_writes"`
	Failovers    int64         `json:"failovers"`
	Refused      int64         `json:"refused_no_primary"`
	Conflicts    *int64        `json:"conflicts,omitempty"` // optimistic databases only
	WriteMean    number        `json:"write_mean"`
	WriteP50     number        `json:"write_p50"`
	WriteP99     number        `json:"write_p99"`
	Replicas     []jsonReplica `json:"replicas"`
}

type jsonReplica struct {
	Instance int    `json:"instance"`
	Promoted bool   `json:"promoted"`
	Lag      number `json:"lag"`
	MeanLag  number `json:"mean_lag"`
	MaxLag   number `json:"max_lag"`
	Applied  uint64 `json:"applied"`
	Behind   uint64 `json:"behind"`
}

type jsonCache struct {
	Lookups        int64  `json:"lookups"`
	Hits           int64  `json:"hits"`
	Misses         int64  `json:"misses"`
	HitRatio       number `json:"hit_ratio"`
	TopHitRatio    number `json:"top10_hit_ratio"`
	StaleServes    int64  `json:"stale_serves"`
	NegativeHits   int64  `json:"negative_hits"`
	Coalesced      int64  `json:"coalesced"`
	EarlyRefreshes int64  `json:"early_refreshes"`
	Refreshes      int64  `json:"refreshes"`
	OriginLoads    int64  `json:"origin_loads"`
	Fills          int64  `json:"fills"`
	Evictions      int64  `json:"evictions"`
	Entries        int    `json:"entries"`
	Capacity       int    `json:"capacity"`
	WriteBackLost  int64  `json:"write_back_lost"`
	Flushes        int64  `json:"flushes"`
	MassExpired    int64  `json:"mass_expired"`
}

type jsonEjection struct {
	At       number `json:"at"`
	Instance int    `json:"instance"`
	Ejected  bool   `json:"ejected"`
	Reason   string `json:"reason"`
}

type jsonTransition struct {
	At     number `json:"at"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

type jsonBreaker struct {
	Instance    int              `json:"instance"`
	State       string           `json:"state"`
	Permitted   uint64           `json:"permitted"`
	Rejected    uint64           `json:"rejected"`
	Transitions []jsonTransition `json:"transitions"`
	Dropped     int64            `json:"transitions_dropped"`
}

type jsonCall struct {
	Caller string     `json:"caller"`
	Target string     `json:"target"`
	Counts jsonCounts `json:"counts"`
}

type jsonEdge struct {
	Name             string        `json:"name"`
	Caller           string        `json:"caller"`
	Target           string        `json:"target"`
	Requests         int64         `json:"requests"`
	Attempts         int64         `json:"attempts"`
	Retries          int64         `json:"retries"`
	Hedges           int64         `json:"hedges"`
	Amplification    number        `json:"amplification"`
	Suppressed       int64         `json:"suppressed"`
	Exhausted        int64         `json:"exhausted"`
	BreakerRejected  int64         `json:"breaker_rejected"`
	BulkheadRejected int64         `json:"bulkhead_rejected"`
	BulkheadWaited   int64         `json:"bulkhead_waited"`
	BulkheadPeak     int           `json:"bulkhead_peak_waiters"`
	ThrottledLocally int64         `json:"throttled_locally"`
	Outcomes         jsonCounts    `json:"outcomes"`
	BudgetLevel      number        `json:"budget_level"`
	Breakers         []jsonBreaker `json:"breakers"`
	Pool             *jsonPool     `json:"pool,omitempty"`
}

type jsonPool struct {
	Size            int    `json:"size"`
	InUse           int    `json:"in_use"`
	Idle            int    `json:"idle"`
	PeakInUse       int    `json:"peak_in_use"`
	MeanInUse       number `json:"mean_in_use"`
	Waiting         int    `json:"waiting"`
	Waited          int64  `json:"waited"`
	WaitMean        number `json:"wait_mean"`
	WaitP99         number `json:"wait_p99"`
	AcquireTimeouts int64  `json:"acquire_timeouts"`
	Rejected        int64  `json:"rejected"`
	Opened          int64  `json:"opened"`
	Leaked          int    `json:"leaked"`
}

// number is a float64 that encodes NaN and ±Inf as null. encoding/json
// refuses them outright, and JSON has no spelling for them; null says "no
// value" (a latency with no OK reply, utilization with unlimited workers).
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// JSON writes the result as an indented, versioned document ending in a
// newline. Times are in seconds. Time series are not included in v1.
func JSON(w io.Writer, meta Meta, r models.Result) error {
	doc := jsonResult{
		Schema:      Schema,
		Version:     meta.Version,
		Scenario:    meta.Scenario,
		Description: meta.Description,
		Source:      meta.Source,
		Seed:        meta.Seed,
		Planned:     number(math.NaN()),
		Duration:    seconds(r.Now),
		Warmup:      seconds(meta.Warmup),
		Measured:    seconds(r.Measured),
		Events:      meta.Events,
		Interrupted: meta.Interrupted,
		Workloads:   []jsonWorkload{},
		Services:    []jsonService{},
	}
	if meta.Duration > 0 {
		doc.Planned = seconds(meta.Duration)
	}
	for _, z := range r.Zones {
		doc.Zones = append(doc.Zones, jsonZone{Name: z.Name, Instances: z.Instances, Up: z.Up, Requests: z.Requests,
			CrossOut: z.CrossOut, CrossIn: z.CrossIn, Cost: number(z.Cost), Outage: z.Outage, Cut: z.Cut})
	}
	if r.Zones != nil {
		c := r.CrossZone
		doc.CrossZone = &jsonCrossZone{Calls: c.Calls, Bytes: number(c.Bytes), Cost: number(c.Cost)}
	}
	for _, x := range r.Workloads {
		doc.Workloads = append(doc.Workloads, jsonWorkload{
			Name:       x.Name,
			Counts:     counts(x.Counts),
			InFlight:   x.InFlight,
			Throughput: number(x.Throughput),
			Goodput:    number(x.Goodput),
			Latency:    lat(x.Latency),
		})
	}
	for _, s := range r.Services {
		doc.Services = append(doc.Services, jsonService{
			Name:          s.Name,
			Instances:     s.Instances,
			Workers:       s.Workers,
			Counts:        counts(s.Counts),
			Late:          s.Late,
			InFlight:      s.InFlight,
			Throughput:    number(s.Throughput),
			Goodput:       number(s.Goodput),
			Latency:       lat(s.Latency),
			Utilization:   number(s.Utilization),
			MeanBusy:      number(s.MeanBusy),
			MeanQueue:     number(s.MeanQueue),
			PeakQueue:     s.PeakQueue,
			MeanInFlight:  number(s.MeanInFlight),
			Little:        jsonLittle{L: number(s.Little.L), LambdaW: number(s.Little.LambdaW), RelErr: number(s.Little.RelErr())},
			Shed:          s.Shed,
			Expired:       s.Expired,
			Retried:       s.Retried,
			Amplification: number(s.Amplification),
			Ejected:       s.Ejected,
			Ejections:     jsonEjections(s.Ejections),
			Cache:         jsonCacheOf(s.Cache),
			Database:      jsonDatabaseOf(s.Database),
			Queue:         jsonQueueOf(s.Queue),
			Sagas:         sagasOf(s.Sagas),
			Autoscale:     jsonAutoscaleOf(s.Autoscale),
		})
	}
	doc.Calls = []jsonCall{}
	for _, c := range r.Calls {
		doc.Calls = append(doc.Calls, jsonCall{Caller: c.Caller, Target: c.Target, Counts: counts(c.Counts)})
	}
	doc.Edges = []jsonEdge{}
	for _, e := range r.Edges {
		je := jsonEdge{Name: e.Name, Caller: e.Caller, Target: e.Target, Requests: e.Requests, Attempts: e.Attempts,
			Retries: e.Retries, Hedges: e.Hedges, Amplification: number(e.Amplification), Suppressed: e.Suppressed,
			Exhausted: e.Exhausted, BreakerRejected: e.BreakerRejected, BulkheadRejected: e.BulkheadRejected,
			BulkheadWaited: e.BulkheadWaited, BulkheadPeak: e.BulkheadPeakWait, ThrottledLocally: e.ThrottledLocally,
			Outcomes: counts(e.Outcomes), BudgetLevel: number(e.BudgetLevel), Breakers: []jsonBreaker{}}
		if p := e.Pool; p != nil {
			je.Pool = &jsonPool{Size: p.Size, InUse: p.InUse, Idle: p.Idle, PeakInUse: p.PeakInUse, MeanInUse: number(p.MeanInUse),
				Waiting: p.Waiting, Waited: p.Waited, WaitMean: number(p.WaitMean), WaitP99: number(p.WaitP99),
				AcquireTimeouts: p.AcquireTimeouts, Rejected: p.Rejected, Opened: p.Opened, Leaked: p.Leaked}
		}
		for _, b := range e.Breakers {
			jb := jsonBreaker{Instance: b.Instance, State: b.State, Permitted: b.Permitted, Rejected: b.Rejected,
				Dropped: b.Dropped, Transitions: []jsonTransition{}}
			for _, t := range b.Transitions {
				jb.Transitions = append(jb.Transitions, jsonTransition{At: seconds(t.At), From: t.From, To: t.To, Reason: t.Reason})
			}
			je.Breakers = append(je.Breakers, jb)
		}
		doc.Edges = append(doc.Edges, je)
	}
	doc.Faults = []jsonFault{}
	for _, f := range r.Faults {
		jf := jsonFault{Name: f.Name, Verb: f.Verb.String(), Target: f.Target, State: f.State.String(),
			Start: number(math.NaN()), End: number(math.NaN())}
		if f.State != models.FaultPending {
			jf.Start = seconds(f.Start)
		}
		if f.State == models.FaultEnded {
			jf.End = seconds(f.End)
		}
		if d := f.Deploy; d != nil {
			jd := &jsonDeploy{Phase: d.Phase, Instances: d.Instances, Updated: d.Updated, Check: number(math.NaN()), Waves: []jsonDeployWave{}}
			if d.Check > 0 {
				jd.Check = number(d.Check)
			}
			for _, w := range d.Waves {
				jw := jsonDeployWave{Start: seconds(w.Start), Up: number(math.NaN()), Lo: w.Lo, Hi: w.Hi, Rollback: w.Rollback,
					Checked: w.Checked, ErrorRate: number(w.ErrorRate), Healthy: w.Healthy}
				if w.Up > 0 {
					jw.Up = seconds(w.Up)
				}
				jd.Waves = append(jd.Waves, jw)
			}
			jf.Deploy = jd
		}
		doc.Faults = append(doc.Faults, jf)
	}
	doc.SLOs = []jsonSLO{}
	for _, s := range r.SLOs {
		js := jsonSLO{Name: s.Name, Workload: s.Workload, Service: s.Service, Threshold: number(math.NaN()),
			Objective: s.Objective, History: s.History.String(), Burned: s.History.Burned, Total: s.Total, Bad: s.Bad, SLI: number(s.SLI), Elapsed: seconds(s.Elapsed),
			BudgetEvents: number(s.BudgetEvents), Consumed: number(s.Consumed), Remaining: number(s.Remaining),
			TimeToExhaustion: number(math.Inf(1)), Firing: append([]string{}, s.Firing...),
			Burn: []jsonBurn{}, Alerts: []jsonAlert{}, Attribution: []jsonAttribution{}, Shared: []jsonShared{}, Warnings: len(s.Warnings)}
		if s.Threshold > 0 {
			js.Threshold = seconds(s.Threshold)
		}
		if s.TimeToExhaustion != sim.Forever {
			js.TimeToExhaustion = seconds(s.TimeToExhaustion)
		}
		for _, b := range s.Burn {
			js.Burn = append(js.Burn, jsonBurn{Window: seconds(b.Window), Burn: number(b.Burn), Events: b.Events})
		}
		for _, a := range s.Alerts {
			ja := jsonAlert{At: seconds(a.At), Severity: a.Severity, Firing: a.Firing, LongBurn: number(a.LongBurn), ShortBurn: number(a.ShortBurn)}
			if a.Rule < len(s.Rules) {
				r := s.Rules[a.Rule]
				ja.Long, ja.Short, ja.Threshold = seconds(r.Long), seconds(r.Short), r.Burn
			}
			js.Alerts = append(js.Alerts, ja)
		}
		for _, at := range s.Attribution {
			js.Attribution = append(js.Attribution, jsonAttribution{Fault: at.Name, Outside: at.Outside, Bad: at.Bad, Budget: number(at.Budget)})
		}
		for _, sh := range s.Shared {
			js.Shared = append(js.Shared, jsonShared{Faults: append([]string{}, sh.Names...), Bad: sh.Bad, Budget: number(sh.Budget)})
		}
		doc.SLOs = append(doc.SLOs, js)
	}
	doc.Expect = jsonExpects(meta.Expect)
	doc.Passed = Failed(meta.Expect) == 0
	doc.Replicas = jsonReplications(meta.Replications)
	return encode(w, doc)
}

// encode writes doc indented, ending in a newline.
func encode(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // descriptions may contain "<" or "&"; this is not HTML
	return enc.Encode(doc)   // Encode ends the document with a newline
}

func seconds(t sim.Time) number { return number(t.Seconds()) }

func sagasOf(s models.SagaStats) *models.SagaStats {
	if s.Started == 0 {
		return nil
	}
	return &s
}

func jsonQueueOf(q *models.QueueResult) *jsonQueue {
	if q == nil {
		return nil
	}
	out := &jsonQueue{Published: q.Published, OutboxPublished: q.OutboxPublished, OutboxWaiting: q.Outbox,
		LostEvents: q.LostEvents, Groups: []jsonGroup{}}
	for _, g := range q.Groups {
		out.Groups = append(out.Groups, jsonGroup{Name: g.Name, Delivered: g.Delivered, Acked: g.Acked, Failed: g.Failed,
			Redelivered: g.Redelivered, DeadLettered: g.DeadLettered, Duplicates: g.Duplicates, Backlog: g.Backlog,
			OldestAge: number(g.OldestAge), InFlight: g.InFlight})
	}
	return out
}

func jsonDatabaseOf(d *models.DatabaseResult) *jsonDatabase {
	if d == nil {
		return nil
	}
	out := &jsonDatabase{Primary: d.Primary, Replication: d.Replication, ReadFrom: d.ReadFrom, Writes: d.Writes, Reads: d.Reads,
		ReplicaReads: d.ReplicaReads, StaleReads: d.StaleReads, Redirected: d.Redirected, LostWrites: d.LostWrites,
		Failovers: d.Failovers, Refused: d.RefusedNoPrimary, WriteMean: number(d.WriteMean), WriteP50: number(d.WriteP50),
		WriteP99: number(d.WriteP99), Replicas: []jsonReplica{}}
	if d.Optimistic {
		n := d.Conflicts
		out.Conflicts = &n
	}
	for _, r := range d.Replicas {
		out.Replicas = append(out.Replicas, jsonReplica{Instance: r.Instance, Promoted: r.Promoted, Lag: number(r.Lag),
			MeanLag: number(r.MeanLag), MaxLag: number(r.MaxLag), Applied: r.Applied, Behind: r.Behind})
	}
	return out
}

func jsonCacheOf(c *models.CacheResult) *jsonCache {
	if c == nil {
		return nil
	}
	return &jsonCache{Lookups: c.Lookups, Hits: c.Hits, Misses: c.Misses, HitRatio: number(c.HitRatio),
		TopHitRatio: number(c.TopRatio), StaleServes: c.StaleServes, NegativeHits: c.NegativeHits, Coalesced: c.Coalesced,
		EarlyRefreshes: c.EarlyRefreshes, Refreshes: c.Refreshes, OriginLoads: c.OriginLoads, Fills: c.Fills,
		Evictions: c.Evictions, Entries: c.Entries, Capacity: c.Capacity, Flushes: c.Flushes, MassExpired: c.MassExpired,
		WriteBackLost: c.WriteBackLost}
}

func jsonEjections(es []models.EjectionEvent) []jsonEjection {
	out := []jsonEjection{}
	for _, e := range es {
		out = append(out, jsonEjection{At: seconds(e.At), Instance: e.Instance, Ejected: e.Ejected, Reason: e.Reason})
	}
	return out
}

func counts(c models.Counts) jsonCounts {
	return jsonCounts{Arrivals: c.Arrivals, OK: c.OK, Error: c.Error, Timeout: c.Timeout, Rejected: c.Rejected,
		Throttled: c.Throttled, Shed: c.Shed, BreakerOpen: c.BreakerOpen, BulkheadFull: c.BulkheadFull}
}

func lat(l models.Latency) jsonLatency {
	return jsonLatency{Count: l.Count, Mean: number(l.Mean), P50: number(l.P50), P90: number(l.P90),
		P99: number(l.P99), P999: number(l.P999), Max: number(l.Max)}
}

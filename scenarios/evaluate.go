package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/expr-lang/expr/vm"
	"gonum.org/v1/gonum/stat/distuv"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
)

// Verdict is an expectation's outcome over one or more runs.
type Verdict struct {
	Expect    string // as written
	Line, Col int
	Pass      bool // over one run: it held; over replications: it held for the means
	Runs      int  // runs evaluated
	Passed    int  // runs in which it held on its own
	Err       string
	Measured  []Measured
}

// Measured is the value of one call of an expectation: the mean over the
// runs, with the half-width of its confidence interval when there are
// several.
type Measured struct {
	Src      string
	Value    float64 // NaN: no data (no OK replies, say)
	HalfCI   float64 // 0 for one run
	Unit     string  // "s", "ratio", "/s", "count", "bool", ""
	Text     string  // Value printed for people: 182.4ms, 0.6831, true
	Detail   string  // recovered(): the numbers behind the verdict
	Failures int     // recovered(): runs in which it did not hold
}

// Confidence is the level of the intervals over replications.
const Confidence = 0.95

// Evaluate checks every expectation against one run's result, or against
// several replications: each run on its own (Passed), and the means of
// every measured value (Pass). Results need their series when NeedsSeries.
func (s *Scenario) Evaluate(runs []models.Result) []Verdict {
	return evaluateAll(s.Expect, runs)
}

// evaluateAll is Evaluate for any list of expectations (expect:, a lesson
// step's check:).
func evaluateAll(es []Expectation, runs []models.Result) []Verdict {
	out := make([]Verdict, 0, len(es))
	for _, e := range es {
		v := Verdict{Expect: e.Src, Line: e.Line, Col: e.Col, Runs: len(runs)}
		for i := range runs {
			ok, err := e.run(runs[i : i+1])
			if err == nil && ok {
				v.Passed++
			}
		}
		ok, err := e.run(runs)
		v.Pass = ok && err == nil
		if err != nil {
			v.Err = err.Error()
		}
		for _, m := range e.measures {
			v.Measured = append(v.Measured, m.evaluate(runs))
		}
		out = append(out, v)
	}
	return out
}

// run evaluates the expression over the means of runs.
func (e *Expectation) run(runs []models.Result) (bool, error) {
	var machine vm.VM
	out, err := machine.Run(e.program, newCheckEnv(runs))
	if err != nil {
		return false, fmt.Errorf("%s", exprMessage(err))
	}
	b, _ := out.(bool)
	return b, nil
}

// newCheckEnv binds the expectation functions to runs: each gives the mean
// over the runs of what it measures in each.
func newCheckEnv(runs []models.Result) *checkEnv {
	num := func(fn string) func(string, ...any) float64 {
		return func(name string, args ...any) float64 {
			m := measure{fn: fn, arg: name, args: parseArgs(args)}
			v, _ := m.mean(runs)
			return v
		}
	}
	plain := func(fn string) func(string) float64 {
		return func(name string) float64 {
			v, _ := measure{fn: fn, arg: name}.mean(runs)
			return v
		}
	}
	return &checkEnv{
		P50: num("p50"), P90: num("p90"), P99: num("p99"), P999: num("p999"),
		MeanLatency: num("mean_latency"), MaxLatency: num("max_latency"),
		Goodput: num("goodput"), Throughput: num("throughput"),
		Availability: num("availability"), ErrorRate: num("error_rate"),
		Requests: num("requests"), OK: num("ok"), Errors: num("errors"),
		Timeouts: num("timeouts"), Rejected: num("rejected"),
		Utilization: plain("utilization"), MeanQueue: plain("mean_queue"), PeakQueue: plain("peak_queue"),
		Recovered: func(name string, args ...any) bool {
			r := recoveryOf(runs, name, parseArgs(args))
			return r.ok
		},
		Queue: func(name string) queueValue { return meanValue[queueValue](runs, "queue", name, "") },
		Saga:  func(name string) sagaValue { return meanValue[sagaValue](runs, "saga", name, "") },
		Autoscale: func(name string) autoscaleValue {
			return meanValue[autoscaleValue](runs, "autoscale", name, "")
		},
		Zone:  func(name string) zoneValue { return meanValue[zoneValue](runs, "zone", name, "") },
		DB:    func(name string) dbValue { return meanValue[dbValue](runs, "db", name, "") },
		Cache: func(name string) cacheValue { return meanValue[cacheValue](runs, "cache", name, "") },
		Calls: func(from, to string) callsValue { return meanValue[callsValue](runs, "calls", from, to) },
		SLO:   func(name string) sloValue { return meanValue[sloValue](runs, "slo", name, "") },
	}
}

// queueField reads one counter of a queue, summed over its groups
// (oldest_age: the oldest over them).
func queueField(r *models.Result, name, field string) float64 {
	for i := range r.Services {
		q := r.Services[i].Queue
		if r.Services[i].Name != name || q == nil {
			continue
		}
		switch field {
		case "published":
			return float64(q.Published)
		case "lost_events":
			return float64(q.LostEvents)
		case "outbox_published":
			return float64(q.OutboxPublished)
		}
		var sum, oldest float64
		for _, g := range q.Groups {
			switch field {
			case "delivered":
				sum += float64(g.Delivered)
			case "acked":
				sum += float64(g.Acked)
			case "redelivered":
				sum += float64(g.Redelivered)
			case "dead_lettered":
				sum += float64(g.DeadLettered)
			case "duplicates":
				sum += float64(g.Duplicates)
			case "backlog":
				sum += float64(g.Backlog)
			case "oldest_age":
				oldest = math.Max(oldest, g.OldestAge)
			}
		}
		if field == "oldest_age" {
			return oldest
		}
		return sum
	}
	return math.NaN()
}

func sagaField(r *models.Result, name, field string) float64 {
	for i := range r.Services {
		if r.Services[i].Name != name {
			continue
		}
		g := r.Services[i].Sagas
		switch field {
		case "started":
			return float64(g.Started)
		case "completed":
			return float64(g.Completed)
		case "compensated":
			return float64(g.Compensated)
		case "undos":
			return float64(g.Undos)
		case "undo_failures":
			return float64(g.UndoFailures)
		}
	}
	return math.NaN()
}

// dbField reads one counter of a database.
func dbField(r *models.Result, name, field string) float64 {
	for i := range r.Services {
		d := r.Services[i].Database
		if r.Services[i].Name != name || d == nil {
			continue
		}
		switch field {
		case "writes":
			return float64(d.Writes)
		case "reads":
			return float64(d.Reads)
		case "replica_reads":
			return float64(d.ReplicaReads)
		case "stale_reads":
			return float64(d.StaleReads)
		case "stale_ratio":
			if d.ReplicaReads == 0 {
				return 0
			}
			return float64(d.StaleReads) / float64(d.ReplicaReads)
		case "redirected":
			return float64(d.Redirected)
		case "lost_writes":
			return float64(d.LostWrites)
		case "failovers":
			return float64(d.Failovers)
		case "conflicts":
			return float64(d.Conflicts)
		case "max_lag", "mean_lag":
			worst := 0.0
			for _, x := range d.Replicas {
				v := x.MaxLag
				if field == "mean_lag" {
					v = x.MeanLag
				}
				if !math.IsNaN(v) {
					worst = math.Max(worst, v)
				}
			}
			return worst
		}
	}
	return math.NaN()
}

// cacheField reads one counter of a cache.
func cacheField(r *models.Result, name, field string) float64 {
	for i := range r.Services {
		c := r.Services[i].Cache
		if r.Services[i].Name != name || c == nil {
			continue
		}
		switch field {
		case "hit_ratio":
			return c.HitRatio
		case "top_hit_ratio":
			return c.TopRatio
		case "lookups":
			return float64(c.Lookups)
		case "hits":
			return float64(c.Hits)
		case "misses":
			return float64(c.Misses)
		case "stale_serves":
			return float64(c.StaleServes)
		case "coalesced":
			return float64(c.Coalesced)
		case "early_refreshes":
			return float64(c.EarlyRefreshes)
		case "origin_loads":
			return float64(c.OriginLoads)
		case "evictions":
			return float64(c.Evictions)
		}
	}
	return math.NaN()
}

// callsField reads one field of the edges from one caller to one service.
func callsField(r *models.Result, from, to, field string) float64 {
	var v callsValue
	found := false
	for _, e := range r.Edges {
		if e.Caller != from || e.Target != to {
			continue
		}
		found = true
		v.Requests += float64(e.Requests)
		v.Attempts += float64(e.Attempts)
		v.Retries += float64(e.Retries + e.Hedges)
		v.Suppressed += float64(e.Suppressed)
		v.BreakerRejected += float64(e.BreakerRejected)
		v.BulkheadRejected += float64(e.BulkheadRejected)
		v.Throttled += float64(e.ThrottledLocally)
		for _, b := range e.Breakers {
			for _, t := range b.Transitions {
				switch t.To {
				case "open":
					v.Opens++
				case "closed":
					v.Closes++
				}
			}
			switch b.State {
			case "open", "half-open", "forced-open":
				v.OpenAtEnd++
			}
		}
	}
	if !found {
		return math.NaN()
	}
	v.PoolWaitMean, v.PoolWaitP99 = math.NaN(), math.NaN()
	for _, e := range r.Edges {
		if e.Caller == from && e.Target == to && e.Pool != nil {
			v.PoolWaitMean, v.PoolWaitP99 = e.Pool.WaitMean, e.Pool.WaitP99
			v.PoolPeak = max(v.PoolPeak, float64(e.Pool.PeakInUse))
			v.AcquireTimeouts += float64(e.Pool.AcquireTimeouts)
		}
	}
	v.Amplification = math.NaN()
	if v.Requests > 0 {
		v.Amplification = v.Attempts / v.Requests
	}
	if f, ok := exprField(reflect.ValueOf(&v).Elem(), field); ok {
		return f.Float()
	}
	return math.NaN()
}

// meanValue gives the T an object function (queue(), db(), calls(), ...)
// hands an expectation: each field is fn's measure of it, averaged over runs.
func meanValue[T any](runs []models.Result, fn, arg, arg2 string) T {
	var v T
	rv := reflect.ValueOf(&v).Elem()
	for i, f := range fieldNames[T]() {
		x, _ := measure{fn: fn, arg: arg, arg2: arg2, field: f}.mean(runs)
		rv.Field(i).SetFloat(x)
	}
	return v
}

// parseArgs reads named arguments at run time; the loader has already
// checked them, so a bad one cannot occur here.
func parseArgs(args []any) callArgs {
	a := callArgs{tolerance: defaultTolerance}
	for i := 0; i+1 < len(args); i += 2 {
		key, _ := args[i].(string)
		switch key {
		case "from", "to", "within":
			var d sim.Time
			switch x := args[i+1].(type) {
			case string:
				d, _ = units.ParseDuration(x)
			default:
				d = sim.FromSeconds(toFloat(x))
			}
			switch key {
			case "from":
				a.from, a.window = d, true
			case "to":
				a.to, a.window = d, true
			default:
				a.within = d
			}
		case "tolerance":
			a.tolerance = toFloat(args[i+1])
		}
	}
	return a
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return math.NaN()
}

// evaluate gives the measured value over runs, printed.
func (m measure) evaluate(runs []models.Result) Measured {
	out := Measured{Src: m.src, Unit: unitName(m.unit)}
	if m.fn == "recovered" {
		r := recoveryOf(runs, m.arg, m.args)
		out.Value, out.Text, out.Detail = 0, "false", r.detail
		if r.ok {
			out.Value, out.Text = 1, "true"
		}
		for i := range runs {
			if !recoveryOf(runs[i:i+1], m.arg, m.args).ok {
				out.Failures++
			}
		}
		return out
	}
	out.Value, out.HalfCI = m.mean(runs)
	out.Text = formatValue(out.Value, m.unit)
	if len(runs) > 1 && !math.IsNaN(out.HalfCI) {
		out.Text += " ± " + formatValue(out.HalfCI, m.unit)
	}
	return out
}

func unitName(u unit) string {
	switch u {
	case unitSeconds:
		return "s"
	case unitRatio:
		return "ratio"
	case unitRate:
		return "/s"
	case unitCount:
		return "count"
	case unitBool:
		return "bool"
	}
	return ""
}

// formatValue prints a measured value the way the unit reads.
func formatValue(v float64, u unit) string {
	switch {
	case math.IsNaN(v):
		return "no data"
	case math.IsInf(v, 1):
		return "never"
	}
	switch u {
	case unitSeconds:
		return formatSeconds(v)
	case unitRatio:
		return strconv.FormatFloat(v, 'f', 4, 64)
	case unitRate:
		return strconv.FormatFloat(v, 'f', 1, 64) + "/s"
	case unitCount:
		if v == math.Trunc(v) {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// formatSeconds prints seconds with the unit a person would pick.
func formatSeconds(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0s"
	case a < 1e-3:
		return strconv.FormatFloat(v*1e6, 'f', 1, 64) + "µs"
	case a < 1:
		return strconv.FormatFloat(v*1e3, 'f', 1, 64) + "ms"
	case a < 120:
		return strconv.FormatFloat(v, 'f', 2, 64) + "s"
	case a < 7200:
		return strconv.FormatFloat(v/60, 'f', 1, 64) + "m"
	}
	return strconv.FormatFloat(v/3600, 'f', 1, 64) + "h"
}

// mean is the measure's mean over runs and the half-width of its
// confidence interval; runs where it has no value (NaN) are left out.
func (m measure) mean(runs []models.Result) (mean, half float64) {
	xs := make([]float64, 0, len(runs))
	for i := range runs {
		xs = append(xs, m.value(&runs[i]))
	}
	return MeanCI(xs)
}

// MeanCI is the mean of xs and the half-width of its Confidence interval:
// Student's t with n-1 degrees of freedom, because replications are
// independent runs whose per-run means are close to normal (t·s/√n). NaN
// values are left out; the mean is NaN when nothing is left, an infinite
// value makes the mean infinite, and the half-width is 0 for one value.
func MeanCI(xs []float64) (mean, half float64) {
	var sum float64
	n := 0
	for _, v := range xs {
		if math.IsNaN(v) {
			continue
		}
		if math.IsInf(v, 0) {
			return v, math.NaN()
		}
		sum += v
		n++
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = sum / float64(n)
	if n < 2 {
		return mean, 0
	}
	var ss float64 // two passes: no cancellation for large, close values
	for _, v := range xs {
		if !math.IsNaN(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-Confidence)/2)
	return mean, t * math.Sqrt(ss/float64(n-1)/float64(n))
}

// value is what the measure reads in one run.
func (m measure) value(r *models.Result) float64 {
	if m.fn == "calls" {
		return callsField(r, m.arg, m.arg2, m.field)
	}
	if m.fn == "cache" {
		return cacheField(r, m.arg, m.field)
	}
	if m.fn == "db" {
		return dbField(r, m.arg, m.field)
	}
	if m.fn == "queue" {
		return queueField(r, m.arg, m.field)
	}
	if m.fn == "saga" {
		return sagaField(r, m.arg, m.field)
	}
	if m.fn == "autoscale" {
		return autoscaleField(r, m.arg, m.field)
	}
	if m.fn == "zone" {
		return zoneField(r, m.arg, m.field)
	}
	if m.fn == "slo" {
		for _, s := range r.SLOs {
			if s.Name == m.arg {
				return sloField(s, m.field)
			}
		}
		return math.NaN()
	}
	var counts models.Counts
	var lat models.Latency
	var goodput, seconds float64
	var svc *models.ServiceResult
	found := false
	if m.args.window {
		for _, w := range r.Windows {
			if w.Component == m.arg && w.From == m.args.from && w.To == m.args.to {
				counts, lat, goodput, found = w.Counts, w.Latency, w.Goodput, true
				end := r.Now
				if w.To > 0 && w.To < end {
					end = w.To
				}
				seconds = (end - w.From).Seconds()
			}
		}
	} else {
		seconds = r.Measured.Seconds()
		for i := range r.Workloads {
			if w := &r.Workloads[i]; w.Name == m.arg {
				counts, lat, goodput, found = w.Counts, w.Latency, w.Goodput, true
			}
		}
		for i := range r.Services {
			if s := &r.Services[i]; s.Name == m.arg {
				counts, lat, goodput, found, svc = s.Counts, s.Latency, s.Goodput, true, s
			}
		}
	}
	if !found {
		return math.NaN()
	}
	switch m.fn {
	case "p50":
		return lat.P50
	case "p90":
		return lat.P90
	case "p99":
		return lat.P99
	case "p999":
		return lat.P999
	case "mean_latency":
		return lat.Mean
	case "max_latency":
		return lat.Max
	case "goodput":
		return goodput
	case "throughput":
		if seconds <= 0 {
			return 0
		}
		return float64(counts.Completed()) / seconds
	case "availability":
		if counts.Completed() == 0 {
			return 1
		}
		return float64(counts.OK) / float64(counts.Completed())
	case "error_rate":
		if counts.Completed() == 0 {
			return 0
		}
		return 1 - float64(counts.OK)/float64(counts.Completed())
	case "requests":
		return float64(counts.Arrivals)
	case "ok":
		return float64(counts.OK)
	case "errors":
		return float64(counts.Error)
	case "timeouts":
		return float64(counts.Timeout)
	case "rejected":
		return float64(counts.Rejected)
	}
	if svc == nil {
		return math.NaN()
	}
	switch m.fn {
	case "utilization":
		return svc.Utilization
	case "mean_queue":
		return svc.MeanQueue
	case "peak_queue":
		return float64(svc.PeakQueue)
	}
	return math.NaN()
}

func sloField(s models.SLOResult, field string) float64 {
	switch field {
	case "budget_remaining":
		return s.Remaining
	case "budget_consumed":
		return s.Consumed
	case "sli":
		return s.SLI
	case "total":
		return float64(s.Total)
	case "bad":
		return float64(s.Bad)
	case "pages", "tickets":
		sev := "page"
		if field == "tickets" {
			sev = "ticket"
		}
		n := 0
		for _, a := range s.Alerts {
			if a.Firing && a.Severity == sev {
				n++
			}
		}
		return float64(n)
	case "time_to_exhaustion":
		if s.TimeToExhaustion <= 0 || s.TimeToExhaustion == sim.Forever {
			return math.Inf(1)
		}
		return s.TimeToExhaustion.Seconds()
	}
	return math.NaN()
}

// recovery is the evidence behind recovered(): goodput before the first
// fault and after the last one ended plus the allowed time.
type recovery struct {
	ok     bool
	detail string
}

// recoveryOf decides recovered() over runs: the mean pre-fault goodput
// against the mean goodput from (last fault's end + within) to the end of
// the run. Goodput is read from the 1 s series, so it needs Result(true).
// It is a metastability check: a system that stays collapsed after its
// trigger is gone fails it however long it is given.
func recoveryOf(runs []models.Result, name string, a callArgs) recovery {
	var before, after float64
	for i := range runs {
		b, af, why := goodputAround(&runs[i], name, a.within)
		if why != "" {
			return recovery{detail: why}
		}
		before += b
		after += af
	}
	n := float64(len(runs))
	if n == 0 {
		return recovery{detail: "no run"}
	}
	before /= n
	after /= n
	if before < 1e-9 {
		// Nothing got through before the fault: there is nothing to
		// recover to, so recovering cannot be claimed.
		return recovery{detail: "no goodput before the fault"}
	}
	need := (1 - a.tolerance) * before
	ok := after >= need
	rel := "≥"
	if !ok {
		rel = "<"
	}
	return recovery{ok: ok, detail: fmt.Sprintf("goodput %.1f/s from %s after the last fault %s %.0f%% of the %.1f/s before it",
		after, a.within, rel, 100*(1-a.tolerance), before)}
}

// goodputAround measures one run: mean OK per second over the series
// intervals after warm-up and before the first fault started, and over
// those from the last fault's end + within on. why explains a run that
// cannot answer the question.
func goodputAround(r *models.Result, name string, within sim.Time) (before, after float64, why string) {
	var series []models.Point
	found := false
	for i := range r.Workloads {
		if r.Workloads[i].Name == name {
			series, found = r.Workloads[i].Series, true
		}
	}
	for i := range r.Services {
		if r.Services[i].Name == name {
			series, found = r.Services[i].Series, true
		}
	}
	if !found {
		return 0, 0, fmt.Sprintf("no component %q", name)
	}
	first, last := sim.Forever, sim.Time(0)
	started := false
	for _, f := range r.Faults {
		switch f.State {
		case models.FaultPending:
			continue
		case models.FaultActive:
			return 0, 0, fmt.Sprintf("fault %q is still active when the run ends", f.Name)
		}
		started = true
		first = min(first, f.Start)
		last = max(last, f.End)
	}
	if !started {
		return 0, 0, "no fault started, so there is nothing to recover from"
	}
	since := r.Now - r.Measured
	from := last + within
	if from >= r.Now {
		return 0, 0, fmt.Sprintf("the run ends at %s, before the last fault's end + %s (%s)",
			formatSeconds(r.Now.Seconds()), formatSeconds(within.Seconds()), formatSeconds(from.Seconds()))
	}
	iv := 1.0 // seconds per interval: the series' spacing
	if len(series) > 1 {
		iv = (series[len(series)-1].T - series[0].T).Seconds() / float64(len(series)-1)
	}
	step := sim.FromSeconds(iv)
	var nb, na int
	var sb, sa int64
	for _, p := range series {
		ok := p.Outcomes[models.OK]
		switch start := p.T - step; {
		case start >= since && p.T <= first:
			sb += ok
			nb++
		case start >= from:
			sa += ok
			na++
		}
	}
	if nb == 0 {
		return 0, 0, "no measured interval before the first fault to compare with (does it start during the warm-up?)"
	}
	if na == 0 {
		return 0, 0, "no complete interval after the last fault's end + within"
	}
	return float64(sb) / float64(nb) / iv, float64(sa) / float64(na) / iv, ""
}

// zoneField reads one counter of a zone.
func zoneField(r *models.Result, name, field string) float64 {
	for _, z := range r.Zones {
		if z.Name != name {
			continue
		}
		switch field {
		case "instances":
			return float64(z.Instances)
		case "up":
			return float64(z.Up)
		case "requests":
			return float64(z.Requests)
		case "cross_out":
			return float64(z.CrossOut)
		case "cross_in":
			return float64(z.CrossIn)
		case "cost":
			return z.Cost
		}
	}
	return math.NaN()
}

// autoscaleField reads one counter of an autoscaled service.
func autoscaleField(r *models.Result, name, field string) float64 {
	for i := range r.Services {
		a := r.Services[i].Autoscale
		if r.Services[i].Name != name || a == nil {
			continue
		}
		switch field {
		case "ready":
			return float64(a.Ready)
		case "provisioning":
			return float64(a.Provisioning)
		case "mean_ready":
			return a.MeanReady
		case "scale_outs":
			return float64(a.ScaleOuts)
		case "scale_ins":
			return float64(a.ScaleIns)
		}
	}
	return math.NaN()
}

package report

import (
	"fmt"
	"io"
	"math"
	"strings"

	"cascade/models"
)

// Summary writes a human-readable result: a few header lines about the run,
// then one table for the workloads (what users saw) and one for the services
// (where the time went). Latencies are of OK replies only, as in the models.
func Summary(w io.Writer, run Meta, r models.Result) {
	header := [][2]string{
		{"scenario", run.Scenario},
		{"about", run.Description},
		{"source", run.Source},
		{"seed", fmt.Sprint(run.Seed)},
		{"simulated", simulated(run, r)},
		{"measured", measured(run, r)},
		{"events", fmt.Sprint(run.Events)},
	}
	for _, h := range header {
		for i, line := range wrap(h[1], 80-11) {
			label := h[0]
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "%-10s %s\n", label, line)
		}
	}
	if run.Interrupted {
		fmt.Fprintln(w, "status     INTERRUPTED — partial results, covering only the time simulated")
	}

	extra := extraOutcomes(r)
	fmt.Fprintln(w)
	workloads(w, r.Workloads, extra)
	fmt.Fprintln(w)
	services(w, r.Services, r.Calls, extra)
	autoscaling(w, r.Services)
	caches(w, r.Services)
	databases(w, r.Services)
	queues(w, r.Services)
	zones(w, r)
	edges(w, r.Edges)
	faults(w, r.Faults)
	slos(w, r.SLOs)
	if run.Replications != nil {
		ReplicationSummary(w, run.Replications)
	}
	Expectations(w, run.Expect)
}

// simulated says how far the run got, against its plan.
func simulated(run Meta, r models.Result) string {
	switch {
	case run.Duration > 0 && run.Interrupted:
		return fmt.Sprintf("%s of %s (interrupted)", span(r.Now), span(run.Duration))
	case run.Duration > 0:
		return span(r.Now)
	case run.Interrupted:
		return fmt.Sprintf("%s (interrupted before every workload finished)", span(r.Now))
	default:
		return fmt.Sprintf("%s (until every workload finished)", span(r.Now))
	}
}

// measured says what span the statistics cover. A run interrupted during
// warm-up never discarded anything, and the reader should know.
func measured(run Meta, r models.Result) string {
	switch {
	case run.Warmup <= 0:
		return span(r.Measured)
	case r.Now < run.Warmup:
		return fmt.Sprintf("%s (the run stopped inside the %s warm-up: nothing was discarded)", span(r.Measured), span(run.Warmup))
	default:
		return fmt.Sprintf("%s after %s warm-up", span(r.Measured), span(run.Warmup))
	}
}

// extraOutcomes are the outcomes beyond ok/error/timeout/rejected that
// some component in the result has: their columns appear only then, so a
// plain scenario's tables stay narrow.
func extraOutcomes(r models.Result) []models.Outcome {
	var out []models.Outcome
	for _, o := range []models.Outcome{models.Throttled, models.Shed, models.BreakerOpen, models.BulkheadFull} {
		n := int64(0)
		for _, x := range r.Workloads {
			n += x.Counts.Of(o)
		}
		for _, x := range r.Services {
			n += x.Counts.Of(o)
		}
		if n > 0 {
			out = append(out, o)
		}
	}
	return out
}

func outcomeHeads(extra []models.Outcome) []string {
	var h []string
	for _, o := range extra {
		h = append(h, o.String())
	}
	return h
}

func outcomeCells(c models.Counts, extra []models.Outcome) []string {
	var cells []string
	for _, o := range extra {
		cells = append(cells, integer(c.Of(o)))
	}
	return cells
}

func workloads(w io.Writer, ws []models.WorkloadResult, extra []models.Outcome) {
	head := append([]string{"WORKLOAD", "requests", "ok", "error", "timeout", "rejected"}, outcomeHeads(extra)...)
	t := table{head: append(head, "goodput/s", "mean", "p50", "p90", "p99", "p99.9", "max")}
	for _, x := range ws {
		l := x.Latency
		row := append([]string{x.Name, integer(x.Arrivals), integer(x.OK), integer(x.Error), integer(x.Timeout),
			integer(x.Rejected)}, outcomeCells(x.Counts, extra)...)
		t.add(append(row, fixed(x.Goodput, 1),
			latency(l.Mean), latency(l.P50), latency(l.P90), latency(l.P99), latency(l.P999), latency(l.Max))...)
	}
	if len(ws) == 0 {
		fmt.Fprintln(w, "no workloads")
		return
	}
	t.write(w)
}

func services(w io.Writer, ss []models.ServiceResult, calls []models.CallResult, extra []models.Outcome) {
	head := append([]string{"SERVICE", "inst×wrk", "arrivals", "ok", "error", "rejected"}, outcomeHeads(extra)...)
	t := table{head: append(head, "late", "util", "queue", "peak", "p50", "p99", "little")}
	for _, s := range ss {
		row := append([]string{s.Name, shape(s), integer(s.Arrivals), integer(s.OK), integer(s.Error), integer(s.Rejected)},
			outcomeCells(s.Counts, extra)...)
		t.add(append(row, integer(s.Late), percent(s.Utilization, 1), fixed(s.MeanQueue, 2), integer(s.PeakQueue),
			latency(s.Latency.P50), latency(s.Latency.P99), little(s, calls))...)
	}
	if len(ss) == 0 {
		fmt.Fprintln(w, "no services")
		return
	}
	t.write(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "util: busy workers / workers of the instances up; queue: time-average waiting, peak: most waiting;")
	fmt.Fprintln(w, "late: replies after the caller gave up; little: |L - λW| / λW, Little's law (near 0 when steady;")
	fmt.Fprintln(w, "\"calls stuck\" when calls with no timeout never finished: L counts them, W cannot)")
	for _, s := range ss {
		var notes []string
		if s.Shed != (models.ShedCauses{}) {
			notes = append(notes, fmt.Sprintf("shed %d by queue time, %d by CoDel, %d by priority", s.Shed.QueueTimeout, s.Shed.CoDel, s.Shed.Priority))
		}
		if s.Expired > 0 {
			notes = append(notes, fmt.Sprintf("%d dropped past their deadline", s.Expired))
		}
		if s.Retried > 0 {
			notes = append(notes, fmt.Sprintf("%d arrivals were retries (%.2fx the first attempts)", s.Retried, s.Amplification))
		}
		if n := len(s.Ejections); n > 0 {
			ej := 0
			for _, e := range s.Ejections {
				if e.Ejected {
					ej++
				}
			}
			notes = append(notes, fmt.Sprintf("outlier detection ejected an instance %d times, %d ejected at the end", ej, s.Ejected))
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, "%s: %s\n", s.Name, strings.Join(notes, "; "))
		}
	}
}

// caches writes one row per cache: how often it answered, and what it
// spared or cost its origin.
func caches(w io.Writer, ss []models.ServiceResult) {
	mt := cacheTable(ss)
	t := table{head: mt.Head, rows: mt.Rows}
	if len(t.rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	t.write(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "hit: lookups answered from the cache (stale included); top-10: for the 10 most popular keys;")
	fmt.Fprintln(w, "coalesced: misses that waited on another's load; early: XFetch refreshes; origin loads: the cache's own")
	for _, s := range ss {
		if c := s.Cache; c != nil && c.WriteBackLost > 0 {
			fmt.Fprintf(w, "%s: %d write-back writes lost: the cache crashed before writing them to its store\n", s.Name, c.WriteBackLost)
		}
	}
}

// databases writes one row per database: reads and writes, where reads
// went, how many were stale, and each replica's lag.
func databases(w io.Writer, ss []models.ServiceResult) {
	mt := databaseTable(ss)
	t := table{head: mt.Head, rows: mt.Rows}
	if len(t.rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	t.write(w)
	for _, s := range ss {
		if d := s.Database; d != nil && d.Optimistic {
			fmt.Fprintf(w, "%s: optimistic writes: %d conflicts (writes that found their row committed since they read it, failed after doing their work)\n", s.Name, d.Conflicts)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "stale: replica reads that missed a committed write for their key; redirected: reads the routing sent")
	fmt.Fprintln(w, "to the primary; lost writes: committed on a primary that died before a replica received them;")
	fmt.Fprintln(w, "write p99: arrival to answer at the database, waits for semi-sync/sync acks included")
}

// queues writes one row per consumer group of each queue, then what the
// queue lost or relayed, and the sagas services ran.
func queues(w io.Writer, ss []models.ServiceResult) {
	mt := queueTable(ss)
	t := table{head: mt.Head, rows: mt.Rows, left: []bool{true, true}}
	var notes []string
	for _, s := range ss {
		q := s.Queue
		if q == nil {
			continue
		}
		if q.LostEvents > 0 || q.OutboxPublished > 0 || q.Outbox > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d events lost by dual writes; %d relayed from the outbox, %d waiting there",
				s.Name, q.LostEvents, q.OutboxPublished, q.Outbox))
		}
	}
	for _, s := range ss {
		if g := s.Sagas; g.Started > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d sagas, %d completed, %d compensated (%d undo steps, %d failed)",
				s.Name, g.Started, g.Completed, g.Compensated, g.Undos, g.UndoFailures))
		}
	}
	if len(t.rows) == 0 && len(notes) == 0 {
		return
	}
	fmt.Fprintln(w)
	if len(t.rows) > 0 {
		t.write(w)
		fmt.Fprintln(w)
		fmt.Fprintln(w, "dead: dead-lettered after max_deliveries; duplicates: messages a non-idempotent consumer handled twice;")
		fmt.Fprintln(w, "backlog: messages not yet acked; oldest: the age of the oldest of them")
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
}

// edges writes every call site under a policy: what its callers asked
// for, the attempts that took, and what the policy refused.
func edges(w io.Writer, es []models.EdgeResult) {
	if len(es) == 0 {
		return
	}
	fmt.Fprintln(w)
	t := table{head: []string{"CALL", "requests", "attempts", "×", "retries", "suppressed", "breaker", "bulkhead", "throttled", "ok", "failed", "budget"},
		left: []bool{true}}
	for _, e := range es {
		budget := "-"
		if finite(e.BudgetLevel) {
			budget = fixed(e.BudgetLevel, 1)
		}
		t.add(e.Name, integer(e.Requests), integer(e.Attempts), fixed(e.Amplification, 2), integer(e.Retries+e.Hedges),
			integer(e.Suppressed), integer(e.BreakerRejected), integer(e.BulkheadRejected), integer(e.ThrottledLocally),
			integer(e.Outcomes.OK), integer(e.Outcomes.Completed()-e.Outcomes.OK), budget)
	}
	t.write(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "×: attempts per request; suppressed: retries the budget refused; breaker, bulkhead, throttled:")
	fmt.Fprintln(w, "attempts the caller's own breaker, bulkhead or limiter refused; budget: retry budget level now")
	for _, e := range es {
		if p := e.Pool; p != nil {
			fmt.Fprintf(w, "pool %s: %d connections, %d in use at the end (peak %d in one pool, %.1f on average), %d waited (mean %s, p99 %s), %d acquire timeouts, %d refused, %d opened",
				e.Name, p.Size, p.InUse, p.PeakInUse, p.MeanInUse, p.Waited, latency(p.WaitMean), latency(p.WaitP99), p.AcquireTimeouts, p.Rejected, p.Opened)
			if p.Leaked > 0 {
				fmt.Fprintf(w, ", %d leaked", p.Leaked)
			}
			fmt.Fprintln(w)
		}
	}
	for _, e := range es {
		for _, b := range e.Breakers {
			if len(b.Transitions) == 0 {
				continue
			}
			who := e.Name
			if len(e.Breakers) > 1 {
				who += fmt.Sprintf(" [caller instance %d]", b.Instance)
			}
			fmt.Fprintf(w, "breaker %s: %s now, %d transitions:", who, b.State, len(b.Transitions))
			shown := b.Transitions
			if len(shown) > 8 {
				shown = shown[:8]
			}
			for _, tr := range shown {
				fmt.Fprintf(w, " %s %s→%s", span(tr.At), tr.From, tr.To)
			}
			if len(b.Transitions) > len(shown) {
				fmt.Fprintf(w, " … (%d more)", len(b.Transitions)-len(shown))
			}
			fmt.Fprintln(w)
		}
	}
}

// shape prints instances × workers per instance, "∞" for unlimited workers.
func shape(s models.ServiceResult) string {
	if s.Workers == 0 {
		return fmt.Sprintf("%d×∞", s.Instances)
	}
	return fmt.Sprintf("%d×%d", s.Instances, s.Workers)
}

// little is the Little's-law column: the relative gap, or "calls stuck"
// when it is far off because calls to or from the service hang (in flight
// with no time limit, models.Hung): a number like 8539% would only say the
// law does not hold, not why.
func little(s models.ServiceResult, calls []models.CallResult) string {
	e := s.Little.RelErr()
	if e > 1 || math.IsInf(e, 0) {
		for _, c := range calls {
			if c.Hung.Calls > 0 && (c.Caller == s.Name || c.Target == s.Name) {
				return "calls stuck"
			}
		}
	}
	return percent(e, 1)
}

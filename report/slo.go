package report

import (
	"fmt"
	"io"
	"strings"

	"cascade/models"
	"cascade/models/slo"
	"cascade/sim"
)

// faults writes the fault timeline: what was injected, when, and for how
// long. Nothing is written when the run had no faults.
func faults(w io.Writer, fs []models.FaultRecord) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintln(w)
	t := table{head: []string{"FAULT", "verb", "target", "start", "end", "state"}, left: []bool{true, true, true}}
	for _, f := range fs {
		start, end := "-", "-"
		if f.State != models.FaultPending {
			start = span(f.Start)
		}
		if f.State == models.FaultEnded {
			end = span(f.End)
		}
		t.add(f.Name, f.Verb.String(), f.Target, start, end, f.State.String())
	}
	t.write(w)
	deploys(w, fs)
}

// slos writes each SLO's error budget: how much is left, how fast it burns
// over each alert window, the alerts that fired, and the budget each fault
// window burned. Real times are the SLO clock's (scaled); simulated times
// are the run's.
func slos(w io.Writer, ss []models.SLOResult) {
	for _, s := range ss {
		fmt.Fprintln(w)
		about := "workload " + s.Workload
		if s.Service != "" {
			about = "service " + s.Service
		}
		sli := "availability (good = ok)"
		if s.Threshold > 0 {
			sli = "latency (good = ok within " + s.Threshold.String() + ")"
		}
		fmt.Fprintf(w, "SLO %s: %s of %s, objective %s, history %s\n", s.Name, sli, about, percent(s.Objective, 3), s.History)
		fmt.Fprintf(w, "  SLI %s over %d requests (%d bad); %s of the period's clock elapsed\n",
			percent(s.SLI, 3), s.Total, s.Bad, realSpan(s.Elapsed))
		exhaust := "never at this burn"
		switch {
		case s.TimeToExhaustion == 0:
			exhaust = "exhausted"
		case s.TimeToExhaustion != sim.Forever:
			exhaust = realSpan(s.TimeToExhaustion) + " at the current burn"
		}
		fmt.Fprintf(w, "  budget %.0f requests: %s consumed, %s remaining (%s)\n",
			s.BudgetEvents, percent(s.Consumed, 1), percent(s.Remaining, 1), exhaust)
		var burns []string
		for _, b := range s.Burn {
			burns = append(burns, fmt.Sprintf("%s %s", realSpan(b.Window), burnRate(b.Burn)))
		}
		fmt.Fprintf(w, "  burn at the end: %s\n", strings.Join(burns, ", "))
		if len(s.Alerts) == 0 {
			fmt.Fprintln(w, "  alerts: none fired")
		}
		for _, a := range s.Alerts {
			what := "resolved"
			if a.Firing {
				what = "FIRING  "
			}
			rule := ""
			if a.Rule < len(s.Rules) {
				r := s.Rules[a.Rule]
				rule = fmt.Sprintf(" %s/%s >= %s", realSpan(r.Long), realSpan(r.Short), burnRate(r.Burn))
			}
			fmt.Fprintf(w, "  alert %-6s%-16s %s at %-9s (burn %s long, %s short)\n", a.Severity, rule, what, span(a.At), burnRate(a.LongBurn), burnRate(a.ShortBurn))
		}
		for _, line := range attributionLines(s) {
			fmt.Fprintf(w, "  %s\n", line)
		}
		for _, x := range s.Warnings {
			fmt.Fprintf(w, "  warning: the %s window held %d requests at %s, fewer than %d: its burn rate means little\n",
				realSpan(x.Window), x.Events, span(x.At), x.Min)
		}
	}
}

// historyNote says, in a sentence, what an SLO's windows assumed about the
// time before it started counting.
func historyNote(h slo.History) string {
	switch {
	case !h.Virtual:
		return "history elapsed: windows longer than the run cover only what had elapsed"
	case h.Burned == 0:
		return "history clean: the time before the start counts as on-target traffic at the SLO's rate"
	}
	return "history " + h.String() + ": the time before the start counts as traffic at the SLO's rate that had spent " +
		percent(h.Burned, 0) + " of the budget"
}

func burnRate(b float64) string {
	if b >= 100 {
		return fmt.Sprintf("%.0fx", b)
	}
	return fmt.Sprintf("%.3gx", b)
}

// realSpan formats a duration of the SLO's (scaled) clock compactly:
// "3d", "6h", "5m", "52s".
func realSpan(t sim.Time) string {
	switch {
	case t >= sim.Day && t%sim.Day == 0:
		return fmt.Sprintf("%dd", t/sim.Day)
	case t >= 2*sim.Day:
		return fmt.Sprintf("%.1fd", t.Seconds()/86400)
	case t >= sim.Hour && t%sim.Hour == 0:
		return fmt.Sprintf("%dh", t/sim.Hour)
	case t >= sim.Hour:
		return fmt.Sprintf("%.1fh", t.Seconds()/3600)
	}
	return span(t)
}

// attributionLines say which fault burned how much of an SLO's budget, by
// cause: a fault is charged only for the bad events while it alone was
// active on the SLO's call path; overlaps are "shared" by the faults
// active together; faults outside the call graph are named as such.
func attributionLines(s models.SLOResult) []string {
	var out []string
	for _, a := range s.Attribution {
		if a.Outside {
			out = append(out, fmt.Sprintf("fault %s: outside this SLO's call graph, not charged", a.Name))
			continue
		}
		out = append(out, fmt.Sprintf("fault %s burned %s of the budget (%d bad events while it alone was active on the SLO's path)", a.Name, percent(a.Budget, 1), a.Bad))
	}
	charged := int64(0)
	for _, a := range s.Attribution {
		charged += a.Bad
	}
	for _, sh := range s.Shared {
		out = append(out, fmt.Sprintf("shared by %s (active together on the SLO's path): %s of the budget (%d bad events)", andList(sh.Names), percent(sh.Budget, 1), sh.Bad))
		charged += sh.Bad
	}
	if rest := s.Bad - charged; len(s.Attribution) > 0 && rest > 0 && s.BudgetEvents > 0 {
		out = append(out, fmt.Sprintf("while no fault on the SLO's path was active: %s of the budget (%d bad events)", percent(float64(rest)/s.BudgetEvents, 1), rest))
	}
	return out
}

// andList is "a", "a and b", "a, b and c".
func andList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

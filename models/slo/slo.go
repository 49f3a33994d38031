// Package slo computes error budgets, burn rates and multiwindow burn-rate
// alerts for one service level objective as a simulation runs.
//
// It is arithmetic over events (theory-and-slo.md section 1): an SLI is good
// events over valid events; the error budget is (1 - objective) of the valid
// events in a compliance period; the burn rate over a window is the bad
// fraction in that window divided by (1 - objective). Windows and the period
// are real time; Spec.Scale maps them onto simulated time so a ten-minute
// training session can stand for a month. Spec.History says what windows
// longer than the run assume came before it: nothing (elapsed, the
// default), or traffic at the SLO's measured rate, clean or with part of the
// budget spent. Memory is fixed: every window is a ring of buckets, whatever
// the run's length, and a history is arithmetic, not stored events.
package slo

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"strconv"

	"cascade/sim"
)

// Rule is one multiwindow burn-rate alert: it fires when the burn rate over
// both Long and Short (real time) is at least Burn — for For, when set — and
// resolves when that stops holding. The long window makes it significant,
// the short one makes it reset soon after the problem stops.
type Rule struct {
	Severity    string // "page" or "ticket"
	Long, Short sim.Time
	Burn        float64
	For         sim.Time // real time the condition must hold before firing; 0 = at once
}

// Spec describes one SLO's budget and alerting.
type Spec struct {
	Objective float64  // in (0, 1), e.g. 0.999
	Period    sim.Time // compliance period, real time, e.g. 30 days
	// Scale is how many real seconds one simulated second stands for: "one
	// simulated minute counts as a day" is 1440. 0 or 1 = real time.
	Scale float64
	Rules []Rule // nil: Workbook(Period)
	// MinEvents is the fewest valid events a window needs for its burn rate
	// to mean much; emptier windows are reported as warnings. 0 = 100,
	// because at 99.9% a single bad event among 100 is already burn 10.
	MinEvents int
	// History is what the windows and the period assume came before the
	// start; the zero value is "elapsed": nothing did.
	History History
}

// History is what an SLO assumes about the time before it started
// counting. A window longer than the time elapsed so far is, by default
// (Virtual false, "elapsed"), computed over what has elapsed, as a fresh
// Prometheus series is: a 3-day window one hour in is a 1-hour window.
// With Virtual, the part of every window (and of the period) before the
// start counts as traffic at the SLO's own rate, measured over the first
// simulated minute (RateWindow), all of it good ("clean": a service with
// a clean month behind it, so the SRE Workbook's detection times hold
// from the start) or with Burned of the period's budget already spent,
// spread evenly over the period before the start.
type History struct {
	Virtual bool
	Burned  float64 // with Virtual: the fraction of the budget already spent, in [0, 1]
}

// RateWindow is the simulated time over which a virtual history measures
// the SLO's rate; until it has passed, the rate so far stands for it.
const RateWindow = sim.Minute

// String is how scenarios spell the history: "elapsed", "clean" or
// "burned 40%".
func (h History) String() string {
	switch {
	case !h.Virtual:
		return "elapsed"
	case h.Burned == 0:
		return "clean"
	}
	return "burned " + strconv.FormatFloat(100*h.Burned, 'f', -1, 64) + "%"
}

// Burn-rate arithmetic of theory-and-slo.md 1.1 and 1.2, exact.

// BurnRate is the bad fraction over a window divided by the error budget
// fraction 1 - objective.
func BurnRate(badFraction, objective float64) float64 { return badFraction / (1 - objective) }

// BudgetConsumed is the fraction of a period's budget that burning at rate
// burn for window consumes: b·w/P.
func BudgetConsumed(burn float64, window, period sim.Time) float64 {
	return burn * float64(window) / float64(period)
}

// BurnThreshold is the burn rate that consumes fraction of the budget within
// window: f·P/w.
func BurnThreshold(fraction float64, window, period sim.Time) float64 {
	return fraction * float64(period) / float64(window)
}

// DetectionTime is how long a constant error ratio takes to push the burn
// over window to burn, starting from a clean window: ((1-s)/e)·w·b. It is
// sim.Forever when the ratio can never reach it.
func DetectionTime(objective, errorRatio float64, window sim.Time, burn float64) sim.Time {
	if errorRatio <= 0 || BurnRate(errorRatio, objective) < burn*(1-1e-12) {
		return sim.Forever
	}
	return sim.FromSeconds((1 - objective) / errorRatio * window.Seconds() * burn)
}

// TimeToExhaust is how long a whole budget lasts at a constant burn: P/b.
func TimeToExhaust(burn float64, period sim.Time) sim.Time {
	if burn <= 0 {
		return sim.Forever
	}
	return sim.FromSeconds(period.Seconds() / burn)
}

// Workbook is the SRE Workbook's table: page when 2% of the budget burns in
// 1h (confirmed over 5m) or 5% in 6h (30m); ticket when 10% burns in 3d
// (6h). The fractions are what the table means, so for a period other than
// 30 days the thresholds follow b = f·P/w (28 days: 13.44, 5.6, 0.933).
func Workbook(period sim.Time) []Rule {
	h := sim.Hour
	return []Rule{
		{Severity: "page", Long: h, Short: 5 * sim.Minute, Burn: BurnThreshold(0.02, h, period)},
		{Severity: "page", Long: 6 * h, Short: 30 * sim.Minute, Burn: BurnThreshold(0.05, 6*h, period)},
		{Severity: "ticket", Long: 3 * sim.Day, Short: 6 * h, Burn: BurnThreshold(0.10, 3*sim.Day, period)},
	}
}

// Sloth is the Workbook's table as Sloth encodes it, with a fourth, quicker
// ticket: 10% of the budget in 1d (2h), burn 3 for 30 days.
func Sloth(period sim.Time) []Rule {
	r := Workbook(period)
	quick := Rule{Severity: "ticket", Long: sim.Day, Short: 2 * sim.Hour, Burn: BurnThreshold(0.10, sim.Day, period)}
	return []Rule{r[0], r[1], quick, r[2]}
}

// Pyrra is Pyrra's table, defined for 28 days: its windows (and holding
// times) scale with the period, its factors 14, 7, 2 and 1 do not.
// Critical alerts page, warnings make tickets.
func Pyrra(period sim.Time) []Rule {
	k := float64(period) / float64(28*sim.Day)
	sc := func(t sim.Time) sim.Time { return sim.Time(math.Round(float64(t) * k)) }
	h, m := sim.Hour, sim.Minute
	return []Rule{
		{Severity: "page", Long: sc(h), Short: sc(5 * m), Burn: 14, For: sc(2 * m)},
		{Severity: "page", Long: sc(6 * h), Short: sc(30 * m), Burn: 7, For: sc(15 * m)},
		{Severity: "ticket", Long: sc(sim.Day), Short: sc(2 * h), Burn: 2, For: sc(h)},
		{Severity: "ticket", Long: sc(4 * sim.Day), Short: sc(6 * h), Burn: 1, For: sc(3 * h)},
	}
}

// PresetNames lists the alert tables Preset knows.
func PresetNames() []string { return []string{"workbook", "sloth", "pyrra"} }

// Preset returns the named alert table for period.
func Preset(name string, period sim.Time) ([]Rule, bool) {
	switch name {
	case "workbook":
		return Workbook(period), true
	case "sloth":
		return Sloth(period), true
	case "pyrra":
		return Pyrra(period), true
	}
	return nil, false
}

// Event is an alert starting or stopping.
type Event struct {
	At                  sim.Time // simulated
	Severity            string
	Rule                int  // index into the rules
	Firing              bool // true: started firing; false: resolved
	LongBurn, ShortBurn float64
}

// Warning says a window held too few events for its burn rate to mean much.
type Warning struct {
	At     sim.Time // simulated
	Window sim.Time // real
	Events int64
	Min    int
}

// WindowBurn is the burn rate over one window.
type WindowBurn struct {
	Window sim.Time // real
	Burn   float64
	Events int64
}

// Status is a snapshot of the budget.
type Status struct {
	Objective  float64
	Total, Bad int64    // since the start
	SLI        float64  // good / total; 1 when there is nothing yet
	Elapsed    sim.Time // real time since the start
	// BudgetEvents is (1 - objective) × the valid events of one period:
	// projected from the traffic so far while less than a period has
	// passed, counted over the trailing period after. With steady traffic,
	// Consumed is then the average burn × Elapsed / Period — the workbook's
	// "burning at b for w consumes b·w/P".
	BudgetEvents     float64
	Consumed         float64 // bad events in the period / BudgetEvents; may pass 1
	Remaining        float64 // 1 - Consumed; may be negative
	Burn             []WindowBurn
	TimeToExhaustion sim.Time // real; at the burn over the shortest long window
	Firing           []string // severities firing now, sorted
	History          History  // what the windows assumed before the start
}

// ring counts events in the buckets of one window, so a sliding window
// costs fixed memory. The oldest bucket counts pro rata to the part of it
// still inside the window: exact for traffic that is steady within a bucket.
type ring struct {
	real       sim.Time // the window, real time
	width      sim.Time // bucket width, simulated
	total, bad []int64  // buckets+1 of them
	cur        int64    // bucket index of the newest bucket
	sumT, sumB int64    // over every bucket held
}

const buckets = 120

func newRing(real sim.Time, scale float64) *ring {
	w := sim.Time(math.Ceil(float64(real) / scale / buckets))
	return &ring{real: real, width: max(w, 1), total: make([]int64, buckets+1), bad: make([]int64, buckets+1)}
}

// roll moves the ring to now, emptying the buckets that left.
func (r *ring) roll(now sim.Time) {
	b := int64(now / r.width)
	if b <= r.cur {
		return
	}
	n := int64(len(r.total))
	for i := r.cur + 1; i <= b && i <= r.cur+n; i++ {
		k := i % n
		r.sumT -= r.total[k]
		r.sumB -= r.bad[k]
		r.total[k], r.bad[k] = 0, 0
	}
	r.cur = b
}

func (r *ring) add(now sim.Time, good bool) {
	r.roll(now)
	k := r.cur % int64(len(r.total))
	r.total[k]++
	r.sumT++
	if !good {
		r.bad[k]++
		r.sumB++
	}
}

// counts returns the events of [now - window, now]; call roll(now) first.
func (r *ring) counts(now sim.Time) (total, bad float64) {
	n := int64(len(r.total))
	oldest := (r.cur + 1) % n // the bucket partly out of the window
	into := float64(now-sim.Time(r.cur)*r.width) / float64(r.width)
	total = float64(r.sumT-r.total[oldest]) + (1-into)*float64(r.total[oldest])
	bad = float64(r.sumB-r.bad[oldest]) + (1-into)*float64(r.bad[oldest])
	return total, bad
}

// Tracker follows one SLO through a run.
type Tracker struct {
	spec  Spec
	start sim.Time
	step  sim.Time // evaluation grid, simulated
	next  sim.Time // next evaluation instant

	windows []*ring // every distinct window, ascending
	period  *ring
	rules   []ruleState

	total, bad int64
	// rate is the SLO's traffic in events per real second, for a virtual
	// history: fixed once RateWindow has passed (rated), the rate so far
	// before.
	rate     float64
	rated    bool
	events   []Event
	reported int // events already returned by Advance
	warnings []Warning
	warned   []bool // per window
}

type ruleState struct {
	Rule
	long, short *ring
	firing      bool
	since       sim.Time // simulated: when the condition started holding; -1 = not holding
}

// New starts tracking spec from the simulated instant start.
func New(spec Spec, start sim.Time) (*Tracker, error) {
	if !(spec.Objective > 0 && spec.Objective < 1) {
		return nil, errors.New("objective must be in (0, 1)")
	}
	if spec.Period <= 0 {
		return nil, errors.New("period must be > 0")
	}
	if spec.Scale <= 0 {
		spec.Scale = 1
	}
	if spec.Rules == nil {
		spec.Rules = Workbook(spec.Period)
	}
	if spec.MinEvents <= 0 {
		spec.MinEvents = 100
	}
	if h := spec.History; !(h.Burned >= 0 && h.Burned <= 1) {
		return nil, errors.New("history: the budget already burned must be in [0, 1]")
	} else if h.Burned > 0 && !h.Virtual {
		return nil, errors.New("history: a burned budget needs a virtual history")
	}
	t := &Tracker{spec: spec, start: start, period: newRing(spec.Period, spec.Scale)}
	find := func(w sim.Time) *ring {
		for _, r := range t.windows {
			if r.real == w {
				return r
			}
		}
		r := newRing(w, spec.Scale)
		t.windows = append(t.windows, r)
		return r
	}
	shortest := sim.Forever
	for _, r := range spec.Rules {
		if r.Long <= 0 || r.Short <= 0 {
			return nil, errors.New("alert windows must be > 0")
		}
		t.rules = append(t.rules, ruleState{Rule: r, long: find(r.Long), short: find(r.Short), since: -1})
		shortest = min(shortest, r.Short)
	}
	slices.SortFunc(t.windows, func(a, b *ring) int { return cmp.Compare(a.real, b.real) })
	t.warned = make([]bool, len(t.windows))
	if shortest == sim.Forever {
		shortest = spec.Period / 8640 // no rules: evaluate every 5 minutes of a 30-day period
	}
	// Evaluate 300 times per shortest window: 1 s of real time for 5 m.
	t.step = max(sim.Time(float64(shortest)/spec.Scale/300), 1)
	t.next = start + t.step
	return t, nil
}

// Record counts one valid event at simulated time now.
func (t *Tracker) Record(now sim.Time, good bool) {
	if now >= t.next {
		t.evaluate(now)
	}
	t.measure(now)
	t.total++
	if !good {
		t.bad++
	}
	for _, r := range t.windows {
		r.add(now, good)
	}
	t.period.add(now, good)
}

// Advance moves the tracker to now and returns the alert transitions since
// the last call, in time order. Rules are evaluated on a fixed grid, not at
// call times, so how often Advance is called never changes the result. The
// returned slice shares memory with the tracker: do not modify it.
func (t *Tracker) Advance(now sim.Time) []Event {
	if now >= t.next {
		t.evaluate(now)
	}
	fresh := t.events[t.reported:len(t.events):len(t.events)]
	t.reported = len(t.events)
	return fresh
}

// evaluate runs the rules at every grid instant up to now, before the
// events of now are counted.
func (t *Tracker) evaluate(now sim.Time) {
	for ; t.next <= now; t.next += t.step {
		g := t.next
		t.measure(g)
		for _, r := range t.windows {
			r.roll(g)
		}
		for i := range t.rules {
			t.rule(i, g)
		}
		t.checkTraffic(g)
	}
}

// measure fixes a virtual history's rate once RateWindow has passed. It
// runs before the events of now are counted, so the rate is over exactly
// the events of [start, start + RateWindow).
func (t *Tracker) measure(now sim.Time) {
	if t.spec.History.Virtual && !t.rated && now >= t.start+RateWindow {
		t.rate = float64(t.total) / (RateWindow.Seconds() * t.spec.Scale)
		t.rated = true
	}
}

// trafficRate is the rate a virtual history assumes at now, in events per
// real second.
func (t *Tracker) trafficRate(now sim.Time) float64 {
	if t.rated {
		return t.rate
	}
	if el := t.elapsed(now).Seconds(); el > 0 {
		return float64(t.total) / el
	}
	return 0
}

// virtual is what a virtual history adds to a window of w (real time) at
// now: the part of it before the start, at the measured rate, with
// History.Burned of a period's budget spread evenly over the period before
// the start. Nothing with an elapsed history or once w has elapsed.
func (t *Tracker) virtual(w, now sim.Time) (total, bad float64) {
	h := t.spec.History
	past := w - t.elapsed(now)
	if !h.Virtual || past <= 0 {
		return 0, 0
	}
	rate := t.trafficRate(now)
	total = rate * past.Seconds()
	bad = h.Burned * (1 - t.spec.Objective) * rate * min(past, t.spec.Period).Seconds()
	return total, bad
}

// windowCounts are the events of window r at now, the virtual history's
// included; call r.roll(now) first.
func (t *Tracker) windowCounts(r *ring, at sim.Time) (total, bad float64) {
	total, bad = r.counts(at)
	vt, vb := t.virtual(r.real, at)
	return total + vt, bad + vb
}

func (t *Tracker) burn(r *ring, at sim.Time) (burn float64, events float64) {
	total, bad := t.windowCounts(r, at)
	if total <= 0 {
		return 0, 0
	}
	return BurnRate(bad/total, t.spec.Objective), total
}

func (t *Tracker) rule(i int, at sim.Time) {
	r := &t.rules[i]
	lb, _ := t.burn(r.long, at)
	sb, _ := t.burn(r.short, at)
	holds := lb >= r.Burn && sb >= r.Burn
	switch {
	case holds && r.since < 0:
		r.since = at
	case !holds:
		r.since = -1
	}
	fire := holds && float64(at-r.since)*t.spec.Scale >= float64(r.For)
	if fire != r.firing {
		r.firing = fire
		e := Event{At: at, Severity: r.Severity, Rule: i, Firing: fire, LongBurn: lb, ShortBurn: sb}
		t.events = append(t.events, e)
	}
}

// checkTraffic warns, once per window, when a window that has been open
// its whole length holds fewer events than the minimum. With a virtual
// history every window is whole from the start, counted once the rate is
// measured.
func (t *Tracker) checkTraffic(at sim.Time) {
	for i, r := range t.windows {
		if t.warned[i] {
			continue
		}
		if t.spec.History.Virtual {
			if !t.rated {
				continue
			}
		} else if float64(at-t.start)*t.spec.Scale < float64(r.real) {
			continue
		}
		if total, _ := t.windowCounts(r, at); total < float64(t.spec.MinEvents) {
			t.warned[i] = true
			t.warnings = append(t.warnings, Warning{At: at, Window: r.real, Events: int64(total), Min: t.spec.MinEvents})
		}
	}
}

// Rules are the alert rules in force (the preset when Spec.Rules was nil).
func (t *Tracker) Rules() []Rule {
	out := make([]Rule, len(t.rules))
	for i, r := range t.rules {
		out[i] = r.Rule
	}
	return out
}

// Bad is the number of bad events since the start.
func (t *Tracker) Bad() int64 { return t.bad }

// Total is the number of valid events since the start.
func (t *Tracker) Total() int64 { return t.total }

// Events returns every alert transition so far.
func (t *Tracker) Events() []Event { return slices.Clone(t.events) }

// Warnings returns the low-traffic warnings so far.
func (t *Tracker) Warnings() []Warning { return slices.Clone(t.warnings) }

func (t *Tracker) elapsed(now sim.Time) sim.Time {
	return sim.Time(float64(now-t.start) * t.spec.Scale)
}

// periodCounts are the events the budget is measured against: all of them
// (and a virtual history's part of the period) until a whole period has
// passed, then the trailing period's.
func (t *Tracker) periodCounts(now sim.Time) (total, bad float64) {
	if t.elapsed(now) < t.spec.Period {
		vt, vb := t.virtual(t.spec.Period, now)
		return float64(t.total) + vt, float64(t.bad) + vb
	}
	t.period.roll(now)
	return t.period.counts(now)
}

// BudgetEvents is the budget in events; see Status.
func (t *Tracker) BudgetEvents(now sim.Time) float64 {
	total, _ := t.periodCounts(now)
	el := t.elapsed(now)
	if el <= 0 {
		return 0
	}
	if el < t.spec.Period && !t.spec.History.Virtual {
		// A virtual history fills the period already; else project.
		total *= float64(t.spec.Period) / float64(el)
	}
	return (1 - t.spec.Objective) * total
}

// Status is a snapshot at now; call Advance(now) first.
func (t *Tracker) Status(now sim.Time) Status {
	s := Status{Objective: t.spec.Objective, Total: t.total, Bad: t.bad, SLI: 1, Elapsed: t.elapsed(now),
		BudgetEvents: t.BudgetEvents(now), TimeToExhaustion: sim.Forever, History: t.spec.History}
	if t.total > 0 {
		s.SLI = 1 - float64(t.bad)/float64(t.total)
	}
	if s.BudgetEvents > 0 {
		_, bad := t.periodCounts(now)
		s.Consumed = bad / s.BudgetEvents
	}
	s.Remaining = 1 - s.Consumed
	for _, r := range t.windows {
		r.roll(now)
		b, n := t.burn(r, now)
		s.Burn = append(s.Burn, WindowBurn{Window: r.real, Burn: b, Events: int64(math.Round(n))})
	}
	if len(t.rules) > 0 {
		shortestLong := t.rules[0].long
		for _, r := range t.rules {
			if r.long.real < shortestLong.real {
				shortestLong = r.long
			}
		}
		b, _ := t.burn(shortestLong, now)
		switch {
		case s.Remaining <= 0:
			s.TimeToExhaustion = 0
		case b > 0:
			s.TimeToExhaustion = sim.FromSeconds(s.Remaining * TimeToExhaust(b, t.spec.Period).Seconds())
		}
	}
	for _, r := range t.rules {
		if r.firing && !slices.Contains(s.Firing, r.Severity) {
			s.Firing = append(s.Firing, r.Severity)
		}
	}
	slices.Sort(s.Firing)
	return s
}

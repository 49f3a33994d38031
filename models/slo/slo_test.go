package slo

import (
	"math"
	"testing"

	"cascade/sim"
)

const month = 30 * sim.Day

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// theory-and-slo.md 1.2: the workbook's thresholds are b = f·P/w.
func TestPresets(t *testing.T) {
	for _, c := range []struct {
		name   string
		rules  []Rule
		burns  []float64
		longs  []sim.Time
		shorts []sim.Time
	}{
		{"workbook 30d", Workbook(month), []float64{14.4, 6, 1},
			[]sim.Time{sim.Hour, 6 * sim.Hour, 3 * sim.Day}, []sim.Time{5 * sim.Minute, 30 * sim.Minute, 6 * sim.Hour}},
		{"workbook 28d", Workbook(28 * sim.Day), []float64{13.44, 5.6, 0.9333}, nil, nil},
		{"sloth 30d", Sloth(month), []float64{14.4, 6, 3, 1},
			[]sim.Time{sim.Hour, 6 * sim.Hour, sim.Day, 3 * sim.Day}, []sim.Time{5 * sim.Minute, 30 * sim.Minute, 2 * sim.Hour, 6 * sim.Hour}},
		{"pyrra 28d", Pyrra(28 * sim.Day), []float64{14, 7, 2, 1},
			[]sim.Time{sim.Hour, 6 * sim.Hour, sim.Day, 4 * sim.Day}, []sim.Time{5 * sim.Minute, 30 * sim.Minute, 2 * sim.Hour, 6 * sim.Hour}},
		{"pyrra 14d", Pyrra(14 * sim.Day), []float64{14, 7, 2, 1},
			[]sim.Time{30 * sim.Minute, 3 * sim.Hour, 12 * sim.Hour, 2 * sim.Day}, nil},
	} {
		if len(c.rules) != len(c.burns) {
			t.Errorf("%s: %d rules", c.name, len(c.rules))
			continue
		}
		for i, r := range c.rules {
			if !near(r.Burn, c.burns[i], 1e-3) {
				t.Errorf("%s rule %d: burn %v, want %v", c.name, i, r.Burn, c.burns[i])
			}
			if c.longs != nil && r.Long != c.longs[i] {
				t.Errorf("%s rule %d: long %v, want %v", c.name, i, r.Long, c.longs[i])
			}
			if c.shorts != nil && r.Short != c.shorts[i] {
				t.Errorf("%s rule %d: short %v, want %v", c.name, i, r.Short, c.shorts[i])
			}
		}
	}
}

// theory-and-slo.md 1.1 and 1.2, the worked numbers.
func TestFormulas(t *testing.T) {
	for _, c := range []struct {
		ratio float64
		want  sim.Time
	}{{1, sim.FromSeconds(51.84)}, {0.1, sim.FromSeconds(8.64 * 60)}, {0.0144, sim.Hour}, {0.01, sim.Forever}} {
		got := DetectionTime(0.999, c.ratio, sim.Hour, 14.4)
		if math.Abs(float64(got-c.want)) > float64(sim.Millisecond) {
			t.Errorf("detection at %v errors: %v, want %v", c.ratio, got, c.want)
		}
	}
	if got := BudgetConsumed(1000, sim.Hour, month); !near(got, 1/(720*0.001), 1e-9) {
		t.Errorf("1 h full outage consumes %v", got)
	}
	if got := BudgetConsumed(1000, 5*sim.Minute, month); !near(got, 0.1157, 1e-4) {
		t.Errorf("5 min full outage consumes %v", got)
	}
	for burn, want := range map[float64]sim.Time{1: month, 2: 15 * sim.Day, 6: 5 * sim.Day, 10: 3 * sim.Day,
		14.4: 50 * sim.Hour, 36: 20 * sim.Hour, 1000: sim.FromSeconds(43.2 * 60)} {
		if got := TimeToExhaust(burn, month); math.Abs(float64(got-want)) > float64(sim.Millisecond) {
			t.Errorf("exhaustion at burn %v: %v, want %v", burn, got, want)
		}
	}
	if got := BurnThreshold(0.02, sim.Hour, month); !near(got, 14.4, 1e-9) {
		t.Errorf("threshold %v", got)
	}
}

// feed sends n events per simulated second from `from` to `to`, bad with
// probability pattern given by bad(i) over the event index.
func feed(tr *Tracker, from, to sim.Time, perSec int, bad func(at sim.Time) bool) {
	gap := sim.Second / sim.Time(perSec)
	for at := from; at < to; at += gap {
		tr.Record(at, !bad(at))
	}
}

// firstFiring finds the first firing of the 1h/5m page rule: the rule the
// reference's detection times are for (the 6h rule, seeing only a couple
// of hours of history, may fire too).
func firstFiring(evs []Event, severity string) (Event, bool) {
	for _, e := range evs {
		if e.Firing && e.Severity == severity && e.Rule == 0 {
			return e, true
		}
	}
	return Event{}, false
}

func TestFullOutagePagesAfter52Seconds(t *testing.T) {
	for _, scale := range []float64{1, 1440} {
		// Two real hours of clean traffic, then a full outage.
		sc := func(real sim.Time) sim.Time { return sim.Time(float64(real) / scale) }
		tr, err := New(Spec{Objective: 0.999, Period: month, Scale: scale}, 0)
		if err != nil {
			t.Fatal(err)
		}
		outage := sc(2 * sim.Hour)
		rate := int(1000 * scale) // events per simulated second
		feed(tr, 0, outage+sc(20*sim.Minute), rate, func(at sim.Time) bool { return at >= outage && at < outage+sc(10*sim.Minute) })
		evs := tr.Advance(outage + sc(20*sim.Minute))
		e, ok := firstFiring(evs, "page")
		if !ok {
			t.Fatalf("scale %v: no page", scale)
		}
		real := float64(e.At-outage) * scale / float64(sim.Second)
		if !near(real, 51.84, 1.0) {
			t.Errorf("scale %v: paged %.2f real seconds into the outage, want 51.84", scale, real)
		}
		// It resolves once the 5-minute window is clean again.
		var resolved sim.Time
		for _, e := range tr.Events() {
			if !e.Firing && e.Rule == 0 {
				resolved = e.At
			}
		}
		if got := float64(resolved-outage-sc(10*sim.Minute)) * scale / float64(sim.Second); resolved == 0 || got < 0 || got > 5*60+1 {
			t.Errorf("scale %v: resolved %.1f s after the outage ended, want within the 5 min short window", scale, got)
		}
	}
}

func TestTenPercentErrorsPageAfter8Minutes(t *testing.T) {
	tr, _ := New(Spec{Objective: 0.999, Period: month}, 0)
	start := sim.Hour
	i := 0
	feed(tr, 0, start+20*sim.Minute, 100, func(at sim.Time) bool {
		i++
		return at >= start && i%10 == 0
	})
	e, ok := firstFiring(tr.Events(), "page")
	if !ok {
		t.Fatal("no page")
	}
	if got := (e.At - start).Seconds() / 60; !near(got, 8.64, 0.05) {
		t.Errorf("paged after %.2f min, want 8.64", got)
	}
}

func TestSteadyBurnBelowThresholdNeverFiresButEmptiesTheBudget(t *testing.T) {
	// A 35x burn under a rule at 36: never fires, yet the budget is gone
	// after 720/35 hours (theory-and-slo.md 1.2).
	rules := []Rule{{Severity: "page", Long: sim.Hour, Short: 5 * sim.Minute, Burn: 36}}
	scale := 3600.0 // a simulated second is an hour
	tr, _ := New(Spec{Objective: 0.999, Period: month, Scale: scale, Rules: rules}, 0)
	i := 0
	end := sim.FromSeconds(720.0 / 35)
	// 35 bad in every 1000, spread evenly.
	feed(tr, 0, end, 100000, func(sim.Time) bool { i++; return (i*35)%1000 < 35 })
	tr.Advance(end)
	if evs := tr.Events(); len(evs) != 0 {
		t.Errorf("fired: %+v", evs)
	}
	if s := tr.Status(end); !near(s.Consumed, 1, 0.01) {
		t.Errorf("consumed %.4f after 720/35 h at burn 35, want 1", s.Consumed)
	}
}

func TestOneHourOutageConsumes139Percent(t *testing.T) {
	scale := 60.0
	tr, _ := New(Spec{Objective: 0.999, Period: month, Scale: scale}, 0)
	sc := func(real sim.Time) sim.Time { return sim.Time(float64(real) / scale) }
	end := sc(10 * sim.Hour)
	feed(tr, 0, end, 1000, func(at sim.Time) bool { return at >= sc(2*sim.Hour) && at < sc(3*sim.Hour) })
	s := tr.Status(end)
	// theory-and-slo.md 1.2: a 1 h full outage at 99.9% over 30 days
	// consumes 1/(720 × 0.001) of the budget.
	if want := 1 / (720 * 0.001); !near(s.Consumed, want, 0.01) {
		t.Errorf("consumed %.4f, want %.4f", s.Consumed, want)
	}
	if s.Remaining >= 0 || s.TimeToExhaustion != 0 {
		t.Errorf("remaining %.3f, exhaustion %v", s.Remaining, s.TimeToExhaustion)
	}
}

func TestLowTrafficWarnsOnlyWhenWindowsAreThin(t *testing.T) {
	thin, _ := New(Spec{Objective: 0.999, Period: month}, 0)
	feed(thin, 0, 2*sim.Hour, 1, func(sim.Time) bool { return false }) // 300 per 5 min: above the default 100
	thick, _ := New(Spec{Objective: 0.999, Period: month}, 0)
	feed(thick, 0, 2*sim.Hour, 100, func(sim.Time) bool { return false })
	sparse, _ := New(Spec{Objective: 0.999, Period: month, MinEvents: 1000}, 0)
	feed(sparse, 0, 2*sim.Hour, 1, func(sim.Time) bool { return false })
	if w := thick.Warnings(); len(w) != 0 {
		t.Errorf("warnings at 100/s: %+v", w)
	}
	if w := thin.Warnings(); len(w) != 0 {
		t.Errorf("warnings at 1/s with min 100: %+v", w)
	}
	w := sparse.Warnings()
	if len(w) != 1 || w[0].Window != 5*sim.Minute || w[0].Events != 300 {
		t.Errorf("at 1/s with min 1000 want one warning for the 5 min window (300 events), got %+v", w)
	}
}

func TestAdvanceFrequencyDoesNotMatter(t *testing.T) {
	run := func(every sim.Time) []Event {
		tr, _ := New(Spec{Objective: 0.999, Period: month, Scale: 1440}, 0)
		gap := sim.Millisecond
		last := sim.Time(0)
		for at := sim.Time(0); at < 20*sim.Second; at += gap {
			tr.Record(at, !(at > 5*sim.Second && at < 9*sim.Second))
			if every > 0 && at-last >= every {
				tr.Advance(at)
				last = at
			}
		}
		tr.Advance(20 * sim.Second)
		return tr.Events()
	}
	a, b, c := run(0), run(sim.Millisecond), run(10*sim.Millisecond)
	if len(a) == 0 || len(a) != len(b) || len(a) != len(c) {
		t.Fatalf("events %d %d %d", len(a), len(b), len(c))
	}
	for i := range a {
		if a[i] != b[i] || a[i] != c[i] {
			t.Errorf("event %d differs: %+v %+v %+v", i, a[i], b[i], c[i])
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	tr, _ := New(Spec{Objective: 0.999, Period: month, Scale: 60}, 0)
	at := sim.Time(0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		at += 100 * sim.Microsecond
		tr.Record(at, i%100 != 0)
	}
}

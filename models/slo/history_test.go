package slo

import (
	"testing"

	"cascade/sim"
)

func TestHistoryString(t *testing.T) {
	for _, c := range []struct {
		h    History
		want string
	}{{History{}, "elapsed"}, {History{Virtual: true}, "clean"}, {History{Virtual: true, Burned: 0.4}, "burned 40%"}, {History{Virtual: true, Burned: 1}, "burned 100%"}} {
		if got := c.h.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.h, got, c.want)
		}
	}
}

func TestHistoryRejected(t *testing.T) {
	for _, h := range []History{{Virtual: true, Burned: -0.1}, {Virtual: true, Burned: 1.5}, {Burned: 0.2}} {
		if _, err := New(Spec{Objective: 0.999, Period: month, History: h}, 0); err == nil {
			t.Errorf("%+v accepted", h)
		}
	}
}

// transitions returns, per rule, when it first fired and when it last
// resolved, in real seconds of the SLO clock; -1 when it did not.
func transitions(evs []Event, rules int, scale float64) (fired, resolved []float64) {
	fired, resolved = make([]float64, rules), make([]float64, rules)
	for i := range fired {
		fired[i], resolved[i] = -1, -1
	}
	for _, e := range evs {
		at := e.At.Seconds() * scale
		switch {
		case e.Firing && fired[e.Rule] < 0:
			fired[e.Rule] = at
		case !e.Firing:
			resolved[e.Rule] = at
		}
	}
	return fired, resolved
}

// The SRE Workbook's full-outage case, theory-and-slo.md 1.2: a 99.9% /
// 30-day SLO, its three multiwindow rules, a full outage from t = 1 h to
// 2 h. With a clean history each rule fires after ((1-s)/1)·w·b of the
// outage — 51.84 s, 2.16 min, 4.32 min — and resolves when its short
// window's bad fraction drops under b·(1-s): after short·(1 - b(1-s)) of
// clean traffic, 295.68 s, 29.82 min and 359.64 min. An elapsed history
// sees the long windows as long as the run so far (1 h at the outage), so
// the 6h and 3d rules fire after 1h·b(1-s)/(1-b(1-s)): 21.7 s and 3.6 s.
// Rules are evaluated every real second, the tolerance.
func TestWorkbookFullOutageTimings(t *testing.T) {
	rules := Workbook(month)
	clean := []float64{51.84, 129.6, 259.2}
	for i, r := range rules {
		if d := DetectionTime(0.999, 1, r.Long, r.Burn).Seconds(); !near(d, clean[i], 1e-9) {
			t.Fatalf("rule %d: the formula says %v s, the table %v", i, d, clean[i])
		}
	}
	for _, c := range []struct {
		history       History
		scale         float64
		fire, resolve []float64 // seconds after the outage starts, after it ends
	}{
		{History{Virtual: true}, 1, clean, []float64{295.68, 1789.2, 21578.4}},
		{History{Virtual: true}, 1440, clean, []float64{295.68, 1789.2, 21578.4}},
		{History{}, 1, []float64{51.84, 3600 * 0.006 / 0.994, 3600 * 0.001 / 0.999}, nil},
	} {
		sc := func(real sim.Time) sim.Time { return sim.Time(float64(real) / c.scale) }
		tr, err := New(Spec{Objective: 0.999, Period: month, Scale: c.scale, History: c.history}, 0)
		if err != nil {
			t.Fatal(err)
		}
		from, to := sc(sim.Hour), sc(2*sim.Hour)
		end := sc(8*sim.Hour + 10*sim.Minute)
		if c.resolve == nil {
			end = to
		}
		feed(tr, 0, end, int(100*c.scale), func(at sim.Time) bool { return at >= from && at < to })
		tr.Advance(end)
		fired, resolved := transitions(tr.Events(), len(rules), c.scale)
		t.Logf("%v at 1:%g: fired %v, resolved %v (real s)", c.history, c.scale, fired, resolved)
		for i := range rules {
			got := fired[i] - sim.Hour.Seconds()
			if fired[i] < 0 || !near(got, c.fire[i], 1) {
				t.Errorf("%v at 1:%g: rule %d fired %.2f s into the outage, want %.2f", c.history, c.scale, i, got, c.fire[i])
			}
			if c.resolve == nil {
				continue
			}
			got = resolved[i] - 2*sim.Hour.Seconds()
			if resolved[i] < 0 || !near(got, c.resolve[i], 1) {
				t.Errorf("%v at 1:%g: rule %d resolved %.2f s after the outage, want %.2f", c.history, c.scale, i, got, c.resolve[i])
			}
		}
		if s := tr.Status(end); s.History != c.history {
			t.Errorf("status history %v, want %v", s.History, c.history)
		}
	}
}

// slowBurn runs 0.5% errors (burn 5 at 99.9%) from the start, every 200th
// event bad, at 10 events per real second, one simulated second standing
// for an hour.
func slowBurn(t *testing.T, spec Spec, until sim.Time) (*Tracker, func(to sim.Time)) {
	t.Helper()
	const scale = 3600
	spec.Objective, spec.Scale, spec.History = 0.999, scale, History{Virtual: true}
	tr, err := New(spec, 0)
	if err != nil {
		t.Fatal(err)
	}
	i, from := 0, sim.Time(0)
	run := func(to sim.Time) {
		to = sim.Time(float64(to) / scale)
		feed(tr, from, to, 10*scale, func(sim.Time) bool { i++; return i%200 == 0 })
		from = to
		tr.Advance(to)
	}
	run(until)
	return tr, run
}

// The slow burn of theory-and-slo.md 1.2: at 0.5% errors no page fires
// (the burn, 5, is under 14.4 and 6); the 3d/6h ticket fires when the
// 3-day window's bad fraction reaches 0.1%, after 3d·(0.001/0.005) =
// 14.4 h, and a 30-day budget lasts P/5 = 6 days. Bad events come one in
// 200, 20 real seconds apart, and the threshold is met exactly at one of
// them, where floating point (1 - 0.999 is not 0.001) may leave the burn a
// hair under it: an alert may fire at the next bad event. The tolerance is
// that 20 s plus the 1 s evaluation grid, late only.
func TestSlowBurnWorkbook(t *testing.T) {
	tr, run := slowBurn(t, Spec{Period: month}, 24*sim.Hour)
	for _, e := range tr.Events() {
		if e.Severity == "page" {
			t.Errorf("paged at %v (burns %.2f, %.2f)", e.At, e.LongBurn, e.ShortBurn)
		}
	}
	fired, _ := transitions(tr.Events(), 3, 3600)
	t.Logf("workbook fired at %v (real s)", fired)
	if want := 14.4 * 3600; !onTime(fired[2], want) {
		t.Errorf("ticket at %.0f s, want %.0f (14.4 h)", fired[2], want)
	}
	// Burning at 5 for a day of 30 spends 5/30 of the budget; the rest
	// lasts the 5 days left of the 6.
	s := tr.Status(sim.Time(24 * float64(sim.Hour) / 3600))
	if !near(s.Remaining, 5.0/6, 0.001) || !near(s.TimeToExhaustion.Seconds(), 5*86400, 120) {
		t.Errorf("after a day: %.4f remaining, empty in %v; want 5/6 and 5 days", s.Remaining, s.TimeToExhaustion)
	}
	for _, c := range []struct {
		at    sim.Time
		empty bool
	}{{6*sim.Day - 10*sim.Minute, false}, {6*sim.Day + 10*sim.Minute, true}} {
		run(c.at)
		s := tr.Status(sim.Time(float64(c.at) / 3600))
		if (s.Remaining <= 0) != c.empty || (s.TimeToExhaustion == 0) != c.empty {
			t.Errorf("at %v: %.5f remaining, exhaustion in %v; want empty %v", c.at, s.Remaining, s.TimeToExhaustion, c.empty)
		}
	}
}

// onTime says whether a slow-burn alert fired at want, to one bad event
// and the grid (see TestSlowBurnWorkbook).
func onTime(got, want float64) bool { return got >= want-1e-6 && got <= want+21 }

// Pyrra's 28-day table at the same 0.5%: its 1d/2h warning (factor 2)
// holds after 1d·2·0.001/0.005 = 9.6 h and fires 1 h later; its 4d/6h one
// (factor 1) holds after 19.2 h and fires 3 h later: 10.6 h and 22.2 h.
// Its critical alerts (14, 7) never fire.
func TestSlowBurnPyrra(t *testing.T) {
	tr, _ := slowBurn(t, Spec{Period: 28 * sim.Day, Rules: Pyrra(28 * sim.Day)}, 24*sim.Hour)
	fired, _ := transitions(tr.Events(), 4, 3600)
	t.Logf("pyrra fired at %v (real s)", fired)
	for i, want := range []float64{-1, -1, 10.6 * 3600, 22.2 * 3600} {
		if want < 0 {
			if fired[i] >= 0 {
				t.Errorf("rule %d fired at %.0f s", i, fired[i])
			}
		} else if !onTime(fired[i], want) {
			t.Errorf("rule %d fired at %.0f s (%.2f h), want %.2f h", i, fired[i], fired[i]/3600, want/3600)
		}
	}
}

// A burned history starts with that much of the budget spent, and its
// windows longer than the run see the matching steady burn.
func TestBurnedHistory(t *testing.T) {
	tr, err := New(Spec{Objective: 0.999, Period: month, History: History{Virtual: true, Burned: 0.4}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	end := 2 * sim.Minute
	feed(tr, 0, end, 100, func(sim.Time) bool { return false })
	tr.Advance(end)
	s := tr.Status(end)
	if !near(s.Consumed, 0.4, 1e-3) || !near(s.BudgetEvents, 0.001*100*month.Seconds(), 1) {
		t.Errorf("consumed %.4f of %.0f, want 0.4 of %.0f", s.Consumed, s.BudgetEvents, 0.001*100*month.Seconds())
	}
	for _, b := range s.Burn {
		// Only the 2 minutes the run has lasted are clean.
		want := 0.4 * (1 - float64(end)/float64(b.Window))
		if b.Window <= end {
			want = 0
		}
		if !near(b.Burn, want, 1e-3) {
			t.Errorf("window %v: burn %.4f, want %.4f", b.Window, b.Burn, want)
		}
	}
	if len(tr.Events()) != 0 {
		t.Errorf("alerts: %+v", tr.Events())
	}
}

// A virtual history measures the rate over the first simulated minute: the
// budget is the period's events at that rate, not a projection of the run
// so far, and thin windows warn as soon as the rate is known.
func TestVirtualRateAndTraffic(t *testing.T) {
	tr, _ := New(Spec{Objective: 0.999, Period: month, History: History{Virtual: true}, MinEvents: 1000}, 0)
	// 100/s for the first minute, then 1/s: the history keeps 100/s.
	feed(tr, 0, sim.Minute, 100, func(sim.Time) bool { return false })
	feed(tr, sim.Minute, 10*sim.Minute, 1, func(sim.Time) bool { return false })
	tr.Advance(10 * sim.Minute)
	s := tr.Status(10 * sim.Minute)
	want := 0.001 * (6000 + 540 + 100*(month-10*sim.Minute).Seconds())
	if !near(s.BudgetEvents, want, 1) {
		t.Errorf("budget %.1f events, want %.1f", s.BudgetEvents, want)
	}
	// The 5-minute window (300 events at 1/s) is the only thin one.
	w := tr.Warnings()
	if len(w) != 1 || w[0].Window != 5*sim.Minute {
		t.Errorf("warnings %+v, want one for the 5 min window", w)
	}
	// An elapsed history projects the run so far instead.
	el, _ := New(Spec{Objective: 0.999, Period: month}, 0)
	feed(el, 0, sim.Minute, 100, func(sim.Time) bool { return false })
	feed(el, sim.Minute, 10*sim.Minute, 1, func(sim.Time) bool { return false })
	if got, want := el.Status(10*sim.Minute).BudgetEvents, 0.001*6540*float64(month)/float64(10*sim.Minute); !near(got, want, 1) {
		t.Errorf("elapsed budget %.1f, want %.1f", got, want)
	}
}

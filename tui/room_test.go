package tui

import (
	tea "charm.land/bubbletea/v2"

	"cascade/scenarios"
	"strconv"
	"strings"
	"testing"

	"cascade/sim"
)

// shopPartition is the default scenario 20 s into a 60 s partition between
// api and the database, injected live as an instructor would.
func shopPartition(t testing.TB, w, h int) *harness {
	hs := newHarness(t, "shop", w, h)
	hs.r.StepSize = 10 * sim.Second
	hs.stepTo(at(1, 40))
	hs.press("f")
	hs.choose("partition")
	hs.choose("api | db")
	hs.setField("for", "60s")
	hs.press("enter")
	hs.stepTo(at(2, 0))
	hs.m.status = ""
	return hs
}

// stampedeFlush is cache-stampede 10 s after a live flush of its cache.
func stampedeFlush(t testing.TB, w, h int) *harness {
	hs := newHarness(t, "cache-stampede", w, h)
	hs.r.StepSize = 10 * sim.Second
	hs.stepTo(at(1, 0))
	hs.press("f")
	hs.choose("flush")
	hs.choose("cache-naive")
	hs.stepTo(at(1, 10))
	hs.m.status = ""
	return hs
}

func at(m, s int) sim.Time { return sim.Time(m)*sim.Minute + sim.Time(s)*sim.Second }

func TestTUIGoldenRoom(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	for _, sc := range []struct {
		name string
		at   func(testing.TB, int, int) *harness
	}{{"shop-partition", shopPartition}, {"stampede-flush", stampedeFlush}} {
		for _, sz := range [][2]int{{80, 24}, {160, 45}, {220, 60}} {
			hs := sc.at(t, sz[0], sz[1])
			got := hs.view()
			for i, row := range strings.Split(got, "\n") {
				if n := len([]rune(row)); n != sz[0] {
					t.Errorf("%s %dx%d: row %d is %d cells wide", sc.name, sz[0], sz[1], i, n)
				}
			}
			golden(t, sc.name+"-"+strconv.Itoa(sz[0])+"x"+strconv.Itoa(sz[1]), got)
		}
	}
}

// The picker filters with /: what is typed narrows the list (name or
// description), enter opens the highlighted match, esc clears the filter.
func TestTUIPickerFilter(t *testing.T) {
	p := picker{th: newTheme(true, true), noColor: true, entries: []scenarios.Entry{
		{Name: "gc-pause", Description: "A GC pause."},
		{Name: "shop", Description: "Online shop."},
		{Name: "theory-mm1", Description: "M/M/1 at rho = 0.8."},
	}}
	step := func(k string) tea.Cmd {
		nm, cmd := p.Update(keyMsg(k))
		p = nm.(picker)
		return cmd
	}
	p.w, p.h = 80, 24
	for _, k := range []string{"/", "m", "m", "q"} {
		step(k)
	}
	if len(p.visible()) != 0 || !strings.Contains(strip(p.render()), "/mmq") {
		t.Errorf("filter %q shows %v:\n%s", p.filter, p.visible(), strip(p.render()))
	}
	step("backspace")
	if v := p.visible(); len(v) != 1 || p.at != 2 || strings.Contains(strip(p.render()), "shop") {
		t.Errorf("filter %q: visible %v, at %d:\n%s", p.filter, v, p.at, strip(p.render()))
	}
	if step("enter"); p.chosen != "theory-mm1" {
		t.Errorf("enter chose %q", p.chosen)
	}
	p.chosen = ""
	step("esc")
	if p.filter != "" || len(p.visible()) != 3 {
		t.Errorf("esc left filter %q", p.filter)
	}
}

// A parameter's hint wraps in a narrow palette instead of being cut: the
// example at its end is what helps.
func TestTUIParameterHintWraps(t *testing.T) {
	hs := newHarness(t, "shop", 80, 24)
	hs.press("f")
	hs.choose("latency")
	hs.press("enter")
	var all []string
	for _, l := range hs.m.paletteLines(30, 20) {
		if w := l.width(); w > 30 && (strings.Contains(l.plain(), "round trip") || strings.Contains(l.plain(), "exp(")) {
			t.Errorf("row %q is %d cells", l.plain(), w)
		}
		all = append(all, strings.TrimSpace(l.plain()))
	}
	if got := strings.Join(all, " "); !strings.Contains(got, "e.g. exp(100ms)") {
		t.Errorf("hint cut:\n%s", strings.Join(all, "\n"))
	}
}

// zoneOutage is zone-failure 10 s into its timeline's outage of zone b:
// a third of every zoned service down, the lean api saturated on the two
// zones left, the detail panel's zones and cross-zone rows.
func zoneOutage(t testing.TB, w, h int) *harness {
	hs := newHarness(t, "zone-failure", w, h)
	hs.r.StepSize = 10 * sim.Second
	hs.stepTo(at(0, 30))
	hs.m.status = ""
	return hs
}

func TestTUIGoldenZones(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 45}} {
		hs := zoneOutage(t, sz[0], sz[1])
		got := hs.view()
		for i, row := range strings.Split(got, "\n") {
			if n := len([]rune(row)); n != sz[0] {
				t.Errorf("%dx%d: row %d is %d cells wide", sz[0], sz[1], i, n)
			}
		}
		golden(t, "zone-outage-"+strconv.Itoa(sz[0])+"x"+strconv.Itoa(sz[1]), got)
	}
}

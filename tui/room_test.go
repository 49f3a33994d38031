package tui

import (
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

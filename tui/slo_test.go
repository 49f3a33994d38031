package tui

import (
	"strings"
	"testing"

	"cascade/models/slo"
	"cascade/sim"
)

// TestTUISLOHistory: the SLO panel names a clean or burned history on the
// SLO's line; the default, elapsed, goes unsaid.
func TestTUISLOHistory(t *testing.T) {
	hs := newHarness(t, "testdata/breaker.yaml", 120, 40)
	if len(hs.m.snap.Result.SLOs) == 0 {
		t.Fatal("the fixture has no SLO")
	}
	for _, c := range []struct {
		h    slo.History
		want string
	}{{slo.History{}, ""}, {slo.History{Virtual: true}, "history clean"}, {slo.History{Virtual: true, Burned: 0.4}, "history burned 40%"}} {
		hs.m.snap.Result.SLOs[0].History = c.h
		head := hs.m.sloPanel(60, 20)[1].plain()
		if c.want == "" && strings.Contains(head, "history") || !strings.Contains(head, c.want) {
			t.Errorf("%v: SLO line %q, want %q", c.h, head, c.want)
		}
	}
}

// TestTUIWarmupSaysNothingCountsYet: during the warm-up, whose statistics
// are thrown away, the header says so and each SLO says when it starts
// counting instead of showing a full budget and zero burns; after it,
// the budgets show.
func TestTUIWarmupSaysNothingCountsYet(t *testing.T) {
	hs := newHarness(t, "testdata/breaker.yaml", 120, 40)
	warm := hs.m.sc.Warmup // the fixture's warmup: 30s
	if warm < 2*sim.Second {
		t.Fatalf("the fixture's warm-up is %v, too short to stop inside", warm)
	}
	hs.stepTo(warm / 3)
	hs.press("space") // stepping paused it
	v := hs.view()
	if !strings.Contains(v, "▶ warm-up") || !strings.Contains(v, "counts after the "+span(warm)+" warm-up") || strings.Contains(v, "% left") {
		t.Errorf("a third into the %v warm-up the screen reads:\n%s", warm, v)
	}
	hs.stepTo(warm + sim.Second)
	hs.press("space")
	v = hs.view()
	if !strings.Contains(v, "▶ running") || strings.Contains(v, "warm-up") || !strings.Contains(v, "% left") {
		t.Errorf("after the warm-up the screen reads:\n%s", v)
	}
}

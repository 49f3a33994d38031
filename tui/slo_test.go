package tui

import (
	"strings"
	"testing"

	"cascade/models/slo"
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

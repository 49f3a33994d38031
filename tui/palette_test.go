package tui

import (
	"strings"
	"testing"

	"cascade/scenarios"
	"cascade/sim"
)

// Every verb the palette offers, on every built-in, through to its form
// and back: Enter and Esc at each step, the screen drawn after each key.
// A verb without parameters (flush, failover) applies from the target
// list instead of showing an empty form.
func TestTUIPaletteEveryVerbEveryBuiltin(t *testing.T) {
	for _, e := range scenarios.Library() {
		t.Run(e.Name, func(t *testing.T) {
			if testing.Short() && e.Name != "shop" && e.Name != "cache-stampede" {
				t.Skip("-short: shop and cache-stampede only")
			}
			hs := newHarness(t, e.Name, 120, 40)
			hs.r.StepSize = 5 * sim.Second
			hs.press("space", ".")
			hs.press("f")
			if hs.m.pal == nil {
				t.Fatal("f opened no palette")
			}
			verbs := hs.m.pal.verbs
			hs.press("esc")
			for i, v := range verbs {
				hs.press("f", "home")
				for range i {
					hs.press("down")
				}
				if got := hs.m.pal.current(); got != v {
					t.Fatalf("row %d is %v, want %v", i, got, v)
				}
				hs.press("enter") // the targets
				if hs.m.pal == nil || hs.m.pal.step != 1 || len(hs.m.pal.targets) == 0 {
					t.Fatalf("%v: no target list", v)
				}
				_ = hs.view()
				before := len(hs.r.faults)
				hs.press("enter") // the form, or applied at once
				_ = hs.view()
				if len(fieldsFor(v)) == 0 {
					if hs.m.pal != nil || len(hs.r.faults) != before+1 {
						t.Fatalf("%v has no parameters and was not applied at once (palette %v)", v, hs.m.pal != nil)
					}
					continue
				}
				if hs.m.pal == nil || hs.m.pal.step != 2 {
					t.Fatalf("%v: no form", v)
				}
				hs.press("esc") // back to the targets
				_ = hs.view()
				hs.press("enter", "enter") // the form again, then apply
				_ = hs.view()
				if hs.m.pal != nil {
					// Applying may be refused (a bad default for this
					// target): the reason is shown and the form stays.
					if hs.m.pal.err == "" {
						t.Fatalf("%v: enter neither applied nor said why", v)
					}
					hs.press("esc", "esc", "esc")
				}
				if hs.m.pal != nil {
					t.Fatalf("%v: esc did not close the palette", v)
				}
			}
			if v := hs.view(); strings.Contains(v, "panic") {
				t.Errorf("screen mentions a panic:\n%s", v)
			}
		})
	}
}

package scenarios

import (
	"testing"

	"cascade/models"
	"cascade/sim"
)

// seedChecked are built-ins whose expectations must hold on every one of
// several seeds, not only on the seed the file names: a demonstration
// that passes by luck of one seed shows nothing.
var seedChecked = []string{"optimistic-contention", "bad-deploy", "autoscaling", "stale-balancer", "client-population",
	"shop", "no-timeouts", "cache-stampede", "overload", "pool-exhaustion", "zone-failure"}

func TestBuiltinExpectationsHoldAcrossSeeds(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	if testing.Short() {
		seeds = seeds[:2]
	}
	for _, name := range seedChecked {
		s, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Expect) == 0 {
			t.Errorf("%s: no expect: lines", name)
		}
		for _, seed := range seeds {
			m, err := models.New(sim.NewEngine(seed), s.Topology(), models.Options{Until: s.Duration, Warmup: s.Warmup, Windows: s.Windows()})
			if err != nil {
				t.Fatal(err)
			}
			m.Start()
			for !m.Advance(sim.Hour) {
			}
			for _, v := range s.Evaluate([]models.Result{m.Result(s.NeedsSeries())}) {
				if !v.Pass || v.Err != "" {
					t.Errorf("%s seed %d: line %d %s fails %s", name, seed, v.Line, v.Expect, v.Err)
					for _, x := range v.Measured {
						t.Logf("  %s = %s", x.Src, x.Text)
					}
				}
			}
		}
	}
}

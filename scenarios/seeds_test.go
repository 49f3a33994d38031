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

// The file's own seed is checked by cmd/cascade's TestBuiltinExpectations
// (through the real binary); here two seeds besides it. All of 1-6 were
// checked when these built-ins were written; two is what CI can afford on
// every run, and enough to catch a change that leaves a demonstration
// holding only by one seed's luck.
func TestBuiltinExpectationsHoldAcrossSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("full-length runs of the built-ins")
	}
	for _, name := range seedChecked {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Expect) == 0 {
				t.Errorf("%s: no expect: lines", name)
			}
			for _, seed := range otherSeeds(s.Seed, 2) {
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
		})
	}
}

// otherSeeds returns the first n of 1, 2, 3, ... that are not the file's seed.
func otherSeeds(fileSeed uint64, n int) []uint64 {
	var seeds []uint64
	for s := uint64(1); len(seeds) < n; s++ {
		if s != fileSeed {
			seeds = append(seeds, s)
		}
	}
	return seeds
}

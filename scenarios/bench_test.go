package scenarios

import (
	"testing"

	"cascade/models"
	"cascade/sim"
)

// BenchmarkScenario runs every built-in scenario end to end as `cascade run`
// would (load and validate the YAML, build the model, simulate its whole
// duration) and reports the simulator's speed: kernel events per wall
// second, and simulated seconds per wall second for scenarios with a
// duration. Compare runs with benchstat; the numbers are recorded in the
// issue notes, never asserted.
//
//	go test ./scenarios -run '^$' -bench Scenario -benchtime 3x
func BenchmarkScenario(b *testing.B) {
	for _, e := range Library() {
		b.Run(e.Name, func(b *testing.B) {
			var events uint64
			var simulated sim.Time
			for b.Loop() {
				s, err := Load(e.Name)
				if err != nil {
					b.Fatal(err)
				}
				eng := sim.NewEngine(s.Seed)
				m, err := models.New(eng, s.Topology(), models.Options{Until: s.Duration, Warmup: s.Warmup, NoSeries: true, Headless: true}) // as cascade run
				if err != nil {
					b.Fatal(err)
				}
				m.Start()
				for !m.Advance(sim.Hour) {
				}
				_ = m.Result(false)
				events += eng.Fired()
				simulated += eng.Now()
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(events)/secs, "events/s")
			b.ReportMetric(simulated.Duration().Seconds()/secs, "simsec/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}

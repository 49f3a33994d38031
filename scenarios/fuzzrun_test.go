package scenarios

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"cascade/models"
	"cascade/sim"
)

// FuzzRun loads arbitrary bytes and runs whatever the loader accepts, for
// at most a simulated minute and a bounded number of events: a value that
// validates but breaks the model (a panic, models.New refusing what the
// loader passed, a run that stops with an unpositioned error) fails here.
// It is seeded with the built-in library and every testdata scenario.
func FuzzRun(f *testing.F) {
	for _, e := range Library() {
		data, _ := Builtin(e.Name)
		f.Add(data)
	}
	for _, glob := range []string{"testdata/*/*.yaml", "library/lessons/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	// Each seed costs its events in every plain 'go test' run: far fewer
	// than while fuzzing, where the inputs are small anyway.
	events := uint64(20_000)
	if testing.Short() {
		events = 5_000
	}
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		events = 200_000
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// An input that takes seconds is a bug too (a value that makes
		// loading or one event do unbounded work): crash with every
		// goroutine's stack, so the fuzzer records the input.
		watchdog := time.AfterFunc(10*time.Second, func() {
			debug.SetTraceback("all")
			panic("FuzzRun: one input took more than 10s")
		})
		defer watchdog.Stop()
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		fuzzRun(t, sc, events)
	})
}

// fuzzRun runs sc for at most a simulated minute and events events.
func fuzzRun(t *testing.T, sc *Scenario, events uint64) {
	t.Helper()
	if n, _, _ := sc.objects(); n > ObjectLimit {
		return // refused without --allow-huge, and no event cap bounds its build
	}
	until := sc.Duration
	if until == 0 || until > sim.Minute {
		until = sim.Minute
	}
	opt := models.Options{Until: until, Windows: sc.Windows()}
	if sc.Warmup < until {
		opt.Warmup = sc.Warmup
	}
	eng := sim.NewEngine(sc.Seed)
	m, err := models.New(eng, sc.Topology(), opt)
	if err != nil {
		t.Fatalf("the loader accepted what the model refuses: %v", err)
	}
	m.Start()
	for !m.Finished() && eng.Fired() < events {
		m.AdvanceN(sim.Second, events-eng.Fired())
	}
	if err := m.Err(); err != nil {
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 || ps[0].Line < 1 || ps[0].Col < 1 {
			t.Fatalf("the run stopped with an error that has no position: %v", err)
		}
	}
	sc.Evaluate([]models.Result{m.Result(sc.NeedsSeries())})
}

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
	// Small files at the edges of the ranges, for the fuzzer to mutate
	// cheaply: the library's files are long, and most of their mutations
	// only break the YAML.
	for _, extreme := range []string{
		"duration: 1m\nworkloads:\n  w: { to: api, rate: 1e300/s }\nservices:\n  api: { service_time: 1ns, workers: 1, queue: 0 }\n",
		"duration: 4s\nworkloads:\n  w: { to: api, rate: \"100/(5-t)\" }\nservices:\n  api: { service_time: 1ms }\n",
		"duration: 1m\nworkloads:\n  w: { to: a, rate: 50/s, timeout: 1ns, retry: { attempts: 100 } }\nservices:\n  a: { ops: { get: [ { call: b, repeat: 2147483647, timeout: 1ns, hedge: { delay: 1ns, max: 5 } } ] } }\n  b: { service_time: exp(1ms), workers: unlimited }\n",
		"workloads:\n  w: { to: api, users: 1000, think: 0s, requests: 5000 }\nservices:\n  api: { service_time: 0s, instances: 3, balancer: p2c, choices: 2147483647 }\nfaults:\n  - { at: 0s, for: 1s, spike: 1000000x, on: w }\n",
		"duration: 30s\nworkloads:\n  w: { to: api, rate: 100/s, clients: 1000, breaker: {}, retry: 3, timeout: 10ms }\nservices:\n  api: { service_time: 5ms, instances: 2 }\nfaults:\n  - { at: 1s, for: 5s, crash: api, instances: all }\n  - { at: 2s, for: 1s, slow: 1000000x, on: api }\n",
	} {
		f.Add([]byte(extreme))
	}
	// Each seed costs its events in every plain 'go test' run: far fewer
	// than while fuzzing, where the inputs are small anyway.
	events := uint64(5_000)
	if testing.Short() {
		events = 1_000
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
	// Series for the minute at most, not the default hour: building the
	// model is most of an input's cost.
	opt := models.Options{Until: until, Windows: sc.Windows(), Points: int(until/sim.Second) + 2}
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

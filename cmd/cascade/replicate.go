package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"cascade/models"
	"cascade/scenarios"
	"cascade/sim"
)

// runOutput is one simulated run.
type runOutput struct {
	result  models.Result
	events  uint64
	stopped bool
}

// replicate runs s once per seed, in parallel on all cores: one engine and
// one fresh topology per goroutine, nothing shared but the immutable
// scenario, so each run is exactly what a single run with that seed gives.
// Progress follows the first run only (it is not safe to share).
func replicate(s *scenarios.Scenario, seeds []uint64, until sim.Time, stop func() bool, prog *progress) ([]runOutput, error) {
	opt := modelOptions(s, until, s.NeedsSeries()) // recovered() reads the whole series
	out := make([]runOutput, len(seeds))
	errs := make([]error, len(seeds))
	work := make(chan int)
	var wg sync.WaitGroup
	prog.batch(len(seeds), min(len(seeds), runtime.GOMAXPROCS(0)))
	for range min(len(seeds), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				tick := func(sim.Time, uint64) {}
				if i == 0 {
					tick = prog.update
				}
				out[i], errs[i] = simulate(s, seeds[i], opt, stop, tick)
				prog.runDone()
			}
		}()
	}
	for i := range seeds {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// simulate is one run of s with seed.
func simulate(s *scenarios.Scenario, seed uint64, opt models.Options, stop func() bool, tick func(sim.Time, uint64)) (runOutput, error) {
	eng := sim.NewEngine(seed)
	m, err := models.New(eng, s.Topology(), opt)
	if err != nil {
		return runOutput{}, err
	}
	m.Start()
	stopped := drive(m, stop, tick)
	if err := m.Err(); err != nil {
		return runOutput{}, err
	}
	return runOutput{result: m.Result(!opt.NoSeries), events: eng.Fired(), stopped: stopped}, nil
}

// expandScenarioArgs turns directories into the scenario files they hold
// (.yaml and .yml, sorted by name); files and built-in names pass through.
func expandScenarioArgs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil || !fi.IsDir() {
			out = append(out, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		var found []string
		for _, e := range entries {
			if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
				found = append(found, filepath.Join(a, n))
			}
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .yaml or .yml scenario files in this directory", a)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

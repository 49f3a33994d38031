package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"cascade/models"
	"cascade/report"
	"cascade/scenarios"
	"cascade/sim"
)

// job is one simulation of a batch: reports run a scenario and its variants,
// sweeps run every grid point times every replication.
type job struct {
	s      *scenarios.Scenario
	seed   uint64
	until  sim.Time
	series bool // keep every interval of every series (reports)
}

// runJobs runs every job on all cores: one engine and one fresh topology
// per run, nothing shared but the immutable scenarios, so each result is
// exactly what `cascade run` gives for that scenario and seed, whatever
// the order or the number of cores. done, when not nil, is called after
// each job (from the worker goroutines).
func runJobs(jobs []job, stop func() bool, done func()) ([]runOutput, error) {
	out := make([]runOutput, len(jobs))
	errs := make([]error, len(jobs))
	order := longestFirst(jobs)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(jobs), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(jobs) {
					return
				}
				i := order[k]
				out[i], errs[i] = runJob(jobs[i], stop)
				if done != nil {
					done()
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// longestFirst is the order to start jobs in: by their estimated events,
// most first, ties in their own order. With the long runs started first,
// the last to finish is a short one and the cores idle less at the end
// (Graham's rule): a sweep of shop over four rates on two cores took 0.956
// of the time it took in grid order (its runs' lengths bound it at 0.94).
// The results do not depend on the order.
func longestFirst(jobs []job) []int {
	est := make([]float64, len(jobs))
	order := make([]int, len(jobs))
	for i, j := range jobs {
		est[i], order[i] = j.s.Estimate(j.until, 1).Events, i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(est[b], est[a]) })
	return order
}

// runJob is one simulation.
func runJob(j job, stop func() bool) (runOutput, error) {
	opt := modelOptions(j.s, j.until, j.series || j.s.NeedsSeries())
	return simulate(j.s, j.seed, opt, stop, func(sim.Time, uint64) {})
}

// modelOptions are a headless run's: until, the scenario's warm-up and
// windows, and either every interval of every series (series: a report,
// or recovered() in an expectation) or nothing of them that nobody reads.
func modelOptions(s *scenarios.Scenario, until sim.Time, series bool) models.Options {
	opt := models.Options{Until: until, Warmup: s.Warmup, Windows: s.Windows(), NoSeries: !series, Headless: true}
	if series && until > 0 {
		opt.Points = max(3600, int(until/sim.Second)+2)
	}
	return opt
}

// planRun resolves a scenario's seed and end from the flags, refusing a run
// that would never end.
func planRun(s *scenarios.Scenario, seed *uint64, until *sim.Time) (uint64, sim.Time, error) {
	sd, u := s.Seed, s.Duration
	if seed != nil {
		sd = *seed
	}
	if until != nil {
		u = *until
	}
	if u == 0 {
		for _, w := range s.Topology().Workloads {
			if w.Limit == 0 {
				return 0, 0, fmt.Errorf("%s has no duration and workload %q never stops; give --duration", s.Source, w.Name)
			}
		}
	}
	if u > 0 && s.Warmup == u {
		return 0, 0, errNothingMeasured(s, u)
	}
	if err := checkBound(s, u, 1); err != nil {
		return 0, 0, err
	}
	return sd, u, nil
}

// planError prints an error of planRun: the event limit's problem as
// 'cascade validate' prints problems, anything else as a usage error.
func planError(cmd string, err error) int {
	var problems scenarios.Problems
	if errors.As(err, &problems) {
		fmt.Fprintln(os.Stderr, problems.Error())
		return exitUsage
	}
	return usageError(cmd, err.Error())
}

// errNothingMeasured refuses a run that ends exactly when its warm-up
// does: every statistic would be empty.
func errNothingMeasured(s *scenarios.Scenario, u sim.Time) error {
	return fmt.Errorf("the run (%s) ends exactly when the %s warm-up does, so nothing would be measured; give a longer --duration or a shorter warmup: in %s",
		u.Duration(), s.Warmup.Duration(), s.Source)
}

// warnWarmup says, once, when a run ends inside its warm-up: nothing is
// discarded then, so the numbers include the warm-up.
func warnWarmup(cmd string, s *scenarios.Scenario, u sim.Time) {
	if u > 0 && s.Warmup > u {
		fmt.Fprintf(os.Stderr, "cascade %s: warning: the run (%s) ends before the %s warm-up does, so nothing is discarded and the statistics include the warm-up\n",
			cmd, u.Duration(), s.Warmup.Duration())
	}
}

// metaOf is the report.Meta of one run, with its expectations evaluated.
func metaOf(s *scenarios.Scenario, seed uint64, until sim.Time, o runOutput) report.Meta {
	return report.Meta{Scenario: s.Name, Description: s.Description, Source: s.Source, Version: fullVersion(),
		Seed: seed, Duration: until, Warmup: s.Warmup, Runs: 1, Events: o.events, Interrupted: o.stopped,
		Expect: s.Evaluate([]models.Result{o.result})}
}

// design is one design of a review: a label, the scenario and what it
// changes.
type design struct {
	label     string
	s         *scenarios.Scenario
	overrides []string
	// file and pre make the design again from a file: pre applied to
	// file's bytes (a --find probe adds its value after them).
	file *scenarios.Scenario
	pre  []scenarios.Override
}

// reviewOf runs every design with one seed (common random numbers) and
// collects the review. Designs run in parallel.
func reviewOf(ds []design, seed uint64, until sim.Time, stop func() bool) (report.Review, error) {
	jobs := make([]job, len(ds))
	for i, d := range ds {
		jobs[i] = job{s: d.s, seed: seed, until: until, series: true}
	}
	var prog *progress
	var n atomic.Int64
	var mu sync.Mutex
	if isTerminal(os.Stderr) && len(ds) > 1 {
		prog = newProgress(os.Stderr, "designs", 0)
	}
	outs, err := runJobs(jobs, stop, func() {
		mu.Lock()
		defer mu.Unlock()
		prog.count(int(n.Add(1)), len(jobs), "designs")
	})
	prog.clear()
	if err != nil {
		return report.Review{}, err
	}
	var rv report.Review
	for i, d := range ds {
		rv.Runs = append(rv.Runs, report.ReviewRun{Label: d.label, Meta: metaOf(d.s, seed, until, outs[i]),
			Result: outs[i].result, Overrides: d.overrides, Hash: report.Hash(d.s.Data)})
	}
	return rv, nil
}

// overrideText prints overrides as "path: value" for reports.
func overrideText(ovs []scenarios.Override) []string {
	var out []string
	for _, o := range ovs {
		out = append(out, o.Path+": "+o.ValueText())
	}
	return out
}

// interruptible catches Ctrl-C for a batch: the first SIGINT asks every
// run to stop at its next slice, after which the default action is back,
// so a second Ctrl-C ends a process that is somehow stuck. cleanup undoes
// it.
func interruptible() (stop func() bool, cleanup func()) {
	var interrupted atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	quit := make(chan struct{})
	go func() {
		select {
		case <-sig:
			interrupted.Store(true)
			signal.Stop(sig)
		case <-quit:
		}
	}()
	return interrupted.Load, func() {
		signal.Stop(sig)
		close(quit)
	}
}

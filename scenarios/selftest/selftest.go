// Package selftest checks the simulator against exact queueing theory.
//
// It runs the built-in theory-* scenarios (M/M/1, M/M/c, M/D/1, M/G/1,
// M/M/c/c and M/M/1/K, see scenarios/library) for several independent seeds
// in parallel and compares each measured mean — mean response, p99
// response, blocking probability, mean queue, utilization — with the value
// from cascade/models/theory, and checks Little's law, L = λW, on every
// replication. The theory is computed from the parsed scenario itself
// (arrival rate, workers, waiting room, service-time distribution), so the
// YAML and the expected numbers cannot drift apart.
//
// # Why a pass means something
//
// Each replication is a long steady-state run whose metric (say, the mean
// response time over ~800,000 requests) is one number X_i. Replications use
// different seeds, so X_1..X_R are independent and identically distributed,
// and by the central limit theorem over so many requests each X_i is close
// to normal. Then (X̄ − E[X]) / (s/√R) follows Student's t with R−1 degrees
// of freedom, and a row passes when
//
//	|X̄ − theory| ≤ t_{1−α/2, R−1} · s/√R + allowance
//
// with α = 0.001 (99.9 % confidence): if the simulator is right, a row fails
// by chance with probability 0.1 % (about 2 % for the whole table). Seeds
// are fixed, so a run that passes always passes: the test cannot flake. A
// simulator that is wrong by more than the half-width (0.3–4 % of the
// value with the defaults; see docs/validation.md) fails.
//
// The allowance covers the two biases the interval cannot see:
//
//   - Start-up: every run starts empty, which biases early requests low. The
//     warm-up (200 s) is over 50 relaxation times of every model (the
//     slowest is M/M/10 at ρ = 0.9, τ ≈ 1/(cμ(1−√ρ)²) = 3.8 s; M/M/1 at
//     ρ = 0.8 has τ = 0.9 s), so what is left decays like e^{−50} and no
//     allowance is needed. A scenario whose warm-up is shorter than 25 such
//     relaxation times is rejected rather than silently biased.
//   - Quantiles: latencies are kept in an HDR histogram with three
//     significant digits, which reports the upper edge of a bucket no wider
//     than 2⁻¹⁰ of its value; a quantile can therefore read up to 0.1 % high,
//     and quantile rows get a 0.1 % allowance. Means are exact sums.
//
// Little's law is not statistical: L (the time-average number in the
// service) and λW (admission rate times mean sojourn) are two accountings of
// the same requests and differ only by requests straddling the edges of the
// measured span, a relative gap of order W/T + |N(end)−N(start)|/completions
// (~10⁻⁵ here). Every replication must agree within 0.1 %, a hundred times
// that and far below the gap any real bookkeeping bug (a lost queue wait, a
// double-counted request) would open.
package selftest

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"

	"cascade/models"
	"cascade/models/theory"
	"cascade/scenarios"
	"cascade/sim"
	"cascade/sim/dist"
)

// Options tunes a self-test run.
type Options struct {
	// Replications is the number of independent seeds each model runs with
	// (default 10, at least 2: one run gives no confidence interval).
	Replications int
	// Seed is the first seed; replication i uses Seed + i (default 1).
	Seed uint64
}

// Row is one comparison of the self-test table.
type Row struct {
	Model  string // "M/M/1 rho=0.8"
	Metric string // "mean response", "p99 response", "P(block)", "mean queue Lq", "utilization", "Little L vs lambda W"
	Unit   string // "ms", "%", ""
	// Theory is the exact value. For the Little's-law row, which compares
	// the simulator with itself, it is the mean over replications of λW.
	Theory float64
	// Mean is the mean over replications (for the Little row, of L).
	Mean float64
	// Half is the half-width of the 99.9 % Student-t confidence interval of
	// Mean.
	Half float64
	// RelErr is (Mean − Theory) / Theory.
	RelErr float64
	// Pass: |Mean − Theory| ≤ Half + allowance (see the package comment);
	// for the Little row, every replication within 0.1 %.
	Pass bool
}

const (
	// Confidence of the interval each row is judged by: a correct
	// simulator fails a row by chance with probability 1 − Confidence.
	Confidence = 0.999
	// QuantileAllowance is the relative reading error of an HDR histogram
	// with three significant digits (bucket width ≤ 2⁻¹⁰ of the value,
	// reported at its upper edge).
	QuantileAllowance = 0.001
	// LittleTolerance is the largest relative gap between L and λW accepted
	// on any single replication.
	LittleTolerance = 0.001
	// minWarmupRelaxations is how many relaxation times a theory
	// scenario's warm-up must span for start-up bias to be negligible
	// (e^{−25} ≈ 10⁻¹¹).
	minWarmupRelaxations = 25

	defaultReplications = 10
)

// metric is one measurable of a service. It is an enumeration rather than
// a table of values so that the package holds no mutable state.
type metric int

const (
	meanResponse metric = iota
	p99Response
	pBlock
	meanQueue
	utilization
)

// name is the Row.Metric of m.
func (m metric) name() string {
	return [...]string{"mean response", "p99 response", "P(block)", "mean queue Lq", "utilization"}[m]
}

// unit is the Row.Unit of m.
func (m metric) unit() string { return [...]string{"ms", "ms", "%", "", "%"}[m] }

// scale converts from the model's units (seconds, fractions) to unit.
func (m metric) scale() float64 { return [...]float64{1000, 1000, 100, 1, 100}[m] }

// allowance is the relative bias the confidence interval cannot see: only
// quantiles have one, the HDR histogram's reading error.
func (m metric) allowance() float64 {
	if m == p99Response {
		return QuantileAllowance
	}
	return 0
}

// get reads m from one replication's service result, in the model's units.
func (m metric) get(s models.ServiceResult) float64 {
	switch m {
	case meanResponse:
		return s.Latency.Mean
	case p99Response:
		return s.Latency.P99
	case pBlock:
		if s.Arrivals == 0 {
			return math.NaN()
		}
		return float64(s.Rejected) / float64(s.Arrivals)
	case meanQueue:
		return s.MeanQueue
	case utilization:
		return s.Utilization
	}
	return math.NaN()
}

// expectation is one metric's exact value.
type expectation struct {
	metric
	theory float64 // in the model's units
}

// station is what the formulas need to know about a theory scenario: a
// single open Poisson workload feeding a single service whose one operation
// is one work step.
type station struct {
	service string
	lambda  float64   // per second
	c       int       // servers
	room    int       // waiting room: models.Unbounded or >= 0
	svc     dist.Dist // service time
}

func (s station) mu() float64 { return 1 / s.svc.Mean() }
func (s station) rho() float64 {
	return s.lambda / (float64(s.c) * s.mu())
}

// cs2 is the squared coefficient of variation of the service time.
func (s station) cs2() float64 { return s.svc.Variance() / (s.svc.Mean() * s.svc.Mean()) }

func (s station) exponential() bool { _, ok := s.svc.(*dist.Exponential); return ok }

// relaxation is a conservative estimate of the relaxation time (seconds)
// of the queue from an empty start: 1/(cμ(1−√ρ)²) in the heavy-traffic
// regime (Morse 1955 for M/M/1; an M/M/c with all servers busy behaves as
// an M/M/1 of rate cμ), at least the mean service time. A finite system of
// K+1 states cannot take longer than a random walk across them, about
// (K+1)²/(cμ), which keeps the estimate finite at ρ ≥ 1. Service more
// variable than exponential stretches it by (1+cs²)/2, the factor by which
// it stretches the wait (Kingman).
func (s station) relaxation() float64 {
	cmu := float64(s.c) * s.mu()
	t := math.Inf(1)
	if rho := s.rho(); rho < 1 {
		t = 1 / (cmu * (1 - math.Sqrt(rho)) * (1 - math.Sqrt(rho)))
	}
	if s.room != models.Unbounded {
		k := float64(s.c + s.room + 1)
		t = min(t, k*k/cmu)
	}
	return max(t, s.svc.Mean()) * max(1, (1+s.cs2())/2)
}

// model is one theory scenario and the formulas it is compared with.
type model struct {
	scenario string // built-in scenario name
	// name labels the rows; expect gives the exact values. Both see the
	// parameters read from the scenario, and fail when the scenario no
	// longer matches the theory's assumptions.
	name   func(station) string
	expect func(station) ([]expectation, error)
}

// theoryModels is the self-test, in the order of its rows.
func theoryModels() []model {
	return []model{
		{"theory-mm1",
			func(s station) string { return fmt.Sprintf("M/M/1 rho=%.3g", s.rho()) },
			func(s station) ([]expectation, error) {
				if err := s.need(1, 1, models.Unbounded, true); err != nil {
					return nil, err
				}
				m := theory.MM1(s.lambda, s.mu())
				return []expectation{{meanResponse, m.W},
					{p99Response, theory.MM1ResponseQuantile(0.99, s.lambda, s.mu())},
					{meanQueue, m.Lq}}, nil
			}},
		{"theory-mmc",
			func(s station) string { return fmt.Sprintf("M/M/%d rho=%.3g (Erlang C)", s.c, s.rho()) },
			func(s station) ([]expectation, error) {
				if err := s.need(2, math.MaxInt, models.Unbounded, true); err != nil {
					return nil, err
				}
				m := theory.MMc(s.c, s.lambda, s.mu())
				return []expectation{{meanResponse, m.W},
					{p99Response, theory.MMcResponseQuantile(0.99, s.c, s.lambda, s.mu())},
					{meanQueue, m.Lq}}, nil
			}},
		{"theory-md1",
			func(s station) string { return fmt.Sprintf("M/D/1 rho=%.3g", s.rho()) },
			func(s station) ([]expectation, error) {
				if err := s.need(1, 1, models.Unbounded, false); err != nil {
					return nil, err
				}
				if s.svc.Variance() != 0 {
					return nil, fmt.Errorf("M/D/1 needs a constant service time, got %s", s.svc)
				}
				m := theory.MD1(s.lambda, s.svc.Mean())
				return []expectation{{meanResponse, m.W}, {meanQueue, m.Lq}}, nil
			}},
		{"theory-mg1",
			func(s station) string { return fmt.Sprintf("M/G/1 cs2=%.3g rho=%.3g", s.cs2(), s.rho()) },
			func(s station) ([]expectation, error) {
				if err := s.need(1, 1, models.Unbounded, false); err != nil {
					return nil, err
				}
				es := s.svc.Mean()
				m := theory.MG1(s.lambda, es, s.svc.Variance()+es*es)
				return []expectation{{meanResponse, m.W}, {meanQueue, m.Lq}}, nil
			}},
		{"theory-erlang-b",
			func(s station) string {
				return fmt.Sprintf("M/M/%d/%d A=%.3g (Erlang B)", s.c, s.c, s.lambda/s.mu())
			},
			func(s station) ([]expectation, error) {
				if err := s.need(1, math.MaxInt, 0, true); err != nil {
					return nil, err
				}
				m := theory.MMcK(s.c, s.c, s.lambda, s.mu())
				return []expectation{{pBlock, theory.ErlangB(s.c, s.lambda/s.mu())},
					{meanResponse, m.W},
					{utilization, m.LambdaEff / (float64(s.c) * s.mu())}}, nil
			}},
		{"theory-mm1k",
			func(s station) string { return fmt.Sprintf("M/M/1/%d rho=%.3g", s.room+1, s.rho()) },
			func(s station) ([]expectation, error) {
				if err := s.need(1, 1, anyFinite, true); err != nil {
					return nil, err
				}
				m := theory.MM1K(s.room+1, s.lambda, s.mu())
				return []expectation{{pBlock, m.PBlock}, {meanResponse, m.W}, {meanQueue, m.Lq},
					{utilization, m.LambdaEff / s.mu()}}, nil
			}},
	}
}

// anyFinite is a need() room argument: any bounded waiting room will do.
const anyFinite = -2

// need checks the station against a formula's assumptions: between minC
// and maxC servers; room is the waiting room required (models.Unbounded, a
// size, or anyFinite); exp asks for exponential service.
func (s station) need(minC, maxC, room int, exp bool) error {
	switch {
	case s.c < minC && maxC == math.MaxInt:
		return fmt.Errorf("the formula needs at least %d workers, got %d", minC, s.c)
	case s.c < minC || s.c > maxC:
		return fmt.Errorf("the formula needs %d to %d workers, got %d", minC, maxC, s.c)
	case room == anyFinite && s.room == models.Unbounded:
		return errors.New("the formula needs a finite queue")
	case room != anyFinite && s.room != room:
		return fmt.Errorf("the formula needs queue %s, got %s", roomName(room), roomName(s.room))
	case exp && !s.exponential():
		return fmt.Errorf("the formula needs exponential service, got %s", s.svc)
	case s.room == models.Unbounded && s.rho() >= 1:
		return fmt.Errorf("rho = %.3g: an unbounded queue has no steady state at rho >= 1", s.rho())
	}
	return nil
}

func roomName(n int) string {
	if n == models.Unbounded {
		return "unbounded"
	}
	return fmt.Sprint(n)
}

// stationOf reads the queue a theory scenario describes from its topology.
func stationOf(t models.Topology) (station, error) {
	if len(t.Workloads) != 1 || len(t.Services) != 1 {
		return station{}, fmt.Errorf("a theory scenario has one workload and one service, got %d and %d", len(t.Workloads), len(t.Services))
	}
	w, s := t.Workloads[0], t.Services[0]
	switch {
	case w.Users > 0 || w.RateFunc != nil || w.Arrivals != models.Poisson || !(w.Rate > 0):
		return station{}, errors.New("the workload must be open-loop Poisson at a constant rate")
	case w.Timeout > 0:
		return station{}, errors.New("the workload must not time out")
	case s.Instances != 1:
		return station{}, errors.New("the service must have one instance")
	case s.Workers < 1:
		return station{}, errors.New("the service needs a finite number of workers")
	case len(s.Ops) != 1 || len(s.Ops[0].Steps) != 1 || s.Ops[0].Steps[0].Kind != models.Work:
		return station{}, errors.New("the service needs a single operation of one work step (service_time:)")
	case s.Discipline != models.FIFO:
		return station{}, errors.New("the service must be FIFO")
	}
	d := s.Ops[0].Steps[0].Work
	if !(d.Mean() > 0) || math.IsInf(d.Variance(), 0) {
		return station{}, fmt.Errorf("the service time %s needs a positive mean and a finite variance", d)
	}
	return station{service: s.Name, lambda: w.Rate, c: s.Workers, room: s.Queue, svc: d}, nil
}

// plan is a loaded theory scenario ready to run.
type plan struct {
	model
	sc   *scenarios.Scenario
	top  models.Topology
	st   station
	want []expectation
}

func load(m model) (*plan, error) {
	data, ok := scenarios.Builtin(m.scenario)
	if !ok {
		return nil, fmt.Errorf("selftest: built-in scenario %q is missing", m.scenario)
	}
	sc, err := scenarios.Parse("builtin:"+m.scenario, data)
	if err != nil {
		return nil, fmt.Errorf("selftest: %w", err)
	}
	p := &plan{model: m, sc: sc, top: sc.Topology()}
	if p.st, err = stationOf(p.top); err != nil {
		return nil, fmt.Errorf("selftest: %s: %w", m.scenario, err)
	}
	if p.want, err = m.expect(p.st); err != nil {
		return nil, fmt.Errorf("selftest: %s: %w", m.scenario, err)
	}
	if sc.Duration <= sc.Warmup {
		return nil, fmt.Errorf("selftest: %s needs a duration longer than its warm-up", m.scenario)
	}
	if need := minWarmupRelaxations * p.st.relaxation(); sc.Warmup.Seconds() < need {
		return nil, fmt.Errorf("selftest: %s: warm-up %s is shorter than %d relaxation times (%.3gs): start-up bias would remain",
			m.scenario, sc.Warmup, minWarmupRelaxations, need)
	}
	return p, nil
}

// Run runs every theory scenario opt.Replications times and returns one row
// per compared metric, in a fixed order: models as listed in the package
// comment, each with its metrics and then Little's law. progress, if not
// nil, is called from Run's own goroutine after each finished replication.
// The rows depend only on opt, never on scheduling or the number of cores.
func Run(opt Options, progress func(done, total int)) ([]Row, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	var plans []*plan
	var jobs []job
	for _, m := range theoryModels() {
		p, err := load(m)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
		jobs = append(jobs, p.jobs(opt)...)
	}
	results, err := runJobs(jobs, progress)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for i, p := range plans {
		reps := results[i*opt.Replications : (i+1)*opt.Replications]
		svc, err := serviceResults(reps, p.st.service)
		if err != nil {
			return nil, err
		}
		rows = append(rows, compare(p.name(p.st), p.want, svc)...)
	}
	return rows, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Replications == 0 {
		o.Replications = defaultReplications
	}
	if o.Replications < 2 {
		return o, fmt.Errorf("selftest: need at least 2 replications for a confidence interval, got %d", o.Replications)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o, nil
}

// jobs are the replications of one plan.
func (p *plan) jobs(opt Options) []job {
	out := make([]job, opt.Replications)
	for i := range out {
		out[i] = job{top: p.top, seed: opt.Seed + uint64(i),
			opt: models.Options{Until: p.sc.Duration, Warmup: p.sc.Warmup}}
	}
	return out
}

// job is one independent run: its own engine, its own model.
type job struct {
	top  models.Topology
	seed uint64
	opt  models.Options
}

func (j job) run() (models.Result, error) {
	eng := sim.NewEngine(j.seed)
	m, err := models.New(eng, j.top, j.opt)
	if err != nil {
		return models.Result{}, err
	}
	m.Start()
	for !m.Advance(sim.Hour) {
	}
	return m.Result(false), nil
}

// runJobs runs jobs on every core and returns their results in job order.
// Each goroutine owns one engine at a time; the sim and models packages
// stay single-threaded. Topologies are shared read-only: models.New copies
// what it keeps, and distributions are immutable.
func runJobs(jobs []job, progress func(done, total int)) ([]models.Result, error) {
	results := make([]models.Result, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for i := range next {
				results[i], errs[i] = jobs[i].run()
				done <- struct{}{}
			}
		})
	}
	go func() {
		for i := range jobs {
			next <- i
		}
		close(next)
	}()
	for n := 1; n <= len(jobs); n++ {
		<-done
		if progress != nil {
			progress(n, len(jobs))
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("selftest: %w", err)
	}
	return results, nil
}

// serviceResults picks the named service out of each replication.
func serviceResults(reps []models.Result, name string) ([]models.ServiceResult, error) {
	out := make([]models.ServiceResult, len(reps))
	for i, r := range reps {
		found := false
		for _, s := range r.Services {
			if s.Name == name {
				out[i], found = s, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("selftest: no service %q in the results", name)
		}
	}
	return out, nil
}

// compare turns replications into rows: one per expectation, then Little's
// law.
func compare(model string, want []expectation, reps []models.ServiceResult) []Row {
	rows := make([]Row, 0, len(want)+1)
	for _, e := range want {
		xs := make([]float64, len(reps))
		for i, r := range reps {
			xs[i] = e.get(r) * e.scale()
		}
		rows = append(rows, judge(model, e.metric, e.theory*e.scale(), xs))
	}
	return append(rows, little(model, reps))
}

// judge compares i.i.d. replication values xs with theory by the Student-t
// interval at Confidence, plus the metric's allowance.
func judge(model string, m metric, theory float64, xs []float64) Row {
	mean, half := interval(xs)
	r := Row{Model: model, Metric: m.name(), Unit: m.unit(), Theory: theory, Mean: mean, Half: half,
		RelErr: (mean - theory) / theory}
	r.Pass = math.Abs(mean-theory) <= half+m.allowance()*math.Abs(theory)
	return r
}

// interval returns the mean of xs and the half-width of its two-sided
// Student-t confidence interval at Confidence. NaNs (a replication without
// a value) make both NaN, and NaN never passes.
func interval(xs []float64) (mean, half float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / (n - 1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(1 - (1-Confidence)/2)
	return mean, t * sd / math.Sqrt(n)
}

// little checks L = λW on every replication.
func little(model string, reps []models.ServiceResult) Row {
	ls := make([]float64, len(reps))
	var lw float64
	pass := true
	for i, r := range reps {
		ls[i] = r.Little.L
		lw += r.Little.LambdaW
		if !(r.Little.RelErr() <= LittleTolerance) {
			pass = false
		}
	}
	lw /= float64(len(reps))
	mean, half := interval(ls)
	return Row{Model: model, Metric: "Little L vs lambda W", Theory: lw, Mean: mean, Half: half,
		RelErr: (mean - lw) / lw, Pass: pass}
}

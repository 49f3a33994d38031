package scenarios

import (
	"errors"
	"fmt"
	"strconv"

	"cascade/models"
	"cascade/sim"
)

// LessonPlayer walks a lesson over a simulation it owns: the headless
// `cascade run --lesson` drives it to the end at once, the terminal UI
// frame by frame. Both call the same methods in the same order, and
// slicing Advance never changes a run, so a lesson gives the same numbers
// in both; rewinding re-runs from the seed, which determinism makes exact.
// It is not safe for concurrent use.
type LessonPlayer struct {
	base   *Scenario
	lesson *Lesson
	seed   uint64
	points int

	variants map[string]*Scenario // loaded on first use
	design   string               // "" the scenario as written, else a variant
	m        *models.Model

	step      int      // the current step
	began     sim.Time // when it started, in the current run
	done      bool     // its wait is over (and its checks evaluated)
	nextCheck sim.Time // until: the next instant the condition is checked
	cond      func(models.Probe) bool
	injected  []models.Fault // the lesson's injections in the current run
	past      sim.Time       // simulated time of the runs a variant replaced
	results   []StepResult
}

// StepResult is what one step of a lesson gave when its wait ended.
type StepResult struct {
	Ended    bool     // the step's wait is over
	At       sim.Time // when it ended, in its run
	Design   string   // "" the scenario as written, else the variant running
	Verdicts []Verdict
	// WaitErr says why the wait ended without what it waited for: the run
	// ended first, or until: did not hold within for:.
	WaitErr string
}

// Pass says whether the step went as taught: its wait ended as written
// and every check held.
func (r StepResult) Pass() bool {
	if !r.Ended || r.WaitErr != "" {
		return false
	}
	for _, v := range r.Verdicts {
		if !v.Pass {
			return false
		}
	}
	return true
}

// CheckEvery is how often a step's until: condition is checked.
const CheckEvery = 100 * sim.Millisecond

// NewLessonPlayer builds s's simulation with seed and starts the first
// step. points is the length of the time series kept (0: enough for every
// interval of the run, which recovered() needs).
func NewLessonPlayer(s *Scenario, seed uint64, points int) (*LessonPlayer, error) {
	if s.Lesson == nil {
		return nil, fmt.Errorf("%s has no lesson: section", s.Source)
	}
	p := &LessonPlayer{base: s, lesson: s.Lesson, seed: seed, points: points, variants: map[string]*Scenario{}}
	if err := p.restart(); err != nil {
		return nil, err
	}
	if err := p.begin(0); err != nil {
		return nil, err
	}
	return p, nil
}

// restart builds the scenario as written from the seed, forgetting every
// step.
func (p *LessonPlayer) restart() error {
	p.results = make([]StepResult, len(p.lesson.Steps))
	p.injected, p.past = nil, 0
	return p.build("")
}

// build makes a fresh model of design (the scenario or one variant).
func (p *LessonPlayer) build(design string) error {
	sc := p.base
	if design != "" {
		v, ok := p.variants[design]
		if !ok {
			vs, err := p.base.Variants()
			if err != nil {
				return err
			}
			for i := range vs {
				p.variants[vs[i].Name] = vs[i].Scenario
			}
			if v, ok = p.variants[design]; !ok {
				return fmt.Errorf("no variant %q", design)
			}
		}
		sc = v
	}
	if sc.Duration == 0 {
		return errors.New(sc.Source + ": a lesson needs a duration:")
	}
	points := p.points
	if points <= 0 {
		points = max(3600, int(sc.Duration/sim.Second)+2)
	}
	opt := models.Options{Until: sc.Duration, Warmup: sc.Warmup, Points: points,
		Windows: appendWindows(sc.Windows(), p.allChecks())}
	m, err := models.New(sim.NewEngine(p.seed), sc.Topology(), opt)
	if err != nil {
		return fmt.Errorf("%s: %v", sc.Source, err)
	}
	m.Start()
	p.m, p.design = m, design
	return nil
}

func (p *LessonPlayer) allChecks() []Expectation {
	var out []Expectation
	for _, st := range p.lesson.Steps {
		out = append(out, st.Checks...)
	}
	return out
}

// begin starts step k at the current instant: its action, then its wait.
func (p *LessonPlayer) begin(k int) error {
	st := p.lesson.Steps[k]
	p.step, p.done = k, false
	now := p.m.Engine().Now()
	switch st.Action.Kind {
	case ActionInject, ActionRate:
		f := st.Action.Fault
		f.Start = now
		if _, err := p.m.Inject(f); err != nil {
			return fmt.Errorf("step %d: %v", k+1, err)
		}
		p.injected = append(p.injected, f)
		p.m.Advance(0)
	case ActionVariant:
		p.past += now
		if err := p.build(st.Action.Variant); err != nil {
			return fmt.Errorf("step %d: %v", k+1, err)
		}
		for _, f := range p.injected {
			if _, err := p.m.Inject(f); err != nil {
				return fmt.Errorf("step %d: %v", k+1, err)
			}
		}
		p.m.Advance(0)
	}
	p.began = p.m.Engine().Now()
	p.nextCheck = p.began
	p.cond = nil
	if st.until != nil {
		p.cond = st.until.Func()
	}
	if st.For == 0 && p.cond == nil {
		p.finish("")
	}
	return nil
}

// finish ends the current step's wait and evaluates its checks on the run
// as it stands.
func (p *LessonPlayer) finish(waitErr string) {
	st := p.lesson.Steps[p.step]
	r := StepResult{Ended: true, At: p.m.Engine().Now(), Design: p.design, WaitErr: waitErr}
	if len(st.Checks) > 0 {
		r.Verdicts = evaluateAll(st.Checks, []models.Result{p.m.Result(true)})
	}
	p.results[p.step] = r
	p.done = true
}

// Advance runs the simulation for at most d, stopping early where the
// current step's wait ends; it does nothing once the wait is over.
func (p *LessonPlayer) Advance(d sim.Time) {
	st := p.lesson.Steps[p.step]
	eng := p.m.Engine()
	target := eng.Now() + d
	for !p.done {
		now := eng.Now()
		if p.m.Finished() {
			p.finish("the run ended (at " + clockOf(now) + ") before the wait did")
			return
		}
		end := target
		if st.For > 0 {
			end = min(end, p.began+st.For)
		}
		if p.cond != nil {
			end = min(end, p.nextCheck)
		}
		if end > now {
			p.m.Advance(end - now)
			now = eng.Now()
		}
		if p.cond != nil && now >= p.nextCheck {
			if p.cond(p.m) {
				p.finish("")
				return
			}
			p.nextCheck += CheckEvery
		}
		if st.For > 0 && now >= p.began+st.For {
			why := ""
			if p.cond != nil {
				why = "until: " + st.Until + " did not hold within " + Span(st.For)
			}
			p.finish(why)
			return
		}
		if now >= target {
			return
		}
	}
}

// Next ends the current step (running the rest of its wait at once) and
// starts the next; it reports false when the current step is the last.
func (p *LessonPlayer) Next() (bool, error) {
	for !p.done {
		p.Advance(sim.Hour)
	}
	if p.step+1 >= len(p.lesson.Steps) {
		return false, nil
	}
	return true, p.begin(p.step + 1)
}

// Rewind goes back to the start of step k: it re-runs from the seed,
// playing steps 0..k-1 to the end of their waits, then starts step k.
func (p *LessonPlayer) Rewind(k int) error {
	k = max(0, min(k, len(p.lesson.Steps)-1))
	if err := p.restart(); err != nil {
		return err
	}
	if err := p.begin(0); err != nil {
		return err
	}
	for p.step < k {
		if _, err := p.Next(); err != nil {
			return err
		}
	}
	return nil
}

// Play runs the whole lesson and returns every step's result.
func (p *LessonPlayer) Play() ([]StepResult, error) {
	for {
		more, err := p.Next()
		if err != nil {
			return p.Results(), err
		}
		if !more {
			return p.Results(), nil
		}
	}
}

// Model is the simulation of the current run; it changes on Rewind and at
// a variant: step, so callers must not keep it.
func (p *LessonPlayer) Model() *models.Model { return p.m }

// Scenario is the design running: the scenario, or the variant a
// variant: step switched to.
func (p *LessonPlayer) Scenario() *Scenario {
	if p.design == "" {
		return p.base
	}
	return p.variants[p.design]
}

// Injected is the lesson's injections in the current run, in the order
// they were made (their ids follow the scenario's faults:).
func (p *LessonPlayer) Injected() []models.Fault { return append([]models.Fault(nil), p.injected...) }

// Lesson is the lesson being played.
func (p *LessonPlayer) Lesson() *Lesson { return p.lesson }

// Step is the index of the current step.
func (p *LessonPlayer) Step() int { return p.step }

// StepDone says whether the current step's wait is over.
func (p *LessonPlayer) StepDone() bool { return p.done }

// StepStart is when the current step started, in the current run.
func (p *LessonPlayer) StepStart() sim.Time { return p.began }

// Design is the variant running ("" for the scenario as written).
func (p *LessonPlayer) Design() string { return p.design }

// Elapsed is the simulated time played so far, over every run.
func (p *LessonPlayer) Elapsed() sim.Time { return p.past + p.m.Engine().Now() }

// Results is a copy of every step's result so far.
func (p *LessonPlayer) Results() []StepResult { return append([]StepResult(nil), p.results...) }

// Length estimates the simulated time a lesson takes without running it:
// per run (the scenario, then each variant: replay) the steps' for: waits
// add up, a wait with until: only counting as its limit, and a step that
// waits on until: alone as the rest of the run.
func (l *Lesson) Length(duration sim.Time) sim.Time {
	var total, run sim.Time
	for _, st := range l.Steps {
		if st.Action.Kind == ActionVariant {
			total += min(run, duration)
			run = 0
		}
		switch {
		case st.For > 0:
			run += st.For
		case st.Until != "":
			run = duration
		}
	}
	return total + min(run, duration)
}

func clockOf(t sim.Time) string {
	s := int64(t / sim.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Span prints a span of simulated time the way a lesson reads it: 1m10s,
// 45s, 2h5m.
func Span(t sim.Time) string {
	sec := int64((t + sim.Second/2) / sim.Second)
	h, m, x := sec/3600, sec/60%60, sec%60
	out := ""
	if h > 0 {
		out += fmt.Sprintf("%dh", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dm", m)
	}
	if x > 0 || out == "" {
		out += fmt.Sprintf("%ds", x)
	}
	if t < sim.Minute && t%sim.Second != 0 {
		return strconv.FormatFloat(t.Seconds(), 'g', 3, 64) + "s"
	}
	return out
}

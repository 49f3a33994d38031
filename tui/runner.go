// Package tui is the terminal UI: a Bubble Tea program that shows a
// scenario running live and lets a user inject and clear faults, and the
// runner that drives the simulation in real time.
//
// The runner owns the engine and the model; nothing else touches them. On
// each frame it advances simulated time by speed × the wall time elapsed,
// within a budget of wall time so that input stays responsive, copies a
// snapshot of plain values and hands it to the UI through a one-slot
// channel where the newest snapshot replaces an unread one. The UI sends
// user actions back as values; the runner applies them between slices, at
// the simulated instant it has reached, through the same Model.Inject and
// Model.Clear the scenario timeline uses — which is why a session can be
// saved and replayed headless to the same numbers.
package tui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"cascade/models"
	"cascade/scenarios"
	"cascade/sim"
)

// ActionKind says what a user asked the runner to do.
type ActionKind int

const (
	ActPause ActionKind = iota + 1
	ActResume
	ActSpeed   // set Speed
	ActStep    // advance Step of simulated time while paused
	ActInject  // inject Fault now
	ActClear   // clear fault ID now
	ActRestart // start over with the same seed
)

// Action is a user's request, as a value.
type Action struct {
	Kind  ActionKind
	Speed float64 // ActSpeed: simulated seconds per wall second; 0 = as fast as possible
	Fault models.Fault
	ID    int // ActClear: the fault's id
}

// Snapshot is the state of a run at one frame, as plain values the UI may
// keep: nothing in it refers to the engine or the model.
type Snapshot struct {
	Gen       int // incremented by each restart
	Now, End  sim.Time
	Speed     float64 // requested; 0 = as fast as possible
	Effective float64 // simulated seconds per wall second over the last frame
	Paused    bool
	Finished  bool
	Behind    bool // the last frame could not reach the requested speed
	Seed      uint64
	Events    uint64 // engine events fired
	Result    models.Result
	// Faults holds the value of every fault by id (Result.Faults[i].ID ==
	// i): first the scenario's timeline, then those injected live.
	Faults   []models.Fault
	Timeline int // how many of Faults come from the file
	// Session is what saving now would add to the scenario; Changes counts
	// edits to it since the start (or the last restart).
	Session scenarios.Session
	Changes int
	Cleared []int        // ids of faults cleared by hand
	Err     string       // why the last action failed, if it did
	Note    string       // what the last action did, if it did something
	Lesson  *LessonState // lesson mode (lesson.go); nil otherwise
}

// Runner drives one scenario in real time. Its methods are not safe for
// concurrent use: Run calls them on its own goroutine, and tests call them
// directly.
type Runner struct {
	sc       *scenarios.Scenario
	seed     uint64
	points   int
	eng      *sim.Engine
	m        *models.Model
	topo     models.Topology
	speed    float64
	paused   bool
	behind   bool
	eff      float64
	gen      int
	faults   []models.Fault // by id
	session  scenarios.Session
	changes  int
	cleared  []int
	err      string
	note     string
	slice    sim.Time      // adaptive sub-slice of simulated time
	Budget   time.Duration // wall time one frame may simulate for
	StepSize sim.Time      // what ActStep advances
	lesson   *lessonRun    // lesson mode (lesson.go); nil otherwise
}

// NewRunner builds the scenario's model with seed, ready to run.
func NewRunner(s *scenarios.Scenario, seed uint64) (*Runner, error) {
	r := &Runner{sc: s, seed: seed, points: 600, speed: 1, Budget: 20 * time.Millisecond, StepSize: sim.Second}
	if err := r.build(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Runner) build() error {
	r.topo = r.sc.Topology()
	r.eng = sim.NewEngine(r.seed)
	m, err := models.New(r.eng, r.topo, models.Options{Until: r.sc.Duration, Warmup: r.sc.Warmup, Points: r.points})
	if err != nil {
		return fmt.Errorf("%s: %v", r.sc.Source, err)
	}
	if r.sc.Duration == 0 {
		for _, w := range r.topo.Workloads {
			if w.Limit == 0 {
				return fmt.Errorf("%s has no duration and workload %q never stops", r.sc.Source, w.Name)
			}
		}
	}
	m.Start()
	r.m = m
	r.faults = slices.Clone(r.topo.Faults)
	r.session = scenarios.Session{Seed: r.seed}
	r.slice = sim.Millisecond
	return nil
}

// Topology is the topology the runner built (for the UI's static layout).
func (r *Runner) Topology() models.Topology { return r.topo }

// Scenario is the scenario being run.
func (r *Runner) Scenario() *scenarios.Scenario { return r.sc }

// Apply performs one action at the current simulated time.
func (r *Runner) Apply(a Action) {
	r.err, r.note = "", ""
	if r.lesson != nil && r.lessonApply(a) { // lesson.go
		return
	}
	switch a.Kind {
	case ActPause:
		r.paused = true
	case ActResume:
		r.paused = false
	case ActSpeed:
		r.speed = a.Speed
	case ActStep:
		if !r.m.Finished() {
			r.m.Advance(r.StepSize)
		}
	case ActInject:
		r.inject(a.Fault)
	case ActClear:
		r.clear(a.ID)
	case ActRestart:
		r.gen++
		if err := r.build(); err != nil {
			r.err = err.Error()
		}
		r.changes, r.cleared = 0, nil
		r.note = "restarted with seed " + fmt.Sprint(r.seed)
	}
}

// quiet moves the clock to the next instant at which no event is pending,
// every earlier event having fired, and returns it. A fault started or
// cleared there is then the only thing happening at that instant, both now
// and when the session is replayed from a file — where the fault's events
// were scheduled long before — so the order of events, and every number,
// is the same.
func (r *Runner) quiet() (sim.Time, bool) {
	for {
		if r.m.Finished() {
			return 0, false
		}
		next := r.eng.Now() + 1
		free := r.eng.NextAt() > next
		r.m.Advance(1)
		if r.eng.Now() != next {
			return 0, false // the run ended on the way
		}
		if free {
			return next, true
		}
	}
}

func (r *Runner) inject(f models.Fault) {
	at, ok := r.quiet()
	if !ok {
		r.err = "the run is over"
		return
	}
	f.Start = at
	f.When = nil
	id, err := r.m.Inject(f)
	if err != nil {
		r.err = err.Error()
		return
	}
	r.m.Advance(0) // start it at once: it is active from this instant
	r.faults = append(r.faults, f)
	r.session.Faults = append(r.session.Faults, f)
	r.changes++
	r.note = "injected " + r.m.Faults()[id].Name + " at " + clock(at)
}

// clearer is the event that clears a fault by hand. Clearing through an
// event, rather than calling Clear between slices, makes the live run fire
// the same number of events as its replay, where the fault's own end event
// does the clearing.
type clearer Runner

func (c *clearer) Fire(arg any) { (*Runner)(c).m.Clear(arg.(int)) }

func (r *Runner) clear(id int) {
	recs := r.m.Faults()
	if id < 0 || id >= len(recs) {
		r.err = "no such fault"
		return
	}
	if recs[id].State != models.FaultActive {
		r.err = recs[id].Name + " is " + recs[id].State.String() + "; only an active fault can be cleared"
		return
	}
	at, ok := r.quiet()
	if !ok {
		r.err = "the run is over"
		return
	}
	if recs = r.m.Faults(); recs[id].State != models.FaultActive {
		r.err = recs[id].Name + " ended by itself"
		return
	}
	r.eng.At(at, (*clearer)(r), id)
	r.m.Advance(0)
	lived := at - recs[id].Start
	if id < len(r.topo.Faults) {
		if r.session.Shortened == nil {
			r.session.Shortened = map[int]sim.Time{}
		}
		r.session.Shortened[id] = lived
	} else {
		i := id - len(r.topo.Faults)
		r.session.Faults[i].Duration = lived
		r.faults[id].Duration = lived
	}
	r.changes++
	r.cleared = append(r.cleared, id)
	r.note = "cleared " + recs[id].Name + " at " + clock(at)
}

// Frame advances the simulation by the simulated time that elapsed wall
// time stands for at the current speed, spending at most Budget of wall
// time, and reports whether the time was reached.
func (r *Runner) Frame(elapsed time.Duration) {
	r.eff = 0
	if r.paused || r.m.Finished() {
		r.behind = false
		return
	}
	start := time.Now()
	from := r.eng.Now()
	var target sim.Time
	if r.speed > 0 {
		target = from + sim.Time(float64(elapsed)*r.speed)
		if target <= from {
			target = from + 1
		}
	}
	reached := true
	for r.speed == 0 || r.eng.Now() < target {
		if r.m.Finished() || r.paused { // a lesson pauses where a step ends
			break
		}
		if time.Since(start) >= r.Budget {
			reached = r.speed == 0
			break
		}
		d := r.slice
		if r.speed > 0 {
			d = min(d, target-r.eng.Now())
		}
		t0 := time.Now()
		r.advance(d) // lesson.go
		// Sub-slices of about a millisecond of wall time: fine enough to
		// stop close to the budget, coarse enough to cost nothing.
		switch took := time.Since(t0); {
		case took < 500*time.Microsecond && d == r.slice && r.slice < sim.Minute:
			r.slice *= 2
		case took > 2*time.Millisecond && r.slice > sim.Microsecond:
			r.slice /= 2
		}
	}
	r.behind = !reached
	if elapsed > 0 {
		r.eff = float64(r.eng.Now()-from) / float64(elapsed)
	}
}

// Snapshot copies the run's state.
func (r *Runner) Snapshot() Snapshot {
	sess := r.session
	sess.Faults = slices.Clone(sess.Faults)
	sess.Shortened = maps.Clone(sess.Shortened)
	msg := r.err
	if err := r.m.Err(); err != nil && msg == "" {
		msg = err.Error() // the run stopped: a rate expression gave a value that is no rate
	}
	return Snapshot{
		Gen: r.gen, Now: r.eng.Now(), End: r.m.End(), Speed: r.speed, Effective: r.eff,
		Paused: r.paused, Finished: r.m.Finished(), Behind: r.behind, Seed: r.seed, Events: r.eng.Fired(),
		Result: r.m.Result(true), Faults: slices.Clone(r.faults), Timeline: len(r.topo.Faults),
		Session: sess, Changes: r.changes, Cleared: slices.Clone(r.cleared), Err: msg, Note: r.note,
		Lesson: r.lessonState(),
	}
}

// Frames is how often Run advances and publishes.
const Frames = 30

// Run drives the runner until ctx is done: it applies actions as they
// arrive, advances once per frame, and publishes a snapshot after each
// into out, a channel of capacity 1, replacing one the UI has not read.
func (r *Runner) Run(ctx context.Context, actions <-chan Action, out chan Snapshot) {
	tick := time.NewTicker(time.Second / Frames)
	defer tick.Stop()
	last := time.Now()
	publish(out, r.Snapshot())
	// A paused or finished run changes only through actions: no need to
	// copy and draw the same snapshot thirty times a second.
	type state struct {
		now    sim.Time
		fired  uint64
		behind bool
		eff    float64
	}
	sent := state{r.eng.Now(), r.eng.Fired(), r.behind, r.eff}
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-actions:
			r.Apply(a)
			if a.Kind == ActResume || a.Kind == ActRestart {
				last = time.Now()
			}
			publish(out, r.Snapshot())
			sent = state{r.eng.Now(), r.eng.Fired(), r.behind, r.eff}
		case now := <-tick.C:
			elapsed := now.Sub(last)
			last = now
			// After a stall (a suspended terminal, a debugger) do not
			// try to make up for it all at once.
			r.Frame(min(elapsed, 250*time.Millisecond))
			if cur := (state{r.eng.Now(), r.eng.Fired(), r.behind, r.eff}); cur != sent {
				publish(out, r.Snapshot())
				sent = cur
			}
		}
	}
}

// publish puts s in the one-slot channel, dropping an unread snapshot.
func publish(out chan Snapshot, s Snapshot) {
	for {
		select {
		case out <- s:
			return
		default:
		}
		select {
		case <-out:
		default:
		}
	}
}

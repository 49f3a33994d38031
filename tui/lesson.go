package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cascade/scenarios"
	"cascade/sim"
)

// Lesson mode: the runner's model belongs to a scenarios.LessonPlayer,
// which performs each step's action at the instant the step starts and
// stops the clock where its wait ends; the runner pauses there (the
// question to the room), n starts the next step and b goes back to the
// start of a step by re-running from the seed to that instant, which
// determinism makes exact. The step panel takes the place of the detail
// panel.

// Lesson actions.
const (
	ActLessonNext ActionKind = iota + 100 // end this step, start the next
	ActLessonBack                         // rewind to the start of this step, or of the previous one
)

// LessonState is the lesson part of a Snapshot: plain values.
type LessonState struct {
	Title, Source string
	Step, Steps   int // Step is 0-based
	Text, Ask     string
	Action, Wait  string
	Done          bool     // the step's wait is over
	Last          bool     // it is the last step
	Start         sim.Time // when the step started, in the current run
	Design        string   // the variant running, "" for the scenario
	Result        scenarios.StepResult
}

type lessonRun struct {
	p *scenarios.LessonPlayer
	// seen is how many of the player's injections r.faults holds; faults
	// injected by hand (f) sit between them, in id order.
	seen int
}

// NewLessonRunner builds a runner that walks s's lesson with seed. It
// starts paused on the first step.
func NewLessonRunner(s *scenarios.Scenario, seed uint64) (*Runner, error) {
	p, err := scenarios.NewLessonPlayer(s, seed, 0)
	if err != nil {
		return nil, err
	}
	r := &Runner{sc: s, seed: seed, points: 600, speed: 1, Budget: 20 * time.Millisecond, StepSize: sim.Second,
		lesson: &lessonRun{p: p}, paused: true}
	r.adopt()
	return r, nil
}

// adopt points the runner at the player's current model (after a rewind or
// a variant: step rebuilt it).
func (r *Runner) adopt() {
	p := r.lesson.p
	inj := p.Injected()
	if p.Model() == r.m {
		// The same run went on (n): only the new step's injection is new;
		// faults injected by hand stay where their ids put them.
		r.faults = append(r.faults, inj[r.lesson.seen:]...)
		r.lesson.seen = len(inj)
		return
	}
	r.m = p.Model()
	r.eng = r.m.Engine()
	r.topo = p.Scenario().Topology()
	r.faults = append(slices.Clone(r.topo.Faults), inj...)
	r.lesson.seen = len(inj)
	r.session = scenarios.Session{Seed: r.seed}
	r.changes, r.cleared = 0, nil
	r.slice = sim.Millisecond
}

// lessonApply performs the actions that mean something else in a lesson;
// it reports whether it handled a.
func (r *Runner) lessonApply(a Action) bool {
	p := r.lesson.p
	var err error
	switch a.Kind {
	case ActLessonNext:
		var more bool
		if more, err = p.Next(); err == nil && !more {
			r.note = "that was the last step: b goes back, q quits"
		} else if err == nil {
			r.paused = p.StepDone()
			r.note = fmt.Sprintf("step %d of %d", p.Step()+1, len(p.Lesson().Steps))
		}
	case ActLessonBack:
		k := p.Step()
		if r.eng.Now() == p.StepStart() {
			k-- // already at the start of this step: the one before
		}
		err = p.Rewind(max(k, 0))
		r.paused = true
		r.note = fmt.Sprintf("back to the start of step %d (re-run from seed %d)", p.Step()+1, r.seed)
	case ActRestart:
		err = p.Rewind(0)
		r.gen++
		r.paused = true
		r.note = "restarted the lesson with seed " + fmt.Sprint(r.seed)
	case ActStep:
		p.Advance(r.StepSize)
		r.paused = true
	default:
		return false
	}
	if err != nil {
		r.err = err.Error()
	}
	r.adopt()
	return true
}

// advance runs d of simulated time: in a lesson through the player, which
// stops where the step's wait ends, and the runner pauses there.
func (r *Runner) advance(d sim.Time) {
	if r.lesson == nil {
		r.m.Advance(d)
		return
	}
	r.lesson.p.Advance(d)
	if r.lesson.p.StepDone() {
		r.paused = true
	}
}

// lessonState copies the lesson's state for a snapshot.
func (r *Runner) lessonState() *LessonState {
	if r.lesson == nil {
		return nil
	}
	p := r.lesson.p
	l := p.Lesson()
	st := l.Steps[p.Step()]
	return &LessonState{Title: l.Title, Source: l.Source, Step: p.Step(), Steps: len(l.Steps),
		Text: st.Text, Ask: st.Ask, Action: st.Action.Label, Wait: st.Wait(), Done: p.StepDone(),
		Last: p.Step() == len(l.Steps)-1, Start: p.StepStart(), Design: p.Design(), Result: p.Results()[p.Step()]}
}

// lessonKey handles n and b in a lesson; ok is false for other keys.
func (m Model) lessonKey(s string) (Model, bool) {
	switch s {
	case "n":
		if m.snap.Lesson.Last && m.snap.Lesson.Done {
			m.status, m.statusBad = "that was the last step: b goes back, q quits", false
			return m, true
		}
		m.opt.Send(Action{Kind: ActLessonNext})
	case "b":
		m.opt.Send(Action{Kind: ActLessonBack})
	default:
		return m, false
	}
	return m, true
}

// detailOrLesson is the detail panel, or in a lesson the step panel.
func (m Model) detailOrLesson(w, h int) []line {
	if m.snap.Lesson == nil {
		return m.detail(w, h)
	}
	return m.lessonPanel(w, h)
}

// lessonPanel draws the current step: what to watch, the action taken,
// the wait, and when it is over the question and the checks' verdicts
// with their measured values.
func (m Model) lessonPanel(w, h int) []line {
	th := &m.th
	ls := m.snap.Lesson
	var out []line
	head := fmt.Sprintf("step %d/%d", ls.Step+1, ls.Steps)
	if ls.Design != "" {
		head += " [" + ls.Design + "]"
	}
	out = append(out, m.title(head+" · "+ls.Title, w))
	wrap := func(prefix string, st *seg, s string) {
		for i, l := range wrapWords(s, max(w-len(prefix)-1, 10)) {
			p := prefix
			if i > 0 {
				p = strings.Repeat(" ", len(prefix))
			}
			sg := txt(l)
			if st != nil {
				sg = *st
				sg.text = l
			}
			out = append(out, line{txt(" " + p), sg})
		}
	}
	wrap("", nil, ls.Text)
	if ls.Action != "" {
		wrap("did: ", nil, ls.Action+" at "+clock(ls.Start))
	}
	now := m.snap.Now
	switch {
	case ls.Wait == "":
	case ls.Done:
		wrap("waited: ", nil, ls.Wait+", ended at "+clock(ls.Result.At))
	default:
		wrap("waiting: ", nil, ls.Wait+" (since "+clock(ls.Start)+", now "+clock(now)+")")
	}
	if ls.Done {
		if ls.Result.WaitErr != "" {
			bad := sty(&th.bad, "")
			wrap("FAIL ", &bad, ls.Result.WaitErr)
		}
		for _, v := range ls.Result.Verdicts {
			mark, st := "PASS ", sty(&th.good, "")
			if !v.Pass {
				mark, st = "FAIL ", sty(&th.bad, "")
			}
			wrap(mark, &st, v.Expect)
			for _, x := range v.Measured {
				wrap("      ", nil, x.Src+" = "+x.Text)
			}
		}
		if ls.Ask != "" {
			q := sty(&th.accent, "")
			wrap("ASK  ", &q, ls.Ask)
		}
	}
	var keys string
	switch {
	case ls.Done && ls.Last:
		keys = "last step · b back · q quit"
	case ls.Done:
		keys = "paused: n next step · b back"
	case m.snap.Paused:
		keys = "space run · n skip the wait · b back"
	default:
		keys = "space pause · n skip the wait · b back"
	}
	hint := line{txt(" "), sty(&th.key, keys)}
	if len(out) >= h {
		out = out[:h-1]
	}
	for len(out) < h-1 {
		out = append(out, line{})
	}
	return append(out, hint)
}

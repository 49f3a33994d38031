package tui

import (
	"strings"
	"testing"

	"cascade/scenarios"
	"cascade/sim"
)

// newLessonHarness is newHarness in lesson mode.
func newLessonHarness(t *testing.T, name string, w, h int) *harness {
	t.Helper()
	s, err := scenarios.LoadLesson(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewLessonRunner(s, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return wire(t, s, r, w, h)
}

// runStep runs frames until the current step's wait is over, as the live
// loop would, and feeds the snapshot.
func (h *harness) runStep() {
	h.t.Helper()
	if h.r.paused {
		h.press("space")
	}
	h.r.Budget = 1 << 62 // frames never run out of wall time: reproducible
	speed := h.r.speed
	h.r.speed = 0
	for i := 0; i < 1000 && !h.r.paused && !h.r.m.Finished(); i++ {
		h.r.Frame(0)
	}
	h.r.speed = speed
	h.feed()
}

// TestTUILessonSteps walks the retry-storm lesson: the run starts paused
// on step 1, pauses exactly where each wait ends, n performs the next
// action at that instant, b rewinds to the start of a step by re-running
// from the seed to the same numbers, and the panel shows verdicts.
func TestTUILessonSteps(t *testing.T) {
	hs := newLessonHarness(t, "retry-storm", 120, 40)
	if !hs.m.snap.Paused || hs.m.snap.Lesson == nil || hs.m.snap.Lesson.Step != 0 {
		t.Fatalf("want paused on step 1, got paused=%v lesson=%+v", hs.m.snap.Paused, hs.m.snap.Lesson)
	}
	hs.runStep()
	if got := hs.r.eng.Now(); got != sim.Minute {
		t.Fatalf("step 1 (for: 1m) paused at %v, want 1m", got)
	}
	if !hs.m.snap.Lesson.Done || len(hs.m.snap.Lesson.Result.Verdicts) != 1 || !hs.m.snap.Lesson.Result.Verdicts[0].Pass {
		t.Fatalf("step 1 result: %+v", hs.m.snap.Lesson.Result)
	}
	hs.press("n")
	if hs.m.snap.Lesson.Step != 1 || hs.m.snap.Lesson.Start != sim.Minute {
		t.Fatalf("after n: step %d started at %v, want step 2 at 1m", hs.m.snap.Lesson.Step+1, hs.m.snap.Lesson.Start)
	}
	recs := hs.r.m.Faults()
	if len(recs) != 1 || recs[0].Start != sim.Minute {
		t.Fatalf("step 2's inject: want one fault from 1m, got %+v", recs)
	}
	hs.runStep()
	if got := hs.r.eng.Now(); got != 2*sim.Minute+10*sim.Second {
		t.Fatalf("step 2 paused at %v, want 2m10s", got)
	}
	first := hs.m.snap.Lesson.Result
	hs.m.status = ""
	golden(t, "lesson-step2-120x40", hs.view())

	// b at the end of step 2 goes back to its start; running it again
	// gives the same numbers.
	hs.press("b")
	if hs.m.snap.Lesson.Step != 1 || hs.r.eng.Now() != sim.Minute || hs.m.snap.Lesson.Done {
		t.Fatalf("after b: step %d at %v done=%v, want step 2 at 1m", hs.m.snap.Lesson.Step+1, hs.r.eng.Now(), hs.m.snap.Lesson.Done)
	}
	hs.runStep()
	again := hs.m.snap.Lesson.Result
	if again.At != first.At || again.Verdicts[0].Measured[0].Text != first.Verdicts[0].Measured[0].Text {
		t.Fatalf("rewound step differs: %+v vs %+v", again, first)
	}
	// b twice from the start of a step goes to the previous one.
	hs.press("b")
	hs.press("b")
	if hs.m.snap.Lesson.Step != 0 || hs.r.eng.Now() != 0 {
		t.Fatalf("b b: step %d at %v, want step 1 at 0", hs.m.snap.Lesson.Step+1, hs.r.eng.Now())
	}
}

// TestTUILessonPanelGolden is the step panel at 80x24 at the start of a
// lesson, before anything ran.
func TestTUILessonPanelGolden(t *testing.T) {
	hs := newLessonHarness(t, "retry-storm", 80, 24)
	got := hs.view()
	if !strings.Contains(got, "step 1/5") {
		t.Errorf("no step counter in:\n%s", got)
	}
	golden(t, "lesson-start-80x24", got)
}

// TestTUILessonHandFaults: a fault injected by hand during a lesson keeps
// its id when the next step injects its own, so the screen's fault list
// matches the run's; b forgets it.
func TestTUILessonHandFaults(t *testing.T) {
	hs := newLessonHarness(t, "retry-storm", 120, 40)
	hs.r.StepSize = 10 * sim.Second
	hs.press(".")
	hs.press("f")
	hs.choose("slow")
	hs.choose("api")
	hs.setField("for", "5s")
	hs.press("enter")
	if n := len(hs.r.m.Faults()); n != 1 {
		t.Fatalf("%d faults after the hand injection, want 1", n)
	}
	hs.runStep()
	hs.press("n")
	recs := hs.m.snap.Result.Faults
	if len(recs) != 2 || len(hs.m.snap.Faults) != 2 || !strings.HasPrefix(recs[1].Name, "lesson step 2") {
		t.Fatalf("faults: records %+v, values %d", recs, len(hs.m.snap.Faults))
	}
	// At the start of step 2, b goes to the start of step 1: no fault yet;
	// n from there brings back the lesson's own and not the hand-made one.
	hs.press("b")
	if n := len(hs.m.snap.Result.Faults); n != 0 || len(hs.m.snap.Faults) != 0 || hs.m.snap.Lesson.Step != 0 {
		t.Fatalf("after b: %d fault records, %d values on step %d, want none on step 1", n, len(hs.m.snap.Faults), hs.m.snap.Lesson.Step+1)
	}
	hs.press("n")
	if recs := hs.m.snap.Result.Faults; len(recs) != 1 || len(hs.m.snap.Faults) != 1 || recs[0].Start != sim.Minute {
		t.Fatalf("after b n: %+v", recs)
	}
}

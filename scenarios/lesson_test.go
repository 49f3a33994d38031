package scenarios

import (
	"strings"
	"testing"

	"cascade/sim"
)

// TestLessonsPlay plays every built-in lesson on its own seed and one other
// (all of 101 and 202 besides were checked when the lessons were written;
// -short plays the file's seed only): each step's wait ends as written and
// every check holds.
func TestLessonsPlay(t *testing.T) {
	for _, e := range Lessons() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			if e.Scenario == nil {
				_, err := LoadLesson("builtin:" + e.Name)
				t.Fatalf("does not load: %v", err)
			}
			seeds := []uint64{e.Scenario.Seed, 101}
			if testing.Short() {
				seeds = seeds[:1]
			}
			for _, seed := range seeds {
				p, err := NewLessonPlayer(e.Scenario, seed, 0)
				if err != nil {
					t.Fatal(err)
				}
				res, err := p.Play()
				if err != nil {
					t.Fatal(err)
				}
				// The length cascade lessons prints is what playing takes,
				// and it fits a 10-15 minute slot at 1x with time to talk.
				if n := e.Scenario.Lesson.Length(e.Scenario.Duration); p.Elapsed() != n || n > 12*sim.Minute || n < 2*sim.Minute {
					t.Errorf("seed %d: played %v of simulated time, Length says %v (want 2m..12m)", seed, p.Elapsed(), n)
				}
				for i, r := range res {
					if !r.Pass() {
						var b strings.Builder
						for _, v := range r.Verdicts {
							b.WriteString("\n  " + v.Expect + ": ")
							for _, m := range v.Measured {
								b.WriteString(m.Src + "=" + m.Text + " " + m.Detail + "; ")
							}
						}
						t.Errorf("seed %d step %d failed (%s)%s", seed, i+1, r.WaitErr, b.String())
					}
				}
			}
		})
	}
}

// TestLessonProblems: a broken lesson gives positioned problems with
// hints, like the rest of the file.
func TestLessonProblems(t *testing.T) {
	head := "duration: 2m\nworkloads:\n  w: { to: api, rate: \"100 + t\" }\nservices:\n  api: { workers: 4, service_time: exp(10ms) }\nvariants:\n  bigger: { services.api.workers: 8 }\nlesson:\n  steps:\n"
	for _, c := range []struct{ step, want string }{
		{"    - { text: a, fro: 1m }", `l.yaml:10:18: lesson.steps[0]: unknown field "fro" (did you mean "for"?`},
		{"    - { for: 1m }", `lesson.steps[0].text: missing text:`},
		{"    - { text: a, variant: biger }", `lesson.steps[0].variant: unknown variant "biger" (did you mean "bigger"?`},
		{"    - { text: a, inject: { at: 1m, crash: api } }", `lesson.steps[0].inject.at: a lesson's inject: cannot have at:`},
		{"    - { text: a, inject: { crash: apii } }", `unknown service "apii" (did you mean "api"?`},
		{"    - { text: a, variant: bigger, inject: { crash: api } }", `one action per step, got variant and inject`},
		{"    - { text: a, rate: { workload: w, to: 200/s } }", `workload "w" has no constant rate to replace`},
		{"    - { text: a, until: 'queue(\"ap\") > 5' }", `lesson.steps[0].until: expression: queue(): unknown service "ap"`},
		{"    - { text: a, check: 'p99(\"api\") < 1s && goodpt(\"api\") > 1' }", `lesson.steps[0].check: expression: unknown name goodpt`},
	} {
		_, err := Parse("l.yaml", []byte(head+c.step+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %q", c.step, err, c.want)
		}
	}
	if _, err := Parse("l.yaml", []byte(strings.Replace(head, "duration: 2m\n", "", 1)+"    - { text: a }\n")); err == nil || !strings.Contains(err.Error(), "a lesson needs the scenario's duration:") {
		t.Errorf("no duration: got %v", err)
	}
}

// TestLessonWaits: until: ends a step at the first 100 ms check where the
// condition holds; with for: as its limit, a condition that never holds
// fails the step there; a for: past the end of the run fails it too.
func TestLessonWaits(t *testing.T) {
	src := `duration: 1m
workloads:
  w: { to: api, rate: 100/s }
services:
  api: { workers: 4, service_time: exp(10ms) }
lesson:
  steps:
    - { text: a, until: 't >= 12.34' }
    - { text: b, until: 'queue("api") > 1000000', for: 5s }
    - { text: c, rate: { workload: w, factor: 2x }, for: 10s, check: 'requests("w") > 0' }
    - { text: d, for: 1h }
`
	s, err := Parse("w.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewLessonPlayer(s, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Play()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		at   sim.Time
		fail string
	}{
		{12400 * sim.Millisecond, ""},
		{17400 * sim.Millisecond, "did not hold within 5s"},
		{27400 * sim.Millisecond, ""},
		{sim.Minute, "the run ended"},
	}
	for i, w := range want {
		r := res[i]
		if r.At != w.at || (w.fail == "") != (r.WaitErr == "") || !strings.Contains(r.WaitErr, w.fail) {
			t.Errorf("step %d: ended at %v with %q, want %v with %q", i+1, r.At, r.WaitErr, w.at, w.fail)
		}
	}
	if f := p.Injected(); len(f) != 1 || f[0].Start != 17400*sim.Millisecond || f[0].Factor != 2 {
		t.Errorf("rate action: %+v", f)
	}
}

package scenarios

import (
	"strings"
	"testing"

	"cascade/sim"
)

// TestLessonsPlay plays every built-in lesson on several seeds: each step's
// wait ends as written and every check holds.
func TestLessonsPlay(t *testing.T) {
	for _, e := range Lessons() {
		t.Run(e.Name, func(t *testing.T) {
			if e.Scenario == nil {
				_, err := LoadLesson("builtin:" + e.Name)
				t.Fatalf("does not load: %v", err)
			}
			for _, seed := range []uint64{e.Scenario.Seed, 101, 202} {
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

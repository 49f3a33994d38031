package scenarios

import (
	"strings"
	"testing"
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

package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"cascade/report"
	"cascade/scenarios"
)

const lessonsHelp = `Usage: cascade lessons

Lists the built-in lessons, sorted by name: a one-line story and the
length of the session in simulated time, with the wall time it takes at 1x
and at 10x speed (the instructor's pauses come on top). Open one with
'cascade tui --lesson NAME'; check one headless with
'cascade run --lesson NAME'. docs/lessons.md says how to write one.

Examples:
  cascade lessons
  cascade tui --lesson retry-storm
  cascade run --lesson retry-storm --junit lesson.xml
`

func lessonsCmd(args []string) int {
	fs := flag.NewFlagSet("lessons", flag.ContinueOnError)
	pos, status, ok := parseFlags(fs, args, lessonsHelp)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		return usageError("lessons", "takes no arguments")
	}
	entries := scenarios.Lessons()
	width := 0
	for _, e := range entries {
		width = max(width, utf8.RuneCountInString(e.Name))
	}
	for _, e := range entries {
		if e.Scenario == nil {
			fmt.Printf("%-*s  (does not load: run 'cascade run --lesson %s')\n", width, e.Name, e.Name)
			continue
		}
		l := e.Scenario.Lesson
		n := l.Length(e.Scenario.Duration)
		fmt.Printf("%-*s  %s\n", width, e.Name, firstSentence(l.Story))
		fmt.Printf("%-*s  %d steps, %s simulated: %s at 1x, %s at 10x\n", width, "", len(l.Steps),
			scenarios.Span(n), scenarios.Span(n), scenarios.Span(n/10))
	}
	return exitOK
}

// runLesson is `cascade run --lesson NAME`: it plays the lesson headless,
// performing each step's action at the instant the step starts, prints
// every step with its checks' verdicts and measured values, and returns
// exitOK when every step went as taught, exitFailed otherwise.
func runLesson(arg string, seed *uint64, junitPath string, quiet bool) int {
	s, err := scenarios.LoadLesson(arg)
	if err != nil {
		reportLoadError("run", arg, err)
		return exitUsage
	}
	if junitPath != "" {
		if err := checkOutput(junitPath); err != nil {
			return usageError("run", fmt.Sprintf("--junit %s: %v", junitPath, err))
		}
	}
	sd := s.Seed
	if seed != nil {
		sd = *seed
	}
	t0 := time.Now()
	p, err := scenarios.NewLessonPlayer(s, sd, 0)
	var results []scenarios.StepResult
	if err == nil {
		results, err = p.Play()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade run: %s: %v\n", s.Source, err)
		return exitFailed
	}
	out := io.Writer(os.Stdout)
	if quiet {
		out = io.Discard
	}
	verdicts := lessonVerdicts(s, results)
	printLesson(out, s, sd, results)
	failed := report.Failed(verdicts)
	if junitPath != "" {
		meta := report.Meta{Scenario: s.Name, Description: s.Description, Source: s.Source, Version: fullVersion(),
			Seed: sd, Duration: s.Duration, Warmup: s.Warmup, Runs: 1, Expect: verdicts}
		suites := []report.JUnitSuite{{Meta: meta, WallSeconds: time.Since(t0).Seconds()}}
		if err := writeAtomically(junitPath, func(w io.Writer) error { return report.JUnit(w, suites) }); err != nil {
			fmt.Fprintf(os.Stderr, "cascade run: writing --junit: %v\n", err)
			return exitFailed
		}
	}
	if failed > 0 {
		report.Failures(os.Stderr, s.Source, verdicts)
		fmt.Fprintf(os.Stderr, "cascade run: %s: %d of %d lesson checks failed\n", s.Source, failed, len(verdicts))
		return exitFailed
	}
	return exitOK
}

// lessonVerdicts flattens a lesson's results into verdicts, one per check
// and one per wait that did not end as written, each named after its
// step, for the failure list and JUnit.
func lessonVerdicts(s *scenarios.Scenario, results []scenarios.StepResult) []scenarios.Verdict {
	var out []scenarios.Verdict
	for i, r := range results {
		st := s.Lesson.Steps[i]
		prefix := fmt.Sprintf("step %d: ", i+1)
		if !r.Ended || r.WaitErr != "" {
			why := r.WaitErr
			if !r.Ended {
				why = "the step never ended"
			}
			out = append(out, scenarios.Verdict{Expect: prefix + "wait " + st.Wait(), Line: st.Line, Col: st.Col, Runs: 1, Err: why})
		}
		for _, v := range r.Verdicts {
			v.Expect = prefix + v.Expect
			out = append(out, v)
		}
	}
	return out
}

// printLesson writes every step of a played lesson: when it ended, what it
// did and its checks.
func printLesson(w io.Writer, s *scenarios.Scenario, seed uint64, results []scenarios.StepResult) {
	l := s.Lesson
	fmt.Fprintf(w, "LESSON  %s  (%s, seed %d)\n", l.Title, s.Source, seed)
	if l.Source != "" {
		fmt.Fprintf(w, "        after: %s\n", l.Source)
	}
	for i, r := range results {
		st := l.Steps[i]
		mark := "PASS"
		if !r.Pass() {
			mark = "FAIL"
		}
		if len(st.Checks) == 0 && r.Pass() {
			mark = "    "
		}
		design := ""
		if r.Design != "" {
			design = " [" + r.Design + "]"
		}
		fmt.Fprintf(w, "\n%s  step %d/%d  ends %s%s\n", mark, i+1, len(l.Steps), clock(r.At), design)
		if st.Action.Label != "" {
			fmt.Fprintf(w, "        action: %s\n", st.Action.Label)
		}
		if wt := st.Wait(); wt != "" {
			fmt.Fprintf(w, "        wait:   %s\n", wt)
		}
		if r.WaitErr != "" {
			fmt.Fprintf(w, "        FAIL   %s\n", r.WaitErr)
		}
		for _, v := range r.Verdicts {
			m := "PASS"
			if !v.Pass {
				m = "FAIL"
			}
			fmt.Fprintf(w, "        %s  %s\n", m, v.Expect)
			for _, x := range v.Measured {
				line := x.Src + " = " + x.Text
				if x.Detail != "" {
					line += " (" + x.Detail + ")"
				}
				fmt.Fprintf(w, "              %s\n", line)
			}
			if v.Err != "" {
				fmt.Fprintf(w, "              error: %s\n", v.Err)
			}
		}
	}
}

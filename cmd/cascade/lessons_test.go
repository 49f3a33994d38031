package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLessonsList: cascade lessons lists every built-in lesson with its
// story and its length at 1x and 10x.
func TestLessonsList(t *testing.T) {
	r := cascade(t, "", "lessons")
	wantCode(t, r, exitOK)
	for _, name := range []string{"retry-storm", "cache-flush", "hot-key", "pool-exhaustion", "gc-pause", "partition", "replica-lag", "overload"} {
		if !strings.Contains(r.stdout, name+" ") {
			t.Errorf("lessons does not list %s:\n%s", name, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "5 steps, 6m10s simulated: 6m10s at 1x, 37s at 10x") {
		t.Errorf("no length line for retry-storm:\n%s", r.stdout)
	}
}

// lessonFile is a small lesson whose second check fails.
const lessonFile = `name: tiny
duration: 1m
workloads:
  w: { to: api, rate: 100/s }
services:
  api: { workers: 4, service_time: exp(10ms) }
lesson:
  steps:
    - text: Watch.
      for: 20s
      check: 'goodput("w") > 50'
    - text: Double the rate.
      rate: { workload: w, to: 200/s }
      for: 20s
      check: 'goodput("w") > 1000'
`

// TestRunLesson: run --lesson exits 0 on a built-in that holds, 1 with a
// failed check (listed with its position and its measured value, and in
// JUnit), and 2 with positioned problems for an invalid lesson.
func TestRunLesson(t *testing.T) {
	dir := t.TempDir()
	r := cascade(t, dir, "run", "--lesson", "hot-key", "--seed", "3")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "PASS  step 3/3") || !strings.Contains(r.stdout, `requests("db-sf") = `) {
		t.Errorf("no step verdicts with measured values:\n%s", r.stdout)
	}

	path := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(path, []byte(lessonFile), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cascade(t, dir, "run", "--lesson", "tiny.yaml", "--junit", "out.xml")
	wantCode(t, r, exitFailed)
	noCrash(t, r)
	if !strings.Contains(r.stderr, `tiny.yaml:15:14: FAIL step 2: goodput("w") > 1000`) {
		t.Errorf("failure not listed with its position:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "action: rate of w x2") {
		t.Errorf("rate action not shown:\n%s", r.stdout)
	}
	junit, err := os.ReadFile(filepath.Join(dir, "out.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(junit), `step 1: goodput(&#34;w&#34;) &gt; 50`) || !strings.Contains(string(junit), "<failure") {
		t.Errorf("junit lacks the step cases:\n%s", junit)
	}

	bad := strings.Replace(lessonFile, "for: 20s\n      check: 'goodput(\"w\") > 50'", "fro: 20s", 1)
	bad = strings.Replace(bad, "workload: w,", "workload: ww,", 1)
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cascade(t, dir, "run", "--lesson", "tiny.yaml")
	wantCode(t, r, exitUsage)
	noCrash(t, r)
	for _, want := range []string{`lesson.steps[0]: unknown field "fro" (did you mean "for"?`, `unknown workload "ww"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = cascade(t, dir, "run", "--lesson", "retry-strom")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, `did you mean "retry-storm"`) {
		t.Errorf("no suggestion for a misspelt lesson:\n%s", r.stderr)
	}
}

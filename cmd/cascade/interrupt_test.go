//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startBusy starts cascade with args in dir and returns once the process
// has spent ticks of CPU time, i.e. it is past loading and inside the
// simulation loop, rather than after a guessed sleep: a slow machine then
// only makes the test slower. The process is killed when the test ends.
func startBusy(t *testing.T, dir string, ticks int, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(time.Minute)
	for cpuTicks(t, cmd.Process.Pid) < ticks {
		if time.Now().After(deadline) {
			t.Fatalf("run did not get going; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, &stdout, &stderr
}

// Ctrl-C stops a run cleanly: the summary and JSON of what was simulated
// are still produced, marked interrupted, and the exit status is 130.
// (10000 hours of shop is above the event limit: --allow-huge.)
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	cmd, stdout, stderr := startBusy(t, dir, 20, "run", "shop", "--duration", "10000h", "--json", "out.json", "--allow-huge")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v, want status %d\nstdout:\n%s\nstderr:\n%s", err, exitInterrupted, stdout.String(), stderr.String())
	}
	r := result{stdout: stdout.String(), stderr: stderr.String(), code: exit.ExitCode()}
	noCrash(t, r)
	for _, want := range []string{"INTERRUPTED", "of 10000h (interrupted)", "WORKLOAD", "SERVICE", "browse", "gateway"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	doc, data := readJSON(t, filepath.Join(dir, "out.json"))
	if !doc.Interrupted || doc.Events == 0 || doc.Duration <= 0 || doc.Duration >= 10000*3600 {
		t.Errorf("JSON of an interrupted run:\n%s", data)
	}
}

// cpuTicks is the user plus system CPU time of a process, in clock ticks,
// from /proc/PID/stat (fields 14 and 15, counted after the command name,
// which may itself contain spaces and parentheses).
func cpuTicks(t *testing.T, pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		t.Fatalf("unexpected /proc stat: %q", s)
	}
	u, _ := strconv.Atoi(f[11])
	k, _ := strconv.Atoi(f[12])
	return u + k
}

// Ctrl-C is noticed even when simulated time hardly moves: a rate of
// 1e300/s (let through with --allow-huge) fires an arrival every
// nanosecond, and the run is driven in bounded event steps.
func TestInterruptStalledClock(t *testing.T) {
	dir := t.TempDir()
	src := "duration: 1m\nworkloads:\n  w: { to: api, rate: 1e300/s }\nservices:\n  api: { service_time: 1ms }\n"
	if err := os.WriteFile(filepath.Join(dir, "huge.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, stdout, stderr := startBusy(t, dir, 5, "run", "huge.yaml", "--allow-huge")
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v, want status %d\nstderr:\n%s", err, exitInterrupted, stderr.String())
	}
	if took := time.Since(sent); took > 5*time.Second {
		t.Errorf("the run took %v to notice Ctrl-C", took)
	}
	if !strings.Contains(stdout.String(), "(interrupted)") {
		t.Errorf("summary not marked interrupted:\n%s", stdout.String())
	}
}

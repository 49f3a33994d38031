package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTUIOutsideATerminal(t *testing.T) {
	r := cascade(t, "", "tui", "shop")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "needs a terminal") || !strings.Contains(r.stderr, "cascade run shop") || r.stdout != "" {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	// A bad scenario is reported as such, terminal or not.
	r = cascade(t, "", "tui", "shpo")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "shop") {
		t.Errorf("no hint: %q", r.stderr)
	}
	r = cascade(t, "", "tui", "shop", "--sed", "1")
	wantCode(t, r, exitUsage)
	r = cascade(t, "", "tui", "shop", "--speed", "fast")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--speed fast") {
		t.Errorf("stderr %q", r.stderr)
	}
	// Without arguments and without a terminal: the help, as before.
	r = cascade(t, "")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "tui ") || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("usage lacks tui: %q", r.stderr)
	}
}

func TestTUIHelp(t *testing.T) {
	r := cascade(t, "", "tui", "--help")
	wantCode(t, r, exitOK)
	for _, want := range []string{"Usage: cascade tui", "Examples:", "NAME-session-N.yaml"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestTUIInTmux drives the real binary in a pseudo-terminal: it opens the
// picker, opens the default scenario, injects a fault with the palette,
// saves the session and quits, and the saved file replays headless.
func TestTUIInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("no tmux")
	}
	dir := t.TempDir()
	sock := "cascade-test-" + filepath.Base(dir)
	run := func(args ...string) string {
		out, _ := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		return string(out)
	}
	defer run("kill-server")
	if out := run("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-c", dir, "env NO_COLOR=1 "+binary); out != "" {
		t.Fatalf("tmux: %s", out)
	}
	screen := func() string { return run("capture-pane", "-p", "-t", "t") }
	waitFor := func(what string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			s := screen()
			if strings.Contains(s, what) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q on screen:\n%s", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	keys := func(k ...string) {
		for _, key := range k {
			run("send-keys", "-t", "t", key)
			time.Sleep(150 * time.Millisecond)
		}
	}
	waitFor("pick a scenario")
	keys("Enter") // the default, shop
	waitFor("Topology")
	s := waitFor("▶ running")
	for _, want := range []string{"gateway", "catalog", "Events", "seed 42"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	keys("f", "7", "Enter") // slow ...
	waitFor("slow on:")
	keys("Enter", "Enter") // ... the first service, default parameters
	waitFor("slow gateway applied")
	keys("s")
	waitFor("saved shop-session-1.yaml")
	keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(run("ls"), "no server") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(dir, "shop-session-1.yaml")); err != nil {
		t.Fatal(err)
	}
	r := cascade(t, dir, "run", "shop-session-1.yaml", "--duration", "30s", "--quiet")
	wantCode(t, r, exitOK)
}

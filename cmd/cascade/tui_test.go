package main

import (
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
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

// tmuxTerm is the real binary in a tmux pseudo-terminal of w x h cells,
// started with cmd in dir; the tmux server is killed when the test ends.
type tmuxTerm struct {
	t    *testing.T
	run  func(args ...string) string
	wait time.Duration // between keys
}

func newTmux(t *testing.T, dir string, w, h int, cmd string) *tmuxTerm {
	t.Helper()
	if testing.Short() {
		t.Skip("-short")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("no tmux")
	}
	// One tmux server per test directory: parallel tests' t.TempDir() share
	// their base names (001), so the whole path names the socket.
	sum := fnv.New64a()
	sum.Write([]byte(dir))
	sock := fmt.Sprintf("cascade-test-%x", sum.Sum64())
	tt := &tmuxTerm{t: t, wait: 150 * time.Millisecond, run: func(args ...string) string {
		out, _ := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		return string(out)
	}}
	t.Cleanup(func() { tt.run("kill-server") })
	if out := tt.run("new-session", "-d", "-s", "t", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "-c", dir, "env NO_COLOR=1 "+cmd); out != "" {
		t.Fatalf("tmux: %s", out)
	}
	return tt
}

func (tt *tmuxTerm) screen() string { return tt.run("capture-pane", "-p", "-t", "t") }

// waitFor waits up to 20 s for what to be on the screen and returns the screen.
func (tt *tmuxTerm) waitFor(what string) string {
	tt.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tt.screen()
		if strings.Contains(s, what) {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("no %q on screen:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// until waits up to 2 s for the screen to satisfy ok and returns it, and
// whether it did.
func (tt *tmuxTerm) until(ok func(string) bool) (string, bool) {
	for end := time.Now().Add(2 * time.Second); ; {
		s := tt.screen()
		if ok(s) {
			return s, true
		}
		if time.Now().After(end) {
			return s, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tt *tmuxTerm) keys(k ...string) {
	for _, key := range k {
		tt.run("send-keys", "-t", "t", key)
		time.Sleep(tt.wait)
	}
}

// burst sends keys in one go and waits once: for moves whose screens in
// between nobody looks at.
func (tt *tmuxTerm) burst(k ...string) {
	tt.run(append([]string{"send-keys", "-t", "t"}, k...)...)
	time.Sleep(tt.wait)
}

// TestTUIInTmux drives the real binary in a pseudo-terminal: it opens the
// picker, opens the default scenario, injects a fault with the palette,
// saves the session and quits, and the saved file replays headless.
func TestTUIInTmux(t *testing.T) {
	dir := t.TempDir()
	tt := newTmux(t, dir, 120, 40, binary)
	run, waitFor, keys := tt.run, tt.waitFor, tt.keys
	waitFor("pick a scenario")
	keys("Enter") // the default, shop
	waitFor("Topology")
	s := waitFor("▶ ") // running: "▶ warm-up" until 30 s, "▶ running" after
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
	r := cascade(t, dir, "run", "shop-session-1.yaml", "--duration", "1m", "--quiet") // past the warm-up, so shop's expectations have data
	wantCode(t, r, exitOK)
}

// TestTUIEveryVerbInTmux injects every fault verb the palette offers, each
// on its first target with its default parameters, into the real binary on
// shop and cache-stampede: the UI must survive each (no panic, the screen
// still drawn) and say the fault was applied or why not.
func TestTUIEveryVerbInTmux(t *testing.T) {
	for _, sc := range []string{"shop", "cache-stampede"} {
		t.Run(sc, func(t *testing.T) {
			t.Parallel() // each in its own tmux server; the time is in waits
			tt := newTmux(t, t.TempDir(), 160, 45, binary+" tui "+sc+" --speed 5x")
			tt.wait = 120 * time.Millisecond
			screen, waitFor, keys := tt.screen, tt.waitFor, tt.keys
			highlighted := func(s string) string {
				for _, l := range strings.Split(s, "\n") {
					if i := strings.Index(l, "▸ "); i >= 0 {
						if f := strings.Fields(l[i+len("▸ "):]); len(f) > 0 {
							return f[0]
						}
					}
				}
				return ""
			}
			waitFor("▶ ") // running (in the warm-up or after it)
			var done []string
			for i := 0; i < 40; i++ {
				keys("f")
				waitFor("Inject a fault")
				moves := []string{"Home"}
				for range i {
					moves = append(moves, "Down")
				}
				tt.burst(moves...)
				// Every row on the way is one already tried, so the new row
				// shows when the moves are done; none by the deadline is
				// the end of the list.
				verb := highlighted(screen())
				for end := time.Now().Add(2 * time.Second); slices.Contains(done, verb) && time.Now().Before(end); {
					time.Sleep(50 * time.Millisecond)
					verb = highlighted(screen())
				}
				if verb == "" || slices.Contains(done, verb) {
					keys("Escape")
					break
				}
				done = append(done, verb)
				// Each key waits for the screen it leads to, not a fixed
				// time: a loaded machine renders late.
				keys("Enter") // the verb: its targets
				waitFor(" " + verb + " on:")
				keys("Enter") // its first target: the form, or applied at once
				open := func(s string) bool { return strings.Contains(s, "Inject a fault") }
				s, _ := tt.until(func(s string) bool { return !open(s) || strings.Contains(s, "enter apply now") })
				if open(s) {
					keys("Enter") // apply with the default parameters
					var closed bool
					if s, closed = tt.until(func(s string) bool { return !open(s) }); !closed {
						// A default the verb refuses: it says so; leave.
						keys("Escape", "Escape", "Escape")
						s, _ = tt.until(func(s string) bool { return !open(s) })
					}
				}
				if strings.Contains(s, "cascade crashed") || !strings.Contains(s, " cascade "+sc) {
					t.Fatalf("after %s:\n%s", verb, s)
				}
			}
			// Every verb class the scenario has targets for: network, instance,
			// traffic, and the cache's own on cache-stampede.
			want := []string{"latency", "loss", "partition", "blackhole", "crash", "pause", "slow", "errors", "spike", "ramp", "deploy"}
			if sc == "cache-stampede" {
				want = append(want, "flush", "mass_expiry")
			}
			for _, v := range want {
				if !slices.Contains(done, v) {
					t.Errorf("%s not tried; tried %v", v, done)
				}
			}
			t.Logf("%s: %d verbs: %v", sc, len(done), done)
			s := waitFor("Events")
			if !strings.Contains(s, "applied") {
				t.Errorf("no fault applied:\n%s", s)
			}
			keys("q", "y")
		})
	}
}

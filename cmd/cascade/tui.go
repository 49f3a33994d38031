package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"cascade/scenarios"
	"cascade/tui"
)

const tuiHelp = `Usage: cascade tui [FILE|NAME] [flags]

Opens a scenario in the terminal UI and runs it live: the topology coloured
by health, the selected component's charts, SLO budgets and burn rates, and
a log of faults and alerts. Without FILE|NAME it opens the default built-in
scenario. 'cascade' alone, on a terminal, shows a picker of the built-ins.

Keys (? shows them all):
  space       pause/resume          +/-    speed 0.1x ... as fast as possible
  .           step 1s while paused  tab/arrows/mouse  select a component
  f           inject a fault        x      clear an active fault
  r           restart, same seed    s      save the session
  q           quit (asks before discarding an unsaved session)

Saving writes NAME-session-N.yaml, never over an existing file: the
scenario as written (comments kept) plus every fault injected, at the
simulated instant it took effect. 'cascade run' on it replays the session
headless to the same numbers. It goes to --save-dir, by default the
scenario file's directory (the current directory for a built-in) — but
never loose into the root of a git work tree: there it goes to
cascade-sessions/ inside it. The path is shown when it is saved.

Flags:
  --seed N    seed for every random stream (default: the scenario's seed)
  --speed X   starting speed: simulated seconds per second, e.g. 0.5, 10x,
              or max (as fast as the machine goes); default 1x
  --lesson L  walk a lesson (built-in name or file, 'cascade lessons'): a
              step panel replaces the detail panel; the run pauses where
              each step ends, n starts the next step, b goes back to the
              start of a step (re-run from the seed); docs/lessons.md
  --save-dir DIR  where saved sessions go (created if missing)
  --allow-huge  run even when the run is estimated at more than 2e9
                events (the limit that turns rate: 1e300/s into an error)
  -h, --help  show this help

NO_COLOR=1 turns colours off; health is also shown by a glyph.

Examples:
  cascade tui
  cascade tui partition
  cascade tui my-system.yaml --seed 7
  cascade tui --lesson retry-storm --speed 10x
`

func tuiCmd(args []string) int {
	fs := flag.NewFlagSet("tui", flag.ContinueOnError)
	addAllowHuge(fs)
	seed := fs.Uint64("seed", 0, "")
	speed := fs.String("speed", "1", "")
	lesson := fs.String("lesson", "", "")
	saveDir := fs.String("save-dir", "", "")
	pos, status, ok := parseFlags(fs, args, tuiHelp)
	if !ok {
		return status
	}
	if len(pos) > 1 {
		return usageError("tui", fmt.Sprintf("one scenario at a time, got %d", len(pos)))
	}
	opt := tui.RunOptions{Seed: *seed, SeedSet: isSet(fs, "seed")}
	if *speed == "max" {
		opt.Max = true
	} else {
		x, err := strconv.ParseFloat(strings.TrimSuffix(*speed, "x"), 64)
		if err != nil || !(x >= 0.1) || math.IsInf(x, 0) {
			return usageError("tui", fmt.Sprintf("--speed %s: want a speed of at least 0.1 such as 10x, or max", *speed))
		}
		opt.Speed = x
	}
	arg := scenarios.Default
	if len(pos) == 1 {
		arg = pos[0]
	}
	var s *scenarios.Scenario
	if *lesson != "" {
		if len(pos) > 0 {
			return usageError("tui", "--lesson names the lesson; give no scenario besides it")
		}
		ls, err := scenarios.LoadLesson(*lesson)
		if err != nil {
			reportLoadError("tui", *lesson, err)
			return exitUsage
		}
		s, arg, opt.Lesson = ls, "--lesson "+*lesson, true
	} else if s, ok = loadScenario("tui", arg); !ok {
		return exitUsage
	}
	if err := checkBound(s, s.Duration, 1); err != nil {
		reportLoadError("tui", arg, err)
		return exitUsage
	}
	dir, err := sessionDir(s.Source, *saveDir, isSet(fs, "save-dir"))
	if err != nil {
		return usageError("tui", err.Error())
	}
	opt.Dir = dir
	if !isTerminal(os.Stdout) || !isTerminal(os.Stdin) {
		return usageError("tui", "needs a terminal (for a headless run use 'cascade run "+arg+"')")
	}
	if err := tui.Run(s, opt); err != nil {
		if errors.Is(err, tea.ErrInterrupted) {
			return exitInterrupted
		}
		fmt.Fprintf(os.Stderr, "cascade tui: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// pickCmd is `cascade` with no arguments on a terminal: choose a built-in
// scenario, then open it.
func pickCmd() int {
	name, err := tui.Pick(tui.RunOptions{})
	if errors.Is(err, tea.ErrInterrupted) {
		return exitInterrupted
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade: %v\n", err)
		return exitFailed
	}
	if name == "" {
		return exitOK
	}
	return tuiCmd([]string{name})
}

// sessionDir is where the TUI saves sessions: the directory the user named
// (created if missing), else the scenario file's own directory, or the
// current one for a built-in. A default that is the root of a git work tree
// becomes its cascade-sessions/ subdirectory, so a save never drops
// untracked files beside a project's top-level files unasked.
func sessionDir(source, named string, set bool) (string, error) {
	if set {
		if named == "" {
			return "", errors.New("--save-dir: want a directory")
		}
		if err := os.MkdirAll(named, 0o755); err != nil {
			return "", fmt.Errorf("--save-dir: %v", err)
		}
		return named, nil
	}
	dir := "."
	if !strings.HasPrefix(source, "builtin:") && source != "" && source != "-" {
		dir = filepath.Dir(source)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return filepath.Join(dir, "cascade-sessions"), nil
	}
	return dir, nil
}

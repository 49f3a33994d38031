package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
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

Saving writes NAME-session-N.yaml in the current directory, never over an
existing file: the scenario as written (comments kept) plus every fault
injected, at the simulated instant it took effect. 'cascade run' on it
replays the session headless to the same numbers.

Flags:
  --seed N    seed for every random stream (default: the scenario's seed)
  --speed X   starting speed: simulated seconds per second, e.g. 0.5, 10x,
              or max (as fast as the machine goes); default 1x
  --lesson L  walk a lesson (built-in name or file, 'cascade lessons'): a
              step panel replaces the detail panel; the run pauses where
              each step ends, n starts the next step, b goes back to the
              start of a step (re-run from the seed); docs/lessons.md
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
	seed := fs.Uint64("seed", 0, "")
	speed := fs.String("speed", "1", "")
	lesson := fs.String("lesson", "", "")
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

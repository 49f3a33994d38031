package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync"
	"time"

	"cascade/sim"
)

// isTerminal reports whether f is a terminal (a character device), the
// only place a self-rewriting progress line makes sense: in a file or a CI
// log it would be noise.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress is a one-line status on a terminal, rewritten in place at most
// ten times a second. It is the only part of a run that reads the wall
// clock, and it writes to stderr only, so stdout stays deterministic. A nil
// *progress does nothing, which keeps callers free of conditionals.
type progress struct {
	mu    sync.Mutex // replications finish on several goroutines
	w     io.Writer
	name  string
	total sim.Time // 0: the run ends with its workloads
	// expect is the events one run is estimated to take (0: unknown),
	// shown next to the count so a slow run says at once why.
	expect float64
	start  time.Time
	last   time.Time
	drawn  bool

	// Replications: runs done of runs, and how many run at once, for an
	// ETA of the whole batch from the first run's pace. line is the last
	// simulated-time line, redrawn with the count as later runs finish.
	runsDone, runs, parallel int
	firstWall                time.Duration // wall time the first run took (or is estimated to take)
	line                     string
}

const progressEvery = 100 * time.Millisecond

func newProgress(w io.Writer, name string, total sim.Time) *progress {
	now := time.Now()
	return &progress{w: w, name: name, total: total, start: now, last: now}
}

// update redraws the line if the last draw is old enough. The first draw
// waits one period too, so a run that finishes at once never flickers.
//
// The line says which clock each number is on: simulated time and its
// share of the run, speed as simulated seconds per wall-clock second,
// events per wall-clock second, and the ETA in wall-clock time, estimated
// from the pace so far (for replications, from the first run's pace and
// how many run at once).
func (p *progress) update(now sim.Time, events uint64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := time.Now()
	if t.Sub(p.last) < progressEvery {
		return
	}
	p.last = t
	p.drawn = true
	wall := t.Sub(p.start)
	line := p.name + "  " + clock(now)
	if p.total > 0 {
		line += fmt.Sprintf(" / %s  %3.0f%%", clock(p.total), math.Floor(100*float64(now)/float64(p.total)))
	}
	if s := wall.Seconds(); s > 0 {
		line += "  sim " + speed(now.Seconds()/s) + "/s  " + si(float64(events)/s) + " events/s"
	}
	if p.expect > 0 {
		line += "  (" + si(float64(events)) + " of ~" + si(p.expect) + " events)"
	}
	if p.total > 0 && now > 0 {
		p.firstWall = time.Duration(float64(wall) * float64(p.total) / float64(now))
	}
	p.line = line
	p.draw(t)
}

// draw writes the last line with the run count and ETA; p.mu is held.
func (p *progress) draw(t time.Time) {
	line := p.line
	if p.runs > 1 {
		line += fmt.Sprintf("  runs %d/%d", p.runsDone, p.runs)
	}
	if p.firstWall > 0 {
		waves := 1
		if p.runs > 1 {
			waves = (p.runs + p.parallel - 1) / max(p.parallel, 1)
		}
		if eta := (time.Duration(waves)*p.firstWall - t.Sub(p.start)).Round(time.Second); eta > 0 {
			line += "  ETA " + eta.Round(time.Second).String()
		}
	}
	line += "  (Ctrl-C stops and reports)"
	fmt.Fprint(p.w, "\r\x1b[K"+line)
}

// batch says the progress follows the first of runs replications, parallel
// of them at a time.
func (p *progress) batch(runs, parallel int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runs, p.parallel = runs, parallel
}

// runDone counts a finished replication and redraws the line at once: after
// the first run ends nothing else moves it.
func (p *progress) runDone() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runsDone++
	if p.runs > 1 && p.drawn {
		t := time.Now()
		p.last = t
		p.draw(t)
	}
}

// speed prints simulated seconds per wall-clock second: "41.2s", "1.3ks".
func speed(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 2, 64) + "s"
	}
	return si(x) + "s"
}

// clear erases the line so the summary starts on a clean screen.
func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// clock prints simulated time to the second: the progress line moves too
// fast for more.
func clock(t sim.Time) string {
	return t.Duration().Truncate(time.Second).String()
}

// si prints a rate with a k/M/G suffix and three significant digits.
func si(x float64) string {
	if x >= 1e15 || math.IsNaN(x) {
		return strconv.FormatFloat(x, 'g', 2, 64)
	}
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if x >= u.div {
			return strconv.FormatFloat(x/u.div, 'f', 1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

// count shows progress through a number of jobs rather than simulated time.
// The last one is always drawn: it is the moment the user is waiting for.
func (p *progress) count(done, total int, what string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := time.Now()
	if t.Sub(p.last) < progressEvery && done < total {
		return
	}
	p.last = t
	p.drawn = true
	line := fmt.Sprintf("%s  %d/%d %s done  %3.0f%%", p.name, done, total, what, 100*float64(done)/float64(max(total, 1)))
	if done > 0 && done < total {
		// Wall-clock ETA from the mean pace so far.
		eta := time.Duration(float64(t.Sub(p.start)) / float64(done) * float64(total-done))
		line += "  ETA " + eta.Round(time.Second).String()
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
}

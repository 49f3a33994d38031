package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
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
	w     io.Writer
	name  string
	total sim.Time // 0: the run ends with its workloads
	start time.Time
	last  time.Time
	drawn bool
}

const progressEvery = 100 * time.Millisecond

func newProgress(w io.Writer, name string, total sim.Time) *progress {
	now := time.Now()
	return &progress{w: w, name: name, total: total, start: now, last: now}
}

// update redraws the line if the last draw is old enough. The first draw
// waits one period too, so a run that finishes at once never flickers.
func (p *progress) update(now sim.Time, events uint64) {
	if p == nil {
		return
	}
	t := time.Now()
	if t.Sub(p.last) < progressEvery {
		return
	}
	p.last = t
	p.drawn = true
	line := p.name + "  " + clock(now)
	if p.total > 0 {
		line += fmt.Sprintf(" / %s  %3.0f%%", clock(p.total), math.Floor(100*float64(now)/float64(p.total)))
	}
	if s := t.Sub(p.start).Seconds(); s > 0 {
		line += "  " + si(float64(events)/s) + " events/s"
	}
	line += "  (Ctrl-C stops and reports)"
	fmt.Fprint(p.w, "\r\x1b[K"+line)
}

// clear erases the line so the summary starts on a clean screen.
func (p *progress) clear() {
	if p != nil && p.drawn {
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
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
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
	t := time.Now()
	if t.Sub(p.last) < progressEvery && done < total {
		return
	}
	p.last = t
	p.drawn = true
	fmt.Fprintf(p.w, "\r\x1b[K%s  %d/%d %s  %3.0f%%", p.name, done, total, what, 100*float64(done)/float64(max(total, 1)))
}

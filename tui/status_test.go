package tui

import (
	"math"
	"strings"
	"testing"

	"cascade/models"
	"cascade/sim"
)

// A status message replaces the key hints only for a while: its expiry
// brings the hints back, and an expiry meant for an earlier message does
// not cut a newer one short.
func TestTUIStatusExpires(t *testing.T) {
	hs := newHarness(t, "shop", 120, 40)
	footer := func() string {
		lines := strings.Split(hs.view(), "\n")
		return lines[len(lines)-1]
	}
	hints := footer()
	if !strings.Contains(hints, "fault") {
		t.Fatalf("no key hints in the footer at the start: %q", hints)
	}
	if cmd := hs.press("x"); cmd == nil {
		t.Fatal("a status message started no expiry")
	}
	if f := footer(); !strings.Contains(f, "no active fault") {
		t.Fatalf("footer %q does not show the status", f)
	}
	seq := hs.m.statusSeq
	hs.msg(statusExpiredMsg{seq: seq - 1})
	if f := footer(); !strings.Contains(f, "no active fault") {
		t.Fatalf("a stale expiry cleared the current status: %q", f)
	}
	hs.msg(statusExpiredMsg{seq: seq})
	if f := footer(); f != hints {
		t.Fatalf("after expiry the footer is %q, want the hints %q", f, hints)
	}
}

// A node that is the root cause because its calls hang says "hung" once:
// "◎hung 40 for 8s", not "◎hung hung 40 for 8s".
func TestTUIHungCauseSaidOnce(t *testing.T) {
	m := Model{th: newTheme(true, true)}
	var b strings.Builder
	for _, s := range m.marks(nodeStats{cause: "hung", hung: models.Hung{Calls: 40, Oldest: 8 * sim.Second}, hitRatio: math.NaN(), lag: math.NaN(), sloRemain: math.NaN()}) {
		b.WriteString(s.text)
	}
	if got := b.String(); got != "◎hung 40 for 8s " {
		t.Errorf("marks %q", got)
	}
}

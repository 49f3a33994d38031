package tui

import (
	"testing"
	"time"

	"cascade/models"
	"cascade/sim"
)

// BenchmarkView renders the whole screen at 200x60, mid-partition, with
// every panel full.
func BenchmarkView(b *testing.B) {
	hs := partitionAt(b, 200, 60)
	hs.m.opt.NoColor = false
	hs.m.setTheme(true) // colours cost more than plain text
	b.ReportAllocs()
	for b.Loop() {
		_ = hs.m.View()
	}
}

func arrivals(r models.Result) int64 {
	var n int64
	for _, w := range r.Workloads {
		n += w.Arrivals
	}
	return n
}

// frameLoop is what one frame costs on the real program: the runner
// simulates within its budget and snapshots, the UI takes the snapshot and
// renders the screen. Both run here on one goroutine, so the frame rate it
// reports is a floor (the program puts them on two).
func frameLoop(b *testing.B, speed float64, frame time.Duration) {
	hs := newHarness(b, "shop", 200, 60)
	r := hs.r
	r.StepSize = 31 * sim.Second // past the warm-up: counters only grow after it
	r.Apply(Action{Kind: ActStep})
	r.Apply(Action{Kind: ActSpeed, Speed: speed})
	start := arrivals(r.m.Result(false))
	simStart := r.eng.Now()
	behind := 0
	frames := 0
	t0 := time.Now()
	for b.Loop() {
		r.Frame(frame)
		if r.behind {
			behind++
		}
		hs.msg(SnapshotMsg(r.Snapshot()))
		_ = hs.m.View()
		frames++
		if r.m.Finished() {
			b.Fatal("the run ended during the benchmark; use fewer iterations")
		}
	}
	wall := time.Since(t0).Seconds()
	req := arrivals(r.m.Result(false)) - start
	b.ReportMetric(float64(req)/wall, "req/s")
	b.ReportMetric(float64(frames)/wall, "frames/s")
	b.ReportMetric(float64(behind)/float64(max(frames, 1)), "behind/frame")
	b.ReportMetric((r.eng.Now()-simStart).Seconds()/wall, "sim-s/s")
}

// BenchmarkRunnerMax runs the default scenario as fast as the machine
// goes, within the 20 ms frame budget: the simulated requests per wall
// second it sustains while still drawing every frame.
func BenchmarkRunnerMax(b *testing.B) { frameLoop(b, 0, time.Second/Frames) }

// BenchmarkRunner10x is the default scenario (~1,000 requests/s) at 10x:
// about 10,000 simulated requests per wall second, each frame asked to
// cover 1/30 s of wall time.
func BenchmarkRunner10x(b *testing.B) { frameLoop(b, 10, time.Second/Frames) }

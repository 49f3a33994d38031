package tui

import (
	"context"
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
func frameLoop(b *testing.B, scenario string, speed float64, frame time.Duration) {
	runFrames(b, newHarness(b, scenario, 200, 60), speed, frame)
}

// runFrames is frameLoop on a harness already built. Besides the rates it
// reports the worst wall time of a frame (simulate, snapshot, render),
// against the 33 ms a frame has at 30 fps; the mean is 1000 / frames/s.
func runFrames(b *testing.B, hs *harness, speed float64, frame time.Duration) {
	r := hs.r
	r.StepSize = r.sc.Warmup + sim.Second // past the warm-up: counters only grow after it
	r.Apply(Action{Kind: ActStep})
	r.Apply(Action{Kind: ActSpeed, Speed: speed})
	var req int64
	var simulated sim.Time
	start, simStart := arrivals(r.m.Result(false)), r.eng.Now()
	behind := 0
	frames := 0
	var worst time.Duration
	t0 := time.Now()
	for b.Loop() {
		f0 := time.Now()
		r.Frame(frame)
		if r.behind {
			behind++
		}
		hs.msg(SnapshotMsg(r.Snapshot()))
		_ = hs.m.View()
		worst = max(worst, time.Since(f0))
		frames++
		if r.m.Finished() { // start over, keeping the count
			req += arrivals(r.m.Result(false)) - start
			simulated += r.eng.Now() - simStart
			r.Apply(Action{Kind: ActRestart})
			r.Apply(Action{Kind: ActStep})
			start, simStart = arrivals(r.m.Result(false)), r.eng.Now()
		}
	}
	wall := time.Since(t0).Seconds()
	req += arrivals(r.m.Result(false)) - start
	simulated += r.eng.Now() - simStart
	b.ReportMetric(float64(req)/wall, "req/s")
	b.ReportMetric(float64(frames)/wall, "frames/s")
	b.ReportMetric(float64(behind)/float64(max(frames, 1)), "behind/frame")
	b.ReportMetric(simulated.Seconds()/wall, "sim-s/s")
	b.ReportMetric(float64(worst)/1e6, "worst-ms")
}

// BenchmarkRunnerMax runs the default scenario as fast as the machine
// goes, within the 20 ms frame budget: the simulated requests per wall
// second it sustains while still drawing every frame.
func BenchmarkRunnerMax(b *testing.B) { frameLoop(b, "shop", 0, time.Second/Frames) }

// BenchmarkRunner10x is the default scenario (~1,000 requests/s) at 10x:
// about 10,000 simulated requests per wall second, each frame asked to
// cover 1/30 s of wall time.
func BenchmarkRunner10x(b *testing.B) { frameLoop(b, "shop", 10, time.Second/Frames) }

// BenchmarkRunnerShop5x10x is the default scenario with five times its
// traffic (about 5,000 requests/s) on five times its capacity, at 10x:
// about 50,000 simulated requests per wall second, each frame asked to
// cover 1/30 s. The bar is 30 frames/s with no frame behind.
func BenchmarkRunnerShop5x10x(b *testing.B) {
	s, err := load(b, "shop").Scaled(5)
	if err != nil {
		b.Fatal(err)
	}
	r, err := NewRunner(s, s.Seed)
	if err != nil {
		b.Fatal(err)
	}
	runFrames(b, wire(b, s, r, 200, 60), 10, time.Second/Frames)
}

// BenchmarkRunnerMMC10x is the M/M/8 benchmark model (7,200 requests/s)
// at 10x: 72,000 simulated requests per wall second asked of every frame.
func BenchmarkRunnerMMC10x(b *testing.B) { frameLoop(b, "bench-mmc", 10, time.Second/Frames) }

// BenchmarkActionLatency is how long an action takes to show in a
// snapshot while the runner simulates flat out on its own goroutine: the
// delay between a key press and the screen that reflects it, minus the
// render (BenchmarkView).
func BenchmarkActionLatency(b *testing.B) {
	r, err := NewRunner(load(b, "shop"), 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	actions := make(chan Action, 1)
	out := make(chan Snapshot, 1)
	go r.Run(ctx, actions, out)
	var worst, total time.Duration
	n := 0
	speed := 0.0
	for b.Loop() {
		// Land anywhere in the frame, not only in the idle gap after one.
		time.Sleep(time.Duration(n%7+1) * 3 * time.Millisecond)
		speed = 1000 - speed // alternate between max (0) and 1000x: both busy
		t0 := time.Now()
		actions <- Action{Kind: ActSpeed, Speed: speed}
		for s := range out {
			if s.Speed == speed {
				break
			}
		}
		d := time.Since(t0)
		worst, total, n = max(worst, d), total+d, n+1
	}
	b.ReportMetric(float64(total)/float64(n)/1e6, "mean-ms")
	b.ReportMetric(float64(worst)/1e6, "worst-ms")
}

package main

import (
	"time"

	"cascade/models"
	"cascade/sim"
)

// Slices are sized so that each takes roughly sliceMin..sliceMax of wall
// time: short enough that Ctrl-C and the progress line respond at once,
// long enough that the bookkeeping between slices costs nothing. The size
// adapts because one simulated second may hold ten events or ten million.
const (
	sliceMin   = 10 * time.Millisecond
	sliceMax   = 50 * time.Millisecond
	firstSlice = 10 * sim.Millisecond
	maxSlice   = sim.Hour
	// sliceEvents bounds a slice's work whatever its simulated length, so
	// Ctrl-C is noticed within a few milliseconds even when simulated time
	// stands nearly still.
	sliceEvents = 200_000
)

// drive runs m to its end, calling tick between slices, and stops early
// when stop reports true; it reports whether it stopped early.
//
// Slicing never changes the result, which is why slices may follow the wall
// clock while the output stays deterministic: events are only scheduled by
// handlers, at their own event time, so where the clock pauses between
// slices is invisible to the model; a run with an end stops exactly there,
// and one that ends with its workloads has the model stop the engine at
// the final reply, not at the end of the slice.
func drive(m *models.Model, stop func() bool, tick func(now sim.Time, events uint64)) (stopped bool) {
	eng := m.Engine()
	d := firstSlice
	for !m.Finished() {
		if stop() {
			return true
		}
		start := time.Now()
		before := eng.Now()
		m.AdvanceN(d, sliceEvents)
		switch took := time.Since(start); {
		case took < sliceMin && d < maxSlice && eng.Now()-before >= d:
			d *= 2
		case took > sliceMax && d > sim.Microsecond:
			d /= 2
		}
		tick(eng.Now(), eng.Fired())
	}
	return false
}

package models

import "cascade/sim"

// link is the network between a caller and a service.
type link struct {
	spec LinkSpec
	rng  *sim.Rand
}

// draw is one call's round trip.
func (l *link) draw() sim.Time { return l.spec.Latency.Sample(l.rng) }

package sim

// Level is a quantity that changes at instants (queue length, busy workers,
// requests in flight) and whose time average matters: it integrates the
// value over simulated time as it goes, so the average costs nothing to keep.
type Level struct {
	v     int64
	last  Time
	area  float64 // value x nanoseconds since since: no division per change
	since Time
	peak  int64
}

// Add changes the level by d at time now.
func (l *Level) Add(now Time, d int64) {
	l.area += float64(l.v) * float64(now-l.last)
	l.last = now
	l.v += d
	if l.v > l.peak {
		l.peak = l.v
	}
}

// Value is the current level.
func (l *Level) Value() int64 { return l.v }

// Peak is the largest level since the last Restart.
func (l *Level) Peak() int64 { return l.peak }

// Mean is the time average from the last Restart to now.
func (l *Level) Mean(now Time) float64 {
	span := now - l.since
	if span <= 0 {
		return float64(l.v)
	}
	return l.areaNs(now) / float64(span)
}

// Area is the integral of the level from the last Restart to now, in
// value-seconds.
func (l *Level) Area(now Time) float64 { return l.areaNs(now) / float64(Second) }

// areaNs is the integral from the last Restart to now in value-nanoseconds,
// the unit Add keeps it in.
func (l *Level) areaNs(now Time) float64 { return l.area + float64(l.v)*float64(now-l.last) }

// Restart forgets the history before now (the level itself is kept): used at
// the end of a warm-up and at every series interval.
func (l *Level) Restart(now Time) {
	l.area = 0
	l.last = now
	l.since = now
	l.peak = l.v
}

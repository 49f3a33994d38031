package policy

import (
	"fmt"
	"math"

	"cascade/sim"
)

// EjectionConfig configures Envoy outlier detection (ref 1.1, theory 4.3)
// over a fixed set of hosts. Fields mean what they say, zero included;
// EnvoyOutlier returns Envoy's defaults.
type EjectionConfig struct {
	// Consecutive5xx ejects a host after this many consecutive failures
	// (5xx, resets, connect failures: whatever the caller reports as
	// failed); 0 turns the detector off.
	Consecutive5xx int
	// Interval is the analysis sweep period: hosts whose ejection has run
	// out come back, and success-rate ejection is evaluated.
	Interval sim.Time
	// BaseEjection x (times ejected, decaying) is how long a host stays
	// out, capped at max(MaxEjection, BaseEjection).
	BaseEjection, MaxEjection sim.Time
	// MaxEjectionPercent caps ejections: a host is ejected only if
	// 100·(ejected+1)/hosts <= MaxEjectionPercent.
	MaxEjectionPercent int
	// AlwaysEjectOne is always_eject_one_host: the first ejection is allowed
	// whatever the cap.
	AlwaysEjectOne bool
	// SuccessRate enables success-rate ejection (Envoy's
	// enforcing_success_rate 100 %): at each sweep, among non-ejected hosts
	// with at least SuccessRateVolume requests in the interval, if there are
	// at least SuccessRateMinHosts of them, eject those whose success rate
	// is below mean - SuccessRateStdevFactor·stdev (population stdev).
	SuccessRate            bool
	SuccessRateMinHosts    int
	SuccessRateVolume      int
	SuccessRateStdevFactor float64 // Envoy's success_rate_stdev_factor / 1000
	// LogSize bounds the event log; 0 means 64.
	LogSize int
}

// EnvoyOutlier returns Envoy's outlier detection defaults (theory 4.3):
// consecutive_5xx 5, interval 10 s, base_ejection_time 30 s,
// max_ejection_time 300 s, max_ejection_percent 10, always_eject_one_host
// false, success-rate ejection on (enforcing 100 %) with 5 hosts, 100
// requests and stdev factor 1.9.
//
// The reference says "at least one host can always be ejected". That was
// true of Envoy's older cap test (100·ejected/hosts < max, which lets the
// first ejection through); since Envoy 1.31 the test counts the host about
// to be ejected (100·(ejected+1)/hosts <= max), so with 10 % a cluster of
// fewer than 10 hosts ejects nothing unless always_eject_one_host is set.
// This follows current Envoy; set AlwaysEjectOne for the older first-host
// behaviour.
func EnvoyOutlier() EjectionConfig {
	return EjectionConfig{Consecutive5xx: 5, Interval: 10 * sim.Second, BaseEjection: 30 * sim.Second,
		MaxEjection: 300 * sim.Second, MaxEjectionPercent: 10, SuccessRate: true,
		SuccessRateMinHosts: 5, SuccessRateVolume: 100, SuccessRateStdevFactor: 1.9}
}

// EjectionReason says why a host left or came back.
type EjectionReason uint8

const (
	EjectConsecutive5xx EjectionReason = iota
	EjectSuccessRate
	Uneject // the ejection ran out at a sweep
)

func (r EjectionReason) String() string {
	switch r {
	case EjectConsecutive5xx:
		return "consecutive_5xx"
	case EjectSuccessRate:
		return "success_rate"
	case Uneject:
		return "uneject"
	}
	return fmt.Sprintf("EjectionReason(%d)", uint8(r))
}

// EjectionEvent is one host leaving or rejoining the healthy set.
type EjectionEvent struct {
	At     sim.Time
	Host   int
	Reason EjectionReason
}

// EjectionCounters are run totals.
type EjectionCounters struct {
	Ejections   uint64 // enforced ejections
	Overflow    uint64 // ejections refused by the cap (Envoy ejections_overflow)
	Unejections uint64
}

type hostState struct {
	consecutive  int
	ejected      bool
	lastEjection sim.Time
	backoff      int // Envoy's eject_time_backoff
	total, ok    int64
}

// Ejector is Envoy outlier detection over hosts 0..n-1. Sweeps run at
// creation + k·Interval; they are applied lazily, each at its own instant,
// before anything else a call does.
//
// Following Envoy (outlier_detection_impl.cc): a host is ejected when its
// consecutive failure count reaches Consecutive5xx exactly (the count is then
// reset; a host already ejected is left alone and its count keeps growing);
// a success resets the count. Each ejection increments the host's backoff
// while backoff·base < max+base; the ejection lasts min(base·backoff, max).
// A sweep brings back an ejected host once now - last ejection >= that, and
// resets its count; a host that is not ejected at a sweep has its backoff
// decremented (so ejection times decay after healthy intervals). Hosts are
// examined in index order (Envoy iterates a hash map). Enforcement
// percentages other than 100 % are not modelled.
type Ejector struct {
	cfg    EjectionConfig
	hosts  []hostState
	active int
	next   sim.Time // next sweep
	maxEj  sim.Time

	srHosts []int // scratch for success-rate sweeps, preallocated

	log     []EjectionEvent
	logHead int
	logLen  int
	dropped uint64
	ctr     EjectionCounters
}

// NewEjector returns an Ejector over n hosts created at now.
func NewEjector(cfg EjectionConfig, n int, now sim.Time) (*Ejector, error) {
	switch {
	case n <= 0:
		return nil, fmt.Errorf("outlier detection: need at least one host")
	case cfg.Interval <= 0:
		return nil, fmt.Errorf("outlier detection: interval must be positive")
	case cfg.Consecutive5xx < 0, cfg.BaseEjection < 0, cfg.MaxEjection < 0, cfg.LogSize < 0:
		return nil, fmt.Errorf("outlier detection: negative setting")
	case cfg.MaxEjectionPercent < 0 || cfg.MaxEjectionPercent > 100:
		return nil, fmt.Errorf("outlier detection: max_ejection_percent %d outside [0, 100]", cfg.MaxEjectionPercent)
	case cfg.SuccessRate && (cfg.SuccessRateMinHosts < 1 || cfg.SuccessRateVolume < 1 || cfg.SuccessRateStdevFactor < 0):
		return nil, fmt.Errorf("outlier detection: success rate needs minimum hosts, request volume and a stdev factor")
	}
	if cfg.LogSize == 0 {
		cfg.LogSize = 64
	}
	return &Ejector{cfg: cfg, hosts: make([]hostState, n), next: now + cfg.Interval,
		maxEj: max(cfg.MaxEjection, cfg.BaseEjection), srHosts: make([]int, 0, n),
		log: make([]EjectionEvent, cfg.LogSize)}, nil
}

// Result records the outcome of a request to host at now; failed means a
// 5xx or equivalent.
func (e *Ejector) Result(now sim.Time, host int, failed bool) {
	e.advance(now)
	h := &e.hosts[host]
	h.total++
	if !failed {
		h.ok++
		h.consecutive = 0
		return
	}
	h.consecutive++
	if e.cfg.Consecutive5xx == 0 || h.consecutive != e.cfg.Consecutive5xx || h.ejected {
		return
	}
	e.eject(now, host, EjectConsecutive5xx)
	h.consecutive = 0
}

// Ejected reports whether host is ejected at now.
func (e *Ejector) Ejected(now sim.Time, host int) bool {
	e.advance(now)
	return e.hosts[host].ejected
}

// EjectedCount is the number of hosts ejected at now.
func (e *Ejector) EjectedCount(now sim.Time) int {
	e.advance(now)
	return e.active
}

// NextChange is the next sweep, the next instant at which hosts may come
// back or be ejected by success rate.
func (e *Ejector) NextChange(now sim.Time) sim.Time {
	e.advance(now)
	return e.next
}

// Counters returns the run totals.
func (e *Ejector) Counters() EjectionCounters { return e.ctr }

// Events appends the logged ejections and unejections, oldest first, to dst
// and empties the log.
func (e *Ejector) Events(dst []EjectionEvent) []EjectionEvent {
	for i := 0; i < e.logLen; i++ {
		dst = append(dst, e.log[(e.logHead+i)%len(e.log)])
	}
	e.logHead, e.logLen = 0, 0
	return dst
}

// Dropped is how many events fell off a full log.
func (e *Ejector) Dropped() uint64 { return e.dropped }

func (e *Ejector) record(ev EjectionEvent) {
	if e.logLen == len(e.log) {
		e.logHead = (e.logHead + 1) % len(e.log)
		e.logLen--
		e.dropped++
	}
	e.log[(e.logHead+e.logLen)%len(e.log)] = ev
	e.logLen++
}

// eject is Envoy's ejectHost: the cap, then the ejection and its backoff.
func (e *Ejector) eject(now sim.Time, host int, why EjectionReason) {
	pct := 100 * float64(e.active+1) / float64(len(e.hosts))
	if !(pct <= float64(e.cfg.MaxEjectionPercent) || (e.cfg.AlwaysEjectOne && e.active == 0)) {
		e.ctr.Overflow++
		return
	}
	h := &e.hosts[host]
	h.ejected, h.lastEjection = true, now
	e.active++
	if sim.Time(h.backoff)*e.cfg.BaseEjection < e.maxEj+e.cfg.BaseEjection {
		h.backoff++
	}
	e.ctr.Ejections++
	e.record(EjectionEvent{At: now, Host: host, Reason: why})
}

// EjectionTime is how long host's current (or next) ejection lasts.
func (e *Ejector) EjectionTime(host int) sim.Time {
	return min(sim.Time(e.hosts[host].backoff)*e.cfg.BaseEjection, e.maxEj)
}

func (e *Ejector) advance(now sim.Time) {
	for e.next <= now {
		if e.quiet() {
			// Nothing ejected, no backoff to decay, no volume: every sweep
			// up to now is a no-op; jump to the last one.
			k := (now - e.next) / e.cfg.Interval
			e.next += (k + 1) * e.cfg.Interval
			return
		}
		e.sweep(e.next)
		e.next += e.cfg.Interval
	}
}

func (e *Ejector) quiet() bool {
	if e.active > 0 {
		return false
	}
	for i := range e.hosts {
		if h := &e.hosts[i]; h.backoff > 0 || h.total > 0 {
			return false
		}
	}
	return true
}

// sweep is onIntervalTimer: unejections (checkHostForUneject), then
// success-rate ejections over the interval just ended, then the interval's
// counts start afresh.
func (e *Ejector) sweep(at sim.Time) {
	for i := range e.hosts {
		h := &e.hosts[i]
		if !h.ejected {
			if h.backoff > 0 {
				h.backoff--
			}
			continue
		}
		if e.EjectionTime(i) <= at-h.lastEjection {
			h.ejected = false
			h.consecutive = 0
			e.active--
			e.ctr.Unejections++
			e.record(EjectionEvent{At: at, Host: i, Reason: Uneject})
		}
	}
	if e.cfg.SuccessRate {
		e.successRate(at)
	}
	for i := range e.hosts {
		e.hosts[i].total, e.hosts[i].ok = 0, 0
	}
}

func (e *Ejector) successRate(at sim.Time) {
	hosts := e.srHosts[:0]
	sum := 0.0
	for i := range e.hosts {
		h := &e.hosts[i]
		if !h.ejected && h.total >= int64(e.cfg.SuccessRateVolume) {
			hosts = append(hosts, i)
			sum += e.rate(i)
		}
	}
	e.srHosts = hosts
	if len(hosts) == 0 || len(hosts) < e.cfg.SuccessRateMinHosts {
		return
	}
	mean := sum / float64(len(hosts))
	variance := 0.0
	for _, i := range hosts {
		d := e.rate(i) - mean
		variance += d * d
	}
	stdev := math.Sqrt(variance / float64(len(hosts)))
	threshold := mean - e.cfg.SuccessRateStdevFactor*stdev
	for _, i := range hosts {
		if e.rate(i) < threshold {
			e.eject(at, i, EjectSuccessRate)
		}
	}
}

// rate is a host's success rate in percent over the interval.
func (e *Ejector) rate(i int) float64 {
	return 100 * float64(e.hosts[i].ok) / float64(e.hosts[i].total)
}

// SuccessRateThreshold returns, for tests and the TUI, the ejection
// threshold Envoy's successRateEjectionThreshold computes from success
// rates in percent: mean - factor·stdev (population stdev).
func SuccessRateThreshold(rates []float64, factor float64) (mean, threshold float64) {
	for _, r := range rates {
		mean += r
	}
	mean /= float64(len(rates))
	v := 0.0
	for _, r := range rates {
		v += (r - mean) * (r - mean)
	}
	return mean, mean - factor*math.Sqrt(v/float64(len(rates)))
}

package policy

import "fmt"

// RolloutPhase is where a rolling deploy is.
type RolloutPhase uint8

const (
	RolloutPending     RolloutPhase = iota // not started
	RolloutUpdating                        // a wave's instances are restarting on the new version
	RolloutBaking                          // a wave is up; waiting out the pause before its check
	RolloutDone                            // every instance runs the new version and the last check passed
	RolloutHalted                          // a check failed and there is no automatic rollback: left as it is
	RolloutRollingBack                     // a check failed: updated instances restart on the old version
	RolloutRolledBack                      // every instance is back on the old version
)

func (p RolloutPhase) String() string {
	switch p {
	case RolloutPending:
		return "pending"
	case RolloutUpdating:
		return "updating"
	case RolloutBaking:
		return "baking"
	case RolloutDone:
		return "done"
	case RolloutHalted:
		return "halted"
	case RolloutRollingBack:
		return "rolling_back"
	case RolloutRolledBack:
		return "rolled_back"
	}
	return fmt.Sprintf("RolloutPhase(%d)", uint8(p))
}

// Rollout is a rolling deploy over Instances instances in waves of Batch,
// as a Kubernetes Deployment with maxUnavailable = Batch or a progressive
// delivery tool's steps do: restart a wave on the new version, wait for
// it, bake for a pause, check, then the next wave. A failed check either
// halts the rollout where it is (Rollback false: a human decides) or
// rolls back every updated instance, again in waves of Batch, without
// further checks (Argo Rollouts and Flagger abort to the stable version).
//
// It decides only which instances move and when a check is due; the
// caller restarts them, times the pause and runs the check. Instances are
// updated in index order, and rolled back in the same order.
type Rollout struct {
	Instances, Batch int
	Rollback         bool

	phase   RolloutPhase
	wave    int // waves started, rollback waves included
	updated int // instances [0, updated) run the new version (or are restarting onto it)
	back    int // while rolling back: instances [0, back) are back on the old version
	lo, hi  int // the wave in progress
}

// NewRollout checks the shape: at least one instance, a batch of at least
// one (more than Instances is all at once).
func NewRollout(instances, batch int, rollback bool) (*Rollout, error) {
	if instances < 1 || batch < 1 {
		return nil, fmt.Errorf("rollout: %d instances in batches of %d", instances, batch)
	}
	return &Rollout{Instances: instances, Batch: min(batch, instances), Rollback: rollback}, nil
}

// Phase is where the rollout is; Wave counts the waves started so far,
// rollback waves included; Updated is how many instances run (or are
// restarting onto) the new version.
func (r *Rollout) Phase() RolloutPhase { return r.phase }
func (r *Rollout) Wave() int           { return r.wave }
func (r *Rollout) Updated() int        { return r.updated - r.back }

// Start begins the first wave: restart instances [lo, hi) on the new
// version. It is an error to start twice.
func (r *Rollout) Start() (lo, hi int, err error) {
	if r.phase != RolloutPending {
		return 0, 0, fmt.Errorf("rollout: start while %v", r.phase)
	}
	return r.nextWave(), r.hi, nil
}

func (r *Rollout) nextWave() int {
	r.phase = RolloutUpdating
	r.wave++
	r.lo, r.hi = r.updated, min(r.updated+r.Batch, r.Instances)
	r.updated = r.hi
	return r.lo
}

// Up is the wave in progress having restarted. After an update wave the
// rollout bakes (the caller waits its pause, then calls Checked); after a
// rollback wave it starts the next rollback wave, [lo, hi) with more true,
// or ends rolled back.
func (r *Rollout) Up() (lo, hi int, more bool, err error) {
	switch r.phase {
	case RolloutUpdating:
		r.phase = RolloutBaking
		return 0, 0, false, nil
	case RolloutRollingBack:
		r.back = r.hi
		if r.back >= r.updated {
			r.phase = RolloutRolledBack
			return 0, 0, false, nil
		}
		r.wave++
		r.lo, r.hi = r.back, min(r.back+r.Batch, r.updated)
		return r.lo, r.hi, true, nil
	}
	return 0, 0, false, fmt.Errorf("rollout: wave up while %v", r.phase)
}

// Checked is the result of the check after a wave's pause. Healthy: the
// next wave [lo, hi) starts (more true), or the rollout is done.
// Unhealthy: it halts, or the first rollback wave [lo, hi) starts.
func (r *Rollout) Checked(healthy bool) (lo, hi int, more bool, err error) {
	if r.phase != RolloutBaking {
		return 0, 0, false, fmt.Errorf("rollout: check while %v", r.phase)
	}
	switch {
	case healthy && r.updated >= r.Instances:
		r.phase = RolloutDone
		return 0, 0, false, nil
	case healthy:
		return r.nextWave(), r.hi, true, nil
	case !r.Rollback:
		r.phase = RolloutHalted
		return 0, 0, false, nil
	}
	r.phase = RolloutRollingBack
	r.wave++
	r.lo, r.hi = 0, min(r.Batch, r.updated)
	return r.lo, r.hi, true, nil
}

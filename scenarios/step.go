package scenarios

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
)

// stepKinds are the keys that say what a step does; a step has exactly one.
var stepKinds = []string{"work", "call", "parallel", "branch", "fail", "cache", "publish", "saga"}

// stepKeys are every key a step may have: its kind and the modifiers.
var stepKeys = append([]string{"work", "call", "timeout", "repeat", "parallel", "wait", "branch", "fail", "cache", "miss", "publish", "outbox", "saga"}, policyKeys...)

// modifierOf says which step kind each modifier belongs to.
var modifierOf = func() map[string]string {
	m := map[string]string{"repeat": "call", "wait": "parallel", "miss": "cache", "outbox": "publish"}
	for _, k := range policyKeys {
		m[k] = "call"
	}
	return m
}()

var waitNames = []string{"all", "first"}

var armKeys = []string{"p", "steps"}

// decodeSteps decodes a list of steps of operation svc.op. depth bounds the
// nesting of parallel and branch steps, which aliases could otherwise make
// infinite.
func (l *loader) decodeSteps(items []*yaml.Node, path, svc, op string, depth int) []models.Step {
	steps := make([]models.Step, 0, len(items))
	for i, n := range items {
		if s, ok := l.decodeStep(n, index(path, i), svc, op, depth); ok {
			steps = append(steps, s)
		}
	}
	return steps
}

func (l *loader) decodeStep(n *yaml.Node, path, svc, op string, depth int) (models.Step, bool) {
	var step models.Step
	l.steps++
	if l.steps > maxSteps {
		if l.steps == maxSteps+1 {
			l.errorf(n, path, "", "too many steps (more than %d, counting aliases)", maxSteps)
		}
		return step, false
	}
	if depth > maxDepth {
		l.errorf(n, path, "", "steps nested too deeply (more than %d levels)", maxDepth)
		return step, false
	}
	before := len(l.problems)
	fields, ok := l.mapping(n, path, "a step such as {work: 5ms} or {call: db.query}", stepKeys)
	if !ok {
		return step, false
	}
	unknownKeys := len(l.problems) > before

	var kind *field
	for i := range fields {
		f := &fields[i]
		if !contains(stepKinds, f.key.Value) {
			continue
		}
		if kind != nil {
			l.errorf(f.key, join(path, f.key.Value), "split it into two steps", "a step does one thing, but both %q and %q are set", kind.key.Value, f.key.Value)
			continue
		}
		kind = f
	}
	if kind == nil {
		if !unknownKeys {
			l.errorf(n, path, "", "a step needs one of %s", strings.Join(stepKinds, ", "))
		}
		return step, false
	}
	for _, f := range fields {
		if owner, ok := modifierOf[f.key.Value]; ok && owner != kind.key.Value {
			l.errorf(f.key, join(path, f.key.Value), "", "%s applies only to %s steps", f.key.Value, owner)
		}
		if f.key.Value == "timeout" && kind.key.Value != "call" && kind.key.Value != "cache" {
			l.errorf(f.key, join(path, f.key.Value), "", "timeout applies only to call and cache steps")
		}
	}
	kp := join(path, kind.key.Value)
	ok = true
	switch kind.key.Value {
	case "work":
		step.Kind = models.Work
		step.Work, ok = l.dist(kind.val, kp)
	case "call":
		step.Kind = models.Call
		target, tok := l.scalar(kind.val, kp, `a target "service.op" or "service"`)
		if tok {
			step.Target, step.Op = l.addRef(deref(kind.val), kp, target, svc, op)
		}
		ok = tok
		for _, f := range fields {
			switch f.key.Value {
			case "timeout":
				step.Timeout, _ = l.durationField(f.val, join(path, "timeout"), "step.timeout")
			case "repeat":
				if r, rok := l.intField(f.val, join(path, "repeat"), "step.repeat"); rok {
					step.Repeat = int(r)
				}
			}
		}
		step.Policy, _ = l.decodePolicy(fields, path, false)
	case "parallel":
		step.Kind = models.Parallel
		items, sok := l.sequence(kind.val, kp, "a list of steps to run at the same time")
		if sok && len(items) == 0 {
			l.errorf(kind.key, kp, "", "parallel needs at least one step")
		}
		step.Children = l.decodeSteps(items, kp, svc, op, depth+1)
		for _, f := range fields {
			if f.key.Value == "wait" {
				if w, wok := l.enum(f.val, join(path, "wait"), waitNames); wok {
					step.WaitFirst = w == 1
				}
			}
		}
	case "branch":
		step.Kind = models.Branch
		step.Branches = l.decodeBranch(kind.key, kind.val, kp, svc, op, depth)
	case "fail":
		step.Kind = models.Fail
		step.FailP, ok = l.probabilityField(kind.val, kp, "step.fail")
	case "publish":
		step.Kind = models.Publish
		target, tok := l.scalar(kind.val, kp, "the name of a queue service")
		if tok {
			step.Target, _ = l.addRef(deref(kind.val), kp, strings.TrimSpace(target), svc, op)
			l.publishes = append(l.publishes, cacheUse{node: deref(kind.val), path: kp, name: strings.TrimSpace(target)})
		}
		ok = tok
		for _, f := range fields {
			if f.key.Value == "outbox" {
				step.Outbox, _ = l.boolean(f.val, join(path, "outbox"))
			}
		}
	case "saga":
		step.Kind = models.Saga
		step.Saga = l.decodeSaga(kind.val, kp, svc, op, depth)
	case "cache":
		step.Kind = models.Cache
		target, tok := l.scalar(kind.val, kp, "the name of a cache service")
		if tok {
			step.Target, _ = l.addRef(deref(kind.val), kp, strings.TrimSpace(target), svc, op)
			l.cacheSteps = append(l.cacheSteps, cacheUse{node: deref(kind.val), path: kp, name: strings.TrimSpace(target)})
		}
		ok = tok
		var missSeen bool
		for _, f := range fields {
			switch f.key.Value {
			case "timeout":
				step.Timeout, _ = l.durationField(f.val, join(path, "timeout"), "step.timeout")
			case "miss":
				missSeen = true
				items, _ := l.sequence(f.val, join(path, "miss"), "the steps that load the value on a miss, e.g. [ call: db.read ]")
				step.Children = l.decodeSteps(items, join(path, "miss"), svc, op, depth+1)
			}
		}
		if !missSeen {
			l.errorf(kind.key, path, "e.g. miss: [ call: db.read ]", "a cache step needs miss: (how to load the value)")
			ok = false
		}
	}
	return step, ok
}

// decodeBranch reads the arms of a branch step and checks that their
// probabilities add up to at most one (the remainder does nothing).
func (l *loader) decodeBranch(key, n *yaml.Node, path, svc, op string, depth int) []models.BranchSpec {
	items, ok := l.sequence(n, path, "a list of arms such as {p: 10%, steps: [...]}")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		l.errorf(key, path, "", "branch needs at least one arm")
	}
	arms := make([]models.BranchSpec, 0, len(items))
	sum, sumOK := 0.0, true
	var texts []string
	for i, item := range items {
		ap := index(path, i)
		fields, ok := l.mapping(item, ap, "a branch arm such as {p: 10%, steps: [...]}", armKeys)
		if !ok {
			sumOK = false
			continue
		}
		var arm models.BranchSpec
		var haveP, haveSteps bool
		for _, f := range fields {
			switch f.key.Value {
			case "p":
				haveP = true
				p, pok := l.probabilityField(f.val, join(ap, "p"), "arm.p")
				if !pok {
					sumOK = false
				}
				arm.P = p
				sum += p
				texts = append(texts, deref(f.val).Value)
			case "steps":
				haveSteps = true
				steps, _ := l.sequence(f.val, join(ap, "steps"), "a list of steps")
				arm.Steps = l.decodeSteps(steps, join(ap, "steps"), svc, op, depth+1)
			}
		}
		if !haveP && !misspelt(item, armKeys, "p") {
			l.errorf(item, ap, "the probability of this arm, e.g. p: 10%", "missing p:")
			sumOK = false
		}
		if !haveSteps && !misspelt(item, armKeys, "steps") {
			l.errorf(item, ap, "use steps: [] for an arm that does nothing", "missing steps:")
		}
		arms = append(arms, arm)
	}
	if sumOK && sum > 1+1e-9 {
		l.errorf(key, path, "the part below 100% is the chance that no arm runs", "branch probabilities add up to %s%% (%s), more than 100%%",
			strconv.FormatFloat(math.Round(sum*1e6)/1e4, 'f', -1, 64), strings.Join(texts, " + "))
	}
	return arms
}

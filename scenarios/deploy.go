package scenarios

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim/dist"
)

// deployKeys are a deploy fault's own settings.
var deployKeys = []string{"batch", "bake", "startup", "warmup", "cold", "bad", "max_error_rate", "rollback"}

// decodeDeploy reads a deploy fault's settings: its waves, the new
// version's faults and the check that rolls it back.
func (l *loader) decodeDeploy(f *models.Fault, verb *field, by map[string]field, path string) bool {
	d := models.DefaultDeploy()
	_, d.Rollback = by["max_error_rate"] // a check rolls back unless told otherwise
	ok := true
	if fl, has := by["for"]; has {
		l.errorf(fl.key, join(path, "for"), "a deploy ends when its rollout does; drop for:", "deploy has no duration")
		ok = false
	}
	if fl, has := by["batch"]; has {
		k := join(path, "batch")
		s, sok := l.scalar(fl.val, k, "instances per wave: a count such as 2 or a share such as 25%")
		switch {
		case !sok:
			ok = false
		case strings.HasSuffix(s, "%"):
			p, err := units.ParsePercent(s)
			if err != nil || !(p > 0 && p <= 1) {
				l.errorf(fl.val, k, "e.g. batch: 25%", "expected a share in (0%%, 100%%], got %q", s)
				ok = false
			}
			d.Batch, d.BatchShare = 0, p
		default:
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				l.errorf(fl.val, k, "e.g. batch: 2, or batch: 25%", "expected a count >= 1 or a share, got %q", s)
				ok = false
			}
			d.Batch = n
		}
	}
	if fl, has := by["bake"]; has {
		if d.Pause, ok = l.duration(fl.val, join(path, "bake")); !ok {
			return false
		}
	}
	if fl, has := by["startup"]; has {
		if d.Startup, ok = l.duration(fl.val, join(path, "startup")); !ok {
			return false
		}
	}
	if fl, has := by["warmup"]; has {
		if d.Warmup, ok = l.positiveDuration(fl.val, join(path, "warmup")); !ok {
			return false
		}
		d.Cold = 2
	}
	if fl, has := by["cold"]; has {
		if _, w := by["warmup"]; !w {
			l.errorf(fl.key, join(path, "cold"), "e.g. warmup: 30s", "cold: needs warmup: (how long instances stay cold)")
			return false
		}
		if d.Cold, ok = l.factor(fl.val, join(path, "cold")); !ok {
			return false
		}
	}
	if fl, has := by["bad"]; has {
		k := join(path, "bad")
		fields, mok := l.mapping(fl.val, k, "the new version's faults, e.g. {errors: 10%} or {slow: 3x}", []string{"errors", "slow"})
		if !mok {
			return false
		}
		for _, b := range fields {
			switch b.key.Value {
			case "errors":
				p, pok := l.probability(b.val, join(k, "errors"))
				if !pok || p == 0 {
					if pok {
						l.errorf(b.val, join(k, "errors"), "", "must be > 0%%")
					}
					return false
				}
				d.BadErrors = p
			case "slow":
				if d.BadSlow, ok = l.factor(b.val, join(k, "slow")); !ok {
					return false
				}
			}
		}
	}
	if fl, has := by["max_error_rate"]; has {
		p, pok := l.probability(fl.val, join(path, "max_error_rate"))
		if !pok || p == 0 {
			if pok {
				l.errorf(fl.val, join(path, "max_error_rate"), "leave it out for no check", "must be > 0%%")
			}
			return false
		}
		d.MaxErrorRate = p
	}
	if fl, has := by["rollback"]; has {
		if d.Rollback, ok = l.boolean(fl.val, join(path, "rollback")); !ok {
			return false
		}
		if _, c := by["max_error_rate"]; !c {
			l.errorf(fl.key, join(path, "rollback"), "e.g. max_error_rate: 1%", "rollback: needs a check to fail (max_error_rate:)")
			return false
		}
	}
	f.Deploy = &d
	return ok
}

// factor reads a multiplier such as 3x.
func (l *loader) factor(n *yaml.Node, path string) (float64, bool) {
	s, ok := l.scalar(n, path, "a factor such as 3x")
	if !ok {
		return 0, false
	}
	k, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "x"), 64)
	if err != nil || !(k > 0) || math.IsInf(k, 0) {
		l.errorf(n, path, "e.g. 3x", "expected a factor > 0, got %q", s)
		return 0, false
	}
	return k, true
}

// deployFields writes a deploy's settings, every one of them, so that the
// file reads back as the same rollout whatever the defaults become.
func deployFields(add func(string, *yaml.Node), f models.Fault) {
	d := models.DefaultDeploy()
	if f.Deploy != nil {
		d = *f.Deploy
	}
	add("deploy", scalar(f.Target.Component))
	if d.Batch <= 0 && d.BatchShare > 0 {
		add("batch", scalar(formatPercent(d.BatchShare)))
	} else {
		add("batch", scalar(strconv.Itoa(max(d.Batch, 1))))
	}
	add("startup", scalar(dist.FormatDuration(d.Startup)))
	add("bake", scalar(dist.FormatDuration(d.Pause)))
	if d.Warmup > 0 {
		add("warmup", scalar(dist.FormatDuration(d.Warmup)))
		add("cold", scalar(strconv.FormatFloat(max(d.Cold, 1), 'g', -1, 64)+"x"))
	}
	if d.BadErrors > 0 || d.BadSlow > 0 {
		bad := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
		if d.BadErrors > 0 {
			bad.Content = append(bad.Content, scalar("errors"), scalar(formatProbability(d.BadErrors)))
		}
		if d.BadSlow > 0 {
			bad.Content = append(bad.Content, scalar("slow"), scalar(strconv.FormatFloat(d.BadSlow, 'g', -1, 64)+"x"))
		}
		add("bad", bad)
	}
	if d.MaxErrorRate > 0 {
		add("max_error_rate", scalar(formatProbability(d.MaxErrorRate)))
		add("rollback", scalar(strconv.FormatBool(d.Rollback)))
	}
}

package scenarios

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/models/slo"
	"cascade/scenarios/units"
	"cascade/sim"
)

var sloKeys = []string{"workload", "service", "objective", "latency", "period", "scale", "alerts", "min_events", "history"}

// historyKeys are the keys of a history written as a map: {burned: 40%}.
var historyKeys = []string{"burned"}

// historyNames are the histories written as a word.
var historyNames = []string{"elapsed", "clean"}

// sloHistoryKey is the one key of slos: that is not an SLO's name: the
// history of every SLO that does not give its own.
const sloHistoryKey = "history"

var ruleKeys = []string{"severity", "long", "short", "burn", "for"}

// sloDraft is a decoded SLO whose component is checked once every workload
// and service is known.
type sloDraft struct {
	spec    models.SLOSpec
	node    *yaml.Node // the workload: or service: value
	path    string
	history bool // the SLO gives its own history:
}

// decodeSLOs reads slos: a map of name to SLO, and history:, the history
// of every SLO that does not give its own.
func (l *loader) decodeSLOs(n *yaml.Node) {
	fields, ok := l.mapping(n, "slos", "a map of SLO name to SLO", nil)
	if !ok {
		return
	}
	var all slo.History
	first := len(l.slos)
	for _, f := range fields {
		path := join("slos", f.key.Value)
		if f.key.Value == sloHistoryKey {
			all, _ = l.history(f.val, path)
			continue
		}
		if !l.checkName(f.key, path, "SLO") {
			continue
		}
		if d, ok := l.decodeSLO(f.key.Value, f.val, path); ok {
			l.slos = append(l.slos, d)
		}
	}
	for _, d := range l.slos[first:] {
		if !d.history {
			d.spec.History = all
		}
	}
}

// history reads elapsed, clean or {burned: 40%}.
func (l *loader) history(n *yaml.Node, path string) (slo.History, bool) {
	const what = "elapsed, clean or {burned: 40%}"
	if nd := deref(n); nd != nil && nd.Kind == yaml.MappingNode {
		fields, ok := l.mapping(nd, path, "a history such as {burned: 40%}", historyKeys)
		if !ok {
			return slo.History{}, false
		}
		if len(fields) == 0 {
			if len(nd.Content) > 0 {
				return slo.History{}, false // only unknown keys, reported
			}
			l.errorf(nd, path, "e.g. {burned: 40%}: start with 40% of the budget spent", "missing burned:")
			return slo.History{}, false
		}
		b, ok := l.probabilityField(fields[0].val, join(path, "burned"), "history.burned")
		return slo.History{Virtual: true, Burned: b}, ok
	}
	s, ok := l.scalar(n, path, what)
	if !ok {
		return slo.History{}, false
	}
	switch s {
	case "elapsed":
		return slo.History{}, true
	case "clean":
		return slo.History{Virtual: true}, true
	}
	hint := hintFor(s, historyNames, "one of")
	if strings.HasPrefix(strings.TrimSpace(s), "burned") {
		hint = "write a spent budget as a map: {burned: 40%}"
	}
	l.errorf(n, path, hint, "unknown history %q; expected %s", s, what)
	return slo.History{}, false
}

func (l *loader) decodeSLO(name string, n *yaml.Node, path string) (*sloDraft, bool) {
	fields, ok := l.mapping(n, path, "an SLO such as {workload: browse, objective: 99.9%}", sloKeys)
	if !ok {
		return nil, false
	}
	d := &sloDraft{path: path, spec: models.SLOSpec{Name: name}}
	d.spec.Period = 30 * sim.Day
	d.spec.Scale = 1
	var alerts *yaml.Node
	var objective bool
	for _, f := range fields {
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "workload", "service":
			if d.node != nil {
				l.errorf(f.key, k, "an SLO is about one workload or one service", "give workload: or service:, not both")
				ok = false
				continue
			}
			s, sok := l.scalar(f.val, k, "a name")
			if !sok {
				ok = false
				continue
			}
			d.node = deref(f.val)
			if f.key.Value == "workload" {
				d.spec.Workload = s
			} else {
				d.spec.Service = s
			}
		case "objective":
			objective = true
			s, sok := l.scalar(f.val, k, "a percentage such as 99.9%")
			if !sok {
				ok = false
				continue
			}
			p, err := units.ParsePercent(s)
			if err != nil {
				l.unitsProblem(deref(f.val), k, err)
				ok = false
				continue
			}
			if !rangeIndex["slo.objective"].Contains(p) {
				l.errorf(f.val, k, "e.g. 99.9%", "must be between 0%% and 100%%, exclusive, got %s", s)
				ok = false
				continue
			}
			d.spec.Objective = p
		case "latency":
			if d.spec.Threshold, ok = l.durationField(f.val, k, "slo.latency"); !ok {
				continue
			}
		case "period":
			if d.spec.Period, ok = l.durationField(f.val, k, "slo.period"); !ok {
				continue
			}
		case "scale":
			if !l.scale(d, f.val, k) {
				ok = false
			}
		case "alerts":
			alerts = f.val
		case "min_events":
			v, iok := l.intField(f.val, k, "slo.min_events")
			if !iok {
				ok = false
				continue
			}
			d.spec.MinEvents = int(v)
		case "history":
			h, hok := l.history(f.val, k)
			if !hok {
				ok = false
				continue
			}
			d.spec.History, d.history = h, true
		}
	}
	if d.node == nil {
		l.errorf(n, path, "e.g. workload: browse", "missing workload: or service:")
		ok = false
	}
	if !objective {
		l.errorf(n, path, "e.g. objective: 99.9%", "missing objective:")
		ok = false
	}
	if alerts != nil && ok {
		ok = l.alerts(d, alerts, join(path, "alerts"))
	} else if ok {
		d.spec.Rules = slo.Workbook(d.spec.Period)
	}
	if ok {
		// The shortest alert window, in simulated time, must leave the
		// evaluation grid (1/300 of it) above a nanosecond... and be
		// meaningful: refuse windows under a millisecond.
		for _, r := range d.spec.Rules {
			if sim.Time(float64(r.Short)/d.spec.Scale) < sim.Millisecond {
				l.errorf(n, path, "use a smaller scale", "at scale 1:%g the %s alert window lasts under 1ms of simulated time", d.spec.Scale, r.Short)
				return nil, false
			}
		}
	}
	return d, ok
}

// scale reads "1m = 1d": one simulated minute stands for a day.
func (l *loader) scale(d *sloDraft, n *yaml.Node, path string) bool {
	s, ok := l.scalar(n, path, `a time scale such as "1m = 1d"`)
	if !ok {
		return false
	}
	simS, realS, found := strings.Cut(s, "=")
	if !found {
		if k, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && rangeIndex["slo.scale"].Contains(k) {
			d.spec.Scale = k
			return true
		}
		l.errorf(n, path, `e.g. "1m = 1d": one simulated minute counts as a day`, "expected SIMULATED = REAL, got %q", s)
		return false
	}
	a, err1 := units.ParseDuration(strings.TrimSpace(simS))
	b, err2 := units.ParseDuration(strings.TrimSpace(realS))
	if err1 != nil || err2 != nil || a <= 0 || b <= 0 {
		l.errorf(n, path, `e.g. "1m = 1d": one simulated minute counts as a day`, "expected two durations > 0, got %q", s)
		return false
	}
	d.spec.Scale = float64(b) / float64(a)
	return true
}

// alerts reads a preset name or a list of rules.
func (l *loader) alerts(d *sloDraft, n *yaml.Node, path string) bool {
	if nd := deref(n); nd != nil && nd.Kind == yaml.ScalarNode {
		rules, ok := slo.Preset(nd.Value, d.spec.Period)
		if !ok {
			l.errorf(nd, path, hintFor(nd.Value, slo.PresetNames(), "presets"), "unknown alert preset %q", nd.Value)
			return false
		}
		d.spec.Rules = rules
		return true
	}
	items, ok := l.sequence(n, path, "a preset (workbook, sloth, pyrra) or a list of rules")
	if !ok {
		return false
	}
	for i, item := range items {
		p := index(path, i)
		fields, ok := l.mapping(item, p, "a rule such as {severity: page, long: 1h, short: 5m, burn: 14.4}", ruleKeys)
		if !ok {
			return false
		}
		r := slo.Rule{Severity: "page"}
		var long, short, burn bool
		for _, f := range fields {
			k := join(p, f.key.Value)
			switch f.key.Value {
			case "severity":
				v, eok := l.enum(f.val, k, []string{"page", "ticket"})
				if !eok {
					return false
				}
				r.Severity = []string{"page", "ticket"}[v]
			case "long":
				if r.Long, long = l.durationField(f.val, k, "rule.long"); !long {
					return false
				}
			case "short":
				if r.Short, short = l.durationField(f.val, k, "rule.short"); !short {
					return false
				}
			case "for":
				var fok bool
				if r.For, fok = l.durationField(f.val, k, "rule.for"); !fok {
					return false
				}
			case "burn":
				s, sok := l.scalar(f.val, k, "a burn rate such as 14.4")
				if !sok {
					return false
				}
				b, err := strconv.ParseFloat(s, 64)
				if err != nil || !rangeIndex["rule.burn"].Contains(b) {
					l.errorf(f.val, k, "", "expected a burn rate > 0, got %q", s)
					return false
				}
				r.Burn, burn = b, true
			}
		}
		if !long || !short || !burn {
			l.errorf(item, p, "", "a rule needs long:, short: and burn:")
			return false
		}
		if r.Short >= r.Long {
			l.errorf(item, p, "the short window confirms the long one: about 1/12 of it", "short (%s) must be shorter than long (%s)", r.Short, r.Long)
			return false
		}
		d.spec.Rules = append(d.spec.Rules, r)
	}
	return true
}

// checkSLOs checks what each SLO is about once every component is known.
func (l *loader) checkSLOs() {
	var workloads, services []string
	for _, w := range l.workloads {
		workloads = append(workloads, w.spec.Name)
	}
	for _, s := range l.services {
		services = append(services, s.spec.Name)
	}
	kept := l.slos[:0]
	for _, d := range l.slos {
		name, known, label := d.spec.Workload, workloads, "workload"
		if d.spec.Service != "" {
			name, known, label = d.spec.Service, services, "service"
		}
		if !contains(known, name) {
			l.errorf(d.node, d.path, hintFor(name, known, "known"), "unknown %s %q", label, name)
			continue
		}
		kept = append(kept, d)
	}
	l.slos = kept
}

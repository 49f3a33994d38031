package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
)

// Warning is a value the loader accepted that is probably not what the
// author meant. It has a position like a Problem, but a file with warnings
// still runs: `cascade validate` prints them and exits 0.
type Warning struct {
	File      string
	Line, Col int
	Path      string
	Msg       string
	Hint      string
}

// String formats the warning as `file:line:col: warning: path: message
// (hint)`, the form compilers use, so editors and CI logs can jump to it.
func (w Warning) String() string {
	p := Problem{File: w.File, Line: w.Line, Col: w.Col, Path: w.Path, Msg: w.Msg, Hint: w.Hint}.String()
	prefix := fmt.Sprintf("%s:%d:%d: ", w.File, w.Line, w.Col)
	return prefix + "warning: " + strings.TrimPrefix(p, prefix)
}

// maxPathWarnings bounds the no-timeout warnings of one file: a wide fan-out
// has many paths, and after a screenful the advice is the same.
const maxPathWarnings = 20

// Warnings checks a loaded scenario for values that are probably wrong:
// an objective written as a bare fraction, a timeout longer than the run,
// a service given more work than it can do from the first second, and a
// call path on which nothing ever gives up. They are sorted by position.
func (s *Scenario) Warnings() []Warning {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.Data, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	w := &warner{s: s, root: doc.Content[0], topo: s.Topology()}
	w.objectives()
	w.longTimeouts(w.root, "")
	w.overload()
	w.noTimeouts()
	slices.SortStableFunc(w.out, func(a, b Warning) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Col != b.Col {
			return a.Col - b.Col
		}
		return strings.Compare(a.Msg, b.Msg)
	})
	return w.out
}

type warner struct {
	s    *Scenario
	root *yaml.Node
	topo models.Topology
	out  []Warning
}

func (w *warner) add(n *yaml.Node, path, hint, format string, args ...any) {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	w.out = append(w.out, Warning{File: w.s.Source, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// objectives: "objective: 0.999" is read as the fraction 0.999, that is
// 99.9%; an author who thinks in percent may have meant 0.999%. Saying which
// reading was taken is enough to catch the one that was not meant.
func (w *warner) objectives() {
	slos := child(w.root, "slos")
	if slos == nil || slos.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(slos.Content); i += 2 {
		name, v := slos.Content[i].Value, deref(slos.Content[i+1])
		o := deref(child(v, "objective"))
		if o == nil || o.Kind != yaml.ScalarNode || strings.HasSuffix(strings.TrimSpace(o.Value), "%") {
			continue
		}
		p, err := units.ParsePercent(o.Value)
		if err != nil {
			continue
		}
		pct := strconv.FormatFloat(100*p, 'g', -1, 64) + "%"
		w.add(o, "slos."+name+".objective",
			fmt.Sprintf("write %s to keep this reading, or %s%% if you meant that", pct, o.Value),
			"objective %s is read as the fraction %s, not as %s%%", o.Value, pct, o.Value)
	}
}

// timeoutKey matches the keys whose value is a time limit on waiting.
var timeoutKey = regexp.MustCompile(`^(timeout|deadline|[a-z_]+_timeout)$`)

// longTimeouts walks the whole file for time limits longer than the run:
// they can never fire, so whatever they were meant to protect is
// unprotected. Variants are left out: they are overrides, checked when
// they are applied.
func (w *warner) longTimeouts(n *yaml.Node, path string) {
	if w.s.Duration <= 0 {
		return
	}
	n = deref(n)
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], deref(n.Content[i+1])
			p := join(path, k.Value)
			if path == "" && (k.Value == "variants" || strings.HasPrefix(k.Value, "x-")) {
				continue
			}
			if v != nil && v.Kind == yaml.ScalarNode && timeoutKey.MatchString(k.Value) {
				if d, err := units.ParseDuration(v.Value); err == nil && d > w.s.Duration {
					w.add(v, p, "a limit that cannot fire protects nothing; shorten it or lengthen duration:",
						"%s %s is longer than the run (duration: %s)", k.Value, v.Value, w.s.Duration)
				}
				continue
			}
			w.longTimeouts(v, p)
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			w.longTimeouts(it, index(path, i))
		}
	}
}

// overload compares, per service, the work its callers offer at t = 0 with
// the workers it has. The offered work counts only work: steps, reached
// through calls with their repeats and branch probabilities, from open-loop
// workloads at their rate at t = 0; time a worker spends waiting on calls,
// retries and cache misses are left out. It is a lower bound, so a warning
// means the service is overloaded whatever the rest does.
func (w *warner) overload() {
	svc := map[string]*models.ServiceSpec{}
	for i := range w.topo.Services {
		svc[w.topo.Services[i].Name] = &w.topo.Services[i]
	}
	busy := map[string]float64{} // service -> offered worker-seconds per second
	var visit func(service, op string, rate float64, depth int)
	var steps func(service string, st []models.Step, rate float64, depth int)
	steps = func(service string, st []models.Step, rate float64, depth int) {
		for _, x := range st {
			switch x.Kind {
			case models.Work:
				if x.Work != nil {
					if m := x.Work.Mean(); !math.IsInf(m, 0) && !math.IsNaN(m) {
						busy[service] += rate * m
					}
				}
			case models.Call:
				visit(x.Target, x.Op, rate*float64(max(x.Repeat, 1)), depth+1)
			case models.Parallel:
				steps(service, x.Children, rate, depth)
			case models.Branch:
				for _, b := range x.Branches {
					steps(service, b.Steps, rate*b.P, depth)
				}
			case models.Saga:
				for _, a := range x.Saga {
					steps(service, []models.Step{a.Do}, rate, depth)
				}
			}
		}
	}
	visit = func(service, op string, rate float64, depth int) {
		s := svc[service]
		if s == nil || rate <= 0 || depth > maxDepth {
			return
		}
		if o := opOf(s, op); o != nil {
			steps(service, o.Steps, rate, depth)
		}
	}
	for _, wl := range w.topo.Workloads {
		if wl.Users > 0 {
			continue
		}
		rate := wl.Rate
		if wl.RateFunc != nil {
			rate = wl.RateFunc(0)
		}
		visit(wl.Target, wl.Op, rate, 0)
	}
	for _, s := range w.topo.Services {
		if s.Workers == 0 || s.Cache != nil || s.Topic != nil {
			continue
		}
		capacity := float64(s.Instances * s.Workers)
		if load := busy[s.Name]; load > capacity {
			n := child(child(w.root, "services"), s.Name)
			w.add(keyOf(child(w.root, "services"), s.Name, n), "services."+s.Name,
				"add instances or workers, or lower the rate; counted from work: steps alone, so the real load is higher still",
				"offered load at t=0 needs %.3g busy workers, more than its %d (instances %d x workers %d): the queue grows from the start",
				load, s.Instances*s.Workers, s.Instances, s.Workers)
		}
	}
}

// opOf finds an operation; "" is the first.
func opOf(s *models.ServiceSpec, op string) *models.OpSpec {
	for i := range s.Ops {
		if op == "" || s.Ops[i].Name == op {
			return &s.Ops[i]
		}
	}
	return nil
}

// noTimeouts reports every call path, from a workload down to an operation
// that calls nothing more, on which neither the workload nor any call on the
// way has a timeout or a deadline that can fire within the run: if the last service hangs, the request
// and every worker above it wait forever. The warning points at the last
// call of the path (the workload's to: when the path has no calls), the
// place a timeout protects the most callers.
func (w *warner) noTimeouts() {
	svc := map[string]*models.ServiceSpec{}
	for i := range w.topo.Services {
		svc[w.topo.Services[i].Name] = &w.topo.Services[i]
	}
	seen := map[string]bool{}
	count := 0
	type hop struct {
		name string // "service.op"
		path string // YAML path of the call step, "" for the workload
	}
	report := func(wl models.WorkloadSpec, hops []hop) {
		var names []string
		for _, h := range hops {
			names = append(names, h.name)
		}
		key := wl.Name + ": " + strings.Join(names, " -> ")
		if seen[key] {
			return
		}
		seen[key] = true
		count++
		if count > maxPathWarnings {
			return
		}
		last := hops[len(hops)-1]
		path := last.path
		if path == "" {
			path = "workloads." + wl.Name + ".to"
		}
		n := nodeAt(w.root, path)
		w.add(n, path, "add timeout: to a call on this path, or to the workload",
			"no timeout anywhere on the path workload %s -> %s: if %s hangs, every caller waits forever",
			wl.Name, strings.Join(names, " -> "), last.name)
	}
	var visit func(wl models.WorkloadSpec, hops []hop, depth int)
	var walk func(wl models.WorkloadSpec, hops []hop, st []models.Step, base string, depth int) bool
	walk = func(wl models.WorkloadSpec, hops []hop, st []models.Step, base string, depth int) bool {
		calls := false
		for i, x := range st {
			p := index(base, i)
			switch x.Kind {
			case models.Call:
				calls = true
				if w.limits(x.Timeout) || (x.Policy != nil && w.limits(x.Policy.Deadline)) {
					continue
				}
				s := svc[x.Target]
				name := x.Target
				if s != nil {
					if o := opOf(s, x.Op); o != nil {
						name += "." + o.Name
					}
				}
				visit(wl, append(slices.Clone(hops), hop{name, p}), depth+1)
			case models.Parallel:
				calls = walk(wl, hops, x.Children, join(p, "parallel"), depth) || calls
			case models.Cache:
				calls = walk(wl, hops, x.Children, join(p, "miss"), depth) || calls
			case models.Branch:
				for j, b := range x.Branches {
					calls = walk(wl, hops, b.Steps, join(index(join(p, "branch"), j), "steps"), depth) || calls
				}
			case models.Saga:
				for j, a := range x.Saga {
					calls = walk(wl, hops, []models.Step{a.Do}, join(index(join(p, "saga"), j), "do"), depth) || calls
				}
			}
		}
		return calls
	}
	visit = func(wl models.WorkloadSpec, hops []hop, depth int) {
		last := hops[len(hops)-1].name
		service, op, _ := strings.Cut(last, ".")
		s := svc[service]
		if s == nil || depth > maxDepth || s.Cache != nil || s.Topic != nil {
			report(wl, hops)
			return
		}
		o := opOf(s, op)
		if o == nil || !walk(wl, hops, o.Steps, "services."+service+".ops."+o.Name, depth) {
			report(wl, hops)
		}
	}
	for _, wl := range w.topo.Workloads {
		if w.limits(wl.Timeout) || (wl.Policy != nil && w.limits(wl.Policy.Deadline)) {
			continue
		}
		name := wl.Target
		if s := svc[wl.Target]; s != nil {
			if o := opOf(s, wl.Op); o != nil {
				name += "." + o.Name
			}
		}
		visit(wl, []hop{{name, ""}}, 0)
	}
	if count > maxPathWarnings {
		w.add(child(w.root, "workloads"), "workloads", "", "and %d more call paths with no timeout anywhere", count-maxPathWarnings)
	}
}

// limits says whether a timeout or deadline can fire during the run: one
// longer than the run (warned about on its own) protects nothing either.
func (w *warner) limits(t sim.Time) bool {
	return t > 0 && (w.s.Duration == 0 || t <= w.s.Duration)
}

// child is the value of key in mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// keyOf is the key node of key in mapping m, for warnings about a whole
// entry; def when there is none.
func keyOf(m *yaml.Node, key string, def *yaml.Node) *yaml.Node {
	m = deref(m)
	if m != nil && m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i]
			}
		}
	}
	return def
}

// pathPart splits "a.b[2].c" into keys and indexes.
var pathPart = regexp.MustCompile(`[^.\[\]]+|\[\d+\]`)

// nodeAt finds the node at a loader path such as
// "services.api.ops.get[1].call". A path through something the file does
// not spell out (an operation written as service_time:) ends at the
// nearest node that exists, so a warning still points somewhere useful.
func nodeAt(root *yaml.Node, path string) *yaml.Node {
	n := root
	for _, part := range pathPart.FindAllString(path, -1) {
		var next *yaml.Node
		if strings.HasPrefix(part, "[") {
			i, _ := strconv.Atoi(strings.Trim(part, "[]"))
			if d := deref(n); d != nil && d.Kind == yaml.SequenceNode && i < len(d.Content) {
				next = deref(d.Content[i])
			}
		} else {
			next = child(n, part)
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

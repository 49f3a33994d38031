// Package scenarios turns scenario files (YAML) into validated models
// topologies, with every problem reported at its file position, and holds
// the built-in scenario library.
//
// Loading walks the yaml.Node tree instead of decoding into structs, so every
// value keeps its line and column; it collects every problem instead of
// stopping at the first, and it never panics on any input. Rate expressions
// are compiled once, at load time, with expr-lang against a typed
// environment. See docs/scenario-format.md for the file format.
package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/sim"
)

// Default is the built-in scenario used when none is named.
const Default = "shop"

// Scenario is a loaded, valid scenario file.
type Scenario struct {
	Name, Description string
	Source            string // the path given, or "builtin:NAME"
	// Data is the file exactly as read, so a session saved from the TUI can
	// keep everything the user wrote (comments included) and add to it.
	Data     []byte
	Seed     uint64   // default 1
	Duration sim.Time // 0: run until every workload has sent its requests:
	Warmup   sim.Time // statistics start after this
	// Expect is the expect: list, compiled: what must hold for the run to
	// pass (cascade run exits 1 otherwise).
	Expect []Expectation
	// Lesson is the lesson: section, compiled; nil when there is none.
	Lesson *Lesson

	topo  models.Topology // template; RateFunc is always nil here
	rates []*rateExpr     // per workload: its compiled rate expression, or nil
	conds []*condition    // per fault: its compiled when: condition, or nil
	at    positions       // where problems found after loading point
}

// positions are where problems found after loading point: problems with
// the positions and paths filled in and the message left empty.
type positions struct {
	// rate is, per workload with an expression, where a value of it
	// that is no rate is reported (the hint is filled in too).
	rate []Problem
	// load (per workload: its rate: or users:), factor (per fault: a
	// spike or ramp's factor), inst (per service: its instances:, or its
	// name) and clients (per workload: its clients:) are where the event
	// and object limits point.
	load, factor, inst, clients []Problem
}

// Topology builds the scenario's topology. Every call returns fresh values —
// its own slices and its own rate functions, each with a private expression
// VM — so several engines can run copies at the same time. Distributions are
// shared: they are immutable values that draw from the random stream passed
// to them.
func (s *Scenario) Topology() models.Topology {
	t := models.Topology{
		Workloads: slices.Clone(s.topo.Workloads),
		Services:  make([]models.ServiceSpec, len(s.topo.Services)),
		Links:     slices.Clone(s.topo.Links),
		Faults:    slices.Clone(s.topo.Faults),
		SLOs:      slices.Clone(s.topo.SLOs),
	}
	if z := s.topo.Zones; z != nil {
		c := *z
		c.Names, c.Pairs = slices.Clone(z.Names), slices.Clone(z.Pairs)
		t.Zones = &c
	}
	for i := range t.SLOs {
		t.SLOs[i].Rules = slices.Clone(t.SLOs[i].Rules)
	}
	for i := range t.Faults {
		g := &t.Faults[i].Target.Groups
		g[0], g[1] = slices.Clone(g[0]), slices.Clone(g[1])
	}
	for i := range t.Faults {
		if c := s.conds[i]; c != nil {
			t.Faults[i].When = c.Func()
		}
	}
	for i := range t.Workloads {
		if r := s.rates[i]; r != nil {
			t.Workloads[i].RateFunc = r.Func()
			at := s.at.rate[i]
			t.Workloads[i].RateError = func(sec, v float64) error {
				p := at
				p.Msg = rateValueMsg(sim.FromSeconds(sec), v)
				return Problems{p}
			}
		}
	}
	for i, svc := range s.topo.Services {
		svc.Ops = slices.Clone(svc.Ops)
		svc.Zones = slices.Clone(svc.Zones)
		for j := range svc.Ops {
			svc.Ops[j].Steps = cloneSteps(svc.Ops[j].Steps)
		}
		t.Services[i] = svc
	}
	return t
}

// cloneSteps deep-copies steps, so a caller may modify its topology (a
// what-if variant, a sweep) without touching the scenario's.
func cloneSteps(steps []models.Step) []models.Step {
	if steps == nil {
		return nil
	}
	out := slices.Clone(steps)
	for i := range out {
		out[i].Children = cloneSteps(out[i].Children)
		if out[i].Branches != nil {
			out[i].Branches = slices.Clone(out[i].Branches)
			for j := range out[i].Branches {
				out[i].Branches[j].Steps = cloneSteps(out[i].Branches[j].Steps)
			}
		}
	}
	return out
}

// Load loads a scenario by path, or else by built-in name (also written
// "builtin:NAME"). A file that exists always wins over a built-in of the
// same name. Invalid content gives Problems; an unknown name gives an error
// listing the built-ins.
func Load(arg string) (*Scenario, error) {
	name, isBuiltin := strings.CutPrefix(arg, "builtin:")
	if !isBuiltin {
		data, err := os.ReadFile(arg)
		if err == nil {
			return Parse(arg, data)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if looksLikePath(arg) {
			return nil, err
		}
	}
	if data, ok := Builtin(name); ok {
		return Parse("builtin:"+name, data)
	}
	return nil, unknownScenario(name)
}

// looksLikePath says whether arg was meant as a file rather than a built-in
// name, so a mistyped path reports "no such file" rather than "no built-in".
func looksLikePath(arg string) bool {
	return strings.ContainsAny(arg, `/\`) || strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml")
}

// unknownScenario is the error for a name that is neither a file nor a
// built-in.
func unknownScenario(name string) error {
	var names []string
	for _, e := range Library() {
		names = append(names, e.Name)
	}
	return errors.New(`no scenario file or built-in scenario named "` + name + `" (` + hintFor(name, names, "built-ins") + ")")
}

// Parse loads a scenario from data; filename is used in problem positions,
// as Source, and (without directory and extension) as the default name.
// Invalid input gives a non-nil error of type Problems.
func Parse(filename string, data []byte) (*Scenario, error) {
	l := &loader{
		file: filename,
		sc:   &Scenario{Name: defaultName(filename), Source: filename, Seed: 1, Data: data},
	}
	l.parse(data)
	return l.finish()
}

// ParseNode loads a scenario from a decoded YAML document (a
// yaml.DocumentNode or its mapping), for callers that edit the tree before
// loading it — variants and sweeps override fields this way — so problems
// still point at the lines of the file. data is kept as Scenario.Data.
func ParseNode(filename string, doc *yaml.Node, data []byte) (*Scenario, error) {
	l := &loader{
		file: filename,
		sc:   &Scenario{Name: defaultName(filename), Source: filename, Seed: 1, Data: data},
	}
	l.parseNode(doc)
	return l.finish()
}

// finish turns a loader's work into a Scenario, or its sorted problems.
func (l *loader) finish() (*Scenario, error) {
	if len(l.problems) > 0 {
		l.problems.Sort()
		return nil, l.problems
	}
	sc := l.sc
	for _, w := range l.workloads {
		sc.topo.Workloads = append(sc.topo.Workloads, w.spec)
		sc.rates = append(sc.rates, w.rate)
		var at Problem
		if w.rate != nil {
			at = l.rateProblem(w, 0, 0)
		}
		sc.at.rate = append(sc.at.rate, at)
		sc.at.load = append(sc.at.load, l.at(w.loadAt, w.loadPath))
		sc.at.clients = append(sc.at.clients, l.at(w.clientsAt, join(join("workloads", w.spec.Name), "clients")))
	}
	for _, s := range l.services {
		sc.topo.Services = append(sc.topo.Services, s.spec)
		at := l.at(s.instAt, join(join("services", s.spec.Name), "instances"))
		if s.instAt == nil {
			at = l.at(s.key, join("services", s.spec.Name))
		}
		sc.at.inst = append(sc.at.inst, at)
	}
	sc.topo.Links = l.linkSpecs()
	if l.zones != nil {
		z := l.zones.spec
		sc.topo.Zones = &z
	}
	for _, f := range l.faults {
		sc.topo.Faults = append(sc.topo.Faults, f.f)
		sc.conds = append(sc.conds, f.cond)
		sc.at.factor = append(sc.at.factor, l.at(f.factorNode, f.factorPath))
	}
	for _, s := range l.slos {
		sc.topo.SLOs = append(sc.topo.SLOs, s.spec)
	}
	return sc, nil
}

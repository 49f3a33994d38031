package scenarios

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"cascade/models"
)

// A variant is a named "what if" of a scenario: the variants: section maps
// a name to overrides (path: value), e.g.
//
//	variants:
//	  with-breaker:
//	    services.api.ops.get[1].breaker: resilience4j
//	  no-retries:
//	    workloads.browse.retry: null    # null removes the field
//
// Each variant is the whole file with its overrides applied, loaded like
// any scenario. It runs with the scenario's seed and duration (a variant
// may not set either), and since every component
// draws from its own named random stream, identical components see
// identical draws in every variant (common random numbers): differences
// come from the design, not the dice.

// Variant is one loaded variant.
type Variant struct {
	Name      string
	Line, Col int // of the name in the file
	Overrides []Override
	Scenario  *Scenario
}

// Baseline is the label of the scenario as written, beside its variants.
const Baseline = "baseline"

// variantName is what a variant name may be: it names chart files too.
var variantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Variants loads every variant of s, in file order. Problems in any of them
// (an unknown path, a value the loader rejects) come back together as
// Problems, positioned in the file; a scenario without variants: gives nil.
func (s *Scenario) Variants() ([]Variant, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.Data, &doc); err != nil {
		return nil, err
	}
	root := deref(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, nil
	}
	var vn *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "variants" {
			vn = deref(root.Content[i+1])
		}
	}
	if vn == nil || isNull(vn) {
		return nil, nil
	}
	var probs Problems
	at := func(n *yaml.Node, path, hint, format string, args ...any) {
		probs = append(probs, Problem{File: s.Source, Line: max(n.Line, 1), Col: max(n.Column, 1), Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint})
	}
	if vn.Kind != yaml.MappingNode {
		at(vn, "variants", "e.g. variants: { bigger: { services.api.workers: 16 } }", "expected a map of variant names to overrides, got %s", kindName(vn))
		return nil, probs
	}
	var out []Variant
	for i := 0; i+1 < len(vn.Content); i += 2 {
		k, v := vn.Content[i], deref(vn.Content[i+1])
		name := k.Value
		path := "variants." + name
		switch {
		case !variantName.MatchString(name):
			at(k, path, "letters, digits, '-', '_' and '.', starting with a letter or digit", "invalid variant name %q", name)
			continue
		case name == Baseline:
			at(k, path, "it names the scenario as written", "the variant name %q is reserved", name)
			continue
		case v == nil || v.Kind != yaml.MappingNode:
			at(deref(vn.Content[i+1]), path, "e.g. "+name+": { services.api.workers: 16 }", "expected a map of field paths to values, got %s", kindName(v))
			continue
		}
		va := Variant{Name: name, Line: k.Line, Col: k.Column}
		shared := false
		for j := 0; j+1 < len(v.Content); j += 2 {
			pk := v.Content[j]
			if top, _, _ := strings.Cut(strings.TrimSpace(pk.Value), "."); top == "seed" || top == "duration" {
				// Every design runs with the run's seed and for its
				// duration; a variant's own would be ignored by some
				// commands and honoured by others.
				at(pk, path+"."+pk.Value, "variants share the run's seed and duration so they compare under common random numbers; use cascade compare or --seed",
					"a variant cannot set %s", top)
				shared = true
			}
			va.Overrides = append(va.Overrides, Override{Path: pk.Value, Value: v.Content[j+1],
				Origin: fmt.Sprintf("variant %q", name), File: s.Source, Line: pk.Line, Col: pk.Column})
		}
		if shared {
			continue
		}
		if len(va.Overrides) == 0 {
			at(v, path, "", "variant %q changes nothing", name)
			continue
		}
		vs, err := s.Override(va.Overrides)
		if err != nil {
			if ps, ok := err.(Problems); ok {
				for _, p := range ps {
					// A problem pointing into the file above variants: says
					// which variant made the file say it.
					if p.Line < vn.Line && !strings.Contains(p.Msg+p.Hint, "variant") {
						note := fmt.Sprintf("with variant %q (line %d)", name, k.Line)
						if p.Hint == "" {
							p.Hint = note
						} else {
							p.Hint += "; " + note
						}
					}
					probs = append(probs, p)
				}
				continue
			}
			return nil, err
		}
		vs.Name = s.Name
		va.Scenario = vs
		out = append(out, va)
	}
	if len(probs) > 0 {
		probs.Sort()
		return nil, probs
	}
	return out, nil
}

// Check is an expression in the language of expect:, compiled against one
// scenario's names (sweep --find --until uses it). It is evaluated over the
// means of one or more runs, as expectations are.
type Check struct {
	Src string
	e   *Expectation
}

// CompileCheck compiles src as an expectation of s. Errors give the
// column in src and a hint, e.g. `col 11: unknown component "brwose" (did
// you mean "browse"?)`.
func (s *Scenario) CompileCheck(src string) (*Check, error) {
	e, probs := compileCheck(src, namesOf(s.topo))
	if len(probs) > 0 {
		var msgs []string
		for _, p := range probs {
			m := fmt.Sprintf("col %d: %s", p.Offset+1, p.Msg)
			if p.Hint != "" {
				m += " (" + p.Hint + ")"
			}
			msgs = append(msgs, m)
		}
		return nil, fmt.Errorf("%s", strings.Join(msgs, "; "))
	}
	return &Check{Src: src, e: e}, nil
}

// WithCheck is s with c appended to its expectations, so Windows and
// NeedsSeries ask the run for what c reads and Evaluate's last verdict is
// c's. s itself is not changed.
func (s *Scenario) WithCheck(c *Check) *Scenario {
	out := *s
	out.Expect = append(append([]Expectation(nil), s.Expect...), *c.e)
	return &out
}

// Eval evaluates c over the means of runs.
func (c *Check) Eval(runs []models.Result) (bool, error) {
	var machine vm.VM
	res, err := machine.Run(c.e.program, newCheckEnv(runs))
	if err != nil {
		return false, fmt.Errorf("%s", exprMessage(err))
	}
	b, _ := res.(bool)
	return b, nil
}

// namesOf is the loader's knownNames, rebuilt from a topology.
func namesOf(t models.Topology) knownNames {
	var k knownNames
	for _, w := range t.Workloads {
		k.workloads = append(k.workloads, w.Name)
	}
	for _, s := range t.Services {
		k.services = append(k.services, s.Name)
	}
	for _, s := range t.SLOs {
		k.slos = append(k.slos, s.Name)
	}
	add := func(from, to string) {
		for _, e := range k.edges {
			if e == [2]string{from, to} {
				return
			}
		}
		k.edges = append(k.edges, [2]string{from, to})
	}
	for _, w := range t.Workloads {
		if w.Policy != nil {
			add(w.Name, w.Target)
		}
	}
	var walk func(from string, steps []models.Step)
	walk = func(from string, steps []models.Step) {
		for _, st := range steps {
			if st.Kind == models.Call && st.Policy != nil {
				add(from, st.Target)
			}
			walk(from, st.Children)
			for _, b := range st.Branches {
				walk(from, b.Steps)
			}
		}
	}
	for _, s := range t.Services {
		for _, o := range s.Ops {
			walk(s.Name, o.Steps)
		}
	}
	return k
}

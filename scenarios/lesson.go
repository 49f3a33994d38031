package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
)

// A lesson is a scenario plus ordered steps an instructor walks a room
// through (cascade tui --lesson) and CI replays (cascade run --lesson):
//
//	lesson:
//	  title: The retry storm that outlived its trigger
//	  source: AWS DynamoDB, us-east-1, 20 September 2015
//	  steps:
//	    - text: Two copies of one service at 80% utilization.
//	      for: 1m
//	    - text: Slow both down 2x for 10 s.
//	      ask: What happens when the slowdown ends?
//	      inject: { slow: 2x, on: api, for: 10s }
//	      for: 2m
//	      check: '!recovered("naive", within=1m)'
//
// A step's action (inject:, variant: or rate:) happens at the instant the
// step starts, which is the instant the previous step's wait ended; its
// wait (until: a live condition, for: a span, or both: the condition with
// for: as its limit) runs from there; its checks are expect: expressions
// evaluated on the run as it stands when the wait ends. variant: is the one
// action that does not keep the clock: it starts the variant's run from 0
// with the same seed, and the lesson's earlier injections happen again at
// their instants, so the room sees the same incident with the fix.

// lessonKeys are the keys of lesson:.
var lessonKeys = []string{"title", "story", "source", "steps"}

// lessonStepKeys are the keys of one lesson step.
var lessonStepKeys = []string{"text", "ask", "inject", "variant", "rate", "until", "for", "check"}

// lessonRateKeys are the keys of a step's rate: action.
var lessonRateKeys = []string{"workload", "to", "factor"}

// Lesson is a scenario's lesson:, loaded and compiled.
type Lesson struct {
	Title  string // default: the scenario's name
	Story  string // one line for `cascade lessons`; default: the description
	Source string // the post-mortem or paper it is modelled on
	Steps  []LessonStep
}

// ActionKind says what a step does when it starts.
type ActionKind int

const (
	ActionNone    ActionKind = iota
	ActionInject             // inject Fault
	ActionVariant            // replay from 0 with Variant
	ActionRate               // change a workload's rate (a spike fault)
)

// LessonAction is a step's action.
type LessonAction struct {
	Kind    ActionKind
	Fault   models.Fault // ActionInject, ActionRate: Start is set when it happens
	Variant string       // ActionVariant
	Label   string       // what it does, in words, for the step panel
}

// LessonStep is one step of a lesson.
type LessonStep struct {
	Text, Ask string
	Line, Col int
	Action    LessonAction
	Until     string   // as written; "" for none
	For       sim.Time // the wait, or the limit of until:; 0 for none
	Checks    []Expectation

	until *condition
}

// Wait describes the step's wait in words.
func (s LessonStep) Wait() string {
	switch {
	case s.Until != "" && s.For > 0:
		return "until " + s.Until + " (at most " + Span(s.For) + ")"
	case s.Until != "":
		return "until " + s.Until
	case s.For > 0:
		return "for " + Span(s.For)
	}
	return ""
}

// lessonDraft is a lesson waiting for every name to be known.
type lessonDraft struct {
	lesson *Lesson
	node   *yaml.Node
	steps  []lessonStepDraft
	// variants are the names under variants:, for variant: actions.
	variants []string
}

type lessonStepDraft struct {
	path             string
	fault            *faultDraft // inject: or rate:
	until, variant   *yaml.Node
	checks           []expectDraft
	rateOn, rateNode *yaml.Node
	rateTo           float64 // rate: to:, resolved into a factor once workloads are known
}

// decodeLesson reads lesson:. root is the document's mapping, for the
// names of variants:.
func (l *loader) decodeLesson(n, root *yaml.Node) {
	fields, ok := l.mapping(n, "lesson", "a map with steps:, e.g. lesson: { steps: [ { text: ..., for: 1m } ] }", lessonKeys)
	if !ok {
		return
	}
	d := &lessonDraft{lesson: &Lesson{}, node: deref(n)}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "variants" {
			if vn := deref(root.Content[i+1]); vn != nil && vn.Kind == yaml.MappingNode {
				for j := 0; j < len(vn.Content); j += 2 {
					d.variants = append(d.variants, vn.Content[j].Value)
				}
			}
		}
	}
	var stepsNode *yaml.Node
	for _, f := range fields {
		path := join("lesson", f.key.Value)
		switch f.key.Value {
		case "title", "story", "source":
			if s, ok := l.scalar(f.val, path, "one line of text"); ok {
				s = strings.TrimSpace(s)
				switch f.key.Value {
				case "title":
					d.lesson.Title = s
				case "story":
					d.lesson.Story = s
				default:
					d.lesson.Source = s
				}
			}
		case "steps":
			stepsNode = f.val
		}
	}
	if stepsNode == nil {
		if !misspelt(n, lessonKeys, "steps") {
			l.errorf(n, "lesson.steps", "e.g. steps: [ { text: Watch the queue., for: 1m } ]", "missing steps:")
		}
		return
	}
	items, ok := l.sequence(stepsNode, "lesson.steps", "a list of steps")
	if !ok {
		return
	}
	if len(items) == 0 {
		l.errorf(stepsNode, "lesson.steps", "", "a lesson needs at least one step")
		return
	}
	for i, item := range items {
		l.decodeLessonStep(d, item, index("lesson.steps", i))
	}
	l.lesson = d
}

func (l *loader) decodeLessonStep(d *lessonDraft, item *yaml.Node, path string) {
	fields, ok := l.mapping(item, path, "a step such as { text: Watch the queue., for: 1m }", lessonStepKeys)
	if !ok {
		return
	}
	nd := deref(item)
	st := LessonStep{Line: nd.Line, Col: nd.Column}
	sd := lessonStepDraft{path: path}
	var action *field
	for i := range fields {
		f := fields[i]
		p := join(path, f.key.Value)
		switch f.key.Value {
		case "text", "ask":
			if s, ok := l.scalar(f.val, p, "text"); ok {
				if f.key.Value == "text" {
					st.Text = strings.TrimSpace(s)
				} else {
					st.Ask = strings.TrimSpace(s)
				}
			}
		case "inject", "variant", "rate":
			if action != nil {
				l.errorf(f.key, p, "split them into two steps", "one action per step, got %s and %s", action.key.Value, f.key.Value)
				continue
			}
			action = &fields[i]
		case "until":
			if s, ok := l.scalar(f.val, p, `a condition such as goodput("api") > 500`); ok {
				st.Until, sd.until = s, deref(f.val)
			}
		case "for":
			if t, ok := l.positiveDuration(f.val, p); ok {
				st.For = t
			}
		case "check":
			v := deref(f.val)
			list := []*yaml.Node{v}
			if v != nil && v.Kind == yaml.SequenceNode {
				list = v.Content
			}
			for j, c := range list {
				cp := p
				if v.Kind == yaml.SequenceNode {
					cp = index(p, j)
				}
				if cn := deref(c); cn != nil && cn.Kind == yaml.MappingNode {
					l.errorf(c, cp, `YAML reads "name: value" as a map: quote the expression, or write named arguments as within=2m`, "expected an expression, got a map")
					continue
				}
				if s, ok := l.scalar(c, cp, "an expression that is true when the step went as taught"); ok {
					sd.checks = append(sd.checks, expectDraft{src: s, node: deref(c), path: cp})
				}
			}
		}
	}
	if st.Text == "" && !misspelt(item, lessonStepKeys, "text") {
		l.errorf(item, join(path, "text"), "say what to watch, in a sentence or two", "missing text:")
	}
	if action != nil {
		p := join(path, action.key.Value)
		switch action.key.Value {
		case "inject":
			fd := l.decodeFaultItem(action.val, p)
			if fd == nil {
				break
			}
			if m := deref(action.val); m != nil {
				for j := 0; j+1 < len(m.Content); j += 2 {
					if k := m.Content[j].Value; k == "at" || k == "when" {
						l.errorf(m.Content[j], join(p, k), "an action happens when its step starts; give the previous step a wait (for: or until:) instead",
							"a lesson's inject: cannot have %s:", k)
						fd = nil
					}
				}
			}
			if fd != nil {
				st.Action = LessonAction{Kind: ActionInject, Fault: fd.f}
				sd.fault = fd
			}
		case "variant":
			name, ok := l.scalar(action.val, p, "the name of one of variants:")
			if !ok {
				break
			}
			if !contains(d.variants, name) {
				hint := "add it under variants:"
				if len(d.variants) > 0 {
					hint = hintFor(name, d.variants, "variants")
				}
				l.errorf(action.val, p, hint, "unknown variant %q", name)
				break
			}
			st.Action = LessonAction{Kind: ActionVariant, Variant: name, Label: "replay from 0 with variant " + name}
			sd.variant = deref(action.val)
		case "rate":
			l.decodeLessonRate(&st, &sd, action.val, p)
		}
	}
	d.lesson.Steps = append(d.lesson.Steps, st)
	d.steps = append(d.steps, sd)
}

// decodeLessonRate reads rate: { workload: browse, to: 1200/s } or
// { workload: browse, factor: 2x }: from the step on, the workload sends at
// that rate (a spike fault without an end).
func (l *loader) decodeLessonRate(st *LessonStep, sd *lessonStepDraft, n *yaml.Node, path string) {
	fields, ok := l.mapping(n, path, "a map such as { workload: browse, to: 1200/s }", lessonRateKeys)
	if !ok {
		return
	}
	f := models.Fault{Verb: models.FaultSpike}
	var to, factor *yaml.Node
	for _, fl := range fields {
		p := join(path, fl.key.Value)
		switch fl.key.Value {
		case "workload":
			if s, ok := l.scalar(fl.val, p, "a workload name"); ok {
				f.Target.Component, sd.rateOn = s, deref(fl.val)
			}
		case "to":
			s, ok := l.scalar(fl.val, p, "a rate such as 1200/s")
			if !ok {
				return
			}
			r, err := units.ParseRate(s)
			if err != nil || r <= 0 {
				l.errorf(fl.val, p, "e.g. to: 1200/s", "expected a rate > 0, got %q", s)
				return
			}
			sd.rateTo, to = r, fl.val
		case "factor":
			v, ok := l.factor(fl.val, p)
			if !ok {
				return
			}
			f.Factor, factor = v, fl.val
		}
	}
	switch {
	case sd.rateOn == nil:
		l.errorf(n, join(path, "workload"), "", "missing workload:")
		return
	case (to == nil) == (factor == nil):
		l.errorf(n, path, "to: sets the new rate, factor: multiplies the current one", "give exactly one of to: and factor:")
		return
	}
	sd.rateNode = deref(n)
	sd.fault = &faultDraft{f: f, path: path, refs: []faultRef{{node: sd.rateOn, name: f.Target.Component, want: "workload"}}}
	st.Action = LessonAction{Kind: ActionRate, Fault: f}
}

// checkLesson resolves the lesson's names once every component is known:
// faults' targets, rates, conditions and checks.
func (l *loader) checkLesson() {
	d := l.lesson
	if d == nil {
		return
	}
	names := l.knownNames()
	ok := true
	if l.sc.Duration == 0 {
		l.errorf(d.node, "lesson", "add e.g. duration: 6m", "a lesson needs the scenario's duration:")
		ok = false
	}
	for i := range d.steps {
		sd, st := &d.steps[i], &d.lesson.Steps[i]
		if sd.fault != nil {
			saved := l.faults
			l.faults = []*faultDraft{sd.fault}
			l.checkFaults()
			kept := len(l.faults) == 1
			l.faults = saved
			if !kept {
				ok = false
			} else if st.Action.Kind == ActionRate && sd.rateTo > 0 {
				w := l.workloadNamed(st.Action.Fault.Target.Component)
				switch {
				case w == nil:
				case w.rate != nil || w.spec.Rate <= 0:
					l.errorf(sd.rateNode, join(sd.path, "to"), "use factor: to multiply it", "workload %q has no constant rate to replace", w.spec.Name)
					ok = false
				default:
					st.Action.Fault.Factor = sd.rateTo / w.spec.Rate
				}
			}
			st.Action.Fault.Name = fmt.Sprintf("lesson step %d: %s", i+1, st.Action.Fault.Verb)
			if st.Action.Label == "" {
				st.Action.Label = actionLabel(st.Action)
			}
		}
		if sd.until != nil {
			c, probs := compileCondition(st.Until, names)
			for _, p := range probs {
				l.problem(sd.until.Line, scalarCol(sd.until, p.Offset), join(sd.path, "until"), p.Hint, "%s", p.Msg)
				ok = false
			}
			st.until = c
		}
		for _, cd := range sd.checks {
			e, probs := compileCheck(cd.src, names)
			for _, p := range probs {
				l.problem(cd.node.Line, scalarCol(cd.node, p.Offset), cd.path, p.Hint, "%s", p.Msg)
				ok = false
			}
			if e != nil {
				e.Line, e.Col = cd.node.Line, cd.node.Column
				st.Checks = append(st.Checks, *e)
			}
		}
	}
	if ok {
		if d.lesson.Title == "" {
			d.lesson.Title = l.sc.Name
		}
		if d.lesson.Story == "" {
			d.lesson.Story = l.sc.Description
		}
		l.sc.Lesson = d.lesson
	}
}

func (l *loader) workloadNamed(name string) *workloadInfo {
	for _, w := range l.workloads {
		if w.spec.Name == name {
			return w
		}
	}
	return nil
}

// actionLabel says what an inject: or rate: action does.
func actionLabel(a LessonAction) string {
	f := a.Fault
	t := f.Target
	target := t.Component
	switch {
	case t.From != "" && t.To != "":
		target = t.From + "->" + t.To
	case t.To != "":
		target = t.To
	case len(t.Groups[0]) > 0:
		target = strings.Join(t.Groups[0], ",") + " | " + strings.Join(t.Groups[1], ",")
	}
	if a.Kind == ActionRate {
		return fmt.Sprintf("rate of %s x%.3g", target, f.Factor)
	}
	s := "inject " + f.Verb.String()
	if f.Factor > 0 {
		s += fmt.Sprintf(" %.3gx", f.Factor)
	}
	if f.P > 0 {
		s += fmt.Sprintf(" %.3g%%", 100*f.P)
	}
	s += " on " + target
	switch t.Instances.Mode {
	case models.SelectOne:
		s += fmt.Sprintf(" instance %d", int(t.Instances.N))
	case models.SelectCount:
		s += fmt.Sprintf(" (%d instances)", int(t.Instances.N))
	case models.SelectPercent:
		s += fmt.Sprintf(" (%g%% of instances)", t.Instances.N)
	}
	if f.Duration > 0 {
		s += " for " + Span(f.Duration)
	}
	return s
}

// lessonWindows are the from:/to: spans the lesson's checks read.
func (s *Scenario) lessonWindows() []models.WindowSpec {
	var out []models.WindowSpec
	if s.Lesson == nil {
		return nil
	}
	for _, st := range s.Lesson.Steps {
		out = appendWindows(out, st.Checks)
	}
	return out
}

// lessonLibrary holds the built-in lessons: whole scenarios with a lesson:
// section, kept apart from the scenario library so `cascade list` stays a
// list of designs and `cascade lessons` a list of sessions.
//
//go:embed library/lessons/*.yaml
var lessonLibrary embed.FS

// LessonEntry describes one built-in lesson.
type LessonEntry struct {
	Name string
	// Scenario is the loaded lesson, or nil when it does not load (the
	// library test reports that).
	Scenario *Scenario
}

// Lessons lists the built-in lessons sorted by name.
func Lessons() []LessonEntry {
	files, _ := lessonLibrary.ReadDir("library/lessons")
	var out []LessonEntry
	for _, f := range files {
		name, ok := strings.CutSuffix(f.Name(), ".yaml")
		if !ok || f.IsDir() {
			continue
		}
		s, _ := LoadLesson("builtin:" + name)
		out = append(out, LessonEntry{Name: name, Scenario: s})
	}
	slices.SortFunc(out, func(a, b LessonEntry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// BuiltinLesson returns the YAML of the built-in lesson name.
func BuiltinLesson(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, false
	}
	data, err := lessonLibrary.ReadFile("library/lessons/" + name + ".yaml")
	return data, err == nil
}

// LoadLesson loads a lesson by path (any scenario file with a lesson:
// section) or else by built-in lesson name (also written "builtin:NAME").
func LoadLesson(arg string) (*Scenario, error) {
	name, isBuiltin := strings.CutPrefix(arg, "builtin:")
	var s *Scenario
	var err error
	if data, rerr := os.ReadFile(arg); !isBuiltin && rerr == nil {
		s, err = Parse(arg, data)
	} else if !isBuiltin && rerr != nil && (!errors.Is(rerr, fs.ErrNotExist) || looksLikePath(arg)) {
		return nil, rerr
	} else if data, ok := BuiltinLesson(name); ok {
		s, err = Parse("builtin:"+name, data)
	} else {
		var names []string
		files, _ := lessonLibrary.ReadDir("library/lessons")
		for _, f := range files {
			names = append(names, strings.TrimSuffix(f.Name(), ".yaml"))
		}
		return nil, errors.New(`no lesson file or built-in lesson named "` + name + `" (` + hintFor(name, names, "lessons") + ")")
	}
	if err != nil {
		return nil, err
	}
	if s.Lesson == nil {
		return nil, errors.New(s.Source + " has no lesson: section (docs/lessons.md says how to write one)")
	}
	return s, nil
}

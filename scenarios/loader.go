package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loader turns one YAML document into a Scenario. It walks yaml.Node values
// itself instead of decoding into structs, because only the node tree keeps
// the line and column of every value (so each problem points where a human
// would look) and because the decoder's unknown-field check is lost inside
// custom unmarshalers. It never stops at the first problem: every check
// records a Problem and carries on with a usable default.
type loader struct {
	file     string
	problems Problems

	// steps counts decoded steps: YAML aliases can make a small file expand
	// into an enormous tree (a "billion laughs"), so the walk has a budget.
	steps int

	sc         *Scenario
	services   []*serviceInfo
	svcByName  map[string]*serviceInfo
	workloads  []*workloadInfo
	refs       []callRef // call steps and workload targets, checked once every service is known
	links      []linkDraft
	faults     []*faultDraft
	slos       []*sloDraft
	expects    []expectDraft
	cacheSteps []cacheUse // cache: steps, checked to name a cache
	dbWrites   []dbWrite  // databases' writes:, checked to name operations
	publishes  []cacheUse // publish: steps, checked to name a queue
	lesson     *lessonDraft
	zones      *zoneDraft  // the zones: block, nil without one
	svcZones   []*svcZones // services' zones: lists, checked against it
	zoneAware  []*svcZones // services' zone_aware: keys
}

const (
	maxSteps = 100000 // steps in a whole file, aliases expanded
	maxDepth = 32     // nesting of parallel/branch steps
)

// problem records a problem at an explicit position.
func (l *loader) problem(line, col int, path, hint, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	l.problems = append(l.problems, Problem{
		File: l.file, Line: line, Col: col, Path: path,
		Msg: fmt.Sprintf(format, args...), Hint: hint,
	})
}

// at is a problem at node n with no message yet, for problems found after
// loading (the event estimate); the zero Problem when n is nil.
func (l *loader) at(n *yaml.Node, path string) Problem {
	if n == nil {
		return Problem{}
	}
	return Problem{File: l.file, Line: max(n.Line, 1), Col: max(n.Column, 1), Path: path}
}

// errorf records a problem at node n.
func (l *loader) errorf(n *yaml.Node, path, hint, format string, args ...any) {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	l.problem(line, col, path, hint, format, args...)
}

// topKeys are the top-level keys, in the order they are documented.
var topKeys = []string{"name", "description", "seed", "duration", "warmup", "workloads", "services", "links", "zones", "faults", "slos", "expect", "variants", "lesson"}

// parse is Parse without the public wrapper: it fills l.sc and l.problems.
func (l *loader) parse(data []byte) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		l.syntaxProblem(data, err)
		return
	}
	l.extraDocuments(data)
	l.parseNode(&doc)
}

// extraDocuments reports a second YAML document (after "---"): the decoder
// reads only the first, and a scenario is one document, so whatever follows
// would otherwise be ignored without a word. An empty document (a trailing
// "---", or one holding only comments) ignores nothing and passes.
func (l *loader) extraDocuments(data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first, next yaml.Node
	if dec.Decode(&first) != nil {
		return
	}
	for {
		next = yaml.Node{}
		err := dec.Decode(&next)
		if err == io.EOF {
			return
		}
		if err != nil {
			msg, line := yamlError(err)
			l.problem(line, 1, "", "a scenario is one YAML document: remove the \"---\" and what follows, or move it to a file of its own",
				"a second YAML document follows, and it does not parse: %s", msg)
			return
		}
		if len(next.Content) > 0 && !isNull(next.Content[0]) {
			l.problem(next.Line, next.Column, "", "a scenario is one YAML document: remove the \"---\" and what follows, or move it to a file of its own",
				"a second YAML document starts here; only one is read, so its content would be ignored")
			return
		}
	}
}

// checkTags refuses YAML tags the loader would otherwise drop: a node's
// value is read as written, so "!secret 5" or "!!binary aGk=" would be
// taken for the plain text after the tag. The core schema's own tags
// (!!str, !!int ...) only restate how a value is read and pass.
func (l *loader) checkTags(n *yaml.Node) {
	if n == nil || n.Kind == yaml.AliasNode {
		return
	}
	if n.Style&yaml.TaggedStyle != 0 && n.Kind != yaml.DocumentNode {
		switch n.Tag {
		case "!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
		default:
			l.errorf(n, "", "remove the tag: a scenario's values are plain YAML", "YAML tag %s is not supported: the value would be read without it", n.Tag)
		}
	}
	for _, c := range n.Content {
		l.checkTags(c)
	}
}

// parseNode loads an already decoded document: Parse's work after YAML
// syntax, so callers that edit the node tree (variants, sweeps) keep the
// positions of everything they did not touch.
func (l *loader) parseNode(doc *yaml.Node) {
	l.checkTags(doc)
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			l.problem(1, 1, "", "", "empty scenario: expected a map with workloads: and services:")
			return
		}
		root = root.Content[0]
	}
	if isNull(root) {
		l.problem(1, 1, "", "", "empty scenario: expected a map with workloads: and services:")
		return
	}
	fields, ok := l.mapping(root, "", "a map with workloads: and services:", topKeys)
	if !ok {
		return
	}
	byKey := make(map[string]field, len(fields))
	for _, f := range fields {
		byKey[f.key.Value] = f
	}
	get := func(k string) (field, bool) { f, ok := byKey[k]; return f, ok }

	sc := l.sc
	if f, ok := get("name"); ok {
		if s, ok := l.scalar(f.val, "name", "a name"); ok {
			sc.Name = s
		}
	}
	if f, ok := get("description"); ok {
		if s, ok := l.scalar(f.val, "description", "one line of text"); ok {
			sc.Description = strings.TrimSpace(s)
		}
	}
	if f, ok := get("seed"); ok {
		if s, ok := l.scalar(f.val, "seed", "a whole number"); ok {
			v, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 10, 64)
			if err != nil {
				l.errorf(f.val, "seed", rangeIndex["top.seed"].rangeHint(), "expected a whole number >= 0, got %q", s)
			} else {
				sc.Seed = v
			}
		}
	}
	durOK, warmOK := true, true
	if f, ok := get("duration"); ok {
		sc.Duration, durOK = l.duration(f.val, "duration")
		if durOK && !rangeIndex["top.duration"].Contains(sc.Duration.Seconds()) {
			l.errorf(f.val, "duration", "leave duration out to run until every workload's requests: are sent", "must be > 0, got %s", deref(f.val).Value)
			durOK = false
		}
	}
	if f, ok := get("warmup"); ok {
		sc.Warmup, warmOK = l.duration(f.val, "warmup")
		if warmOK && !rangeIndex["top.warmup"].Contains(sc.Warmup.Seconds()) {
			l.errorf(f.val, "warmup", "", "must be >= 0, got %s", deref(f.val).Value)
			warmOK = false
		}
		if df, ok := get("duration"); ok && warmOK && durOK && sc.Warmup >= sc.Duration {
			l.errorf(f.val, "warmup", "", "must be shorter than duration (%s), got %s", deref(df.val).Value, deref(f.val).Value)
		}
	}

	if f, ok := get("zones"); ok {
		l.decodeZones(f.key, f.val)
	}
	// Services first: workloads, calls and links refer to them.
	if f, ok := get("services"); ok {
		l.decodeServices(f.val)
	} else if !misspelt(root, topKeys, "services") {
		l.errorf(root, "services", "at least one service is required", "missing services:")
	}
	if f, ok := get("workloads"); ok {
		l.decodeWorkloads(f.val)
	} else if !misspelt(root, topKeys, "workloads") {
		l.errorf(root, "workloads", "at least one workload is required", "missing workloads:")
	}
	if f, ok := get("links"); ok {
		l.decodeLinks(f.val)
	}
	if f, ok := get("faults"); ok {
		l.decodeFaults(f.val)
	}
	if f, ok := get("slos"); ok {
		l.decodeSLOs(f.val)
	}
	if f, ok := get("expect"); ok {
		l.decodeExpect(f.val)
	}
	if f, ok := get("lesson"); ok {
		l.decodeLesson(f.val, deref(root))
	}
	l.checkRefs()
	l.checkCacheSteps()
	l.checkDatabases()
	l.checkPublishes()
	l.checkLinks()
	l.checkZones()
	l.checkCycles()
	l.checkFaults()
	l.checkWhen()
	l.checkSLOs()
	l.checkExpect()
	l.checkLesson()
	l.checkRates()

	// Duration 0 means "until every workload has sent its requests", which
	// only ends if every workload has a limit.
	if _, ok := get("duration"); !ok && !misspelt(root, topKeys, "duration") {
		for _, w := range l.workloads {
			if w.spec.Limit == 0 {
				l.errorf(root, "duration", "add e.g. duration: 10m, or give every workload a requests: limit", "missing: workload %q has no requests: limit, so without a duration the run would never end", w.spec.Name)
				break
			}
		}
	}
}

// defaultName is the scenario name when the file has no name: key: the file
// name without directory and extension ("builtin:shop" gives "shop").
func defaultName(file string) string {
	file = strings.TrimPrefix(file, "builtin:")
	base := filepath.Base(file)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

package scenarios

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// An override sets one field of a scenario file: a path into its YAML tree
// and a YAML value. Variants (the variants: section), `cascade sweep --set`
// and `cascade report --set` all edit the decoded node tree this way and load
// the result with ParseNode, so every problem still points at a line of the
// file and every field the override did not touch keeps its position.
//
// A path is keys separated by dots, with list items as [N] or as a numeric
// key: services.api.ops.get[1].timeout, services.api.ops.get.1.timeout,
// workloads.browse.rate, faults[0].at, seed. Every key but the last must
// exist; the last may be new (adding retry: to a call), and a null value
// removes it (a key from its map, an item from its list).

// Override is one field to set.
type Override struct {
	Path  string
	Value *yaml.Node // nil or a YAML null: remove the field
	// Origin says where the override was written, for messages: a file
	// position (a variant) or the flag ("--set workers=8").
	Origin    string
	File      string
	Line, Col int
}

// ParseSet reads a --set argument, PATH=VALUE, where VALUE is YAML (8,
// 250ms, resilience4j, null, "{ attempts: 3 }").
func ParseSet(arg string) (Override, error) {
	path, val, ok := strings.Cut(arg, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return Override{}, fmt.Errorf("%q: want PATH=VALUE, e.g. services.api.workers=8", arg)
	}
	if _, err := parsePath(path); err != nil {
		return Override{}, fmt.Errorf("%q: %v", arg, err)
	}
	if strings.TrimSpace(val) == "" {
		// An empty value would parse as null and delete the field: make
		// the user say so.
		return Override{}, fmt.Errorf("%q: no value after '='; to remove the field write %s=null", arg, path)
	}
	n, err := ValueNode(val)
	if err != nil {
		return Override{}, fmt.Errorf("%q: value: %v", arg, err)
	}
	return Override{Path: path, Value: n, Origin: "--set " + arg}, nil
}

// ValueNode parses YAML text into the node an override sets.
func ValueNode(text string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return doc.Content[0], nil
}

// pathStep is one step of a path: a key, or a list index.
type pathStep struct {
	key   string
	index int // -1 for a key
}

func (p pathStep) String() string {
	if p.index >= 0 {
		return "[" + strconv.Itoa(p.index) + "]"
	}
	return p.key
}

// parsePath splits a path into its steps.
func parsePath(path string) ([]pathStep, error) {
	var out []pathStep
	if path == "" {
		return nil, errors.New("empty path")
	}
	for _, seg := range strings.Split(path, ".") {
		key := seg
		var idx []string
		if i := strings.IndexByte(seg, '['); i >= 0 {
			key = seg[:i]
			rest := seg[i:]
			for rest != "" {
				if rest[0] != '[' {
					return nil, fmt.Errorf("path %q: unexpected %q after ]", path, rest)
				}
				j := strings.IndexByte(rest, ']')
				if j < 0 {
					return nil, fmt.Errorf("path %q: missing ]", path)
				}
				idx = append(idx, rest[1:j])
				rest = rest[j+1:]
			}
		}
		if key == "" && (len(idx) == 0 || len(out) == 0) {
			return nil, fmt.Errorf("path %q: empty key", path)
		}
		if key != "" {
			out = append(out, pathStep{key: key, index: -1})
		}
		for _, s := range idx {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: list index %q is not a whole number >= 0", path, s)
			}
			out = append(out, pathStep{index: n})
		}
	}
	return out, nil
}

// pathString prints steps as a path: keys with dots, indices in brackets.
func pathString(steps []pathStep) string {
	var b strings.Builder
	for i, s := range steps {
		if s.index < 0 && i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// overrideError is a path that does not fit the tree.
type overrideError struct {
	msg, hint string
}

func (e *overrideError) Error() string {
	if e.hint == "" {
		return e.msg
	}
	return e.msg + " (" + e.hint + ")"
}

// applyOverride sets one path of the document root (a mapping) to value,
// or removes it when value is null. Nodes of value get the position of the
// node they replace when they have none (a --set value), so load problems
// still point somewhere useful.
func applyOverride(root *yaml.Node, path string, value *yaml.Node) error {
	steps, err := parsePath(path)
	if err != nil {
		return &overrideError{msg: err.Error()}
	}
	remove := isNull(value)
	cur := root
	for i, st := range steps {
		last := i == len(steps)-1
		at := pathString(steps[:i])
		cur = deref(cur)
		if cur == nil {
			return &overrideError{msg: fmt.Sprintf("%s: unresolvable alias", at)}
		}
		// A numeric key on a list is an index, so paths need no brackets
		// (brackets cannot appear unquoted in a YAML flow map).
		if st.index < 0 && cur.Kind == yaml.SequenceNode {
			if n, err := strconv.Atoi(st.key); err == nil && n >= 0 {
				st = pathStep{index: n}
				steps[i] = st
			}
		}
		switch {
		case st.index < 0 && cur.Kind == yaml.MappingNode:
			j := -1
			var keys []string
			for k := 0; k+1 < len(cur.Content); k += 2 {
				keys = append(keys, cur.Content[k].Value)
				if cur.Content[k].Value == st.key {
					j = k
				}
			}
			if !last {
				if j < 0 {
					return &overrideError{msg: fmt.Sprintf("%s: no field %q", joinPath(at, st.key), st.key), hint: hintFor(st.key, keys, fieldsLabel(at))}
				}
				cur = cur.Content[j+1]
				continue
			}
			switch {
			case remove && j < 0:
				return &overrideError{msg: fmt.Sprintf("%s: no field %q to remove", joinPath(at, st.key), st.key), hint: hintFor(st.key, keys, fieldsLabel(at))}
			case remove:
				cur.Content = append(cur.Content[:j], cur.Content[j+2:]...)
			case j >= 0:
				place(value, cur.Content[j+1])
				cur.Content[j+1] = value
			default:
				key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: st.key}
				place(key, cur)
				place(value, cur)
				cur.Content = append(cur.Content, key, value)
			}
		case st.index >= 0 && cur.Kind == yaml.SequenceNode:
			if st.index >= len(cur.Content) {
				return &overrideError{msg: fmt.Sprintf("%s: no item %d: the list has %d", joinPath(at, st.String()), st.index, len(cur.Content)),
					hint: "items are counted from 0"}
			}
			if !last {
				cur = cur.Content[st.index]
				continue
			}
			if remove {
				cur.Content = append(cur.Content[:st.index], cur.Content[st.index+1:]...)
			} else {
				place(value, cur.Content[st.index])
				cur.Content[st.index] = value
			}
		case st.index >= 0:
			return &overrideError{msg: fmt.Sprintf("%s: is %s, not a list, so it has no item %d", orTop(at), kindName(cur), st.index)}
		default:
			what := kindName(cur)
			if cur.Kind == yaml.SequenceNode {
				what = fmt.Sprintf("a list of %d", len(cur.Content))
			}
			return &overrideError{msg: fmt.Sprintf("%s: is %s, not a map, so it has no field %q", orTop(at), what, st.key),
				hint: listHint(cur)}
		}
	}
	return nil
}

func joinPath(at, key string) string {
	if at == "" {
		return key
	}
	if strings.HasPrefix(key, "[") {
		return at + key
	}
	return at + "." + key
}

func orTop(at string) string {
	if at == "" {
		return "the document"
	}
	return at
}

func fieldsLabel(at string) string {
	if at == "" {
		return "top-level fields"
	}
	return "fields of " + at
}

func listHint(n *yaml.Node) string {
	if n.Kind == yaml.SequenceNode {
		return "select an item with [N], counted from 0"
	}
	return ""
}

// place gives every node of v that has no position the position of ref,
// so problems in a value typed on the command line point at the field it
// replaced.
func place(v, ref *yaml.Node) {
	if v == nil || ref == nil {
		return
	}
	if v.Line == 0 {
		v.Line, v.Column = ref.Line, ref.Column
	}
	for _, c := range v.Content {
		place(c, ref)
	}
}

// cloneNode deep-copies a YAML tree, aliases included (an alias in the
// copy points at the copy of its anchor).
func cloneNode(n *yaml.Node) *yaml.Node {
	seen := map[*yaml.Node]*yaml.Node{}
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n == nil {
			return nil
		}
		if c, ok := seen[n]; ok {
			return c
		}
		c := new(yaml.Node)
		*c = *n
		seen[n] = c
		if n.Content != nil {
			c.Content = make([]*yaml.Node, len(n.Content))
			for i, ch := range n.Content {
				c.Content[i] = walk(ch)
			}
		}
		c.Alias = walk(n.Alias)
		return c
	}
	return walk(n)
}

// stripPositions zeroes the positions of a value parsed from a flag, so
// place can give it the position of what it replaces.
func stripPositions(n *yaml.Node) {
	if n == nil {
		return
	}
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		stripPositions(c)
	}
}

// Override loads s again with the overrides applied, in order, to its
// file's node tree. A path that does not fit the file is a Problem at the
// override's origin (the variant line) with a did-you-mean hint, or for a
// flag an error naming the flag; a value the loader rejects is a Problem at the field, saying which
// override set it. The result keeps s's Source and Data (so its hash is the
// file's). Overrides apply to the file's bytes, s.Data, not to overrides
// applied before: to change a variant further, pass its Overrides and the
// new ones together.
func (s *Scenario) Override(ovs []Override) (*Scenario, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.Data, &doc); err != nil {
		return nil, err
	}
	var probs Problems
	var flagErrs []string
	for _, o := range ovs {
		v := o.Value
		if v != nil && o.File == "" {
			v = cloneNode(v)
			stripPositions(v)
		}
		root := &doc
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = root.Content[0]
		}
		if err := applyOverride(root, o.Path, v); err != nil {
			p := Problem{File: o.File, Line: o.Line, Col: o.Col, Path: o.Path}
			var oe *overrideError
			if errors.As(err, &oe) {
				p.Msg, p.Hint = oe.msg, oe.hint
			} else {
				p.Msg = err.Error()
			}
			if p.File == "" {
				// A flag has no position in the file: say which flag.
				flagErrs = append(flagErrs, o.Origin+": "+(&overrideError{msg: p.Msg, hint: p.Hint}).Error())
				continue
			}
			probs = append(probs, p)
		}
	}
	if len(flagErrs) > 0 {
		return nil, errors.New(strings.Join(flagErrs, "\n"))
	}
	if len(probs) > 0 {
		return nil, probs
	}
	out, err := ParseNode(s.Source, &doc, s.Data)
	var lp Problems
	if errors.As(err, &lp) {
		for i := range lp {
			for _, o := range ovs {
				if o.Origin != "" && (lp[i].Path == o.Path || strings.HasPrefix(lp[i].Path, o.Path+".") || strings.HasPrefix(lp[i].Path, o.Path+"[")) {
					lp[i].Hint = strings.TrimPrefix(lp[i].Hint+"; set by "+o.Origin, "; ")
					break
				}
			}
		}
		return nil, lp
	}
	return out, err
}

// ValueText is the override's value as one line of YAML ("null" when it
// removes the field), for reports and sweep tables.
func (o Override) ValueText() string {
	if isNull(o.Value) {
		return "null"
	}
	n := cloneNode(o.Value)
	var flow func(n *yaml.Node)
	flow = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			n.Style = yaml.FlowStyle
		}
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		for _, c := range n.Content {
			flow(c)
		}
	}
	flow(n)
	b, err := yaml.Marshal(n)
	if err != nil {
		return n.Value
	}
	return strings.TrimSpace(string(b))
}

// Field is the text of the scalar at path in s's file ("200/s", "8"), and
// whether there is one. Sweeps use it to give a bare number the unit the
// file writes the field in.
func (s *Scenario) Field(path string) (string, bool) {
	var doc yaml.Node
	if yaml.Unmarshal(s.Data, &doc) != nil || len(doc.Content) == 0 {
		return "", false
	}
	steps, err := parsePath(path)
	if err != nil {
		return "", false
	}
	cur := doc.Content[0]
	for _, st := range steps {
		cur = deref(cur)
		if cur == nil {
			return "", false
		}
		if st.index < 0 && cur.Kind == yaml.SequenceNode {
			if n, err := strconv.Atoi(st.key); err == nil {
				st = pathStep{index: n}
			}
		}
		switch {
		case st.index < 0 && cur.Kind == yaml.MappingNode:
			var next *yaml.Node
			for k := 0; k+1 < len(cur.Content); k += 2 {
				if cur.Content[k].Value == st.key {
					next = cur.Content[k+1]
				}
			}
			if next == nil {
				return "", false
			}
			cur = next
		case st.index >= 0 && cur.Kind == yaml.SequenceNode && st.index < len(cur.Content):
			cur = cur.Content[st.index]
		default:
			return "", false
		}
	}
	cur = deref(cur)
	if cur == nil || cur.Kind != yaml.ScalarNode {
		return "", false
	}
	return cur.Value, true
}

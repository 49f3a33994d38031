package scenarios

import (
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/scenarios/units"
	"cascade/sim/dist"
)

// dist reads a distribution: the compact form "lognormal(p50=4ms, p99=40ms)"
// or the map form {dist: lognormal, p50: 4ms, p99: 40ms}. The map form is
// rewritten to the compact form so there is one parser, and the units
// package's error offsets are mapped back to the map's values.
func (l *loader) dist(n *yaml.Node, path string) (dist.Dist, bool) {
	n = deref(n)
	if n != nil && n.Kind == yaml.MappingNode {
		return l.distMap(n, path)
	}
	s, ok := l.scalar(n, path, "a distribution such as exp(5ms) or {dist: exp, mean: 5ms}")
	if !ok {
		return nil, false
	}
	d, err := units.ParseDist(s)
	if err != nil {
		l.unitsProblem(n, path, err)
		return nil, false
	}
	return d, true
}

// distSegment is where a YAML value landed in the compact string.
type distSegment struct {
	start int
	node  *yaml.Node
}

func (l *loader) distMap(n *yaml.Node, path string) (dist.Dist, bool) {
	fields, ok := l.mapping(n, path, "a distribution", nil)
	if !ok {
		return nil, false
	}
	var name *yaml.Node
	var params []field
	for _, f := range fields {
		if f.key.Value == "dist" {
			name = f.val
		} else {
			params = append(params, f)
		}
	}
	if name == nil {
		l.errorf(n, path, "the distribution's name, e.g. {dist: exp, mean: 5ms}, or write exp(5ms)", "missing dist:")
		return nil, false
	}
	var b strings.Builder
	var segs []distSegment
	text, ok := l.scalar(name, join(path, "dist"), "a distribution name such as exp")
	if !ok {
		return nil, false
	}
	segs = append(segs, distSegment{0, deref(name)})
	b.WriteString(text)
	b.WriteByte('(')
	for i, p := range params {
		if i > 0 {
			b.WriteString(", ")
		}
		v, vok := l.scalar(p.val, join(path, p.key.Value), "a value")
		if !vok {
			return nil, false
		}
		segs = append(segs, distSegment{b.Len(), p.key})
		b.WriteString(p.key.Value)
		b.WriteByte('=')
		segs = append(segs, distSegment{b.Len(), deref(p.val)})
		b.WriteString(v)
	}
	b.WriteByte(')')
	d, err := units.ParseDist(b.String())
	if err != nil {
		var ue *units.Error
		if !errors.As(err, &ue) {
			l.errorf(n, path, "", "%v", err)
			return nil, false
		}
		// The segment that starts at or before the offset, if the offset
		// falls inside its text; otherwise the map as a whole.
		at, off := n, 0
		for _, s := range segs {
			if ue.Offset >= s.start && ue.Offset <= s.start+len(s.node.Value) {
				at, off = s.node, ue.Offset-s.start
			}
		}
		line, col := at.Line, at.Column
		if at != n {
			col = scalarCol(at, off)
		}
		l.problem(line, col, path, ue.Hint, "%s", ue.Msg)
		return nil, false
	}
	return d, true
}

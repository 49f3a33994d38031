package scenarios

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// callRef is a reference to "service.op" written at node: the target of a
// workload (from == "") or of a call step in operation from.fromOp. They are
// checked after every service is known, so a file may call services it
// defines further down.
type callRef struct {
	node       *yaml.Node
	path       string
	svc, op    string // as written; op "" means the first operation
	from       string // calling service, "" for a workload
	fromOp     string
	valid      bool   // set by checkRefs
	resolvedOp string // the operation op names, "" resolved to the first
}

// addRef splits target into service and operation and remembers it for
// checkRefs. A target with no dot means the service's first operation.
func (l *loader) addRef(n *yaml.Node, path, target, from, fromOp string) (svc, op string) {
	svc, op, _ = strings.Cut(strings.TrimSpace(target), ".")
	l.refs = append(l.refs, callRef{node: n, path: path, svc: svc, op: op, from: from, fromOp: fromOp})
	return svc, op
}

// checkRefs reports references to services or operations that do not exist,
// pointing at the part of "service.op" that is wrong.
func (l *loader) checkRefs() {
	names := make([]string, len(l.services))
	for i, s := range l.services {
		names[i] = s.spec.Name
	}
	for i := range l.refs {
		r := &l.refs[i]
		n := r.node
		if r.svc == "" {
			l.errorf(n, r.path, `write "service.op" or "service"`, "missing service name")
			continue
		}
		s, ok := l.svcByName[r.svc]
		if !ok {
			l.problem(n.Line, scalarCol(n, strings.Index(n.Value, r.svc)), r.path, hintFor(r.svc, names, "known"), "unknown service %q", r.svc)
			continue
		}
		switch {
		case r.op == "" && strings.Contains(n.Value, "."):
			l.problem(n.Line, scalarCol(n, strings.Index(n.Value, ".")+1), r.path, hintFor("", s.ops, s.spec.Name+" has"), "missing operation name after %q", r.svc+".")
			continue
		case r.op == "":
			if len(s.ops) == 0 {
				continue // the service itself is reported as having no operations
			}
			r.resolvedOp = s.ops[0]
		case !contains(s.ops, r.op):
			off := strings.Index(n.Value, ".") + 1
			hint := hintFor(r.op, s.ops, s.spec.Name+" has")
			switch {
			case len(s.ops) == 0:
				hint = ""
			case len(s.ops) == 1 && s.ops[0] == shorthandOp:
				hint = fmt.Sprintf("%s has service_time:, which makes one operation named %q; call it as %q", r.svc, shorthandOp, r.svc)
			}
			l.problem(n.Line, scalarCol(n, off), r.path, hint, "service %q has no operation %q", r.svc, r.op)
			continue
		default:
			r.resolvedOp = r.op
		}
		r.valid = true
	}
}

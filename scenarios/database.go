package scenarios

import (
	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/sim"
)

var databaseKeys = []string{"replicas", "writes", "replication", "delay", "apply_time", "read_from", "max_staleness", "promotion", "optimistic"}

// decodeDatabase reads services.NAME.database: a primary with replicas.
func (l *loader) decodeDatabase(s *serviceInfo, n *yaml.Node, path string) {
	fields, ok := l.mapping(n, path, "database settings such as {replicas: 2, writes: [write]}", databaseKeys)
	if !ok {
		return
	}
	d := &models.DatabaseSpec{Promotion: 30 * sim.Second}
	replicas := 0
	var writesNode *yaml.Node
	for _, f := range fields {
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "replicas":
			v, _ := l.intField(f.val, k, "database.replicas")
			replicas = int(v)
		case "writes":
			writesNode = f.val
			items, iok := l.sequence(f.val, k, "the operations that are writes, e.g. [write]")
			if !iok {
				continue
			}
			for i, it := range items {
				if name, nok := l.scalar(it, index(k, i), "an operation name"); nok {
					d.Writes = append(d.Writes, name)
					l.dbWrites = append(l.dbWrites, dbWrite{node: deref(it), path: index(k, i), svc: s, op: name})
				}
			}
		case "replication":
			if i, eok := l.enum(f.val, k, []string{"async", "semi_sync", "sync"}); eok {
				d.Replication = models.Replication(i)
			}
		case "delay":
			d.Delay, _ = l.dist(f.val, k)
		case "apply_time":
			d.ApplyTime, _ = l.dist(f.val, k)
		case "read_from":
			if i, eok := l.enum(f.val, k, []string{"primary", "replicas", "bounded", "read_your_writes"}); eok {
				d.ReadFrom = models.ReadRouting(i)
			}
		case "max_staleness":
			d.MaxStaleness, _ = l.durationField(f.val, k, "database.max_staleness")
		case "promotion":
			d.Promotion, _ = l.durationField(f.val, k, "database.promotion")
		case "optimistic":
			d.Optimistic, _ = l.boolean(f.val, k)
		}
	}
	if writesNode == nil {
		l.errorf(n, path, "e.g. writes: [write]: every other operation is a read", "missing writes:")
	}
	if d.ReadFrom == models.ReadBounded && d.MaxStaleness == 0 {
		l.errorf(n, path, "e.g. max_staleness: 1s", "read_from: bounded needs max_staleness:")
	}
	s.spec.Database = d
	s.dbReplicas = replicas
}

// dbWrite is a database's write operation name, checked against its ops.
type dbWrite struct {
	node *yaml.Node
	path string
	svc  *serviceInfo
	op   string
}

// checkDatabases checks that writes: name operations that exist.
func (l *loader) checkDatabases() {
	for _, w := range l.dbWrites {
		var ops []string
		for _, o := range w.svc.spec.Ops {
			ops = append(ops, o.Name)
		}
		if !contains(ops, w.op) {
			l.errorf(w.node, w.path, hintFor(w.op, ops, w.svc.spec.Name+" has"), "no operation %q", w.op)
		}
	}
}

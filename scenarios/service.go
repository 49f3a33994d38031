package scenarios

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"cascade/models"
)

// serviceInfo is a decoded service plus where it and its operations were
// written, for references and call-cycle reports.
type serviceInfo struct {
	key        *yaml.Node
	spec       models.ServiceSpec
	ops        []string   // operation names in document order
	dbReplicas int        // database: replicas beside the primary
	instAt     *yaml.Node // instances:, where the size limit points
}

var serviceKeys = append([]string{"instances", "workers", "queue", "discipline", "balancer", "choices", "refresh", "service_time", "ops", "cache", "database", "topic", "autoscale", "zones", "zone_aware"}, admissionKeys...)

var (
	disciplineNames = []string{"fifo", "lifo"}
	balancerNames   = []string{"round_robin", "random", "least_request", "p2c", "jsq"}
)

// shorthandOp is the name of the single operation service_time: declares.
const shorthandOp = "default"

func (l *loader) decodeServices(n *yaml.Node) {
	fields, ok := l.mapping(n, "services", "a map of service name to service", nil)
	if !ok {
		return
	}
	if len(fields) == 0 {
		l.errorf(n, "services", "", "at least one service is required")
	}
	l.svcByName = make(map[string]*serviceInfo, len(fields))
	// Names and operation names first, so calls can refer to services
	// defined further down the file.
	infos := make([]*serviceInfo, len(fields))
	for i, f := range fields {
		path := join("services", f.key.Value)
		l.checkName(f.key, path, "service")
		s := &serviceInfo{key: f.key, spec: models.ServiceSpec{
			Name: f.key.Value, Instances: 1, Workers: 1, Queue: models.Unbounded,
		}}
		s.ops = l.opNames(f.val)
		infos[i] = s
		l.services = append(l.services, s)
		l.svcByName[s.spec.Name] = s
	}
	for i, f := range fields {
		l.decodeService(infos[i], f.val, join("services", f.key.Value))
	}
}

// opNames lists the operations a service declares without reporting
// anything: decodeService reports problems on the same nodes later.
func (l *loader) opNames(n *yaml.Node) []string {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var names []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		switch k.Value {
		case "cache":
			names = append(names, cacheOpNames...)
		case "topic":
			names = append(names, "publish")
		case "service_time":
			names = append(names, shorthandOp)
		case "ops":
			v = deref(v)
			if v == nil || v.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				if ok := deref(v.Content[j]); ok != nil && ok.Kind == yaml.ScalarNode && !contains(names, ok.Value) {
					names = append(names, ok.Value)
				}
			}
		}
	}
	return names
}

func (l *loader) decodeService(s *serviceInfo, n *yaml.Node, path string) {
	fields, ok := l.mapping(n, path, "a service (a map with ops: or service_time:)", serviceKeys)
	if !ok {
		return
	}
	spec := &s.spec
	var stKey, stVal, opsKey, opsVal, cacheKey *yaml.Node
	var dbKey, asKey, asVal, choicesKey, refreshKey *yaml.Node
	for _, f := range fields {
		switch f.key.Value {
		case "autoscale":
			asKey, asVal = f.key, f.val
		case "cache":
			cacheKey = f.key
			l.decodeCache(s, f.val, join(path, "cache"))
		case "database":
			dbKey = f.key
			l.decodeDatabase(s, f.val, join(path, "database"))
		case "topic":
			cacheKey = f.key // like a cache: no ops of its own
			l.decodeQueue(s, f.val, join(path, "topic"))
		}
	}
	if cacheKey != nil && dbKey != nil {
		l.errorf(dbKey, join(path, "database"), "model them as two services", "a service is a cache or a database, not both")
	}
	defer func() {
		if dbKey == nil {
			return
		}
		for _, f := range fields {
			if f.key.Value == "instances" {
				l.errorf(f.key, join(path, "instances"), "a database has a primary and replicas: set database.replicas", "instances: does not apply to a database")
			}
		}
		spec.Instances = 1 + s.dbReplicas
	}()
	defer func() {
		if asVal != nil {
			l.decodeAutoscale(s, asKey, asVal, path, fields) // after instances:, which it replaces
		}
	}()
	for _, f := range fields {
		p := join(path, f.key.Value)
		switch f.key.Value {
		case "instances":
			if v, ok := l.intField(f.val, p, "service.instances"); ok {
				spec.Instances = int(v)
				s.instAt = deref(f.val)
			}
		case "workers":
			if v := deref(f.val); v != nil && v.Kind == yaml.ScalarNode && v.Value == "unlimited" {
				spec.Workers = 0
			} else if v, ok := l.intOrWord(f.val, p, "unlimited", "service.workers"); ok {
				spec.Workers = int(v)
			}
		case "queue":
			if v := deref(f.val); v != nil && v.Kind == yaml.ScalarNode && v.Value == "unbounded" {
				spec.Queue = models.Unbounded
			} else if v, ok := l.intOrWord(f.val, p, "unbounded", "service.queue"); ok {
				spec.Queue = int(v)
			}
		case "discipline":
			if i, ok := l.enum(f.val, p, disciplineNames); ok {
				spec.Discipline = models.Discipline(i)
			}
		case "balancer":
			if i, ok := l.enum(f.val, p, balancerNames); ok {
				spec.Balancer = models.Balancer(i)
			}
		case "choices":
			if v, ok := l.intField(f.val, p, "service.choices"); ok {
				spec.Choices = int(v)
			}
			choicesKey = f.key
		case "refresh":
			if v, ok := l.durationField(f.val, p, "service.refresh"); ok {
				spec.Refresh = v
			}
			refreshKey = f.key
		case "zones":
			if z := l.decodeServiceZones(s, f.val, p); z != nil {
				l.svcZones = append(l.svcZones, z)
			}
		case "zone_aware":
			if v, ok := l.boolean(f.val, p); ok {
				spec.ZoneAware = v
				l.zoneAware = append(l.zoneAware, &svcZones{svc: spec.Name, aware: f.key})
			}
		case "service_time":
			stKey, stVal = f.key, f.val
		case "ops":
			opsKey, opsVal = f.key, f.val
		}
	}
	if choicesKey != nil && spec.Balancer != models.P2C {
		l.errorf(choicesKey, join(path, "choices"), "set balancer: p2c (choices: 3 is the power of three choices)", "choices: applies only to balancer: p2c, not %s", spec.Balancer)
	}
	if refreshKey != nil && spec.Balancer != models.P2C && spec.Balancer != models.LeastRequest && spec.Balancer != models.JSQ {
		l.errorf(refreshKey, join(path, "refresh"), "use balancer: least_request, p2c or jsq", "refresh: applies only to balancers that read load, not %s", spec.Balancer)
	}
	l.decodeAdmission(fields, path, &spec.Admission)
	if cacheKey != nil {
		for _, k := range []*yaml.Node{stKey, opsKey} {
			if k != nil {
				what, ops := "cache", "get, set, write and delete"
				if s.spec.Topic != nil {
					what, ops = "topic", "publish"
				}
				l.errorf(k, join(path, k.Value), "a "+what+"'s operations are "+ops, "a %s has no %s:", what, k.Value)
			}
		}
		return
	}
	switch {
	case stKey != nil && opsKey != nil:
		l.errorf(stKey, join(path, "service_time"), "put a work: step in each operation instead", "service_time is shorthand for a single operation and cannot be combined with ops:")
		l.dist(stVal, join(path, "service_time"))
		l.decodeOps(s, opsVal, join(path, "ops")) // for the problems inside
	case stKey != nil:
		op := models.OpSpec{Name: shorthandOp}
		if d, ok := l.dist(stVal, join(path, "service_time")); ok {
			op.Steps = []models.Step{{Kind: models.Work, Work: d}}
		}
		spec.Ops = append(spec.Ops, op)
	case opsKey != nil:
		l.decodeOps(s, opsVal, join(path, "ops"))
	default:
		l.errorf(s.key, path, "for example service_time: exp(5ms)", "a service needs ops: or service_time:")
	}
}

// intOrWord reads a whole number >= 0, saying in the error that word is the
// alternative.
func (l *loader) intOrWord(n *yaml.Node, path, word, name string) (int64, bool) {
	v := deref(n)
	if v != nil && v.Kind == yaml.ScalarNode && !isNull(v) {
		if _, ok := parseInt(v.Value); !ok {
			hint := didYouMean(v.Value, []string{word})
			if v.Value == "unlimited" || v.Value == "unbounded" {
				hint = fmt.Sprintf("workers are unlimited, queues unbounded: write %q", word)
			}
			l.errorf(v, path, hint, "expected a whole number or %q, got %q", word, v.Value)
			return 0, false
		}
	}
	return l.intField(n, path, name)
}

func (l *loader) decodeOps(s *serviceInfo, n *yaml.Node, path string) {
	fields, ok := l.mapping(n, path, "a map of operation name to a list of steps", nil)
	if !ok {
		return
	}
	if len(fields) == 0 {
		l.errorf(n, path, "", "at least one operation is required")
	}
	for _, f := range fields {
		p := join(path, f.key.Value)
		l.checkName(f.key, p, "operation")
		op := models.OpSpec{Name: f.key.Value}
		items, ok := l.sequence(f.val, p, "a list of steps")
		if ok && len(items) == 0 {
			l.errorf(f.key, p, "for example [ work: 5ms ]", "an operation needs at least one step")
		}
		op.Steps = l.decodeSteps(items, p, s.spec.Name, op.Name, 0)
		s.spec.Ops = append(s.spec.Ops, op)
	}
}

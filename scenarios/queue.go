package scenarios

import (
	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/sim"
)

var queueKeys = []string{"partitions", "visibility_timeout", "max_deliveries", "publish_time", "outbox_poll", "outbox_batch", "consumers"}

var consumerKeys = []string{"to", "concurrency", "ordered", "idempotent", "timeout"}

// decodeQueue reads services.NAME.topic: a message queue (a topic with
// partitions) and its consumer groups. (queue: is a service's waiting room.)
func (l *loader) decodeQueue(s *serviceInfo, n *yaml.Node, path string) {
	fields, ok := l.mapping(n, path, "topic settings such as {partitions: 4, consumers: {billing: {to: billing.handle}}}", queueKeys)
	if !ok {
		return
	}
	// SQS-like defaults: a 30 s visibility timeout, no redelivery limit;
	// the outbox relay polls every 100 ms, 100 events at a time.
	q := &models.QueueSpec{Partitions: 1, Visibility: 30 * sim.Second, OutboxPoll: 100 * sim.Millisecond, OutboxBatch: 100}
	for _, f := range fields {
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "partitions":
			v, _ := l.intField(f.val, k, "queue.partitions")
			q.Partitions = int(v)
		case "visibility_timeout":
			q.Visibility, _ = l.durationField(f.val, k, "queue.visibility_timeout")
		case "max_deliveries":
			v, _ := l.intField(f.val, k, "queue.max_deliveries")
			q.MaxDeliveries = int(v)
		case "publish_time":
			q.PublishTime, _ = l.dist(f.val, k)
		case "outbox_poll":
			q.OutboxPoll, _ = l.durationField(f.val, k, "queue.outbox_poll")
		case "outbox_batch":
			v, _ := l.intField(f.val, k, "queue.outbox_batch")
			q.OutboxBatch = int(v)
		case "consumers":
			groups, gok := l.mapping(f.val, k, "a map of consumer group name to {to: service.op, concurrency: N}", nil)
			if !gok {
				continue
			}
			for _, g := range groups {
				gp := join(k, g.key.Value)
				if !l.checkName(g.key, gp, "consumer group") {
					continue
				}
				gf, gok := l.mapping(g.val, gp, "a consumer group such as {to: billing.handle, concurrency: 8}", consumerKeys)
				if !gok {
					continue
				}
				cg := models.ConsumerGroup{Name: g.key.Value, Concurrency: 1}
				hasTo := false
				for _, x := range gf {
					xk := join(gp, x.key.Value)
					switch x.key.Value {
					case "to":
						if t, tok := l.scalar(x.val, xk, `the "service.op" that handles a message`); tok {
							cg.Target, cg.Op = l.addRef(deref(x.val), xk, t, s.spec.Name, "")
							hasTo = true
						}
					case "concurrency":
						v, _ := l.intField(x.val, xk, "consumer.concurrency")
						cg.Concurrency = int(v)
					case "ordered":
						cg.Ordered, _ = l.boolean(x.val, xk)
					case "idempotent":
						cg.Idempotent, _ = l.boolean(x.val, xk)
					case "timeout":
						cg.Timeout, _ = l.durationField(x.val, xk, "consumer.timeout")
					}
				}
				if !hasTo {
					l.errorf(g.key, gp, "e.g. to: billing.handle", "missing to:")
					continue
				}
				q.Groups = append(q.Groups, cg)
			}
		}
	}
	s.spec.Topic = q
	s.spec.Workers = 0
}

// decodeSaga reads saga: a list of {do: STEP, undo: STEP}.
func (l *loader) decodeSaga(n *yaml.Node, path, svc, op string, depth int) []models.SagaStep {
	items, ok := l.sequence(n, path, "a list of actions such as {do: {call: payments.charge}, undo: {call: payments.refund}}")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		l.errorf(n, path, "", "a saga needs at least one action")
	}
	var out []models.SagaStep
	for i, it := range items {
		ip := index(path, i)
		fields, ok := l.mapping(it, ip, "an action such as {do: {call: payments.charge}, undo: {call: payments.refund}}", []string{"do", "undo"})
		if !ok {
			continue
		}
		var a models.SagaStep
		hasDo := false
		for _, f := range fields {
			st, sok := l.decodeStep(f.val, join(ip, f.key.Value), svc, op, depth+1)
			if !sok {
				continue
			}
			if f.key.Value == "do" {
				a.Do, hasDo = st, true
			} else {
				u := st
				a.Undo = &u
			}
		}
		if !hasDo {
			l.errorf(it, ip, "the step the action runs, e.g. do: {call: payments.charge}", "missing do:")
			continue
		}
		out = append(out, a)
	}
	return out
}

// checkPublishes reports publish: steps whose target is not a queue.
func (l *loader) checkPublishes() {
	var queues []string
	for _, s := range l.services {
		if s.spec.Topic != nil {
			queues = append(queues, s.spec.Name)
		}
	}
	for _, u := range l.publishes {
		s := l.svcByName[u.name]
		if s == nil || s.spec.Topic != nil {
			continue // unknown services are reported by checkRefs
		}
		l.errorf(u.node, u.path, hintFor(u.name, queues, "queues"), "%q is not a queue (give it topic: settings)", u.name)
	}
}

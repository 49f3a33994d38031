package scenarios

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
)

// cacheKeys are the settings of a cache service (services.NAME.cache).
var cacheKeys = []string{"capacity", "ttl", "ttl_jitter", "negative_ttl", "pattern", "origin", "origin_timeout",
	"writes", "write_origin", "write_back_delay", "hit_time", "single_flight", "lock_timeout", "lease",
	"stale_while_revalidate", "stale_if_error", "xfetch", "fill_after_timeout"}

// cacheOpNames are the operations every cache has.
var cacheOpNames = []string{"get", "set", "write", "delete"}

// decodeCache reads a cache service's settings.
func (l *loader) decodeCache(s *serviceInfo, n *yaml.Node, path string) {
	fields, ok := l.mapping(n, path, "cache settings such as {capacity: 10000, ttl: 60s}", cacheKeys)
	if !ok {
		return
	}
	c := &models.CacheSpec{Capacity: 10000}
	var originNode, writeNode *yaml.Node
	for _, f := range fields {
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "capacity":
			v, _ := l.intField(f.val, k, "cache.capacity")
			c.Capacity = int(v)
		case "ttl":
			c.TTL, _ = l.durationField(f.val, k, "cache.ttl")
		case "ttl_jitter":
			c.TTLJitter, _ = l.probabilityField(f.val, k, "cache.ttl_jitter")
		case "negative_ttl":
			c.NegTTL, _ = l.durationField(f.val, k, "cache.negative_ttl")
		case "pattern":
			if i, eok := l.enum(f.val, k, []string{"cache_aside", "read_through"}); eok {
				c.Pattern = models.CachePattern(i)
			}
		case "origin":
			if t, tok := l.scalar(f.val, k, `the "service.op" a miss loads from`); tok {
				c.OriginSvc, c.OriginOp = l.addRef(deref(f.val), k, t, s.spec.Name, "")
				originNode = f.key
			}
		case "origin_timeout":
			c.OriginTimeout, _ = l.durationField(f.val, k, "cache.origin_timeout")
		case "writes":
			if i, eok := l.enum(f.val, k, []string{"invalidate", "through", "back", "around"}); eok {
				c.Writes = models.WritePolicy(i)
			}
		case "write_origin":
			if t, tok := l.scalar(f.val, k, `the "service.op" writes go to`); tok {
				c.WriteSvc, c.WriteOp = l.addRef(deref(f.val), k, t, s.spec.Name, "")
				writeNode = f.key
			}
		case "write_back_delay":
			c.WriteDelay, _ = l.durationField(f.val, k, "cache.write_back_delay")
		case "hit_time":
			c.HitTime, _ = l.dist(f.val, k)
		case "single_flight":
			c.SingleFlight, _ = l.boolean(f.val, k)
		case "lock_timeout":
			c.LockTimeout, _ = l.durationField(f.val, k, "cache.lock_timeout")
		case "lease":
			c.Lease, _ = l.durationField(f.val, k, "cache.lease")
		case "stale_while_revalidate":
			c.StaleWhileRevalidate, _ = l.durationField(f.val, k, "cache.stale_while_revalidate")
		case "stale_if_error":
			c.StaleIfError, _ = l.durationField(f.val, k, "cache.stale_if_error")
		case "xfetch":
			c.XFetchBeta, _ = l.numberField(f.val, k, "cache.xfetch")
		case "fill_after_timeout":
			c.FillAfterTimeout, _ = l.boolean(f.val, k)
		}
	}
	if c.Pattern == models.ReadThrough && originNode == nil {
		l.errorf(n, path, "e.g. origin: db.read", "a read_through cache needs origin:")
	}
	if (c.StaleWhileRevalidate > 0) && originNode == nil {
		l.errorf(n, path, "the cache refreshes in the background from it, e.g. origin: db.read", "stale_while_revalidate needs origin:")
	}
	if c.Writes != models.WriteInvalidate && writeNode == nil {
		l.errorf(n, path, "e.g. write_origin: db.write", "writes: %s needs write_origin:", c.Writes)
	}
	if c.Writes == models.WriteBack && c.WriteDelay == 0 {
		c.WriteDelay = sim.Second
	}
	s.spec.Cache = c
	s.spec.Workers = 0 // a cache answers every lookup at once unless told otherwise
}

// decodeKeys reads a workload's key popularity: uniform(n=N),
// zipf(s=S, n=N) or hot(share=P, n=N).
func (l *loader) decodeKeys(n *yaml.Node, path string) (models.KeySpec, bool) {
	s, ok := l.scalar(n, path, "a key popularity such as zipf(s=1.1, n=10000)")
	if !ok {
		return models.KeySpec{}, false
	}
	hint := "uniform(n=1000), zipf(s=1.1, n=10000) or hot(share=30%, n=1000)"
	name, rest, found := strings.Cut(strings.TrimSpace(s), "(")
	if !found || !strings.HasSuffix(rest, ")") {
		l.errorf(n, path, hint, "expected a key popularity, got %q", s)
		return models.KeySpec{}, false
	}
	args := map[string]string{}
	for _, a := range strings.Split(strings.TrimSuffix(rest, ")"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(a), "=")
		if !ok {
			l.errorf(n, path, hint, "expected name=value, got %q", strings.TrimSpace(a))
			return models.KeySpec{}, false
		}
		args[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	want := map[string][]string{"uniform": {"n"}, "zipf": {"s", "n"}, "hot": {"share", "n"}}
	names := []string{"uniform", "zipf", "hot"}
	need, known := want[strings.TrimSpace(name)]
	if !known {
		l.errorf(n, path, hintFor(strings.TrimSpace(name), names, "one of"), "unknown key popularity %q", strings.TrimSpace(name))
		return models.KeySpec{}, false
	}
	for k := range args {
		if !contains(need, k) {
			l.errorf(n, path, name+" takes "+strings.Join(need, ", "), "unknown parameter %q", k)
			return models.KeySpec{}, false
		}
	}
	for _, k := range need {
		if _, has := args[k]; !has {
			l.errorf(n, path, hint, "%s needs %s=", name, k)
			return models.KeySpec{}, false
		}
	}
	spec := models.KeySpec{}
	num, err := parseNumber(args["n"])
	if err != nil || !rangeIndex["keys.n"].Contains(num) || num != float64(int(num)) {
		l.errorf(n, path, "", "n must be a whole number of keys between 1 and %d, got %q", 1<<20, args["n"])
		return models.KeySpec{}, false
	}
	spec.N = int(num)
	switch strings.TrimSpace(name) {
	case "uniform":
		spec.Kind = models.KeysUniform
	case "zipf":
		spec.Kind = models.KeysZipf
		x, err := parseNumber(args["s"])
		if err != nil || !rangeIndex["keys.s"].Contains(x) {
			l.errorf(n, path, "", "s must be a number between 0 and 10, got %q", args["s"])
			return models.KeySpec{}, false
		}
		spec.S = x
	case "hot":
		spec.Kind = models.KeysHot
		p, err := units.ParsePercent(args["share"])
		if err != nil || !rangeIndex["keys.share"].Contains(p) {
			l.errorf(n, path, "", "share must be a percentage such as 30%%, got %q", args["share"])
			return models.KeySpec{}, false
		}
		spec.Share = p
	}
	return spec, true
}

// cacheUse is a cache: step's target, checked once every service is known.
type cacheUse struct {
	node *yaml.Node
	path string
	name string
}

// checkCacheSteps reports cache: steps whose target is not a cache.
func (l *loader) checkCacheSteps() {
	var caches []string
	for _, s := range l.services {
		if s.spec.Cache != nil {
			caches = append(caches, s.spec.Name)
		}
	}
	for _, u := range l.cacheSteps {
		s := l.svcByName[u.name]
		if s == nil || s.spec.Cache != nil {
			continue // unknown services are reported by checkRefs
		}
		l.errorf(u.node, u.path, hintFor(u.name, caches, "caches"), "%q is not a cache (give it cache: settings)", u.name)
	}
}

// parseNumber reads a plain decimal number.
func parseNumber(s string) (float64, error) {
	return strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 64)
}

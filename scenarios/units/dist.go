package units

import (
	"errors"
	"strconv"
	"strings"

	"cascade/sim"
	"cascade/sim/dist"
)

// ParseDist parses the compact distribution syntax:
//
//	5ms                                   constant (a bare duration)
//	const(5ms)                            constant(value=5ms)
//	exp(5ms)                              exponential(mean=5ms)
//	uniform(1ms, 5ms)                     uniform(min=1ms, max=5ms)
//	normal(10ms, 2ms)                     normal(mean=10ms, sd=2ms), truncated at 0
//	lognormal(p50=4ms, p99=40ms)          median= for p50; or mean= and p99=; or mu= and sigma=
//	gamma(shape=2, mean=10ms)             or scale= instead of mean=
//	erlang(k=4, mean=10ms)
//	pareto(alpha=2.5, min=1ms)            or mean= instead of min=
//	weibull(shape=1.5, scale=10ms)        or mean= instead of scale=
//	empirical(p50=4ms, p90=10ms, p99=40ms, p999=100ms)   optional min=, max=
//
// Names and keys are case-insensitive and whitespace is free. Positional
// parameters are accepted where their order is beyond doubt (const, exp,
// uniform, normal); elsewhere they must be named. The result's String is in
// this syntax and parses back to the same distribution.
func ParseDist(s string) (dist.Dist, error) {
	lo, hi := trim(s, 0, len(s))
	d, err := parseDist(s, lo, hi)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// param is one parameter as written.
type param struct {
	key    string // as written, "" when positional
	keyOff int
	val    string
	valOff int
	p      float64 // the percentile, for empirical's pNN keys
}

// spec describes one distribution's parameters.
type spec struct {
	params     []string    // canonical names
	aliases    [][2]string // alias, canonical
	positional []string    // the order of positional parameters, if allowed
	example    string
}

const knownDists = "known: const, exp, uniform, normal, lognormal, gamma, erlang, pareto, weibull, empirical"

func distNames() []string {
	return []string{"const", "constant", "exp", "exponential", "uniform", "normal", "lognormal",
		"gamma", "erlang", "pareto", "weibull", "empirical"}
}

// kindOf maps a written name to its canonical name.
func kindOf(name string) (string, bool) {
	switch name {
	case "const", "constant":
		return "const", true
	case "exp", "exponential":
		return "exp", true
	case "uniform", "normal", "lognormal", "gamma", "erlang", "pareto", "weibull", "empirical":
		return name, true
	}
	return "", false
}

func specOf(kind string) spec {
	switch kind {
	case "const":
		return spec{params: []string{"value"}, positional: []string{"value"}, example: "const(5ms)"}
	case "exp":
		return spec{params: []string{"mean"}, positional: []string{"mean"}, example: "exp(5ms)"}
	case "uniform":
		return spec{params: []string{"min", "max"}, positional: []string{"min", "max"}, example: "uniform(1ms, 5ms)"}
	case "normal":
		return spec{params: []string{"mean", "sd"}, aliases: [][2]string{{"stddev", "sd"}},
			positional: []string{"mean", "sd"}, example: "normal(mean=10ms, sd=2ms)"}
	case "lognormal":
		return spec{params: []string{"mean", "p50", "p99", "mu", "sigma"}, aliases: [][2]string{{"median", "p50"}},
			example: "lognormal(p50=4ms, p99=40ms)"}
	case "gamma":
		return spec{params: []string{"shape", "mean", "scale"}, aliases: [][2]string{{"k", "shape"}, {"theta", "scale"}},
			example: "gamma(shape=2, mean=10ms)"}
	case "erlang":
		return spec{params: []string{"k", "mean"}, aliases: [][2]string{{"shape", "k"}},
			example: "erlang(k=4, mean=10ms)"}
	case "pareto":
		return spec{params: []string{"alpha", "min", "mean"}, aliases: [][2]string{{"xm", "min"}},
			example: "pareto(alpha=2.5, min=1ms)"}
	case "weibull":
		return spec{params: []string{"shape", "scale", "mean"}, aliases: [][2]string{{"k", "shape"}, {"lambda", "scale"}},
			example: "weibull(shape=1.5, scale=10ms)"}
	}
	return spec{params: []string{"min", "max"}, example: "empirical(p50=4ms, p90=10ms, p99=40ms)"}
}

// canon resolves a lower-cased key to its canonical name.
func (sp spec) canon(key string) (string, bool) {
	for _, p := range sp.params {
		if key == p {
			return p, true
		}
	}
	for _, a := range sp.aliases {
		if key == a[0] {
			return a[1], true
		}
	}
	return "", false
}

// takes lists the parameters for a hint, aliases in parentheses.
func (sp spec) takes(kind string) string {
	var parts []string
	for _, p := range sp.params {
		for _, a := range sp.aliases {
			if a[1] == p {
				p += " (or " + a[0] + ")"
			}
		}
		parts = append(parts, p)
	}
	if kind == "empirical" {
		parts = append(parts, "and percentiles such as p50, p90, p99, p999")
	}
	return kind + " takes " + strings.Join(parts, ", ")
}

func (sp spec) names() []string {
	names := append([]string(nil), sp.params...)
	for _, a := range sp.aliases {
		names = append(names, a[0])
	}
	return names
}

func parseDist(s string, lo, hi int) (dist.Dist, *Error) {
	if lo == hi {
		return nil, errAt(lo, "missing distribution", `write e.g. "exp(5ms)" or "lognormal(p50=4ms, p99=40ms)"`)
	}
	if c := s[lo]; isDigit(c) || c == '.' || c == '-' || c == '+' {
		t, err := parseDuration(s[lo:hi], lo)
		if err != nil {
			return nil, err
		}
		d, _ := dist.NewConstant(t) // t >= 0, so this cannot fail
		return d, nil
	}
	j := lo
	for j < hi && (isLetter(s[j]) || isDigit(s[j]) || s[j] == '_') {
		j++
	}
	if j == lo {
		return nil, errAt(lo, "unexpected "+quote(s[lo:lo+1]), `write e.g. "exp(5ms)" or "lognormal(p50=4ms, p99=40ms)"`)
	}
	name := strings.ToLower(s[lo:j])
	kind, ok := kindOf(name)
	if !ok {
		return nil, errAt(lo, "unknown distribution "+quote(s[lo:j]), didYouMean(name, distNames(), knownDists))
	}
	sp := specOf(kind)
	open := j
	for open < hi && isSpace(s[open]) {
		open++
	}
	if open == hi {
		return nil, errAt(lo, name+" needs parameters", "e.g. "+sp.example)
	}
	if s[open] != '(' {
		return nil, errAt(open, "expected \"(\" after "+name, "e.g. "+sp.example)
	}
	end := strings.IndexByte(s[open+1:hi], ')')
	if end < 0 {
		return nil, errAt(hi, "missing \")\"", "e.g. "+sp.example)
	}
	end += open + 1
	if rest, _ := trim(s, end+1, hi); rest < hi {
		return nil, errAt(rest, "unexpected text after \")\"", "")
	}
	params, err := splitParams(s, open+1, end)
	if err != nil {
		return nil, err
	}
	b := builder{kind: kind, sp: sp, nameOff: lo, closeOff: end, byName: map[string]*param{}}
	if err := b.resolve(params); err != nil {
		return nil, err
	}
	return b.construct()
}

// splitParams splits the text between the parentheses at commas.
func splitParams(s string, lo, hi int) ([]param, *Error) {
	if l, h := trim(s, lo, hi); l == h {
		return nil, nil
	}
	var out []param
	for start := lo; start <= hi; {
		stop := strings.IndexByte(s[start:hi], ',')
		if stop < 0 {
			stop = hi
		} else {
			stop += start
		}
		alo, ahi := trim(s, start, stop)
		if alo == ahi {
			return nil, errAt(alo, "empty parameter", "remove the extra comma")
		}
		p := param{val: s[alo:ahi], valOff: alo}
		if eq := strings.IndexByte(s[alo:ahi], '='); eq >= 0 {
			klo, khi := trim(s, alo, alo+eq)
			vlo, vhi := trim(s, alo+eq+1, ahi)
			if klo == khi {
				return nil, errAt(alo, "missing parameter name before \"=\"", "")
			}
			p = param{key: s[klo:khi], keyOff: klo, val: s[vlo:vhi], valOff: vlo}
			if vlo == vhi {
				return nil, errAt(vlo, "missing value for "+p.key, "")
			}
		}
		out = append(out, p)
		start = stop + 1
	}
	return out, nil
}

// builder turns resolved parameters into a distribution.
type builder struct {
	kind              string
	sp                spec
	nameOff, closeOff int
	byName            map[string]*param // by canonical name
	percentiles       []*param          // empirical's pNN, in order written
}

// resolve names positional parameters, canonicalises keys and rejects
// unknown and repeated ones.
func (b *builder) resolve(params []param) *Error {
	named := false
	for i := range params {
		p := &params[i]
		if p.key == "" {
			if named {
				return errAt(p.valOff, "unnamed parameter after a named one", "name it, e.g. "+b.sp.example)
			}
			if i >= len(b.sp.positional) {
				if len(b.sp.positional) == 0 {
					return errAt(p.valOff, b.kind+" needs named parameters", "e.g. "+b.sp.example)
				}
				return errAt(p.valOff, "too many parameters for "+b.kind, "e.g. "+b.sp.example)
			}
			p.keyOff = p.valOff
			b.byName[b.sp.positional[i]] = p
			continue
		}
		named = true
		key := strings.ToLower(p.key)
		if b.kind == "empirical" && len(key) > 1 && key[0] == 'p' && (isDigit(key[1]) || key[1] == '.') {
			pr, err := percentile(key, p.keyOff)
			if err != nil {
				return err
			}
			p.p = pr
			canon := dist.PercentileName(pr)
			if prev, dup := b.byName[canon]; dup {
				return errAt(p.keyOff, p.key+" is the same percentile as "+prev.key, "")
			}
			b.byName[canon] = p
			b.percentiles = append(b.percentiles, p)
			continue
		}
		canon, ok := b.sp.canon(key)
		if !ok {
			return errAt(p.keyOff, "unknown parameter "+quote(p.key)+" for "+b.kind, didYouMean(key, b.sp.names(), b.sp.takes(b.kind)))
		}
		if prev, dup := b.byName[canon]; dup {
			if prev.key == "" || strings.EqualFold(prev.key, p.key) {
				return errAt(p.keyOff, canon+" is given twice", "")
			}
			return errAt(p.keyOff, p.key+" and "+prev.key+" are the same parameter", "give only one")
		}
		b.byName[canon] = p
	}
	return nil
}

// percentile parses an empirical key such as p50, p999 or p99.9 into a
// fraction. Without a point the first two digits are the whole percent
// (p999 is 99.9%), except that a single digit is itself the percent (p5).
// The fraction is produced by moving the decimal point in text, so p999 is
// exactly the float nearest 0.999.
func percentile(key string, off int) (float64, *Error) {
	body := key[1:]
	whole, frac, dot := strings.Cut(body, ".")
	if strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || (dot && frac == "") {
		return 0, errAt(off, "invalid percentile "+quote(key), "write e.g. p50, p99, p999 or p99.9")
	}
	if !dot {
		if len(whole) >= 3 && whole[0] == '1' && strings.Trim(whole[1:], "0") == "" {
			return 0, errAt(off, key+" is the largest value, not a percentile", "use max= for the largest value")
		}
		if len(whole) == 1 {
			whole = "0" + whole
		}
		whole, frac = whole[:2], whole[2:]
	} else {
		whole = strings.TrimLeft(whole, "0")
		if len(whole) > 2 {
			return 0, errAt(off, key+" is above p100", "use max= for the largest value")
		}
		for len(whole) < 2 {
			whole = "0" + whole
		}
	}
	p, err := strconv.ParseFloat("0."+whole+frac, 64)
	if err != nil || p <= 0 {
		return 0, errAt(off, key+" is the smallest value, not a percentile", "use min= for the smallest value")
	}
	if p >= 1 {
		return 0, errAt(off, key+" is too close to p100", "use max= for the largest value")
	}
	return p, nil
}

func (b *builder) has(name string) bool { _, ok := b.byName[name]; return ok }

// need reports the first of names that is missing.
func (b *builder) need(names ...string) *Error {
	for _, n := range names {
		if !b.has(n) {
			return errAt(b.closeOff, b.kind+" needs "+n, "e.g. "+b.sp.example)
		}
	}
	return nil
}

// oneOf requires exactly one of two alternatives.
func (b *builder) oneOf(x, y string) *Error {
	switch {
	case b.has(x) && b.has(y):
		later := b.byName[y]
		if b.byName[x].keyOff > later.keyOff {
			later = b.byName[x]
		}
		return errAt(later.keyOff, "give "+x+" or "+y+", not both", "")
	case !b.has(x) && !b.has(y):
		return errAt(b.closeOff, b.kind+" needs "+x+" or "+y, "e.g. "+b.sp.example)
	}
	return nil
}

func (b *builder) dur(name string) (sim.Time, *Error) {
	p := b.byName[name]
	return parseDuration(p.val, p.valOff)
}

func (b *builder) float(name string) (float64, *Error) {
	p := b.byName[name]
	if end := scanFloat(p.val, 0); end != len(p.val) {
		if end > 0 && isLetter(p.val[end]) {
			return 0, errAt(p.valOff+end, name+" is a plain number, without a unit", "e.g. "+b.sp.example)
		}
		return 0, errAt(p.valOff, "invalid number "+quote(p.val)+" for "+name, "e.g. "+b.sp.example)
	}
	f, err := strconv.ParseFloat(p.val, 64)
	if err != nil {
		return 0, errAt(p.valOff, name+" "+quote(p.val)+" is out of range", "")
	}
	return f, nil
}

// construct checks which parameters are present, parses their values and
// calls the dist constructor, pointing its complaints at the parameter they
// are about.
func (b *builder) construct() (dist.Dist, *Error) {
	var (
		d   dist.Dist
		err error
		e   *Error
	)
	// Parse values in a fixed order, stopping at the first error.
	durs := map[string]sim.Time{}
	floats := map[string]float64{}
	getDur := func(names ...string) {
		for _, n := range names {
			if e == nil && b.has(n) {
				durs[n], e = b.dur(n)
			}
		}
	}
	getFloat := func(names ...string) {
		for _, n := range names {
			if e == nil && b.has(n) {
				floats[n], e = b.float(n)
			}
		}
	}
	switch b.kind {
	case "const":
		if e = b.need("value"); e == nil {
			getDur("value")
		}
		if e == nil {
			d, err = dist.NewConstant(durs["value"])
		}
	case "exp":
		if e = b.need("mean"); e == nil {
			getDur("mean")
		}
		if e == nil {
			d, err = dist.NewExponential(durs["mean"])
		}
	case "uniform":
		if e = b.need("min", "max"); e == nil {
			getDur("min", "max")
		}
		if e == nil {
			d, err = dist.NewUniform(durs["min"], durs["max"])
		}
	case "normal":
		if e = b.need("mean", "sd"); e == nil {
			getDur("mean", "sd")
		}
		if e == nil {
			d, err = dist.NewNormal(durs["mean"], durs["sd"])
		}
	case "lognormal":
		d, err, e = b.lognormal()
	case "gamma":
		if e = b.need("shape"); e == nil {
			e = b.oneOf("mean", "scale")
		}
		getFloat("shape")
		getDur("mean", "scale")
		if e == nil && b.has("mean") {
			d, err = dist.NewGamma(floats["shape"], durs["mean"])
		} else if e == nil {
			d, err = dist.NewGammaScale(floats["shape"], durs["scale"])
		}
	case "erlang":
		var k int
		if e = b.need("k", "mean"); e == nil {
			k, e = b.int("k")
		}
		getDur("mean")
		if e == nil {
			d, err = dist.NewErlang(k, durs["mean"])
		}
	case "pareto":
		if e = b.need("alpha"); e == nil {
			e = b.oneOf("min", "mean")
		}
		getFloat("alpha")
		getDur("min", "mean")
		if e == nil && b.has("min") {
			d, err = dist.NewPareto(floats["alpha"], durs["min"])
		} else if e == nil {
			d, err = dist.NewParetoMean(floats["alpha"], durs["mean"])
		}
	case "weibull":
		if e = b.need("shape"); e == nil {
			e = b.oneOf("scale", "mean")
		}
		getFloat("shape")
		getDur("scale", "mean")
		if e == nil && b.has("scale") {
			d, err = dist.NewWeibull(floats["shape"], durs["scale"])
		} else if e == nil {
			d, err = dist.NewWeibullMean(floats["shape"], durs["mean"])
		}
	case "empirical":
		d, err, e = b.empirical()
	}
	if e != nil {
		return nil, e
	}
	if err != nil {
		return nil, b.paramError(err)
	}
	return d, nil
}

func (b *builder) lognormal() (dist.Dist, error, *Error) {
	switch {
	case b.has("mu") || b.has("sigma"):
		for _, other := range []string{"mean", "p50", "p99"} {
			if p, ok := b.byName[other]; ok {
				return nil, nil, errAt(p.keyOff, "give either mu and sigma, or "+other+" and p99, not both", "")
			}
		}
		if e := b.need("mu", "sigma"); e != nil {
			return nil, nil, e
		}
		mu, e := b.float("mu")
		if e != nil {
			return nil, nil, e
		}
		sigma, e := b.float("sigma")
		if e != nil {
			return nil, nil, e
		}
		d, err := dist.NewLognormal(mu, sigma)
		return d, err, nil
	case b.has("p50") || b.has("mean"):
		if e := b.oneOf("p50", "mean"); e != nil {
			return nil, nil, e
		}
		first := "p50"
		if b.has("mean") {
			first = "mean"
		}
		if e := b.need("p99"); e != nil {
			return nil, nil, e
		}
		a, e := b.dur(first)
		if e != nil {
			return nil, nil, e
		}
		p99, e := b.dur("p99")
		if e != nil {
			return nil, nil, e
		}
		if first == "mean" {
			d, err := dist.NewLognormalMeanP99(a, p99)
			return d, err, nil
		}
		d, err := dist.NewLognormalP50P99(a, p99)
		return d, err, nil
	}
	if b.has("p99") {
		return nil, nil, errAt(b.closeOff, "lognormal needs p50 or mean with p99", "e.g. "+b.sp.example)
	}
	return nil, nil, errAt(b.closeOff, "lognormal needs p50 and p99, mean and p99, or mu and sigma", "e.g. "+b.sp.example)
}

func (b *builder) empirical() (dist.Dist, error, *Error) {
	min, max := sim.Time(0), dist.NoMax
	var e *Error
	if b.has("min") {
		if min, e = b.dur("min"); e != nil {
			return nil, nil, e
		}
	}
	if b.has("max") {
		if max, e = b.dur("max"); e != nil {
			return nil, nil, e
		}
	}
	if len(b.percentiles) == 0 {
		return nil, nil, errAt(b.closeOff, "empirical needs at least one percentile", "e.g. "+b.sp.example)
	}
	pts := make([]dist.Percentile, 0, len(b.percentiles))
	for _, p := range b.percentiles {
		v, e := parseDuration(p.val, p.valOff)
		if e != nil {
			return nil, nil, e
		}
		pts = append(pts, dist.Percentile{P: p.p, V: v})
	}
	d, err := dist.NewEmpirical(min, pts, max)
	return d, err, nil
}

func (b *builder) int(name string) (int, *Error) {
	p := b.byName[name]
	k, err := strconv.Atoi(p.val)
	if err != nil {
		if f, ferr := strconv.ParseFloat(p.val, 64); ferr == nil && f == float64(int64(f)) && f > 0 && f < 1e15 {
			return int(f), nil
		}
		return 0, errAt(p.valOff, name+" must be a whole number", "e.g. "+b.sp.example)
	}
	return k, nil
}

// paramError points a constructor's complaint at the parameter it names.
func (b *builder) paramError(err error) *Error {
	off := b.nameOff
	var pe *dist.ParamError
	if errors.As(err, &pe) {
		if p, ok := b.byName[pe.Param]; ok {
			off = p.valOff
		}
	}
	return errAt(off, err.Error(), "")
}

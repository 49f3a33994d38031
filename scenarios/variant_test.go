package scenarios

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func loadVariantFixture(t *testing.T) *Scenario {
	t.Helper()
	s, err := Load("testdata/variants/api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVariantsLoad(t *testing.T) {
	s := loadVariantFixture(t)
	vs, err := s.Variants()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	if got := strings.Join(names, ","); got != "with-breaker,no-retries,bigger" {
		t.Fatalf("variants %s", got)
	}
	base := s.Topology()
	if base.Workloads[0].Policy == nil || base.Services[0].Ops[0].Steps[1].Policy != nil {
		t.Fatal("fixture changed: want a workload retry and a plain db call")
	}
	if p := vs[0].Scenario.Topology().Services[0].Ops[0].Steps[1].Policy; p == nil || p.Breaker == nil {
		t.Error("with-breaker: no breaker on api.get[1]")
	}
	if p := vs[1].Scenario.Topology().Workloads[0].Policy; p != nil && p.Retry != nil {
		t.Error("no-retries: retry still there")
	}
	bt := vs[2].Scenario.Topology()
	if bt.Services[0].Workers != 8 || bt.Services[1].Workers != 16 || base.Services[0].Workers != 4 {
		t.Errorf("bigger: workers %d, %d (base %d)", bt.Services[0].Workers, bt.Services[1].Workers, base.Services[0].Workers)
	}
	if vs[2].Scenario.Seed != s.Seed || string(vs[2].Scenario.Data) != string(s.Data) {
		t.Error("a variant must keep the seed and the file bytes")
	}
}

func TestOverridePaths(t *testing.T) {
	s := loadVariantFixture(t)
	set := func(args ...string) (*Scenario, error) {
		var ovs []Override
		for _, a := range args {
			o, err := ParseSet(a)
			if err != nil {
				return nil, err
			}
			ovs = append(ovs, o)
		}
		return s.Override(ovs)
	}
	ok := []struct {
		args  []string
		check func(*Scenario) bool
	}{
		{[]string{"services.api.workers=16"}, func(o *Scenario) bool { return o.Topology().Services[0].Workers == 16 }},
		{[]string{"seed=99"}, func(o *Scenario) bool { return o.Seed == 99 }},
		{[]string{"duration=15s"}, func(o *Scenario) bool { return o.Duration.Seconds() == 15 }},
		{[]string{"workloads.browse.rate=50/s"}, func(o *Scenario) bool { return o.Topology().Workloads[0].Rate == 50 }},
		{[]string{"services.api.ops.get[1].timeout=20ms"}, func(o *Scenario) bool {
			return o.Topology().Services[0].Ops[0].Steps[1].Timeout.Seconds() == 0.02
		}},
		{[]string{"services.api.ops.get.1.retry={ attempts: 2 }"}, func(o *Scenario) bool { // a new key, numeric index
			p := o.Topology().Services[0].Ops[0].Steps[1].Policy
			return p != nil && p.Retry != nil && p.Retry.Attempts == 2
		}},
		{[]string{"faults[0]=null"}, func(o *Scenario) bool { return len(o.Topology().Faults) == 0 }},
		{[]string{"workloads.browse.retry=null", "workloads.browse.timeout=null"}, func(o *Scenario) bool {
			w := o.Topology().Workloads[0]
			return w.Policy == nil && w.Timeout == 0
		}},
	}
	for _, c := range ok {
		o, err := set(c.args...)
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		if !c.check(o) {
			t.Errorf("%v: not applied", c.args)
		}
	}
	if s.Topology().Services[0].Workers != 4 {
		t.Error("overrides changed the original scenario")
	}

	bad := []struct{ arg, want string }{
		{"services.apii.workers=3", `--set services.apii.workers=3: services.apii: no field "apii" (did you mean "api"? fields of services: api, db)`},
		{"services.api.workres=3", `services.api.workres: no field "workres" to remove`}, // placeholder replaced below
		{"services.api.ops.get[5].timeout=1s", `services.api.ops.get[5]: no item 5: the list has 2`},
		{"seed.x=1", `seed: is "3", not a map`},
		{"services.api.workers=-3", `services.api.workers: must be`},
		{"workloads.browse.retriy=null", `no field "retriy" to remove (did you mean "retry"?`},
		{"services.api.workers", `want PATH=VALUE`},
		{"services..workers=1", `empty key`},
	}
	bad[1] = struct{ arg, want string }{"services.api.workres=3", `services.api: unknown field "workres" (did you mean "workers"?`}
	for _, c := range bad {
		_, err := set(c.arg)
		if err == nil {
			t.Errorf("%s: no error", c.arg)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.arg, err, c.want)
		}
	}
	// A value the loader rejects points at the field in the file and says
	// which flag set it.
	_, err := set("services.api.workers=-3")
	var ps Problems
	if !errors.As(err, &ps) || ps[0].Line != 14 || !strings.Contains(ps[0].Hint, "set by --set services.api.workers=-3") {
		t.Errorf("want a problem at line 14 naming the flag, got %v", err)
	}
}

func TestVariantErrorsArePositioned(t *testing.T) {
	s := loadVariantFixture(t)
	data := strings.Replace(string(s.Data), "    workloads.browse.retry: null", "    workloads.brwose.retry: null", 1)
	data = strings.Replace(data, "    services.db.workers: 16", "    services.db.workers: lots", 1)
	data += "  baseline: { seed: 4 }\n  empty: {}\n  reseeded:\n    seed: 7\n    duration: 1m\n    services.api.workers: 2\n"
	bad, err := Parse("v.yaml", []byte(data))
	if err != nil {
		t.Fatal(err) // the loader ignores variants:
	}
	_, err = bad.Variants()
	if err == nil {
		t.Fatal("no problems")
	}
	got := err.Error()
	for _, want := range []string{
		`v.yaml:31:5: workloads.brwose.retry: workloads.brwose: no field "brwose" (did you mean "browse"? fields of workloads: browse)`,
		`v.yaml:34:26: services.db.workers: expected a whole number`,
		`set by variant "bigger"`,
		`v.yaml:35:3: variants.baseline: the variant name "baseline" is reserved`,
		`v.yaml:36:10: variants.empty: variant "empty" changes nothing`,
		// A variant's seed or duration would be ignored by report and
		// honoured by --find: it is refused, at its line.
		`v.yaml:38:5: variants.reseeded.seed: a variant cannot set seed (variants share the run's seed and duration so they compare under common random numbers; use cascade compare or --seed)`,
		`v.yaml:39:5: variants.reseeded.duration: a variant cannot set duration`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestCompileCheck(t *testing.T) {
	s := loadVariantFixture(t)
	c, err := s.CompileCheck(`recovered("browse", within: 5s)`)
	if err != nil {
		t.Fatal(err)
	}
	w := s.WithCheck(c)
	if !w.NeedsSeries() || s.NeedsSeries() || len(w.Expect) != len(s.Expect)+1 {
		t.Error("WithCheck: the check must be added to a copy")
	}
	if _, err := s.CompileCheck(`p99("brwose") < 1s`); err == nil || !strings.Contains(err.Error(), `did you mean "browse"`) {
		t.Errorf("want a hint, got %v", err)
	}
}

func TestCloneNodeKeepsAliases(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: &x {b: 1}\nc: *x\n"), &doc); err != nil {
		t.Fatal(err)
	}
	c := cloneNode(&doc)
	m := c.Content[0]
	if m.Content[3].Alias != m.Content[1] {
		t.Error("alias does not point at the cloned anchor")
	}
}

// FuzzOverride feeds arbitrary paths and values to an override: it may
// fail, with a message, but never panic, and never change the original.
func FuzzOverride(f *testing.F) {
	for _, seed := range []string{
		"services.api.workers=8", "services.api.ops.get[1].retry={ attempts: 2 }", "faults[0]=null", "seed.x=1",
		"services..a=1", "a[=1", "a[0][1]=2", "services.api.ops.get.9=1", "workloads=null", "=", "x=[1, 2",
		"services.api.ops.get[1]=*a", "links.api->db=5ms",
	} {
		f.Add(seed)
	}
	s, err := Load("testdata/variants/api.yaml")
	if err != nil {
		f.Fatal(err)
	}
	before := string(s.Data)
	f.Fuzz(func(t *testing.T, arg string) {
		o, err := ParseSet(arg)
		if err != nil {
			return
		}
		s.Override([]Override{o})
		if string(s.Data) != before || s.Topology().Services[0].Workers != 4 {
			t.Fatal("an override changed the scenario it was applied to")
		}
	})
}

func TestParseSetEmptyValue(t *testing.T) {
	for _, c := range []struct {
		arg  string
		want string // "" means it parses
	}{
		{"services.api.workers=", "no value after '='; to remove the field write services.api.workers=null"},
		{"services.api.workers=  ", "write services.api.workers=null"},
		{"services.api.workers=null", ""},
		{"services.api.workers=~", ""},
		{"services.api.workers=8", ""},
	} {
		o, err := ParseSet(c.arg)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.arg, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q (value %v)", c.arg, err, c.want, o.Value)
		}
	}
}

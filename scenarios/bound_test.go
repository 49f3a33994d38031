package scenarios

import (
	"strings"
	"testing"

	"cascade/models"
	"cascade/sim"
)

// boundBase is a valid scenario the tests below append to or edit.
const boundBase = "duration: 1m\nworkloads:\n  w: { to: api, rate: 5/s }\nservices:\n  api: { service_time: 1ms }\n"

// wantProblem parses src and wants a problem containing want, with a hint.
func wantProblem(t *testing.T, src, want string) {
	t.Helper()
	_, err := Parse("t.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant a problem containing %q\nsource:\n%s", err, want, src)
	}
	for _, p := range err.(Problems) {
		if strings.Contains(p.String(), want) && p.Hint == "" {
			t.Errorf("no hint: %s", p)
		}
	}
}

// Nothing in the file is read and then dropped: a second document, or a
// tag the loader would strip, is a positioned problem.
func TestNothingIgnored(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"second document", boundBase + "---\nworkloads: {}\n", `t.yaml:6:1: a second YAML document starts here`},
		{"second after explicit start", "---\n" + boundBase + "---\nname: x\n", `t.yaml:7:1: a second YAML document starts here`},
		{"broken second document", boundBase + "---\nx: [\n", `t.yaml:7:1: a second YAML document follows, and it does not parse`},
		{"custom tag", strings.Replace(boundBase, "rate: 5/s", "rate: !secret 5/s", 1), `t.yaml:3:23: YAML tag !secret is not supported`},
		{"binary tag", boundBase + "name: !!binary aGk=\n", `t.yaml:6:7: YAML tag !!binary is not supported`},
		{"merge key", boundBase + "x-base: &b { service_time: 1ms }\nlinks: { <<: *b }\n", `merge keys (<<) are not supported`},
		{"duplicate key", boundBase + "duration: 2m\n", `t.yaml:6:1: duration: duplicate key "duration" (first set at line 1)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "duplicate key" {
				_, err := Parse("t.yaml", []byte(tc.src))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want %q", err, tc.want)
				}
				return
			}
			wantProblem(t, tc.src, tc.want)
		})
	}
	// What ignores nothing still loads: an empty trailing document, a
	// comment-only one, the core schema's own tags.
	for _, src := range []string{
		boundBase + "---\n",
		boundBase + "---\n# notes\n",
		boundBase + "...\n",
		boundBase + "name: !!str 5\n",
	} {
		if _, err := Parse("t.yaml", []byte(src)); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
}

// A rate expression is evaluated over the whole run on the workload's
// 10 ms grid: the first instant it is negative, NaN or infinite is a
// problem at the expression, with the instant and the value.
func TestRateExpressionOverRun(t *testing.T) {
	for _, tc := range []struct{ name, rate, extra, want string }{
		{"pole", `"100/(t-5)"`, "", `t.yaml:3:24: workloads.w.rate: rate expression is -20 at t=0`},
		{"pole later", `"100/(5-t)"`, "", `t.yaml:3:24: workloads.w.rate: rate expression is -20000 at t=5.005s`},
		{"log zero", `"log(0)"`, "", `t.yaml:3:24: workloads.w.rate: rate expression is -Inf at t=0`},
		{"negative later", `"100 - t"`, "", `rate expression is -0.005 at t=1m40.005s`},
		{"sine", `"50*sin(2*pi*t/1m)"`, "", `t.yaml:3:24: workloads.w.rate: rate expression is -0.0261799 at t=30.005s`},
		{"nan", `"sqrt(10 - t)"`, "", `rate expression is NaN at t=10.005s`},
		{"no duration", `"t < 1m ? 10 : -1", requests: 1000`, "", `rate expression is -1 at t=1m0.005s`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(boundBase, "rate: 5/s", "rate: "+tc.rate, 1)
			if strings.Contains(tc.rate, "requests") {
				src = strings.Replace(src, "duration: 1m\n", "", 1)
			}
			if tc.name == "negative later" {
				src = strings.Replace(src, "duration: 1m", "duration: 5m", 1)
			}
			wantProblem(t, src+tc.extra, tc.want)
		})
	}
	// Expressions that stay in range pass, however they reach 0.
	for _, rate := range []string{`"max(0, 50*sin(2*pi*t/1m))"`, `"t < 30s ? 0 : 100"`, `"min(2000, 33 * t)"`} {
		src := strings.Replace(boundBase, "rate: 5/s", "rate: "+rate, 1)
		if _, err := Parse("t.yaml", []byte(src)); err != nil {
			t.Errorf("%s: %v", rate, err)
		}
	}
}

// At run time a rate that stops being one (here: past the validated
// duration) stops the run with the problem validate would give, not a
// silent zero.
func TestRateExpressionStopsRun(t *testing.T) {
	src := strings.Replace(boundBase, "rate: 5/s", `rate: "100 - t"`, 1)
	sc, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.New(sim.NewEngine(1), sc.Topology(), models.Options{Until: 5 * sim.Minute})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	for !m.Advance(sim.Minute) {
	}
	err = m.Err()
	want := "t.yaml:3:24: workloads.w.rate: rate expression is -"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "at t=1m40.00") || !strings.HasSuffix(err.Error(), "("+rateHint+")") {
		t.Fatalf("got %v, want %q... at t=1m40.00...", err, want)
	}
	if now := m.Engine().Now(); now > 101*sim.Second {
		t.Errorf("the run went on to %s", now)
	}
}

// A run estimated above EventLimit is refused, the problem positioned at
// what contributes most, with the estimate and the way out in it.
func TestEventBound(t *testing.T) {
	for _, tc := range []struct {
		name, workload, extra string
		reps                  int
		want                  string // "" when the run is within the limit
	}{
		{"huge literal", `rate: 1e300/s`, "", 1, `t.yaml:3:23: workloads.w.rate: the run would take about 1.8e+302 events, more than the limit of 2e+09; 100% of them from here: 6e+301 requests, 3 events each`},
		{"huge expression", `rate: "1e12 + t"`, "", 1, `t.yaml:3:23: workloads.w.rate: the run would take about 1.8e+14 events`},
		{"spike", `rate: 5000/s`, "faults: [ { at: 10s, for: 40s, spike: 100000x, on: w } ]\n", 1, `t.yaml:6:39: faults[0].spike: the run would take about 6e+10 events, more than the limit of 2e+09; 100% of them from here: 100000x on 5e+03/s for 40s, 3 events per request`},
		{"retries", `rate: 1000000/s, retry: { attempts: 100 }`, "", 1, `the run would take about 1.8e+10 events`},
		{"closed loop", `users: 100000, think: 1ms`, "", 1, `t.yaml:3:24: workloads.w.users: the run would take about 9e+09 events`},
		{"replications", `rate: 10000/s`, "", 2000, `events (2000 replications), more than the limit`},
		{"instances", `rate: 5/s`, "", 1, `t.yaml:5:40: services.api.instances: the model would hold 2e+09 instances, users and clients, more than the limit of 1e+06; the most here: 2000000000 instances`},
		{"users in a spike", `users: 1000, think: 1h`, "faults: [ { at: 10s, for: 10s, spike: 10000x, on: w } ]\n", 1, `t.yaml:3:24: workloads.w.users: the model would hold 1e+07 instances, users and clients, more than the limit of 1e+06; the most here: 1000 users, 10000 times that in a spike`},
		{"clients", `rate: 5/s, clients: 1000000, breaker: {}`, "", 1, `t.yaml:3:37: workloads.w.clients: the model would hold 1e+07 instances, users and clients, more than the limit of 1e+06; the most here: 1000000 clients, each keeping its own policy state (counted 10 times)`},
		{"within", `rate: 10000/s`, "faults: [ { at: 10s, for: 10s, spike: 10x, on: w } ]\n", 1, ""},
		{"requests cap", `rate: 1e300/s, requests: 1000`, "", 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "duration: 1m\nworkloads:\n  w: { to: api, " + tc.workload + " }\nservices:\n  api: { service_time: 1ms }\n" + tc.extra
			if tc.name == "instances" {
				src = strings.Replace(src, "{ service_time: 1ms }", "{ service_time: 1ms, instances: 2000000000 }", 1)
			}
			sc, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			err = sc.CheckBound(sc.Duration, tc.reps)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--allow-huge") {
				t.Fatalf("got %v\nwant %q and a hint naming --allow-huge", err, tc.want)
			}
		})
	}
}

package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
)

func mustDist(t *testing.T, s string) models.Fault {
	t.Helper()
	d, err := units.ParseDist(s)
	if err != nil {
		t.Fatal(err)
	}
	return models.Fault{Verb: models.FaultLatency, Latency: d}
}

// Every verb, every target form and every option goes through SaveSession
// and comes back from Parse as the identical value.
func TestSaveSessionRoundTripsEveryVerb(t *testing.T) {
	s, err := Load("shop")
	if err != nil {
		t.Fatal(err)
	}
	ms := sim.Millisecond
	at := 3*sim.Minute + 12*sim.Second + 500*ms + 123457 // nanosecond precision
	lat := func(d string) models.Fault { f := mustDist(t, d); f.Start = at; return f }
	var faults []models.Fault
	f := lat("200ms")
	f.Target = models.Target{From: "api", To: "db"}
	f.Duration = 30 * sim.Second
	faults = append(faults, f)
	f = lat("lognormal(p50=4ms, p99=40ms)")
	f.Name = "slow net, named"
	f.Target = models.Target{Groups: [2][]string{{"gateway", "api"}, {"db"}}}
	faults = append(faults, f)
	faults = append(faults,
		models.Fault{Verb: models.FaultLoss, Start: at, P: 0.05, Target: models.Target{From: "api", To: "db"}},
		models.Fault{Verb: models.FaultLoss, Start: at, P: 1.0 / 3, Target: models.Target{Groups: [2][]string{{"api"}, {"catalog", "reviews"}}}},
		models.Fault{Verb: models.FaultPartition, Start: at, Duration: 1, Target: models.Target{Groups: [2][]string{{"api"}, {"db"}}}},
		models.Fault{Verb: models.FaultPartition, Start: at, OneWay: true, Target: models.Target{Groups: [2][]string{{"browse", "checkout"}, {"gateway"}}}},
		models.Fault{Verb: models.FaultBlackhole, Start: at, Target: models.Target{To: "db"}},
		models.Fault{Verb: models.FaultBlackhole, Start: at, After: 10 * sim.Second, Target: models.Target{From: "api", To: "payments"}},
		models.Fault{Verb: models.FaultCrash, Start: at, Target: models.Target{Component: "api"}},
		models.Fault{Verb: models.FaultCrash, Start: at, Restart: 1500 * ms, Target: models.Target{Component: "api", Instances: models.Instances{Mode: models.SelectOne}}},
		models.Fault{Verb: models.FaultPause, Start: at, Duration: 800 * ms, Target: models.Target{Component: "api", Instances: models.Instances{Mode: models.SelectOne, N: 2}}},
		models.Fault{Verb: models.FaultSlow, Start: at, Factor: 3, Target: models.Target{Component: "db"}},
		models.Fault{Verb: models.FaultSlow, Start: at, Factor: 1.1, Target: models.Target{Component: "catalog", Instances: models.Instances{Mode: models.SelectCount, N: 2}}},
		models.Fault{Verb: models.FaultErrors, Start: at, P: 0.2, Keys: 0.1, Target: models.Target{Component: "payments"}},
		models.Fault{Verb: models.FaultErrors, Start: at, P: 0.999, Target: models.Target{Component: "api", Instances: models.Instances{Mode: models.SelectPercent, N: 50}}},
		models.Fault{Verb: models.FaultSpike, Start: at, Factor: 2.5, Target: models.Target{Component: "browse"}},
		models.Fault{Verb: models.FaultRamp, Start: 0, Duration: 5 * sim.Minute, Over: sim.Minute, Factor: 2, Target: models.Target{Component: "checkout"}},
	)
	data, err := SaveSession(s, Session{Seed: 7, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("saved.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if got.Seed != 7 {
		t.Errorf("seed %d, want 7", got.Seed)
	}
	back := got.Topology().Faults
	if len(back) != len(faults) {
		t.Fatalf("%d faults back, want %d\n%s", len(back), len(faults), data)
	}
	for i := range faults {
		if !reflect.DeepEqual(back[i], faults[i]) {
			t.Errorf("fault %d:\n got %+v\nwant %+v", i, back[i], faults[i])
		}
	}
	// What the user wrote is still there, comments included.
	for _, want := range []string{"# The default scenario", "# anonymous visitors: open loop", "browse:"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("saved file lost %q", want)
		}
	}
}

// A timeline fault cleared by hand keeps its place and gets the span it
// lived; faults injected live follow the timeline.
func TestSaveSessionShortensTimelineFaults(t *testing.T) {
	src := `# a comment that must survive
name: tiny
duration: 1m
workloads:
  w: { to: svc, rate: 10/s }
services:
  svc: { ops: { get: [ work: 1ms ] } }
faults:
  - { at: 10s, slow: 2x, on: svc }   # the first
  - { at: 20s, for: 30s, crash: svc }
`
	s, err := Parse("tiny.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	live := models.Fault{Verb: models.FaultPause, Start: 25 * sim.Second, Duration: 2 * sim.Second, Target: models.Target{Component: "svc"}}
	data, err := SaveSession(s, Session{Seed: s.Seed, Faults: []models.Fault{live}, Shortened: map[int]sim.Time{1: 5*sim.Second + 1}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("tiny-session.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	fs := got.Topology().Faults
	if len(fs) != 3 || fs[1].Duration != 5*sim.Second+1 || fs[0].Duration != 0 || !reflect.DeepEqual(fs[2], live) {
		t.Errorf("faults back: %+v\n%s", fs, data)
	}
	for _, want := range []string{"# a comment that must survive", "# the first"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("lost %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "seed:") {
		t.Errorf("seed written though unchanged:\n%s", data)
	}
}

// A scenario without faults: gets a faults: list.
func TestSaveSessionCreatesFaults(t *testing.T) {
	s, err := Load("theory-mm1")
	if err != nil {
		t.Fatal(err)
	}
	name := s.Topology().Services[0].Name
	f := models.Fault{Verb: models.FaultSlow, Start: sim.Second, Factor: 2, Target: models.Target{Component: name}}
	data, err := SaveSession(s, Session{Seed: s.Seed, Faults: []models.Fault{f}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("x.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if fs := got.Topology().Faults; len(fs) != 1 || !reflect.DeepEqual(fs[0], f) {
		t.Errorf("got %+v", fs)
	}
}

func TestWriteNewNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	p := SessionName(dir, "shop")
	if filepath.Base(p) != "shop-session-1.yaml" {
		t.Errorf("first name %s", p)
	}
	if err := WriteNew(p, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(p, []byte("b")); err == nil {
		t.Error("overwrote an existing file")
	}
	if b, _ := os.ReadFile(p); string(b) != "a" {
		t.Errorf("content %q", b)
	}
	if q := SessionName(dir, "shop"); filepath.Base(q) != "shop-session-2.yaml" {
		t.Errorf("second name %s", q)
	}
}

// A breaker fault needs a call with a breaker: the circuit-breaker
// scenario has one.
func TestSaveSessionRoundTripsBreakerFaults(t *testing.T) {
	s, err := Load("circuit-breaker")
	if err != nil {
		t.Fatal(err)
	}
	faults := []models.Fault{
		{Verb: models.FaultBreaker, Start: 95*sim.Second + 7, Duration: 20 * sim.Second, Mode: models.BreakerForcedOpen,
			Target: models.Target{From: "checkout", To: "payments"}},
		{Verb: models.FaultBreaker, Start: 4 * sim.Minute, Mode: models.BreakerDisabled,
			Target: models.Target{From: "checkout", To: "payments"}},
	}
	data, err := SaveSession(s, Session{Seed: s.Seed, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("saved.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back := got.Topology().Faults
	back = back[len(back)-2:]
	for i := range faults {
		if !reflect.DeepEqual(back[i], faults[i]) {
			t.Errorf("fault %d:\n got %+v\nwant %+v", i, back[i], faults[i])
		}
	}
}

// Cache and key faults round-trip too; cache-stampede has caches.
func TestSaveSessionRoundTripsDataFaults(t *testing.T) {
	s, err := Load("cache-stampede")
	if err != nil {
		t.Fatal(err)
	}
	faults := []models.Fault{
		{Verb: models.FaultFlush, Start: 61*sim.Second + 3, Target: models.Target{Component: "cache-sf"}},
		{Verb: models.FaultMassExpiry, Start: 62 * sim.Second, P: 0.25, Target: models.Target{Component: "cache-rt"}},
		{Verb: models.FaultHotKey, Start: 63 * sim.Second, Duration: 10 * sim.Second, P: 0.5, Key: 1999, Target: models.Target{Component: "users-naive"}},
		{Verb: models.FaultHotKey, Start: 64 * sim.Second, P: 0.1, Target: models.Target{Component: "users-sf"}},
	}
	data, err := SaveSession(s, Session{Seed: s.Seed, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("saved.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back := got.Topology().Faults
	back = back[len(back)-len(faults):]
	for i := range faults {
		if !reflect.DeepEqual(back[i], faults[i]) {
			t.Errorf("fault %d:\n got %+v\nwant %+v", i, back[i], faults[i])
		}
	}
}

// Database faults round-trip; replica-lag has databases.
func TestSaveSessionRoundTripsDatabaseFaults(t *testing.T) {
	s, err := Load("replica-lag")
	if err != nil {
		t.Fatal(err)
	}
	d, err := units.ParseDist("2s")
	if err != nil {
		t.Fatal(err)
	}
	faults := []models.Fault{
		{Verb: models.FaultReplicaLag, Start: 61 * sim.Second, Duration: 10 * sim.Second, Latency: d, Target: models.Target{Component: "profiles"}},
		{Verb: models.FaultReplicaLag, Start: 62 * sim.Second, Stop: true, Target: models.Target{Component: "profiles-ryw",
			Instances: models.Instances{Mode: models.SelectOne, N: 2}}},
		{Verb: models.FaultFailover, Start: 63 * sim.Second, Target: models.Target{Component: "profiles"}},
	}
	data, err := SaveSession(s, Session{Seed: s.Seed, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("saved.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back := got.Topology().Faults
	back = back[len(back)-len(faults):]
	for i := range faults {
		if !reflect.DeepEqual(back[i], faults[i]) {
			t.Errorf("fault %d:\n got %+v\nwant %+v", i, back[i], faults[i])
		}
	}
}

// A deploy injected by hand (the palette's defaults) or written with
// every setting comes back as the same rollout.
func TestSaveSessionRoundTripsDeploys(t *testing.T) {
	s, err := Load("bad-deploy")
	if err != nil {
		t.Fatal(err)
	}
	def := models.DefaultDeploy()
	full := models.DeploySpec{BatchShare: 0.25, Pause: 20 * sim.Second, Startup: 7 * sim.Second, Warmup: 30 * sim.Second, Cold: 2.5,
		BadErrors: 0.1, BadSlow: 3, MaxErrorRate: 0.01, Rollback: false}
	faults := []models.Fault{
		{Verb: models.FaultDeploy, Start: 61 * sim.Second, Target: models.Target{Component: "api-guarded"}, Deploy: &def},
		{Verb: models.FaultDeploy, Start: 62 * sim.Second, Target: models.Target{Component: "api-unguarded"}, Deploy: &full},
	}
	data, err := SaveSession(s, Session{Seed: s.Seed, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("saved.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back := got.Topology().Faults
	back = back[len(back)-len(faults):]
	for i := range faults {
		if !reflect.DeepEqual(back[i], faults[i]) {
			t.Errorf("fault %d:\n got %+v %+v\nwant %+v %+v", i, back[i], back[i].Deploy, faults[i], faults[i].Deploy)
		}
	}
	// The palette's deploy carries no settings: it is saved as the defaults.
	data, err = SaveSession(s, Session{Seed: s.Seed, Faults: []models.Fault{{Verb: models.FaultDeploy, Target: models.Target{Component: "api-guarded"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = Parse("saved.yaml", data); err != nil {
		t.Fatal(err)
	}
	back = got.Topology().Faults
	if d := back[len(back)-1].Deploy; d == nil || *d != def {
		t.Errorf("palette deploy read back as %+v, want %+v", d, def)
	}
}

// Zone faults written by a session come back as the same values.
func TestSaveSessionRoundTripsZoneFaults(t *testing.T) {
	s, err := Load("zone-failure")
	if err != nil {
		t.Fatal(err)
	}
	faults := []models.Fault{
		{Verb: models.FaultZoneOutage, Start: 5 * sim.Second, Duration: 10 * sim.Second, Target: models.Target{Zone: "a"}},
		{Verb: models.FaultZonePartition, Start: 7 * sim.Second, Target: models.Target{Zone: "c"}},
	}
	data, err := SaveSession(s, Session{Seed: s.Seed, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("saved.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back := got.Topology().Faults
	back = back[len(back)-len(faults):]
	for i := range faults {
		if !reflect.DeepEqual(back[i], faults[i]) {
			t.Errorf("fault %d:\n got %+v\nwant %+v", i, back[i], faults[i])
		}
	}
}

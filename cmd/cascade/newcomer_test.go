package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cascade/scenarios"
	"cascade/sim"
)

// TestInitToPassingRun is the newcomer's path: init, validate with no
// warnings, run with every expectation passing; and init never overwrites.
func TestInitToPassingRun(t *testing.T) {
	dir := t.TempDir()
	r := cascade(t, dir, "init", "my-system")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "wrote my-system.yaml") || !strings.Contains(r.stdout, "wrote cascade.schema.json") {
		t.Errorf("init said %q", r.stdout)
	}
	data, err := os.ReadFile(filepath.Join(dir, "my-system.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# yaml-language-server: $schema=./cascade.schema.json\n") || !strings.Contains(string(data), "\nname: my-system\n") {
		t.Errorf("starter does not start with the schema header or lacks its name:\n%s", data)
	}
	schema, _ := os.ReadFile(filepath.Join(dir, "cascade.schema.json"))
	want, _ := scenarios.Schema()
	if !bytes.Equal(schema, want) {
		t.Error("init wrote a schema that is not cascade schema's")
	}
	for _, part := range []string{"gateway:", "api:", "db:", "workloads:", "slos:", "faults:", "expect:"} {
		if !strings.Contains(string(data), part) {
			t.Errorf("starter lacks %s", part)
		}
	}

	r = cascade(t, dir, "validate", "my-system.yaml")
	wantCode(t, r, exitOK)
	if r.stderr != "" {
		t.Errorf("the starter should validate without warnings: %s", r.stderr)
	}
	r = cascade(t, dir, "run", "my-system.yaml")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "1 of 1 hold") {
		t.Errorf("run of the starter: %s", r.stdout)
	}

	// Never overwrite: the file, edited, survives a second init.
	os.WriteFile(filepath.Join(dir, "my-system.yaml"), []byte("edited"), 0o644)
	r = cascade(t, dir, "init", "my-system.yaml")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "exists; not overwriting") {
		t.Errorf("stderr %q", r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "my-system.yaml")); string(b) != "edited" {
		t.Error("init overwrote an existing file")
	}

	// --from copies a built-in, keeps an existing schema.
	r = cascade(t, dir, "init", "--from", "retry-storm", "mine.yaml")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "kept cascade.schema.json") {
		t.Errorf("stdout %q", r.stdout)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "mine.yaml"))
	orig, _ := scenarios.Builtin("retry-storm")
	if string(got) != "# yaml-language-server: $schema=./cascade.schema.json\n"+string(orig) {
		t.Error("--from did not copy the built-in under the schema header")
	}
	wantCode(t, cascade(t, dir, "validate", "mine.yaml"), exitOK)

	r = cascade(t, dir, "init", "--from", "retry-strom", "x.yaml")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, `did you mean "retry-storm"?`) {
		t.Errorf("stderr %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.yaml")); err == nil {
		t.Error("a failed init wrote a file")
	}
	// Default name.
	r = cascade(t, dir, "init")
	wantCode(t, r, exitOK)
	if _, err := os.Stat(filepath.Join(dir, "scenario.yaml")); err != nil {
		t.Error(err)
	}
}

func TestSchemaCommand(t *testing.T) {
	dir := t.TempDir()
	want, err := scenarios.Schema()
	if err != nil {
		t.Fatal(err)
	}
	r := cascade(t, dir, "schema")
	wantCode(t, r, exitOK)
	if r.stdout != string(want) {
		t.Error("cascade schema does not print scenarios.Schema()")
	}
	wantCode(t, cascade(t, dir, "schema", "-o", "s.json"), exitOK)
	r = cascade(t, dir, "schema", "-o", "s.json")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--force") {
		t.Errorf("stderr %q", r.stderr)
	}
	os.WriteFile(filepath.Join(dir, "s.json"), []byte("old"), 0o644)
	wantCode(t, cascade(t, dir, "schema", "--out", "s.json", "--force"), exitOK)
	if b, _ := os.ReadFile(filepath.Join(dir, "s.json")); !bytes.Equal(b, want) {
		t.Error("--force did not replace the file")
	}
	wantCode(t, cascade(t, dir, "schema", "extra"), exitUsage)
}

func TestCompletion(t *testing.T) {
	for _, sh := range shells {
		r := cascade(t, "", "completion", sh)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "cascade __complete") {
			t.Errorf("%s script does not ask cascade __complete", sh)
		}
		if path, err := exec.LookPath(sh); err == nil {
			check := exec.Command(path, "-n")
			if sh == "fish" {
				check = exec.Command(path, "--no-execute")
			}
			check.Stdin = strings.NewReader(r.stdout)
			if out, err := check.CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, out)
			}
		}
	}
	r := cascade(t, "", "completion", "bsh")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, `did you mean "bash"?`) {
		t.Errorf("stderr %q", r.stderr)
	}

	for _, tc := range []struct {
		args []string
		want string // the whole output, candidates then the directive
	}{
		{[]string{"va"}, "validate\n:none\n"},
		{[]string{"run", "theory-mm1"}, "theory-mm1\ntheory-mm1k\n:yaml\n"},
		{[]string{"run", "--se"}, "--seed\n:none\n"},
		{[]string{"run", "--json", ""}, ":files\n"},
		{[]string{"init", "--from", "retry"}, "retry-storm\n:none\n"},
		{[]string{"completion", ""}, "bash\nzsh\nfish\n:none\n"},
		{[]string{"help", "com"}, "compare\ncompletion\n:none\n"},
		{[]string{"version", ""}, ":none\n"},
		{[]string{"nosuch", ""}, ":none\n"},
	} {
		r := cascade(t, "", append([]string{"__complete"}, tc.args...)...)
		wantCode(t, r, exitOK)
		if r.stdout != tc.want {
			t.Errorf("__complete %q = %q, want %q", tc.args, r.stdout, tc.want)
		}
	}
	r = cascade(t, "", "__complete", "run", "-")
	for _, f := range []string{"-q", "--quiet", "-s", "--seed", "-d", "--duration", "--json", "-h", "--help"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f) + `$`).MatchString(r.stdout) {
			t.Errorf("run flags lack %s: %q", f, r.stdout)
		}
	}

	// The bash script end to end, as bash calls it on TAB.
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	script := cascade(t, "", "completion", "bash").stdout
	cmd := exec.Command(bash, "-c", script+`
COMP_WORDS=(cascade run m); COMP_CWORD=2; _cascade; printf '%s\n' "${COMPREPLY[@]}"
COMP_WORDS=(cascade run not); COMP_CWORD=2; _cascade; printf '%s\n' "${COMPREPLY[@]}"`)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if string(out) != "mine.yaml\n\n" && string(out) != "mine.yaml\n" {
		t.Errorf("bash completed %q; want mine.yaml and not notes.txt", out)
	}
}

// TestHelpEverywhere: every command answers --help, -h and help COMMAND
// with its usage on stdout, and help answers --help too.
func TestHelpEverywhere(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			r := cascade(t, "", args...)
			wantCode(t, r, exitOK)
			if !strings.Contains(r.stdout, "Usage") || r.stderr != "" {
				t.Errorf("%q: stdout %q stderr %q", args, r.stdout, r.stderr)
			}
		}
	}
	for _, args := range [][]string{{"help", "--help"}, {"help", "-h"}, {"help", "help"}} {
		r := cascade(t, "", args...)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "Commands:") {
			t.Errorf("%q: %q", args, r.stdout)
		}
	}
}

func TestShortFlags(t *testing.T) {
	long := cascade(t, "", "run", "theory-mm1", "--seed", "3", "--duration", "20s")
	short := cascade(t, "", "run", "-s", "3", "-d", "20s", "theory-mm1")
	wantCode(t, long, exitOK)
	wantCode(t, short, exitOK)
	if long.stdout != short.stdout {
		t.Error("-s/-d do not do what --seed/--duration do")
	}
	r := cascade(t, "", "run", "theory-mm1", "-q", "-d", "5s")
	wantCode(t, r, exitOK)
	if r.stdout != "" {
		t.Errorf("-q printed %q", r.stdout)
	}
	r = cascade(t, "", "run", "--help")
	if !strings.Contains(r.stdout, "Short forms: -q for --quiet, -s for --seed, -d for --duration") {
		t.Errorf("run --help does not list the short forms:\n%s", r.stdout)
	}
	if r := cascade(t, "", "version", "--help"); strings.Contains(r.stdout, "Short forms") {
		t.Error("a command without those flags lists short forms")
	}
	// -o exists only where --out does.
	wantCode(t, cascade(t, "", "run", "theory-mm1", "-o", "x"), exitUsage)
}

func TestValidateWarnings(t *testing.T) {
	r := cascade(t, "", "validate", filepath.Join(repoRoot(t), "scenarios/testdata/warnings/probably-wrong.yaml"))
	wantCode(t, r, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 7 {
		t.Fatalf("want 7 warnings, got:\n%s", r.stderr)
	}
	pos := regexp.MustCompile(`probably-wrong\.yaml:\d+:\d+: warning: `)
	for _, l := range lines {
		if !pos.MatchString(l) {
			t.Errorf("warning without a position: %q", l)
		}
	}
	for _, want := range []string{"objective 0.999 is read as the fraction 99.9%", "timeout 5m is longer than the run", "offered load at t=0", "no timeout anywhere on the path"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("no warning %q", want)
		}
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

// TestProgressLine checks what the line says, with the wall clock set by
// hand rather than waited for.
func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, "shop", 10*sim.Minute)
	p.start = time.Now().Add(-10 * time.Second)
	p.last = time.Time{}
	p.update(2*sim.Minute, 5_000_000)
	line := b.String()
	// 2 simulated minutes in 10 wall seconds: 12 s/s; 10 minutes take 50 s,
	// 40 s to go.
	for _, want := range []string{"shop  2m0s / 10m0s   20%", "sim 12s/s", "500.0k events/s", "ETA 40s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}

	b.Reset()
	p = newProgress(&b, "shop", 10*sim.Minute)
	p.batch(8, 2) // four waves of two
	p.start = time.Now().Add(-10 * time.Second)
	p.last = time.Time{}
	p.update(5*sim.Minute, 1000)
	p.runDone()
	line = b.String()
	// The first run takes 20 s; four waves 80 s; 70 s to go.
	if !strings.Contains(line, "runs 1/8") || !strings.Contains(line, "ETA 1m10s") {
		t.Errorf("replication progress %q", line)
	}

	b.Reset()
	p = newProgress(&b, "sweep", 0)
	p.start = time.Now().Add(-30 * time.Second)
	p.last = time.Time{}
	p.count(3, 9, "runs")
	if !strings.Contains(b.String(), "3/9 runs done") || !strings.Contains(b.String(), "ETA 1m0s") {
		t.Errorf("count line %q", b.String())
	}
}

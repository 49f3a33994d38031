package scenarios

import (
	"strings"
	"testing"
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

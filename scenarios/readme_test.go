package scenarios

import (
	"os"
	"regexp"
	"testing"
)

// TestReadmeExample keeps the README's scenario tour honest: the first
// YAML block in README.md must load without problems.
func TestReadmeExample(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(data)
	if m == nil {
		t.Fatal("README.md has no ```yaml block")
	}
	if _, err := Parse("README.md", m[1]); err != nil {
		t.Fatalf("the README example does not load:\n%v", err)
	}
}

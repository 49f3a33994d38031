package scenarios

import (
	"embed"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// library holds the built-in scenarios, compiled into the binary so
// `cascade run shop` works from any directory.
//
//go:embed library/*.yaml
var library embed.FS

// Entry describes one built-in scenario.
type Entry struct {
	Name, Description string
}

// Library lists the built-in scenarios sorted by name. A file that does not
// parse is still listed (its description empty): the library test reports it.
func Library() []Entry {
	files, _ := library.ReadDir("library")
	var out []Entry
	for _, f := range files {
		name, ok := strings.CutSuffix(f.Name(), ".yaml")
		if !ok || f.IsDir() {
			continue
		}
		data, _ := library.ReadFile(path.Join("library", f.Name()))
		var head struct {
			Description string `yaml:"description"`
		}
		_ = yaml.Unmarshal(data, &head)
		out = append(out, Entry{Name: name, Description: strings.TrimSpace(head.Description)})
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Builtin returns the YAML of the built-in scenario name.
func Builtin(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, false
	}
	data, err := library.ReadFile("library/" + name + ".yaml")
	return data, err == nil
}

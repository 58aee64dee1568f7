package serve

import (
	"fmt"
	"regexp"
	"strings"
)

// A Spec names one dataset to serve: clients ask for Name, the server
// opens Path (anything dataset.Open accepts). Clients never send paths.
type Spec struct {
	Name string
	Path string
}

// validName is what a served name may look like: one URL path segment
// that needs no escaping and cannot be read as a path ("..", "a/b").
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// ParseSpec parses a NAME=PATH command-line argument.
func ParseSpec(arg string) (Spec, error) {
	name, path, ok := strings.Cut(arg, "=")
	if !ok || path == "" {
		return Spec{}, fmt.Errorf("%q: want NAME=PATH", arg)
	}
	if err := checkName(name); err != nil {
		return Spec{}, err
	}
	return Spec{Name: name, Path: path}, nil
}

func checkName(name string) error {
	if !validName.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("dataset name %q: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'", name)
	}
	return nil
}

package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireEnv is the environment variable that turns a missing Node.js or
// Node package from a skip into a failure. .ci/run sets it after `npm ci`,
// so that CI never passes by skipping the independent readers, while `go
// test ./...` on a fresh checkout (no `npm ci`, no network beyond the Go
// module proxy) skips them.
const RequireEnv = "TOME_REQUIRE_INTEROP"

// Node returns the path of the node binary for a test that runs a script
// needing pkg from the node_modules of dir (a folder with a
// package-lock.json). When either is missing, the test is skipped, or
// fails when RequireEnv is set.
func Node(t testing.TB, dir, pkg string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "Node.js is not installed")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg)); err != nil {
		missing(t, "Node package "+pkg+" missing: run `npm ci` in "+dir+" (.ci/run does)")
	}
	return node
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) != "" {
		t.Fatal(why + " (" + RequireEnv + " is set)")
	}
	t.Skip(why)
}

// Package python holds tome's Python client example (tome_client.py, a
// PyTorch IterableDataset over `tome serve`'s HTTP stream) and this test,
// which runs its unit tests and byte-compiles every example.
package python

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	return py
}

// run runs python3 here without writing bytecode into the source tree.
func run(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(python(t), args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONPYCACHEPREFIX="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 %v: %v\n%s", args, err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
}

// TestUnittest runs the client's own tests: parameters, URLs, rank and
// worker arithmetic, resume state, and requests to a local HTTP server.
// pyarrow and torch are not needed (nor exercised: the Arrow decoding is
// replaced by a fake there).
func TestUnittest(t *testing.T) {
	run(t, "-m", "unittest", "-v", "test_tome_client")
}

// TestCompile byte-compiles every example, including those that import
// pyarrow and torch, which cannot run without them.
func TestCompile(t *testing.T) {
	files, err := filepath.Glob("*.py")
	if err != nil || len(files) < 4 {
		t.Fatalf("examples: %v %v", files, err)
	}
	run(t, append([]string{"-m", "py_compile"}, files...)...)
}

// Package conformance locates the shared conformance data (Apache's
// parquet-testing and arrow-testing suites and real Hugging Face outputs)
// for tests. The files are never copied into the project: tests find them
// through the TOME_CONFORMANCE_DIR environment variable and skip when it is
// unset, as arrow-go does with ARROW_TEST_DATA.
package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the environment variable that points at the data.
const EnvVar = "TOME_CONFORMANCE_DIR"

// Dir returns the conformance directory joined with elem, skipping the test
// when TOME_CONFORMANCE_DIR is unset and failing it when the path is absent.
func Dir(tb testing.TB, elem ...string) string {
	tb.Helper()
	root := os.Getenv(EnvVar)
	if root == "" {
		tb.Skipf("%s is not set; skipping conformance test", EnvVar)
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("conformance data: %v", err)
	}
	return p
}

// Glob returns the files under the conformance directory matching pattern
// (relative to it), skipping like Dir. It fails the test when nothing
// matches, so a moved folder cannot turn a test into a no-op.
func Glob(tb testing.TB, pattern string) []string {
	tb.Helper()
	root := Dir(tb)
	files, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatalf("conformance data: nothing matches %s", pattern)
	}
	return files
}

package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCommitReplacesAndAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	f, err := Create(dest)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half")
	if got, _ := os.ReadFile(dest); string(got) != "old" {
		t.Fatalf("destination changed before commit: %q", got)
	}
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); string(got) != "old" {
		t.Fatalf("destination changed by abort: %q", got)
	}

	if err := WriteFile(dest, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); string(got) != "new" {
		t.Fatalf("after commit: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if IsTemp(e.Name()) {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
	if len(entries) != 1 {
		t.Fatalf("directory has %d entries, want 1", len(entries))
	}
}

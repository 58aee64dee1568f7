package pagein

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// mapFile writes a file of n bytes and maps it read-only.
func mapFile(t *testing.T, n int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, make([]byte, n), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := unix.Mmap(int(f.Fd()), 0, n, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(m) })
	return m
}

// present reports, per page of m, whether the page tables map it.
func present(t *testing.T, m []byte) []bool {
	t.Helper()
	out, err := Mapped(m)
	if err != nil {
		t.Skipf("no pagemap: %v", err)
	}
	return out
}

func TestPopulateMapsTheRange(t *testing.T) {
	if !supported() {
		t.Skip("this kernel has no MADV_POPULATE_READ")
	}
	const size = 16 << 20
	m := mapFile(t, size)
	p := int(pageSize)
	// An unaligned range from the middle of a page to the middle of
	// another: every page it touches is to be mapped.
	lo, hi := 4<<20+p/2, 8<<20+p/2
	before := present(t, m)
	for i := lo / p; i <= hi/p; i++ {
		if before[i] {
			t.Fatalf("page %d mapped before Populate", i)
		}
	}
	if !Populate(m[lo:hi]) {
		t.Fatal("Populate reported no support on a kernel that has it")
	}
	after := present(t, m)
	for i := lo / p; i < (hi+p-1)/p; i++ {
		if !after[i] {
			t.Fatalf("page %d of [%d, %d) not mapped after Populate", i, lo/p, (hi+p-1)/p)
		}
	}
	// Far from the range nothing is mapped: Populate maps the range
	// (and what the kernel maps around each fault), not the file.
	for _, i := range []int{0, size/p - 1} {
		if after[i] {
			t.Errorf("page %d, megabytes from the range, mapped", i)
		}
	}
}

func TestPopulateEmptyAndShrunk(t *testing.T) {
	m := mapFile(t, 1<<20)
	Populate(nil)
	Populate(m[:0])
	Populate(m[5:6])
	// A file truncated under its mapping: reading its pages would raise
	// SIGBUS; populating them must not.
	path := filepath.Join(t.TempDir(), "shrinks")
	if err := os.WriteFile(path, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := unix.Mmap(int(f.Fd()), 0, 1<<20, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(s)
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	Populate(s)
}

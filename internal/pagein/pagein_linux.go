package pagein

import (
	"encoding/binary"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// supported reports whether the kernel knows MADV_POPULATE_READ (Linux
// 5.14 on). It asks once, on a page of its own: the error an older kernel
// gives for an unknown advice, EINVAL, is also what it gives for a range
// it will not populate, so a caller's range cannot tell the two apart.
var supported = sync.OnceValue(func() bool {
	page, err := unix.Mmap(-1, 0, int(pageSize), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return false
	}
	defer unix.Munmap(page)
	return unix.Madvise(page, unix.MADV_POPULATE_READ) == nil
})

// populate asks the kernel to fault in the page-aligned range b for
// reading (MADV_POPULATE_READ): it maps the pages the page cache holds
// and reads the others from the file first.
func populate(b []byte) bool {
	if !supported() {
		return false
	}
	// An error drops the hint: EFAULT for a page past the end of a file
	// that shrank, ENOMEM for a range not mapped, EINTR for a signal. The
	// reader's own faults then do, and report, what they must.
	_ = unix.Madvise(b, unix.MADV_POPULATE_READ)
	return true
}

// Mapped reports, for each page holding b, whether the page tables map it
// (bit 63 of /proc/self/pagemap, which needs no privilege). It is how the
// tests see what Populate did, and a diagnostic for the curious.
func Mapped(b []byte) ([]bool, error) {
	if len(b) == 0 {
		return nil, nil
	}
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	first, last := start/pageSize, (start+uintptr(len(b))-1)/pageSize
	buf := make([]byte, 8*(last-first+1))
	if _, err := f.ReadAt(buf, int64(first)*8); err != nil {
		return nil, err
	}
	out := make([]bool, len(buf)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(buf[8*i:])>>63 == 1
	}
	return out, nil
}

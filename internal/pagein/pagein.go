package pagein

import (
	"os"
	"unsafe"
)

// pageSize is the system's page size: madvise takes page-aligned ranges.
var pageSize = uintptr(os.Getpagesize())

// Supported reports whether Populate can populate pages on this system.
func Supported() bool { return supported() }

// Populate maps the pages holding b, which must lie in a memory mapping of
// a file, reading them from the file first where the page cache lacks
// them. It reports whether the system can populate at all, not whether
// every page was mapped: a range the kernel refuses (a file shrunk under
// its mapping) is skipped.
func Populate(b []byte) bool {
	if len(b) == 0 {
		return supported()
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	// The range from the page boundary below b: the kernel takes whole
	// pages, and these belong to the same mapping as b's first byte.
	skip := int(uintptr(p) & (pageSize - 1))
	return populate(unsafe.Slice((*byte)(unsafe.Add(p, -skip)), skip+len(b)))
}

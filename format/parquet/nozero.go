package parquet

import (
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Clearing the value buffers of a batch it is about to overwrite cost the
// fast decoder an eighth of its CPU (runtime.memclrNoHeapPointers under
// GoAllocator.Allocate, profiled on the typed-rows benchmark): Go's make
// clears every allocation, and a decoded batch is a few megabytes of fresh
// memory. The values, offsets and list offsets a decoder appends are
// written in full before anyone reads them, so those buffers come from
// unclearedGoAllocator when the Reader's allocator is Go's own; bitmaps,
// and everything under other allocators, are cleared as before.

// bufferAlignment is the alignment arrow-go's GoAllocator gives its
// buffers, kept so that a batch looks the same whichever allocator made it.
const bufferAlignment = 64

// makeUncleared returns n bytes whose contents are unspecified: the caller
// must write every byte it lets anyone read. The result is aligned to
// bufferAlignment and its capacity is n.
//
// strings.Builder.Grow is the standard library's one exported way to
// allocate without clearing (it calls internal/bytealg.MakeNoZero), and its
// contract, that n more bytes fit after Grow(n), keeps the slice inside the
// builder's allocation; the first byte is written so that the string the
// address is read from is not empty, and it is never part of the result.
func makeUncleared(n int) []byte {
	var b strings.Builder
	b.Grow(n + bufferAlignment)
	b.WriteByte(0)
	p := unsafe.StringData(b.String())
	off := bufferAlignment - int(uintptr(unsafe.Pointer(p))%bufferAlignment) // 1..64
	s := unsafe.Slice(p, n+bufferAlignment)[off : off+n : off+n]
	if poisonUncleared {
		for i := range s {
			s[i] = poison
		}
	}
	return s
}

// poisonUncleared, set by this package's tests (not its benchmarks), fills
// what makeUncleared returns with poison, so that a byte the decoder never
// writes reads the same wrong way every run instead of as whatever the heap
// held.
var poisonUncleared bool

const poison = 0xA5

// unclearedGoAllocator is a memory.Allocator over the Go heap whose
// allocations are not cleared; see makeUncleared. Like arrow-go's
// GoAllocator, Free leaves the memory to the garbage collector.
type unclearedGoAllocator struct{}

func (unclearedGoAllocator) Allocate(size int) []byte { return makeUncleared(size) }

func (unclearedGoAllocator) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := makeUncleared(size)
	copy(nb, b)
	return nb
}

func (unclearedGoAllocator) Free([]byte) {}

// valueAllocator returns the allocator for buffers the decoder writes in
// full: unclearedGoAllocator in place of Go's, mem itself otherwise (a
// checked or C allocator keeps seeing every buffer).
func valueAllocator(mem memory.Allocator) memory.Allocator {
	if _, ok := mem.(*memory.GoAllocator); ok {
		return unclearedGoAllocator{}
	}
	return mem
}

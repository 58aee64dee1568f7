package mempool

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// minPooled is the smallest allocation the pool recycles: below it the Go
// allocator is as fast, and a free list of tiny buffers would only cost.
const minPooled = 4 << 10

// alignment is Arrow's buffer alignment.
const alignment = 64

var _ memory.Allocator = (*Pool)(nil)

// A Pool recycles buffers by size class: four classes per power of two,
// so a buffer wastes at most a fifth of its capacity.
type Pool struct {
	mu     sync.Mutex
	free   map[int][][]byte // class capacity -> released buffers
	kept   int64            // bytes held in free
	budget int64
}

// New returns a pool that keeps up to budget bytes of released buffers.
func New(budget int64) *Pool {
	return &Pool{free: make(map[int][][]byte), budget: budget}
}

// Allocate returns size zeroed bytes, 64-byte aligned.
func (p *Pool) Allocate(size int) []byte {
	b, recycled := p.get(size)
	if recycled {
		clear(b)
	}
	return b
}

// AllocateUninit is Allocate without the zeroing: the bytes are left as
// the buffer's last user wrote them. It is for a caller that writes every
// byte before anything reads one (the gather kernel's output buffers);
// Free takes the memory back as from Allocate.
func (p *Pool) AllocateUninit(size int) []byte {
	b, _ := p.get(size)
	return b
}

// get returns size bytes, 64-byte aligned, and whether they are recycled
// (else they are new, and zero).
func (p *Pool) get(size int) ([]byte, bool) {
	if size < minPooled {
		return memory.DefaultAllocator.Allocate(size), false
	}
	c := classOf(size)
	p.mu.Lock()
	list := p.free[c]
	if n := len(list); n > 0 {
		b := list[n-1]
		list[n-1] = nil
		p.free[c] = list[:n-1]
		p.kept -= int64(c)
		p.mu.Unlock()
		return b[:size], true
	}
	p.mu.Unlock()
	return newAligned(c)[:size], false
}

// Reallocate resizes b to size bytes, zeroing any bytes it adds, and
// returns the result; b is recycled when it moves.
func (p *Pool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		old := len(b)
		b = b[:size]
		if size > old {
			clear(b[old:])
		}
		return b
	}
	out := p.Allocate(size)
	copy(out, b)
	p.Free(b)
	return out
}

// Free takes b back for a later Allocate of its class, unless the pool
// already holds its budget.
func (p *Pool) Free(b []byte) {
	c := cap(b)
	if c < minPooled || !isClass(c) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kept+int64(c) > p.budget {
		return
	}
	p.free[c] = append(p.free[c], b[:0:c])
	p.kept += int64(c)
}

// Kept is the number of bytes of released buffers the pool holds.
func (p *Pool) Kept() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kept
}

// classOf rounds size up to its class, a multiple of an eighth of the
// power of two at or above it: 5, 6, 7 or 8 eighths.
func classOf(size int) int {
	shift := bits.Len(uint(size-1)) - 3 // size-1 < 8 << shift
	step := 1 << shift
	return (size + step - 1) / step * step
}

// isClass reports whether c is a class capacity, so that Free recycles
// only the pool's own buffers.
func isClass(c int) bool { return c >= minPooled && classOf(c) == c && c%alignment == 0 }

// newAligned returns a zeroed buffer of capacity c whose start is 64-byte
// aligned.
func newAligned(c int) []byte {
	raw := make([]byte, c+alignment)
	shift := -int(uintptr(unsafe.Pointer(unsafe.SliceData(raw)))) & (alignment - 1)
	return raw[shift : shift+c : shift+c]
}

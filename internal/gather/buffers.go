package gather

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// An uninitAllocator hands out memory without zeroing it first
// (mempool.Pool). Every buffer alloc returns is written in full (or
// cleared, for bitmaps) before it is read, so zeroing it is wasted work:
// a few percent of a gather of scattered rows.
type uninitAllocator interface {
	memory.Allocator
	AllocateUninit(size int) []byte
}

// alloc returns a buffer of exactly size bytes from mem, which the caller
// must overwrite entirely: its contents are undefined.
func alloc(mem memory.Allocator, size int) *memory.Buffer {
	if u, ok := mem.(uninitAllocator); ok && size > 0 {
		return memory.NewBufferWithAllocator(u.AllocateUninit(size), u)
	}
	b := memory.NewResizableBuffer(mem)
	b.Resize(size)
	return b
}

// typed views a buffer's bytes as a slice of T. Arrow buffers are 8-byte
// aligned (allocators align to 64, IPC bodies to 8), and the platforms Go
// runs arrow-go on tolerate unaligned loads anyway.
func typed[T any](b []byte) []T {
	size := int(unsafe.Sizeof(*new(T)))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}

// valuesOf returns the rows [0, d.Len()) of d's buffer i as []T, with d's
// offset applied, plus extra trailing elements (1 for offset buffers). A
// buffer too short for the array is corrupt.
func valuesOf[T any](d arrow.ArrayData, i, extra int) ([]T, error) {
	var b []byte
	if bufs := d.Buffers(); i < len(bufs) && bufs[i] != nil {
		b = bufs[i].Bytes()
	}
	if d.Len() == 0 {
		return nil, nil // nothing is read; writers may omit the buffer
	}
	v := typed[T](b)
	need := d.Offset() + d.Len() + extra
	if len(v) < need {
		return nil, corrupt("%s buffer %d holds %d values, the array needs %d", d.DataType(), i, len(v), need)
	}
	return v[d.Offset():need], nil
}

// bitsOf returns d's bitmap buffer i and checks that it covers the array.
func bitsOf(d arrow.ArrayData, i int) ([]byte, error) {
	bufs := d.Buffers()
	if i >= len(bufs) || bufs[i] == nil {
		return nil, nil
	}
	b := bufs[i].Bytes()
	if need := int(bitutil.BytesForBits(int64(d.Offset() + d.Len()))); len(b) < need {
		return nil, corrupt("%s bitmap holds %d bytes, the array needs %d", d.DataType(), len(b), need)
	}
	return b, nil
}

// hasNulls tells whether d may hold nulls in its validity bitmap.
func hasNulls(d arrow.ArrayData) bool {
	bufs := d.Buffers()
	return len(bufs) > 0 && bufs[0] != nil && d.NullN() != 0
}

// gatherValidity copies the validity bits the spans pick. It returns a nil
// buffer and no nulls when no span touches a source with nulls.
func gatherValidity(mem memory.Allocator, srcs []arrow.ArrayData, spans []Span, n int) (*memory.Buffer, int, error) {
	var bits [][]byte // per source, nil when it has no nulls
	for i, s := range srcs {
		if !hasNulls(s) {
			continue
		}
		b, err := bitsOf(s, 0)
		if err != nil {
			return nil, 0, err
		}
		if bits == nil {
			bits = make([][]byte, len(srcs))
		}
		bits[i] = b
	}
	if bits == nil || !anySpanIn(spans, bits) {
		return nil, 0, nil
	}
	buf := alloc(mem, int(bitutil.BytesForBits(int64(n))))
	out := buf.Bytes()
	clear(out)
	copyBits(out, bits, offsetsOf(srcs), spans, true)
	return buf, n - bitutil.CountSetBits(out, 0, n), nil
}

// offsetsOf returns the offset of every source.
func offsetsOf(srcs []arrow.ArrayData) []int {
	offs := make([]int, len(srcs))
	for i, s := range srcs {
		offs[i] = s.Offset()
	}
	return offs
}

// anySpanIn reports whether a span reads a source whose bitmap is set.
func anySpanIn(spans []Span, bits [][]byte) bool {
	for _, s := range spans {
		if bits[s.Src] != nil {
			return true
		}
	}
	return false
}

// copyBits copies the bits spans pick from bitmaps (indexed by source,
// where source i's rows start at bit offsets[i]) into dst, which must be
// zeroed. A nil bitmap reads as all ones when absentSet, else as all
// zeros.
func copyBits(dst []byte, bitmaps [][]byte, offsets []int, spans []Span, absentSet bool) {
	pos := 0
	for _, s := range spans {
		b := bitmaps[s.Src]
		switch {
		case b == nil:
			if absentSet {
				bitutil.SetBitsTo(dst, int64(pos), int64(s.Len), true)
			}
		case s.Len == 1:
			if bitutil.BitIsSet(b, offsets[s.Src]+s.Off) {
				bitutil.SetBit(dst, pos)
			}
		default:
			bitutil.CopyBitmap(b, offsets[s.Src]+s.Off, s.Len, dst, pos)
		}
		pos += s.Len
	}
}

// newData builds the output array data and drops the caller's references
// to buffers and children, which the data now holds.
func newData(dt arrow.DataType, n int, bufs []*memory.Buffer, children []arrow.ArrayData, nulls int) arrow.ArrayData {
	d := array.NewData(dt, n, bufs, children, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	releaseAll(children)
	return d
}

// releaseBuffers drops buffers built before an error.
func releaseBuffers(bufs ...*memory.Buffer) {
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
}

// arrowBytes views a slice of int64 as bytes.
func arrowBytes(v []int64) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*8)
}

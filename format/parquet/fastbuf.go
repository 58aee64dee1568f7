package parquet

import (
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// growBuf is an output buffer from the Reader's allocator that grows by
// doubling, so that appending a page's values at a time costs amortized
// copies only.
type growBuf struct {
	mem memory.Allocator
	b   *memory.Buffer
	n   int // bytes in use
}

// reserve makes room for k more bytes without using them.
func (g *growBuf) reserve(k int) {
	need := g.n + k
	if g.b == nil {
		g.b = memory.NewResizableBuffer(g.mem)
	}
	if need > g.b.Cap() {
		g.b.Reserve(max(need, 2*g.b.Cap()))
	}
}

// extend uses k more bytes and returns them, zeroed when zero is set.
func (g *growBuf) extend(k int, zero bool) []byte {
	if g.b == nil || g.n+k > g.b.Cap() {
		g.reserve(k)
	}
	s := g.b.Buf()[g.n : g.n+k]
	g.n += k
	if zero {
		clear(s)
	}
	return s
}

// finish returns the buffer holding the bytes in use, or nil when none was
// made; the caller owns it. g is empty afterwards.
func (g *growBuf) finish() *memory.Buffer {
	b := g.b
	if b != nil {
		b.ResizeNoShrink(g.n)
	}
	g.b, g.n = nil, 0
	return b
}

func (g *growBuf) release() {
	if g.b != nil {
		g.b.Release()
	}
	g.b, g.n = nil, 0
}

// bitmapBuf builds a validity bitmap or boolean values. As validity it is
// made only when the first null arrives, since most columns have none.
type bitmapBuf struct {
	buf   growBuf
	n     int // bits
	nulls int
	made  bool
}

// appendRun appends k bits set to v.
func (m *bitmapBuf) appendRun(v bool, k int) {
	if k <= 0 {
		return
	}
	if !v {
		m.nulls += k
	}
	if !m.made {
		if v {
			m.n += k
			return
		}
		m.made = true
		m.buf.extend(int(bitutil.BytesForBits(int64(m.n))), false)
		bitutil.SetBitsTo(m.buf.b.Buf(), 0, int64(m.n), true)
	}
	m.grow(k)
	bitutil.SetBitsTo(m.buf.b.Buf(), int64(m.n), int64(k), v)
	m.n += k
}

// grow makes the bytes for k more bits part of the buffer.
func (m *bitmapBuf) grow(k int) {
	if more := int(bitutil.BytesForBits(int64(m.n+k))) - m.buf.n; more > 0 {
		m.buf.extend(more, true)
	}
}

// appendBits appends k bits of src starting at bit off.
func (m *bitmapBuf) appendBits(src []byte, off, k int) {
	m.made = true
	m.grow(k)
	bitutil.CopyBitmap(src, off, k, m.buf.b.Buf(), m.n)
	m.n += k
}

// finish returns the bitmap and its count of zero bits; the bitmap is nil
// when validity was never made.
func (m *bitmapBuf) finish() (*memory.Buffer, int) {
	nulls := m.nulls
	if !m.made {
		m.buf.release()
		m.n, m.nulls = 0, 0
		return nil, nulls
	}
	b := m.buf.finish()
	m.n, m.nulls, m.made = 0, 0, false
	return b, nulls
}

func (m *bitmapBuf) release() {
	m.buf.release()
	m.n, m.nulls, m.made = 0, 0, false
}

package ipc

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// source gives the reader the bytes of the file: straight from the mapping
// when the io.ReaderAt implements format.Mapped, through ReadAt otherwise.
type source struct {
	r      io.ReaderAt
	size   int64
	name   string
	mapped format.Mapped // nil unless memory-mapped
	data   []byte        // the mapping, valid while the Reader holds its reference
}

func newSource(r io.ReaderAt, size int64) (*source, error) {
	s := &source{r: r, size: size, name: "arrow ipc data"}
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		s.name = n.Name()
	}
	if size < 0 {
		return nil, fmt.Errorf("%s: negative size %d", s.name, size)
	}
	if m, ok := r.(format.Mapped); ok {
		m.Retain()
		data := m.Bytes()
		if int64(len(data)) < size {
			m.Release()
			return nil, fmt.Errorf("%s: mapping of %d bytes is shorter than the size %d", s.name, len(data), size)
		}
		s.mapped, s.data = m, data[:size]
	}
	return s, nil
}

// close drops the reference taken by newSource.
func (s *source) close() {
	if s.mapped != nil {
		s.mapped.Release()
		s.mapped, s.data = nil, nil
	}
}

// read returns a copy of n bytes at off on the Go heap. Callers have
// checked off and n against the size, so n never comes from an unchecked
// header field.
func (s *source) read(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > s.size || n > s.size-off {
		return nil, fmt.Errorf("%w: %d bytes at offset %d lie outside the %d-byte file", format.ErrCorrupt, n, off, s.size)
	}
	if s.mapped != nil {
		return append([]byte(nil), s.data[off:off+n]...), nil
	}
	buf := make([]byte, n)
	if err := s.readAt(buf, off); err != nil {
		return nil, err
	}
	return buf, nil
}

func (s *source) readAt(buf []byte, off int64) error {
	got, err := s.r.ReadAt(buf, off)
	if got == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading %d bytes at offset %d: %w", len(buf), off, err)
}

// borrow returns the bytes at off zero-copy, as a buffer that holds a
// reference to the mapping until arrow releases it: every array sliced from
// it keeps the mapping alive, even past the Reader's Close.
func (s *source) borrow(off, n int64) *memory.Buffer {
	s.mapped.Retain()
	return memory.NewBufferWithAllocator(s.data[off:off+n:off+n], &mappingRef{m: s.mapped})
}

// copyTo returns the n bytes at off in memory from mem, 8-byte aligned.
func (s *source) copyTo(mem memory.Allocator, off, n int64) (*memory.Buffer, error) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(n))
	if s.mapped != nil {
		copy(buf.Bytes(), s.data[off:off+n])
		return buf, nil
	}
	if err := s.readAt(buf.Bytes(), off); err != nil {
		buf.Release()
		return nil, err
	}
	return buf, nil
}

// mappingRef is the allocator of a borrowed buffer: freeing the buffer
// drops its reference to the mapping. Nothing should grow such a buffer,
// but if something does, the new memory comes from the Go heap and the
// reference is still dropped exactly once.
type mappingRef struct {
	m    format.Mapped
	once sync.Once
}

func (a *mappingRef) Allocate(size int) []byte { return make([]byte, size) }

func (a *mappingRef) Reallocate(size int, b []byte) []byte {
	out := make([]byte, size)
	copy(out, b)
	return out
}

func (a *mappingRef) Free([]byte) { a.once.Do(a.m.Release) }

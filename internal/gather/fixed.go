package gather

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// gatherFixed copies values of width bytes: numbers, temporals, decimals,
// intervals, fixed-size binary.
func gatherFixed(mem memory.Allocator, dt arrow.DataType, width int, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	validity, nulls, err := gatherValidity(mem, srcs, spans, n)
	if err != nil {
		return nil, err
	}
	values := alloc(mem, n*width)
	switch width {
	case 1:
		err = copyFixed[uint8](values.Bytes(), srcs, spans)
	case 2:
		err = copyFixed[uint16](values.Bytes(), srcs, spans)
	case 4:
		err = copyFixed[uint32](values.Bytes(), srcs, spans)
	case 8:
		err = copyFixed[uint64](values.Bytes(), srcs, spans)
	default:
		err = copyWide(values.Bytes(), width, srcs, spans)
	}
	if err != nil {
		releaseBuffers(validity, values)
		return nil, err
	}
	return newData(dt, n, []*memory.Buffer{validity, values}, nil, nulls), nil
}

// copyFixed copies the values of the spans as T, one assignment for a
// single row (the random-access case) and one memmove for a run.
func copyFixed[T uint8 | uint16 | uint32 | uint64](out []byte, srcs []arrow.ArrayData, spans []Span) error {
	vals := make([][]T, len(srcs))
	for i, s := range srcs {
		v, err := valuesOf[T](s, 1, 0)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	dst := typed[T](out)
	pos := 0
	for i, s := range spans {
		if i+prefetchAhead < len(spans) {
			p := spans[i+prefetchAhead]
			prefetchAt(vals[p.Src], p.Off, p.Len)
		}
		v := vals[s.Src]
		if s.Len == 1 {
			dst[pos] = v[s.Off]
			pos++
			continue
		}
		pos += copy(dst[pos:pos+s.Len], v[s.Off:s.Off+s.Len])
	}
	return nil
}

// copyWide copies values of any byte width (16- and 32-byte decimals and
// intervals, fixed-size binary).
func copyWide(dst []byte, width int, srcs []arrow.ArrayData, spans []Span) error {
	vals := make([][]byte, len(srcs))
	for i, s := range srcs {
		var b []byte
		if bufs := s.Buffers(); len(bufs) > 1 && bufs[1] != nil {
			b = bufs[1].Bytes()
		}
		start, end := s.Offset()*width, (s.Offset()+s.Len())*width
		if s.Len() > 0 && len(b) < end {
			return corrupt("%s values buffer holds %d bytes, the array needs %d", s.DataType(), len(b), end)
		}
		if s.Len() > 0 {
			vals[i] = b[start:end]
		}
	}
	pos := 0
	for i, s := range spans {
		if i+prefetchAhead < len(spans) {
			p := spans[i+prefetchAhead]
			prefetchAt(vals[p.Src], p.Off*width, p.Len*width)
		}
		v := vals[s.Src]
		pos += copy(dst[pos:pos+s.Len*width], v[s.Off*width:(s.Off+s.Len)*width])
	}
	return nil
}

// gatherBool copies bit-packed booleans.
func gatherBool(mem memory.Allocator, dt arrow.DataType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	validity, nulls, err := gatherValidity(mem, srcs, spans, n)
	if err != nil {
		return nil, err
	}
	bits := make([][]byte, len(srcs))
	for i, s := range srcs {
		if bits[i], err = bitsOf(s, 1); err != nil {
			releaseBuffers(validity)
			return nil, err
		}
	}
	values := alloc(mem, int(bitutil.BytesForBits(int64(n))))
	clear(values.Bytes())
	copyBits(values.Bytes(), bits, srcs, spans, false)
	return newData(dt, n, []*memory.Buffer{validity, values}, nil, nulls), nil
}

package gather

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// gatherFixed copies values of c.width bytes: numbers, temporals,
// decimals, intervals, fixed-size binary.
func gatherFixed(mem memory.Allocator, c *column, spans []Span, n int) (arrow.ArrayData, error) {
	validity, nulls := c.validity(mem, spans, n)
	values := alloc(mem, n*c.width)
	switch c.width {
	case 1:
		copyFixed[uint8](values.Bytes(), c.values, spans)
	case 2:
		copyFixed[uint16](values.Bytes(), c.values, spans)
	case 4:
		copyFixed[uint32](values.Bytes(), c.values, spans)
	case 8:
		copyFixed[uint64](values.Bytes(), c.values, spans)
	default:
		copyWide(values.Bytes(), c.width, c.values, spans)
	}
	return newData(c.dt, n, []*memory.Buffer{validity, values}, nil, nulls), nil
}

// copyFixed copies the values of the spans as T from vals (per source, its
// rows' values), one assignment for a single row (the random-access case)
// and one memmove for a run.
func copyFixed[T uint8 | uint16 | uint32 | uint64](out []byte, vals [][]byte, spans []Span) {
	dst := typed[T](out)
	pos := 0
	for i, s := range spans {
		if i+prefetchAhead < len(spans) {
			p := spans[i+prefetchAhead]
			prefetchAt(typed[T](vals[p.Src]), p.Off, p.Len)
		}
		v := typed[T](vals[s.Src])
		if s.Len == 1 {
			dst[pos] = v[s.Off]
			pos++
			continue
		}
		pos += copy(dst[pos:pos+s.Len], v[s.Off:s.Off+s.Len])
	}
}

// copyWide copies values of any byte width (16- and 32-byte decimals and
// intervals, fixed-size binary).
func copyWide(dst []byte, width int, vals [][]byte, spans []Span) {
	pos := 0
	for i, s := range spans {
		if i+prefetchAhead < len(spans) {
			p := spans[i+prefetchAhead]
			prefetchAt(vals[p.Src], p.Off*width, p.Len*width)
		}
		v := vals[s.Src]
		pos += copy(dst[pos:pos+s.Len*width], v[s.Off*width:(s.Off+s.Len)*width])
	}
}

// fixedViews returns the values of every source, width bytes each (see
// fixedValues).
func fixedViews(srcs []arrow.ArrayData, width int) ([][]byte, error) {
	vals := make([][]byte, len(srcs))
	for i, s := range srcs {
		v, err := fixedValues(s, width)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
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
	copyBits(values.Bytes(), bits, offsetsOf(srcs), spans, false)
	return newData(dt, n, []*memory.Buffer{validity, values}, nil, nulls), nil
}

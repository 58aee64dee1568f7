package arrowjson

import (
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// newBuffer allocates a zeroed buffer of size bytes. Callers size it from
// the length of a JSON array already in memory, never from a count the
// document merely claims.
func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(size)
	clear(b.Bytes())
	return b
}

// release releases the buffers that are not nil.
func release(bufs ...*memory.Buffer) {
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
}

// validity decodes VALIDITY into a bitmap, or nil when every slot is
// valid, and returns the null count. A missing VALIDITY means all valid.
func validity(mem memory.Allocator, c *jsonColumn, n int) (*memory.Buffer, int, error) {
	if c.Validity == nil {
		return nil, 0, nil
	}
	if len(c.Validity) != n {
		return nil, 0, fmt.Errorf("%w: VALIDITY has %d entries for %d rows", format.ErrCorrupt, len(c.Validity), n)
	}
	nulls := 0
	for i, v := range c.Validity {
		switch v {
		case 0:
			nulls++
		case 1:
		default:
			return nil, 0, fmt.Errorf("%w: VALIDITY[%d] is %d, not 0 or 1", format.ErrCorrupt, i, v)
		}
	}
	if nulls == 0 {
		return nil, 0, nil
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	for i, v := range c.Validity {
		bitutil.SetBitTo(buf.Bytes(), i, v == 1)
	}
	return buf, nulls, nil
}

// isValid reports whether slot i of c is valid.
func isValid(c *jsonColumn, i int) bool {
	return c.Validity == nil || c.Validity[i] == 1
}

// checkLen checks that a per-row buffer has one entry per row.
func checkLen(name string, got, n int) error {
	if got != n {
		return fmt.Errorf("%w: %s has %d entries for %d rows", format.ErrCorrupt, name, got, n)
	}
	return nil
}

// fixed decodes DATA into a buffer of fixed-width values.
func fixed[T arrow.FixedWidthType](mem memory.Allocator, c *jsonColumn, n int, parse func(json.RawMessage) (T, error)) (*memory.Buffer, error) {
	if err := checkLen("DATA", len(c.Data), n); err != nil {
		return nil, err
	}
	var zero T
	buf := newBuffer(mem, n*len(arrow.GetBytes([]T{zero})))
	values := arrow.GetData[T](buf.Bytes())
	for i, raw := range c.Data {
		v, err := parse(raw)
		if err != nil {
			buf.Release()
			return nil, fmt.Errorf("DATA[%d]: %w", i, err)
		}
		values[i] = v
	}
	return buf, nil
}

// ints adapts an integer parser to the Go type of a buffer.
func ints[T ~int8 | ~int16 | ~int32 | ~int64](bits int) func(json.RawMessage) (T, error) {
	return func(raw json.RawMessage) (T, error) {
		v, err := parseInt(raw, bits)
		return T(v), err
	}
}

func uints[T ~uint8 | ~uint16 | ~uint32 | ~uint64](bits int) func(json.RawMessage) (T, error) {
	return func(raw json.RawMessage) (T, error) {
		v, err := parseUint(raw, bits)
		return T(v), err
	}
}

func floats[T ~float32 | ~float64](bits int) func(json.RawMessage) (T, error) {
	return func(raw json.RawMessage) (T, error) {
		v, err := parseFloat(raw, bits)
		return T(v), err
	}
}

// bools decodes DATA into a bitmap of values.
func bools(mem memory.Allocator, c *jsonColumn, n int) (*memory.Buffer, error) {
	if err := checkLen("DATA", len(c.Data), n); err != nil {
		return nil, err
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	for i, raw := range c.Data {
		v, err := parseBool(raw)
		if err != nil {
			buf.Release()
			return nil, fmt.Errorf("DATA[%d]: %w", i, err)
		}
		bitutil.SetBitTo(buf.Bytes(), i, v)
	}
	return buf, nil
}

// offsets parses OFFSET: n+1 non-decreasing, non-negative positions no
// larger than limit (the child's length or the data's size).
func offsets(c *jsonColumn, n int, large bool, limit int) ([]int64, error) {
	if len(c.Offset) == 0 && n == 0 {
		return []int64{0}, nil // writers may omit the single offset of an empty column
	}
	if len(c.Offset) != n+1 {
		return nil, fmt.Errorf("%w: OFFSET has %d entries, want %d (one per row and one more)", format.ErrCorrupt, len(c.Offset), n+1)
	}
	bits := 32
	if large {
		bits = 64
	}
	out := make([]int64, len(c.Offset))
	for i, raw := range c.Offset {
		v, err := parseInt(raw, bits)
		if err != nil {
			return nil, fmt.Errorf("OFFSET[%d]: %w", i, err)
		}
		switch {
		case v < 0:
			return nil, fmt.Errorf("%w: OFFSET[%d] is negative (%d)", format.ErrCorrupt, i, v)
		case i > 0 && v < out[i-1]:
			return nil, fmt.Errorf("%w: OFFSET[%d] = %d decreases from %d", format.ErrCorrupt, i, v, out[i-1])
		case v > int64(limit):
			return nil, fmt.Errorf("%w: OFFSET[%d] = %d is past the end (%d)", format.ErrCorrupt, i, v, limit)
		}
		out[i] = v
	}
	return out, nil
}

// offsetBuffer writes offsets (or list view sizes) as int32 or int64.
func offsetBuffer(mem memory.Allocator, values []int64, large bool) *memory.Buffer {
	if large {
		buf := newBuffer(mem, len(values)*arrow.Int64SizeBytes)
		copy(arrow.Int64Traits.CastFromBytes(buf.Bytes()), values)
		return buf
	}
	buf := newBuffer(mem, len(values)*arrow.Int32SizeBytes)
	out := arrow.Int32Traits.CastFromBytes(buf.Bytes())
	for i, v := range values {
		out[i] = int32(v)
	}
	return buf
}

package arrowjson

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// maxRows bounds a column's count. Arrow allows more, but no test file
// comes close, and a column of a type without buffers (null, or a struct of
// nulls) would otherwise take any length the document claims.
const maxRows = math.MaxInt32

// decoder turns JSON columns into array data. It decodes each dictionary
// once, on first use, and holds it until release.
type decoder struct {
	mem        memory.Allocator
	dictFields map[int64]*field      // the first field using each id
	dictJSON   map[int64]*jsonColumn // the "dictionaries" section
	dicts      map[int64]*array.Data // decoded so far
	busy       map[int64]bool        // being decoded, to refuse cycles
}

func (d *decoder) release() {
	for _, data := range d.dicts {
		data.Release()
	}
	d.dicts = nil
}

// columnError names the column in which decoding failed.
type columnError struct {
	path string
	err  error
}

func (e *columnError) Error() string { return fmt.Sprintf("column %q: %v", e.path, e.err) }
func (e *columnError) Unwrap() error { return e.err }

// column decodes c as a column of field f; path names it in errors.
func (d *decoder) column(f *field, c *jsonColumn, path string) (arrow.ArrayData, error) {
	data, err := d.decode(f, c, path)
	if err != nil {
		if ce := (*columnError)(nil); !errors.As(err, &ce) {
			err = &columnError{path: path, err: err}
		}
		return nil, err
	}
	return data, nil
}

func (d *decoder) decode(f *field, c *jsonColumn, path string) (arrow.ArrayData, error) {
	if c.Count < 0 || c.Count > maxRows {
		return nil, fmt.Errorf("%w: count %d out of range", format.ErrCorrupt, c.Count)
	}
	n := int(c.Count)
	if f.encoded {
		return d.indices(f, c, n)
	}
	switch f.Type.ID() {
	case arrow.NULL:
		return array.NewData(f.Type, n, []*memory.Buffer{nil}, nil, n, 0), nil
	case arrow.BINARY, arrow.STRING, arrow.LARGE_BINARY, arrow.LARGE_STRING:
		return d.binary(f.Type, c, n)
	case arrow.BINARY_VIEW, arrow.STRING_VIEW:
		return d.views(f.Type, c, n)
	case arrow.LIST, arrow.LARGE_LIST, arrow.MAP:
		return d.list(f, c, n, path)
	case arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		return d.listView(f, c, n, path)
	case arrow.FIXED_SIZE_LIST:
		return d.fixedSizeList(f, c, n, path)
	case arrow.STRUCT:
		return d.structs(f, c, n, path)
	case arrow.SPARSE_UNION, arrow.DENSE_UNION:
		return d.union(f, c, n, path)
	case arrow.RUN_END_ENCODED:
		return d.runEndEncoded(f, c, n, path)
	}
	if _, ok := f.Type.(arrow.FixedWidthDataType); ok {
		return d.primitive(f.Type, c, n)
	}
	return nil, fmt.Errorf("%w: columns of type %s", format.ErrUnsupported, f.Type)
}

// primitive decodes a column of a fixed-width type: validity and values.
func (d *decoder) primitive(dt arrow.DataType, c *jsonColumn, n int) (arrow.ArrayData, error) {
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	values, err := d.fixedWidth(dt, c, n)
	if err != nil {
		return nil, err
	}
	defer values.Release()
	return array.NewData(dt, n, []*memory.Buffer{valid, values}, nil, nulls, 0), nil
}

// fixedWidth decodes DATA into the value buffer of a fixed-width type.
func (d *decoder) fixedWidth(dt arrow.DataType, c *jsonColumn, n int) (*memory.Buffer, error) {
	m := d.mem
	switch dt.ID() {
	case arrow.BOOL:
		return bools(m, c, n)
	case arrow.INT8:
		return fixed(m, c, n, ints[int8](8))
	case arrow.INT16:
		return fixed(m, c, n, ints[int16](16))
	case arrow.INT32, arrow.DATE32, arrow.TIME32, arrow.INTERVAL_MONTHS:
		return fixed(m, c, n, ints[int32](32))
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return fixed(m, c, n, ints[int64](64))
	case arrow.UINT8:
		return fixed(m, c, n, uints[uint8](8))
	case arrow.UINT16:
		return fixed(m, c, n, uints[uint16](16))
	case arrow.UINT32:
		return fixed(m, c, n, uints[uint32](32))
	case arrow.UINT64:
		return fixed(m, c, n, uints[uint64](64))
	case arrow.FLOAT16:
		return fixed(m, c, n, parseFloat16)
	case arrow.FLOAT32:
		return fixed(m, c, n, floats[float32](32))
	case arrow.FLOAT64:
		return fixed(m, c, n, floats[float64](64))
	case arrow.DECIMAL32:
		return fixed(m, c, n, parseDecimal32)
	case arrow.DECIMAL64:
		return fixed(m, c, n, parseDecimal64)
	case arrow.DECIMAL128:
		return fixed(m, c, n, parseDecimal128)
	case arrow.DECIMAL256:
		return fixed(m, c, n, parseDecimal256)
	case arrow.INTERVAL_DAY_TIME:
		return fixed(m, c, n, parseDayTime)
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return fixed(m, c, n, parseMonthDayNano)
	case arrow.FIXED_SIZE_BINARY:
		return fixedSizeBinary(m, c, n, dt.(*arrow.FixedSizeBinaryType).ByteWidth)
	}
	return nil, fmt.Errorf("%w: columns of type %s", format.ErrUnsupported, dt)
}

// fixedSizeBinary decodes hex values of exactly width bytes each, null
// slots included (writers fill them), so the buffer is no larger than the
// text that describes it, whatever byteWidth claims.
func fixedSizeBinary(mem memory.Allocator, c *jsonColumn, n, width int) (*memory.Buffer, error) {
	values, err := parseAll(c, n, parseBytes)
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if len(v) != width {
			return nil, fmt.Errorf("%w: DATA[%d] has %d bytes, want %d", format.ErrCorrupt, i, len(v), width)
		}
	}
	buf := newBuffer(mem, n*width)
	for i, v := range values {
		copy(buf.Bytes()[i*width:], v)
	}
	return buf, nil
}

// children decodes the child columns of c, which must be one per child
// field, each with the name of its field.
func (d *decoder) children(f *field, c *jsonColumn, path string) ([]arrow.ArrayData, error) {
	if len(c.Children) != len(f.children) {
		return nil, fmt.Errorf("%w: %d children, want %d", format.ErrCorrupt, len(c.Children), len(f.children))
	}
	out := make([]arrow.ArrayData, 0, len(c.Children))
	for i, cf := range f.children {
		cc := &c.Children[i]
		if cc.Name != cf.Name {
			releaseData(out)
			return nil, fmt.Errorf("%w: child %d is named %q, want %q", format.ErrCorrupt, i, cc.Name, cf.Name)
		}
		child, err := d.column(cf, cc, path+"."+cf.Name)
		if err != nil {
			releaseData(out)
			return nil, err
		}
		out = append(out, child)
	}
	return out, nil
}

func releaseData(data []arrow.ArrayData) {
	for _, d := range data {
		d.Release()
	}
}

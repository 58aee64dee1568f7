package gather

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A column is one field's arrays across the sources of a gather, with
// what its kernel reads of each source (buffers, offsets, bitmaps)
// located and checked once, when the source is added. A global shuffle
// draws each batch from thousands of sources; finding their buffers again
// for every batch, through array, data and buffer headers that are cache
// misses all, cost a third of the gather. Sources keeps columns from
// batch to batch; gatherData builds one per call.
type column struct {
	dt    arrow.DataType
	kind  kind
	width int               // kindFixed: bytes per value
	data  []arrow.ArrayData // per source

	// Per source, for the kinds other than kindOther:
	bits     [][]byte // the validity bitmap when the source may hold nulls, else nil
	offset   []int    // the array's offset, where its rows start in bits
	nullable int      // how many sources have a bitmap
	values   [][]byte // kindFixed: the rows' values; kindBinary*: the data buffer
	offs32   [][]int32
	offs64   [][]int64 // kindBinary*, kindList*: the rows' offsets, one more than rows
	limits   []int64   // kindBinary*: data bytes; kindList*: child rows
	child    *column   // kindList*: the child arrays, one per source

	// kindList*: per source, the length of its every list when they all
	// have one (embeddings), else -1; ragged counts the sources of -1.
	stride []int64
	ragged int
}

// kind is how a column's sources are prepared and gathered.
type kind uint8

const (
	kindOther    kind = iota // gatherData on the arrays, per gather
	kindFixed                // fixed-width values of whole bytes
	kindBinary32             // binary and string
	kindBinary64             // large binary and large string
	kindList32               // list and map
	kindList64               // large list
)

// newColumn returns an empty column of type dt. Its kinds follow
// gatherData's dispatch.
func newColumn(dt arrow.DataType) *column {
	c := &column{dt: dt}
	switch t := dt.(type) {
	case arrow.ExtensionType, *arrow.NullType, *arrow.BooleanType, *arrow.DictionaryType:
	case *arrow.BinaryType, *arrow.StringType:
		c.kind = kindBinary32
	case *arrow.LargeBinaryType, *arrow.LargeStringType:
		c.kind = kindBinary64
	case *arrow.ListType:
		c.kind, c.child = kindList32, newColumn(t.Elem())
	case *arrow.MapType:
		c.kind, c.child = kindList32, newColumn(t.Elem())
	case *arrow.LargeListType:
		c.kind, c.child = kindList64, newColumn(t.Elem())
	case *arrow.FixedSizeListType, *arrow.StructType, arrow.UnionType:
	case arrow.FixedWidthDataType:
		if t.BitWidth() > 0 && t.BitWidth()%8 == 0 {
			c.kind, c.width = kindFixed, t.BitWidth()/8
		}
	}
	return c
}

// columnOf returns a column of type dt holding srcs.
func columnOf(dt arrow.DataType, srcs []arrow.ArrayData) (*column, error) {
	c := newColumn(dt)
	for _, s := range srcs {
		if err := c.add(s); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// add appends source d, which must have the column's type. On error the
// column may hold part of d: truncate it to the sources before.
func (c *column) add(d arrow.ArrayData) error {
	c.data = append(c.data, d)
	if c.kind == kindOther {
		return nil
	}
	var bits []byte
	if hasNulls(d) {
		b, err := bitsOf(d, 0)
		if err != nil {
			return err
		}
		bits = b
		c.nullable++
	}
	c.bits = append(c.bits, bits)
	c.offset = append(c.offset, d.Offset())
	switch c.kind {
	case kindFixed:
		v, err := fixedValues(d, c.width)
		if err != nil {
			return err
		}
		c.values = append(c.values, v)
	case kindBinary32:
		return addBinary(c, &c.offs32, d)
	case kindBinary64:
		return addBinary(c, &c.offs64, d)
	case kindList32:
		return addList(c, &c.offs32, d)
	case kindList64:
		return addList(c, &c.offs64, d)
	}
	return nil
}

func addBinary[O offset](c *column, offs *[][]O, d arrow.ArrayData) error {
	o, err := valuesOf[O](d, 1, 1)
	if err != nil {
		return err
	}
	var data []byte
	if bufs := d.Buffers(); len(bufs) > 2 && bufs[2] != nil {
		data = bufs[2].Bytes()
	}
	*offs = append(*offs, o)
	c.values = append(c.values, data)
	c.limits = append(c.limits, int64(len(data)))
	return nil
}

func addList[O offset](c *column, offs *[][]O, d arrow.ArrayData) error {
	o, err := valuesOf[O](d, 1, 1)
	if err != nil {
		return err
	}
	if len(d.Children()) != 1 {
		return corrupt("%s with %d children", c.dt, len(d.Children()))
	}
	child := d.Children()[0]
	*offs = append(*offs, o)
	c.limits = append(c.limits, int64(child.Len()))
	k := uniformStride(o, int64(child.Len()))
	c.stride = append(c.stride, k)
	if k < 0 {
		c.ragged++
	}
	return c.child.add(child)
}

// uniformStride returns k when offsets o are o[0] + i*k for every i, within
// [0, limit]: lists of one length, as embeddings are, whose rows a gather
// can locate by arithmetic instead of reading their offsets (for a
// shuffle, one cache miss a row). It returns -1 otherwise, or for no rows.
// One pass over offsets that the reader has just checked, and that the
// gather of an unshuffled read reads anyway.
//
// The differences are taken in int64, where 32-bit offsets cannot wrap
// (a corrupt offset of -2^31 after a large one did), and the stride is at
// most limit, so that 64-bit offsets cannot wrap either: every offset is
// then o[0] + i*k exactly, within [0, limit], and a stride from garbage
// never sizes the child's gather.
func uniformStride[O offset](o []O, limit int64) int64 {
	if len(o) < 2 || o[0] < 0 || int64(o[len(o)-1]) > limit {
		return -1
	}
	k := int64(o[1]) - int64(o[0])
	if k < 0 || k > limit {
		return -1
	}
	for i := 2; i < len(o); i++ {
		if int64(o[i])-int64(o[i-1]) != k {
			return -1
		}
	}
	return k
}

// fixedValues returns the bytes of d's values, width bytes each, with d's
// offset applied; a buffer too short for the array is corrupt.
func fixedValues(d arrow.ArrayData, width int) ([]byte, error) {
	if d.Len() == 0 {
		return nil, nil // nothing is read; writers may omit the buffer
	}
	var b []byte
	if bufs := d.Buffers(); len(bufs) > 1 && bufs[1] != nil {
		b = bufs[1].Bytes()
	}
	start, end := d.Offset()*width, (d.Offset()+d.Len())*width
	if len(b) < end {
		return nil, corrupt("%s values buffer holds %d bytes, the array needs %d", d.DataType(), len(b), end)
	}
	return b[start:end:end], nil
}

// grow makes room for n more sources.
func (c *column) grow(n int) {
	c.data = slices.Grow(c.data, n)
	if c.kind == kindOther {
		return
	}
	c.bits = slices.Grow(c.bits, n)
	c.offset = slices.Grow(c.offset, n)
	switch c.kind {
	case kindFixed:
		c.values = slices.Grow(c.values, n)
	case kindBinary32, kindBinary64:
		c.values = slices.Grow(c.values, n)
		c.limits = slices.Grow(c.limits, n)
	case kindList32, kindList64:
		c.limits = slices.Grow(c.limits, n)
		c.stride = slices.Grow(c.stride, n)
		c.child.grow(n)
	}
	switch c.kind {
	case kindBinary32, kindList32:
		c.offs32 = slices.Grow(c.offs32, n)
	case kindBinary64, kindList64:
		c.offs64 = slices.Grow(c.offs64, n)
	}
}

// truncate keeps the first n sources.
func (c *column) truncate(n int) {
	c.data = truncated(c.data, n)
	c.bits = truncated(c.bits, n)
	c.offset = truncated(c.offset, n)
	c.values = truncated(c.values, n)
	c.offs32 = truncated(c.offs32, n)
	c.offs64 = truncated(c.offs64, n)
	c.limits = truncated(c.limits, n)
	c.stride = truncated(c.stride, n)
	c.recount()
	if c.child != nil {
		c.child.truncate(n)
	}
}

// keep keeps the sources i for which keep[i] is set, in order.
func (c *column) keep(keep []bool) {
	c.data = kept(c.data, keep)
	c.bits = kept(c.bits, keep)
	c.offset = kept(c.offset, keep)
	c.values = kept(c.values, keep)
	c.offs32 = kept(c.offs32, keep)
	c.offs64 = kept(c.offs64, keep)
	c.limits = kept(c.limits, keep)
	c.stride = kept(c.stride, keep)
	c.recount()
	if c.child != nil {
		c.child.keep(keep)
	}
}

// recount counts the sources with nulls and the ragged ones again.
func (c *column) recount() {
	c.nullable = 0
	for _, b := range c.bits {
		if b != nil {
			c.nullable++
		}
	}
	c.ragged = 0
	for _, k := range c.stride {
		if k < 0 {
			c.ragged++
		}
	}
}

// truncated returns s[:n] (s itself when shorter), clearing what it drops
// so that no reference to a dropped source remains.
func truncated[T any](s []T, n int) []T {
	if len(s) <= n {
		return s
	}
	clear(s[n:])
	return s[:n]
}

// kept returns the elements i of s for which keep[i] is set, in place. A
// slice shorter than keep (a kind that does not fill it) is left alone.
func kept[T any](s []T, keep []bool) []T {
	if len(s) != len(keep) {
		return s
	}
	n := 0
	for i, x := range s {
		if keep[i] {
			s[n] = x
			n++
		}
	}
	clear(s[n:])
	return s[:n]
}

// gather copies the rows spans pick; spans are valid for the column's
// sources and cover n rows.
func (c *column) gather(mem memory.Allocator, spans []Span, n int) (arrow.ArrayData, error) {
	switch c.kind {
	case kindFixed:
		return gatherFixed(mem, c, spans, n)
	case kindBinary32:
		return gatherBinary(mem, c, c.offs32, spans, n)
	case kindBinary64:
		return gatherBinary(mem, c, c.offs64, spans, n)
	case kindList32:
		return gatherList(mem, c, c.offs32, spans, n)
	case kindList64:
		return gatherList(mem, c, c.offs64, spans, n)
	}
	return gatherData(mem, c.dt, c.data, spans, n)
}

// validity copies the validity bits the spans pick. It returns a nil
// buffer and no nulls when no span touches a source with nulls.
func (c *column) validity(mem memory.Allocator, spans []Span, n int) (*memory.Buffer, int) {
	if c.nullable == 0 || !anySpanIn(spans, c.bits) {
		return nil, 0
	}
	buf := alloc(mem, int(bitutil.BytesForBits(int64(n))))
	out := buf.Bytes()
	clear(out)
	copyBits(out, c.bits, c.offset, spans, true)
	return buf, n - bitutil.CountSetBits(out, 0, n)
}

package arrowjson

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// onlyChild decodes the single child column of a list-like column.
func (d *decoder) onlyChild(f *field, c *jsonColumn, path string) (arrow.ArrayData, error) {
	children, err := d.children(f, c, path)
	if err != nil {
		return nil, err
	}
	return children[0], nil
}

// list decodes list, large_list and map columns: validity, offsets and the
// child holding the elements (for a map, the key-value entries).
func (d *decoder) list(f *field, c *jsonColumn, n int, path string) (arrow.ArrayData, error) {
	if mt, ok := f.Type.(*arrow.MapType); ok {
		// arrow-go names a map's entries "entries", "key" and "value"
		// whatever the file calls them, so the child takes the map's own
		// entries type.
		entries := *f.children[0]
		entries.Type = mt.Elem()
		mf := *f
		mf.children = []*field{&entries}
		f = &mf
	}
	child, err := d.onlyChild(f, c, path)
	if err != nil {
		return nil, err
	}
	defer child.Release()
	large := f.Type.ID() == arrow.LARGE_LIST
	off, err := offsets(c, n, large, child.Len())
	if err != nil {
		return nil, err
	}
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	offBuf := offsetBuffer(d.mem, off, large)
	defer offBuf.Release()
	return array.NewData(f.Type, n, []*memory.Buffer{valid, offBuf}, []arrow.ArrayData{child}, nulls, 0), nil
}

// listView decodes list_view and large_list_view columns: each row is
// OFFSET[i] and SIZE[i] into the child.
func (d *decoder) listView(f *field, c *jsonColumn, n int, path string) (arrow.ArrayData, error) {
	child, err := d.onlyChild(f, c, path)
	if err != nil {
		return nil, err
	}
	defer child.Release()
	large := f.Type.ID() == arrow.LARGE_LIST_VIEW
	bits := 32
	if large {
		bits = 64
	}
	if err := checkLen("OFFSET", len(c.Offset), n); err != nil {
		return nil, err
	}
	if err := checkLen("SIZE", len(c.Size), n); err != nil {
		return nil, err
	}
	offs, sizes := make([]int64, n), make([]int64, n)
	for i := range n {
		off, err := parseInt(c.Offset[i], bits)
		if err != nil {
			return nil, fmt.Errorf("OFFSET[%d]: %w", i, err)
		}
		size, err := parseInt(c.Size[i], bits)
		if err != nil {
			return nil, fmt.Errorf("SIZE[%d]: %w", i, err)
		}
		if off < 0 || size < 0 || off > int64(child.Len())-size {
			return nil, fmt.Errorf("%w: row %d spans [%d, %d+%d) outside the child's %d elements", format.ErrCorrupt, i, off, off, size, child.Len())
		}
		offs[i], sizes[i] = off, size
	}
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	offBuf, sizeBuf := offsetBuffer(d.mem, offs, large), offsetBuffer(d.mem, sizes, large)
	defer release(offBuf, sizeBuf)
	return array.NewData(f.Type, n, []*memory.Buffer{valid, offBuf, sizeBuf}, []arrow.ArrayData{child}, nulls, 0), nil
}

// fixedSizeList decodes a fixed_size_list column: the child holds exactly
// listSize elements per row.
func (d *decoder) fixedSizeList(f *field, c *jsonColumn, n int, path string) (arrow.ArrayData, error) {
	child, err := d.onlyChild(f, c, path)
	if err != nil {
		return nil, err
	}
	defer child.Release()
	size := f.Type.(*arrow.FixedSizeListType).Len()
	if int64(child.Len()) != int64(n)*int64(size) {
		return nil, fmt.Errorf("%w: child has %d elements for %d rows of %d", format.ErrCorrupt, child.Len(), n, size)
	}
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	return array.NewData(f.Type, n, []*memory.Buffer{valid}, []arrow.ArrayData{child}, nulls, 0), nil
}

// structs decodes a struct column: validity and one child per field, each
// as long as the struct.
func (d *decoder) structs(f *field, c *jsonColumn, n int, path string) (arrow.ArrayData, error) {
	children, err := d.children(f, c, path)
	if err != nil {
		return nil, err
	}
	defer releaseData(children)
	for i, child := range children {
		if child.Len() != n {
			return nil, fmt.Errorf("%w: child %q has %d rows, want %d", format.ErrCorrupt, f.children[i].Name, child.Len(), n)
		}
	}
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	return array.NewData(f.Type, n, []*memory.Buffer{valid}, children, nulls, 0), nil
}

// union decodes sparse and dense unions: a type id per row picks the
// child, and in a dense union OFFSET[i] is the row's position in it.
// Unions have had no validity bitmap since Arrow 1.0.
func (d *decoder) union(f *field, c *jsonColumn, n int, path string) (arrow.ArrayData, error) {
	ut := f.Type.(arrow.UnionType)
	for _, v := range c.Validity {
		if v == 0 {
			return nil, fmt.Errorf("%w: union with null slots in a validity bitmap (the pre-1.0 layout)", format.ErrUnsupported)
		}
	}
	children, err := d.children(f, c, path)
	if err != nil {
		return nil, err
	}
	defer releaseData(children)
	if err := checkLen("TYPE_ID", len(c.TypeID), n); err != nil {
		return nil, err
	}
	ids := newBuffer(d.mem, n)
	defer ids.Release()
	childOf := make([]int, n)
	for i, code := range c.TypeID {
		if code < 0 || code > int(arrow.MaxUnionTypeCode) || ut.ChildIDs()[code] == arrow.InvalidUnionChildID {
			return nil, fmt.Errorf("%w: TYPE_ID[%d] = %d is not one of %v", format.ErrCorrupt, i, code, ut.TypeCodes())
		}
		ids.Bytes()[i] = byte(code)
		childOf[i] = ut.ChildIDs()[code]
	}
	if ut.Mode() == arrow.SparseMode {
		for i, child := range children {
			if child.Len() != n {
				return nil, fmt.Errorf("%w: sparse union child %q has %d rows, want %d", format.ErrCorrupt, f.children[i].Name, child.Len(), n)
			}
		}
		return array.NewData(f.Type, n, []*memory.Buffer{nil, ids}, children, 0, 0), nil
	}
	if err := checkLen("OFFSET", len(c.Offset), n); err != nil {
		return nil, err
	}
	offs := make([]int64, n)
	for i, raw := range c.Offset {
		off, err := parseInt(raw, 32)
		if err != nil {
			return nil, fmt.Errorf("OFFSET[%d]: %w", i, err)
		}
		if off < 0 || off >= int64(children[childOf[i]].Len()) {
			return nil, fmt.Errorf("%w: OFFSET[%d] = %d is outside child %q of %d rows", format.ErrCorrupt, i, off, f.children[childOf[i]].Name, children[childOf[i]].Len())
		}
		offs[i] = off
	}
	offBuf := offsetBuffer(d.mem, offs, false)
	defer offBuf.Release()
	return array.NewData(f.Type, n, []*memory.Buffer{nil, ids, offBuf}, children, 0, 0), nil
}

// runEndEncoded decodes a run-end encoded column: its children are the run
// ends (strictly increasing, the last covering every row) and one value per
// run.
func (d *decoder) runEndEncoded(f *field, c *jsonColumn, n int, path string) (arrow.ArrayData, error) {
	children, err := d.children(f, c, path)
	if err != nil {
		return nil, err
	}
	defer releaseData(children)
	runEnds, values := children[0], children[1]
	if runEnds.NullN() != 0 {
		return nil, fmt.Errorf("%w: run ends have nulls", format.ErrCorrupt)
	}
	if runEnds.Len() != values.Len() {
		return nil, fmt.Errorf("%w: %d run ends for %d values", format.ErrCorrupt, runEnds.Len(), values.Len())
	}
	ends := runEndValues(runEnds)
	prev := int64(0)
	for i, end := range ends {
		if end <= prev {
			return nil, fmt.Errorf("%w: run end %d (%d) does not increase past %d", format.ErrCorrupt, i, end, prev)
		}
		prev = end
	}
	if prev < int64(n) {
		return nil, fmt.Errorf("%w: runs end at %d, before the %d rows do", format.ErrCorrupt, prev, n)
	}
	return array.NewData(f.Type, n, []*memory.Buffer{nil}, children, 0, 0), nil
}

// runEndValues widens the run ends, which are int16, int32 or int64.
func runEndValues(data arrow.ArrayData) []int64 {
	out := make([]int64, data.Len())
	switch data.DataType().ID() {
	case arrow.INT16:
		for i, v := range arrow.GetValues[int16](data, 1) {
			out[i] = int64(v)
		}
	case arrow.INT32:
		for i, v := range arrow.GetValues[int32](data, 1) {
			out[i] = int64(v)
		}
	default:
		copy(out, arrow.GetValues[int64](data, 1))
	}
	return out
}

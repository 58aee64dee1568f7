package gather

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// gatherList copies lists, large lists and maps: the offsets, then the
// children as one span per run of parent rows. offs is c.offs32 or
// c.offs64, as O.
func gatherList[O offset](mem memory.Allocator, c *column, offs [][]O, spans []Span, n int) (arrow.ArrayData, error) {
	offsets := alloc(mem, (n+1)*int(sizeOf[O]()))
	scratch := borrowSpans(len(spans))
	var childSpans []Span
	var err error
	if c.ragged == 0 && len(c.stride) == len(offs) {
		childSpans, err = uniformOffsets(typed[O](offsets.Bytes()), offs, c.stride, spans, *scratch)
	} else {
		childSpans, err = gatherOffsets(typed[O](offsets.Bytes()), offs, c.limits, spans, *scratch)
	}
	defer func() { returnSpans(scratch, childSpans) }() // the child's gather keeps no span
	if err != nil {
		releaseBuffers(offsets)
		return nil, err
	}
	child, err := c.child.gather(mem, childSpans, int(typed[O](offsets.Bytes())[n]))
	if err != nil {
		releaseBuffers(offsets)
		return nil, err
	}
	validity, nulls := c.validity(mem, spans, n)
	return newData(c.dt, n, []*memory.Buffer{validity, offsets}, []arrow.ArrayData{child}, nulls), nil
}

// uniformOffsets is gatherOffsets for sources whose lists all have one
// length per source (stride, from uniformStride): it computes the child
// rows of each span from the first offset instead of reading the span's
// offsets, which for scattered rows is a cache miss each.
func uniformOffsets[O offset](out []O, srcOffs [][]O, stride []int64, spans []Span, ranges []Span) ([]Span, error) {
	maxTotal := maxOffset[O]()
	var total int64
	pos := 0
	out[0] = 0
	for _, s := range spans {
		k := stride[s.Src]
		n := int64(s.Len) * k
		if n > maxTotal-total {
			return nil, errTooLarge(maxTotal)
		}
		total += n
		for j := range s.Len {
			out[pos+j+1] = out[pos+j] + O(k)
		}
		pos += s.Len
		start := int64(srcOffs[s.Src][0]) + int64(s.Off)*k
		ranges = AppendSpan(ranges, Span{Src: s.Src, Off: int(start), Len: int(n)})
	}
	return ranges, nil
}

// gatherFixedSizeList copies fixed-size lists: a span of rows is a span of
// size times as many child rows.
func gatherFixedSizeList(mem memory.Allocator, t *arrow.FixedSizeListType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	size := int(t.Len())
	children := make([]arrow.ArrayData, len(srcs))
	for i, s := range srcs {
		if len(s.Children()) != 1 {
			return nil, corrupt("%s with %d children", t, len(s.Children()))
		}
		children[i] = s.Children()[0]
		if need := (s.Offset() + s.Len()) * size; children[i].Len() < need {
			return nil, corrupt("%s child of %d values, the array needs %d", t, children[i].Len(), need)
		}
	}
	scratch := borrowSpans(len(spans))
	childSpans := *scratch
	defer func() { returnSpans(scratch, childSpans) }()
	for _, s := range spans {
		off := srcs[s.Src].Offset()
		childSpans = AppendSpan(childSpans, Span{Src: s.Src, Off: (off + s.Off) * size, Len: s.Len * size})
	}
	validity, nulls, err := gatherValidity(mem, srcs, spans, n)
	if err != nil {
		return nil, err
	}
	child, err := gatherData(mem, t.Elem(), children, childSpans, n*size)
	if err != nil {
		releaseBuffers(validity)
		return nil, err
	}
	return newData(t, n, []*memory.Buffer{validity}, []arrow.ArrayData{child}, nulls), nil
}

// gatherStruct copies each field with the struct's spans shifted by the
// struct's own offset, which applies to its children.
func gatherStruct(mem memory.Allocator, t *arrow.StructType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	shifted := spans
	for _, s := range srcs {
		if s.Offset() != 0 {
			shifted = make([]Span, len(spans))
			for i, sp := range spans {
				sp.Off += srcs[sp.Src].Offset()
				shifted[i] = sp
			}
			break
		}
	}
	for _, s := range srcs {
		if len(s.Children()) != t.NumFields() {
			return nil, corrupt("%s with %d children", t, len(s.Children()))
		}
		for _, c := range s.Children() {
			if c.Len() < s.Offset()+s.Len() {
				return nil, corrupt("%s field of %d rows, the array needs %d", t, c.Len(), s.Offset()+s.Len())
			}
		}
	}
	validity, nulls, err := gatherValidity(mem, srcs, spans, n)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.ArrayData, 0, t.NumFields())
	col := make([]arrow.ArrayData, len(srcs))
	for f := range t.NumFields() {
		for i, s := range srcs {
			col[i] = s.Children()[f]
		}
		d, err := gatherData(mem, t.Field(f).Type, col, shifted, n)
		if err != nil {
			releaseBuffers(validity)
			releaseAll(fields)
			return nil, err
		}
		fields = append(fields, d)
	}
	return newData(t, n, []*memory.Buffer{validity}, fields, nulls), nil
}

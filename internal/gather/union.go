package gather

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// gatherSparseUnion copies the type codes and, like a struct, every child
// at the rows the spans pick (a sparse union's offset applies to its
// children). Unions have no validity bitmap.
func gatherSparseUnion(mem memory.Allocator, t *arrow.SparseUnionType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	codes, err := gatherCodes(mem, t, srcs, spans, n)
	if err != nil {
		return nil, err
	}
	shifted := make([]Span, len(spans))
	for i, s := range spans {
		s.Off += srcs[s.Src].Offset()
		shifted[i] = s
	}
	children := make([]arrow.ArrayData, 0, len(t.Fields()))
	col := make([]arrow.ArrayData, len(srcs))
	for f, field := range t.Fields() {
		for i, s := range srcs {
			if len(s.Children()) != len(t.Fields()) {
				releaseBuffers(codes)
				releaseAll(children)
				return nil, corrupt("%s with %d children", t, len(s.Children()))
			}
			col[i] = s.Children()[f]
			if col[i].Len() < s.Offset()+s.Len() {
				releaseBuffers(codes)
				releaseAll(children)
				return nil, corrupt("%s child of %d rows, the array needs %d", t, col[i].Len(), s.Offset()+s.Len())
			}
		}
		d, err := gatherData(mem, field.Type, col, shifted, n)
		if err != nil {
			releaseBuffers(codes)
			releaseAll(children)
			return nil, err
		}
		children = append(children, d)
	}
	return newData(t, n, []*memory.Buffer{nil, codes}, children, 0), nil
}

// gatherDenseUnion copies the type codes, renumbers the offsets into each
// child, and gathers each child's rows in the order the union uses them.
func gatherDenseUnion(mem memory.Allocator, t *arrow.DenseUnionType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	nf := len(t.Fields())
	codes, offs := make([][]int8, len(srcs)), make([][]int32, len(srcs))
	for i, s := range srcs {
		if len(s.Children()) != nf {
			return nil, corrupt("%s with %d children", t, len(s.Children()))
		}
		var err error
		if codes[i], err = valuesOf[int8](s, 1, 0); err != nil {
			return nil, err
		}
		if offs[i], err = valuesOf[int32](s, 2, 0); err != nil {
			return nil, err
		}
	}
	ids := t.ChildIDs()
	childSpans := make([][]Span, nf)
	counts := make([]int32, nf)
	codeBuf := alloc(mem, n)
	offBuf := alloc(mem, 4*n)
	outCodes, outOffs := typed[int8](codeBuf.Bytes()), typed[int32](offBuf.Bytes())
	pos := 0
	for _, s := range spans {
		for j := range s.Len {
			code := codes[s.Src][s.Off+j]
			if code < 0 || int(code) >= len(ids) || ids[code] < 0 {
				releaseBuffers(codeBuf, offBuf)
				return nil, corrupt("%s: unknown type code %d", t, code)
			}
			c, row := ids[code], int(offs[s.Src][s.Off+j])
			if row < 0 || row >= srcs[s.Src].Children()[c].Len() {
				releaseBuffers(codeBuf, offBuf)
				return nil, corrupt("%s: offset %d outside child %d", t, row, c)
			}
			outCodes[pos], outOffs[pos] = code, counts[c]
			counts[c]++
			childSpans[c] = Append(childSpans[c], s.Src, row)
			pos++
		}
	}
	children := make([]arrow.ArrayData, 0, nf)
	col := make([]arrow.ArrayData, len(srcs))
	for f, field := range t.Fields() {
		for i, s := range srcs {
			col[i] = s.Children()[f]
		}
		d, err := gatherData(mem, field.Type, col, childSpans[f], int(counts[f]))
		if err != nil {
			releaseBuffers(codeBuf, offBuf)
			releaseAll(children)
			return nil, err
		}
		children = append(children, d)
	}
	return newData(t, n, []*memory.Buffer{nil, codeBuf, offBuf}, children, 0), nil
}

// gatherCodes copies a union's type codes.
func gatherCodes(mem memory.Allocator, t arrow.UnionType, srcs []arrow.ArrayData, spans []Span, n int) (*memory.Buffer, error) {
	vals, err := fixedViews(srcs, 1)
	if err != nil {
		return nil, err
	}
	buf := alloc(mem, n)
	copyFixed[uint8](buf.Bytes(), vals, spans)
	ids := t.ChildIDs()
	for _, c := range typed[int8](buf.Bytes()) {
		if c < 0 || int(c) >= len(ids) || ids[c] < 0 {
			buf.Release()
			return nil, corrupt("%s: unknown type code %d", t, c)
		}
	}
	return buf, nil
}

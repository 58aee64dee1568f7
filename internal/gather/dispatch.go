package gather

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// gatherData dispatches on the type. Spans are valid for srcs; n is the
// number of rows they cover.
func gatherData(mem memory.Allocator, dt arrow.DataType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	switch t := dt.(type) {
	case arrow.ExtensionType:
		return gatherExtension(mem, t, srcs, spans, n)
	case *arrow.NullType:
		return array.NewData(dt, n, []*memory.Buffer{nil}, nil, n, 0), nil
	case *arrow.BooleanType:
		return gatherBool(mem, dt, srcs, spans, n)
	case *arrow.BinaryType, *arrow.StringType, *arrow.LargeBinaryType, *arrow.LargeStringType,
		*arrow.ListType, *arrow.MapType, *arrow.LargeListType:
		return gatherColumn(mem, dt, srcs, spans, n)
	case *arrow.FixedSizeListType:
		return gatherFixedSizeList(mem, t, srcs, spans, n)
	case *arrow.StructType:
		return gatherStruct(mem, t, srcs, spans, n)
	case *arrow.SparseUnionType:
		return gatherSparseUnion(mem, t, srcs, spans, n)
	case *arrow.DenseUnionType:
		return gatherDenseUnion(mem, t, srcs, spans, n)
	case *arrow.DictionaryType:
		// Indices alone mean nothing across sources with different
		// dictionaries; compute.Take and Concatenate unify them.
		return gatherFallback(mem, dt, srcs, spans, n)
	case arrow.FixedWidthDataType:
		if t.BitWidth() > 0 && t.BitWidth()%8 == 0 {
			return gatherColumn(mem, dt, srcs, spans, n)
		}
	}
	return gatherFallback(mem, dt, srcs, spans, n)
}

// gatherColumn gathers the types with prepared kernels (see column).
func gatherColumn(mem memory.Allocator, dt arrow.DataType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	c, err := columnOf(dt, srcs)
	if err != nil {
		return nil, err
	}
	return c.gather(mem, spans, n)
}

// gatherExtension gathers the storage and wraps it in the extension type.
func gatherExtension(mem memory.Allocator, t arrow.ExtensionType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	storage := t.StorageType()
	views := make([]arrow.ArrayData, len(srcs))
	for i, s := range srcs {
		views[i] = retype(s, storage)
	}
	defer releaseAll(views)
	d, err := gatherData(mem, storage, views, spans, n)
	if err != nil {
		return nil, err
	}
	defer d.Release()
	return retype(d, t), nil
}

// retype returns d's buffers and children seen as type dt, which must have
// the same layout. The result is the caller's to release.
func retype(d arrow.ArrayData, dt arrow.DataType) arrow.ArrayData {
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		return array.NewDataWithDictionary(dt, d.Len(), d.Buffers(), d.NullN(), d.Offset(), dict)
	}
	return array.NewData(dt, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
}

func releaseAll[T interface{ Release() }](xs []T) {
	for _, x := range xs {
		x.Release()
	}
}

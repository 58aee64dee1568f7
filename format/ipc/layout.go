package ipc

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// colRange is where one top-level column's field nodes, buffers and
// variadic buffer counts lie in a record batch's metadata: [start, end)
// of each vector.
type colRange struct {
	nodes, buffers, variadic [2]int
}

// layoutWalk counts field nodes, buffers and variadic counts the way
// arrow-go's loader consumes them (arrow/ipc/file_reader.go, loadArray),
// so that a projection can keep exactly the ones of its columns. It must
// stay in step with that loader: the projection tests compare every column
// of every conformance file read alone and read with all the others.
type layoutWalk struct {
	v5                   bool // metadata version V5: unions have no validity bitmap
	variadic             func(i int) (int64, bool)
	nodes, buffers, vars int
}

func (w *layoutWalk) walk(dt arrow.DataType, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("%w: types nested more than %d deep", format.ErrUnsupported, maxNesting)
	}
	w.nodes++
	switch dt := dt.(type) {
	case *arrow.NullType:
	case *arrow.DictionaryType:
		w.buffers += 2
	case *arrow.BooleanType,
		*arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type,
		arrow.DecimalType,
		*arrow.Time32Type, *arrow.Time64Type,
		*arrow.TimestampType,
		*arrow.Date32Type, *arrow.Date64Type,
		*arrow.MonthIntervalType, *arrow.DayTimeIntervalType, *arrow.MonthDayNanoIntervalType,
		*arrow.DurationType:
		w.buffers += 2
	case *arrow.BinaryType, *arrow.StringType, *arrow.LargeStringType, *arrow.LargeBinaryType:
		w.buffers += 3
	case arrow.BinaryViewDataType:
		n, ok := w.variadic(w.vars)
		if !ok {
			return fmt.Errorf("%w: missing variadic buffer count %d", format.ErrCorrupt, w.vars)
		}
		w.vars++
		w.buffers += 2 + int(n)
	case *arrow.FixedSizeBinaryType:
		w.buffers += 2
	case *arrow.ListType:
		w.buffers += 2
		return w.walk(dt.Elem(), depth+1)
	case *arrow.LargeListType:
		w.buffers += 2
		return w.walk(dt.Elem(), depth+1)
	case *arrow.ListViewType:
		w.buffers += 3
		return w.walk(dt.Elem(), depth+1)
	case *arrow.LargeListViewType:
		w.buffers += 3
		return w.walk(dt.Elem(), depth+1)
	case *arrow.FixedSizeListType:
		w.buffers++
		return w.walk(dt.Elem(), depth+1)
	case *arrow.StructType:
		w.buffers++
		return w.fields(dt.Fields(), depth)
	case *arrow.MapType:
		w.buffers += 2
		return w.walk(dt.Elem(), depth+1)
	case arrow.ExtensionType:
		w.nodes-- // the storage type is the array
		return w.walk(dt.StorageType(), depth+1)
	case *arrow.RunEndEncodedType:
		if !w.v5 {
			w.buffers++
		}
		if err := w.walk(dt.RunEnds(), depth+1); err != nil {
			return err
		}
		return w.walk(dt.Encoded(), depth+1)
	case arrow.UnionType:
		if !w.v5 {
			w.buffers++ // a validity bitmap, before V5
		}
		w.buffers++ // type ids
		if dt.Mode() == arrow.DenseMode {
			w.buffers++ // offsets
		}
		return w.fields(dt.Fields(), depth)
	default:
		return fmt.Errorf("%w: arrow type %s", format.ErrUnsupported, dt)
	}
	return nil
}

func (w *layoutWalk) fields(fs []arrow.Field, depth int) error {
	for _, f := range fs {
		if err := w.walk(f.Type, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// columnRanges returns where each top-level column of schema lies in the
// record batch b of the given metadata version, checking that b has every
// node, buffer and variadic count the schema needs.
func columnRanges(schema *arrow.Schema, b batchMeta, version int16) ([]colRange, error) {
	w := layoutWalk{
		v5: version >= metadataV5,
		variadic: func(i int) (int64, bool) {
			if i >= b.variadic.n {
				return 0, false
			}
			return b.variadicCount(i), true
		},
	}
	out := make([]colRange, schema.NumFields())
	for i, f := range schema.Fields() {
		start := colRange{nodes: [2]int{w.nodes}, buffers: [2]int{w.buffers}, variadic: [2]int{w.vars}}
		if err := w.walk(f.Type, 0); err != nil {
			return nil, err
		}
		out[i] = colRange{
			nodes:    [2]int{start.nodes[0], w.nodes},
			buffers:  [2]int{start.buffers[0], w.buffers},
			variadic: [2]int{start.variadic[0], w.vars},
		}
	}
	if w.nodes > b.nodes.n || w.buffers > b.buffers.n {
		return nil, fmt.Errorf("%w: the schema needs %d field nodes and %d buffers, the batch has %d and %d",
			format.ErrCorrupt, w.nodes, w.buffers, b.nodes.n, b.buffers.n)
	}
	return out, nil
}

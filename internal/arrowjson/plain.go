package arrowjson

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Dictionary encoding is a choice of the writer, not part of a column's
// values, so CompareBatch looks through it: this file turns an array into
// its plain, dictionary-free equivalent, at any depth.

// hasDictionary reports whether dt is or contains a dictionary type.
func hasDictionary(dt arrow.DataType) bool {
	switch dt := dt.(type) {
	case *arrow.DictionaryType:
		return true
	case arrow.ExtensionType:
		return hasDictionary(dt.StorageType())
	case arrow.NestedType:
		for _, f := range dt.Fields() {
			if hasDictionary(f.Type) {
				return true
			}
		}
	}
	return false
}

// plainType is dt with every dictionary type replaced by its value type.
func plainType(dt arrow.DataType) arrow.DataType {
	if !hasDictionary(dt) {
		return dt
	}
	switch dt := dt.(type) {
	case *arrow.DictionaryType:
		return plainType(dt.ValueType)
	case arrow.ExtensionType:
		return plainType(dt.StorageType())
	case *arrow.ListType:
		return arrow.ListOfField(plainField(dt.ElemField()))
	case *arrow.LargeListType:
		return arrow.LargeListOfField(plainField(dt.ElemField()))
	case *arrow.ListViewType:
		return arrow.ListViewOfField(plainField(dt.ElemField()))
	case *arrow.LargeListViewType:
		return arrow.LargeListViewOfField(plainField(dt.ElemField()))
	case *arrow.FixedSizeListType:
		return arrow.FixedSizeListOfField(dt.Len(), plainField(dt.ElemField()))
	case *arrow.MapType:
		mt := arrow.MapOfFields(plainField(dt.KeyField()), plainField(dt.ItemField()))
		mt.KeysSorted = dt.KeysSorted
		return mt
	case *arrow.StructType:
		return arrow.StructOf(plainFields(dt.Fields())...)
	case *arrow.SparseUnionType:
		return arrow.SparseUnionOf(plainFields(dt.Fields()), dt.TypeCodes())
	case *arrow.DenseUnionType:
		return arrow.DenseUnionOf(plainFields(dt.Fields()), dt.TypeCodes())
	case *arrow.RunEndEncodedType:
		ree := arrow.RunEndEncodedOf(dt.RunEnds(), plainType(dt.Encoded()))
		ree.ValueNullable = dt.ValueNullable
		return ree
	}
	return dt
}

func plainField(f arrow.Field) arrow.Field {
	f.Type = plainType(f.Type)
	return f
}

func plainFields(fs []arrow.Field) []arrow.Field {
	for i := range fs {
		fs[i] = plainField(fs[i])
	}
	return fs
}

// encodings describes the dictionary encodings inside dt in depth-first
// order, so two types with the same plain type can be told apart by how
// they are encoded.
func encodings(dt arrow.DataType) string {
	var b strings.Builder
	var walk func(arrow.DataType)
	walk = func(dt arrow.DataType) {
		switch dt := dt.(type) {
		case *arrow.DictionaryType:
			fmt.Fprintf(&b, "[%s ordered=%t]", dt.IndexType, dt.Ordered)
			walk(dt.ValueType)
		case arrow.ExtensionType:
			walk(dt.StorageType())
		case arrow.NestedType:
			for _, f := range dt.Fields() {
				walk(f.Type)
			}
		}
	}
	walk(dt)
	return b.String()
}

// typesEqual compares types as arrow.TypeEqual does, including their
// dictionary encodings. arrow.TypeEqual itself compares dictionary types
// with reflect.DeepEqual, which tells apart equal types whose metadata is
// merely allocated differently.
func typesEqual(a, b arrow.DataType) bool {
	return arrow.TypeEqual(plainType(a), plainType(b)) && encodings(a) == encodings(b)
}

// plainArray returns arr with its dictionaries decoded, or arr itself
// (retained) when it has none. The caller releases the result.
func plainArray(arr arrow.Array, mem memory.Allocator) (arrow.Array, error) {
	if !hasDictionary(arr.DataType()) {
		arr.Retain()
		return arr, nil
	}
	data, err := plainData(arr.Data(), mem)
	if err != nil {
		return nil, err
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

// plainData rebuilds data with dictionary-free children, or decodes it
// when it is itself dictionary-encoded. Buffers are shared, not copied.
func plainData(data arrow.ArrayData, mem memory.Allocator) (arrow.ArrayData, error) {
	dt := data.DataType()
	if !hasDictionary(dt) {
		data.Retain()
		return data, nil
	}
	if ext, ok := dt.(arrow.ExtensionType); ok {
		storage := array.NewData(ext.StorageType(), data.Len(), data.Buffers(), data.Children(), data.NullN(), data.Offset())
		defer storage.Release()
		if dict := data.Dictionary(); dict != nil {
			storage.SetDictionary(dict)
		}
		return plainData(storage, mem)
	}
	if _, ok := dt.(*arrow.DictionaryType); ok {
		return decodeDictionary(data, mem)
	}
	children := make([]arrow.ArrayData, 0, len(data.Children()))
	defer func() { releaseData(children) }()
	for _, c := range data.Children() {
		pc, err := plainData(c, mem)
		if err != nil {
			return nil, err
		}
		children = append(children, pc)
	}
	return array.NewData(plainType(dt), data.Len(), data.Buffers(), children, data.NullN(), data.Offset()), nil
}

// decodeDictionary materialises a dictionary-encoded array: each row
// becomes its dictionary value, runs of consecutive indices and of nulls
// copied at once.
func decodeDictionary(data arrow.ArrayData, mem memory.Allocator) (arrow.ArrayData, error) {
	arr := array.NewDictionaryData(data)
	defer arr.Release()
	values, err := plainArray(arr.Dictionary(), mem)
	if err != nil {
		return nil, err
	}
	defer values.Release()

	var pieces []arrow.Array
	defer func() {
		for _, p := range pieces {
			p.Release()
		}
	}()
	for i := 0; i < arr.Len(); {
		j := i + 1
		if arr.IsNull(i) {
			for j < arr.Len() && arr.IsNull(j) {
				j++
			}
			pieces = append(pieces, array.MakeArrayOfNull(mem, values.DataType(), j-i))
		} else {
			start := arr.GetValueIndex(i)
			for j < arr.Len() && arr.IsValid(j) && arr.GetValueIndex(j) == start+(j-i) {
				j++
			}
			pieces = append(pieces, array.NewSlice(values, int64(start), int64(start+j-i)))
		}
		i = j
	}
	if len(pieces) == 0 {
		empty := array.NewSlice(values, 0, 0)
		defer empty.Release()
		empty.Data().Retain()
		return empty.Data(), nil
	}
	out, err := array.Concatenate(pieces, mem)
	if err != nil {
		return nil, fmt.Errorf("decoding a dictionary of %s: %w", values.DataType(), err)
	}
	defer out.Release()
	out.Data().Retain()
	return out.Data(), nil
}

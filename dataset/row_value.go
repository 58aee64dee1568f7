package dataset

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
)

// rowValue is the natural Go value of value i of arr (see Row.Value). Every
// value it returns owns its memory: strings and bytes are copied out of the
// batch.
func rowValue(arr arrow.Array, i int) (any, error) {
	if i < 0 || i >= arr.Len() {
		return nil, decodeCorruptErr("value %d outside an array of %d", i, arr.Len())
	}
	// Encodings first: their own validity bitmap does not tell nulls.
	switch a := arr.(type) {
	case *array.Null:
		return nil, nil
	case *array.Dictionary:
		if a.IsNull(i) {
			return nil, nil
		}
		return rowValue(a.Dictionary(), a.GetValueIndex(i))
	case *array.RunEndEncoded:
		return rowValue(a.Values(), a.GetPhysicalIndex(i))
	case array.ExtensionArray:
		return rowValue(a.Storage(), i)
	case *array.SparseUnion:
		return rowUnionValue(a.Field(a.ChildID(i)), i)
	case *array.DenseUnion:
		return rowUnionValue(a.Field(a.ChildID(i)), int(a.ValueOffset(i)))
	}
	if arr.IsNull(i) {
		return nil, nil
	}
	if v, ok := rowScalar(arr, i); ok {
		return v, nil
	}
	switch a := arr.(type) {
	case *array.Duration:
		d, ok := decodeScale(int64(a.Value(i)), int64(a.DataType().(*arrow.DurationType).Unit.Multiplier()))
		if !ok {
			return nil, decodeSchemaErr("duration %d%s overflows time.Duration", a.Value(i), a.DataType().(*arrow.DurationType).Unit)
		}
		return time.Duration(d), nil
	case *array.Map:
		return rowMapValue(a, i)
	case *array.Struct:
		return rowStructValue(a, i)
	case array.ListLike:
		return rowListValue(a, i)
	}
	return nil, decodeSchemaErr("no Go value for %s", arr.DataType())
}

func rowUnionValue(child arrow.Array, i int) (any, error) {
	if child == nil {
		return nil, decodeCorruptErr("union type code names no child")
	}
	return rowValue(child, i)
}

// rowScalar is rowValue for the types whose value cannot fail to convert.
func rowScalar(arr arrow.Array, i int) (any, bool) {
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i), true
	case *array.Int8:
		return int64(a.Value(i)), true
	case *array.Int16:
		return int64(a.Value(i)), true
	case *array.Int32:
		return int64(a.Value(i)), true
	case *array.Int64:
		return a.Value(i), true
	case *array.Uint8:
		return uint64(a.Value(i)), true
	case *array.Uint16:
		return uint64(a.Value(i)), true
	case *array.Uint32:
		return uint64(a.Value(i)), true
	case *array.Uint64:
		return a.Value(i), true
	case *array.Float16:
		return float64(a.Value(i).Float32()), true
	case *array.Float32:
		return float64(a.Value(i)), true
	case *array.Float64:
		return a.Value(i), true
	case *array.String:
		return strings.Clone(a.Value(i)), true // Value points into the batch
	case *array.LargeString:
		return strings.Clone(a.Value(i)), true
	case *array.StringView:
		return strings.Clone(a.Value(i)), true
	case *array.Binary:
		return append([]byte{}, a.Value(i)...), true
	case *array.LargeBinary:
		return append([]byte{}, a.Value(i)...), true
	case *array.BinaryView:
		return append([]byte{}, a.Value(i)...), true
	case *array.FixedSizeBinary:
		return append([]byte{}, a.Value(i)...), true
	case *array.Timestamp:
		t := a.DataType().(*arrow.TimestampType)
		return a.Value(i).ToTime(t.Unit).In(decodeZone(t)), true
	case *array.Date32:
		return a.Value(i).ToTime(), true
	case *array.Date64:
		return a.Value(i).ToTime(), true
	case *array.Time32:
		return time.Duration(a.Value(i)) * a.DataType().(*arrow.Time32Type).Unit.Multiplier(), true
	case *array.Time64:
		return time.Duration(a.Value(i)) * a.DataType().(*arrow.Time64Type).Unit.Multiplier(), true
	case *array.Decimal32:
		return rowDecimal[decimal.Decimal32](a.Value(i), a.DataType()), true
	case *array.Decimal64:
		return rowDecimal[decimal.Decimal64](a.Value(i), a.DataType()), true
	case *array.Decimal128:
		return rowDecimal[decimal.Decimal128](a.Value(i), a.DataType()), true
	case *array.Decimal256:
		return rowDecimal[decimal.Decimal256](a.Value(i), a.DataType()), true
	case *array.MonthInterval:
		return a.Value(i), true
	case *array.DayTimeInterval:
		return a.Value(i), true
	case *array.MonthDayNanoInterval:
		return a.Value(i), true
	}
	return nil, false
}

// rowDecimal is a decimal's exact text: a float64 would round it.
func rowDecimal[T decodeDecimal[T]](v T, dt arrow.DataType) string {
	return v.ToString(dt.(arrow.DecimalType).GetScale())
}

func rowListValue(a array.ListLike, i int) (any, error) {
	start, end := a.ValueOffsets(i)
	child := a.ListValues()
	if start < 0 || start > end || end > int64(child.Len()) {
		return nil, decodeCorruptErr("list %d spans [%d, %d) of %d elements", i, start, end, child.Len())
	}
	out := make([]any, 0, end-start)
	for j := start; j < end; j++ {
		v, err := rowValue(child, int(j))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func rowStructValue(a *array.Struct, i int) (any, error) {
	fields := a.DataType().(*arrow.StructType).Fields()
	if len(fields) != a.NumField() {
		return nil, decodeCorruptErr("struct of %d fields has %d children", len(fields), a.NumField())
	}
	out := make(map[string]any, len(fields))
	for j, f := range fields {
		v, err := rowValue(a.Field(j), i)
		if err != nil {
			return nil, err
		}
		out[f.Name] = v
	}
	return out, nil
}

// rowMapValue gives map[string]any when the keys are strings or bytes, and
// map[any]any otherwise, with keys Go cannot hash (lists, structs) in their
// fmt form. A key repeated within one map keeps its last value.
func rowMapValue(a *array.Map, i int) (any, error) {
	entries, ok := a.ListValues().(*array.Struct)
	if !ok || entries.NumField() != 2 {
		return nil, decodeCorruptErr("map entries are not a struct of key and value")
	}
	start, end := a.ValueOffsets(i)
	if start < 0 || start > end || end > int64(entries.Len()) {
		return nil, decodeCorruptErr("map %d spans [%d, %d) of %d entries", i, start, end, entries.Len())
	}
	keys, items := entries.Field(0), entries.Field(1)
	stringKeys := decodeIsBinary(rowStorageType(keys.DataType()).ID())
	strMap := map[string]any{}
	anyMap := map[any]any{}
	for j := int(start); j < int(end); j++ {
		k, err := rowValue(keys, j)
		if err != nil {
			return nil, err
		}
		v, err := rowValue(items, j)
		if err != nil {
			return nil, err
		}
		switch {
		case stringKeys:
			s, _ := k.(string)
			if b, ok := k.([]byte); ok {
				s = string(b)
			}
			strMap[s] = v
		case k == nil || reflect.TypeOf(k).Comparable():
			anyMap[k] = v
		default:
			anyMap[fmt.Sprint(k)] = v
		}
	}
	if stringKeys {
		return strMap, nil
	}
	return anyMap, nil
}

// rowStorageType is the type whose values an encoded type holds.
func rowStorageType(dt arrow.DataType) arrow.DataType {
	for {
		switch t := dt.(type) {
		case *arrow.DictionaryType:
			dt = t.ValueType
		case *arrow.RunEndEncodedType:
			dt = t.Encoded()
		case arrow.ExtensionType:
			dt = t.StorageType()
		default:
			return dt
		}
	}
}

package dataset

import (
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// decodePointerPlan decodes into *E: nil for a null, otherwise a pointer to
// a decoded E. The E values of a run share one backing array, so a batch
// costs one allocation per pointer column rather than one per row.
func decodePointerPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	elemFn, err := decodePlan(p, dt, rt.Elem())
	if err != nil {
		return nil, err
	}
	elems, size := reflect.SliceOf(rt.Elem()), rt.Elem().Size()
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		if err := decodeSpan(from, n, arr.Len()); err != nil {
			return err
		}
		base := reflect.MakeSlice(elems, n, n).UnsafePointer()
		if err := elemFn(arr, from, n, base, size); err != nil {
			return err
		}
		for k := range n {
			out := (*unsafe.Pointer)(unsafe.Add(dst, uintptr(k)*stride))
			if decodeIsNull(arr, from+k) {
				*out = nil
			} else {
				*out = unsafe.Add(base, uintptr(k)*size)
			}
		}
		return nil
	}, nil
}

// decodeIsNull tells whether value i of arr is null, looking through the
// encodings whose own validity bitmap does not say so: a dictionary's
// entries and a run-end encoding's values can be null themselves, a union
// has no bitmap, and a null array has only nulls.
func decodeIsNull(arr arrow.Array, i int) bool {
	switch a := arr.(type) {
	case *array.Null:
		return true
	case *array.Dictionary:
		if a.IsNull(i) {
			return true
		}
		idx, dict := a.GetValueIndex(i), a.Dictionary()
		return idx < 0 || idx >= dict.Len() || decodeIsNull(dict, idx)
	case *array.RunEndEncoded:
		return decodeIsNull(a.Values(), a.GetPhysicalIndex(i))
	case array.ExtensionArray:
		return decodeIsNull(a.Storage(), i)
	case *array.SparseUnion:
		return decodeIsNull(a.Field(a.ChildID(i)), i)
	case *array.DenseUnion:
		return decodeIsNull(a.Field(a.ChildID(i)), int(a.ValueOffset(i)))
	}
	return arr.IsNull(i)
}

// decodeDictionaryPlan decodes a dictionary-encoded column as its values:
// each row decodes its dictionary entry, so strings and slices are copied
// per row and never shared between rows.
func decodeDictionaryPlan(p decodePath, dt *arrow.DictionaryType, rt reflect.Type) (decodeFn, error) {
	valueFn, err := decodePlan(p, dt.ValueType, rt)
	if err != nil {
		return nil, err
	}
	zero := decodeZeroer(rt)
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(*array.Dictionary)
		if !ok {
			return decodeWrongArray(arr, "a dictionary array")
		}
		if err := decodeSpan(from, n, a.Len()); err != nil {
			return err
		}
		dict := a.Dictionary()
		for k := range n {
			out := unsafe.Add(dst, uintptr(k)*stride)
			if a.IsNull(from + k) {
				zero(out)
				continue
			}
			idx := a.GetValueIndex(from + k)
			if idx < 0 || idx >= dict.Len() {
				return decodeCorruptErr("dictionary index %d outside a dictionary of %d", idx, dict.Len())
			}
			if err := valueFn(dict, idx, 1, out, 0); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// decodeRunEndPlan decodes a run-end encoded column as its values.
func decodeRunEndPlan(p decodePath, dt *arrow.RunEndEncodedType, rt reflect.Type) (decodeFn, error) {
	valueFn, err := decodePlan(p, dt.Encoded(), rt)
	if err != nil {
		return nil, err
	}
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(*array.RunEndEncoded)
		if !ok {
			return decodeWrongArray(arr, "a run-end encoded array")
		}
		if err := decodeSpan(from, n, a.Len()); err != nil {
			return err
		}
		values := a.Values()
		for k := range n {
			idx := a.GetPhysicalIndex(from + k)
			if idx < 0 || idx >= values.Len() {
				return decodeCorruptErr("run-end index %d outside %d values", idx, values.Len())
			}
			if err := valueFn(values, idx, 1, unsafe.Add(dst, uintptr(k)*stride), 0); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// decodeExtensionPlan decodes an extension type as its storage type (a UUID
// as fixed_size_binary(16), so into a [16]byte or a string).
func decodeExtensionPlan(p decodePath, dt arrow.ExtensionType, rt reflect.Type) (decodeFn, error) {
	storageFn, err := decodePlan(p, dt.StorageType(), rt)
	if err != nil {
		return nil, err
	}
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(array.ExtensionArray)
		if !ok {
			return decodeWrongArray(arr, "an extension array")
		}
		return storageFn(a.Storage(), from, n, dst, stride)
	}, nil
}

// decodeNullPlan decodes a column of type null: every value is the zero
// value, whatever the Go type.
func decodeNullPlan(p decodePath, rt reflect.Type) (decodeFn, error) {
	switch rt.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return nil, p.unsupported(rt)
	}
	zero := decodeZeroer(rt)
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		if err := decodeSpan(from, n, arr.Len()); err != nil {
			return err
		}
		for k := range n {
			zero(unsafe.Add(dst, uintptr(k)*stride))
		}
		return nil
	}, nil
}

// decodeAnyPlan decodes into an empty interface: the natural Go value of
// each Arrow value (see Row.Value).
func decodeAnyPlan() decodeFn {
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		if err := decodeSpan(from, n, arr.Len()); err != nil {
			return err
		}
		for k := range n {
			v, err := rowValue(arr, from+k)
			if err != nil {
				return err
			}
			// Every empty interface type has the layout of any.
			*(*any)(unsafe.Add(dst, uintptr(k)*stride)) = v
		}
		return nil
	}
}

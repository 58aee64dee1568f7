package dataset

import (
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// decodeMapPlan decodes into a Go map: an Arrow map into map[K]V (a key
// repeated within one map keeps its last value, as Go maps must), or an
// Arrow struct into map[string]V. A null is a nil map.
func decodeMapPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	switch t := dt.(type) {
	case *arrow.StructType:
		return decodeStructMapPlan(p, t, rt)
	case *arrow.MapType:
		return decodeArrowMapPlan(p, t, rt)
	}
	return nil, p.mismatch(dt, rt)
}

func decodeArrowMapPlan(p decodePath, dt *arrow.MapType, rt reflect.Type) (decodeFn, error) {
	keyFn, err := decodePlan(p.elem("map key", "[key]"), dt.KeyType(), rt.Key())
	if err != nil {
		return nil, err
	}
	valFn, err := decodePlan(p.elem("map value", "[]"), dt.ItemType(), rt.Elem())
	if err != nil {
		return nil, err
	}
	keySlice, valSlice := reflect.SliceOf(rt.Key()), reflect.SliceOf(rt.Elem())
	// An interface key can hold a decoded value Go cannot hash (a []any
	// from a list key); that must be an error, not a panic in SetMapIndex.
	checkKeys := rt.Key().Kind() == reflect.Interface
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(*array.Map)
		if !ok {
			return decodeWrongArray(arr, "a map array")
		}
		entries, ok := a.ListValues().(*array.Struct)
		if !ok || entries.NumField() != 2 {
			return decodeCorruptErr("map entries are not a struct of key and value")
		}
		total, err := decodeListTotal(a, entries.Len(), from, n)
		if err != nil {
			return err
		}
		keys := reflect.MakeSlice(keySlice, total, total)
		vals := reflect.MakeSlice(valSlice, total, total)
		keyRun := decodeRun{fn: keyFn, child: entries.Field(0), base: keys.UnsafePointer(), size: rt.Key().Size()}
		valRun := decodeRun{fn: valFn, child: entries.Field(1), base: vals.UnsafePointer(), size: rt.Elem().Size()}
		pos := 0
		for k := range n {
			if a.IsNull(from + k) {
				continue
			}
			start, end := a.ValueOffsets(from + k)
			if err := keyRun.add(int(start), int(end-start), pos); err != nil {
				return err
			}
			if err := valRun.add(int(start), int(end-start), pos); err != nil {
				return err
			}
			pos += int(end - start)
		}
		if err := keyRun.flush(); err != nil {
			return err
		}
		if err := valRun.flush(); err != nil {
			return err
		}
		pos = 0
		for k := range n {
			out := unsafe.Add(dst, uintptr(k)*stride)
			if a.IsNull(from + k) {
				*(*unsafe.Pointer)(out) = nil
				continue
			}
			start, end := a.ValueOffsets(from + k)
			size := int(end - start)
			m := reflect.MakeMapWithSize(rt, size)
			for j := pos; j < pos+size; j++ {
				key := keys.Index(j)
				if checkKeys && !key.IsNil() && !key.Elem().Type().Comparable() {
					return decodeSchemaErr("map key of type %s cannot be a Go map key", key.Elem().Type())
				}
				m.SetMapIndex(key, vals.Index(j))
			}
			decodeSet(rt, out, m)
			pos += size
		}
		return nil
	}, nil
}

package dataset

import (
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// decodeField is a Go field bound to the column it decodes from.
type decodeField struct {
	col    int
	offset uintptr
	fn     decodeFn
	path   decodePath
}

// decodeResolve matches the fields of struct type rt to the named columns
// (a schema's, or an Arrow struct's children) and plans each one.
//
// A field without a column is an error unless it is a pointer or tagged
// optional; such a field is left as it is by Decode (zero in AppendBatch).
func decodeResolve(p decodePath, names []string, types []arrow.DataType, rt reflect.Type) ([]decodeField, error) {
	goFields, err := decodeStructFields(p, rt)
	if err != nil {
		return nil, err
	}
	fields := make([]decodeField, 0, len(goFields))
	for _, gf := range goFields {
		col, err := decodeMatchColumn(len(names), func(i int) string { return names[i] }, gf.name)
		if err != nil {
			return nil, decodeAt(err, p.child(gf.goPath, gf.name), -1)
		}
		if col < 0 {
			if gf.optional || gf.typ.Kind() == reflect.Pointer {
				continue
			}
			return nil, decodeAt(decodeSchemaErr(`no such column (make the field a pointer or tag it tome:",optional" to allow that)`),
				p.child(gf.goPath, gf.name), -1)
		}
		fp := p.child(gf.goPath, names[col])
		fn, err := decodePlan(fp, types[col], gf.typ)
		if err != nil {
			return nil, err
		}
		fields = append(fields, decodeField{col: col, offset: gf.offset, fn: fn, path: fp})
	}
	return fields, nil
}

// decodeFieldsInto decodes rows [from, from+n) of the columns into the
// fields of n structs at dst, column by column. cols(i) gives column i of
// count.
//
// A panic inside arrow-go (an array whose buffers contradict its header)
// becomes an ErrCorrupt error naming the field being decoded.
func decodeFieldsInto(fields []decodeField, count int, cols func(int) arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) (err error) {
	current := decodePath{}
	defer func() {
		if r := recover(); r != nil {
			err = decodeAt(decodeCorruptErr("malformed array data: %v", r), current, -1)
		}
	}()
	for _, f := range fields {
		current = f.path
		if f.col >= count {
			return decodeAt(decodeCorruptErr("missing column %d of %d", f.col, count), f.path, -1)
		}
		if err := f.fn(cols(f.col), from, n, unsafe.Add(dst, f.offset), stride); err != nil {
			return decodeAt(err, f.path, -1)
		}
	}
	return nil
}

func decodeStructPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	st, ok := dt.(*arrow.StructType)
	if !ok {
		return nil, p.mismatch(dt, rt)
	}
	names, types := decodeStructChildren(st)
	fields, err := decodeResolve(p, names, types, rt)
	if err != nil {
		return nil, err
	}
	zero := decodeZeroer(rt)
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(*array.Struct)
		if !ok {
			return decodeWrongArray(arr, "a struct array")
		}
		if err := decodeSpan(from, n, a.Len()); err != nil {
			return err
		}
		if err := decodeFieldsInto(fields, a.NumField(), a.Field, from, n, dst, stride); err != nil {
			return err
		}
		if a.NullN() > 0 {
			for k := range n {
				if a.IsNull(from + k) {
					zero(unsafe.Add(dst, uintptr(k)*stride))
				}
			}
		}
		return nil
	}, nil
}

func decodeStructChildren(st *arrow.StructType) ([]string, []arrow.DataType) {
	names := make([]string, st.NumFields())
	types := make([]arrow.DataType, st.NumFields())
	for i, f := range st.Fields() {
		names[i], types[i] = f.Name, f.Type
	}
	return names, types
}

// decodeNamedMap decodes named columns (a schema's, or an Arrow struct's
// children) into map[K]V with K a string type: one entry per column.
type decodeNamedMap struct {
	rt    reflect.Type // the map type
	elems reflect.Type // []V, for the per-column backing arrays
	keys  []reflect.Value
	fns   []decodeFn
	paths []decodePath
}

func decodeNewNamedMap(p decodePath, names []string, types []arrow.DataType, rt reflect.Type) (*decodeNamedMap, error) {
	if rt.Key().Kind() != reflect.String {
		return nil, decodeAt(decodeSchemaErr("cannot decode columns into %s: map keys must be strings", rt), p, -1)
	}
	m := &decodeNamedMap{rt: rt, elems: reflect.SliceOf(rt.Elem())}
	for i, name := range names {
		cp := decodePath{field: p.field + p.suffix + decodeQuote(name), column: name, subject: "column", borrow: p.borrow}
		if p.column != "" {
			cp.column = p.column + p.suffix + "." + name
		}
		fn, err := decodePlan(cp, types[i], rt.Elem())
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, reflect.ValueOf(name).Convert(rt.Key()))
		m.fns = append(m.fns, fn)
		m.paths = append(m.paths, cp)
	}
	return m, nil
}

// decode decodes rows [from, from+n) into maps. Each column is decoded in
// one run into a backing array, then the maps are filled from them; rows
// for which null(k) holds get a nil map.
func (m *decodeNamedMap) decode(count int, cols func(int) arrow.Array, null func(int) bool, from, n int, dst unsafe.Pointer, stride uintptr) error {
	if count != len(m.fns) {
		return decodeCorruptErr("%d columns, want %d", count, len(m.fns))
	}
	values := make([]reflect.Value, len(m.fns))
	for i, fn := range m.fns {
		values[i] = reflect.MakeSlice(m.elems, n, n)
		if err := fn(cols(i), from, n, values[i].UnsafePointer(), m.elems.Elem().Size()); err != nil {
			return decodeAt(err, m.paths[i], -1)
		}
	}
	for k := range n {
		out := unsafe.Add(dst, uintptr(k)*stride)
		if null != nil && null(from+k) {
			*(*unsafe.Pointer)(out) = nil
			continue
		}
		mv := reflect.MakeMapWithSize(m.rt, len(m.keys))
		for i, key := range m.keys {
			mv.SetMapIndex(key, values[i].Index(k))
		}
		decodeSet(m.rt, out, mv)
	}
	return nil
}

// decodeStructMapPlan decodes an Arrow struct into map[string]V, one entry
// per child; every child must decode into V.
func decodeStructMapPlan(p decodePath, st *arrow.StructType, rt reflect.Type) (decodeFn, error) {
	names, types := decodeStructChildren(st)
	m, err := decodeNewNamedMap(p, names, types, rt)
	if err != nil {
		return nil, err
	}
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(*array.Struct)
		if !ok {
			return decodeWrongArray(arr, "a struct array")
		}
		if err := decodeSpan(from, n, a.Len()); err != nil {
			return err
		}
		return m.decode(a.NumField(), a.Field, a.IsNull, from, n, dst, stride)
	}, nil
}

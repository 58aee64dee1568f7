package rowjson

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Index structures (list offsets, dictionary indices, run ends, union
// offsets) are bounds-checked: a reader that skips validation may hand over
// an array whose indices point outside its child, and a value printed as
// null is better than a panic in tome cat. The checks cost a comparison.

// listEncoder covers every list layout (list, large list, fixed-size list
// and both list views): each is a slot range of a child array.
func listEncoder(elem arrow.DataType) encodeFunc {
	enc := compile(elem)
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(array.ListLike)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		start, end := a.ValueOffsets(i)
		values := a.ListValues()
		if start < 0 || end < start || end > int64(values.Len()) {
			return appendNull(dst)
		}
		dst = append(dst, '[')
		for j := start; j < end; j++ {
			if j > start {
				dst = append(dst, ',')
			}
			dst = enc(dst, values, int(j))
		}
		return append(dst, ']')
	}
}

// structEncoder writes an object with the fields in schema order.
// Duplicate field names are written as they are; JSON parsers keep the
// last, so a consumer sees what a Python dict built from the row would.
func structEncoder(st *arrow.StructType) encodeFunc {
	fields := make([]column, st.NumFields())
	for k, f := range st.Fields() {
		fields[k] = column{key: objectKey(f.Name), enc: compile(f.Type)}
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Struct)
		switch {
		case !ok || a.NumField() != len(fields):
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		dst = append(dst, '{')
		for k := range fields {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, fields[k].key...)
			dst = fields[k].enc(dst, a.Field(k), i)
		}
		return append(dst, '}')
	}
}

// mapEncoder writes a map with string keys as an object (in entry order,
// duplicates kept) and any other map as an array of {"key":..,"value":..}
// objects, since JSON object keys can only be strings.
func mapEncoder(mt *arrow.MapType) encodeFunc {
	keyEnc, itemEnc := compile(mt.KeyType()), compile(mt.ItemType())
	stringKeys := isStringType(mt.KeyType())
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Map)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		// The entries struct, not Map.Keys/Items, so that an offset on
		// the entries is honoured.
		entries, ok := a.ListValues().(*array.Struct)
		if !ok || entries.NumField() != 2 {
			return appendNull(dst)
		}
		keys, items := entries.Field(0), entries.Field(1)
		start, end := a.ValueOffsets(i)
		if start < 0 || end < start || end > int64(entries.Len()) {
			return appendNull(dst)
		}
		if stringKeys {
			dst = append(dst, '{')
		} else {
			dst = append(dst, '[')
		}
		for j := int(start); j < int(end); j++ {
			if j > int(start) {
				dst = append(dst, ',')
			}
			if stringKeys {
				dst = appendKey(dst, keys, j, keyEnc)
				dst = append(dst, ':')
				dst = itemEnc(dst, items, j)
				continue
			}
			dst = append(dst, `{"key":`...)
			dst = keyEnc(dst, keys, j)
			dst = append(dst, `,"value":`...)
			dst = itemEnc(dst, items, j)
			dst = append(dst, '}')
		}
		if stringKeys {
			return append(dst, '}')
		}
		return append(dst, ']')
	}
}

// appendKey writes a string map key. Arrow forbids null keys; should one
// occur anyway, it is written as "" so the object stays valid JSON.
func appendKey(dst []byte, keys arrow.Array, j int, enc encodeFunc) []byte {
	if keys.IsNull(j) {
		return append(dst, `""`...)
	}
	return enc(dst, keys, j)
}

// isStringType reports whether values of dt encode as JSON strings that
// cannot be null when their array slot is valid.
func isStringType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

// unionEncoder writes the value of the active child: a union is one of
// several types, and a consumer wants the value, not the type code.
func unionEncoder(ut arrow.UnionType) encodeFunc {
	children := make([]encodeFunc, len(ut.Fields()))
	for k, f := range ut.Fields() {
		children[k] = compile(f.Type)
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(array.Union)
		if !ok || a.NumFields() != len(children) {
			return AppendValue(dst, arr, i)
		}
		child := a.ChildID(i)
		if child < 0 || child >= len(children) {
			return appendNull(dst)
		}
		j, values := i, a.Field(child)
		if dense, ok := a.(*array.DenseUnion); ok {
			j = int(dense.ValueOffset(i))
		}
		if j < 0 || j >= values.Len() {
			return appendNull(dst)
		}
		return children[child](dst, values, j)
	}
}

// dictionaryEncoder writes the decoded value, not the index.
func dictionaryEncoder(valueType arrow.DataType) encodeFunc {
	enc := compile(valueType)
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Dictionary)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		values, j := a.Dictionary(), a.GetValueIndex(i)
		if j < 0 || j >= values.Len() {
			return appendNull(dst)
		}
		return enc(dst, values, j)
	}
}

// runEndEncoder writes the value of the run covering logical slot i.
func runEndEncoder(valueType arrow.DataType) encodeFunc {
	enc := compile(valueType)
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.RunEndEncoded)
		if !ok {
			return AppendValue(dst, arr, i)
		}
		values, j := a.Values(), a.GetPhysicalIndex(i)
		if j < 0 || j >= values.Len() {
			return appendNull(dst)
		}
		return enc(dst, values, j)
	}
}

// extensionEncoder writes the storage value: an extension type's meaning
// is for its consumers, and its storage is what round-trips.
func extensionEncoder(storage arrow.DataType) encodeFunc {
	enc := compile(storage)
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(array.ExtensionArray)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		return enc(dst, a.Storage(), i)
	}
}

package ipc

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// Flatbuffer slots of Schema.fbs.
const (
	slotSchemaEndianness = 0
	slotSchemaFields     = 1
	slotSchemaMetadata   = 2

	slotFieldName       = 0
	slotFieldTypeType   = 2
	slotFieldType       = 3
	slotFieldDictionary = 4
	slotFieldChildren   = 5
	slotFieldMetadata   = 6

	slotKeyValueKey   = 0
	slotKeyValueValue = 1

	slotDictEncodingID        = 0
	slotDictEncodingIndexType = 1

	slotUnionTypeIDs     = 1
	slotTimestampZone    = 1
	typeUnion            = 14
	typeTimestamp        = 10
	lastKnownType        = 26 // LargeListView
	maxNesting           = 64 // arrow-go's loader refuses deeper types too
	endiannessBig        = 1
	minFieldBudget       = 16
	bytesPerFieldAtLeast = 4 // one offset in a children vector
)

// schemaInfo is what tome needs from a Schema table before arrow-go decodes
// it: the top-level names and the dictionaries each column uses.
type schemaInfo struct {
	fields    []fieldInfo
	bigEndian bool
}

type fieldInfo struct {
	name    string
	dictIDs []int64 // dictionary ids of the field and its descendants
}

// inspectSchema checks a Schema table thoroughly enough that arrow-go can
// decode it without sizing an allocation by a forged length or recursing
// without bound: every vector, string and sub-table arrow-go reads lies
// inside the buffer, nesting is at most 64 deep, and the number of fields
// visited is bounded by the buffer's size (flatbuffers can share a table
// between parents, so a small file could otherwise describe an
// exponentially large schema).
func inspectSchema(t fbTable) (schemaInfo, error) {
	var info schemaInfo
	e, err := t.int16(slotSchemaEndianness, 0)
	if err != nil {
		return info, err
	}
	info.bigEndian = e == endiannessBig
	if err := checkKeyValues(t, slotSchemaMetadata); err != nil {
		return info, err
	}
	fields, err := t.vector(slotSchemaFields, 4)
	if err != nil {
		return info, err
	}
	w := schemaWalk{budget: max(len(t.buf)/bytesPerFieldAtLeast, minFieldBudget)}
	info.fields = make([]fieldInfo, fields.n)
	for i := range fields.n {
		f, err := fields.table(i)
		if err != nil {
			return info, err
		}
		if info.fields[i].name, err = f.string(slotFieldName); err != nil {
			return info, err
		}
		if err := w.field(f, 0, &info.fields[i].dictIDs); err != nil {
			return info, fmt.Errorf("field %d (%q): %w", i, info.fields[i].name, err)
		}
	}
	return info, nil
}

type schemaWalk struct{ budget int }

func (w *schemaWalk) field(f fbTable, depth int, ids *[]int64) error {
	w.budget--
	switch {
	case w.budget < 0:
		return fmt.Errorf("%w: the schema describes more fields than its bytes can hold", format.ErrCorrupt)
	case depth > maxNesting:
		return fmt.Errorf("%w: types nested more than %d deep", format.ErrUnsupported, maxNesting)
	}
	if _, err := f.string(slotFieldName); err != nil {
		return err
	}
	if err := checkKeyValues(f, slotFieldMetadata); err != nil {
		return err
	}
	if err := checkType(f); err != nil {
		return err
	}
	if d, ok, err := f.table(slotFieldDictionary); err != nil {
		return err
	} else if ok {
		id, err := d.int64(slotDictEncodingID, 0)
		if err != nil {
			return err
		}
		if _, _, err := d.table(slotDictEncodingIndexType); err != nil {
			return err
		}
		*ids = append(*ids, id)
	}
	children, err := f.vector(slotFieldChildren, 4)
	if err != nil {
		return err
	}
	for i := range children.n {
		c, err := children.table(i)
		if err != nil {
			return err
		}
		if err := w.field(c, depth+1, ids); err != nil {
			return err
		}
	}
	return nil
}

// checkType checks a field's type union: a known type whose table, and the
// vectors and strings in it that arrow-go reads, lie inside the buffer.
func checkType(f fbTable) error {
	tt, err := f.uint8(slotFieldTypeType, 0)
	if err != nil {
		return err
	}
	switch {
	case tt == 0:
		return fmt.Errorf("%w: field without a type", format.ErrCorrupt)
	case tt > lastKnownType:
		return fmt.Errorf("%w: type id %d, newer than this reader", format.ErrUnsupported, tt)
	}
	typ, ok, err := f.table(slotFieldType)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: field type %d without its table", format.ErrCorrupt, tt)
	}
	switch tt {
	case typeUnion:
		_, err = typ.vector(slotUnionTypeIDs, 4)
	case typeTimestamp:
		_, err = typ.string(slotTimestampZone)
	}
	return err
}

func checkKeyValues(t fbTable, slot int) error {
	kvs, err := t.vector(slot, 4)
	if err != nil {
		return err
	}
	for i := range kvs.n {
		kv, err := kvs.table(i)
		if err != nil {
			return err
		}
		if _, err := kv.vector(slotKeyValueKey, 1); err != nil {
			return err
		}
		if _, err := kv.vector(slotKeyValueValue, 1); err != nil {
			return err
		}
	}
	return nil
}

// dictIDs returns the dictionary ids used by the given top-level fields.
func (s schemaInfo) dictIDs(cols []int) map[int64]bool {
	ids := make(map[int64]bool)
	for _, c := range cols {
		for _, id := range s.fields[c].dictIDs {
			ids[id] = true
		}
	}
	return ids
}

// checkTypes refuses the type parameters arrow-go accepts but cannot lay
// out or convert: negative widths and list sizes, decimal precisions and
// scales outside what the decimal's width holds.
func checkTypes(s *arrow.Schema) error {
	var walk func(dt arrow.DataType) error
	walk = func(dt arrow.DataType) error {
		switch dt := dt.(type) {
		case *arrow.FixedSizeBinaryType:
			if dt.ByteWidth < 0 {
				return fmt.Errorf("%w: fixed_size_binary of width %d", format.ErrCorrupt, dt.ByteWidth)
			}
		case *arrow.FixedSizeListType:
			if dt.Len() < 0 {
				return fmt.Errorf("%w: fixed_size_list of size %d", format.ErrCorrupt, dt.Len())
			}
			return walk(dt.Elem())
		case arrow.DecimalType:
			return checkDecimal(dt)
		case *arrow.DictionaryType:
			return walk(dt.ValueType)
		case arrow.ExtensionType:
			return walk(dt.StorageType())
		case arrow.NestedType:
			for _, f := range dt.Fields() {
				if err := walk(f.Type); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, f := range s.Fields() {
		if err := walk(f.Type); err != nil {
			return fmt.Errorf("field %q: %w", f.Name, err)
		}
	}
	return nil
}

// checkDecimal refuses a precision outside [1, max] for the decimal's
// width, and a scale beyond ±max, which arrow-go's conversions index
// tables of powers of ten with.
func checkDecimal(dt arrow.DecimalType) error {
	maxPrecision := map[int]int32{32: 9, 64: 18, 128: 38, 256: 76}[dt.BitWidth()]
	p, s := dt.GetPrecision(), dt.GetScale()
	switch {
	case p < 1 || p > maxPrecision:
		return fmt.Errorf("%w: %s: precision outside [1, %d]", format.ErrCorrupt, dt, maxPrecision)
	case s < -maxPrecision || s > maxPrecision:
		return fmt.Errorf("%w: %s: scale beyond ±%d", format.ErrUnsupported, dt, maxPrecision)
	}
	return nil
}

func (s schemaInfo) hasDict(id int64) bool {
	for _, f := range s.fields {
		for _, d := range f.dictIDs {
			if d == id {
				return true
			}
		}
	}
	return false
}

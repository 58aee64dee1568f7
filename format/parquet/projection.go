package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
)

// arrowSchemaKey is where Arrow writers store the serialized Arrow schema.
// pqarrow applies it to restore types; it is dropped from the schema the
// Reader reports, where it would describe columns a projection removed.
const arrowSchemaKey = "ARROW:schema"

// A column is one projected top-level field of the file.
type column struct {
	field  arrow.Field  // as pqarrow decodes it
	target arrow.Field  // as the Reader yields it; see restore.go
	index  int          // position in the pqarrow schema manifest
	leaves map[int]bool // the Parquet leaf columns it reads
}

// project resolves top-level names to columns; nil names means every field.
func project(m *pqarrow.SchemaManifest, names []string) ([]column, error) {
	if names == nil {
		cols := make([]column, len(m.Fields))
		for i := range m.Fields {
			cols[i] = newColumn(m, i)
		}
		return cols, nil
	}
	byName := make(map[string][]int, len(m.Fields))
	for i, f := range m.Fields {
		byName[f.Field.Name] = append(byName[f.Field.Name], i)
	}
	cols := make([]column, 0, len(names))
	made := make(map[int]column) // newColumn changes the manifest: once per field
	for _, name := range names {
		switch idx := byName[name]; len(idx) {
		case 0:
			return nil, fmt.Errorf("%w: no column %q", format.ErrSchema, name)
		case 1:
			c, ok := made[idx[0]]
			if !ok {
				c = newColumn(m, idx[0])
				made[idx[0]] = c
			}
			cols = append(cols, c)
		default:
			return nil, fmt.Errorf("%w: column name %q is ambiguous: the file has %d columns of that name",
				format.ErrSchema, name, len(idx))
		}
	}
	return cols, nil
}

// newColumn describes manifest field i, and switches the manifest to decode
// it in its storage form (see decodeAsStorage); call it once per field.
func newColumn(m *pqarrow.SchemaManifest, i int) column {
	leaves := make(map[int]bool)
	var walk func(f *pqarrow.SchemaField)
	walk = func(f *pqarrow.SchemaField) {
		if f.IsLeaf() {
			leaves[f.ColIndex] = true
		}
		for j := range f.Children {
			walk(&f.Children[j])
		}
	}
	walk(&m.Fields[i])
	target := *m.Fields[i].Field
	if m.OriginSchema != nil {
		target.Type = restoredType(m.OriginSchema.Field(i).Type, target.Type)
	}
	decodeAsStorage(&m.Fields[i])
	return column{field: *m.Fields[i].Field, target: withoutUnsetIDs(target), index: i, leaves: leaves}
}

// fieldIDKey is the field metadata pqarrow fills from Parquet field ids.
const fieldIDKey = "PARQUET:field_id"

// withoutUnsetIDs drops the field id metadata pqarrow attaches to every
// field, nested ones included, even when the file sets no id (-1). Readers
// such as pyarrow attach it only for ids a file really has, and an unset id
// would otherwise follow the schema into every file written from it.
func withoutUnsetIDs(f arrow.Field) arrow.Field {
	if i := f.Metadata.FindKey(fieldIDKey); i >= 0 && f.Metadata.Values()[i] == "-1" {
		var keys, values []string
		for j, k := range f.Metadata.Keys() {
			if j != i {
				keys, values = append(keys, k), append(values, f.Metadata.Values()[j])
			}
		}
		f.Metadata = arrow.NewMetadata(keys, values)
	}
	switch t := f.Type.(type) {
	case *arrow.StructType:
		fields := make([]arrow.Field, t.NumFields())
		for i, c := range t.Fields() {
			fields[i] = withoutUnsetIDs(c)
		}
		f.Type = arrow.StructOf(fields...)
	case *arrow.ListType:
		f.Type = arrow.ListOfField(withoutUnsetIDs(t.ElemField()))
	case *arrow.LargeListType:
		f.Type = arrow.LargeListOfField(withoutUnsetIDs(t.ElemField()))
	case *arrow.FixedSizeListType:
		f.Type = arrow.FixedSizeListOfField(t.Len(), withoutUnsetIDs(t.ElemField()))
	case *arrow.MapType:
		m := arrow.MapOfFields(withoutUnsetIDs(t.KeyField()), withoutUnsetIDs(t.ItemField()))
		m.KeysSorted = t.KeysSorted
		f.Type = m
	}
	return f
}

// schemaOf builds the Arrow schema of the projected columns, carrying the
// file's key-value metadata (the "huggingface" features among it).
func schemaOf(cols []column, kv metadata.KeyValueMetadata) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.target
	}
	var keys, values []string
	for _, e := range kv {
		if e == nil || e.Key == arrowSchemaKey {
			continue
		}
		keys = append(keys, e.Key)
		v := ""
		if e.Value != nil {
			v = *e.Value
		}
		values = append(values, v)
	}
	if len(keys) == 0 {
		return arrow.NewSchema(fields, nil)
	}
	meta := arrow.NewMetadata(keys, values)
	return arrow.NewSchema(fields, &meta)
}

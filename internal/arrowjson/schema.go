package arrowjson

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// field is a decoded field plus what its columns need and arrow.Field
// cannot carry: the id of the dictionary a dictionary-encoded field refers
// to, and the JSON children in the order the columns list them.
type field struct {
	arrow.Field
	encoded  bool  // Type is an *arrow.DictionaryType and columns hold indices
	dictID   int64 // the dictionary the indices refer to, when encoded
	children []*field
}

// valueField is the field a dictionary's own column is decoded with: the
// same field, holding values instead of indices.
func (f *field) valueField() *field {
	v := *f
	v.encoded = false
	v.Type = f.Type.(*arrow.DictionaryType).ValueType
	return &v
}

// schemaDecoder decodes the fields of a schema, recording the first field
// that uses each dictionary id so dictionaries can be decoded with its type.
type schemaDecoder struct {
	dictFields map[int64]*field
}

func decodeSchema(s *jsonSchema) (*arrow.Schema, []*field, map[int64]*field, error) {
	if s == nil {
		return nil, nil, nil, fmt.Errorf("%w: no schema", format.ErrCorrupt)
	}
	d := schemaDecoder{dictFields: map[int64]*field{}}
	fields := make([]*field, len(s.Fields))
	arrowFields := make([]arrow.Field, len(s.Fields))
	for i := range s.Fields {
		f, err := d.field(&s.Fields[i], s.Fields[i].Name)
		if err != nil {
			return nil, nil, nil, err
		}
		fields[i], arrowFields[i] = f, f.Field
	}
	md := metadata(s.Metadata)
	return arrow.NewSchema(arrowFields, &md), fields, d.dictFields, nil
}

func (d *schemaDecoder) field(f *jsonField, path string) (*field, error) {
	children := make([]*field, len(f.Children))
	childFields := make([]arrow.Field, len(f.Children))
	for i := range f.Children {
		c, err := d.field(&f.Children[i], path+"."+f.Children[i].Name)
		if err != nil {
			return nil, err
		}
		children[i], childFields[i] = c, c.Field
	}
	dt, err := decodeType(f.Type, childFields)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", path, err)
	}
	out := &field{
		Field:    arrow.Field{Name: f.Name, Type: dt, Nullable: f.Nullable, Metadata: metadata(f.Metadata)},
		children: children,
	}
	if f.Dictionary != nil {
		if err := d.encode(out, f.Dictionary); err != nil {
			return nil, fmt.Errorf("field %q: %w", path, err)
		}
	}
	return out, nil
}

// encode makes f dictionary-encoded as enc describes. Fields sharing an id
// share one dictionary, so they must agree on its value type.
func (d *schemaDecoder) encode(f *field, enc *jsonEncoding) error {
	index, err := decodeType(enc.IndexType, nil)
	if err != nil {
		return fmt.Errorf("dictionary index type: %w", err)
	}
	if !arrow.IsInteger(index.ID()) {
		return fmt.Errorf("%w: dictionary index type %s is not an integer", format.ErrCorrupt, index)
	}
	f.Type = &arrow.DictionaryType{IndexType: index, ValueType: f.Type, Ordered: enc.IsOrdered}
	f.encoded, f.dictID = true, enc.ID
	if prev, ok := d.dictFields[enc.ID]; ok {
		want := prev.Type.(*arrow.DictionaryType).ValueType
		if !arrow.TypeEqual(want, f.Type.(*arrow.DictionaryType).ValueType) {
			return fmt.Errorf("%w: dictionary id %d holds %s here and %s in field %q",
				format.ErrCorrupt, enc.ID, f.Type.(*arrow.DictionaryType).ValueType, want, prev.Name)
		}
		return nil
	}
	d.dictFields[enc.ID] = f
	return nil
}

func metadata(kvs []jsonKV) arrow.Metadata {
	if len(kvs) == 0 {
		return arrow.Metadata{}
	}
	keys := make([]string, len(kvs))
	values := make([]string, len(kvs))
	for i, kv := range kvs {
		keys[i], values[i] = kv.Key, kv.Value
	}
	return arrow.NewMetadata(keys, values)
}

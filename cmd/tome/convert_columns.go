package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/hf"
)

// outputSchema renames the columns of the (projected) input schema and
// records their Hugging Face features in the metadata, as datasets does
// for every file it writes. The features come from the input's metadata
// where it describes a column (a ClassLabel's names survive), else from
// the Arrow types. They are nil when datasets cannot describe a type;
// the schema then carries no "huggingface" key.
func outputSchema(in *arrow.Schema, renames map[string]string) (*arrow.Schema, json.RawMessage, error) {
	names := columnNames(in)
	for old := range renames {
		if !slices.Contains(names, old) {
			return nil, nil, fmt.Errorf("%w: --rename: no column %q (columns: %s)", format.ErrSchema, old, strings.Join(names, ", "))
		}
	}
	fields := make([]arrow.Field, in.NumFields())
	seen := map[string]bool{}
	for i, f := range in.Fields() {
		if to, ok := renames[f.Name]; ok {
			f.Name = to
		}
		if seen[f.Name] {
			return nil, nil, fmt.Errorf("%w: two output columns are called %q", format.ErrSchema, f.Name)
		}
		seen[f.Name] = true
		fields[i] = f
	}
	md := withoutKey(in.Metadata(), hf.MetadataKey)
	out := arrow.NewSchema(fields, &md)

	feats, err := hf.FromSchema(in)
	if errors.Is(err, format.ErrUnsupported) {
		return out, nil, nil
	}
	if err != nil {
		// Broken features metadata: describe the columns from their types.
		if feats, err = hf.FromArrow(arrow.NewSchema(in.Fields(), nil)); err != nil {
			return out, nil, nil
		}
	}
	for i := range feats.Fields {
		feats.Fields[i].Name = fields[i].Name
	}
	raw, err := feats.MarshalJSON()
	if err != nil {
		return nil, nil, err
	}
	return hf.WithFeatures(out, feats), raw, nil
}

// withoutKey returns md without key.
func withoutKey(md arrow.Metadata, key string) arrow.Metadata {
	i := md.FindKey(key)
	if i < 0 {
		return md
	}
	keys, values := slices.Clone(md.Keys()), slices.Clone(md.Values())
	keys, values = slices.Delete(keys, i, i+1), slices.Delete(values, i, i+1)
	return arrow.NewMetadata(keys, values)
}

// relabel gives a batch the output schema: the reader has projected its
// columns already, so only names and metadata change. The caller
// releases the result.
func relabel(b arrow.RecordBatch, out *arrow.Schema) (arrow.RecordBatch, error) {
	if b.NumCols() != int64(out.NumFields()) {
		return nil, fmt.Errorf("%w: batch has %d columns, the output %d", format.ErrSchema, b.NumCols(), out.NumFields())
	}
	for i, c := range b.Columns() {
		if !arrow.TypeEqual(c.DataType(), out.Field(i).Type) {
			return nil, fmt.Errorf("%w: column %s is %s, the split's first file has %s", format.ErrSchema, out.Field(i).Name, c.DataType(), out.Field(i).Type)
		}
	}
	return array.NewRecordBatch(out, b.Columns(), b.NumRows()), nil
}

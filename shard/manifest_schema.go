package shard

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/tome-data/tome/format"
	tomeipc "github.com/tome-data/tome/format/ipc"
)

// maxSchemaBytes bounds a serialized schema in a manifest. Real ones are
// kilobytes; Hugging Face features of hundreds of columns reach a few
// hundred.
const maxSchemaBytes = 16 << 20

// Schema is an Arrow schema in a manifest, in two forms: Fields for
// people and tools that read JSON, and IPC, the schema as an Arrow IPC
// stream with no batches (base64 in JSON), which keeps every type detail
// and the metadata exactly.
type Schema struct {
	Fields []SchemaField `json:"fields"`
	IPC    []byte        `json:"ipc"`
}

// SchemaField is one column: its name, its Arrow type as arrow-go prints
// it (int64, utf8, list<item: int32, nullable>, ...) and nullability.
type SchemaField struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// NewSchema describes an Arrow schema for a manifest.
func NewSchema(s *arrow.Schema) (Schema, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s))
	if err := w.Close(); err != nil {
		return Schema{}, fmt.Errorf("serializing schema: %w", err)
	}
	out := Schema{IPC: buf.Bytes(), Fields: make([]SchemaField, s.NumFields())}
	for i, f := range s.Fields() {
		out.Fields[i] = SchemaField{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable}
	}
	return out, nil
}

// Arrow decodes the schema. Bytes that are not a schema, or a schema that
// disagrees with Fields, give an error wrapping format.ErrCorrupt.
func (s Schema) Arrow() (*arrow.Schema, error) {
	if len(s.IPC) == 0 {
		return nil, fmt.Errorf("%w: schema: no ipc bytes", format.ErrCorrupt)
	}
	if len(s.IPC) > maxSchemaBytes {
		return nil, fmt.Errorf("%w: schema: %d bytes, more than %d", format.ErrCorrupt, len(s.IPC), maxSchemaBytes)
	}
	// arrow-go's own decoder trusts the flatbuffer it is given (a field
	// count it sizes a slice from, unchecked); the bytes come from a file
	// anyone could have edited, so format/ipc, which checks every count
	// and offset first, reads them.
	r, err := tomeipc.Open(bytes.NewReader(s.IPC), int64(len(s.IPC)), tomeipc.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: schema: %w", format.ErrCorrupt, err)
	}
	schema := r.Schema()
	if err := r.Close(); err != nil {
		return nil, fmt.Errorf("%w: schema: %w", format.ErrCorrupt, err)
	}
	if schema.NumFields() != len(s.Fields) {
		return nil, fmt.Errorf("%w: schema: %d fields listed, %d serialized", format.ErrCorrupt, len(s.Fields), schema.NumFields())
	}
	for i, f := range schema.Fields() {
		want := s.Fields[i]
		if f.Name != want.Name || f.Type.String() != want.Type || f.Nullable != want.Nullable {
			return nil, fmt.Errorf("%w: schema: field %d is %s: %s, listed as %s: %s", format.ErrCorrupt, i, f.Name, f.Type, want.Name, want.Type)
		}
	}
	return schema, nil
}

// SameColumns reports how a shard's schema differs from the manifest's in
// its columns (names, types and nullability, not metadata), or "" when
// they agree.
func SameColumns(want, got *arrow.Schema) string {
	if want.NumFields() != got.NumFields() {
		return fmt.Sprintf("%d columns, want %d", got.NumFields(), want.NumFields())
	}
	for i := range want.NumFields() {
		w, g := want.Field(i), got.Field(i)
		if w.Name != g.Name || !arrow.TypeEqual(w.Type, g.Type) {
			return fmt.Sprintf("column %d is %s: %s, want %s: %s", i, g.Name, g.Type, w.Name, w.Type)
		}
	}
	return ""
}

package arrowjson

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// MaxDocumentSize bounds the JSON text Read accepts, after decompression,
// so a gzip bomb cannot exhaust memory. The largest file in arrow-testing
// holds under 1 MiB of JSON.
const MaxDocumentSize = 256 << 20

// A File is the content of an integration JSON file. Its batches hold
// references to memory from the allocator it was read with; Release them
// all with Release.
type File struct {
	Schema  *arrow.Schema
	Batches []arrow.RecordBatch
}

// Release releases every batch. The File must not be used afterwards.
func (f *File) Release() {
	for _, b := range f.Batches {
		b.Release()
	}
	f.Batches = nil
}

// ReadFile reads an integration JSON file, gzip-compressed or not (told by
// its first bytes, not its name), allocating from mem (nil means
// memory.DefaultAllocator).
func ReadFile(path string, mem memory.Allocator) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, err := Read(fh, mem)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return f, nil
}

// Read reads an integration JSON document from r, as ReadFile does.
func Read(r io.Reader, mem memory.Allocator) (*File, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	text, err := readText(r)
	if err != nil {
		return nil, err
	}
	var doc jsonDocument
	if err := json.Unmarshal(text, &doc); err != nil {
		return nil, jsonError(err)
	}
	return decodeDocument(&doc, mem)
}

func decodeDocument(doc *jsonDocument, mem memory.Allocator) (f *File, err error) {
	// The checks above every constructor should leave arrow-go nothing to
	// panic about; should one still fire, it is bad input, not a crash.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%w: arrow-go rejected the data: %v", format.ErrCorrupt, r)
		}
	}()
	schema, fields, dictFields, err := decodeSchema(doc.Schema)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	dictJSON, err := indexDictionaries(doc.Dictionaries, dictFields)
	if err != nil {
		return nil, err
	}
	d := &decoder{
		mem:        mem,
		dictFields: dictFields,
		dictJSON:   dictJSON,
		dicts:      map[int64]*array.Data{},
		busy:       map[int64]bool{},
	}
	defer d.release()
	f = &File{Schema: schema}
	for i := range doc.Batches {
		b, err := d.batch(schema, fields, &doc.Batches[i])
		if err != nil {
			f.Release()
			return nil, fmt.Errorf("batch %d: %w", i, err)
		}
		f.Batches = append(f.Batches, b)
	}
	return f, nil
}

// batch decodes one record batch: a column per field, each of the batch's
// length and named like its field.
func (d *decoder) batch(schema *arrow.Schema, fields []*field, b *jsonBatch) (arrow.RecordBatch, error) {
	if b.Count < 0 || b.Count > maxRows {
		return nil, fmt.Errorf("%w: count %d out of range", format.ErrCorrupt, b.Count)
	}
	if len(b.Columns) != len(fields) {
		return nil, fmt.Errorf("%w: %d columns for %d fields", format.ErrCorrupt, len(b.Columns), len(fields))
	}
	cols := make([]arrow.Array, 0, len(fields))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i, f := range fields {
		c := &b.Columns[i]
		if c.Name != f.Name {
			return nil, fmt.Errorf("%w: column %d is named %q, want %q", format.ErrCorrupt, i, c.Name, f.Name)
		}
		if c.Count != b.Count {
			return nil, fmt.Errorf("%w: column %q has %d rows, the batch %d", format.ErrCorrupt, c.Name, c.Count, b.Count)
		}
		data, err := d.column(f, c, f.Name)
		if err != nil {
			return nil, err
		}
		cols = append(cols, array.MakeFromData(data))
		data.Release()
	}
	return array.NewRecordBatch(schema, cols, b.Count), nil
}

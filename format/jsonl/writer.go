package jsonl

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/rowjson"
	"github.com/tome-data/tome/internal/textio"
)

// WriteOptions configure NewWriter.
type WriteOptions struct {
	// Compression wraps the whole output in gzip or zstd.
	Compression format.Compression
}

// Writer writes record batches as JSON Lines: one object per row, in
// format/rowjson's canonical JSON, with a newline after each. The reader
// reads the output back exactly given the same schema (union columns
// aside, whose member is not recorded).
//
// A Writer is not safe for concurrent use. Close must be called to flush
// the output; it does not close the io.Writer.
type Writer struct {
	out    *textio.Sink
	schema *arrow.Schema
	enc    *rowjson.Encoder
}

var _ format.Writer = (*Writer)(nil)

// NewWriter returns a Writer of batches with the given schema to w.
func NewWriter(w io.Writer, schema *arrow.Schema, opts WriteOptions) (*Writer, error) {
	out, err := textio.NewSink(w, opts.Compression, "jsonl")
	if err != nil {
		return nil, err
	}
	jw := &Writer{out: out, schema: schema, enc: rowjson.NewEncoder(schema)}
	return jw, nil
}

// Write appends the rows of batch, whose columns must match the Writer's
// schema in number, names and types (an ErrSchema error otherwise).
func (w *Writer) Write(batch arrow.RecordBatch) error {
	if err := w.out.Usable(); err != nil {
		return err
	}
	if err := textio.CheckSchema("jsonl", w.schema, batch.Schema()); err != nil {
		return err
	}
	for i := range int(batch.NumRows()) {
		w.out.Buf = w.enc.AppendRow(w.out.Buf, batch, i)
		w.out.Buf = append(w.out.Buf, '\n')
		if err := w.out.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// Close flushes what is buffered and ends the compressed stream. It does
// not close the underlying io.Writer. Calling it again is a no-op.
func (w *Writer) Close() error { return w.out.Close() }

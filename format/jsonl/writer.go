package jsonl

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/rowjson"
)

// WriteOptions configure NewWriter.
type WriteOptions struct {
	// Compression wraps the whole output in gzip or zstd.
	Compression format.Compression
}

// flushBytes is how much encoded text Writer gathers before writing it.
const flushBytes = 1 << 20

// Writer writes record batches as JSON Lines: one object per row, in
// format/rowjson's canonical JSON, with a newline after each. The reader
// reads the output back exactly given the same schema (union columns
// aside, whose member is not recorded).
//
// A Writer is not safe for concurrent use. Close must be called to flush
// the output; it does not close the io.Writer.
type Writer struct {
	dst    io.Writer // the compressor, or the destination
	zc     io.Closer // the compressor, nil when uncompressed
	schema *arrow.Schema
	enc    *rowjson.Encoder
	buf    []byte
	err    error // sticky: after a failed write every call fails
	closed bool
}

var _ format.Writer = (*Writer)(nil)

// NewWriter returns a Writer of batches with the given schema to w.
func NewWriter(w io.Writer, schema *arrow.Schema, opts WriteOptions) (*Writer, error) {
	jw := &Writer{dst: w, schema: schema, enc: rowjson.NewEncoder(schema)}
	switch opts.Compression {
	case format.Uncompressed:
	case format.Gzip:
		zw := gzip.NewWriter(w)
		jw.dst, jw.zc = zw, zw
	case format.Zstd:
		zw, err := zstd.NewWriter(w)
		if err != nil {
			return nil, fmt.Errorf("jsonl: starting zstd: %w", err)
		}
		jw.dst, jw.zc = zw, zw
	default:
		return nil, fmt.Errorf("jsonl: unknown compression %d", opts.Compression)
	}
	return jw, nil
}

// Write appends the rows of batch, whose columns must match the Writer's
// schema in number, names and types (an ErrSchema error otherwise).
func (w *Writer) Write(batch arrow.RecordBatch) error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.check(batch.Schema()); err != nil {
		return err
	}
	for i := range int(batch.NumRows()) {
		w.buf = w.enc.AppendRow(w.buf, batch, i)
		w.buf = append(w.buf, '\n')
		if len(w.buf) >= flushBytes {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// check compares a batch's schema with the Writer's.
func (w *Writer) check(s *arrow.Schema) error {
	if s.NumFields() != w.schema.NumFields() {
		return fmt.Errorf("jsonl: %w: batch has %d columns, writer %d", format.ErrSchema, s.NumFields(), w.schema.NumFields())
	}
	for i, f := range s.Fields() {
		want := w.schema.Field(i)
		if f.Name != want.Name || !arrow.TypeEqual(f.Type, want.Type) {
			return fmt.Errorf("jsonl: %w: batch column %d is %s %s, writer has %s %s", format.ErrSchema, i, f.Name, f.Type, want.Name, want.Type)
		}
	}
	return nil
}

func (w *Writer) usable() error {
	if w.closed {
		return errors.New("jsonl: writer is closed")
	}
	return w.err
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.dst.Write(w.buf); err != nil {
		w.err = fmt.Errorf("jsonl: writing: %w", err)
		return w.err
	}
	w.buf = w.buf[:0]
	return nil
}

// Close flushes what is buffered and ends the compressed stream. It does
// not close the underlying io.Writer. Calling it again is a no-op.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	err := w.err
	if err == nil {
		err = w.flush()
	}
	w.closed = true
	if w.zc != nil {
		if cerr := w.zc.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("jsonl: finishing %s stream: %w", "compressed", cerr)
		}
	}
	return err
}

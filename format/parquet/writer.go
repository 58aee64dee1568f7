package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
)

// DefaultRowGroupBytes is the Arrow size at which a Writer cuts a row group
// unless told otherwise. Large enough for long column chunks that compress
// and scan well, small enough that a streaming reader holding one row group
// of a few columns stays within a modest memory budget.
const DefaultRowGroupBytes = 128 << 20

// WriteOptions configure NewWriter. The zero value writes zstd at its
// default level with row groups of DefaultRowGroupBytes.
type WriteOptions struct {
	// Compression is the page codec; the zero value is Zstd.
	Compression Compression

	// Level is the codec's compression level (zstd 1-22, gzip 1-9, brotli
	// 0-11); 0 means the codec's default. Snappy and LZ4 have no levels.
	Level int

	// RowGroupRows cuts a row group after this many rows; 0 means rows do
	// not limit a row group, only bytes do.
	RowGroupRows int64

	// RowGroupBytes cuts a row group once the rows written to it hold this
	// many bytes as Arrow data (an estimate of the uncompressed size); 0
	// means DefaultRowGroupBytes.
	RowGroupBytes int64

	// Allocator receives the writer's buffers; nil means
	// memory.DefaultAllocator.
	Allocator memory.Allocator
}

func (o WriteOptions) rowGroupRows() int64 {
	if o.RowGroupRows > 0 {
		return o.RowGroupRows
	}
	return math.MaxInt64
}

func (o WriteOptions) rowGroupBytes() int64 {
	if o.RowGroupBytes > 0 {
		return o.RowGroupBytes
	}
	return DefaultRowGroupBytes
}

func (o WriteOptions) mem() memory.Allocator {
	if o.Allocator != nil {
		return o.Allocator
	}
	return memory.DefaultAllocator
}

// Writer writes record batches to one Parquet file. It buffers the current
// row group in memory and writes it out when it is full, so memory stays
// near one row group however much is written.
type Writer struct {
	schema  *arrow.Schema // what callers write
	storage *arrow.Schema // what pqarrow writes; see canonical.go
	opts    WriteOptions
	fw      *pqarrow.FileWriter

	groupRows  int64 // rows in the current row group
	groupBytes int64 // their estimated Arrow size
	err        error // the first failure; every later call returns it
	closed     bool
}

var _ format.Writer = (*Writer)(nil)

// NewWriter starts a Parquet file with the given schema on w. The schema's
// metadata is stored as the file's key-value metadata, and the schema
// itself under "ARROW:schema" so that readers restore Arrow types Parquet
// has no name for. A type Parquet cannot hold gives an ErrUnsupported error.
func NewWriter(w io.Writer, schema *arrow.Schema, opts WriteOptions) (*Writer, error) {
	storage, err := storageSchemaWithArrow(schema, opts.mem())
	if err != nil {
		return nil, fmt.Errorf("%w: parquet writer: %w", format.ErrUnsupported, err)
	}
	props, arrowProps, err := writerProperties(storage, opts)
	if err != nil {
		return nil, err
	}
	fw, err := newFileWriter(storage, w, props, arrowProps)
	if err != nil {
		return nil, fmt.Errorf("%w: parquet writer: %w", format.ErrUnsupported, err)
	}
	return &Writer{schema: schema, storage: storage, opts: opts, fw: fw}, nil
}

func newFileWriter(schema *arrow.Schema, w io.Writer, props *pq.WriterProperties, arrowProps pqarrow.ArrowWriterProperties) (fw *pqarrow.FileWriter, err error) {
	defer recoverWrite(&err)
	// writerOnly hides Close: pqarrow closes a writer that has one, and
	// format.Writer promises to leave it open.
	return pqarrow.NewFileWriter(schema, writerOnly{w}, props, arrowProps)
}

type writerOnly struct{ io.Writer }

// Write appends a batch. Its schema must have the writer's field names and
// types (metadata may differ), and a column the writer's schema declares
// non-nullable must hold no nulls; else the error wraps format.ErrSchema
// and the writer stays usable. Empty
// batches write nothing. After a failed Write the file is unusable: every
// later call, Close included, returns the same error.
func (w *Writer) Write(batch arrow.RecordBatch) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("parquet writer: write after close")
	}
	if err := sameFields(w.schema, batch.Schema()); err != nil {
		return err
	}
	if err := noNullsInRequired(w.schema, batch); err != nil {
		return err
	}
	if batch.NumRows() == 0 {
		return nil
	}
	if err := w.write(batch); err != nil {
		w.err = fmt.Errorf("parquet writer: %w", err)
		return w.err
	}
	return nil
}

// write splits batch at the row group limits and writes the pieces.
func (w *Writer) write(batch arrow.RecordBatch) (err error) {
	defer recoverWrite(&err)
	rows := batch.NumRows()
	rec, err := w.canonical(batch)
	if err != nil {
		return err
	}
	defer rec.Release()
	perRow := max(1, (batchBytes(rec)+rows-1)/rows)
	maxRows, maxBytes := w.opts.rowGroupRows(), w.opts.rowGroupBytes()
	for off := int64(0); off < rows; {
		if w.groupRows > 0 && (w.groupRows >= maxRows || w.groupBytes >= maxBytes) {
			if err := w.fw.NewBufferedRowGroupChecked(); err != nil {
				return err
			}
			w.groupRows, w.groupBytes = 0, 0
		}
		room := min(maxRows-w.groupRows, max(1, (maxBytes-w.groupBytes+perRow-1)/perRow))
		n := min(rows-off, room)
		if err := w.writeSlice(rec, off, n); err != nil {
			return err
		}
		w.groupRows += n
		w.groupBytes += n * perRow
		off += n
	}
	return nil
}

// canonical returns batch with the storage schema and canonical columns.
func (w *Writer) canonical(batch arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, batch.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range batch.Columns() {
		var err error
		if cols[i], err = canonical(c, w.opts.mem()); err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(w.storage, cols, batch.NumRows()), nil
}

func (w *Writer) writeSlice(rec arrow.RecordBatch, off, n int64) error {
	if off == 0 && n == rec.NumRows() {
		return w.fw.WriteBuffered(rec)
	}
	slice := rec.NewSlice(off, off+n)
	defer slice.Release()
	return w.fw.WriteBuffered(slice)
}

// Close writes the last row group and the footer. It does not close the
// io.Writer. Closing twice returns the first result again.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if err := w.finish(); err != nil {
		w.err = fmt.Errorf("parquet writer: %w", err)
	}
	return w.err
}

func (w *Writer) finish() (err error) {
	defer recoverWrite(&err)
	return w.fw.Close()
}

// sameFields checks that a batch's fields match the writer's by name and
// type; metadata and nullability flags are the writer's.
func sameFields(want, got *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("%w: batch has %d columns, the parquet writer %d", format.ErrSchema, got.NumFields(), want.NumFields())
	}
	for i, f := range want.Fields() {
		g := got.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("%w: batch column %d is %s: %s, the parquet writer's is %s: %s",
				format.ErrSchema, i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	return nil
}

// noNullsInRequired refuses nulls in a column the schema declares
// non-nullable: Parquet would store it as required and the nulls would
// silently read back as zero values.
func noNullsInRequired(schema *arrow.Schema, batch arrow.RecordBatch) error {
	for i, f := range schema.Fields() {
		if n := batch.Column(i).NullN(); !f.Nullable && n > 0 {
			return fmt.Errorf("%w: column %s is not nullable but the batch has %d nulls in it", format.ErrSchema, f.Name, n)
		}
	}
	return nil
}

// recoverWrite turns a panic inside pqarrow's writer into an error; the
// writer is unusable afterwards, which Write records.
func recoverWrite(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("parquet writer: panic in %s: %v", panicSite(), p)
	}
}

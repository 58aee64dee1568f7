package csv

import (
	"context"
	"fmt"
	"io"
	"iter"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/textio"
)

// Reader reads a CSV or TSV file as record batches. It holds no resources
// between iterations: each call to Batches reads the file's content afresh
// and releases it when the loop ends.
type Reader struct {
	r        io.ReaderAt
	size     int64
	name     string
	opts     Options
	comp     format.Compression
	delim    byte
	ncols    int           // fields in every record
	schema   *arrow.Schema // what batches have (projected)
	src      []int         // record field of each schema column
	inferred bool
	hint     string
	closed   atomic.Bool
}

var _ format.Reader = (*Reader)(nil)

// Open prepares to read the CSV file r of size bytes: it detects the
// delimiter, reads the header and, unless opts.Schema is set, infers the
// column types from the first opts.InferRows records.
func Open(r io.ReaderAt, size int64, opts Options) (*Reader, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	rd := &Reader{r: r, size: size, name: textio.NameOf(r, opts.Name, "csv"), opts: opts}
	comp, err := textio.DetectCompression(r, size, opts.Compression, rd.name)
	if err != nil {
		return nil, err
	}
	rd.comp = comp
	st, err := textio.Open(r, size, comp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rd.name, err)
	}
	defer st.Close()
	rr := newRecordReader(st, comp, opts.maxRecord())
	rd.delim = opts.Delimiter
	if rd.delim == 0 {
		rd.delim = detectDelimiter(rr.peek(detectSample))
		if rr.err != nil {
			return nil, fmt.Errorf("%s: %w", rd.name, rr.err)
		}
	}
	rr.delim = rd.delim

	full, err := rd.columns(rr)
	if err != nil {
		return nil, err
	}
	if err := rd.project(full); err != nil {
		return nil, err
	}
	// Compile the column decoders once, so that a type that cannot be read
	// is reported here rather than by the first iteration.
	rb := array.NewRecordBuilder(opts.Mem(), rd.schema)
	defer rb.Release()
	cols, err := newColumns(opts.Mem(), rb, rd.src, rd.inferred)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rd.name, err)
	}
	releaseColumns(cols)
	return rd, nil
}

// columns reads the header and returns the file's schema, explicit or
// inferred.
func (rd *Reader) columns(rr *recordReader) (*arrow.Schema, error) {
	var names []string
	if !rd.opts.NoHeader {
		if rr.next() {
			for i, f := range rr.fields {
				if !utf8.Valid(f.text) {
					return nil, fmt.Errorf("%s: line %d: %w: invalid UTF-8 in the name of column %d", rd.name, rr.recLine, format.ErrCorrupt, i)
				}
				names = append(names, string(f.text))
			}
		} else if rr.err != nil {
			return nil, fmt.Errorf("%s: %w", rd.name, rr.err)
		}
	}
	if s := rd.opts.Schema; s != nil {
		if !rd.opts.NoHeader && len(names) > 0 {
			if len(names) != s.NumFields() {
				return nil, fmt.Errorf("%s: %w: the header has %d columns, the schema %d", rd.name, format.ErrSchema, len(names), s.NumFields())
			}
			for i, f := range s.Fields() {
				if names[i] != f.Name {
					return nil, fmt.Errorf("%s: %w: header column %d is %s, the schema's is %s", rd.name, format.ErrSchema, i+1, strconv.Quote(names[i]), strconv.Quote(f.Name))
				}
			}
		}
		rd.ncols = s.NumFields()
		return s, nil
	}
	return rd.infer(rr, names)
}

// infer samples records after the header and returns the schema they imply.
func (rd *Reader) infer(rr *recordReader, names []string) (*arrow.Schema, error) {
	rd.inferred = true
	rd.ncols = len(names)
	var vs []votes
	if names != nil {
		vs = make([]votes, len(names))
		rr.maxFields = len(names) + 1
	}
	limit := rd.opts.inferRows()
	sampled := 0
	for limit < 0 || sampled < limit {
		if !rr.next() {
			if rr.err != nil {
				return nil, fmt.Errorf("%s: %w", rd.name, rr.err)
			}
			break
		}
		if vs == nil { // no header: the first record sets the width
			rd.ncols = len(rr.fields)
			vs = make([]votes, rd.ncols)
			rr.maxFields = rd.ncols + 1
			for i := range rd.ncols {
				names = append(names, "f"+strconv.Itoa(i))
			}
		}
		if err := rd.checkWidth(rr); err != nil {
			return nil, err
		}
		for i, f := range rr.fields {
			c := classify(f.text)
			if c.kind == cellString && !utf8.Valid(f.text) {
				return nil, fmt.Errorf("%s: line %d: column %s: %w: invalid UTF-8", rd.name, rr.recLine, strconv.Quote(names[i]), format.ErrCorrupt)
			}
			vs[i].add(c)
		}
		sampled++
	}
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: vs[i].dataType(), Nullable: true}
	}
	what := "record"
	if sampled != 1 {
		what = strconv.Itoa(sampled) + " records"
	}
	rd.hint = fmt.Sprintf(" (the schema was inferred from the first %s; raise Options.InferRows or pass an explicit Options.Schema)", what)
	return arrow.NewSchema(fields, nil), nil
}

func (rd *Reader) checkWidth(rr *recordReader) error {
	if len(rr.fields) != rd.ncols {
		return fmt.Errorf("%s: line %d: %w: %d fields, want %d", rd.name, rr.recLine, format.ErrCorrupt, len(rr.fields), rd.ncols)
	}
	return nil
}

// project applies opts.Columns.
func (rd *Reader) project(full *arrow.Schema) error {
	if rd.opts.Columns == nil {
		rd.schema = full
		rd.src = make([]int, full.NumFields())
		for i := range rd.src {
			rd.src[i] = i
		}
		return nil
	}
	fields := make([]arrow.Field, 0, len(rd.opts.Columns))
	for _, name := range rd.opts.Columns {
		i := full.FieldIndices(name)
		if len(i) == 0 {
			return fmt.Errorf("%s: %w: column %s is not in the file", rd.name, format.ErrSchema, strconv.Quote(name))
		}
		fields = append(fields, full.Field(i[0]))
		rd.src = append(rd.src, i[0])
	}
	md := full.Metadata()
	rd.schema = arrow.NewSchema(fields, &md)
	return nil
}

// Schema returns the schema of every batch.
func (rd *Reader) Schema() *arrow.Schema { return rd.schema }

// Delimiter returns the field delimiter, given or detected.
func (rd *Reader) Delimiter() byte { return rd.delim }

// NumRows returns -1: CSV records no row count.
func (rd *Reader) NumRows() int64 { return -1 }

// Close marks the reader closed; later calls to Batches yield an error. It
// does not close the io.ReaderAt.
func (rd *Reader) Close() error {
	rd.closed.Store(true)
	return nil
}

// Batches yields the records as batches of up to Options.BatchSize rows.
// A batch is valid until the loop body returns; Retain it to keep it. An
// error is yielded once, last, naming the file and line; the batches
// before it are complete.
func (rd *Reader) Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if rd.closed.Load() {
			yield(nil, fmt.Errorf("%s: reader is closed", rd.name))
			return
		}
		st, err := textio.Open(rd.r, rd.size, rd.comp)
		if err != nil {
			yield(nil, fmt.Errorf("%s: %w", rd.name, err))
			return
		}
		defer st.Close()
		rr := newRecordReader(st, rd.comp, rd.opts.maxRecord())
		rr.delim = rd.delim
		if !rd.opts.NoHeader && !rr.next() && rr.err != nil {
			yield(nil, fmt.Errorf("%s: %w", rd.name, rr.err))
			return
		}
		rr.maxFields = rd.ncols + 1
		rb := array.NewRecordBuilder(rd.opts.Mem(), rd.schema)
		defer rb.Release()
		cols, err := newColumns(rd.opts.Mem(), rb, rd.src, rd.inferred)
		if err != nil {
			yield(nil, fmt.Errorf("%s: %w", rd.name, err))
			return
		}
		defer releaseColumns(cols)
		for {
			rec, err := rd.batch(ctx, rr, rb, cols)
			if err != nil {
				yield(nil, err)
				return
			}
			if rec == nil {
				return
			}
			ok := yield(rec, nil)
			rec.Release()
			if !ok {
				return
			}
		}
	}
}

// batch reads up to BatchSize records into a batch; nil at the end.
func (rd *Reader) batch(ctx context.Context, rr *recordReader, rb *array.RecordBuilder, cols []*column) (rec arrow.RecordBatch, err error) {
	// arrow-go's builders panic on conditions such as an offset overflow;
	// input must not crash the process.
	defer func() {
		if p := recover(); p != nil {
			rec, err = nil, fmt.Errorf("%s: line %d: %w: %v", rd.name, rr.recLine, format.ErrCorrupt, p)
		}
	}()
	rows, size := 0, 0
	for rows < rd.opts.BatchRows() && size < batchBytes {
		if rows&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !rr.next() {
			if rr.err != nil {
				return nil, fmt.Errorf("%s: %w", rd.name, rr.err)
			}
			break
		}
		if err := rd.checkWidth(rr); err != nil {
			return nil, err
		}
		for _, c := range cols {
			if err := c.append(rr.fields[c.src], rd.hint); err != nil {
				return nil, fmt.Errorf("%s: line %d: %w", rd.name, rr.recLine, err)
			}
		}
		rows++
		size += rr.recBytes
	}
	if rows == 0 {
		return nil, nil
	}
	if len(cols) == 0 {
		return array.NewRecordBatch(rd.schema, nil, int64(rows)), nil
	}
	return rb.NewRecordBatch(), nil
}

package jsonl

import (
	"context"
	"fmt"
	"io"
	"iter"
	"runtime"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/textio"
)

// Reader reads a JSON Lines file as record batches. It holds no resources
// between iterations: each call to Batches opens the file's content afresh
// (decompressing from the start) and releases it when the loop ends.
type Reader struct {
	r        io.ReaderAt
	size     int64
	name     string
	opts     Options
	comp     format.Compression
	schema   *arrow.Schema // what batches have (projected)
	ignore   map[string]bool
	inferred bool
	hint     string // appended to schema errors of an inferred schema
	closed   atomic.Bool
}

var _ format.Reader = (*Reader)(nil)

// Open prepares to read the JSON Lines file r of size bytes. Unless
// opts.Schema is set it reads the first opts.InferRows lines now to infer
// the schema, so errors in those lines surface here.
func Open(r io.ReaderAt, size int64, opts Options) (*Reader, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	rd := &Reader{r: r, size: size, name: textio.NameOf(r, opts.Name, "jsonl"), opts: opts}
	comp, err := textio.DetectCompression(r, size, opts.Compression, rd.name)
	if err != nil {
		return nil, err
	}
	rd.comp = comp
	full := opts.Schema
	if full == nil {
		if full, err = rd.infer(); err != nil {
			return nil, err
		}
	}
	if err := rd.project(full); err != nil {
		return nil, err
	}
	// Compile once now so that a type that cannot be read is reported by
	// Open, not by the first iteration.
	bb, err := newBatchBuilder(opts.Mem(), rd.schema, rd.ignore, rd.inferred)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rd.name, err)
	}
	bb.release()
	return rd, nil
}

// infer reads the sample and returns the schema it implies.
func (rd *Reader) infer() (*arrow.Schema, error) {
	st, err := textio.Open(rd.r, rd.size, rd.comp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rd.name, err)
	}
	defer st.Close()
	lr := newLineReader(st, rd.comp, rd.opts.maxLine())
	in := newInferrer()
	limit := rd.opts.inferRows()
	sampled := 0
	for limit < 0 || sampled < limit {
		line, ok := lr.next()
		if !ok {
			if lr.err != nil {
				return nil, fmt.Errorf("%s: %w", rd.name, lr.err)
			}
			break
		}
		if isBlank(line) {
			continue
		}
		if err := in.observeLine(line); err != nil {
			return nil, lineError(rd.name, lr.line, err, "")
		}
		sampled++
	}
	rd.inferred = true
	sample := "line"
	if sampled != 1 {
		sample = strconv.Itoa(sampled) + " lines"
	}
	rd.hint = fmt.Sprintf(" (the schema was inferred from the first %s; raise Options.InferRows or pass an explicit Options.Schema)", sample)
	return in.schema(), nil
}

// project applies opts.Columns to the full schema.
func (rd *Reader) project(full *arrow.Schema) error {
	cols := rd.opts.Columns
	if cols == nil {
		rd.schema = full
		return nil
	}
	fields := make([]arrow.Field, 0, len(cols))
	keep := make(map[string]bool, len(cols))
	for _, name := range cols {
		i := full.FieldIndices(name)
		if len(i) == 0 {
			return fmt.Errorf("%s: %w: column %s is not in the file", rd.name, format.ErrSchema, strconv.Quote(name))
		}
		fields = append(fields, full.Field(i[0]))
		keep[name] = true
	}
	rd.ignore = make(map[string]bool)
	for _, f := range full.Fields() {
		if !keep[f.Name] {
			rd.ignore[f.Name] = true
		}
	}
	md := full.Metadata()
	rd.schema = arrow.NewSchema(fields, &md)
	return nil
}

// Schema returns the schema of every batch.
func (rd *Reader) Schema() *arrow.Schema { return rd.schema }

// NumRows returns -1: JSON Lines records no row count.
func (rd *Reader) NumRows() int64 { return -1 }

// Close marks the reader closed; later calls to Batches yield an error. It
// does not close the io.ReaderAt, which the caller owns.
func (rd *Reader) Close() error {
	rd.closed.Store(true)
	return nil
}

// Batches yields the file's rows as record batches of up to
// Options.BatchSize rows (fewer when the lines of a batch exceed
// DefaultBatchBytes of text). A batch is valid until the loop body
// returns; Retain it to keep it. A decoding error is yielded once, last,
// naming the file and line; the batches before it are complete.
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
		lr := newLineReader(st, rd.comp, rd.opts.maxLine())
		if rd.workers() <= 1 {
			rd.sequential(ctx, lr, yield)
			return
		}
		rd.parallel(ctx, lr, yield)
	}
}

func (rd *Reader) workers() int {
	if rd.opts.Workers > 0 {
		return rd.opts.Workers
	}
	return min(runtime.GOMAXPROCS(0), 4)
}

// sequential decodes on the iterating goroutine.
func (rd *Reader) sequential(ctx context.Context, lr *lineReader, yield func(arrow.RecordBatch, error) bool) {
	bb, err := newBatchBuilder(rd.opts.Mem(), rd.schema, rd.ignore, rd.inferred)
	if err != nil {
		yield(nil, fmt.Errorf("%s: %w", rd.name, err))
		return
	}
	defer bb.release()
	for {
		rec, err := rd.fill(ctx, bb, lr.next, func() int64 { return lr.line }, rd.opts.BatchRows(), DefaultBatchBytes)
		if err == nil && rec == nil && lr.err != nil {
			err = fmt.Errorf("%s: %w", rd.name, lr.err)
		}
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

// fill adds lines from next to bb until the batch has maxRows rows or
// maxBytes of text or the lines run out, and returns the batch (nil when no
// rows were added). lineNo gives the number of the line next returned last.
func (rd *Reader) fill(ctx context.Context, bb *batchBuilder, next func() ([]byte, bool), lineNo func() int64, maxRows, maxBytes int) (rec arrow.RecordBatch, err error) {
	// arrow-go's builders panic on conditions such as an offset overflow;
	// input must not crash the process.
	defer func() {
		if p := recover(); p != nil {
			rec, err = nil, fmt.Errorf("%s: line %d: %w: %v", rd.name, lineNo(), format.ErrCorrupt, p)
		}
	}()
	for bb.rows < maxRows && bb.bytes < maxBytes {
		if bb.rows&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		line, ok := next()
		if !ok {
			break
		}
		if _, err := bb.add(line); err != nil {
			return nil, lineError(rd.name, lineNo(), err, rd.hint)
		}
	}
	if bb.rows == 0 {
		return nil, nil
	}
	return bb.finish(), nil
}

func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

package dataset

import (
	"context"
	"fmt"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/compute/exec"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// scanColumns yields d's batches projected onto the output columns names
// (nil: all), in d's row order. Without column operations it is scan;
// with them, the names are translated to the stored columns they read,
// which are all the scan asks the files for (so Parquet decodes only
// those), and each batch is renamed and cast on the way out.
func (d *Dataset) scanColumns(ctx context.Context, names []string) iter.Seq2[arrow.RecordBatch, error] {
	if d.cols == nil {
		return d.scan(ctx, names)
	}
	return func(yield func(arrow.RecordBatch, error) bool) {
		p, err := d.cols.plan(d.schema, names)
		if err != nil {
			yield(nil, err)
			return
		}
		stored := d.storedView()
		for b, err := range stored.scan(ctx, p.stored) {
			if err != nil {
				yield(nil, err)
				return
			}
			out, err := p.apply(ctx, b, d.mem())
			if err != nil {
				yield(nil, err)
				return
			}
			ok := yield(out, nil)
			out.Release()
			if !ok {
				return
			}
		}
	}
}

// storedView returns a shallow copy of d that reads the files' columns as
// stored, in d's row order. It shares d's files without a reference of its
// own: use it only while d is open.
func (d *Dataset) storedView() *Dataset {
	v := *d
	v.schema, v.cols = d.cols.source, nil
	return &v
}

// columnPlan is one scan's translation from stored to output columns.
type columnPlan struct {
	stored []string      // stored columns to read, in batch order; nil: all
	pick   []int         // for each output column, its stored column's position in the read batch
	out    []outColumn   // the output columns
	schema *arrow.Schema // of the output batches
}

// plan translates the output column names (nil: all) into the stored
// columns to read and how to make the output from them. schema is the
// view's output schema, whose metadata the output batches carry.
func (m *columnMap) plan(schema *arrow.Schema, names []string) (*columnPlan, error) {
	outIdx := make([]int, 0, len(m.out))
	if names == nil {
		for i := range m.out {
			outIdx = append(outIdx, i)
		}
	} else {
		for _, n := range names {
			i, err := m.index("scan", n)
			if err != nil {
				return nil, err
			}
			outIdx = append(outIdx, i)
		}
	}
	p := &columnPlan{pick: make([]int, len(outIdx)), out: make([]outColumn, len(outIdx))}
	pos := make(map[int]int) // stored column index -> position in the read batch
	for k, i := range outIdx {
		c := m.out[i]
		j, ok := pos[c.src]
		if !ok {
			j = len(p.stored)
			pos[c.src] = j
			p.stored = append(p.stored, m.source.Field(c.src).Name)
		}
		p.pick[k], p.out[k] = j, c
	}
	if len(p.stored) == m.source.NumFields() && inOrder(pos) {
		p.stored = nil // every stored column in stored order: no projection
	}
	fields := make([]arrow.Field, len(p.out))
	for k, c := range p.out {
		fields[k] = c.field
	}
	md := schema.Metadata()
	p.schema = arrow.NewSchemaWithEndian(fields, &md, schema.Endianness())
	return p, nil
}

// wholePlan is the plan that makes every output column from a batch of
// every stored column, in stored order.
func (m *columnMap) wholePlan(schema *arrow.Schema) *columnPlan {
	p := &columnPlan{pick: make([]int, len(m.out)), out: m.out}
	fields := make([]arrow.Field, len(m.out))
	for k, c := range m.out {
		p.pick[k], fields[k] = c.src, c.field
	}
	md := schema.Metadata()
	p.schema = arrow.NewSchemaWithEndian(fields, &md, schema.Endianness())
	return p
}

// inOrder reports whether every stored column i is read at position i.
func inOrder(pos map[int]int) bool {
	for i, j := range pos {
		if i != j {
			return false
		}
	}
	return true
}

// apply makes an output batch (the caller releases it) from a batch of the
// stored columns. Renaming and selecting share b's arrays; casts allocate
// from mem.
func (p *columnPlan) apply(ctx context.Context, b arrow.RecordBatch, mem memory.Allocator) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, len(p.out))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for k, c := range p.out {
		arr := b.Column(p.pick[k])
		arr.Retain()
		for _, to := range c.casts {
			from := arr.DataType()
			cast, err := castArray(ctx, arr, to, mem)
			arr.Release()
			if err != nil {
				return nil, fmt.Errorf("column %q: cast from %s to %s: %w: %w", c.field.Name, from, to, format.ErrSchema, err)
			}
			arr = cast
		}
		cols[k] = arr
	}
	return array.NewRecordBatch(p.schema, cols, b.NumRows()), nil
}

// castArray casts arr to type to (safely: overflow and truncation are
// errors), allocating from mem and turning a panic of the compute kernels
// into an error.
func castArray(ctx context.Context, arr arrow.Array, to arrow.DataType, mem memory.Allocator) (out arrow.Array, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("arrow cast panicked: %v", r)
		}
	}()
	if leaksCasting(arr.DataType(), to) {
		mem = goHeap
	}
	return compute.CastArray(exec.WithAllocator(ctx, mem), arr, compute.SafeCastOptions(to))
}

// goHeap is an allocator whose buffers the garbage collector reclaims.
var goHeap = memory.NewGoAllocator()

// leaksCasting reports whether arrow-go's cast from one type to the other
// leaks a reference to its output buffers: in v18.8.0 the kernels that
// format numbers, booleans, times and timestamps as text hand their
// builder's array to the result (ExecResult.TakeOwnership, which retains)
// without releasing it. Such casts allocate from the Go heap, where the
// collector frees what the kernel forgets, rather than from a caller's
// allocator, where it would leak for good.
func leaksCasting(from, to arrow.DataType) bool {
	return isText(to) && !isText(from)
}

func isText(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW, arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return true
	}
	return false
}

// applyColumns turns a batch of all of d's stored columns, in stored
// order, as the files hold them, into a batch of d's output columns (the
// caller releases it). Random access (Row, Take), which reads stored
// batches itself, applies it to what it returns; without column
// operations it returns b retained.
func (d *Dataset) applyColumns(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	if d.cols == nil {
		b.Retain()
		return b, nil
	}
	if got, want := b.NumCols(), int64(d.cols.source.NumFields()); got != want {
		return nil, fmt.Errorf("dataset %s: a batch of %d stored columns, want %d", d.name, got, want)
	}
	return d.cols.whole.apply(ctx, b, d.mem())
}

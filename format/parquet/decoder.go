package parquet

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// A columnDecoder turns one projected column of one row group into arrays,
// batch by batch. The Reader drives decoders of different columns from
// different goroutines, and each decoder from one goroutine at a time.
//
// Two implementations exist: fastDecoder (fastdecoder.go) turns pages
// straight into Arrow buffers for the flat and list-of-primitive columns
// planFast accepts (fast.go), and pqarrowDecoder below handles every other
// column. Reader.newDecoder chooses, column by column.
type columnDecoder interface {
	// next decodes the following n rows. It returns fewer only when the
	// column's data ends early, which the Reader reports as corruption.
	next(n int64) (arrow.Array, error)
	release()
}

// pqarrowDecoder decodes through pqarrow's column readers, which handle
// every Parquet type and nesting.
type pqarrowDecoder struct {
	rdr    *pqarrow.ColumnReader
	mem    memory.Allocator
	target arrow.DataType // nil when pqarrow's type is the one to yield
}

func newPqarrowDecoder(ctx context.Context, fr *pqarrow.FileReader, rowGroup int, c column, mem memory.Allocator) (_ columnDecoder, err error) {
	defer recovered(&err)
	rdr, err := fr.GetFieldReader(ctx, c.index, c.leaves, []int{rowGroup})
	if err != nil {
		if rdr != nil {
			rdr.Release()
		}
		return nil, err
	}
	if rdr == nil {
		return nil, fmt.Errorf("no reader for column %q", c.field.Name)
	}
	if got := rdr.Field().Type; !arrow.TypeEqual(got, c.field.Type) {
		rdr.Release()
		return nil, fmt.Errorf("column %q decodes as %s, not %s as the schema says", c.field.Name, got, c.field.Type)
	}
	d := &pqarrowDecoder{rdr: rdr, mem: mem}
	if !sameType(c.field.Type, c.target.Type) {
		d.target = c.target.Type
	}
	return d, nil
}

func (d *pqarrowDecoder) next(n int64) (_ arrow.Array, err error) {
	defer recovered(&err)
	arr, err := d.decode(n)
	if err != nil || d.target == nil {
		return arr, err
	}
	defer arr.Release()
	data, err := convertData(arr.Data(), d.target, nil, d.mem)
	if err != nil {
		return nil, err
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

func (d *pqarrowDecoder) decode(n int64) (arrow.Array, error) {
	chunked, err := d.rdr.NextBatch(n)
	if err != nil {
		return nil, err
	}
	defer chunked.Release()
	switch chunks := chunked.Chunks(); len(chunks) {
	case 0:
		return array.MakeArrayOfNull(d.mem, chunked.DataType(), 0), nil
	case 1:
		chunks[0].Retain()
		return chunks[0], nil
	default:
		// Binary columns split into chunks when offsets would pass 2 GiB;
		// a batch is one array, so they are joined (or fail to, cleanly).
		return array.Concatenate(chunks, d.mem)
	}
}

func (d *pqarrowDecoder) release() { d.rdr.Release() }

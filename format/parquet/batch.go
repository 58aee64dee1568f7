package parquet

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"golang.org/x/sync/errgroup"

	"github.com/tome-data/tome/format"
)

var errClosed = errors.New("parquet reader is closed")

// readRowGroup yields the batches of chunk i. It reports whether iteration
// may go on: false once yield asked to stop or an error was yielded.
func (rd *Reader) readRowGroup(ctx context.Context, chunk int, yield func(arrow.RecordBatch, error) bool) bool {
	rg := rd.rowGroups[chunk]
	fail := func(err error) bool {
		yield(nil, fmt.Errorf("reading %s, row group %d: %w", rd.name, rg, classify(err)))
		return false
	}
	if rd.closed.Load() {
		yield(nil, fmt.Errorf("reading %s: %w", rd.name, errClosed))
		return false
	}
	rows := rd.ChunkRows(chunk)
	if rows == 0 {
		return true
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	decoders, err := rd.openDecoders(ctx, rg)
	if err != nil {
		return fail(err)
	}
	defer func() {
		for _, d := range decoders {
			d.release()
		}
	}()
	size := int64(rd.opts.BatchRows())
	for done := int64(0); done < rows; {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		n := min(size, rows-done)
		batch, err := rd.decodeBatch(ctx, decoders, done, n)
		if err != nil {
			return fail(err)
		}
		ok := yield(batch, nil)
		batch.Release()
		if !ok {
			return false
		}
		done += n
	}
	return true
}

// openDecoders prepares one decoder per projected column for row group rg.
// Preparing reads the column chunks, so it runs in parallel too.
func (rd *Reader) openDecoders(ctx context.Context, rg int) ([]columnDecoder, error) {
	decoders := make([]columnDecoder, len(rd.cols))
	err := rd.parallel(ctx, len(rd.cols), func(i int) error {
		d, err := rd.newDecoder(ctx, rg, rd.cols[i])
		if err != nil {
			return fmt.Errorf("column %q: %w", rd.cols[i].field.Name, err)
		}
		decoders[i] = d
		return nil
	})
	if err != nil {
		for _, d := range decoders {
			if d != nil {
				d.release()
			}
		}
		return nil, err
	}
	return decoders, nil
}

// newDecoder picks the decoder for a column; see columnDecoder. The fast
// decoder takes the columns planFast accepts, pqarrow the rest.
func (rd *Reader) newDecoder(ctx context.Context, rg int, c column) (columnDecoder, error) {
	if !rd.opts.GeneralPath {
		if f, ok := planFast(rd.file.MetaData(), rg, c); ok {
			return rd.openFast(rg, c, f)
		}
	}
	return newPqarrowDecoder(ctx, rd.arrow, rg, c, rd.opts.Mem())
}

// decodeBatch decodes rows [done, done+n) of the row group into one batch.
func (rd *Reader) decodeBatch(ctx context.Context, decoders []columnDecoder, done, n int64) (_ arrow.RecordBatch, err error) {
	cols := make([]arrow.Array, len(decoders))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	err = rd.parallel(ctx, len(decoders), func(i int) error {
		name := rd.cols[i].field.Name
		a, err := decoders[i].next(n)
		if err != nil {
			return fmt.Errorf("column %q, rows from %d: %w", name, done, err)
		}
		cols[i] = a
		if int64(a.Len()) != n {
			return fmt.Errorf("%w: column %q ends after %d rows, the footer says there are %d",
				format.ErrCorrupt, name, done+int64(a.Len()), done+n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	defer recovered(&err)
	return array.NewRecordBatch(rd.schema, cols, n), nil
}

// parallel runs fn(0) ... fn(n-1) on up to Options.Workers goroutines and
// returns the first error. Serial when one worker suffices, which spares
// the goroutines for narrow files.
func (rd *Reader) parallel(ctx context.Context, n int, fn func(i int) error) error {
	workers := min(rd.opts.workers(), n)
	if workers <= 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return fn(i)
		})
	}
	return g.Wait()
}

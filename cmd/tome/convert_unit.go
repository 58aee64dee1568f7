package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/tome-data/tome/shard"
)

// converter runs the units of a plan into the staging directory.
type converter struct {
	plan     *convertPlan
	st       *staging
	resume   bool // keep the finished shards of unfinished units
	mem      memory.Allocator
	progress *convertProgress
	splits   []*splitRuntime
}

// splitRuntime is what converting a split's units needs, decoded once.
type splitRuntime struct {
	out  *arrow.Schema
	read readOptions

	gatherOnce sync.Once
	gather     *gatherSource
	gatherErr  error
}

func newConverter(plan *convertPlan, st *staging, resume bool, progress *convertProgress) (*converter, error) {
	c := &converter{plan: plan, st: st, resume: resume, mem: memory.DefaultAllocator, progress: progress}
	for _, sp := range plan.Splits {
		rt := &splitRuntime{read: readOptions{columns: sp.Columns}}
		var err error
		if rt.out, err = sp.Schema.Arrow(); err != nil {
			return nil, err
		}
		if sp.TextSchema != nil {
			if rt.read.textSchema, err = sp.TextSchema.Arrow(); err != nil {
				return nil, err
			}
		}
		c.splits = append(c.splits, rt)
	}
	return c, nil
}

// run converts units [lo, hi) with up to workers at a time. Each worker
// holds one unit's reader and shard writer, so memory is bounded by the
// worker count whatever the input size.
func (c *converter) run(ctx context.Context, lo, hi, workers int) (err error) {
	defer func() { err = errors.Join(err, c.close()) }()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for u := lo; u < hi; u++ {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return c.runUnit(gctx, u) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func (c *converter) close() error {
	var errs []error
	for _, rt := range c.splits {
		if rt.gather != nil {
			errs = append(errs, rt.gather.Close())
		}
	}
	return errors.Join(errs...)
}

// runUnit converts one unit, continuing from its finished shards when
// resuming. Where its shards are cut depends only on its rows, so the
// shards written after a resume are those an uninterrupted run writes.
func (c *converter) runUnit(ctx context.Context, u int) error {
	unit := c.plan.Units[u]
	ext := c.plan.Output.extension()
	var parts []partRecord
	if c.resume {
		var done bool
		var err error
		if parts, done, err = c.st.finishedParts(u, ext); err != nil {
			return err
		}
		if done {
			c.progress.skipUnit(unit, parts)
			return nil
		}
	}
	if err := c.st.resetUnit(u, len(parts), ext); err != nil {
		return err
	}
	var skip, rows int64
	for _, p := range parts {
		skip += p.Rows
	}
	c.progress.resumeUnit(parts)
	rt := c.splits[unit.Split]
	opts := c.plan.Output.writerOptions(func(i int) string { return c.st.partPath(u, i, ext) })
	opts.FirstShard, opts.Allocator = len(parts), c.mem
	opts.OnShard = func(ws shard.WrittenShard) error {
		c.progress.shardDone(ws)
		return writeJSONFile(c.st.partRecord(u, ws.Index), partRecord{Rows: ws.Rows, Bytes: ws.Bytes, ArrowBytes: ws.ArrowBytes, SHA256: ws.SHA256})
	}
	w, err := shard.NewWriter(rt.out, opts)
	if err != nil {
		return err
	}
	rows = skip
	for _, p := range unit.Pieces {
		n, err := c.convertPiece(ctx, w, unit.Split, p, &skip)
		rows += n
		if err != nil {
			return errors.Join(err, w.Abort())
		}
	}
	written, err := w.Close()
	if err != nil {
		return err
	}
	return writeJSONFile(c.st.doneFile(u), unitDone{Parts: len(parts) + len(written), Rows: rows})
}

// convertPiece writes one piece's rows, after dropping *skip of them; it
// returns the rows written.
func (c *converter) convertPiece(ctx context.Context, w *shard.Writer, split int, p shard.Piece, skip *int64) (rows int64, err error) {
	sp := &c.plan.Splits[split]
	rt := c.splits[split]
	if p.Rows >= 0 && *skip >= p.Rows { // finished before the interruption
		*skip -= p.Rows
		c.progress.inputDone(p.Bytes)
		return 0, nil
	}
	credit := newCredit(p.Bytes, c.progress.inputDone)
	defer credit.rest()
	seq, closeFn, err := c.pieceSource(ctx, sp, rt, p, skip, credit.add)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, closeFn()) }()
	for b, err := range seq {
		if err != nil {
			return rows, err
		}
		out, err := relabel(b, rt.out)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", pieceName(sp, p), err)
		}
		err = w.Write(out)
		out.Release()
		if err != nil {
			return rows, err
		}
		rows += b.NumRows()
		c.progress.rowsDone(b.NumRows())
		if p.Rows > 0 { // a binary piece: credit its bytes as rows go by
			credit.upTo(p.Bytes * min(rows, p.Rows) / p.Rows)
		}
	}
	return rows, ctx.Err()
}

// credit reports a piece's input bytes to the progress once each: as
// rows go by for binary input, as bytes are read for text (whose readers
// may read some twice, to infer a schema), and what is left at the end.
type credit struct {
	total int64
	done  atomic.Int64
	to    func(int64)
}

func newCredit(total int64, to func(int64)) *credit { return &credit{total: total, to: to} }

// add credits n more bytes.
func (c *credit) add(n int) { c.upTo(c.done.Load() + int64(n)) }

// upTo credits up to n bytes in all.
func (c *credit) upTo(n int64) {
	n = min(n, c.total)
	for {
		old := c.done.Load()
		if n <= old {
			return
		}
		if c.done.CompareAndSwap(old, n) {
			c.to(n - old)
			return
		}
	}
}

func (c *credit) rest() { c.upTo(c.total) }

// pieceSource opens what a piece reads from: an input file, or the
// split's gather source when it is shuffled.
func (c *converter) pieceSource(ctx context.Context, sp *planSplit, rt *splitRuntime, p shard.Piece, skip *int64, onRead func(int)) (iter.Seq2[arrow.RecordBatch, error], func() error, error) {
	if sp.Shuffle != nil {
		rt.gatherOnce.Do(func() { rt.gather, rt.gatherErr = openGatherSource(*sp, rt.read) })
		if rt.gatherErr != nil {
			return nil, nil, rt.gatherErr
		}
		return rt.gather.pieceBatches(ctx, sp.Shuffle, p, skip, c.mem), func() error { return nil }, nil
	}
	in, err := openInput(sp.Inputs[p.Input], rt.read, onRead)
	if err != nil {
		return nil, nil, err
	}
	return pieceBatches(ctx, in.r, p, skip), in.Close, nil
}

// pieceName names a piece in errors.
func pieceName(sp *planSplit, p shard.Piece) string {
	if sp.Shuffle != nil {
		return fmt.Sprintf("split %s, shuffle blocks %d-%d", sp.Name, p.FirstChunk, p.EndChunk)
	}
	return sp.Inputs[p.Input].Path
}

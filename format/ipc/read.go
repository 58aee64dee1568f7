package ipc

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
)

// Batches yields every record batch in file order. A batch is valid until
// the loop body returns; Retain it to keep it, and Release it when done.
// Zero-copy batches keep the mapping alive while retained.
func (r *Reader) Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if err := r.acquire(); err != nil {
			yield(nil, err)
			return
		}
		defer r.release()
		var c *cursor
		defer func() {
			if c != nil {
				c.release()
			}
		}()
		for k := range r.idx.batches {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			var err error
			if c == nil {
				if c, err = r.cursorFor(r.before[k]); err != nil {
					yield(nil, err)
					return
				}
			}
			rec, err := r.read(c, k)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yieldBatch(yield, rec) {
				return
			}
		}
	}
}

// ReadChunk yields record batch i alone, under the same rules as Batches.
// Reading a batch needs the dictionaries in force for it; in a stream
// where dictionaries change between batches, the Reader keeps a few
// decoders positioned after recent reads, so reading chunks in order costs
// no more than Batches does. An idle decoder holds the last batch it
// decoded until it is reused or the Reader is closed.
func (r *Reader) ReadChunk(ctx context.Context, i int) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if i < 0 || i >= len(r.idx.batches) {
			yield(nil, fmt.Errorf("%s: chunk %d out of range [0, %d)", r.src.name, i, len(r.idx.batches)))
			return
		}
		if err := r.acquire(); err != nil {
			yield(nil, err)
			return
		}
		defer r.release()
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		c, err := r.cursorFor(r.before[i])
		if err != nil {
			yield(nil, err)
			return
		}
		rec, err := r.read(c, i)
		if err != nil {
			c.release()
			yield(nil, err)
			return
		}
		r.putCursor(c)
		yieldBatch(yield, rec)
	}
}

// yieldBatch yields a batch the caller owns and releases it afterwards.
func yieldBatch(yield func(arrow.RecordBatch, error) bool, rec arrow.RecordBatch) bool {
	defer rec.Release()
	return yield(rec, nil)
}

// read decodes batch k with cursor c, first feeding it the dictionary
// messages between its position and the batch. The batch it returns is the
// caller's to release. After an error, c must be released, not reused.
func (r *Reader) read(c *cursor, k int) (rec arrow.RecordBatch, err error) {
	b := r.idx.batches[k]
	defer func() {
		if p := recover(); p != nil {
			rec, err = nil, fmt.Errorf("%s: record batch %d at offset %d: %w: %v", r.src.name, k, b.offset, format.ErrCorrupt, p)
		}
	}()
	target := r.before[k]
	dicts := r.dicts[c.epoch:target]
	if !c.started {
		dicts = r.minimalDicts(target)
	}
	for _, d := range dicts {
		msg, err := r.load.dict(d)
		if err != nil {
			return nil, err
		}
		c.feed.push(msg)
	}
	msg, err := r.load.batch(b)
	if err != nil {
		return nil, err
	}
	c.feed.push(msg)
	if !c.rd.Next() {
		err := c.rd.Err()
		if err == nil {
			err = errors.New("no batch decoded")
		}
		return nil, fmt.Errorf("%s: record batch %d at offset %d: %w", r.src.name, k, b.offset, corrupt(err))
	}
	c.epoch, c.started = target, true
	rec = c.rd.RecordBatch()
	rec.Retain()
	if r.proj != nil && r.proj.reorders() {
		cols := make([]arrow.Array, len(r.proj.order))
		for i, o := range r.proj.order {
			cols[i] = rec.Column(o)
		}
		out := array.NewRecordBatch(r.schema, cols, rec.NumRows())
		rec.Release()
		rec = out
	}
	if err := validateBatch(rec, !r.opts.Trusted); err != nil {
		rec.Release()
		return nil, fmt.Errorf("%s: record batch %d at offset %d: %w", r.src.name, k, b.offset, err)
	}
	return rec, nil
}

// minimalDicts returns the dictionary messages that set up the
// dictionaries in force after the first target ones, for a decoder
// starting afresh: for each id, its last full dictionary and the deltas
// after it, in file order.
func (r *Reader) minimalDicts(target int) []dictEntry {
	done := make(map[int64]bool)
	var out []dictEntry
	for i := target - 1; i >= 0; i-- {
		d := r.dicts[i]
		if done[d.id] {
			continue
		}
		out = append(out, d)
		if !d.delta {
			done[d.id] = true
		}
	}
	slices.Reverse(out)
	return out
}

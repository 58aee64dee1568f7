package jsonl

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// The parallel reader cuts the stream into chunks of whole lines on one
// goroutine (which also decompresses), decodes chunks into batches on
// Workers goroutines, each with its own builders, and yields the batches
// in file order: every chunk is queued in order with a channel its result
// arrives on, as restic's ordered prefetch does.

// A chunk is a run of lines, each ended by '\n', with its decoded result.
type chunk struct {
	data      []byte
	firstLine int64 // number of the first line in data
	done      chan result
}

type result struct {
	rec arrow.RecordBatch
	err error
}

func (rd *Reader) parallel(ctx context.Context, lr *lineReader, yield func(arrow.RecordBatch, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	n := rd.workers()
	work := make(chan *chunk)
	order := make(chan *chunk, n)
	free := make(chan []byte, 2*n)
	var wg sync.WaitGroup

	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(order)
		rd.produce(ctx, lr, work, order, free)
	}()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd.work(ctx, work, free)
		}()
	}
	// However the loop ends, stop the pipeline, release what it made and
	// wait for every goroutine, so none outlives the iteration.
	defer func() {
		cancel()
		for c := range order {
			if r := <-c.done; r.rec != nil {
				r.rec.Release()
			}
		}
		wg.Wait()
	}()
	for c := range order {
		r := <-c.done
		if err := ctx.Err(); err != nil && r.err == nil {
			// Cancelled: batches decoded ahead are not delivered.
			if r.rec != nil {
				r.rec.Release()
			}
			r.rec, r.err = nil, err
		}
		if r.err != nil {
			yield(nil, r.err)
			return
		}
		if r.rec == nil {
			continue
		}
		ok := yield(r.rec, nil)
		r.rec.Release()
		if !ok {
			return
		}
	}
	// The producer stops quietly when the context is cancelled.
	if err := ctx.Err(); err != nil {
		yield(nil, err)
	}
}

// produce cuts the stream into chunks of up to BatchSize non-blank lines
// (or DefaultBatchBytes of text) and hands each to the workers, queueing it
// in order first.
func (rd *Reader) produce(ctx context.Context, lr *lineReader, work, order chan<- *chunk, free <-chan []byte) {
	send := func(c *chunk) bool {
		select {
		case order <- c:
		case <-ctx.Done():
			return false
		}
		if c.data == nil {
			return true // an error chunk, already done
		}
		select {
		case work <- c:
			return true
		case <-ctx.Done():
			c.done <- result{err: ctx.Err()}
			return false
		}
	}
	rows := rd.opts.BatchRows()
	for {
		var buf []byte
		select {
		case buf = <-free:
		default:
		}
		c := &chunk{data: buf[:0], firstLine: lr.line + 1, done: make(chan result, 1)}
		count := 0
		for count < rows && len(c.data) < DefaultBatchBytes {
			line, ok := lr.next()
			if !ok {
				break
			}
			if !isBlank(line) {
				count++
			}
			c.data = append(append(c.data, line...), '\n')
		}
		if len(c.data) > 0 && !send(c) {
			return
		}
		if count < rows && len(c.data) < DefaultBatchBytes {
			// The stream ended, or failed.
			if lr.err != nil {
				e := &chunk{done: make(chan result, 1)}
				e.done <- result{err: fmt.Errorf("%s: %w", rd.name, lr.err)}
				send(e)
			}
			return
		}
	}
}

// work decodes chunks until there are no more.
func (rd *Reader) work(ctx context.Context, work <-chan *chunk, free chan<- []byte) {
	var bb *batchBuilder
	defer func() {
		if bb != nil {
			bb.release()
		}
	}()
	for c := range work {
		if bb == nil {
			var err error
			if bb, err = newBatchBuilder(rd.opts.Mem(), rd.schema, rd.ignore, rd.inferred); err != nil {
				c.done <- result{err: fmt.Errorf("%s: %w", rd.name, err)}
				continue
			}
		}
		r := rd.decodeChunk(ctx, bb, c)
		if r.err != nil {
			// A failed line leaves the builders part-way through a row;
			// start the next chunk with fresh ones.
			bb.release()
			bb = nil
		}
		c.done <- r
		select {
		case free <- c.data[:0]:
		default:
		}
	}
}

func (rd *Reader) decodeChunk(ctx context.Context, bb *batchBuilder, c *chunk) result {
	data := c.data
	line := c.firstLine - 1
	next := func() ([]byte, bool) {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return nil, false
		}
		l := data[:i]
		data = data[i+1:]
		line++
		return l, true
	}
	rec, err := rd.fill(ctx, bb, next, func() int64 { return line }, math.MaxInt, math.MaxInt)
	return result{rec: rec, err: err}
}

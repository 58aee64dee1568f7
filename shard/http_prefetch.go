package shard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Defaults of PrefetchOptions.
const (
	DefaultPrefetchChunk    = 1 << 20
	DefaultPrefetchRequests = 4
)

// PrefetchOptions configure NewPrefetchReader. The zero value uses the
// defaults.
type PrefetchOptions struct {
	// ChunkSize is the length of each read of the source; zero means
	// DefaultPrefetchChunk.
	ChunkSize int64
	// MaxRequests bounds the reads in flight; zero means
	// DefaultPrefetchRequests.
	MaxRequests int
	// MaxBytes bounds the memory of chunks fetched ahead or being fetched;
	// zero means MaxRequests chunks. It allows at least one chunk.
	MaxBytes int64
}

// PrefetchReader reads a range of an io.ReaderAt from start to end, keeping
// the next chunks in flight while the caller consumes the current one: the
// right shape for streaming a JSON Lines file or an Arrow IPC stream from a
// remote Source, where each request's latency would otherwise stall the
// decoder. At most min(MaxRequests, MaxBytes/ChunkSize) chunks are held or
// fetched at a time, so memory stays bounded whatever the range's length.
//
// It delivers bytes in order and is not safe for concurrent use. Reads of
// the source go through ReadAtContext when the source has it (as
// HTTPSource does), so Close abandons them; with a plain io.ReaderAt, Close
// waits for the reads in flight to finish.
type PrefetchReader struct {
	ctx    context.Context
	cancel context.CancelFunc
	queue  chan chan prefetched // chunks in order, as they are scheduled
	free   chan []byte          // buffers the consumer has finished with
	wg     sync.WaitGroup

	cur  prefetched
	pos  int // in cur.data
	err  error
	done bool
}

type prefetched struct {
	data []byte
	err  error
}

// NewPrefetchReader returns a reader of the n bytes of src at off. Reading
// starts at once; ctx ends it, as Close does. The caller must Close the
// reader to release its goroutines.
func NewPrefetchReader(ctx context.Context, src io.ReaderAt, off, n int64, opts PrefetchOptions) *PrefetchReader {
	chunk := opts.ChunkSize
	if chunk <= 0 {
		chunk = DefaultPrefetchChunk
	}
	slots := opts.MaxRequests
	if slots <= 0 {
		slots = DefaultPrefetchRequests
	}
	if opts.MaxBytes > 0 {
		slots = int(max(min(int64(slots), opts.MaxBytes/chunk), 1))
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &PrefetchReader{
		ctx: ctx, cancel: cancel,
		queue: make(chan chan prefetched, slots),
		free:  make(chan []byte, slots),
	}
	for range slots {
		r.free <- nil // allocated on first use, at the size needed
	}
	r.wg.Go(func() { r.schedule(src, off, n, chunk) })
	return r
}

// schedule starts one read per chunk as buffers come free, queueing each
// chunk's result channel in order.
func (r *PrefetchReader) schedule(src io.ReaderAt, off, n, chunk int64) {
	defer close(r.queue)
	for at, end := off, off+n; at < end; at += chunk {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.ctx.Done():
			return
		}
		size := min(chunk, end-at)
		if int64(cap(buf)) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		res := make(chan prefetched, 1)
		r.queue <- res // never blocks: the queue holds as many as there are buffers
		r.wg.Go(func() { res <- r.fetch(src, buf, at) })
	}
}

func (r *PrefetchReader) fetch(src io.ReaderAt, buf []byte, off int64) prefetched {
	var n int
	var err error
	if c, ok := src.(interface {
		ReadAtContext(context.Context, []byte, int64) (int, error)
	}); ok {
		n, err = c.ReadAtContext(r.ctx, buf, off)
	} else {
		n, err = src.ReadAt(buf, off)
	}
	switch {
	case n == len(buf):
		err = nil // io.EOF with a full read is allowed
	case err == nil || errors.Is(err, io.EOF):
		err = fmt.Errorf("source ended at offset %d, inside the range being read: %w", off+int64(n), io.ErrUnexpectedEOF)
	}
	return prefetched{data: buf[:n], err: err}
}

// Read reads the next bytes of the range. It returns io.EOF at its end,
// and the source's error (which it keeps returning) where it happened: the
// bytes before it are delivered first.
func (r *PrefetchReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	for r.pos == len(r.cur.data) {
		if r.cur.err != nil {
			r.err = r.cur.err
			return 0, r.err
		}
		if !r.next() {
			return 0, r.err
		}
	}
	n := copy(p, r.cur.data[r.pos:])
	r.pos += n
	return n, nil
}

// WriteTo writes the rest of the range to w, straight from the chunk
// buffers. It returns nil at the end of the range, like io.Copy.
func (r *PrefetchReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if r.pos < len(r.cur.data) {
			n, err := w.Write(r.cur.data[r.pos:])
			r.pos += n
			total += int64(n)
			if err != nil {
				return total, err
			}
			continue
		}
		if _, err := r.Read(nil); err != nil {
			if err == io.EOF {
				return total, nil
			}
			return total, err
		}
	}
}

// next moves on to the next chunk, handing the current buffer back.
func (r *PrefetchReader) next() bool {
	if r.cur.data != nil {
		r.free <- r.cur.data[:0] // never blocks: it is one of the buffers
	}
	r.cur, r.pos = prefetched{}, 0
	res, ok := <-r.queue
	if !ok {
		if r.err = r.ctx.Err(); r.err == nil {
			r.err = io.EOF
		}
		return false
	}
	r.cur = <-res
	if r.cur.err != nil && len(r.cur.data) == 0 {
		r.err = r.cur.err
		return false
	}
	return true
}

// Close stops the prefetching and waits for its goroutines. It returns nil;
// a read error was already returned by Read.
func (r *PrefetchReader) Close() error {
	r.cancel()
	r.wg.Wait()
	if r.err == nil {
		r.err = errors.New("shard: prefetch reader closed")
	}
	return nil
}

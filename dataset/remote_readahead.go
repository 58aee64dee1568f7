package dataset

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/tome-data/tome/shard"
)

// readAhead is a remote Source for codecs that read a file from start to
// end (JSON Lines, CSV): instead of one blocking request per read, a read
// that starts a pass over the file starts a shard.PrefetchReader from there
// to the end, which keeps the next chunks in flight, and the reads that
// continue the pass are served from it. Small reads elsewhere (format
// detection, the compression sniff) go to the source as they are.
//
// A codec may make several passes (schema inference, then the scan; each
// Batches call), and several may run at once, so readAhead keeps a few
// passes, matched by the offset each is at; the least recently used one
// is closed when another starts. Memory is bounded by maxPasses times the
// read-ahead byte cap.
type readAhead struct {
	shard.Source
	opts shard.PrefetchOptions

	mu     sync.Mutex
	passes []*pass // least recently used first; a pass being read is taken out
	closed bool
	life   context.Context
	cancel context.CancelFunc
}

// pass is one sequential read of the file: a prefetch reader and the
// offset it has reached.
type pass struct {
	pr  *shard.PrefetchReader
	pos int64
}

const (
	// maxPasses bounds the passes kept open per file.
	maxPasses = 2
	// minPassRead is the smallest read that starts a pass; the codecs
	// read 256 KiB or more at a time when they stream, and much less when
	// they sniff a header.
	minPassRead = 64 << 10
	// readAheadChunk is the length of each request of a pass.
	readAheadChunk = 2 << 20
)

func newReadAhead(src shard.Source, maxBytes int64) *readAhead {
	ra := &readAhead{Source: src, opts: shard.PrefetchOptions{
		ChunkSize:   min(readAheadChunk, max(maxBytes/4, minPassRead)),
		MaxRequests: 4,
		MaxBytes:    maxBytes,
	}}
	ra.life, ra.cancel = context.WithCancel(context.Background())
	return ra
}

// ReadAt keeps the io.ReaderAt contract: safe for concurrent use, and
// n < len(p) only with an error.
func (ra *readAhead) ReadAt(p []byte, off int64) (int, error) {
	ps, err := ra.take(off, len(p))
	if err != nil {
		return 0, err
	}
	if ps == nil {
		return ra.Source.ReadAt(p, off)
	}
	n, err := io.ReadFull(ps.pr, p)
	ps.pos += int64(n)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) && off+int64(n) == ra.Size():
		err = io.EOF // the file ends inside p: the io.ReaderAt way to say so
	case err != nil && n == 0 && errors.Is(err, io.EOF):
		err = io.EOF
	}
	if err != nil && !errors.Is(err, io.EOF) {
		ps.pr.Close()
		return n, err
	}
	ra.put(ps)
	return n, err
}

// take finds the pass at off, or starts one when the read is large enough
// to be a pass of its own; nil means read the source directly.
func (ra *readAhead) take(off int64, n int) (*pass, error) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.closed {
		return nil, nil // the source reports ErrClosed itself
	}
	for i, ps := range ra.passes {
		if ps.pos == off {
			ra.passes = append(ra.passes[:i], ra.passes[i+1:]...)
			return ps, nil
		}
	}
	if n < minPassRead || off >= ra.Size() {
		return nil, nil
	}
	if len(ra.passes) >= maxPasses {
		ra.passes[0].pr.Close()
		ra.passes = ra.passes[1:]
	}
	return &pass{pr: shard.NewPrefetchReader(ra.life, ra.Source, off, ra.Size()-off, ra.opts), pos: off}, nil
}

// put returns a pass after a read, as the most recently used.
func (ra *readAhead) put(ps *pass) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.closed || ps.pos >= ra.Size() {
		ps.pr.Close()
		return
	}
	ra.passes = append(ra.passes, ps)
}

// Close stops every pass and closes the source.
func (ra *readAhead) Close() error {
	ra.mu.Lock()
	passes := ra.passes
	ra.passes, ra.closed = nil, true
	ra.mu.Unlock()
	ra.cancel()
	for _, ps := range passes {
		ps.pr.Close()
	}
	return ra.Source.Close()
}

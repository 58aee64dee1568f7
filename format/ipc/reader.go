package ipc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/endian"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// ErrClosed is returned when a Reader is used after Close.
var ErrClosed = errors.New("ipc: reader closed")

// maxIdleCursors bounds the decoders a Reader keeps between reads of a
// file with dictionaries (see Reader.ReadChunk).
const maxIdleCursors = 2

// A Reader reads the record batches of an Arrow IPC file or stream. Each
// record batch is a chunk, readable on its own in any order.
//
// A Reader is safe for concurrent use: Batches and ReadChunk may run in
// several goroutines at once.
type Reader struct {
	src        *source
	idx        *index
	opts       Options
	load       loader
	schema     *arrow.Schema // of the batches handed out: projected, in the asked order
	schemaMeta []byte        // the schema message arrow-go decodes (projected)
	proj       *projection   // nil when every column is read in file order
	dicts      []dictEntry   // the dictionary messages of the decoded columns
	before     []int         // before[k] is how many of dicts precede batch k

	mu     sync.Mutex
	idle   []*cursor
	users  int
	closed bool
}

var _ format.ChunkedReader = (*Reader)(nil)

// Open reads the index of the Arrow IPC file or stream in r: the footer of
// a file ("ARROW1" magic), or the framing of a stream, whose messages'
// metadata is read once, without their bodies. Both stream framings are
// read: with the 0xFFFFFFFF continuation marker (Arrow 0.15 and later) and
// without it.
//
// When r implements format.Mapped (as shard.Local does) and the data is
// uncompressed and little-endian, batches are zero-copy: their buffers
// point into r.Bytes(). The Reader holds a reference to the mapping from
// Open to Close, and each batch holds its own, so the mapping outlives both
// the Reader and r's own Close for as long as any batch is retained.
// Compressed bodies are decoded into opts.Allocator memory, as are bodies
// read through ReadAt when r is not mapped.
//
// Errors wrap format.ErrCorrupt for malformed input and
// format.ErrUnsupported for what tome does not read (metadata versions
// before V4 or after V5, tensors); a column in opts.Columns that the file
// lacks (or has twice) is a format.ErrSchema error.
func Open(r io.ReaderAt, size int64, opts Options) (_ *Reader, err error) {
	src, err := newSource(r, size)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: %w: %v", src.name, format.ErrCorrupt, p)
		}
		if err != nil {
			src.close()
		}
	}()
	idx, err := buildIndex(src)
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: src, idx: idx, opts: opts, schemaMeta: idx.schema}
	full, err := rd.decodeSchema(idx.schema)
	if err != nil {
		return nil, err
	}
	if err := checkTypes(full); err != nil {
		return nil, fmt.Errorf("%s: schema: %w", src.name, err)
	}
	names := make([]string, len(idx.info.fields))
	for i, f := range idx.info.fields {
		names[i] = f.name
	}
	if rd.proj, err = resolveColumns(names, opts.Columns); err != nil {
		return nil, fmt.Errorf("%s: %w", src.name, err)
	}
	rd.schema = full
	keepIDs := idx.info.dictIDs(seq(len(names)))
	if rd.proj != nil {
		if rd.schemaMeta, err = projectSchema(idx.schema, rd.proj.keep); err != nil {
			return nil, fmt.Errorf("%s: schema: %w", src.name, err)
		}
		if rd.schema, err = rd.decodeSchema(rd.schemaMeta); err != nil {
			return nil, err
		}
		if rd.proj.reorders() {
			rd.schema = reorder(rd.schema, rd.proj.order)
		}
		keepIDs = idx.info.dictIDs(rd.proj.keep)
	}
	rd.filterDicts(keepIDs)
	rd.load = loader{
		src:        src,
		mem:        opts.Mem(),
		maxDecoded: opts.maxDecoded(),
		zeroCopy:   src.mapped != nil && idx.info.bigEndian == endian.IsBigEndian,
		full:       full,
	}
	if rd.proj != nil {
		rd.load.keep = rd.proj.keep
	}
	return rd, nil
}

func buildIndex(src *source) (*index, error) {
	head, err := src.read(0, min(src.size, int64(len(fileMagic))))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.name, err)
	}
	if bytes.Equal(head, []byte(fileMagic)) {
		return indexFile(src)
	}
	return indexStream(src)
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func reorder(s *arrow.Schema, order []int) *arrow.Schema {
	fields := make([]arrow.Field, len(order))
	for i, o := range order {
		fields[i] = s.Field(o)
	}
	md := s.Metadata()
	return arrow.NewSchemaWithEndian(fields, &md, s.Endianness())
}

// filterDicts keeps the dictionary messages of the decoded columns and
// counts, for each batch, how many of them precede it.
func (r *Reader) filterDicts(ids map[int64]bool) {
	kept := make([]int, len(r.idx.dicts)+1) // kept[i]: how many of the first i are kept
	for i, d := range r.idx.dicts {
		kept[i+1] = kept[i]
		if ids[d.id] {
			r.dicts = append(r.dicts, d)
			kept[i+1]++
		}
	}
	r.before = make([]int, len(r.idx.batches))
	for k, b := range r.idx.batches {
		r.before[k] = kept[b.dicts]
	}
}

// Format reports whether the data is an IPC file or stream.
func (r *Reader) Format() format.Format { return r.idx.format }

// ZeroCopy reports whether batches borrow the mapped bytes rather than
// copies of them. Bodies compressed with LZ4 or Zstandard are decoded into
// allocator memory even then.
func (r *Reader) ZeroCopy() bool { return r.load.zeroCopy }

// Schema is the schema of every batch, projected, with its metadata.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// NumRows is the sum of the batches' row counts.
func (r *Reader) NumRows() int64 { return r.idx.rows }

// NumChunks is the number of record batches.
func (r *Reader) NumChunks() int { return len(r.idx.batches) }

// ChunkRows is the row count of batch i, from its metadata. It panics if i
// is not in [0, NumChunks()).
func (r *Reader) ChunkRows(i int) int64 { return r.idx.batches[i].rows }

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

// decodeSchema lets arrow-go decode a schema message.
func (r *Reader) decodeSchema(meta []byte) (*arrow.Schema, error) {
	c, err := r.newCursor(meta)
	if err != nil {
		return nil, err
	}
	defer c.release()
	return c.rd.Schema(), nil
}

func (r *Reader) newCursor(schemaMeta []byte) (*cursor, error) {
	f := newFeed()
	f.push(ipc.NewMessage(memory.NewBufferBytes(schemaMeta), memory.NewBufferBytes(nil)))
	// On failure arrow-go releases the feed it was given.
	rd, err := ipc.NewReaderFromMessageReader(f, ipc.WithAllocator(r.opts.Mem()))
	if err != nil {
		return nil, fmt.Errorf("%s: schema: %w", r.src.name, corrupt(err))
	}
	return &cursor{rd: rd, feed: f}, nil
}

// cursorFor returns an idle cursor that can reach dictionary epoch target,
// preferring the one closest to it, or a new one.
func (r *Reader) cursorFor(target int) (*cursor, error) {
	r.mu.Lock()
	best := -1
	for i, c := range r.idle {
		if c.epoch <= target && (best < 0 || c.epoch > r.idle[best].epoch) {
			best = i
		}
	}
	if best >= 0 {
		c := r.idle[best]
		r.idle = slices.Delete(r.idle, best, best+1)
		r.mu.Unlock()
		return c, nil
	}
	r.mu.Unlock()
	return r.newCursor(r.schemaMeta)
}

// putCursor keeps a cursor for later reads when dictionaries make a new
// one costly; otherwise it releases it, and with it the batch it holds.
func (r *Reader) putCursor(c *cursor) {
	if len(r.dicts) > 0 {
		r.mu.Lock()
		if !r.closed && len(r.idle) < maxIdleCursors {
			r.idle = append(r.idle, c)
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
	}
	c.release()
}

func (r *Reader) acquire() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("%s: %w", r.src.name, ErrClosed)
	}
	r.users++
	return nil
}

func (r *Reader) release() {
	r.mu.Lock()
	r.users--
	last := r.closed && r.users == 0
	r.mu.Unlock()
	if last {
		r.free()
	}
}

// Close releases the Reader's decoders and its reference to the mapping;
// iterations still running finish first. Batches retained by the caller
// stay valid. Close does not close the io.ReaderAt.
func (r *Reader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	last := r.users == 0
	r.mu.Unlock()
	if last {
		r.free()
	}
	return nil
}

func (r *Reader) free() {
	r.mu.Lock()
	idle := r.idle
	r.idle = nil
	r.mu.Unlock()
	for _, c := range idle {
		c.release()
	}
	r.src.close()
}

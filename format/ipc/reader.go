package ipc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/endian"

	"github.com/tome-data/tome/format"
)

// ErrClosed is returned when a Reader is used after Close.
var ErrClosed = errors.New("ipc: reader closed")

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

// buildIndex indexes a file or a stream, told apart by the file's magic.
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

// seq returns 0, 1, ..., n-1.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// reorder returns the schema of fields order[0], order[1], ... of s.
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

// acquire registers an iteration, which keeps the mapping and decoders
// alive until its release, even across a Close.
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

// Close releases the Reader's decoders and its reference to the mapping.
// It does not wait for iterations still running: they finish normally, and
// the last to end releases what Close could not. Batches retained by the
// caller stay valid. Close does not close the io.ReaderAt.
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

package shard

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/atomicfile"
)

// DefaultMaxShardBytes is the default shard size limit: Hugging Face's
// max_shard_size of "500MB" (decimal megabytes, as datasets parses it),
// measured in Arrow bytes (see BatchBytes).
const DefaultMaxShardBytes = 500_000_000

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Format of the shards: Parquet, ArrowFile, ArrowStream, JSONL or CSV.
	Format format.Format
	// Compression names the codec: for Parquet zstd (default), snappy,
	// lz4, gzip, brotli or none; for Arrow none (default), lz4 or zstd;
	// for JSON Lines and CSV gzip, zstd or none (default).
	Compression string
	// Level is the Parquet codec's level; 0 means its default.
	Level int
	// RowGroupRows bounds Parquet row groups by rows (default: by bytes).
	RowGroupRows int64

	// MaxShardBytes starts a new shard before a row would take the
	// current one past this many Arrow bytes (BatchBytes); 0 means
	// DefaultMaxShardBytes and a negative value no limit. A single row
	// larger than the limit gets a shard of its own.
	MaxShardBytes int64
	// MaxShardRows bounds the rows of a shard; 0 means no bound.
	MaxShardRows int64

	// BatchRows, if positive, re-cuts the rows of each shard into batches
	// of exactly this many rows (the last of a shard may be shorter), as
	// Hugging Face's save_to_disk writes its .arrow files in batches of
	// 1000. The rows are copied into each batch, so that the shards' bytes
	// do not depend on how the input was batched. Zero writes the batches
	// as they come, cut at shard ends.
	BatchRows int

	// Path returns the file name of shard i. The directory must exist.
	Path func(i int) string
	// FirstShard is the index of the first shard written, for a writer
	// that continues a sequence of shards (a resumed conversion).
	FirstShard int
	// KeepEmpty makes Close write one empty shard (with the schema) when
	// no row was written, so that a dataset of no rows still has a file
	// that gives its schema.
	KeepEmpty bool
	// OnShard, if set, is called after each shard is complete and renamed
	// into place, in shard order. An error stops the Writer.
	OnShard func(WrittenShard) error

	// Allocator receives the encoders' buffers; nil means
	// memory.DefaultAllocator.
	Allocator memory.Allocator
}

func (o WriterOptions) mem() memory.Allocator {
	if o.Allocator != nil {
		return o.Allocator
	}
	return memory.DefaultAllocator
}

func (o WriterOptions) maxBits() int64 {
	switch {
	case o.MaxShardBytes == 0:
		return DefaultMaxShardBytes * 8
	case o.MaxShardBytes < 0 || o.MaxShardBytes > math.MaxInt64/8:
		return math.MaxInt64
	}
	return o.MaxShardBytes * 8
}

func (o WriterOptions) maxRows() int64 {
	if o.MaxShardRows <= 0 {
		return math.MaxInt64
	}
	return o.MaxShardRows
}

// Validate checks the options before anything is written: a known format,
// a codec that format has, a path function.
func (o WriterOptions) Validate() error {
	if _, err := parseCodec(o.Format, o.Compression); err != nil {
		return err
	}
	if o.Path == nil {
		return errors.New("shard writer: no Path function")
	}
	if o.FirstShard < 0 || o.BatchRows < 0 || o.RowGroupRows < 0 {
		return errors.New("shard writer: negative FirstShard, BatchRows or RowGroupRows")
	}
	return nil
}

// WrittenShard describes a finished shard.
type WrittenShard struct {
	Index      int
	Path       string
	Rows       int64
	Bytes      int64 // of the file
	ArrowBytes int64 // of its rows, by BatchBytes' measure
	SHA256     string
}

// A Writer writes record batches to a sequence of shard files, starting a
// new shard when the current one would grow past MaxShardBytes or
// MaxShardRows. Where shards are cut depends only on the sequence of rows
// and the options, never on how the rows are batched.
//
// Each shard is written atomically (see internal/atomicfile): to a
// temporary name in its directory, synced and renamed when complete, with
// its SHA-256 computed on the way out. A crash leaves the finished shards
// and, at most, one temporary file. A Writer is not safe for concurrent
// use.
type Writer struct {
	schema *arrow.Schema
	opts   WriterOptions
	codec  codec
	cur    *openShard // nil between shards
	next   int        // index of the next shard to open
	done   []WrittenShard
	err    error // sticky: after a failure every call returns it
	closed bool
}

// openShard is the shard being written.
type openShard struct {
	path    string
	file    *atomicfile.File
	sum     *hashWriter
	buf     *bufio.Writer
	enc     format.Writer
	rows    int64
	bits    int64
	pending []arrow.RecordBatch // rows waiting for a full BatchRows batch
	waiting int64               // rows in pending
}

// NewWriter returns a Writer of batches with the given schema. Nothing is
// created on disk until rows are written (or Close, with KeepEmpty).
func NewWriter(schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	c, _ := parseCodec(opts.Format, opts.Compression)
	return &Writer{schema: schema, opts: opts, codec: c, next: opts.FirstShard}, nil
}

// Schema is the schema every shard is written with.
func (w *Writer) Schema() *arrow.Schema { return w.schema }

// Write appends the rows of b. Its columns must have the Writer's names
// and types (metadata and nullability may differ: the shards carry the
// Writer's schema); else the error wraps format.ErrSchema. The Writer does
// not keep b after Write returns unless BatchRows holds some of its rows,
// which it retains.
func (w *Writer) Write(b arrow.RecordBatch) (err error) {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("shard writer: write after close")
	}
	if diff := SameColumns(w.schema, b.Schema()); diff != "" {
		return fmt.Errorf("%w: shard writer: batch has %s", format.ErrSchema, diff)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("shard writer: %v", p)
		}
		if err != nil {
			w.fail(err)
		}
	}()
	if !b.Schema().Equal(w.schema) {
		b = array.NewRecordBatch(w.schema, b.Columns(), b.NumRows())
		defer b.Release()
	}
	n := int(b.NumRows())
	for off := 0; off < n; {
		if w.cur != nil && !w.fits(b, off) {
			if err := w.finish(); err != nil {
				return err
			}
		}
		if w.cur == nil {
			if err := w.open(); err != nil {
				return err
			}
		}
		end := w.fit(b, off, n)
		if err := w.append(b, off, end); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// fits reports whether row off of b fits in the current shard.
func (w *Writer) fits(b arrow.RecordBatch, off int) bool {
	if w.cur.rows == 0 {
		return true
	}
	return w.cur.rows < w.opts.maxRows() && w.cur.bits+rowsBits(b, off, off+1) <= w.opts.maxBits()
}

// fit returns the end of the longest run of rows from off that fits in
// the current shard: at least off+1, since fits said row off does.
func (w *Writer) fit(b arrow.RecordBatch, off, n int) int {
	room := w.opts.maxRows() - w.cur.rows
	hi := n
	if int64(n-off) > room {
		hi = off + int(room)
	}
	budget := w.opts.maxBits() - w.cur.bits
	if rowsBits(b, off, hi) <= budget {
		return max(hi, off+1)
	}
	// The first k rows fit for k below the answer and not above it.
	k := sort.Search(hi-off, func(k int) bool { return rowsBits(b, off, off+k+1) > budget })
	return off + max(k, 1)
}

// append writes rows [i, j) of b to the current shard.
func (w *Writer) append(b arrow.RecordBatch, i, j int) error {
	s := w.cur
	piece := b
	if i != 0 || j != int(b.NumRows()) {
		piece = b.NewSlice(int64(i), int64(j))
		defer piece.Release()
	}
	s.rows += int64(j - i)
	s.bits += rowsBits(b, i, j)
	if w.opts.BatchRows <= 0 {
		return w.encode(piece)
	}
	piece.Retain()
	s.pending = append(s.pending, piece)
	s.waiting += piece.NumRows()
	for s.waiting >= int64(w.opts.BatchRows) {
		if err := w.flushPending(int64(w.opts.BatchRows)); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) encode(b arrow.RecordBatch) error {
	if err := w.cur.enc.Write(b); err != nil {
		return fmt.Errorf("writing shard %s: %w", w.cur.path, err)
	}
	return nil
}

// flushPending encodes the first n pending rows as one batch.
func (w *Writer) flushPending(n int64) error {
	s := w.cur
	var parts []arrow.RecordBatch
	var got int64
	for got < n {
		p := s.pending[0]
		if take := n - got; p.NumRows() > take {
			parts = append(parts, p.NewSlice(0, take))
			s.pending[0] = p.NewSlice(take, p.NumRows())
			p.Release()
			got = n
			continue
		}
		parts = append(parts, p)
		s.pending = s.pending[1:]
		got += p.NumRows()
	}
	s.waiting -= n
	defer releaseAll(parts)
	// Always copy, even a single piece: a slice and a copy of the same
	// rows encode differently (buffers, offsets, bitmaps), and the shard
	// bytes must not depend on how the input was batched.
	joined, err := concat(w.schema, parts, n, w.opts.mem())
	if err != nil {
		return fmt.Errorf("writing shard %s: %w", s.path, err)
	}
	defer joined.Release()
	return w.encode(joined)
}

// open starts the next shard.
func (w *Writer) open() error {
	path := w.opts.Path(w.next)
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	sum := &hashWriter{w: f, h: sha256.New()}
	buf := bufio.NewWriterSize(sum, 1<<20)
	enc, err := newFormatWriter(buf, w.schema, w.opts, w.codec)
	if err != nil {
		return errors.Join(fmt.Errorf("writing shard %s: %w", path, err), f.Abort())
	}
	w.cur = &openShard{path: path, file: f, sum: sum, buf: buf, enc: enc}
	return nil
}

// finish completes the current shard and renames it into place.
func (w *Writer) finish() error {
	s := w.cur
	if s.waiting > 0 {
		if err := w.flushPending(s.waiting); err != nil {
			return err
		}
	}
	if err := s.enc.Close(); err != nil {
		return fmt.Errorf("writing shard %s: %w", s.path, err)
	}
	if err := s.buf.Flush(); err != nil {
		return fmt.Errorf("writing shard %s: %w", s.path, err)
	}
	if err := s.file.Commit(); err != nil {
		return err
	}
	w.cur = nil
	done := WrittenShard{
		Index: w.next, Path: s.path, Rows: s.rows, Bytes: s.sum.n,
		ArrowBytes: (s.bits + 7) / 8, SHA256: hex.EncodeToString(s.sum.h.Sum(nil)),
	}
	w.next++
	w.done = append(w.done, done)
	if w.opts.OnShard != nil {
		return w.opts.OnShard(done)
	}
	return nil
}

// Close finishes the last shard and returns every shard written, in
// order. After a failure it returns the error, having removed the
// unfinished shard.
func (w *Writer) Close() ([]WrittenShard, error) {
	if w.err != nil {
		return w.done, w.err
	}
	if w.closed {
		return w.done, nil
	}
	w.closed = true
	if w.cur == nil && len(w.done) == 0 && w.opts.KeepEmpty {
		if err := w.open(); err != nil {
			w.fail(err)
			return nil, err
		}
	}
	if w.cur != nil {
		if err := w.finish(); err != nil {
			w.fail(err)
			return w.done, err
		}
	}
	return w.done, nil
}

// Abort removes the unfinished shard, if any; finished shards stay. It is
// safe to call after Close.
func (w *Writer) Abort() error {
	w.closed = true
	if w.err == nil {
		w.err = errors.New("shard writer: aborted")
	}
	return w.discard()
}

// fail records err and removes the unfinished shard.
func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
	_ = w.discard()
}

func (w *Writer) discard() error {
	s := w.cur
	if s == nil {
		return nil
	}
	w.cur = nil
	releaseAll(s.pending)
	s.pending = nil
	return s.file.Abort()
}

// hashWriter counts and hashes what goes to the file.
type hashWriter struct {
	w interface{ Write([]byte) (int, error) }
	h hash.Hash
	n int64
}

func (h *hashWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// concat joins batches of one schema into a batch of rows rows.
func concat(schema *arrow.Schema, parts []arrow.RecordBatch, rows int64, mem memory.Allocator) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	arrs := make([]arrow.Array, len(parts))
	for i := range cols {
		for j, p := range parts {
			arrs[j] = p.Column(i)
		}
		c, err := array.Concatenate(arrs, mem)
		if err != nil {
			return nil, fmt.Errorf("joining column %s: %w", schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}

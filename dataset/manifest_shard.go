package dataset

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// A lazyShard is a shard of a dataset opened from its manifest: what the
// manifest says of it (path, format, rows, bytes, schema) answers until
// the first read opens the file. Opening checks the file against the
// manifest, so a shard replaced since tome convert wrote it fails with
// an error naming it rather than yielding rows the counts do not cover.
//
// Its shardFile's src and r are stand-ins (lazySource, lazyReader) that
// open the shard on the first call that needs the file and then forward
// to the real ones. Size, Name, NumRows and Schema never open it.
type lazyShard struct {
	path   string
	kind   format.Kind // the manifest's format; the compression guessed from the name
	entry  shard.ManifestShard
	schema *arrow.Schema
	cfg    openConfig

	mu     sync.Mutex
	sf     *shardFile // the opened shard; nil before
	closed bool
}

// newLazyShard returns the shardFile of a manifest entry, not yet opened.
func newLazyShard(path string, kind format.Kind, entry shard.ManifestShard, schema *arrow.Schema, cfg openConfig) *shardFile {
	l := &lazyShard{path: path, kind: kind, entry: entry, schema: schema, cfg: cfg}
	var r format.Reader = lazyReader{l}
	if kind.Format == format.Parquet || kind.Format == format.ArrowFile || kind.Format == format.ArrowStream {
		r = lazyChunkedReader{lazyReader{l}}
	}
	return &shardFile{path: path, kind: kind, src: lazySource{l}, r: r, lazy: l}
}

// open opens the shard once; later calls return it. A failed open is not
// remembered, so a read after a transient failure tries again. ctx bounds
// the opening requests of a remote shard.
func (l *lazyShard) open(ctx context.Context) (*shardFile, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sf != nil {
		return l.sf, nil
	}
	if l.closed {
		return nil, fmt.Errorf("%s: %w", l.path, shard.ErrClosed)
	}
	cfg := l.cfg
	if (l.kind.Format == format.JSONL || l.kind.Format == format.CSV) && cfg.schema == nil {
		cfg.schema = l.schema // the manifest's schema, instead of inferring one
	}
	src, err := openSource(ctx, l.path, cfg.remoteState(), l.entry.Bytes > shard.DefaultTailSize)
	if err != nil {
		return nil, err
	}
	if got := src.Size(); got != l.entry.Bytes {
		err := fmt.Errorf("%w: %s is %d bytes, the manifest says %d (replaced or truncated since it was written)", ErrLayout, l.path, got, l.entry.Bytes)
		return nil, errors.Join(err, src.Close())
	}
	sf, err := openShardSource(src, l.path, cfg)
	if err != nil {
		return nil, err
	}
	if err := l.check(sf); err != nil {
		return nil, errors.Join(err, sf.close())
	}
	l.sf = sf
	return sf, nil
}

// check compares an opened shard with its manifest entry.
func (l *lazyShard) check(sf *shardFile) error {
	if sf.kind.Format != l.kind.Format {
		return fmt.Errorf("%w: %s is %s, the manifest says %s", ErrLayout, l.path, sf.kind.Format, l.kind.Format)
	}
	if diff := shard.SameColumns(l.schema, sf.r.Schema()); diff != "" {
		return fmt.Errorf("%w: %s has %s in the manifest's schema", ErrSchemaMismatch, l.path, diff)
	}
	if got := sf.r.NumRows(); got >= 0 && got != l.entry.Rows {
		return fmt.Errorf("%w: %s has %d rows, the manifest says %d", ErrLayout, l.path, got, l.entry.Rows)
	}
	return nil
}

// opened returns the opened shard, or nil.
func (l *lazyShard) opened() *shardFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sf
}

// close closes the shard if it was opened; later opens fail. Closing twice
// (through the reader and the source) is a no-op.
func (l *lazyShard) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.sf == nil {
		return nil
	}
	err := l.sf.close()
	l.sf = nil
	return err
}

// openLazy opens the lazy shards among shards that are not open yet,
// maxOpening at a time: what building an index over every shard's chunks
// needs, in about len/maxOpening round trips. It returns the first error.
func openLazy(ctx context.Context, shards []*shardFile) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxOpening)
	for _, sf := range shards {
		if sf.lazy == nil || sf.lazy.opened() != nil {
			continue
		}
		g.Go(func() error { return sf.ensureOpen(gctx) })
	}
	return g.Wait()
}

// ensureOpen opens sf if it is a lazy shard; it is a no-op otherwise.
// Code that asks a shard's reader about its chunks (NumChunks, ChunkRows),
// which cannot report an error, calls it first.
func (sf *shardFile) ensureOpen(ctx context.Context) error {
	if sf.lazy == nil {
		return nil
	}
	_, err := sf.lazy.open(ctx)
	return err
}

// opened returns the shard as opened: for a lazy shard, the real file
// once it has been opened (sf itself before).
func (sf *shardFile) opened() *shardFile {
	if sf.lazy != nil {
		if o := sf.lazy.opened(); o != nil {
			return o
		}
	}
	return sf
}

// lazySource stands in for a shard's bytes: Size and Name from the
// manifest, reads through the shard opened on first use.
type lazySource struct{ l *lazyShard }

var _ shard.Source = lazySource{}

func (s lazySource) ReadAt(p []byte, off int64) (int, error) {
	sf, err := s.l.open(context.Background())
	if err != nil {
		return 0, err
	}
	return sf.src.ReadAt(p, off)
}

func (s lazySource) Size() int64  { return s.l.entry.Bytes }
func (s lazySource) Name() string { return s.l.path }
func (s lazySource) Close() error { return s.l.close() }

// Identity opens the shard: a version is only known from the file.
func (s lazySource) Identity() string {
	sf, err := s.l.open(context.Background())
	if err != nil {
		return ""
	}
	return sf.src.Identity()
}

// lazyReader stands in for a shard's reader: schema and rows from the
// manifest, batches from the shard opened on first use.
type lazyReader struct{ l *lazyShard }

var _ format.Reader = lazyReader{}

func (r lazyReader) Schema() *arrow.Schema { return r.l.schema }
func (r lazyReader) NumRows() int64        { return r.l.entry.Rows }
func (r lazyReader) Close() error          { return r.l.close() }

func (r lazyReader) Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		sf, err := r.l.open(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		for b, err := range sf.r.Batches(ctx) {
			if !yield(b, err) || err != nil {
				return
			}
		}
	}
}

// lazyChunkedReader is lazyReader for the formats with chunks (Parquet,
// Arrow IPC). NumChunks and ChunkRows cannot report an error: callers
// open the shard first (shardFile.ensureOpen), and a shard that does not
// open has no chunks.
type lazyChunkedReader struct{ lazyReader }

var _ format.ChunkedReader = lazyChunkedReader{}

func (r lazyChunkedReader) chunked(ctx context.Context) (format.ChunkedReader, error) {
	sf, err := r.l.open(ctx)
	if err != nil {
		return nil, err
	}
	cr, ok := sf.r.(format.ChunkedReader)
	if !ok {
		return nil, fmt.Errorf("%s: %w: a %s reader without chunks", r.l.path, ErrNoRandomAccess, sf.kind)
	}
	return cr, nil
}

func (r lazyChunkedReader) NumChunks() int {
	cr, err := r.chunked(context.Background())
	if err != nil {
		return 0
	}
	return cr.NumChunks()
}

func (r lazyChunkedReader) ChunkRows(i int) int64 {
	cr, err := r.chunked(context.Background())
	if err != nil {
		return 0
	}
	return cr.ChunkRows(i)
}

func (r lazyChunkedReader) ReadChunk(ctx context.Context, i int) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		cr, err := r.chunked(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		for b, err := range cr.ReadChunk(ctx, i) {
			if !yield(b, err) || err != nil {
				return
			}
		}
	}
}

// ZeroCopy forwards the opened reader's answer (see pushDown).
func (r lazyChunkedReader) ZeroCopy() bool {
	sf, err := r.l.open(context.Background())
	if err != nil {
		return false
	}
	zc, ok := sf.r.(interface{ ZeroCopy() bool })
	return ok && zc.ZeroCopy()
}

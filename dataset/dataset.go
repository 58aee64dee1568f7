package dataset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// A Dataset is one split of a dataset: an ordered list of shards with one
// schema. Its length, schema and shards come from the files' own metadata
// (Parquet footers, Arrow batch headers), never from dataset_info.json,
// whose counts are often stale.
//
// A Dataset is safe for concurrent use: iterators opened on it are
// independent. Close releases the files once every view derived from the
// Dataset is closed too.
type Dataset struct {
	name   string
	layout *Layout
	split  string
	cfg    openConfig
	files  *shardSet
	schema *arrow.Schema // of the batches this Dataset yields
	rows   indexMap      // nil: every base row, in order
	cols   *columnMap    // nil: the files' columns as stored (see columns.go)
}

// shardSet is the open files of a dataset, shared by its views.
type shardSet struct {
	shards []*shardFile
	starts []int64 // starts[i] is the global index of shard i's first row; nil when a count is unknown
	refs   atomic.Int64
	// parents are the sets whose files this one borrows (Concatenate):
	// closing it releases them instead of closing the files.
	parents []*shardSet
	// access is the random-access state (chunk index, chunk cache), built
	// on first use and released by close (access_state.go).
	access atomic.Pointer[randomAccess]
}

// shardFile is one open data file.
type shardFile struct {
	path string
	kind format.Kind
	src  shard.Source
	r    format.Reader // every column
	// lazy is set for a shard of a manifest, opened on first read: src
	// and r then stand in for the file's (manifest_shard.go).
	lazy *lazyShard
}

// ShardInfo describes one shard.
type ShardInfo struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	Rows   int64  `json:"rows"` // -1 when the format does not record it
	Bytes  int64  `json:"bytes"`
}

// Open opens the dataset at uri: a data file of any supported format, a
// glob, a directory of shards, a Hugging Face save_to_disk or DatasetDict
// directory, a builder cache directory, or a Hub-style repository folder.
// Where a directory holds several splits, WithSplit chooses one; without
// it Open takes the only split or "train".
//
// A dataset written by tome convert is opened from its manifest, tome.json
// (a local directory, an hf:// folder, or an http(s):// URL of the
// directory or of tome.json itself): its splits, shards, row counts,
// schema and features come from the manifest, and a shard is opened only
// when it is first read, so Len, Schema, Features, Shards and planning a
// Train order cost one request in all.
func Open(ctx context.Context, uri string, opts ...Option) (*Dataset, error) {
	cfg, err := newOpenConfig(opts)
	if err != nil {
		return nil, err
	}
	layout, err := resolveOpenLayout(ctx, uri, cfg)
	if err != nil {
		return nil, err
	}
	return openLayout(ctx, uri, layout, cfg)
}

// OpenFiles opens a list of data files as one dataset, in the order given.
func OpenFiles(ctx context.Context, paths []string, opts ...Option) (*Dataset, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no files given", ErrNotFound)
	}
	cfg, err := newOpenConfig(opts)
	if err != nil {
		return nil, err
	}
	return openLayout(ctx, strings.Join(paths, " "), FilesLayout(paths), cfg)
}

func openLayout(ctx context.Context, name string, layout *Layout, cfg openConfig) (*Dataset, error) {
	split := cfg.split
	if split == "" {
		var err error
		if split, err = layout.DefaultSplit(); err != nil {
			return nil, err
		}
	}
	sl, ok := layout.Split(split)
	if !ok {
		return nil, fmt.Errorf("%w: %s has no split %q (splits: %s)", ErrSplit, name, split, strings.Join(layout.SplitNames(), ", "))
	}
	if len(sl.Missing) > 0 {
		return nil, fmt.Errorf("%w: split %q of %s names files that are missing: %s", ErrLayout, split, name, strings.Join(sl.Missing, ", "))
	}
	if len(sl.Files) == 0 {
		return nil, fmt.Errorf("%w: split %q of %s has no data files", ErrNotFound, split, name)
	}
	if layout.Manifest != nil {
		files, schema, err := manifestShards(layout.Manifest, split, sl.Files, cfg)
		if err != nil {
			return nil, err
		}
		return &Dataset{name: name, layout: layout, split: split, cfg: cfg, files: files, schema: schema}, nil
	}
	files, err := openShards(ctx, sl.Files, layout.Sizes, cfg)
	if err != nil {
		return nil, err
	}
	d := &Dataset{name: name, layout: layout, split: split, cfg: cfg, files: files, schema: files.shards[0].r.Schema()}
	return d, nil
}

// maxOpening bounds the shards opened at once. A remote shard's open is a
// round trip or two, so a dataset of many shards opens in about
// len/maxOpening round trips rather than len; the per-host limiter still
// caps the requests one server sees. (A variable only so that a benchmark
// can compare with opening one at a time.)
var maxOpening = 8

// openShards opens the files concurrently and checks that their schemas
// agree. The first failure cancels the opens still running and is the
// error returned; every file opened is closed again.
//
// sizes holds the files' lengths where the layout knew them.
func openShards(ctx context.Context, paths []string, sizes map[string]int64, cfg openConfig) (*shardSet, error) {
	opened := make([]*shardFile, len(paths))
	closeAll := func(err error) error {
		errs := []error{err}
		for _, sf := range opened {
			if sf != nil {
				errs = append(errs, sf.close())
			}
		}
		return errors.Join(errs...)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxOpening)
	for i, p := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			sf, err := openShardFile(gctx, p, wantHead(p, sizes, len(paths)), cfg)
			if err != nil {
				return err
			}
			opened[i] = sf
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err() // not one shard's failure: the caller gave up
		}
		return nil, closeAll(err)
	}
	for _, sf := range opened[1:] {
		if err := sameSchema(opened[0], sf); err != nil {
			return nil, closeAll(err)
		}
	}
	set := &shardSet{shards: opened}
	set.refs.Store(1)
	set.starts = rowStarts(opened)
	return set, nil
}

// wantHead tells whether opening a remote file should fetch its head with
// the opening request. A file the layout knows the size of needs it when
// the opening tail read does not hold it whole. Of a file of unknown size,
// only when it is opened alone: then its open has nothing to overlap its
// second round trip with, while the opens of many files run side by side,
// and a head fetched for a small file would take a request slot for
// nothing.
func wantHead(path string, sizes map[string]int64, files int) bool {
	if size, ok := sizes[path]; ok {
		return size > shard.DefaultTailSize
	}
	return files == 1
}

// rowStarts returns the global index of each shard's first row, then the
// total; nil when a shard's format does not record its rows.
func rowStarts(shards []*shardFile) []int64 {
	starts := make([]int64, 0, len(shards)+1)
	var total int64
	for _, sf := range shards {
		n := sf.r.NumRows()
		if n < 0 {
			return nil
		}
		starts = append(starts, total)
		total += n
	}
	return append(starts, total)
}

// sameSchema checks that a shard fits the dataset: the same column names
// and types in the same order. Metadata may differ between shards.
func sameSchema(first, sf *shardFile) error {
	a, b := first.r.Schema(), sf.r.Schema()
	if a.NumFields() != b.NumFields() {
		return fmt.Errorf("%w: %s has %d columns, %s has %d", ErrSchemaMismatch, first.path, a.NumFields(), sf.path, b.NumFields())
	}
	for i := range a.NumFields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || !arrow.TypeEqual(fa.Type, fb.Type) {
			return fmt.Errorf("%w: column %d is %s: %s in %s but %s: %s in %s", ErrSchemaMismatch,
				i, fa.Name, fa.Type, first.path, fb.Name, fb.Type, sf.path)
		}
	}
	return nil
}

func (s *shardSet) retain() { s.refs.Add(1) }

func (s *shardSet) release() error {
	if s.refs.Add(-1) != 0 {
		return nil
	}
	return s.close()
}

func (s *shardSet) close() error {
	var errs []error
	if a := s.access.Swap(nil); a != nil {
		errs = append(errs, a.close())
	}
	if s.parents != nil {
		for _, p := range s.parents {
			errs = append(errs, p.release())
		}
		s.parents, s.shards = nil, nil
		return errors.Join(errs...)
	}
	for _, sf := range s.shards {
		errs = append(errs, sf.close())
	}
	s.shards = nil
	return errors.Join(errs...)
}

func (sf *shardFile) close() error {
	return errors.Join(sf.r.Close(), sf.src.Close())
}

// Close releases the dataset's files once no view derived from it is open.
// Batches already handed out stay valid while retained.
func (d *Dataset) Close() error {
	if d.files == nil {
		return nil
	}
	err := d.files.release()
	d.files = nil
	return err
}

// Name is the path the dataset was opened from.
func (d *Dataset) Name() string { return d.name }

// Layout is how the dataset's files were found.
func (d *Dataset) Layout() *Layout { return d.layout }

// Split is the name of the split this Dataset reads.
func (d *Dataset) Split() string { return d.split }

// Splits lists every split of the source the Dataset was opened from.
func (d *Dataset) Splits() []string { return d.layout.SplitNames() }

// Schema is the Arrow schema of every batch, with its metadata.
func (d *Dataset) Schema() *arrow.Schema { return d.schema }

// Len is the number of rows, from the files' metadata; -1 when a shard's
// format does not record it (JSON Lines, CSV), in which case Count scans.
func (d *Dataset) Len() int64 {
	if d.rows != nil {
		return d.rows.Len()
	}
	if d.files.starts == nil {
		return -1
	}
	return d.files.starts[len(d.files.starts)-1]
}

// Shards describes the dataset's files in order.
func (d *Dataset) Shards() []ShardInfo {
	out := make([]ShardInfo, len(d.files.shards))
	for i, sf := range d.files.shards {
		out[i] = ShardInfo{Path: sf.path, Format: sf.kind.String(), Rows: sf.r.NumRows(), Bytes: sf.src.Size()}
	}
	return out
}

// Count returns the number of rows, scanning the data only for shards whose
// format does not record it.
func (d *Dataset) Count(ctx context.Context) (int64, error) {
	if n := d.Len(); n >= 0 || d.files == nil {
		return n, nil
	}
	var total int64
	for _, sf := range d.files.shards {
		if n := sf.r.NumRows(); n >= 0 {
			total += n
			continue
		}
		for b, err := range sf.r.Batches(ctx) {
			if err != nil {
				return 0, err
			}
			total += b.NumRows()
		}
	}
	return total, nil
}

package dataset

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/csv"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/jsonl"
	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/shard"
)

// openShardFile opens one data file: its bytes (a local file
// memory-mapped, an http(s) URL or an hf:// URI read with range requests),
// its format (detected from content) and a reader over every column. ctx
// bounds the opening requests of a remote file.
// With head, a remote file's first block is fetched in the same round
// trip as the opening request (see openSource).
func openShardFile(ctx context.Context, path string, head bool, cfg openConfig) (*shardFile, error) {
	src, err := openSource(ctx, path, cfg.remoteState(), head)
	if err != nil {
		return nil, err
	}
	return openShardSource(src, path, cfg)
}

// openShardSource is openShardFile once the bytes are open; it takes
// ownership of src, closing it on failure.
func openShardSource(src shard.Source, path string, cfg openConfig) (*shardFile, error) {
	kind, err := detectFormat(src, path)
	if err != nil {
		return nil, errors.Join(err, src.Close())
	}
	src = forCodec(src, kind, cfg.remoteState())
	r, err := openReader(src, kind, cfg, nil)
	if err != nil {
		return nil, errors.Join(err, src.Close())
	}
	if cp, ok := src.(*chunkPrefetch); ok {
		cp.indexChunks()
		cp.expectColumns(nil) // this reader reads every column
	}
	return &shardFile{path: path, kind: kind, src: src, r: r}, nil
}

// detectFormat is format.Detect, except that a remote file whose last
// bytes close a Parquet footer is taken for Parquet without reading its
// head: the opening request brought the tail, so this saves a round trip
// per remote Parquet file. (A file that merely ends like one fails in the
// Parquet codec, with an error that names it.)
func detectFormat(src shard.Source, path string) (format.Kind, error) {
	if _, remote := src.(*shard.HTTPSource); remote && src.Size() >= 12 {
		var tail [8]byte
		if _, err := src.ReadAt(tail[:], src.Size()-8); err == nil && string(tail[4:]) == "PAR1" {
			if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > 0 && n <= src.Size()-12 {
				return format.Kind{Format: format.Parquet}, nil
			}
		}
	}
	return format.Detect(src, src.Size(), path)
}

// openSource opens the bytes of path by its scheme. ctx bounds the opening
// request of a remote file; its reads run until the source is closed.
//
// With head, a remote file's first block is asked for alongside the
// opening request: right for data files, which every codec reads from the
// start, and wasted on small ones that the opening tail read holds whole.
func openSource(ctx context.Context, path string, rs *remoteState, head bool) (shard.Source, error) {
	switch remoteScheme(path) {
	case schemeHTTP:
		opts := rs.httpOptions()
		opts.PrefetchHead = head
		src, err := shard.OpenHTTP(ctx, path, opts)
		return src, remoteNotFound(err)
	case schemeHub:
		opts := rs.hubOptions()
		opts.HTTP.PrefetchHead = head
		src, err := shard.OpenHub(ctx, path, opts)
		return src, remoteNotFound(err)
	}
	src, err := shard.OpenLocal(path)
	if err != nil {
		return nil, remoteNotFound(err)
	}
	return src, nil
}

// remoteNotFound marks a file that does not exist with this package's
// ErrNotFound too: a shard the layout named but that went missing.
func remoteNotFound(err error) error {
	if errors.Is(err, shard.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// forCodec adapts a remote source to how the codec of kind reads: JSON
// Lines and CSV read the file from start to end, so their passes are
// prefetched (readAhead); Parquet reads one column chunk at a time, so the
// next row groups' chunks of the columns being read are fetched ahead
// (chunkPrefetch); Arrow IPC reads the ranges it needs, which the HTTP
// source's block cache serves.
func forCodec(src shard.Source, kind format.Kind, rs *remoteState) shard.Source {
	if _, remote := src.(*shard.HTTPSource); !remote {
		return src
	}
	switch kind.Format {
	case format.JSONL, format.CSV:
		return newReadAhead(src, rs.readAheadBytes())
	case format.Parquet:
		if cp := newChunkPrefetch(src, rs.readAheadBytes()); cp != nil {
			return cp
		}
	}
	return src
}

// openReader dispatches to the codec of kind. columns projects Parquet at
// decode time; the other codecs read every column and are projected after.
func openReader(src shard.Source, kind format.Kind, cfg openConfig, columns []string) (format.Reader, error) {
	ro := format.ReadOptions{Columns: columns, BatchSize: cfg.batchRows, Allocator: cfg.mem}
	name := src.Name()
	switch kind.Format {
	case format.ArrowFile, format.ArrowStream:
		r, err := ipc.Open(src, src.Size(), ipc.Options{ReadOptions: ro})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return r, nil
	case format.Parquet:
		r, err := parquet.Open(src, src.Size(), parquet.Options{ReadOptions: ro})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if cp, ok := src.(*chunkPrefetch); ok && columns != nil {
			cp.expectColumns(columns) // a projected scan is about to start
		}
		return r, nil
	case format.JSONL:
		r, err := jsonl.Open(src, src.Size(), jsonl.Options{ReadOptions: ro, Compression: kind.Compression, Schema: cfg.schema, InferRows: cfg.inferRows})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return r, nil
	case format.CSV:
		r, err := csv.Open(src, src.Size(), csv.Options{ReadOptions: ro, Compression: kind.Compression, Schema: cfg.schema, InferRows: cfg.inferRows})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return r, nil
	}
	return nil, fmt.Errorf("%s: %w: %s", name, format.ErrUnsupported, kind)
}

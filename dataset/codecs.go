package dataset

import (
	"context"
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
// its format (detected from content) and a reader over every column.
func openShardFile(path string, cfg openConfig, _ []string) (*shardFile, error) {
	src, err := openSource(context.Background(), path, currentRemote())
	if err != nil {
		return nil, err
	}
	kind, err := format.Detect(src, src.Size(), path)
	if err != nil {
		return nil, errors.Join(err, src.Close())
	}
	src = forCodec(src, kind, currentRemote())
	r, err := openReader(src, kind, cfg, nil)
	if err != nil {
		return nil, errors.Join(err, src.Close())
	}
	if cp, ok := src.(*chunkPrefetch); ok {
		cp.indexChunks()
	}
	return &shardFile{path: path, kind: kind, src: src, r: r}, nil
}

// openSource opens the bytes of path by its scheme. ctx bounds the opening
// request of a remote file; its reads run until the source is closed.
func openSource(ctx context.Context, path string, rs *remoteState) (shard.Source, error) {
	switch remoteScheme(path) {
	case schemeHTTP:
		src, err := shard.OpenHTTP(ctx, path, rs.httpOptions())
		return src, remoteNotFound(err)
	case schemeHub:
		src, err := shard.OpenHub(ctx, path, rs.hubOptions())
		return src, remoteNotFound(err)
	}
	return shard.OpenLocal(path)
}

// remoteNotFound marks a remote file that does not exist with this
// package's ErrNotFound too, as a missing local file is.
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

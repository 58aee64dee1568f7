package dataset

import (
	"errors"
	"fmt"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/csv"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/jsonl"
	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/shard"
)

// openShardFile opens one data file: its bytes (memory-mapped), its format
// (detected from content) and a reader over every column.
func openShardFile(path string, cfg openConfig, _ []string) (*shardFile, error) {
	src, err := shard.OpenLocal(path)
	if err != nil {
		return nil, err
	}
	kind, err := format.Detect(src, src.Size(), path)
	if err != nil {
		return nil, errors.Join(err, src.Close())
	}
	r, err := openReader(src, kind, cfg, nil)
	if err != nil {
		return nil, errors.Join(err, src.Close())
	}
	return &shardFile{path: path, kind: kind, src: src, r: r}, nil
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

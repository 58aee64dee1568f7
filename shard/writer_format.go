package shard

import (
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/csv"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/jsonl"
	"github.com/tome-data/tome/format/parquet"
)

// codec is a parsed WriterOptions.Compression for one format.
type codec struct {
	parquet parquet.Compression
	ipc     ipc.Compression
	text    format.Compression
}

// parseCodec checks a compression name against the format it is for.
func parseCodec(f format.Format, name string) (codec, error) {
	var c codec
	var err error
	switch f {
	case format.Parquet:
		c.parquet, err = parquet.ParseCompression(name)
	case format.ArrowFile, format.ArrowStream:
		switch strings.ToLower(name) {
		case "", "none", "uncompressed":
			c.ipc = ipc.None
		case "lz4", "lz4_frame":
			c.ipc = ipc.LZ4
		case "zstd":
			c.ipc = ipc.Zstd
		default:
			err = fmt.Errorf("%w: Arrow IPC compression %q (want none, lz4 or zstd)", format.ErrUnsupported, name)
		}
	case format.JSONL, format.CSV:
		switch strings.ToLower(name) {
		case "", "none", "uncompressed":
			c.text = format.Uncompressed
		case "gzip", "gz":
			c.text = format.Gzip
		case "zstd", "zst":
			c.text = format.Zstd
		default:
			err = fmt.Errorf("%w: %s compression %q (want gzip, zstd or none)", format.ErrUnsupported, f, name)
		}
	default:
		err = fmt.Errorf("%w: writing %s shards", format.ErrUnsupported, f)
	}
	return c, err
}

// Extension is the file name suffix of the shards opts describes:
// .parquet, .arrow (IPC file), .arrows (IPC stream), .jsonl or .csv, with
// .gz or .zst for compressed text. Hugging Face's save_to_disk names its
// IPC stream files .arrow; its layout names them itself.
func (o WriterOptions) Extension() string {
	switch o.Format {
	case format.Parquet:
		return ".parquet"
	case format.ArrowFile:
		return ".arrow"
	case format.ArrowStream:
		return ".arrows"
	}
	ext := ".jsonl"
	if o.Format == format.CSV {
		ext = ".csv"
	}
	if c, err := parseCodec(o.Format, o.Compression); err == nil {
		switch c.text {
		case format.Gzip:
			ext += ".gz"
		case format.Zstd:
			ext += ".zst"
		}
	}
	return ext
}

// newFormatWriter starts one shard's encoder on w.
func newFormatWriter(w io.Writer, schema *arrow.Schema, o WriterOptions, c codec) (format.Writer, error) {
	switch o.Format {
	case format.Parquet:
		return parquet.NewWriter(w, schema, parquet.WriteOptions{
			Compression: c.parquet, Level: o.Level, RowGroupRows: o.RowGroupRows, Allocator: o.Allocator,
		})
	case format.ArrowFile:
		return ipc.NewFileWriter(w, schema, ipc.WriteOptions{Compression: c.ipc, Allocator: o.Allocator})
	case format.ArrowStream:
		return ipc.NewStreamWriter(w, schema, ipc.WriteOptions{Compression: c.ipc, Allocator: o.Allocator})
	case format.JSONL:
		return jsonl.NewWriter(w, schema, jsonl.WriteOptions{Compression: c.text})
	case format.CSV:
		return csv.NewWriter(w, schema, csv.WriteOptions{Compression: c.text})
	}
	return nil, fmt.Errorf("%w: writing %s shards", format.ErrUnsupported, o.Format)
}

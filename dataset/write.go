package dataset

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/internal/atomicfile"
)

// WriteOptions configure WriteFile. The zero value writes every column in
// the format named by the file's extension with that format's default
// compression.
type WriteOptions struct {
	// Format of the output; Unknown means from the extension: .parquet,
	// .arrow/.feather/.ipc (IPC file), .arrows (IPC stream), .jsonl/.json/
	// .ndjson (JSON Lines, optionally .gz or .zst), .csv/.tsv.
	Format format.Format
	// Compression names the codec: for Parquet zstd (default), snappy,
	// lz4, gzip, brotli or none; for Arrow none (default), lz4 or zstd; for
	// JSON Lines and CSV gzip, zstd or none (default: from the extension).
	Compression string
	// Level is the codec's level; 0 means its default.
	Level int
	// RowGroupRows bounds Parquet row groups by rows (default: by bytes).
	RowGroupRows int64
	// Delimiter separates CSV fields; 0 means ',' (or a tab for .tsv).
	Delimiter byte
	// Columns to write; nil means all.
	Columns []string
	// Progress, if set, is called after each batch with the rows written.
	Progress func(rows int64)
}

// ArrowWriteBatchRows is the batch size of Arrow IPC files WriteFile
// writes. A zero-copy scan pays a few microseconds per batch to build its
// arrays, so large batches make a full scan of a memory-mapped shard cost
// about what a raw pass over its bytes does (see BENCHMARKS.md).
const ArrowWriteBatchRows = 64 << 10

// FormatForPath tells the output format and whole-file compression from a
// file name.
func FormatForPath(path string) (format.Kind, error) {
	base := strings.ToLower(filepath.Base(path))
	var k format.Kind
	switch {
	case strings.HasSuffix(base, ".gz"):
		k.Compression, base = format.Gzip, strings.TrimSuffix(base, ".gz")
	case strings.HasSuffix(base, ".zst"):
		k.Compression, base = format.Zstd, strings.TrimSuffix(base, ".zst")
	}
	switch filepath.Ext(base) {
	case ".parquet":
		k.Format = format.Parquet
	case ".arrow", ".feather", ".ipc":
		k.Format = format.ArrowFile
	case ".arrows":
		k.Format = format.ArrowStream
	case ".jsonl", ".json", ".ndjson":
		k.Format = format.JSONL
	case ".csv", ".tsv":
		k.Format = format.CSV
	default:
		return k, fmt.Errorf("%w: cannot tell the output format of %s from its extension; name it", format.ErrUnknownFormat, path)
	}
	if k.Compression != format.Uncompressed && (k.Format != format.JSONL && k.Format != format.CSV) {
		return k, fmt.Errorf("%w: %s: only JSON Lines and CSV take whole-file compression", format.ErrUnsupported, path)
	}
	return k, nil
}

// WriteFile writes the dataset to one file, atomically: the data goes to a
// temporary file in the same directory, renamed over path only when
// complete. On error or cancellation nothing is left behind. It returns
// the number of rows written.
func WriteFile(ctx context.Context, d *Dataset, path string, opts WriteOptions) (rows int64, err error) {
	kind, err := FormatForPath(path)
	if opts.Format != format.Unknown {
		kind, err = format.Kind{Format: opts.Format}, nil
	}
	if err != nil {
		return 0, err
	}
	if kind.Format == format.CSV && opts.Delimiter == 0 && strings.HasSuffix(strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".zst")), ".tsv") {
		opts.Delimiter = '\t'
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, f.Abort())
		}
	}()
	buf := bufio.NewWriterSize(f, 1<<20)
	var w format.Writer
	scan := &ScanOptions{Columns: opts.Columns}
	if kind.Format == format.ArrowFile || kind.Format == format.ArrowStream {
		scan.BatchRows = ArrowWriteBatchRows
	}
	for b, berr := range d.Batches(ctx, scan) {
		if berr != nil {
			return rows, berr
		}
		if w == nil {
			if w, err = newFileWriter(buf, b.Schema(), kind, opts); err != nil {
				return 0, fmt.Errorf("writing %s: %w", path, err)
			}
		}
		if err := w.Write(b); err != nil {
			return rows, fmt.Errorf("writing %s: %w", path, err)
		}
		rows += b.NumRows()
		if opts.Progress != nil {
			opts.Progress(rows)
		}
	}
	if w == nil { // no batches at all: still write a valid, empty file
		schema, serr := d.outputSchema(opts.Columns)
		if serr != nil {
			return 0, serr
		}
		if w, err = newFileWriter(buf, schema, kind, opts); err != nil {
			return 0, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return rows, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := buf.Flush(); err != nil {
		return rows, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return rows, err
	}
	return rows, f.Commit()
}

// outputSchema is the schema of the batches Batches yields for columns.
func (d *Dataset) outputSchema(columns []string) (*arrow.Schema, error) {
	idx, err := columnIndices(d.schema, columns)
	if err != nil || idx == nil {
		return d.schema, err
	}
	fields := make([]arrow.Field, len(idx))
	for i, j := range idx {
		fields[i] = d.schema.Field(j)
	}
	md := d.schema.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

func newFileWriter(w io.Writer, schema *arrow.Schema, kind format.Kind, opts WriteOptions) (format.Writer, error) {
	switch kind.Format {
	case format.Parquet:
		c := parquet.Zstd
		if opts.Compression != "" {
			var err error
			if c, err = parquet.ParseCompression(opts.Compression); err != nil {
				return nil, err
			}
		}
		return parquet.NewWriter(w, schema, parquet.WriteOptions{Compression: c, Level: opts.Level, RowGroupRows: opts.RowGroupRows})
	case format.ArrowFile, format.ArrowStream:
		c, err := ipcCompression(opts.Compression)
		if err != nil {
			return nil, err
		}
		if kind.Format == format.ArrowStream {
			return ipc.NewStreamWriter(w, schema, ipc.WriteOptions{Compression: c})
		}
		return ipc.NewFileWriter(w, schema, ipc.WriteOptions{Compression: c})
	}
	return newTextWriter(w, schema, kind, opts)
}

func ipcCompression(s string) (ipc.Compression, error) {
	switch strings.ToLower(s) {
	case "", "none", "uncompressed":
		return ipc.None, nil
	case "lz4", "lz4_frame":
		return ipc.LZ4, nil
	case "zstd":
		return ipc.Zstd, nil
	}
	return 0, fmt.Errorf("%w: Arrow IPC compression %q (want none, lz4 or zstd)", format.ErrUnsupported, s)
}

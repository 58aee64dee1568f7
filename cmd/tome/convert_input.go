package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/csv"
	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/jsonl"
	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/shard"
)

// sourceSplit is one split of the input: its files in order, gathered
// from every SRC that has the split.
type sourceSplit struct {
	name  string
	files []string
	info  *sourceInfo
}

// sourceInfo is what a Hugging Face source says about itself in
// dataset_info.json, carried over to a save_to_disk output as
// save_to_disk carries a dataset's info over: its description, and for a
// dataset a builder made, the builder, config, version and what it
// downloaded. Sizes of the data are not carried: they are measured anew.
type sourceInfo struct {
	Description string `json:"description,omitempty"`
	Citation    string `json:"citation,omitempty"`
	Homepage    string `json:"homepage,omitempty"`
	License     string `json:"license,omitempty"`

	BuilderName       string                `json:"builder_name,omitempty"`
	DatasetName       string                `json:"dataset_name,omitempty"`
	ConfigName        string                `json:"config_name,omitempty"`
	Version           *hf.Version           `json:"version,omitempty"`
	DownloadChecksums []hf.DownloadChecksum `json:"download_checksums,omitempty"`
	DownloadSize      *int64                `json:"download_size,omitempty"`
}

// resolveSources works out the splits of the SRC arguments. Splits of the
// same name in several sources are concatenated in argument order; only
// the splits in want are kept (all when want is empty).
func resolveSources(srcs []string, config string, want []string) ([]sourceSplit, error) {
	var out []sourceSplit
	var missing []string
	for _, src := range srcs {
		layout, err := dataset.ResolveLayout(src, config)
		if err != nil {
			return nil, err
		}
		for _, sl := range layout.Splits {
			if len(want) > 0 && !slices.Contains(want, sl.Name) {
				continue
			}
			if len(sl.Missing) > 0 {
				missing = append(missing, sl.Missing...)
				continue
			}
			i := slices.IndexFunc(out, func(s sourceSplit) bool { return s.name == sl.Name })
			if i < 0 {
				out = append(out, sourceSplit{name: sl.Name, info: readSourceInfo(sl.InfoFile)})
				i = len(out) - 1
			}
			out[i].files = append(out[i].files, sl.Files...)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: the source names files that are missing: %s", dataset.ErrLayout, strings.Join(missing, ", "))
	}
	for _, w := range want {
		if !slices.ContainsFunc(out, func(s sourceSplit) bool { return s.name == w }) {
			return nil, fmt.Errorf("%w: no split %q in %s", dataset.ErrSplit, w, strings.Join(srcs, " "))
		}
	}
	for _, s := range out {
		if err := shard.CheckSplitName(s.name); err != nil {
			return nil, fmt.Errorf("%w: %v", dataset.ErrLayout, err)
		}
		if len(s.files) == 0 {
			return nil, fmt.Errorf("%w: split %q has no data files", dataset.ErrNotFound, s.name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no data in %s", dataset.ErrNotFound, strings.Join(srcs, " "))
	}
	return out, nil
}

// readSourceInfo reads the descriptive members of dataset_info.json; a
// missing or unreadable file gives nil (they are only carried over).
func readSourceInfo(path string) *sourceInfo {
	if path == "" {
		return nil
	}
	info, err := hf.ReadDatasetInfo(path)
	if err != nil {
		return nil
	}
	return &sourceInfo{
		Description: info.Description, Citation: info.Citation, Homepage: info.Homepage, License: info.License,
		BuilderName: info.BuilderName, DatasetName: info.DatasetName, ConfigName: info.ConfigName, Version: info.Version,
		DownloadChecksums: info.DownloadChecksums, DownloadSize: info.DownloadSize,
	}
}

// inputFile is one input file as planned: enough to notice that it
// changed, to open it without detecting its format again, and to cut it.
type inputFile struct {
	Path        string  `json:"path"`
	Bytes       int64   `json:"bytes"`
	ModTime     int64   `json:"mtime_ns"`
	Format      string  `json:"format"`
	Compression string  `json:"compression,omitempty"` // whole-file, for text
	ChunkRows   []int64 `json:"chunk_rows"`            // null for text formats
	// Mapped is true for an uncompressed Arrow IPC file read without
	// copying, which a global shuffle can gather from directly.
	Mapped bool `json:"mapped,omitempty"`
	// Offset and Length make the input a range of lines of a large,
	// uncompressed JSON Lines file (Length 0: the whole file), so that it
	// can be converted in parallel and split across tasks.
	Offset int64 `json:"offset,omitempty"`
	Length int64 `json:"length,omitempty"`
}

// size is the bytes of the input: its range, or the whole file.
func (in inputFile) size() int64 {
	if in.Length > 0 {
		return in.Length
	}
	return in.Bytes
}

func (in inputFile) kind() format.Kind {
	f, _ := format.ParseFormat(in.Format)
	k := format.Kind{Format: f}
	switch in.Compression {
	case format.Gzip.String():
		k.Compression = format.Gzip
	case format.Zstd.String():
		k.Compression = format.Zstd
	}
	return k
}

func (in inputFile) text() bool {
	f := in.kind().Format
	return f == format.JSONL || f == format.CSV
}

// rows is the file's row count, or -1 for text.
func (in inputFile) rows() int64 {
	if in.ChunkRows == nil {
		return -1
	}
	var n int64
	for _, r := range in.ChunkRows {
		n += r
	}
	return n
}

// readOptions are how input files are opened.
type readOptions struct {
	columns    []string      // projection, nil for all
	textSchema *arrow.Schema // explicit schema of JSON Lines and CSV files
}

// inputSource is what the codecs read an input file through.
type inputSource interface {
	io.ReaderAt
	io.Closer
	Size() int64
	Name() string
}

var (
	_ inputSource = (*shard.Local)(nil)
	_ inputSource = (*fileSource)(nil)
)

// fileSource reads JSON Lines and CSV input with plain reads rather than
// a memory mapping: their readers copy what they read anyway, and a
// mapped file of many gigabytes would count in the process's resident
// size. It reports what it reads, which is how progress follows a text
// file that records no row count.
type fileSource struct {
	f            *os.File
	offset, size int64 // the range read: the whole file, or some of its lines
	onRead       func(n int)
}

func (s *fileSource) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	if rest := s.size - off; int64(len(p)) > rest {
		p = p[:rest]
		n, err := s.ReadAt(p, off)
		if err == nil {
			err = io.EOF
		}
		return n, err
	}
	n, err := s.f.ReadAt(p, s.offset+off)
	if s.onRead != nil && n > 0 {
		s.onRead(n)
	}
	return n, err
}

func (s *fileSource) Size() int64  { return s.size }
func (s *fileSource) Name() string { return s.f.Name() }
func (s *fileSource) Close() error { return s.f.Close() }

// openedInput is an open input file.
type openedInput struct {
	src inputSource
	r   format.Reader
}

func (o *openedInput) Close() error { return errors.Join(o.r.Close(), o.src.Close()) }

// statInput examines one file for planning: size, modification time,
// format, and for Parquet and Arrow the rows of each chunk (from the
// footer or the batch index, not the data).
func statInput(path string) (inputFile, *arrow.Schema, error) {
	st, err := os.Stat(path)
	if err != nil {
		return inputFile{}, nil, err
	}
	in := inputFile{Path: path, Bytes: st.Size(), ModTime: st.ModTime().UnixNano()}
	src, err := shard.OpenLocal(path)
	if err != nil {
		return in, nil, err
	}
	defer src.Close()
	kind, err := format.Detect(src, src.Size(), path)
	if err != nil {
		return in, nil, err
	}
	in.Format = kind.Format.String()
	if kind.Compression != format.Uncompressed {
		in.Compression = kind.Compression.String()
	}
	if in.text() {
		return in, nil, nil
	}
	r, err := openReader(src, in, readOptions{})
	if err != nil {
		return in, nil, err
	}
	defer r.Close()
	cr, ok := r.(format.ChunkedReader)
	if !ok {
		return in, nil, fmt.Errorf("%s: %w: no chunk index", path, format.ErrUnsupported)
	}
	in.ChunkRows = make([]int64, cr.NumChunks())
	for i := range in.ChunkRows {
		in.ChunkRows[i] = cr.ChunkRows(i)
	}
	if ir, ok := r.(*ipc.Reader); ok {
		in.Mapped = ir.ZeroCopy()
	}
	return in, r.Schema(), nil
}

// openInput opens a planned input, refusing one that changed since.
// onRead, if set, is told the bytes read from a text input.
func openInput(in inputFile, ro readOptions, onRead func(int)) (*openedInput, error) {
	var src inputSource
	if in.text() {
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, err
		}
		src = &fileSource{f: f, offset: in.Offset, size: in.size(), onRead: onRead}
	} else {
		l, err := shard.OpenLocal(in.Path)
		if err != nil {
			return nil, err
		}
		src = l
	}
	if err := unchanged(in); err != nil {
		return nil, errors.Join(err, src.Close())
	}
	r, err := openReader(src, in, ro)
	if err != nil {
		return nil, errors.Join(err, src.Close())
	}
	return &openedInput{src: src, r: r}, nil
}

// unchanged checks that an input has the size and modification time it
// had when the conversion was planned.
func unchanged(in inputFile) error {
	st, err := os.Stat(in.Path)
	if err != nil {
		return err
	}
	if st.Size() != in.Bytes || st.ModTime().UnixNano() != in.ModTime {
		return fmt.Errorf("input %s changed since the conversion was planned (size or modification time); start it again without --resume", in.Path)
	}
	return nil
}

// lineRanges cuts a large uncompressed JSON Lines input into ranges of
// about target bytes that start at line starts; other inputs, and small
// ones, stay whole. The cuts depend only on the file's content.
func lineRanges(in inputFile, target int64) ([]inputFile, error) {
	k := in.kind()
	if k.Format != format.JSONL || k.Compression != format.Uncompressed || target <= 0 || in.Bytes <= target {
		return []inputFile{in}, nil
	}
	f, err := os.Open(in.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n := (in.Bytes + target - 1) / target
	var out []inputFile
	start := int64(0)
	for i := int64(1); i < n; i++ {
		cut, err := nextLineStart(f, i*in.Bytes/n, in.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.Path, err)
		}
		if cut <= start || cut >= in.Bytes {
			continue
		}
		r := in
		r.Offset, r.Length = start, cut-start
		out = append(out, r)
		start = cut
	}
	r := in
	r.Offset, r.Length = start, in.Bytes-start
	if start == 0 {
		r.Length = 0
	}
	return append(out, r), nil
}

// nextLineStart returns the first line start at or after off: the byte
// after the first newline at or after off-1, or size when there is none.
func nextLineStart(f *os.File, off, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for pos := max(off-1, 0); pos < size; pos += int64(len(buf)) {
		n, err := f.ReadAt(buf, pos)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return pos + int64(i) + 1, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
	}
	return size, nil
}

// openReader opens src with the codec of in's format.
func openReader(src inputSource, in inputFile, ro readOptions) (format.Reader, error) {
	kind := in.kind()
	opts := format.ReadOptions{Columns: ro.columns}
	var r format.Reader
	var err error
	switch kind.Format {
	case format.Parquet:
		r, err = parquet.Open(src, src.Size(), parquet.Options{ReadOptions: opts})
	case format.ArrowFile, format.ArrowStream:
		r, err = ipc.Open(src, src.Size(), ipc.Options{ReadOptions: opts})
	case format.JSONL:
		r, err = jsonl.Open(src, src.Size(), jsonl.Options{ReadOptions: opts, Compression: kind.Compression, Schema: ro.textSchema})
	case format.CSV:
		r, err = csv.Open(src, src.Size(), csv.Options{ReadOptions: opts, Compression: kind.Compression, Schema: ro.textSchema})
	default:
		err = fmt.Errorf("%w: reading %s", format.ErrUnsupported, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Path, err)
	}
	return r, nil
}

// pieceBatches yields the batches of a piece of an open input, dropping
// its first *skip rows (and counting them off *skip). Chunked files are read chunk by chunk, so a piece
// and any piece starting at the same chunk see the same batches, and
// skipped chunks are not decoded. A yielded batch is valid until the loop
// body returns.
func pieceBatches(ctx context.Context, r format.Reader, p shard.Piece, skip *int64) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		cr, chunked := r.(format.ChunkedReader)
		if !chunked {
			yieldSkipping(r.Batches(ctx), skip, yield)
			return
		}
		first, end := p.FirstChunk, p.EndChunk
		if p.Whole() {
			first, end = 0, cr.NumChunks()
		}
		for c := first; c < end; c++ {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			if n := cr.ChunkRows(c); *skip >= n {
				*skip -= n
				continue
			}
			if !yieldSkipping(cr.ReadChunk(ctx, c), skip, yield) {
				return
			}
		}
	}
}

// yieldSkipping passes on seq's batches after dropping *skip rows; it
// returns false when iteration must stop.
func yieldSkipping(seq iter.Seq2[arrow.RecordBatch, error], skip *int64, yield func(arrow.RecordBatch, error) bool) bool {
	for b, err := range seq {
		if err != nil {
			yield(nil, err)
			return false
		}
		if *skip >= b.NumRows() {
			*skip -= b.NumRows()
			continue
		}
		if *skip > 0 {
			tail := b.NewSlice(*skip, b.NumRows())
			*skip = 0
			ok := yield(tail, nil)
			tail.Release()
			if !ok {
				return false
			}
			continue
		}
		if !yield(b, nil) {
			return false
		}
	}
	return true
}

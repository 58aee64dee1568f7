package csv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tome-data/tome/format"
)

// This file opens the decompressed content of a file; format/jsonl has
// the same logic for its own reader.

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// zstdMaxWindow bounds the window a zstd frame may ask for; 256 MiB covers
// `zstd --long`.
const zstdMaxWindow = 256 << 20

// detectCompression reads the first bytes of r to find the compression,
// checking it against the one asked for (Uncompressed means "detect").
func detectCompression(r io.ReaderAt, size int64, want format.Compression, name string) (format.Compression, error) {
	head := make([]byte, min(size, 4))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("%s: reading header: %w", name, err)
	}
	got := format.Uncompressed
	switch {
	case bytes.HasPrefix(head, magicGzip):
		got = format.Gzip
	case bytes.HasPrefix(head, magicZstd):
		got = format.Zstd
	}
	if want != format.Uncompressed && want != got {
		return 0, fmt.Errorf("%s: %w: expected %s data, found no %s magic bytes", name, format.ErrCorrupt, want, want)
	}
	return got, nil
}

// sourceError marks an error of the underlying io.ReaderAt, so that it is
// passed on as it is and not reported as corrupt compressed data.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

type sourceReader struct{ r io.Reader }

func (s sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &sourceError{err}
	}
	return n, err
}

// stream is the decompressed content of the file from its start. whole is
// set instead of r when the content is in memory already (an uncompressed
// memory-mapped file).
type stream struct {
	r     io.Reader
	whole []byte
	close func()
}

func openStream(r io.ReaderAt, size int64, c format.Compression) (*stream, error) {
	if c == format.Uncompressed {
		if m, ok := r.(format.Mapped); ok {
			if b := m.Bytes(); int64(len(b)) >= size {
				m.Retain()
				return &stream{whole: b[:size], close: m.Release}, nil
			}
		}
	}
	src := sourceReader{io.NewSectionReader(r, 0, size)}
	switch c {
	case format.Gzip:
		zr, err := gzip.NewReader(bufio.NewReaderSize(src, 256<<10))
		if err != nil {
			return nil, streamError(c, err)
		}
		return &stream{r: zr, close: func() { _ = zr.Close() }}, nil
	case format.Zstd:
		zr, err := zstd.NewReader(bufio.NewReaderSize(src, 256<<10),
			zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, streamError(c, err)
		}
		return &stream{r: zr, close: zr.Close}, nil
	}
	return &stream{r: src, close: func() {}}, nil
}

// streamError classifies an error met while reading the content: the
// source's own errors pass through; anything else means the compressed
// data is corrupt or truncated.
func streamError(c format.Compression, err error) error {
	var se *sourceError
	if errors.As(err, &se) {
		return se.err
	}
	return fmt.Errorf("%w: %s stream: %v", format.ErrCorrupt, c, err)
}

func nameOf(r io.ReaderAt, name string) string {
	if name != "" {
		return name
	}
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		return n.Name()
	}
	return "csv"
}

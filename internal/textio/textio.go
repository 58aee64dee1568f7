// Package textio opens the content of a text data file (JSON Lines, CSV)
// for one sequential pass: it detects and checks gzip or zstd compression,
// decompresses with bounded windows, hands an uncompressed memory-mapped
// file over in place, and tells the source's own I/O errors from corrupt
// compressed data.
package textio

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

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// zstdMaxWindow bounds the window a zstd frame may ask for (the format
// allows up to 2 GiB even for tiny files); 256 MiB covers `zstd --long`.
const zstdMaxWindow = 256 << 20

// DetectCompression reads the first bytes of r to find the compression,
// checking it against the one asked for (Uncompressed means "detect").
func DetectCompression(r io.ReaderAt, size int64, want format.Compression, name string) (format.Compression, error) {
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
// reported as it is and not as corrupt compressed data.
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

// Stream is the decompressed content of a file from its start.
type Stream struct {
	R io.Reader
	// Whole is the entire content when it is in memory already (an
	// uncompressed memory-mapped file); R is nil then.
	Whole []byte
	close func()
}

// Close releases what the stream holds (a decompressor, a mapping).
func (s *Stream) Close() {
	if s.close != nil {
		s.close()
	}
}

// Open opens the file's content for one pass.
func Open(r io.ReaderAt, size int64, c format.Compression) (*Stream, error) {
	if c == format.Uncompressed {
		if m, ok := r.(format.Mapped); ok {
			if b := m.Bytes(); int64(len(b)) >= size {
				m.Retain()
				return &Stream{Whole: b[:size], close: m.Release}, nil
			}
		}
	}
	src := sourceReader{io.NewSectionReader(r, 0, size)}
	switch c {
	case format.Gzip:
		zr, err := gzip.NewReader(bufio.NewReaderSize(src, 256<<10))
		if err != nil {
			return nil, CompressedError(c, err)
		}
		return &Stream{R: zr, close: func() { _ = zr.Close() }}, nil
	case format.Zstd:
		zr, err := zstd.NewReader(bufio.NewReaderSize(src, 256<<10),
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, CompressedError(c, err)
		}
		return &Stream{R: zr, close: zr.Close}, nil
	}
	return &Stream{R: src}, nil
}

// CompressedError classifies an error met while decompressing: the
// source's own errors pass through, anything else means the compressed
// data is corrupt or truncated.
func CompressedError(c format.Compression, err error) error {
	var se *sourceError
	if errors.As(err, &se) {
		return se.err
	}
	return fmt.Errorf("%w: %s stream: %v", format.ErrCorrupt, c, err)
}

// NameOf names the file for error messages: name if set, else the
// source's Name(), else fallback.
func NameOf(r io.ReaderAt, name, fallback string) string {
	if name != "" {
		return name
	}
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		return n.Name()
	}
	return fallback
}

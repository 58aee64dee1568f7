package textio

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tome-data/tome/format"
)

// FlushBytes is how much encoded text a Sink gathers before writing it.
const FlushBytes = 1 << 20

// Sink is the output side of a text writer: a buffer of encoded text,
// optionally compressed with gzip or zstd on its way to the destination,
// with a sticky error (after a failed write every call fails). Writers
// append to Buf and call Flush; Close ends the compressed stream but does
// not close the destination.
type Sink struct {
	Buf    []byte
	name   string    // "jsonl", "csv": prefixes errors
	dst    io.Writer // the compressor, or the destination
	zc     io.Closer // the compressor, nil when uncompressed
	err    error
	closed bool
}

// NewSink starts output to w, compressed as c.
func NewSink(w io.Writer, c format.Compression, name string) (*Sink, error) {
	s := &Sink{dst: w, name: name}
	switch c {
	case format.Uncompressed:
	case format.Gzip:
		zw := gzip.NewWriter(w)
		s.dst, s.zc = zw, zw
	case format.Zstd:
		zw, err := zstd.NewWriter(w)
		if err != nil {
			return nil, fmt.Errorf("%s: starting zstd: %w", name, err)
		}
		s.dst, s.zc = zw, zw
	default:
		return nil, fmt.Errorf("%s: unknown compression %d", name, c)
	}
	return s, nil
}

// Usable returns the error that stops further writes, if any.
func (s *Sink) Usable() error {
	if s.closed {
		return errors.New(s.name + ": writer is closed")
	}
	return s.err
}

// Flush writes the buffer out once it holds FlushBytes or more.
func (s *Sink) Flush() error {
	if len(s.Buf) < FlushBytes {
		return nil
	}
	return s.flush()
}

func (s *Sink) flush() error {
	if len(s.Buf) == 0 {
		return nil
	}
	if _, err := s.dst.Write(s.Buf); err != nil {
		s.err = fmt.Errorf("%s: writing: %w", s.name, err)
		return s.err
	}
	s.Buf = s.Buf[:0]
	return nil
}

// Close writes what is buffered and ends the compressed stream. Calling it
// again is a no-op.
func (s *Sink) Close() error {
	if s.closed {
		return nil
	}
	err := s.err
	if err == nil {
		err = s.flush()
	}
	s.closed = true
	if s.zc != nil {
		if cerr := s.zc.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("%s: finishing compressed stream: %w", s.name, cerr)
		}
	}
	return err
}

// CheckSchema compares a batch's schema with the one a writer was made
// for: the same number of columns with the same names and types.
func CheckSchema(name string, want, got *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("%s: %w: batch has %d columns, writer %d", name, format.ErrSchema, got.NumFields(), want.NumFields())
	}
	for i, f := range got.Fields() {
		w := want.Field(i)
		if f.Name != w.Name || !arrow.TypeEqual(f.Type, w.Type) {
			return fmt.Errorf("%s: %w: batch column %d is %s %s, writer has %s %s", name, format.ErrSchema, i, f.Name, f.Type, w.Name, w.Type)
		}
	}
	return nil
}

package parquet

import (
	"errors"
	"fmt"
	"io"
)

// source adapts the caller's io.ReaderAt to the io.ReadSeeker arrow-go asks
// for, and marks the errors it returns so classify can tell an I/O failure
// from corrupt content.
//
// arrow-go only seeks to find the file's end, so Seek is stateless: it
// computes the position and keeps none, which lets one source serve
// concurrent column reads.
//
// It is also where pageGuard sees each column chunk arrow-go reads.
type source struct {
	r     io.ReaderAt
	size  int64
	guard *pageGuard
}

func (s source) ReadAt(p []byte, off int64) (int, error) {
	n, err := s.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, &sourceError{err}
	}
	if n == len(p) {
		if gerr := s.guard.check(p, off); gerr != nil {
			return 0, gerr
		}
	}
	return n, err
}

func (s source) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		return offset, nil
	case io.SeekEnd:
		return s.size + offset, nil
	}
	return 0, fmt.Errorf("parquet source: seek whence %d is not supported", whence)
}

// nameOf names the source in errors: its own name when it has one (a
// shard.Source does), else a generic one.
func nameOf(r io.ReaderAt) string {
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		return n.Name()
	}
	return "parquet file"
}

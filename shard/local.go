package shard

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"

	"github.com/edsrzf/mmap-go"

	"github.com/tome-data/tome/format"
)

// Local is a Source over a memory-mapped local file.
//
// The mapping is reference counted: Open holds one reference, Close drops
// it, and every zero-copy batch holds one through Retain and Release (see
// format.Mapped). The file is unmapped when the count reaches zero, so a
// batch kept past Close stays readable.
type Local struct {
	name     string
	identity string
	data     []byte // nil for an empty file
	mapping  mmap.MMap
	refs     atomic.Int64
	closed   atomic.Bool
}

var (
	_ Source        = (*Local)(nil)
	_ format.Mapped = (*Local)(nil)
)

// OpenLocal memory-maps the file at path read-only.
func OpenLocal(path string) (*Local, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("opening %s: is a directory", path)
	}
	l := &Local{
		name:     path,
		identity: fmt.Sprintf("%d-%d", st.Size(), st.ModTime().UnixNano()),
	}
	if st.Size() > 0 {
		m, err := mmap.Map(f, mmap.RDONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("mapping %s: %w", path, err)
		}
		l.mapping, l.data = m, m
	}
	l.refs.Store(1)
	return l, nil
}

// Name returns the path the file was opened from.
func (l *Local) Name() string { return l.name }

// Identity returns the file's size and modification time at open.
func (l *Local) Identity() string { return l.identity }

// Size returns the file's length.
func (l *Local) Size() int64 { return int64(len(l.data)) }

// Bytes returns the mapped content. It is valid while the caller holds a
// reference (from OpenLocal or Retain).
func (l *Local) Bytes() []byte { return l.data }

// ReadAt copies from the mapping.
func (l *Local) ReadAt(p []byte, off int64) (int, error) {
	if l.refs.Load() <= 0 {
		return 0, fmt.Errorf("reading %s: %w", l.name, ErrClosed)
	}
	if off < 0 {
		return 0, fmt.Errorf("reading %s: negative offset %d", l.name, off)
	}
	if off >= int64(len(l.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, l.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Retain adds a reference to the mapping.
func (l *Local) Retain() { l.refs.Add(1) }

// Release drops a reference; the last one unmaps the file.
func (l *Local) Release() {
	if l.refs.Add(-1) == 0 && l.mapping != nil {
		// Unmap errors leave nothing to recover: the mapping is either gone
		// or leaked until exit, and no reader can observe the difference.
		_ = l.mapping.Unmap()
		l.mapping, l.data = nil, nil
	}
}

// Close drops the reference taken by OpenLocal. Calling it twice is a no-op.
func (l *Local) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	l.Release()
	return nil
}

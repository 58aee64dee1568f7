package shard

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

func TestLocalReaderAtContract(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	want := []byte("the quick brown fox jumps over the lazy dog")
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLocal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := iotest.TestReader(io.NewSectionReader(l, 0, l.Size()), want); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 10)
	n, err := l.ReadAt(p, l.Size()-4)
	if n != 4 || !errors.Is(err, io.EOF) {
		t.Fatalf("short read at end: n=%d err=%v, want 4, EOF", n, err)
	}
}

func TestLocalMappingOutlivesCloseWhileRetained(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLocal(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Retain() // a borrowed batch
	l.Close()
	if got := string(l.Bytes()); got != "abc" {
		t.Fatalf("bytes after Close with a borrower = %q", got)
	}
	l.Release()
	if l.Bytes() != nil {
		t.Fatal("mapping not released after the last reference")
	}
	if _, err := l.ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("ReadAt after release: %v, want ErrClosed", err)
	}
}

func TestLocalEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLocal(empty)
	if err != nil {
		t.Fatal(err)
	}
	if l.Size() != 0 {
		t.Fatalf("size %d", l.Size())
	}
	l.Close()
	if _, err := OpenLocal(filepath.Join(dir, "nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing file: %v, want ErrNotFound", err)
	}
}

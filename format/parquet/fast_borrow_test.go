package parquet

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// borrowingSource serves column chunks through BorrowAt, as a remote source
// that fetched them ahead does. Each borrow is a copy of the bytes that is
// overwritten on release, so that a batch still pointing into it would read
// garbage; it counts borrows and releases.
type borrowingSource struct {
	*bytes.Reader
	data []byte
	err  error // BorrowAt's error, when set
	cut  bool  // BorrowAt returns one byte short

	mu                 sync.Mutex
	borrowed, released int
	twice              int // releases of a borrow already released
}

func newBorrowingSource(data []byte) *borrowingSource {
	return &borrowingSource{Reader: bytes.NewReader(data), data: data}
}

func (s *borrowingSource) BorrowAt(off, n int64) ([]byte, func(), error) {
	if s.err != nil {
		return nil, nil, s.err
	}
	if off < 0 || n < 0 || off+n > int64(len(s.data)) {
		return nil, nil, nil
	}
	b := bytes.Clone(s.data[off : off+n])
	if s.cut {
		b = b[:len(b)-1]
	}
	s.mu.Lock()
	s.borrowed++
	s.mu.Unlock()
	done := false
	return b, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if done {
			s.twice++
			return
		}
		done = true
		s.released++
		for i := range b {
			b[i] = 0xEE
		}
	}, nil
}

func TestFastBorrowsChunks(t *testing.T) {
	data, _ := flatFastFile(t)
	want, _, _, err := readBatches(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer releaseBatches(want)

	src := newBorrowingSource(data)
	mem := checkedMem(t)
	r, err := Open(src, int64(len(data)), Options{Workers: 2, ReadOptions: format.ReadOptions{Allocator: mem}})
	if err != nil {
		t.Fatal(err)
	}
	var got []arrow.RecordBatch
	for b, err := range r.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		b.Retain()
		got = append(got, b)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	defer releaseBatches(got)
	if src.borrowed == 0 {
		t.Fatal("the fast path borrowed no chunk")
	}
	if src.released != src.borrowed || src.twice != 0 {
		t.Fatalf("%d chunks borrowed, %d released, %d released twice", src.borrowed, src.released, src.twice)
	}
	// Every borrow was overwritten on release: batches equal to a plain
	// read's do not point into borrowed bytes.
	if len(got) != len(want) {
		t.Fatalf("%d batches, want %d", len(got), len(want))
	}
	for i := range want {
		for c := range want[i].NumCols() {
			if !arrayEqual(want[i].Column(int(c)), got[i].Column(int(c))) {
				t.Fatalf("batch %d column %d differs from a read without borrowing", i, c)
			}
		}
	}
}

func TestFastBorrowErrors(t *testing.T) {
	data, _ := flatFastFile(t)
	boom := errors.New("connection reset")
	for _, c := range []struct {
		name string
		src  *borrowingSource
		want error
	}{
		{"source error", &borrowingSource{Reader: bytes.NewReader(data), data: data, err: boom}, boom},
		{"cut short", &borrowingSource{Reader: bytes.NewReader(data), data: data, cut: true}, format.ErrCorrupt},
	} {
		r, err := Open(c.src, int64(len(data)), Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var got error
		for _, err := range r.Batches(context.Background()) {
			if err != nil {
				got = err
				break
			}
		}
		r.Close()
		if !errors.Is(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
		if c.src.released != c.src.borrowed {
			t.Errorf("%s: %d chunks borrowed, %d released", c.name, c.src.borrowed, c.src.released)
		}
	}
}

package shard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/tome-data/tome/internal/faultproxy"
)

// trackingReader is an io.ReaderAt that records how many reads run at
// once and how far ahead of the consumer they reach.
type trackingReader struct {
	data   []byte
	delay  time.Duration
	failAt int64 // reads touching this offset or beyond fail, if > 0

	mu       sync.Mutex
	inFlight int
	peak     int
	furthest int64
}

var errInjected = errors.New("injected failure")

func (r *trackingReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	r.inFlight++
	r.peak = max(r.peak, r.inFlight)
	r.furthest = max(r.furthest, off+int64(len(p)))
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
	}()
	time.Sleep(r.delay)
	if r.failAt > 0 && off+int64(len(p)) > r.failAt {
		return 0, errInjected
	}
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestPrefetchReader(t *testing.T) {
	checkLeaks(t)
	data := randomBytes(100000, 8)
	for _, tc := range []struct {
		name   string
		off, n int64
		opts   PrefetchOptions
	}{
		{"whole", 0, 100000, PrefetchOptions{ChunkSize: 7000}},
		{"middle", 12345, 50000, PrefetchOptions{ChunkSize: 1000, MaxRequests: 3}},
		{"one chunk", 10, 20, PrefetchOptions{}},
		{"empty", 500, 0, PrefetchOptions{}},
		{"to the end", 99000, 1000, PrefetchOptions{ChunkSize: 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewPrefetchReader(context.Background(), bytes.NewReader(data), tc.off, tc.n, tc.opts)
			defer r.Close()
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data[tc.off:tc.off+tc.n]) {
				t.Fatalf("Read: %d bytes, not the %d wanted", len(got), tc.n)
			}

			w := NewPrefetchReader(context.Background(), bytes.NewReader(data), tc.off, tc.n, tc.opts)
			defer w.Close()
			var buf bytes.Buffer
			head := make([]byte, min(tc.n, 3))
			if _, err := io.ReadFull(w, head); err != nil {
				t.Fatal(err)
			}
			buf.Write(head)
			if n, err := w.WriteTo(&buf); err != nil || n != tc.n-int64(len(head)) {
				t.Fatalf("WriteTo = %d, %v", n, err)
			}
			if !bytes.Equal(buf.Bytes(), data[tc.off:tc.off+tc.n]) {
				t.Fatalf("WriteTo: %d bytes, not the %d wanted", buf.Len(), tc.n)
			}
		})
	}
}

func TestPrefetchReaderBounds(t *testing.T) {
	checkLeaks(t)
	src := &trackingReader{data: randomBytes(200000, 9), delay: time.Millisecond}
	r := NewPrefetchReader(context.Background(), src, 0, 200000, PrefetchOptions{ChunkSize: 1000, MaxRequests: 8, MaxBytes: 3000})
	defer r.Close()
	var consumed int64
	buf := make([]byte, 500)
	for {
		n, err := r.Read(buf)
		consumed += int64(n)
		src.mu.Lock()
		ahead := src.furthest - consumed
		src.mu.Unlock()
		// Three buffers: the one being consumed and two ahead.
		if ahead > 3*1000 {
			t.Fatalf("read %d bytes ahead of the consumer, beyond the 3000 allowed", ahead)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Microsecond) // a slower consumer
	}
	if src.peak > 3 || src.peak < 2 {
		t.Fatalf("peak of %d reads in flight, want 2 or 3 (MaxBytes/ChunkSize)", src.peak)
	}
}

func TestPrefetchReaderError(t *testing.T) {
	checkLeaks(t)
	src := &trackingReader{data: randomBytes(50000, 10), failAt: 25500}
	r := NewPrefetchReader(context.Background(), src, 0, 50000, PrefetchOptions{ChunkSize: 1000})
	defer r.Close()
	got, err := io.ReadAll(r)
	if !errors.Is(err, errInjected) {
		t.Fatalf("error %v, want the source's", err)
	}
	if !bytes.Equal(got, src.data[:25000]) {
		t.Fatalf("%d bytes before the error, want the 25000 before the failing chunk", len(got))
	}
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, errInjected) {
		t.Fatalf("read after the error: %v", err)
	}

	short := NewPrefetchReader(context.Background(), bytes.NewReader(src.data[:1000]), 0, 5000, PrefetchOptions{ChunkSize: 700})
	defer short.Close()
	got, err = io.ReadAll(short)
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 1000 {
		t.Fatalf("source shorter than the range: %d bytes, %v", len(got), err)
	}
}

func TestPrefetchReaderCloseEarly(t *testing.T) {
	f := newFixture(t, 4<<20)
	s := f.open(t, f.options())
	f.proxy.Always(faultproxy.Slow(50000, 20*time.Millisecond))
	r := NewPrefetchReader(context.Background(), s, 0, s.Size(), PrefetchOptions{ChunkSize: 256 << 10})
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r.Close()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v: reads in flight were not abandoned", d)
	}
	if _, err := r.Read(buf); err == nil {
		t.Fatal("Read after Close succeeded")
	}
}

func TestPrefetchReaderOverHTTPWithFaults(t *testing.T) {
	f := newFixture(t, 3<<20)
	s := f.open(t, f.options())
	f.proxy.Script(faultproxy.Pass(), faultproxy.CutAfter(1000), faultproxy.Status(503), faultproxy.Drop(), faultproxy.IgnoreRange())
	r := NewPrefetchReader(context.Background(), s, 1000, s.Size()-1000, PrefetchOptions{ChunkSize: 300 << 10, MaxRequests: 3})
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, f.data[1000:]) {
		t.Fatal("wrong bytes")
	}
}

func TestPrefetchReaderContext(t *testing.T) {
	checkLeaks(t)
	src := &trackingReader{data: randomBytes(100000, 11), delay: 5 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	r := NewPrefetchReader(ctx, src, 0, 100000, PrefetchOptions{ChunkSize: 1000})
	defer r.Close()
	if _, err := io.ReadFull(r, make([]byte, 2000)); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err := io.ReadAll(r)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancelling: %v, want context.Canceled", err)
	}
}

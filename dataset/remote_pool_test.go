package dataset

import (
	"testing"
	"time"
)

func TestClassSize(t *testing.T) {
	for _, c := range []struct{ n, want int64 }{
		{1, 1},
		{minPooled, minPooled},         // too small to pool: as asked
		{minPooled + 1, 72 << 10},      // eighths of 64 KiB above 64 KiB
		{2 << 20, 2 << 20},             // a class size is its own class
		{2<<20 + 1, 2<<20 + 256<<10},   // eighths of 2 MiB above 2 MiB
		{2195448, 2<<20 + 256<<10},     // a row group of the benchmark's file
		{4<<20 - 1, 4 << 20},           // the top class of an octave
		{4<<20 + 1, 4<<20 + 512<<10},   // the next octave's first
		{63<<20 + 1, 64 << 20},         // eighths of 32 MiB
		{64<<20 + 1, 64<<20 + 8<<20},   // eighths of 64 MiB
		{1<<40 + 1, 1<<40 + 1<<37},     // no overflow on a large request
		{minPooled * 3, minPooled * 3}, // 192 KiB: a multiple of 16 KiB
	} {
		got := classSize(c.n)
		if got != c.want {
			t.Errorf("classSize(%d) = %d, want %d", c.n, got, c.want)
		}
		if got < c.n || (c.n > minPooled && got-c.n >= got/8) {
			t.Errorf("classSize(%d) = %d wastes an eighth or more", c.n, got)
		}
		if classSize(got) != got {
			t.Errorf("classSize(%d) = %d is not its own class (%d)", c.n, got, classSize(got))
		}
	}
}

// TestRunPoolReuse checks that a buffer given back is handed out again to
// a request of its class, and to no other.
func TestRunPoolReuse(t *testing.T) {
	p := newRunPool(16<<20, time.Hour)
	a := p.get(2195448)
	if len(a) != 2195448 || cap(a) != int(classSize(2195448)) {
		t.Fatalf("get: len %d cap %d", len(a), cap(a))
	}
	a[0] = 7
	p.put(a)
	if got := p.idleBytes(); got != int64(cap(a)) {
		t.Fatalf("%d bytes idle, want %d", got, cap(a))
	}
	other := p.get(1 << 20) // another class: a new buffer
	b := p.get(2195654)     // same class: a's buffer
	if &b[0] != &a[0] || len(b) != 2195654 {
		t.Errorf("the idle buffer of the same class was not reused")
	}
	if &other[0] == &a[0] {
		t.Errorf("a buffer was handed out to a request of another class")
	}
	if allocs, reuses := p.allocs.Load(), p.reuses.Load(); allocs != 2 || reuses != 1 {
		t.Errorf("%d allocations and %d reuses, want 2 and 1", allocs, reuses)
	}
	if got := p.idleBytes(); got != 0 {
		t.Errorf("%d bytes idle after taking the buffer back", got)
	}
	small := p.get(100)
	if len(small) != 100 {
		t.Fatalf("small get: len %d", len(small))
	}
	p.put(small)
	p.put(make([]byte, 1<<20+1)) // not of a class: not kept
	if got := p.idleBytes(); got != 0 {
		t.Errorf("%d bytes idle after giving back buffers not of the pool", got)
	}
}

// TestRunPoolBounds checks that the idle buffers stay within maxIdle, but
// for those larger than it, of which as many are kept as row groups
// decode at once.
func TestRunPoolBounds(t *testing.T) {
	p := newRunPool(5<<20, time.Hour)
	bufs := [][]byte{p.get(2 << 20), p.get(2 << 20), p.get(2 << 20)}
	for _, b := range bufs {
		p.put(b)
	}
	if got := p.idleBytes(); got != 4<<20 {
		t.Fatalf("%d bytes idle, want the 4 MiB within the 5 MiB bound", got)
	}
	// Buffers larger than the bound (column chunks too large to fetch
	// ahead): as many as decode at once.
	procs := decodingRowGroups()
	var large [][]byte
	for range procs + 1 {
		large = append(large, p.get(8<<20))
	}
	for _, b := range large {
		p.put(b)
	}
	if got, want := p.idleBytes(), int64(4<<20+procs*8<<20); got != want {
		t.Fatalf("%d bytes idle after giving back %d buffers of 8 MiB (%d row groups decoding at once), want %d", got, len(large), procs, want)
	}
}

// TestRunPoolExpires checks that idle buffers are let go once the pool
// goes unused, and that a pool used again keeps buffers again.
func TestRunPoolExpires(t *testing.T) {
	p := newRunPool(16<<20, 10*time.Millisecond)
	p.put(p.get(2 << 20))
	p.put(p.get(8 << 20))
	deadline := time.Now().Add(5 * time.Second)
	for p.idleBytes() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes still idle long after the pool went unused", p.idleBytes())
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.mu.Lock()
	p.ttl = time.Hour // no expiry between the put and the check below
	p.mu.Unlock()
	p.put(p.get(2 << 20))
	if got := p.idleBytes(); got != 2<<20 {
		t.Errorf("%d bytes idle after expiring and reuse, want 2 MiB", got)
	}
}

// TestRunPoolPoison checks the test hook the scan tests rely on: a buffer
// given back is overwritten.
func TestRunPoolPoison(t *testing.T) {
	p := newRunPool(4<<20, time.Hour)
	p.poison = true
	b := p.get(1 << 20)
	clear(b)
	p.put(b)
	for i, v := range b[:cap(b)] {
		if v != 0xA5 {
			t.Fatalf("byte %d is %#x after put, want the poison", i, v)
		}
	}
}

package mempool

import (
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestClassOf(t *testing.T) {
	for _, tc := range []struct{ size, class int }{
		{4096, 4096}, {4097, 5120}, {5120, 5120}, {5121, 6144}, {7169, 8192}, {8192, 8192},
		{8193, 10240}, {1 << 20, 1 << 20}, {1<<20 + 1, 1<<20 + 1<<18},
	} {
		if got := classOf(tc.size); got != tc.class {
			t.Errorf("classOf(%d) = %d, want %d", tc.size, got, tc.class)
		}
		if !isClass(tc.class) {
			t.Errorf("isClass(%d) = false", tc.class)
		}
	}
	for size := minPooled; size < 1<<22; size += 997 {
		c := classOf(size)
		if c < size || float64(c-size) > 0.2*float64(c) {
			t.Fatalf("classOf(%d) = %d: too small or wastes more than a fifth", size, c)
		}
	}
}

func TestRecyclesZeroedAligned(t *testing.T) {
	p := New(1 << 20)
	a := p.Allocate(10_000)
	if len(a) != 10_000 || uintptr(unsafe.Pointer(&a[0]))%alignment != 0 {
		t.Fatalf("Allocate(10000): len %d, address %p: want 10000 bytes, 64-byte aligned", len(a), &a[0])
	}
	for i := range a {
		a[i] = 0xff
	}
	p.Free(a)
	if p.Kept() != int64(cap(a)) {
		t.Fatalf("kept %d after Free, want %d", p.Kept(), cap(a))
	}
	b := p.Allocate(9_000) // same class
	if &b[0] != &a[0] {
		t.Fatal("a released buffer of the class was not reused")
	}
	for i, v := range b {
		if v != 0 {
			t.Fatalf("recycled byte %d is %#x, want 0", i, v)
		}
	}
	if p.Kept() != 0 {
		t.Fatalf("kept %d with the buffer in use", p.Kept())
	}
	// Growing within the capacity zeroes what it adds.
	for i := range b {
		b[i] = 1
	}
	b = b[:100]
	c := p.Reallocate(cap(b), b)
	for i, v := range c[100:] {
		if v != 0 {
			t.Fatalf("byte %d added by Reallocate is %#x", 100+i, v)
		}
	}
}

func TestAllocateUninitRecycles(t *testing.T) {
	p := New(1 << 20)
	a := p.AllocateUninit(20_000)
	if len(a) != 20_000 || uintptr(unsafe.Pointer(&a[0]))%alignment != 0 {
		t.Fatalf("AllocateUninit(20000): len %d, address %p", len(a), &a[0])
	}
	a[0] = 9
	p.Free(a)
	b := p.AllocateUninit(19_000)
	if &b[0] != &a[0] || b[0] != 9 {
		t.Fatal("AllocateUninit did not reuse the released buffer as it was")
	}
}

func TestBudget(t *testing.T) {
	p := New(20_000)
	bufs := [][]byte{p.Allocate(8192), p.Allocate(8192), p.Allocate(8192)}
	for _, b := range bufs {
		p.Free(b)
	}
	if p.Kept() != 16384 {
		t.Fatalf("kept %d bytes, want 16384 (two buffers within a budget of 20000)", p.Kept())
	}
	p.Free(make([]byte, 5000)) // not a class capacity: ignored
	p.Free(make([]byte, 100))
	if p.Kept() != 16384 {
		t.Fatalf("kept %d after freeing foreign buffers", p.Kept())
	}
}

func TestSmallAndReallocate(t *testing.T) {
	p := New(1 << 20)
	s := p.Allocate(100)
	if len(s) != 100 {
		t.Fatalf("len %d", len(s))
	}
	s[99] = 7
	g := p.Reallocate(50_000, s)
	if len(g) != 50_000 || g[99] != 7 || g[49_999] != 0 {
		t.Fatalf("Reallocate lost or left data: len %d, g[99]=%d", len(g), g[99])
	}
}

// Arrow builders and arrays work on the pool and give their memory back.
func TestWithArrow(t *testing.T) {
	p := New(64 << 20)
	checked := memory.NewCheckedAllocator(p)
	for range 3 {
		b := array.NewFloat64Builder(checked)
		for i := range 100_000 {
			b.Append(float64(i))
		}
		a := b.NewFloat64Array()
		b.Release()
		if a.Value(99_999) != 99_999 || a.NullN() != 0 {
			t.Fatalf("array built on the pool reads wrong: %v nulls %d", a.Value(99_999), a.NullN())
		}
		a.Release()
	}
	checked.AssertSize(t, 0)
	if p.Kept() == 0 {
		t.Fatal("nothing recycled after releasing arrays")
	}
}

func BenchmarkAllocateFree(b *testing.B) {
	p := New(64 << 20)
	for b.Loop() {
		buf := p.Allocate(4 << 20)
		p.Free(buf)
	}
}

package parquet

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestMain(m *testing.M) {
	flag.Parse()
	// Benchmarks measure the decoder as users run it.
	poisonUncleared = flag.Lookup("test.bench").Value.String() == ""
	os.Exit(m.Run())
}

func TestMakeUncleared(t *testing.T) {
	var kept [][]byte
	for _, n := range []int{0, 1, 7, 63, 64, 65, 1000, 32 << 10, 1<<20 + 3} {
		s := makeUncleared(n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("makeUncleared(%d): len %d cap %d", n, len(s), cap(s))
		}
		if n > 0 && uintptr(unsafe.Pointer(&s[0]))%bufferAlignment != 0 {
			t.Fatalf("makeUncleared(%d) at %p: not %d-byte aligned", n, &s[0], bufferAlignment)
		}
		if poisonUncleared && bytes.Count(s, []byte{poison}) != n {
			t.Fatalf("makeUncleared(%d) is not poisoned", n)
		}
		for i := range s {
			s[i] = byte(n + i)
		}
		kept = append(kept, s)
	}
	// Writing every byte of each slice touched no other: they are distinct
	// allocations, and each still holds what was written to it.
	for _, s := range kept {
		for i, b := range s {
			if b != byte(len(s)+i) {
				t.Fatalf("makeUncleared(%d): byte %d is %d after later allocations, want %d", len(s), i, b, byte(len(s)+i))
			}
		}
	}
}

func TestUnclearedGoAllocatorReallocate(t *testing.T) {
	var a unclearedGoAllocator
	b := a.Allocate(100)
	copy(b, bytes.Repeat([]byte{7}, 100))
	if same := a.Reallocate(50, b); &same[0] != &b[0] || len(same) != 50 {
		t.Fatalf("shrinking moved or mis-sized the buffer")
	}
	grown := a.Reallocate(1000, b)
	if len(grown) != 1000 || !bytes.Equal(grown[:100], b) {
		t.Fatalf("growing lost the contents: %v", grown[:100])
	}
}

func TestValueAllocator(t *testing.T) {
	if _, ok := valueAllocator(memory.NewGoAllocator()).(unclearedGoAllocator); !ok {
		t.Errorf("Go's allocator: values are cleared")
	}
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if valueAllocator(checked) != memory.Allocator(checked) {
		t.Errorf("a checked allocator is bypassed")
	}
}

package dataset

import (
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// TestDecodeSliceHeaderLayout pins the layout decodeSliceHeader assumes:
// writing one over a slice of any element type gives that slice.
func TestDecodeSliceHeaderLayout(t *testing.T) {
	if unsafe.Sizeof(decodeSliceHeader{}) != unsafe.Sizeof([]int64(nil)) {
		t.Fatalf("header is %d bytes, a slice %d", unsafe.Sizeof(decodeSliceHeader{}), unsafe.Sizeof([]int64(nil)))
	}
	backing := []string{"a", "b", "c", "d"}
	var s []string
	*(*decodeSliceHeader)(unsafe.Pointer(&s)) = decodeSliceHeader{data: unsafe.Pointer(&backing[1]), len: 2, cap: 2}
	if len(s) != 2 || cap(s) != 2 || s[0] != "b" || s[1] != "c" {
		t.Fatalf("header write gave %q (len %d, cap %d)", s, len(s), cap(s))
	}
	// The header keeps the backing array alive on its own.
	backing = nil
	runtime.GC()
	if s[1] != "c" {
		t.Fatal("backing array collected while a decoded slice points into it")
	}
}

func TestDecodeZeroer(t *testing.T) {
	type mixed struct {
		N int
		S string
		P *int
		L []byte
		M map[string]int
		A any
		T time.Time
	}
	one := 1
	cases := []any{
		int64(7), "text", &one, []byte("x"), map[string]int{"a": 1}, mixed{1, "s", &one, []byte("l"), map[string]int{}, 2, time.Now()},
		[2]string{"a", "b"}, any(3), time.Now(), struct{}{},
	}
	for _, v := range cases {
		rt := reflect.TypeOf(v)
		t.Run(rt.String(), func(t *testing.T) {
			p := reflect.New(rt)
			p.Elem().Set(reflect.ValueOf(v))
			decodeZeroer(rt)(p.UnsafePointer())
			if !p.Elem().IsZero() {
				t.Errorf("after zeroing: %#v", p.Elem().Interface())
			}
		})
	}
}

func TestDecodeHasPointers(t *testing.T) {
	cases := []struct {
		v    any
		want bool
	}{
		{int64(0), false},
		{[4]float32{}, false},
		{struct{ A, B int }{}, false},
		{"", true},
		{[]int(nil), true},
		{struct {
			A int
			B *int
		}{}, true},
		{[1]struct{ S string }{}, true},
		{[0]string{}, false},
		{time.Time{}, true}, // its *Location
	}
	for _, c := range cases {
		if got := decodeHasPointers(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("decodeHasPointers(%T) = %v, want %v", c.v, got, c.want)
		}
	}
}

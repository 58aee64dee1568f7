package dataset

import (
	"reflect"
	"unsafe"
)

// The decoder writes Go values through unsafe.Pointer rather than through
// reflect.Value: a reflect.Value per value costs several times the decode
// itself. The rules that keep this sound:
//
//   - A pointer handed to a decodeFn points at memory allocated as the Go
//     type the plan was built for (a []T's elements, a struct field at an
//     offset reflect reported, a backing array from reflect.MakeSlice), and
//     a run of n values at stride never leaves it.
//   - Writes go through typed pointers (*string, *[]E, *unsafe.Pointer,
//     decodeSliceHeader), so the compiler emits the write barriers the
//     garbage collector needs for every pointer stored.
//   - Arrow buffers are only read through bounds-checked Go slices; a
//     corrupt offset becomes an error or a recovered panic, never a read
//     outside a buffer.
//
// decode_mem_test.go checks the layout assumptions below.

// decodeSliceHeader is the layout of every Go slice. Decoded slices of any
// element type point into one backing array per run (see decodeSlicePlan)
// by writing their header, which reflect could only do with a Value per row.
type decodeSliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// decodeZeroer returns a function that sets a value of type rt to its zero
// value. Types without pointers are cleared as bytes; the others through
// reflect, which clears pointers with the write barriers the garbage
// collector needs.
func decodeZeroer(rt reflect.Type) func(p unsafe.Pointer) {
	size := rt.Size()
	switch {
	case size == 0:
		return func(unsafe.Pointer) {}
	case !decodeHasPointers(rt):
		return func(p unsafe.Pointer) { clear(unsafe.Slice((*byte)(p), size)) }
	}
	switch rt.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) { *(*string)(p) = "" }
	case reflect.Slice:
		return func(p unsafe.Pointer) { *(*decodeSliceHeader)(p) = decodeSliceHeader{} }
	case reflect.Pointer, reflect.Map:
		return func(p unsafe.Pointer) { *(*unsafe.Pointer)(p) = nil }
	case reflect.Interface:
		if rt.NumMethod() == 0 {
			return func(p unsafe.Pointer) { *(*any)(p) = nil }
		}
	}
	return func(p unsafe.Pointer) { reflect.NewAt(rt, p).Elem().SetZero() }
}

// decodeHasPointers tells whether values of rt hold pointers the garbage
// collector must know about.
func decodeHasPointers(rt reflect.Type) bool {
	switch rt.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.String, reflect.Interface,
		reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return rt.Len() > 0 && decodeHasPointers(rt.Elem())
	case reflect.Struct:
		for i := range rt.NumField() {
			if decodeHasPointers(rt.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// decodeSet stores v, a value of type rt, at p.
func decodeSet(rt reflect.Type, p unsafe.Pointer, v reflect.Value) {
	reflect.NewAt(rt, p).Elem().Set(v)
}

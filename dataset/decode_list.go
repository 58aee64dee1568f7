package dataset

import (
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// decodeListElem is the element type of the Arrow types that decode into Go
// slices and arrays: the lists, the list views and maps (whose elements are
// key/value structs).
func decodeListElem(dt arrow.DataType) (arrow.DataType, bool) {
	switch dt.ID() {
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST,
		arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW, arrow.MAP:
		return dt.(arrow.ListLikeType).Elem(), true
	}
	return nil, false
}

// decodeSlicePlan decodes lists into []E. A run of lists shares one backing
// array: the elements of the whole run are decoded into it in as few calls
// as the offsets allow (one, for a list or fixed-size list), and each row's
// slice is a piece of it, capped at its own length so that appending to one
// row never writes into the next. A null list is a nil slice, an empty one
// a non-nil empty slice.
func decodeSlicePlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	elemDT, ok := decodeListElem(dt)
	if !ok {
		return nil, p.mismatch(dt, rt)
	}
	elemFn, err := decodePlan(p.elem("list element", "[]"), elemDT, rt.Elem())
	if err != nil {
		return nil, err
	}
	if fn := decodeNumberListPlan(dt, elemDT, rt, p.borrow); fn != nil {
		return fn, nil
	}
	size := rt.Elem().Size()
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		l, ok := arr.(array.ListLike)
		if !ok {
			return decodeWrongArray(arr, "a list array")
		}
		child := l.ListValues()
		total, err := decodeListTotal(l, child.Len(), from, n)
		if err != nil {
			return err
		}
		base := reflect.MakeSlice(rt, total, total).UnsafePointer()
		run := decodeRun{fn: elemFn, child: child, base: base, size: size}
		pos := 0
		for k := range n {
			h := (*decodeSliceHeader)(unsafe.Add(dst, uintptr(k)*stride))
			if l.IsNull(from + k) {
				*h = decodeSliceHeader{}
				continue
			}
			start, end := l.ValueOffsets(from + k)
			length := int(end - start)
			if err := run.add(int(start), length, pos); err != nil {
				return err
			}
			data := base // never a pointer past the end, even for an empty slice
			if length > 0 {
				data = unsafe.Add(base, uintptr(pos)*size)
			}
			*h = decodeSliceHeader{data: data, len: length, cap: length}
			pos += length
		}
		return run.flush()
	}, nil
}

// decodeListTotal checks the offsets of lists [from, from+n) against the
// child array and returns how many elements the non-null ones hold, which
// bounds the backing allocation by data that exists.
func decodeListTotal(l array.ListLike, childLen, from, n int) (int, error) {
	if err := decodeSpan(from, n, l.Len()); err != nil {
		return 0, err
	}
	total := 0
	for k := range n {
		if l.IsNull(from + k) {
			continue
		}
		start, end := l.ValueOffsets(from + k)
		if start < 0 || start > end || end > int64(childLen) {
			return 0, decodeCorruptErr("list %d spans [%d, %d) of %d elements", from+k, start, end, childLen)
		}
		total += int(end - start)
		if total < 0 {
			return 0, decodeCorruptErr("lists [%d, %d) hold more elements than fit in memory", from, from+n)
		}
	}
	return total, nil
}

// decodeRun merges the element spans of consecutive lists into one call of
// the element plan when they are contiguous in the child array, as they are
// for every list but a list view.
type decodeRun struct {
	fn    decodeFn
	child arrow.Array
	base  unsafe.Pointer
	size  uintptr

	start, n, pos int // the pending run: child elements [start, start+n) to backing[pos:]
}

func (r *decodeRun) add(start, n, pos int) error {
	if n == 0 {
		return nil
	}
	if r.n > 0 && start == r.start+r.n && pos == r.pos+r.n {
		r.n += n
		return nil
	}
	if err := r.flush(); err != nil {
		return err
	}
	r.start, r.n, r.pos = start, n, pos
	return nil
}

func (r *decodeRun) flush() error {
	if r.n == 0 {
		return nil
	}
	err := r.fn(r.child, r.start, r.n, unsafe.Add(r.base, uintptr(r.pos)*r.size), r.size)
	r.n = 0
	return err
}

// decodeArrayPlan decodes lists into [N]E. A fixed-size list must have size
// N, which NewDecoder checks; a variable list is checked row by row, since
// only its values can say whether it has N elements. A null list is the
// zero array.
func decodeArrayPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	elemDT, ok := decodeListElem(dt)
	if !ok {
		return nil, p.mismatch(dt, rt)
	}
	if fixed, ok := dt.(*arrow.FixedSizeListType); ok && int(fixed.Len()) != rt.Len() {
		return nil, p.mismatch(dt, rt)
	}
	elemFn, err := decodePlan(p.elem("list element", "[]"), elemDT, rt.Elem())
	if err != nil {
		return nil, err
	}
	length, size, zero := rt.Len(), rt.Elem().Size(), decodeZeroer(rt)
	target := rt.String()
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		l, ok := arr.(array.ListLike)
		if !ok {
			return decodeWrongArray(arr, "a list array")
		}
		if err := decodeSpan(from, n, l.Len()); err != nil {
			return err
		}
		child := l.ListValues()
		for k := range n {
			out := unsafe.Add(dst, uintptr(k)*stride)
			if l.IsNull(from + k) {
				zero(out)
				continue
			}
			start, end := l.ValueOffsets(from + k)
			if start < 0 || start > end || end > int64(child.Len()) {
				return decodeCorruptErr("list %d spans [%d, %d) of %d elements", from+k, start, end, child.Len())
			}
			if int(end-start) != length {
				return decodeSchemaErr("list of %d elements does not fit %s", end-start, target)
			}
			if err := elemFn(child, int(start), length, out, size); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// decodeNumberListPlan is the fast path of decodeSlicePlan for the shape of
// embeddings: a list, large list or fixed-size list of numbers into a slice
// of the same number type ([]float32 from list<float32>). The child values
// of a whole run are copied in one append, which unlike make-then-copy does
// not clear the memory first, and no value is converted; with borrow (see
// newDecoder) the rows' slices point into the child array's values instead,
// unless a value is null and must read as zero. It returns nil for other
// shapes.
func decodeNumberListPlan(dt, elemDT arrow.DataType, rt reflect.Type, borrow bool) decodeFn {
	switch dt.ID() {
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST:
	default:
		return nil // list views are not contiguous; maps hold structs
	}
	switch kind := rt.Elem().Kind(); {
	case elemDT.ID() == arrow.FLOAT32 && kind == reflect.Float32:
		return decodeNumberList(func(a *array.Float32) []float32 { return a.Float32Values() }, borrow)
	case elemDT.ID() == arrow.FLOAT64 && kind == reflect.Float64:
		return decodeNumberList(func(a *array.Float64) []float64 { return a.Float64Values() }, borrow)
	case kind < reflect.Int8 || kind > reflect.Uint64 || kind == reflect.Uint:
		return nil // not a sized integer (int and uint vary by platform)
	}
	bits, signed := decodeIntBits(elemDT.ID())
	if goBits, goSigned := decodeGoIntBits(rt.Elem()); bits == 0 || bits != goBits || signed != goSigned {
		return nil
	}
	switch elemDT.ID() {
	case arrow.INT8:
		return decodeNumberList(func(a *array.Int8) []int8 { return a.Int8Values() }, borrow)
	case arrow.INT16:
		return decodeNumberList(func(a *array.Int16) []int16 { return a.Int16Values() }, borrow)
	case arrow.INT32:
		return decodeNumberList(func(a *array.Int32) []int32 { return a.Int32Values() }, borrow)
	case arrow.INT64:
		return decodeNumberList(func(a *array.Int64) []int64 { return a.Int64Values() }, borrow)
	case arrow.UINT8:
		return decodeNumberList(func(a *array.Uint8) []uint8 { return a.Uint8Values() }, borrow)
	case arrow.UINT16:
		return decodeNumberList(func(a *array.Uint16) []uint16 { return a.Uint16Values() }, borrow)
	case arrow.UINT32:
		return decodeNumberList(func(a *array.Uint32) []uint32 { return a.Uint32Values() }, borrow)
	default:
		return decodeNumberList(func(a *array.Uint64) []uint64 { return a.Uint64Values() }, borrow)
	}
}

func decodeNumberList[A arrow.Array, E decodeInteger | decodeFloat](values func(A) []E, borrow bool) decodeFn {
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		l, ok := arr.(array.ListLike)
		if !ok {
			return decodeWrongArray(arr, "a list array")
		}
		if err := decodeSpan(from, n, l.Len()); err != nil || n == 0 {
			return err
		}
		child, ok := l.ListValues().(A)
		if !ok {
			return decodeWrongArray(l.ListValues(), "a numeric array")
		}
		src := values(child)
		lo, _ := l.ValueOffsets(from)
		_, hi := l.ValueOffsets(from + n - 1)
		if lo < 0 || lo > hi || hi > int64(len(src)) {
			return decodeCorruptErr("lists [%d, %d) span [%d, %d) of %d elements", from, from+n, lo, hi, len(src))
		}
		var block []E
		switch {
		case child.NullN() > 0:
			block = append([]E{}, src[lo:hi]...)
			for j := lo; j < hi; j++ {
				if child.IsNull(int(j)) {
					block[j-lo] = 0
				}
			}
		case borrow && src != nil:
			block = src[lo:hi]
		default:
			block = append([]E{}, src[lo:hi]...) // non-nil: an empty list is not null
		}
		for k := range n {
			out := (*[]E)(unsafe.Add(dst, uintptr(k)*stride))
			if l.IsNull(from + k) {
				*out = nil
				continue
			}
			start, end := l.ValueOffsets(from + k)
			if start < lo || start > end || end > hi {
				return decodeCorruptErr("list %d spans [%d, %d) outside [%d, %d)", from+k, start, end, lo, hi)
			}
			*out = block[start-lo : end-lo : end-lo]
		}
		return nil
	}
}

package dataset

import (
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
)

// Strings and byte slices do not alias the batch, unless the Decoder
// borrows (newDecoder, for Scan over batches on the Go heap): Arrow's own
// accessors return strings that point into the batch's buffers, which may
// be a memory mapping that goes away when the batch is released. A run of values is
// copied into one new block and each value is a piece of it, so a batch
// costs one allocation per column rather than one per value; the price is
// that keeping one decoded value keeps its block (the run's bytes) alive.
// Byte slices are capped at their own length, so appending to one never
// writes into its neighbour.

// decodeIsBinary tells the Arrow types that hold strings or bytes.
func decodeIsBinary(id arrow.Type) bool {
	switch id {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW,
		arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return true
	}
	return false
}

func decodeStringPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	switch {
	case decodeIsBinary(dt.ID()):
		return decodeTextFn[string](p.borrow), nil
	case arrow.IsDecimal(dt.ID()):
		// A decimal's exact text; a float field would round it.
		return decodeDecimalText(dt.(arrow.DecimalType).GetScale()), nil
	}
	return nil, p.mismatch(dt, rt)
}

func decodeBytesPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	if !decodeIsBinary(dt.ID()) {
		return nil, p.mismatch(dt, rt)
	}
	return decodeTextFn[[]byte](p.borrow), nil
}

// decodeTextFn decodes string and binary arrays into V, a string or a
// []byte (null is "" or nil; an empty value is "" or a non-nil empty
// slice). With borrow (see newDecoder), values of the offset layouts point
// into the array's data; the others are always copied.
func decodeTextFn[V string | []byte](borrow bool) decodeFn {
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		return decodeText[V](arr, from, n, dst, stride, borrow)
	}
}

func decodeText[V string | []byte](arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr, borrow bool) error {
	switch a := arr.(type) {
	case *array.String:
		return decodeOffsetText[int32, V](a.ValueOffsets(), a.ValueBytes(), arr, from, n, dst, stride, borrow)
	case *array.LargeString:
		return decodeOffsetText[int64, V](a.ValueOffsets(), a.ValueBytes(), arr, from, n, dst, stride, borrow)
	case *array.Binary:
		return decodeOffsetText[int32, V](a.ValueOffsets(), a.ValueBytes(), arr, from, n, dst, stride, borrow)
	case *array.LargeBinary:
		return decodeOffsetText[int64, V](a.ValueOffsets(), a.ValueBytes(), arr, from, n, dst, stride, borrow)
	case *array.StringView:
		return decodeGatherText[string, V](a.Value, arr, from, n, dst, stride)
	case *array.BinaryView:
		return decodeGatherText[[]byte, V](a.Value, arr, from, n, dst, stride)
	case *array.FixedSizeBinary:
		return decodeGatherText[[]byte, V](a.Value, arr, from, n, dst, stride)
	}
	return decodeWrongArray(arr, "a string or binary array")
}

// decodeOffsetText decodes the offset-based layouts: one copy of the run's
// bytes, then each value is a slice of it. offs and data are the array's
// ValueOffsets and ValueBytes (data starts at offs[0]). Offsets are checked
// against each other and the data, so a corrupt array is an error and
// allocation is bounded by the data buffer.
func decodeOffsetText[O int32 | int64, V string | []byte](offs []O, data []byte, arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr, borrow bool) error {
	if err := decodeSpan(from, n+1, len(offs)); err != nil {
		return err
	}
	base := int64(offs[0])
	lo, hi := int64(offs[from])-base, int64(offs[from+n])-base
	if lo < 0 || lo > hi || hi > int64(len(data)) {
		return decodeCorruptErr("value offsets [%d, %d] decrease or lie outside %d bytes of data", lo, hi, len(data))
	}
	var block V
	if borrow {
		block = decodeAlias[V](data[lo:hi])
	} else {
		block = decodeBlock[V](data[lo:hi])
	}
	nulls := arr.NullN() > 0
	start := lo
	for k := range n {
		end := int64(offs[from+k+1]) - base
		if end < start || end > hi {
			return decodeCorruptErr("value offsets decrease at value %d", from+k)
		}
		p := (*V)(unsafe.Add(dst, uintptr(k)*stride))
		if nulls && arr.IsNull(from+k) {
			var zero V
			*p = zero
		} else {
			*p = decodePiece(block, start-lo, end-lo)
		}
		start = end
	}
	return nil
}

// decodeGatherText decodes layouts whose values are not contiguous (views,
// fixed-size binary): it sums their lengths, copies them into one block and
// hands out pieces.
func decodeGatherText[S string | []byte, V string | []byte](value func(int) S, arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
	if err := decodeSpan(from, n, arr.Len()); err != nil {
		return err
	}
	total := 0
	for k := range n {
		if arr.IsValid(from + k) {
			total += len(value(from + k))
		}
	}
	buf := make([]byte, 0, total)
	for k := range n {
		if arr.IsValid(from + k) {
			buf = append(buf, value(from+k)...)
		}
	}
	block := decodeBlock[V](buf)
	pos := int64(0)
	for k := range n {
		p := (*V)(unsafe.Add(dst, uintptr(k)*stride))
		if !arr.IsValid(from + k) {
			var zero V
			*p = zero
			continue
		}
		size := int64(len(value(from + k)))
		*p = decodePiece(block, pos, pos+size)
		pos += size
	}
	return nil
}

// decodeBlock copies b into a new string or byte slice.
func decodeBlock[V string | []byte](b []byte) V {
	var v V
	switch any(v).(type) {
	case string:
		return V(string(b))
	}
	c := make([]byte, len(b)) // non-nil even when empty: empty is not null
	copy(c, b)
	return V(c)
}

// decodeAlias is b as a string or byte slice without a copy (see
// newDecoder for when that is sound).
func decodeAlias[V string | []byte](b []byte) V {
	var v V
	switch any(v).(type) {
	case string:
		return V(unsafe.String(unsafe.SliceData(b), len(b)))
	}
	if b == nil {
		b = []byte{} // an empty value is not null
	}
	return V(b)
}

// decodePiece is block[i:j], capped at j for byte slices.
func decodePiece[V string | []byte](block V, i, j int64) V {
	if b, ok := any(block).([]byte); ok {
		return V(b[i:j:j])
	}
	return block[i:j]
}

func decodeDecimalText(scale int32) decodeFn {
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		switch a := arr.(type) {
		case *array.Decimal32:
			return decodeDecimalStrings[decimal.Decimal32](a.Values(), arr, scale, from, n, dst, stride)
		case *array.Decimal64:
			return decodeDecimalStrings[decimal.Decimal64](a.Values(), arr, scale, from, n, dst, stride)
		case *array.Decimal128:
			return decodeDecimalStrings[decimal.Decimal128](a.Values(), arr, scale, from, n, dst, stride)
		case *array.Decimal256:
			return decodeDecimalStrings[decimal.Decimal256](a.Values(), arr, scale, from, n, dst, stride)
		}
		return decodeWrongArray(arr, "a decimal array")
	}
}

func decodeDecimalStrings[T decodeDecimal[T]](vals []T, arr arrow.Array, scale int32, from, n int, dst unsafe.Pointer, stride uintptr) error {
	if err := decodeSpan(from, n, len(vals)); err != nil {
		return err
	}
	for k, v := range vals[from : from+n] {
		s := ""
		if arr.IsValid(from + k) {
			s = v.ToString(scale)
		}
		*(*string)(unsafe.Add(dst, uintptr(k)*stride)) = s
	}
	return nil
}

// decodeFixedBytesPlan decodes fixed_size_binary(N) into a [N]byte (a hash,
// a UUID); the widths must agree.
func decodeFixedBytesPlan(p decodePath, dt *arrow.FixedSizeBinaryType, rt reflect.Type) (decodeFn, error) {
	if dt.ByteWidth != rt.Len() {
		return nil, p.mismatch(dt, rt)
	}
	width := dt.ByteWidth
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(*array.FixedSizeBinary)
		if !ok {
			return decodeWrongArray(arr, "a fixed_size_binary array")
		}
		if err := decodeSpan(from, n, a.Len()); err != nil {
			return err
		}
		for k := range n {
			out := unsafe.Slice((*byte)(unsafe.Add(dst, uintptr(k)*stride)), width)
			if a.IsNull(from + k) {
				clear(out)
			} else if copy(out, a.Value(from+k)) != width {
				return decodeCorruptErr("fixed_size_binary value %d is short", from+k)
			}
		}
		return nil
	}, nil
}

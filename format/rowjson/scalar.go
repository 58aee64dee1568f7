package rowjson

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The encoders below are written out per array type rather than as one
// generic function: a type assertion to a concrete pointer type and a
// direct Value call are what make a column of a million integers fast.

func appendNull(dst []byte) []byte { return append(dst, "null"...) }

func appendBool(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Boolean)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	case a.Value(i):
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

func appendInt8(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Int8)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendInt(dst, int64(a.Value(i)), 10)
}

func appendInt16(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Int16)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendInt(dst, int64(a.Value(i)), 10)
}

func appendInt32(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Int32)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendInt(dst, int64(a.Value(i)), 10)
}

func appendInt64(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Int64)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendInt(dst, a.Value(i), 10)
}

func appendUint8(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Uint8)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendUint(dst, uint64(a.Value(i)), 10)
}

func appendUint16(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Uint16)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendUint(dst, uint64(a.Value(i)), 10)
}

func appendUint32(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Uint32)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendUint(dst, uint64(a.Value(i)), 10)
}

func appendUint64(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Uint64)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendUint(dst, a.Value(i), 10)
}

func appendFloat16Value(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Float16)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendFloat16(dst, a.Value(i))
}

func appendFloat32Value(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Float32)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendFloat(dst, float64(a.Value(i)), 32)
}

func appendFloat64Value(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Float64)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendFloat(dst, a.Value(i), 64)
}

func decimal32Encoder(scale int32) encodeFunc {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Decimal32)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		return appendDecimal(dst, []uint64{uint64(int64(a.Value(i)))}, scale)
	}
}

func decimal64Encoder(scale int32) encodeFunc {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Decimal64)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		return appendDecimal(dst, []uint64{uint64(a.Value(i))}, scale)
	}
}

func decimal128Encoder(scale int32) encodeFunc {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Decimal128)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		v := a.Value(i)
		return appendDecimal(dst, []uint64{v.LowBits(), uint64(v.HighBits())}, scale)
	}
}

func decimal256Encoder(scale int32) encodeFunc {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Decimal256)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		w := a.Value(i).Array()
		return appendDecimal(dst, w[:], scale)
	}
}

func appendStringValue(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.String)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendString(dst, a.Value(i))
}

func appendLargeStringValue(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.LargeString)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendString(dst, a.Value(i))
}

func appendStringViewValue(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.StringView)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendString(dst, a.Value(i))
}

func appendBinaryValue(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Binary)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendBase64(dst, a.Value(i))
}

func appendLargeBinaryValue(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.LargeBinary)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendBase64(dst, a.Value(i))
}

func appendBinaryViewValue(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.BinaryView)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendBase64(dst, a.Value(i))
}

func appendFixedSizeBinaryValue(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.FixedSizeBinary)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return appendBase64(dst, a.Value(i))
}

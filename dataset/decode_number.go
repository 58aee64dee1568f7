package dataset

import (
	"math"
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
)

type decodeSigned interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64
}

type decodeUnsigned interface {
	~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

type decodeInteger interface{ decodeSigned | decodeUnsigned }

type decodeFloat interface{ ~float32 | ~float64 }

type decodeDecimal[T decimal.DecimalTypes] interface {
	decimal.DecimalTypes
	decimal.Num[T]
}

// decodeIntBits gives the width and signedness of an Arrow integer type, or
// 0 for other types.
func decodeIntBits(id arrow.Type) (bits int, signed bool) {
	switch id {
	case arrow.INT8:
		return 8, true
	case arrow.INT16:
		return 16, true
	case arrow.INT32:
		return 32, true
	case arrow.INT64:
		return 64, true
	case arrow.UINT8:
		return 8, false
	case arrow.UINT16:
		return 16, false
	case arrow.UINT32:
		return 32, false
	case arrow.UINT64:
		return 64, false
	}
	return 0, false
}

// decodeGoIntBits is decodeIntBits for a Go integer kind.
func decodeGoIntBits(rt reflect.Type) (bits int, signed bool) {
	switch rt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rt.Bits(), true
	}
	return rt.Bits(), false
}

// decodeIntFits tells whether every value of an integer column fits the Go
// type, so the decoder can skip the per-value range check.
func decodeIntFits(id arrow.Type, rt reflect.Type) bool {
	sb, ss := decodeIntBits(id)
	db, ds := decodeGoIntBits(rt)
	switch {
	case ss == ds:
		return sb <= db
	case !ss && ds:
		return sb < db
	}
	return false // a signed column can hold negative values
}

func decodeIntPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	if bits, _ := decodeIntBits(dt.ID()); bits == 0 {
		return nil, p.mismatch(dt, rt)
	}
	checked := !decodeIntFits(dt.ID(), rt)
	target := rt.String()
	switch rt.Kind() {
	case reflect.Int:
		return decodeIntsInto[int](checked, target), nil
	case reflect.Int8:
		return decodeIntsInto[int8](checked, target), nil
	case reflect.Int16:
		return decodeIntsInto[int16](checked, target), nil
	case reflect.Int32:
		return decodeIntsInto[int32](checked, target), nil
	case reflect.Int64:
		return decodeIntsInto[int64](checked, target), nil
	case reflect.Uint:
		return decodeIntsInto[uint](checked, target), nil
	case reflect.Uint8:
		return decodeIntsInto[uint8](checked, target), nil
	case reflect.Uint16:
		return decodeIntsInto[uint16](checked, target), nil
	case reflect.Uint32:
		return decodeIntsInto[uint32](checked, target), nil
	default:
		return decodeIntsInto[uint64](checked, target), nil
	}
}

// decodeIntsInto decodes any Arrow integer array into D, range-checking each
// value when checked is set.
func decodeIntsInto[D decodeInteger](checked bool, target string) decodeFn {
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		switch a := arr.(type) {
		case *array.Int8:
			return decodeInts[int8, D](a.Int8Values(), arr, from, n, dst, stride, checked, target)
		case *array.Int16:
			return decodeInts[int16, D](a.Int16Values(), arr, from, n, dst, stride, checked, target)
		case *array.Int32:
			return decodeInts[int32, D](a.Int32Values(), arr, from, n, dst, stride, checked, target)
		case *array.Int64:
			return decodeInts[int64, D](a.Int64Values(), arr, from, n, dst, stride, checked, target)
		case *array.Uint8:
			return decodeInts[uint8, D](a.Uint8Values(), arr, from, n, dst, stride, checked, target)
		case *array.Uint16:
			return decodeInts[uint16, D](a.Uint16Values(), arr, from, n, dst, stride, checked, target)
		case *array.Uint32:
			return decodeInts[uint32, D](a.Uint32Values(), arr, from, n, dst, stride, checked, target)
		case *array.Uint64:
			return decodeInts[uint64, D](a.Uint64Values(), arr, from, n, dst, stride, checked, target)
		}
		return decodeWrongArray(arr, "an integer array")
	}
}

func decodeInts[S, D decodeInteger](vals []S, arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr, checked bool, target string) error {
	if err := decodeSpan(from, n, len(vals)); err != nil {
		return err
	}
	src := vals[from : from+n]
	nulls := arr.NullN() > 0
	if !checked && unsafe.Sizeof(S(0)) == unsafe.Sizeof(D(0)) && stride == unsafe.Sizeof(D(0)) {
		// Same width and signedness (a lossless conversion of equal width
		// is the identity): the bits copy as they are.
		copy(unsafe.Slice((*S)(dst), n), src)
	} else {
		for k, s := range src {
			d := D(s)
			if checked && (S(d) != s || (d < 0) != (s < 0)) && !(nulls && arr.IsNull(from+k)) {
				return decodeSchemaErr("value %d overflows %s", s, target)
			}
			*(*D)(unsafe.Add(dst, uintptr(k)*stride)) = d
		}
	}
	if nulls {
		for k := range n {
			if arr.IsNull(from + k) {
				*(*D)(unsafe.Add(dst, uintptr(k)*stride)) = 0
			}
		}
	}
	return nil
}

func decodeFloatPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	id := dt.ID()
	target := rt.String()
	isFloat32 := rt.Kind() == reflect.Float32
	switch id {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		scale := int32(0)
		if d, ok := dt.(arrow.DecimalType); ok {
			scale = d.GetScale()
		}
		if isFloat32 {
			return decodeFloatsInto[float32](scale, target), nil
		}
		return decodeFloatsInto[float64](scale, target), nil
	}
	bits, signed := decodeIntBits(id)
	if bits == 0 {
		return nil, p.mismatch(dt, rt)
	}
	mantissa := 53
	if isFloat32 {
		mantissa = 24
	}
	// Integers up to the mantissa's width convert exactly; wider ones are
	// checked value by value, so 2^53+1 into a float64 is an error rather
	// than a silently different number.
	checked := bits > mantissa || (bits == mantissa && !signed)
	lo, hi := 0.0, math.Ldexp(1, bits)
	if signed {
		lo, hi = -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1)
	}
	if isFloat32 {
		return decodeIntsToFloat[float32](checked, lo, hi, target), nil
	}
	return decodeIntsToFloat[float64](checked, lo, hi, target), nil
}

// decodeFloatsInto decodes floating-point and decimal arrays into D.
// Narrowing a float64 rounds to the nearest float32 (the point of a float32
// field) but a finite value beyond float32's range is an error.
func decodeFloatsInto[D decodeFloat](scale int32, target string) decodeFn {
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		var err error
		switch a := arr.(type) {
		case *array.Float16:
			vals := a.Values()
			if err = decodeSpan(from, n, len(vals)); err == nil {
				for k, v := range vals[from : from+n] {
					*(*D)(unsafe.Add(dst, uintptr(k)*stride)) = D(v.Float32())
				}
			}
		case *array.Float32:
			err = decodeFloats[float32, D](a.Float32Values(), arr, from, n, dst, stride, target)
		case *array.Float64:
			err = decodeFloats[float64, D](a.Float64Values(), arr, from, n, dst, stride, target)
		case *array.Decimal32:
			err = decodeDecimals[decimal.Decimal32, D](a.Values(), scale, from, n, dst, stride)
		case *array.Decimal64:
			err = decodeDecimals[decimal.Decimal64, D](a.Values(), scale, from, n, dst, stride)
		case *array.Decimal128:
			err = decodeDecimals[decimal.Decimal128, D](a.Values(), scale, from, n, dst, stride)
		case *array.Decimal256:
			err = decodeDecimals[decimal.Decimal256, D](a.Values(), scale, from, n, dst, stride)
		default:
			return decodeWrongArray(arr, "a floating-point or decimal array")
		}
		if err != nil {
			return err
		}
		decodeZeroNulls[D](arr, from, n, dst, stride)
		return nil
	}
}

func decodeFloats[S, D decodeFloat](vals []S, arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr, target string) error {
	if err := decodeSpan(from, n, len(vals)); err != nil {
		return err
	}
	src := vals[from : from+n]
	if unsafe.Sizeof(S(0)) == unsafe.Sizeof(D(0)) {
		if stride == unsafe.Sizeof(D(0)) {
			copy(unsafe.Slice((*S)(dst), n), src)
			return nil
		}
		for k, s := range src {
			*(*S)(unsafe.Add(dst, uintptr(k)*stride)) = s
		}
		return nil
	}
	narrowing := unsafe.Sizeof(S(0)) > unsafe.Sizeof(D(0))
	nulls := arr.NullN() > 0
	for k, s := range src {
		d := D(s)
		if narrowing && math.IsInf(float64(d), 0) && !math.IsInf(float64(s), 0) && !(nulls && arr.IsNull(from+k)) {
			return decodeSchemaErr("value %g overflows %s", float64(s), target)
		}
		*(*D)(unsafe.Add(dst, uintptr(k)*stride)) = d
	}
	return nil
}

func decodeDecimals[T decodeDecimal[T], D decodeFloat](vals []T, scale int32, from, n int, dst unsafe.Pointer, stride uintptr) error {
	if err := decodeSpan(from, n, len(vals)); err != nil {
		return err
	}
	for k, v := range vals[from : from+n] {
		*(*D)(unsafe.Add(dst, uintptr(k)*stride)) = D(v.ToFloat64(scale))
	}
	return nil
}

func decodeIntsToFloat[D decodeFloat](checked bool, lo, hi float64, target string) decodeFn {
	return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
		var err error
		switch a := arr.(type) {
		case *array.Int8:
			err = decodeIntToFloat[int8, D](a.Int8Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		case *array.Int16:
			err = decodeIntToFloat[int16, D](a.Int16Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		case *array.Int32:
			err = decodeIntToFloat[int32, D](a.Int32Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		case *array.Int64:
			err = decodeIntToFloat[int64, D](a.Int64Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		case *array.Uint8:
			err = decodeIntToFloat[uint8, D](a.Uint8Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		case *array.Uint16:
			err = decodeIntToFloat[uint16, D](a.Uint16Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		case *array.Uint32:
			err = decodeIntToFloat[uint32, D](a.Uint32Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		case *array.Uint64:
			err = decodeIntToFloat[uint64, D](a.Uint64Values(), arr, from, n, dst, stride, checked, lo, hi, target)
		default:
			return decodeWrongArray(arr, "an integer array")
		}
		if err != nil {
			return err
		}
		decodeZeroNulls[D](arr, from, n, dst, stride)
		return nil
	}
}

// decodeIntToFloat converts integers to floats; when checked it refuses a
// value the float cannot hold exactly. The range test comes before the
// round trip because converting an out-of-range float to an integer is
// implementation-defined in Go.
func decodeIntToFloat[S decodeInteger, D decodeFloat](vals []S, arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr, checked bool, lo, hi float64, target string) error {
	if err := decodeSpan(from, n, len(vals)); err != nil {
		return err
	}
	nulls := arr.NullN() > 0
	for k, s := range vals[from : from+n] {
		d := D(s)
		if checked {
			f := float64(d)
			if !(f >= lo && f < hi && S(d) == s) && !(nulls && arr.IsNull(from+k)) {
				return decodeSchemaErr("value %d cannot be represented exactly as %s", s, target)
			}
		}
		*(*D)(unsafe.Add(dst, uintptr(k)*stride)) = d
	}
	return nil
}

// decodeZeroNulls overwrites the values at null slots, which Arrow leaves
// unspecified, with zero.
func decodeZeroNulls[D any](arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) {
	if arr.NullN() == 0 {
		return
	}
	var zero D
	for k := range n {
		if arr.IsNull(from + k) {
			*(*D)(unsafe.Add(dst, uintptr(k)*stride)) = zero
		}
	}
}

func decodeBoolPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	if dt.ID() != arrow.BOOL {
		return nil, p.mismatch(dt, rt)
	}
	return decodeBools, nil
}

func decodeBools(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
	a, ok := arr.(*array.Boolean)
	if !ok {
		return decodeWrongArray(arr, "a boolean array")
	}
	if err := decodeSpan(from, n, a.Len()); err != nil {
		return err
	}
	for k := range n {
		*(*bool)(unsafe.Add(dst, uintptr(k)*stride)) = a.IsValid(from+k) && a.Value(from+k)
	}
	return nil
}

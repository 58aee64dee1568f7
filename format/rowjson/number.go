package rowjson

import (
	"math"
	"math/bits"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/float16"
)

// appendFloat appends f as the shortest decimal that parses back to the
// same float of the given bit size, formatted as encoding/json formats
// floats (plain notation for magnitudes in [1e-6, 1e21), exponent notation
// outside it). JSON has no NaN or infinities; they become the strings
// "NaN", "Infinity" and "-Infinity", which Python's json and JavaScript's
// Number() both understand.
func appendFloat(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bitSize == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bitSize == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bitSize)
	if format == 'e' {
		// Shorten a two-digit negative exponent: 1e-07 to 1e-7.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendFloat16 appends a half-precision float as the shortest decimal
// that rounds back to the same half: 0.1, not the 0.0999755859375 its
// widening would print. strconv knows no 16-bit floats, so it tries 1 to 5
// significant digits (5 always suffice for an 11-bit significand).
//
// The half is decoded here rather than with float16.Num.Float32, which
// mis-decodes subnormals.
func appendFloat16(dst []byte, h float16.Num) []byte {
	x := halfValue(h.Uint16())
	if x != x || math.IsInf(x, 0) || x == 0 {
		return appendFloat(dst, x, 64)
	}
	lo, hi, even := halfRoundingInterval(h.Uint16())
	var scratch [32]byte
	for digits := 1; digits <= 5; digits++ {
		b := strconv.AppendFloat(scratch[:0], x, 'e', digits-1, 64)
		// The string does not outlive the call, so it may alias scratch.
		v, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
		if err != nil {
			break
		}
		a := math.Abs(v)
		if lo < a && a < hi || even && (a == lo || a == hi) {
			return appendFloat(dst, v, 64)
		}
	}
	return appendFloat(dst, x, 64)
}

// halfValue decodes IEEE 754 binary16 bits exactly.
func halfValue(bits uint16) float64 {
	exp := int(bits>>10) & 0x1f
	frac := float64(bits & 0x3ff)
	var v float64
	switch exp {
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	case 0:
		v = math.Ldexp(frac, -24)
	default:
		v = math.Ldexp(1024+frac, exp-25)
	}
	if bits&0x8000 != 0 {
		return -v
	}
	return v
}

// halfRoundingInterval returns the magnitudes between which a real number
// rounds to the finite, non-zero half with these bits, and whether the
// bounds themselves do (round half to even: when the significand is even).
func halfRoundingInterval(bits uint16) (lo, hi float64, even bool) {
	m := bits & 0x7fff
	x := halfValue(m)
	// The next half up; for the largest finite half, where that would be
	// infinity, the value the exponent range would give next (65536), so
	// that the bound is 65520 as IEEE 754 rounding has it.
	next := halfValue(m + 1)
	if m == 0x7bff {
		next = 65536
	}
	return (halfValue(m-1) + x) / 2, (x + next) / 2, m&1 == 0
}

// maxDecimalDigits bounds the digits of a 256-bit integer (2^255 has 77).
const maxDecimalDigits = 78

// maxScaleDigits bounds how many zeros a scale may pad a decimal with
// before appendDecimal switches to exponent notation, so that a hostile
// scale in a schema cannot make one value gigabytes long.
const maxScaleDigits = 100

// appendDecimal appends the exact decimal string of a two's complement
// integer (little-endian 64-bit words, at most four) scaled by 10^-scale:
// words {12345}, scale 2 gives "123.45"; scale -2 gives "1234500".
// It allocates nothing, unlike the decimal packages' ToString.
func appendDecimal(dst []byte, words []uint64, scale int32) []byte {
	var mag [4]uint64
	n := copy(mag[:], words)
	neg := n > 0 && mag[n-1]>>63 == 1
	if neg {
		negate(mag[:n])
	}
	var buf [maxDecimalDigits]byte
	digits := appendMagnitude(buf[:0:maxDecimalDigits], mag[:n])

	dst = append(dst, '"')
	if neg {
		dst = append(dst, '-')
	}
	switch {
	case scale <= 0 && -int64(scale) <= maxScaleDigits:
		dst = append(dst, digits...)
		if !(len(digits) == 1 && digits[0] == '0') {
			for range -scale {
				dst = append(dst, '0')
			}
		}
	case scale < 0 || scale > maxScaleDigits:
		dst = append(dst, digits...)
		dst = append(dst, 'e')
		dst = strconv.AppendInt(dst, -int64(scale), 10)
	case len(digits) > int(scale):
		point := len(digits) - int(scale)
		dst = append(dst, digits[:point]...)
		dst = append(dst, '.')
		dst = append(dst, digits[point:]...)
	default:
		dst = append(dst, '0', '.')
		for range int(scale) - len(digits) {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	}
	return append(dst, '"')
}

// negate replaces a two's complement integer by its negation.
func negate(w []uint64) {
	carry := uint64(1)
	for i := range w {
		w[i], carry = bits.Add64(^w[i], 0, carry)
	}
}

// appendMagnitude appends the decimal digits of an unsigned integer given
// as little-endian words, dividing by 10^19 (the largest power of ten in a
// word) so that each step yields 19 digits. The words are consumed.
func appendMagnitude(dst []byte, w []uint64) []byte {
	const chunk = 1e19
	var chunks [5]uint64 // 256 bits < 10^(19*5)
	k := 0
	for top := len(w); ; {
		for top > 0 && w[top-1] == 0 {
			top--
		}
		if top == 0 {
			break
		}
		var rem uint64
		for i := top - 1; i >= 0; i-- {
			w[i], rem = bits.Div64(rem, w[i], chunk)
		}
		chunks[k] = rem
		k++
	}
	if k == 0 {
		return append(dst, '0')
	}
	dst = strconv.AppendUint(dst, chunks[k-1], 10)
	for i := k - 2; i >= 0; i-- {
		var pad [19]byte
		s := strconv.AppendUint(pad[:0], chunks[i], 10)
		for range 19 - len(s) {
			dst = append(dst, '0')
		}
		dst = append(dst, s...)
	}
	return dst
}

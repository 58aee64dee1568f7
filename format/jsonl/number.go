package jsonl

import (
	"errors"
	"math"
	"strconv"
)

// parseInt parses a decimal integer with an optional sign, exactly, with
// no detour through float64: 2^63-1 stays 2^63-1.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	u, ok := parseDigits(b)
	if !ok {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// parseUint parses a decimal integer with no sign but an optional '+';
// "-0" is accepted as zero since it is a valid JSON integer.
func parseUint(b []byte) (uint64, bool) {
	if len(b) > 0 && b[0] == '+' {
		b = b[1:]
	} else if len(b) > 0 && b[0] == '-' {
		u, ok := parseDigits(b[1:])
		return 0, ok && u == 0
	}
	return parseDigits(b)
}

// parseDigits parses a non-empty run of ASCII digits into a uint64,
// rejecting overflow.
func parseDigits(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		d := uint64(c - '0')
		if d > 9 {
			return 0, false
		}
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	return u, true
}

// errRange marks a number that parses but does not fit the column.
var errRange = errors.New("out of range")

// parseFloat parses a float of the given bit size from a JSON number or
// the text of a string. Strings may also spell the values JSON cannot:
// "NaN", "Infinity", "-Infinity" (and strconv's other spellings, such as
// "inf"). A number too large for the size becomes an infinity, as the
// IEEE rounding of the decimal value says it should.
func parseFloat(b []byte, bitSize int) (float64, bool) {
	// Small integers convert exactly without strconv; "-0" is left to
	// strconv, which keeps its sign.
	if n := len(b); n > 0 && n <= 15 && !(n > 1 && b[0] == '-' && b[1] == '0') {
		if v, ok := parseInt(b); ok {
			f := float64(v)
			if bitSize == 32 {
				f = float64(float32(f))
			}
			return f, true
		}
	}
	if f, ok := fastFloat(b, bitSize); ok {
		return f, true
	}
	f, err := strconv.ParseFloat(string(b), bitSize)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// parseBool parses the text of a boolean: true or false in any case, or
// 1 and 0 as spreadsheets write them.
func parseBool(b []byte) (v, ok bool) {
	switch len(b) {
	case 1:
		switch b[0] {
		case '1':
			return true, true
		case '0':
			return false, true
		}
	case 4:
		if equalFold(b, "true") {
			return true, true
		}
	case 5:
		if equalFold(b, "false") {
			return false, true
		}
	}
	return false, false
}

// equalFold compares ASCII text to a lower-case word ignoring case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// halfBits rounds f to the nearest IEEE 754 half (ties to even),
// subnormals and overflow to infinity included. (float16.New truncates
// and flushes subnormals to zero, so it cannot read back what rowjson
// writes.) Rounding the decimal first to float64 and then to a half is
// exact: 53 bits are more than the 2×11+2 that double rounding needs.
func halfBits(f float64) uint16 {
	sign := uint16(math.Float64bits(f)>>48) & 0x8000
	a := math.Abs(f)
	switch {
	case a != a:
		return sign | 0x7e00
	case a >= 65520: // halfway between 65504 and 2^16 rounds up: to infinity
		return sign | 0x7c00
	case a < 0x1p-14: // subnormal: a multiple of 2^-24
		return sign | uint16(math.RoundToEven(a*0x1p24))
	}
	_, exp := math.Frexp(a) // a = frac × 2^exp, frac in [0.5, 1)
	e := exp - 1            // a = 1.m × 2^e
	m := math.RoundToEven(math.Ldexp(a, 10-e))
	if m == 2048 {
		m, e = 1024, e+1
	}
	return sign | uint16(e+15)<<10 | uint16(m-1024)
}

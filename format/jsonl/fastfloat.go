package jsonl

import "math"

// Embeddings make most of a training set's JSON numbers short decimals
// ("-1.0854511", "0.052509695"), and strconv.ParseFloat spends most of
// its time on the generality it offers (underscores, hex, "inf", a copy
// of the text into a string). fastFloat parses the plain decimal forms
// directly and converts them exactly where one IEEE operation is exact
// (Clinger's fast path): the mantissa and the power of ten are both
// representable, so their product or quotient is correctly rounded. What
// it cannot decide this way, it leaves to strconv.

// pow10 holds the powers of ten exact in a float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// pow10f32 holds the powers of ten exact in a float32.
var pow10f32 = [...]float32{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

// fastFloat parses b as [+-]digits[.digits][(e|E)[+-]digits] and returns
// its value rounded to bitSize bits, with ok false when b has another
// form or the value needs more than one exact operation.
func fastFloat(b []byte, bitSize int) (float64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, i = b[0] == '-', 1
	}
	var mant uint64
	digits, sig, exp10 := 0, 0, 0 // digits seen, significant digits kept, power of ten
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		digits++
		if mant == 0 && b[i] == '0' {
			continue
		}
		if sig++; sig > 19 {
			return 0, false
		}
		mant = mant*10 + uint64(b[i]-'0')
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			digits++
			exp10--
			if mant == 0 && b[i] == '0' {
				continue
			}
			if sig++; sig > 19 {
				return 0, false
			}
			mant = mant*10 + uint64(b[i]-'0')
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		e, next, ok := parseExponent(b, i+1)
		if !ok {
			return 0, false
		}
		exp10, i = exp10+e, next
	}
	if i != len(b) {
		return 0, false
	}
	if bitSize == 32 {
		if mant == 0 {
			return signedZero(neg), true
		}
		f32, ok := exact32(mant, exp10)
		if !ok {
			f32, ok = via64(mant, exp10)
		}
		if neg {
			f32 = -f32
		}
		return float64(f32), ok
	}
	return exact64(mant, exp10, neg)
}

// via64 rounds the decimal to float32 through its correctly rounded
// float64, which is right unless that float64 lies exactly halfway
// between two float32s: no float32 midpoint (they are all float64s)
// can separate the decimal from its nearest float64 without being nearer
// to it. Shortest float32 decimals of 9 digits ("0.052509695") need it.
func via64(mant uint64, exp10 int) (float32, bool) {
	f, ok := exact64(mant, exp10, false)
	// Outside the normal float32 range the midpoints are spaced
	// differently; leave those to strconv.
	if !ok || f < 0x1p-126 || f > math.MaxFloat32 {
		return 0, false
	}
	const dropped = 52 - 23 // mantissa bits float32 drops
	if math.Float64bits(f)&(1<<dropped-1) == 1<<(dropped-1) {
		return 0, false
	}
	return float32(f), true
}

func signedZero(neg bool) float64 {
	if neg {
		return math.Copysign(0, -1)
	}
	return 0
}

// exact64 is the float64 fast path: ±mant × 10^exp10 when mant and the
// power of ten are both exact in a float64.
func exact64(mant uint64, exp10 int, neg bool) (float64, bool) {
	if mant == 0 {
		return signedZero(neg), true
	}
	if mant > 1<<53 || exp10 < -22 || exp10 > 22 {
		return 0, false
	}
	f := float64(mant)
	if exp10 < 0 {
		f /= pow10[-exp10]
	} else {
		f *= pow10[exp10]
	}
	if neg {
		f = -f
	}
	return f, true
}

// float64Number reads the JSON number at the scanner's position and
// returns its value, in one pass over its bytes, when it is valid JSON
// and exact64 applies. Otherwise it returns false and leaves the position
// alone, for scalar and parseFloat to read it (or report the error).
func (s *scanner) float64Number() (float64, bool) {
	b, i := s.buf, s.pos
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	sig, exp10 := 0, 0
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			if sig++; sig > 19 {
				return 0, false
			}
			mant = mant*10 + uint64(b[i]-'0')
		}
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false
		}
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			exp10--
			if mant == 0 && b[i] == '0' {
				continue
			}
			if sig++; sig > 19 {
				return 0, false
			}
			mant = mant*10 + uint64(b[i]-'0')
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		e, next, ok := parseExponent(b, i+1)
		if !ok {
			return 0, false
		}
		exp10, i = exp10+e, next
	}
	f, ok := exact64(mant, exp10, neg)
	if ok {
		s.pos = i
	}
	return f, ok
}

// exact32 is the float32 fast path: with both operands exact in a
// float32, one float32 operation rounds correctly. (Rounding through a
// float64 rounds twice; see via64 for when that is still right.)
func exact32(mant uint64, exp10 int) (float32, bool) {
	if mant > 1<<24 || exp10 < -10 || exp10 > 10 {
		return 0, false
	}
	f := float32(mant)
	if exp10 < 0 {
		return f / pow10f32[-exp10], true
	}
	return f * pow10f32[exp10], true
}

// parseExponent reads the signed decimal exponent that starts at b[i] (just
// past the 'e' or 'E') and returns it with the index after its last digit.
// It refuses an exponent without digits, and one beyond ±1000 digits' worth
// of magnitude, which no exact fast path can use anyway.
func parseExponent(b []byte, i int) (e, next int, ok bool) {
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg, i = b[i] == '-', i+1
	}
	start := i
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		if e > 1000 {
			return 0, 0, false
		}
		e = e*10 + int(b[i]-'0')
	}
	if i == start {
		return 0, 0, false
	}
	if neg {
		e = -e
	}
	return e, i, true
}

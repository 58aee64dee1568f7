package jsonl

import (
	"errors"
	"math/big"
)

var (
	errInexact = errors.New("has more fractional digits than the column's scale")
	errDigits  = errors.New("has more digits than the column's precision")
)

// parseDecimal parses a decimal number exactly (a JSON number or the text
// of a string, with an optional sign, fraction and exponent) and returns
// its value scaled by 10^scale as a digit string with a sign. It refuses
// values that would need rounding or more than precision digits; it never
// builds a digit string longer than precision, whatever the exponent says.
func parseDecimal(b []byte, precision, scale int32, buf []byte) (neg bool, unscaled []byte, err error) {
	i := 0
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	intStart := i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	intDigits := b[intStart:i]
	var fracDigits []byte
	if i < len(b) && b[i] == '.' {
		i++
		fs := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		fracDigits = b[fs:i]
	}
	if len(intDigits)+len(fracDigits) == 0 {
		return false, nil, errSyntax
	}
	var exp int64
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		es := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			// Clamp: any exponent this large fails the checks below.
			if exp < 1<<40 {
				exp = exp*10 + int64(b[i]-'0')
			}
			i++
		}
		if i == es {
			return false, nil, errSyntax
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(b) {
		return false, nil, errSyntax
	}

	// The value is digits × 10^shift, with digits = int ‖ frac.
	digits := append(append(buf[:0], intDigits...), fracDigits...)
	shift := exp - int64(len(fracDigits)) + int64(scale)
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	if shift < 0 {
		drop := -shift
		if drop > int64(len(digits)) {
			drop = int64(len(digits))
			for _, c := range digits {
				if c != '0' {
					return false, nil, errInexact
				}
			}
			digits = append(digits[:0], '0')
		} else {
			for _, c := range digits[int64(len(digits))-drop:] {
				if c != '0' {
					return false, nil, errInexact
				}
			}
			digits = digits[:int64(len(digits))-drop]
			if len(digits) == 0 {
				digits = append(digits, '0')
			}
		}
	} else if !(len(digits) == 1 && digits[0] == '0') {
		if int64(len(digits))+shift > int64(precision) {
			return false, nil, errDigits
		}
		for range shift {
			digits = append(digits, '0')
		}
	}
	if len(digits) > int(precision) && !(len(digits) == 1 && digits[0] == '0') {
		return false, nil, errDigits
	}
	if len(digits) == 1 && digits[0] == '0' {
		neg = false
	}
	return neg, digits, nil
}

var errSyntax = errors.New("is not a number")

// smallDecimal converts a digit string of at most 18 digits to an int64.
func smallDecimal(neg bool, digits []byte) int64 {
	var v int64
	for _, c := range digits {
		v = v*10 + int64(c-'0')
	}
	if neg {
		return -v
	}
	return v
}

// bigDecimal converts a digit string to a big.Int, reusing z.
func bigDecimal(z *big.Int, neg bool, digits []byte) *big.Int {
	z.SetString(string(digits), 10)
	if neg {
		z.Neg(z)
	}
	return z
}

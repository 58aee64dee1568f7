package csv

import "math"

// The kinds of cell inference tells apart.
type cellKind uint8

const (
	cellNull cellKind = iota // an empty field
	cellBool
	cellInt
	cellFloat
	cellDate
	cellTimestamp
	cellString
	numKinds
)

// A cell is what classify found in one field.
type cell struct {
	kind  cellKind
	zoned bool // timestamps: has a UTC offset
	frac  int  // timestamps: fractional second digits
}

// classify tells the kind of a field's text. It is deliberately strict, so
// that what it calls a number is one and nothing else is:
//
//   - integers have an optional sign and no leading zeros ("007" and zip
//     codes stay strings), and fit int64 (longer ones are IDs: strings);
//   - floats are decimal numbers with a fraction or exponent, or NaN,
//     Inf and Infinity in any case with an optional sign;
//   - booleans are true and false in any case (not 0 and 1: integers);
//   - dates are YYYY-MM-DD; timestamps are a date, 'T' or a space,
//     HH:MM[:SS[.fraction]] and an optional offset (Z, ±HH:MM, ±HHMM).
//
// Quoting does not matter: a quoted 12 is an integer, as spreadsheets
// that quote every field mean it.
func classify(b []byte) cell {
	if len(b) == 0 {
		return cell{kind: cellNull}
	}
	switch c := b[0]; {
	case c == '-' || c == '+' || c == '.' || '0' <= c && c <= '9':
		if k := classifyNumber(b); k != cellString {
			return cell{kind: k}
		}
		if len(b) >= 10 && '0' <= c && c <= '9' {
			return classifyTemporal(b)
		}
	case c == 't' || c == 'T' || c == 'f' || c == 'F':
		if equalFold(b, "true") || equalFold(b, "false") {
			return cell{kind: cellBool}
		}
	case c == 'n' || c == 'N' || c == 'i' || c == 'I':
		if isNonFinite(b) {
			return cell{kind: cellFloat}
		}
	}
	return cell{kind: cellString}
}

// classifyNumber returns cellInt, cellFloat or cellString.
func classifyNumber(b []byte) cellKind {
	i := 0
	if b[0] == '-' || b[0] == '+' {
		i++
	}
	if i > 0 && (equalFold(b[i:], "inf") || equalFold(b[i:], "infinity")) {
		return cellFloat
	}
	intStart := i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	intDigits := i - intStart
	if intDigits > 1 && b[intStart] == '0' {
		return cellString
	}
	if i == len(b) {
		if intDigits == 0 || !fitsInt64(b) {
			return cellString
		}
		return cellInt
	}
	fracDigits := 0
	if b[i] == '.' {
		i++
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			fracDigits++
		}
	}
	if intDigits+fracDigits == 0 {
		return cellString
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		expStart := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == expStart {
			return cellString
		}
	}
	if i != len(b) {
		return cellString
	}
	return cellFloat
}

func fitsInt64(b []byte) bool {
	neg := b[0] == '-'
	if b[0] == '-' || b[0] == '+' {
		b = b[1:]
	}
	var u uint64
	for _, c := range b {
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return false
		}
		u = u*10 + d
	}
	if neg {
		return u <= 1<<63
	}
	return u <= math.MaxInt64
}

func isNonFinite(b []byte) bool {
	return equalFold(b, "nan") || equalFold(b, "inf") || equalFold(b, "infinity")
}

// classifyTemporal recognises ISO dates and timestamps.
func classifyTemporal(b []byte) cell {
	if !isDate(b) {
		return cell{kind: cellString}
	}
	if len(b) == 10 {
		return cell{kind: cellDate}
	}
	if b[10] != 'T' && b[10] != ' ' {
		return cell{kind: cellString}
	}
	rest := b[11:]
	// HH:MM
	if len(rest) < 5 || !twoDigits(rest, 0, 23) || rest[2] != ':' || !twoDigits(rest, 3, 59) {
		return cell{kind: cellString}
	}
	rest = rest[5:]
	c := cell{kind: cellTimestamp}
	if len(rest) >= 3 && rest[0] == ':' {
		if !twoDigits(rest, 1, 59) {
			return cell{kind: cellString}
		}
		rest = rest[3:]
		if len(rest) > 0 && rest[0] == '.' {
			n := 1
			for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
				n++
			}
			c.frac = n - 1
			if c.frac == 0 || c.frac > 9 {
				return cell{kind: cellString}
			}
			rest = rest[n:]
		}
	}
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		c.zoned = true
	case (rest[0] == '+' || rest[0] == '-') && twoDigits(rest, 1, 23) &&
		(len(rest) == 3 || len(rest) == 6 && rest[3] == ':' && twoDigits(rest, 4, 59) || len(rest) == 5 && twoDigits(rest, 3, 59)):
		c.zoned = true
	default:
		return cell{kind: cellString}
	}
	return c
}

// isDate checks b starts with a valid YYYY-MM-DD.
func isDate(b []byte) bool {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return false
	}
	y := 0
	for _, c := range b[:4] {
		if c < '0' || c > '9' {
			return false
		}
		y = y*10 + int(c-'0')
	}
	if !twoDigits(b, 5, 12) || !twoDigits(b, 8, 31) {
		return false
	}
	m := int(b[5]-'0')*10 + int(b[6]-'0')
	d := int(b[8]-'0')*10 + int(b[9]-'0')
	if m == 0 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d >= 1 && d <= days
}

// twoDigits checks b[i:i+2] is a number from 0 to max (and that months
// and days are not 00 is left to the caller).
func twoDigits(b []byte, i, max int) bool {
	if len(b) < i+2 || b[i] < '0' || b[i] > '9' || b[i+1] < '0' || b[i+1] > '9' {
		return false
	}
	return int(b[i]-'0')*10+int(b[i+1]-'0') <= max
}

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

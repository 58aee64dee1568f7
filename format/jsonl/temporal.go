package jsonl

import (
	"errors"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
)

// The text forms of dates and times are ISO 8601 / RFC 3339, as
// format/rowjson writes them: "2024-03-01", "13:04:05.250",
// "2024-03-01T13:04:05.250Z". Years outside 0000-9999 use the expanded
// form, a sign and more digits ("-0044-03-15", "+10000-01-01"). The
// parsers below are hand-written rather than time.Parse because they must
// accept those years, keep nanoseconds exactly, and run per value.

const (
	secondsPerDay = 86400
	nanosPerSec   = 1_000_000_000
)

var (
	errPrecision = errors.New("has more precision than the column's unit")
	errOverflow  = errors.New("is out of the column's range")
)

// daysFromCivil converts a proleptic Gregorian date to days since
// 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func daysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// digits parses exactly n ASCII digits at the start of b.
func digits(b []byte, n int) (int64, bool) {
	if len(b) < n {
		return 0, false
	}
	var v int64
	for _, c := range b[:n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// parseDate parses [±]YYYY-MM-DD at the start of b and returns the day
// number and the bytes consumed. The year has four digits, or a sign and
// four to twelve (enough for any int64 count of seconds).
func parseDate(b []byte) (days int64, n int, ok bool) {
	sign := int64(1)
	i := 0
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		if b[0] == '-' {
			sign = -1
		}
		i = 1
	}
	j := i
	for j < len(b) && j-i < 12 && '0' <= b[j] && b[j] <= '9' {
		j++
	}
	if j-i < 4 || (i == 0 && j-i != 4) {
		return 0, 0, false
	}
	y, _ := digits(b[i:], j-i)
	y *= sign
	if len(b) < j+6 || b[j] != '-' || b[j+3] != '-' {
		return 0, 0, false
	}
	m, ok1 := digits(b[j+1:], 2)
	d, ok2 := digits(b[j+4:], 2)
	if !ok1 || !ok2 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) {
		return 0, 0, false
	}
	return daysFromCivil(y, m, d), j + 6, true
}

// parseClock parses HH:MM[:SS[.fffffffff]] at the start of b and returns
// nanoseconds since midnight and the bytes consumed. Hours may run past
// 23 only when maxHour allows (times of day outside a day, which rowjson
// writes as they are rather than wrapping). More than nine fractional
// digits are accepted only if the extra ones are zeros.
func parseClock(b []byte, maxHour int64) (nanos int64, n int, ok bool) {
	i := 0
	for i < len(b) && i < 12 && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	if i < 2 {
		return 0, 0, false
	}
	h, _ := digits(b, i)
	if h > maxHour || len(b) < i+3 || b[i] != ':' {
		return 0, 0, false
	}
	mi, ok := digits(b[i+1:], 2)
	if !ok || mi > 59 {
		return 0, 0, false
	}
	i += 3
	var s int64
	if i < len(b) && b[i] == ':' {
		if s, ok = digits(b[i+1:], 2); !ok || s > 59 {
			return 0, 0, false
		}
		i += 3
	}
	var frac int64
	if i < len(b) && b[i] == '.' {
		i++
		k := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			if k < 9 {
				frac = frac*10 + int64(b[i]-'0')
			} else if b[i] != '0' {
				return 0, 0, false
			}
			k++
			i++
		}
		if k == 0 {
			return 0, 0, false
		}
		for ; k < 9; k++ {
			frac *= 10
		}
	}
	return ((h*60+mi)*60+s)*nanosPerSec + frac, i, true
}

// parseZone parses a whole UTC offset: Z, ±HH:MM, ±HHMM or ±HH.
func parseZone(b []byte) (offsetSec int64, ok bool) {
	if len(b) == 1 && (b[0] == 'Z' || b[0] == 'z') {
		return 0, true
	}
	if len(b) < 3 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	h, ok := digits(b[1:], 2)
	if !ok || h > 23 {
		return 0, false
	}
	var m int64
	switch rest := b[3:]; {
	case len(rest) == 0:
	case len(rest) == 3 && rest[0] == ':':
		m, ok = digits(rest[1:], 2)
	case len(rest) == 2:
		m, ok = digits(rest, 2)
	default:
		return 0, false
	}
	if !ok || m > 59 {
		return 0, false
	}
	off := (h*60 + m) * 60
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// parseTimestamp parses a date, optionally followed by 'T' or a space, a
// time of day and a UTC offset. It returns seconds since the epoch (of
// the instant when zoned, of the wall clock read as UTC when not), the
// nanoseconds within that second, and whether an offset was given. Any
// instant whose seconds fit an int64 parses, even at the extremes.
func parseTimestamp(b []byte) (sec, nsec int64, zoned, ok bool) {
	days, n, ok := parseDate(b)
	if !ok {
		return 0, 0, false, false
	}
	var clock, offset int64
	if rest := b[n:]; len(rest) > 0 {
		if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
			return 0, 0, false, false
		}
		nanos, n, ok := parseClock(rest[1:], 23)
		if !ok {
			return 0, 0, false, false
		}
		clock, nsec = nanos/nanosPerSec, nanos%nanosPerSec
		if rest = rest[1+n:]; len(rest) > 0 {
			if offset, ok = parseZone(rest); !ok {
				return 0, 0, false, false
			}
			zoned = true
		}
	}
	// sec = days*86400 + clock - offset, without overflowing on the way
	// to a result that fits: for negative days, count from the next day.
	if days < 0 {
		days++
		clock -= secondsPerDay
	}
	if days > math.MaxInt64/secondsPerDay || days < math.MinInt64/secondsPerDay {
		return 0, 0, false, false
	}
	sec, ok1 := add(days*secondsPerDay, clock)
	sec, ok2 := add(sec, -offset)
	return sec, nsec, zoned, ok1 && ok2
}

// add adds without overflow, reporting whether the sum fits.
func add(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// unitPerSecond returns the ticks per second of a time unit.
func unitPerSecond(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Millisecond:
		return 1e3
	case arrow.Microsecond:
		return 1e6
	case arrow.Nanosecond:
		return 1e9
	}
	return 1
}

// toUnit converts seconds and nanoseconds to ticks of unit, refusing to
// drop precision or to overflow.
func toUnit(sec, nsec int64, unit arrow.TimeUnit) (int64, error) {
	per := unitPerSecond(unit)
	tick := nanosPerSec / per
	if nsec%tick != 0 {
		return 0, errPrecision
	}
	f := nsec / tick
	if sec < 0 && f > 0 {
		// Borrow a second so that the earliest instants, whose whole
		// seconds alone overflow, still fit: -9223372037 s + 0.854775808 s.
		sec++
		f -= per
	}
	if sec > math.MaxInt64/per || sec < math.MinInt64/per {
		return 0, errOverflow
	}
	v := sec * per
	if f > 0 && v > math.MaxInt64-f || f < 0 && v < math.MinInt64-f {
		return 0, errOverflow
	}
	return v + f, nil
}

// parseTimeOfDay parses a time32/time64 value: [-]HH:MM:SS[.fff...].
// The sign and hours past 23 appear only for values outside a day, which
// rowjson prints as they are; reading them back keeps them.
func parseTimeOfDay(b []byte) (nanos int64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	v, n, ok := parseClock(b, math.MaxInt64/(3600*nanosPerSec)-1)
	if !ok || n != len(b) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

package rowjson

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

const secondsPerDay = 86400

// unitScale returns how many ticks of unit make a second and how many
// fractional digits print them.
func unitScale(unit arrow.TimeUnit) (perSecond int64, digits int) {
	switch unit {
	case arrow.Millisecond:
		return 1e3, 3
	case arrow.Microsecond:
		return 1e6, 6
	case arrow.Nanosecond:
		return 1e9, 9
	}
	return 1, 0
}

// floorDiv divides rounding toward negative infinity, so that instants
// before the epoch fall on the right day and second.
func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse). Any int64 day count from a
// timestamp or date64 fits without overflow.
func civil(days int64) (year, month, day int64) {
	era, doe := floorDiv(days+719468, 146097)
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if mp >= 10 {
		month = mp - 9
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendDate appends days since the epoch as YYYY-MM-DD. Years outside
// 0000-9999 use ISO 8601's expanded form: a sign and at least four digits.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	switch {
	case y < 0:
		dst = append(dst, '-')
		dst = appendPadded(dst, uint64(-y), 4)
	case y > 9999:
		dst = append(dst, '+')
		dst = strconv.AppendInt(dst, y, 10)
	default:
		dst = appendPadded(dst, uint64(y), 4)
	}
	dst = append(dst, '-')
	dst = appendPadded(dst, uint64(m), 2)
	dst = append(dst, '-')
	return appendPadded(dst, uint64(d), 2)
}

// appendClock appends a second of the day and its fraction as
// HH:MM:SS[.fff...]. hours may exceed 23 for out-of-range times of day.
func appendClock(dst []byte, seconds uint64, frac uint64, digits int) []byte {
	dst = appendPadded(dst, seconds/3600, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, seconds/60%60, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, seconds%60, 2)
	if digits > 0 {
		dst = append(dst, '.')
		dst = appendPadded(dst, frac, digits)
	}
	return dst
}

// appendTimestamp appends an instant or a wall-clock time as RFC 3339 with
// the unit's fixed number of fractional digits. Arrow stores zoned
// timestamps as UTC instants, so every zone prints as UTC with "Z"; a
// naive timestamp (no zone) prints without any offset.
func appendTimestamp(dst []byte, v int64, unit arrow.TimeUnit, zoned bool) []byte {
	perSecond, digits := unitScale(unit)
	sec, frac := floorDiv(v, perSecond)
	days, sod := floorDiv(sec, secondsPerDay)
	dst = append(dst, '"')
	dst = appendDate(dst, days)
	dst = append(dst, 'T')
	dst = appendClock(dst, uint64(sod), uint64(frac), digits)
	if zoned {
		dst = append(dst, 'Z')
	}
	return append(dst, '"')
}

// appendTimeOfDay appends a time32/time64 value as "HH:MM:SS" with the
// unit's fractional digits. Values outside a day, which Arrow forbids but
// files may hold, print as a signed hour count rather than wrapping.
func appendTimeOfDay(dst []byte, v int64, unit arrow.TimeUnit) []byte {
	perSecond, digits := unitScale(unit)
	dst = append(dst, '"')
	u := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		u = -u
	}
	dst = appendClock(dst, u/uint64(perSecond), u%uint64(perSecond), digits)
	return append(dst, '"')
}

// appendPadded appends v in decimal, left-padded with zeros to width.
func appendPadded(dst []byte, v uint64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], v, 10)
	for range width - len(s) {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func appendDate32(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Date32)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	dst = append(dst, '"')
	dst = appendDate(dst, int64(a.Value(i)))
	return append(dst, '"')
}

// appendDate64 prints the day of a date64 (milliseconds since the epoch,
// meant to be whole days); a stray time of day is dropped, as Arrow's own
// casts to date32 do.
func appendDate64(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Date64)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	days, _ := floorDiv(int64(a.Value(i)), secondsPerDay*1000)
	dst = append(dst, '"')
	dst = appendDate(dst, days)
	return append(dst, '"')
}

func timestampEncoder(unit arrow.TimeUnit, zoned bool) encodeFunc {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Timestamp)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		return appendTimestamp(dst, int64(a.Value(i)), unit, zoned)
	}
}

func time32Encoder(unit arrow.TimeUnit) encodeFunc {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Time32)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		return appendTimeOfDay(dst, int64(a.Value(i)), unit)
	}
}

func time64Encoder(unit arrow.TimeUnit) encodeFunc {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a, ok := arr.(*array.Time64)
		switch {
		case !ok:
			return AppendValue(dst, arr, i)
		case a.IsNull(i):
			return appendNull(dst)
		}
		return appendTimeOfDay(dst, int64(a.Value(i)), unit)
	}
}

// appendDuration prints a duration as an integer count of its unit: exact,
// and what pandas and pyarrow's to_pylist users expect to do arithmetic on.
func appendDuration(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.Duration)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	return strconv.AppendInt(dst, int64(a.Value(i)), 10)
}

// Intervals print as objects with one member per field, named as Arrow's
// integration JSON names them, since their fields cannot be combined into
// one number (a month has no fixed length).

func appendMonthInterval(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.MonthInterval)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	dst = append(dst, `{"months":`...)
	dst = strconv.AppendInt(dst, int64(a.Value(i)), 10)
	return append(dst, '}')
}

func appendDayTimeInterval(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.DayTimeInterval)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	v := a.Value(i)
	dst = append(dst, `{"days":`...)
	dst = strconv.AppendInt(dst, int64(v.Days), 10)
	dst = append(dst, `,"milliseconds":`...)
	dst = strconv.AppendInt(dst, int64(v.Milliseconds), 10)
	return append(dst, '}')
}

func appendMonthDayNanoInterval(dst []byte, arr arrow.Array, i int) []byte {
	a, ok := arr.(*array.MonthDayNanoInterval)
	switch {
	case !ok:
		return AppendValue(dst, arr, i)
	case a.IsNull(i):
		return appendNull(dst)
	}
	v := a.Value(i)
	dst = append(dst, `{"months":`...)
	dst = strconv.AppendInt(dst, int64(v.Months), 10)
	dst = append(dst, `,"days":`...)
	dst = strconv.AppendInt(dst, int64(v.Days), 10)
	dst = append(dst, `,"nanoseconds":`...)
	dst = strconv.AppendInt(dst, v.Nanoseconds, 10)
	return append(dst, '}')
}

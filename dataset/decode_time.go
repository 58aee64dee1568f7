package dataset

import (
	"math"
	"reflect"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// decodeTimePlan decodes timestamps and dates into time.Time. A timestamp
// with a time zone gives a time in that zone; one without (a wall-clock
// time in Arrow's terms) and every date give UTC. A zone this machine does
// not know gives UTC too: the instant is right either way, and refusing a
// whole column over a missing tzdata entry would help no one.
func decodeTimePlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	switch t := dt.(type) {
	case *arrow.TimestampType:
		loc := decodeZone(t)
		unit := t.Unit
		return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			a, ok := arr.(*array.Timestamp)
			if !ok {
				return decodeWrongArray(arr, "a timestamp array")
			}
			return decodeTimes(a.Values(), arr, from, n, dst, stride, func(v arrow.Timestamp) time.Time {
				return v.ToTime(unit).In(loc)
			})
		}, nil
	case *arrow.Date32Type:
		return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			a, ok := arr.(*array.Date32)
			if !ok {
				return decodeWrongArray(arr, "a date32 array")
			}
			return decodeTimes(a.Date32Values(), arr, from, n, dst, stride, arrow.Date32.ToTime)
		}, nil
	case *arrow.Date64Type:
		return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			a, ok := arr.(*array.Date64)
			if !ok {
				return decodeWrongArray(arr, "a date64 array")
			}
			return decodeTimes(a.Date64Values(), arr, from, n, dst, stride, arrow.Date64.ToTime)
		}, nil
	}
	return nil, p.mismatch(dt, rt)
}

// decodeZone is the time zone of a timestamp type, UTC when it has none or
// names one this machine does not know.
func decodeZone(t *arrow.TimestampType) *time.Location {
	if loc, err := t.GetZone(); err == nil {
		return loc
	}
	return time.UTC
}

func decodeTimes[S any](vals []S, arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr, conv func(S) time.Time) error {
	if err := decodeSpan(from, n, len(vals)); err != nil {
		return err
	}
	nulls := arr.NullN() > 0
	for k, v := range vals[from : from+n] {
		p := (*time.Time)(unsafe.Add(dst, uintptr(k)*stride))
		if nulls && arr.IsNull(from+k) {
			*p = time.Time{}
		} else {
			*p = conv(v)
		}
	}
	return nil
}

// decodeDurationPlan decodes durations, and times of day as the duration
// since midnight, into time.Duration. A duration in seconds beyond ±292
// years does not fit in nanoseconds and is an error.
func decodeDurationPlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	switch t := dt.(type) {
	case *arrow.DurationType:
		unit := t.Unit
		return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			a, ok := arr.(*array.Duration)
			if !ok {
				return decodeWrongArray(arr, "a duration array")
			}
			return decodeDurations(a.DurationValues(), arr, unit, from, n, dst, stride)
		}, nil
	case *arrow.Time32Type:
		unit := t.Unit
		return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			a, ok := arr.(*array.Time32)
			if !ok {
				return decodeWrongArray(arr, "a time32 array")
			}
			return decodeDurations(a.Time32Values(), arr, unit, from, n, dst, stride)
		}, nil
	case *arrow.Time64Type:
		unit := t.Unit
		return func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			a, ok := arr.(*array.Time64)
			if !ok {
				return decodeWrongArray(arr, "a time64 array")
			}
			return decodeDurations(a.Time64Values(), arr, unit, from, n, dst, stride)
		}, nil
	}
	return nil, p.mismatch(dt, rt)
}

func decodeDurations[S ~int32 | ~int64](vals []S, arr arrow.Array, unit arrow.TimeUnit, from, n int, dst unsafe.Pointer, stride uintptr) error {
	if err := decodeSpan(from, n, len(vals)); err != nil {
		return err
	}
	mult := int64(unit.Multiplier())
	nulls := arr.NullN() > 0
	for k, v := range vals[from : from+n] {
		p := (*time.Duration)(unsafe.Add(dst, uintptr(k)*stride))
		if nulls && arr.IsNull(from+k) {
			*p = 0
			continue
		}
		d, ok := decodeScale(int64(v), mult)
		if !ok {
			return decodeSchemaErr("duration %d%s overflows time.Duration", int64(v), unit)
		}
		*p = time.Duration(d)
	}
	return nil
}

// decodeScale is v*mult, or false when that overflows int64.
func decodeScale(v, mult int64) (int64, bool) {
	if mult == 1 {
		return v, true
	}
	if v > math.MaxInt64/mult || v < math.MinInt64/mult {
		return 0, false
	}
	return v * mult, true
}

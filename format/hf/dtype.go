package hf

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tome-data/tome/format"
)

// simpleDtypes are the dtypes that name a pyarrow factory function, which
// datasets' string_to_arrow calls (trying a trailing "_" too, for bool_).
var simpleDtypes = map[string]arrow.DataType{
	"null":                    arrow.Null,
	"bool":                    arrow.FixedWidthTypes.Boolean,
	"int8":                    arrow.PrimitiveTypes.Int8,
	"int16":                   arrow.PrimitiveTypes.Int16,
	"int32":                   arrow.PrimitiveTypes.Int32,
	"int64":                   arrow.PrimitiveTypes.Int64,
	"uint8":                   arrow.PrimitiveTypes.Uint8,
	"uint16":                  arrow.PrimitiveTypes.Uint16,
	"uint32":                  arrow.PrimitiveTypes.Uint32,
	"uint64":                  arrow.PrimitiveTypes.Uint64,
	"float16":                 arrow.FixedWidthTypes.Float16,
	"float32":                 arrow.PrimitiveTypes.Float32,
	"float64":                 arrow.PrimitiveTypes.Float64,
	"string":                  arrow.BinaryTypes.String,
	"utf8":                    arrow.BinaryTypes.String,
	"large_string":            arrow.BinaryTypes.LargeString,
	"large_utf8":              arrow.BinaryTypes.LargeString,
	"string_view":             arrow.BinaryTypes.StringView,
	"binary":                  arrow.BinaryTypes.Binary,
	"large_binary":            arrow.BinaryTypes.LargeBinary,
	"binary_view":             arrow.BinaryTypes.BinaryView,
	"date32":                  arrow.FixedWidthTypes.Date32,
	"date64":                  arrow.FixedWidthTypes.Date64,
	"month_day_nano_interval": arrow.FixedWidthTypes.MonthDayNanoInterval,
}

var (
	timestampRe = regexp.MustCompile(`^timestamp\[(s|ms|us|ns)(?:,\s*tz=([a-zA-Z0-9/_+\-:]*))?\]$`)
	durationRe  = regexp.MustCompile(`^duration\[(s|ms|us|ns)\]$`)
	time32Re    = regexp.MustCompile(`^time32\[(s|ms)\]$`)
	time64Re    = regexp.MustCompile(`^time64\[(us|ns)\]$`)
	decimalRe   = regexp.MustCompile(`^decimal(128|256)\((\d+),\s*(-?\d+)\)$`)
)

var timeUnits = map[string]arrow.TimeUnit{
	"s": arrow.Second, "ms": arrow.Millisecond, "us": arrow.Microsecond, "ns": arrow.Nanosecond,
}

var unitNames = map[arrow.TimeUnit]string{
	arrow.Second: "s", arrow.Millisecond: "ms", arrow.Microsecond: "us", arrow.Nanosecond: "ns",
}

// DtypeArrow returns the Arrow type of a datasets dtype string, as
// datasets' string_to_arrow does. An unknown or malformed dtype gives an
// error wrapping format.ErrUnsupported.
func DtypeArrow(dtype string) (arrow.DataType, error) {
	if dt, ok := simpleDtypes[normalizeDtype(dtype)]; ok {
		return dt, nil
	}
	if m := timestampRe.FindStringSubmatch(dtype); m != nil {
		return &arrow.TimestampType{Unit: timeUnits[m[1]], TimeZone: m[2]}, nil
	}
	if m := durationRe.FindStringSubmatch(dtype); m != nil {
		return &arrow.DurationType{Unit: timeUnits[m[1]]}, nil
	}
	if m := time32Re.FindStringSubmatch(dtype); m != nil {
		return &arrow.Time32Type{Unit: timeUnits[m[1]]}, nil
	}
	if m := time64Re.FindStringSubmatch(dtype); m != nil {
		return &arrow.Time64Type{Unit: timeUnits[m[1]]}, nil
	}
	if m := decimalRe.FindStringSubmatch(dtype); m != nil {
		precision, err1 := strconv.ParseInt(m[2], 10, 32)
		scale, err2 := strconv.ParseInt(m[3], 10, 32)
		limit := int64(38)
		if m[1] == "256" {
			limit = 76
		}
		if err1 != nil || err2 != nil || precision < 1 || precision > limit {
			return nil, fmt.Errorf("hf: dtype %q: %w: decimal%s precision must be 1 to %d", dtype, format.ErrUnsupported, m[1], limit)
		}
		if m[1] == "256" {
			return &arrow.Decimal256Type{Precision: int32(precision), Scale: int32(scale)}, nil
		}
		return &arrow.Decimal128Type{Precision: int32(precision), Scale: int32(scale)}, nil
	}
	return nil, fmt.Errorf("hf: %w: dtype %q is not a pyarrow type datasets knows", format.ErrUnsupported, dtype)
}

// ArrowDtype returns the datasets dtype string of an Arrow type, as
// datasets' _arrow_to_datasets_dtype does; a dictionary gives its value
// type's dtype. Types datasets has no dtype for (nested types, intervals,
// fixed-size binary, ...) give an error wrapping format.ErrUnsupported.
func ArrowDtype(dt arrow.DataType) (string, error) {
	switch t := dt.(type) {
	case *arrow.TimestampType:
		if t.TimeZone == "" {
			return fmt.Sprintf("timestamp[%s]", unitNames[t.Unit]), nil
		}
		return fmt.Sprintf("timestamp[%s, tz=%s]", unitNames[t.Unit], t.TimeZone), nil
	case *arrow.DurationType:
		return fmt.Sprintf("duration[%s]", unitNames[t.Unit]), nil
	case *arrow.Time32Type:
		return fmt.Sprintf("time32[%s]", unitNames[t.Unit]), nil
	case *arrow.Time64Type:
		return fmt.Sprintf("time64[%s]", unitNames[t.Unit]), nil
	case *arrow.Decimal128Type:
		return fmt.Sprintf("decimal128(%d, %d)", t.Precision, t.Scale), nil
	case *arrow.Decimal256Type:
		return fmt.Sprintf("decimal256(%d, %d)", t.Precision, t.Scale), nil
	case *arrow.DictionaryType:
		return ArrowDtype(t.ValueType)
	}
	switch dt.ID() {
	case arrow.NULL:
		return "null", nil
	case arrow.BOOL:
		return "bool", nil
	case arrow.INT8:
		return "int8", nil
	case arrow.INT16:
		return "int16", nil
	case arrow.INT32:
		return "int32", nil
	case arrow.INT64:
		return "int64", nil
	case arrow.UINT8:
		return "uint8", nil
	case arrow.UINT16:
		return "uint16", nil
	case arrow.UINT32:
		return "uint32", nil
	case arrow.UINT64:
		return "uint64", nil
	case arrow.FLOAT16:
		return "float16", nil
	case arrow.FLOAT32:
		return "float32", nil
	case arrow.FLOAT64:
		return "float64", nil
	case arrow.DATE32:
		return "date32", nil
	case arrow.DATE64:
		return "date64", nil
	case arrow.BINARY:
		return "binary", nil
	case arrow.LARGE_BINARY:
		return "large_binary", nil
	case arrow.BINARY_VIEW:
		return "binary_view", nil
	case arrow.STRING:
		return "string", nil
	case arrow.LARGE_STRING:
		return "large_string", nil
	case arrow.STRING_VIEW:
		return "string_view", nil
	}
	return "", fmt.Errorf("hf: %w: Arrow type %s has no datasets dtype", format.ErrUnsupported, dt)
}

package arrowjson

import (
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// decodeType turns a "type" object into an Arrow type. Nested types take
// their child fields, already decoded, from children.
func decodeType(raw json.RawMessage, children []arrow.Field) (arrow.DataType, error) {
	var t jsonType
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%w: bad type object %s: %v", format.ErrCorrupt, abbreviate(raw), err)
	}
	if t.Name == "" {
		return nil, fmt.Errorf("%w: type object %s has no name", format.ErrCorrupt, abbreviate(raw))
	}
	want := childCount(t.Name)
	if want >= 0 && len(children) != want {
		return nil, fmt.Errorf("%w: type %s needs %d child fields, has %d", format.ErrCorrupt, t.Name, want, len(children))
	}
	switch t.Name {
	case "null":
		return arrow.Null, nil
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "int":
		return intType(t)
	case "floatingpoint":
		return floatType(t)
	case "decimal":
		return decimalType(t)
	case "binary":
		return arrow.BinaryTypes.Binary, nil
	case "largebinary":
		return arrow.BinaryTypes.LargeBinary, nil
	case "utf8":
		return arrow.BinaryTypes.String, nil
	case "largeutf8":
		return arrow.BinaryTypes.LargeString, nil
	case "binaryview":
		return arrow.BinaryTypes.BinaryView, nil
	case "utf8view":
		return arrow.BinaryTypes.StringView, nil
	case "fixedsizebinary":
		if t.ByteWidth < 0 {
			return nil, fmt.Errorf("%w: fixedsizebinary with byteWidth %d", format.ErrCorrupt, t.ByteWidth)
		}
		return &arrow.FixedSizeBinaryType{ByteWidth: t.ByteWidth}, nil
	case "date", "time", "timestamp", "duration", "interval":
		return temporalType(t)
	case "list":
		return arrow.ListOfField(children[0]), nil
	case "largelist":
		return arrow.LargeListOfField(children[0]), nil
	case "listview":
		return arrow.ListViewOfField(children[0]), nil
	case "largelistview":
		return arrow.LargeListViewOfField(children[0]), nil
	case "fixedsizelist":
		if t.ListSize < 0 {
			return nil, fmt.Errorf("%w: fixedsizelist with listSize %d", format.ErrCorrupt, t.ListSize)
		}
		return arrow.FixedSizeListOfField(t.ListSize, children[0]), nil
	case "struct":
		return arrow.StructOf(children...), nil
	case "map":
		return mapType(t, children[0])
	case "union":
		return unionType(t, children)
	case "runendencoded":
		return runEndEncodedType(children)
	}
	return nil, fmt.Errorf("%w: type %q", format.ErrUnsupported, t.Name)
}

// childCount is the number of child fields a type has, or -1 for any.
func childCount(name string) int {
	switch name {
	case "struct", "union":
		return -1
	case "list", "largelist", "listview", "largelistview", "fixedsizelist", "map":
		return 1
	case "runendencoded":
		return 2
	}
	return 0
}

var intTypes = map[bool]map[int]arrow.DataType{
	true:  {8: arrow.PrimitiveTypes.Int8, 16: arrow.PrimitiveTypes.Int16, 32: arrow.PrimitiveTypes.Int32, 64: arrow.PrimitiveTypes.Int64},
	false: {8: arrow.PrimitiveTypes.Uint8, 16: arrow.PrimitiveTypes.Uint16, 32: arrow.PrimitiveTypes.Uint32, 64: arrow.PrimitiveTypes.Uint64},
}

func intType(t jsonType) (arrow.DataType, error) {
	if t.BitWidth == nil {
		return nil, fmt.Errorf("%w: int type without bitWidth", format.ErrCorrupt)
	}
	if dt, ok := intTypes[t.IsSigned][*t.BitWidth]; ok {
		return dt, nil
	}
	return nil, fmt.Errorf("%w: int type with bitWidth %d", format.ErrUnsupported, *t.BitWidth)
}

func floatType(t jsonType) (arrow.DataType, error) {
	var precision string
	if err := json.Unmarshal(t.Precision, &precision); err != nil {
		return nil, fmt.Errorf("%w: floatingpoint precision %s is not a string", format.ErrCorrupt, abbreviate(t.Precision))
	}
	switch precision {
	case "HALF":
		return arrow.FixedWidthTypes.Float16, nil
	case "SINGLE":
		return arrow.PrimitiveTypes.Float32, nil
	case "DOUBLE":
		return arrow.PrimitiveTypes.Float64, nil
	}
	return nil, fmt.Errorf("%w: floatingpoint precision %q", format.ErrUnsupported, precision)
}

func decimalType(t jsonType) (arrow.DataType, error) {
	var precision int32
	if err := json.Unmarshal(t.Precision, &precision); err != nil {
		return nil, fmt.Errorf("%w: decimal precision %s is not an integer", format.ErrCorrupt, abbreviate(t.Precision))
	}
	width := 128 // the format's default, from before 256-bit decimals existed
	if t.BitWidth != nil {
		width = *t.BitWidth
	}
	id := map[int]arrow.Type{32: arrow.DECIMAL32, 64: arrow.DECIMAL64, 128: arrow.DECIMAL128, 256: arrow.DECIMAL256}[width]
	if id == 0 {
		return nil, fmt.Errorf("%w: decimal bitWidth %d", format.ErrUnsupported, width)
	}
	dt, err := arrow.NewDecimalType(id, precision, t.Scale)
	if err != nil {
		return nil, fmt.Errorf("%w: decimal%d(%d, %d): %v", format.ErrCorrupt, width, precision, t.Scale, err)
	}
	return dt, nil
}

var temporalTypes = map[string]map[string]arrow.DataType{
	"date": {
		"DAY":         arrow.FixedWidthTypes.Date32,
		"MILLISECOND": arrow.FixedWidthTypes.Date64,
	},
	"time": {
		"SECOND":      arrow.FixedWidthTypes.Time32s,
		"MILLISECOND": arrow.FixedWidthTypes.Time32ms,
		"MICROSECOND": arrow.FixedWidthTypes.Time64us,
		"NANOSECOND":  arrow.FixedWidthTypes.Time64ns,
	},
	"duration": {
		"SECOND":      arrow.FixedWidthTypes.Duration_s,
		"MILLISECOND": arrow.FixedWidthTypes.Duration_ms,
		"MICROSECOND": arrow.FixedWidthTypes.Duration_us,
		"NANOSECOND":  arrow.FixedWidthTypes.Duration_ns,
	},
	"interval": {
		"YEAR_MONTH":     arrow.FixedWidthTypes.MonthInterval,
		"DAY_TIME":       arrow.FixedWidthTypes.DayTimeInterval,
		"MONTH_DAY_NANO": arrow.FixedWidthTypes.MonthDayNanoInterval,
	},
}

var timeUnits = map[string]arrow.TimeUnit{
	"SECOND":      arrow.Second,
	"MILLISECOND": arrow.Millisecond,
	"MICROSECOND": arrow.Microsecond,
	"NANOSECOND":  arrow.Nanosecond,
}

func temporalType(t jsonType) (arrow.DataType, error) {
	if t.Name == "timestamp" {
		unit, ok := timeUnits[t.Unit]
		if !ok {
			return nil, fmt.Errorf("%w: timestamp unit %q", format.ErrUnsupported, t.Unit)
		}
		return &arrow.TimestampType{Unit: unit, TimeZone: t.Timezone}, nil
	}
	dt, ok := temporalTypes[t.Name][t.Unit]
	if !ok {
		return nil, fmt.Errorf("%w: %s unit %q", format.ErrUnsupported, t.Name, t.Unit)
	}
	// time's bitWidth is implied by its unit; a file that says otherwise
	// describes a type Arrow does not have.
	if t.Name == "time" && t.BitWidth != nil && *t.BitWidth != dt.(arrow.FixedWidthDataType).BitWidth() {
		return nil, fmt.Errorf("%w: time unit %s with bitWidth %d", format.ErrCorrupt, t.Unit, *t.BitWidth)
	}
	return dt, nil
}

func mapType(t jsonType, entries arrow.Field) (arrow.DataType, error) {
	st, ok := entries.Type.(*arrow.StructType)
	if !ok || st.NumFields() != 2 || entries.Nullable {
		return nil, fmt.Errorf("%w: map entries must be a non-nullable struct of key and value, not %s", format.ErrCorrupt, entries.Type)
	}
	if st.Field(0).Nullable {
		return nil, fmt.Errorf("%w: map keys must not be nullable", format.ErrCorrupt)
	}
	mt := arrow.MapOfFields(st.Field(0), st.Field(1))
	mt.KeysSorted = t.KeysSorted
	return mt, nil
}

func unionType(t jsonType, children []arrow.Field) (arrow.DataType, error) {
	if len(t.TypeIDs) != len(children) {
		return nil, fmt.Errorf("%w: union with %d typeIds and %d children", format.ErrCorrupt, len(t.TypeIDs), len(children))
	}
	codes := make([]arrow.UnionTypeCode, len(t.TypeIDs))
	seen := map[int32]bool{}
	for i, id := range t.TypeIDs {
		if id < 0 || id > int32(arrow.MaxUnionTypeCode) || seen[id] {
			return nil, fmt.Errorf("%w: union typeIds %v are not distinct values in [0, %d]", format.ErrCorrupt, t.TypeIDs, arrow.MaxUnionTypeCode)
		}
		seen[id] = true
		codes[i] = arrow.UnionTypeCode(id)
	}
	switch t.Mode {
	case "SPARSE":
		return arrow.SparseUnionOf(children, codes), nil
	case "DENSE":
		return arrow.DenseUnionOf(children, codes), nil
	}
	return nil, fmt.Errorf("%w: union mode %q", format.ErrUnsupported, t.Mode)
}

func runEndEncodedType(children []arrow.Field) (arrow.DataType, error) {
	runEnds, values := children[0], children[1]
	switch runEnds.Type.ID() {
	case arrow.INT16, arrow.INT32, arrow.INT64:
	default:
		return nil, fmt.Errorf("%w: run ends of type %s, want int16, int32 or int64", format.ErrCorrupt, runEnds.Type)
	}
	if runEnds.Nullable {
		return nil, fmt.Errorf("%w: nullable run ends", format.ErrCorrupt)
	}
	dt := arrow.RunEndEncodedOf(runEnds.Type, values.Type)
	dt.ValueNullable = values.Nullable
	return dt, nil
}

// abbreviate keeps error messages short when the offending JSON is long.
func abbreviate(raw []byte) string {
	const limit = 80
	if len(raw) <= limit {
		return string(raw)
	}
	return string(raw[:limit]) + "..."
}

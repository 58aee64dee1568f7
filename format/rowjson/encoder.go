package rowjson

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// encodeFunc appends the JSON of value i of arr. Each is compiled for one
// Arrow type; given an array of another type (a batch that does not match
// the Encoder's schema) it falls back to AppendValue, which compiles for
// the array's own type, so the output is right either way.
type encodeFunc func(dst []byte, arr arrow.Array, i int) []byte

// An Encoder writes the rows of record batches with one schema as JSON
// objects. It compiles one encoding function per column up front, so
// encoding a row does no reflection, no type switch on the schema and no
// allocation beyond growing dst.
//
// An Encoder is immutable: one may be shared by any number of goroutines.
type Encoder struct {
	schema *arrow.Schema
	cols   []column
}

// column is a compiled top-level field: its key, already escaped and
// followed by a colon, and its value's encoder.
type column struct {
	key []byte
	enc encodeFunc
}

// NewEncoder compiles an Encoder for batches of schema.
func NewEncoder(schema *arrow.Schema) *Encoder {
	e := &Encoder{schema: schema, cols: make([]column, schema.NumFields())}
	for c, f := range schema.Fields() {
		e.cols[c] = column{key: objectKey(f.Name), enc: compile(f.Type)}
	}
	return e
}

// Schema returns the schema the Encoder was compiled for.
func (e *Encoder) Schema() *arrow.Schema { return e.schema }

// AppendRow appends row of rec as a JSON object mapping each column name to
// its value, in schema order, with no whitespace and no trailing newline.
//
// rec should have the Encoder's schema. A batch with a different number of
// columns is encoded with its own schema instead (slowly: the encoder is
// compiled for that call); a column of a different type is encoded by its
// own type under the Encoder's column name.
func (e *Encoder) AppendRow(dst []byte, rec arrow.RecordBatch, row int) []byte {
	if int(rec.NumCols()) != len(e.cols) {
		return NewEncoder(rec.Schema()).AppendRow(dst, rec, row)
	}
	dst = append(dst, '{')
	for c := range e.cols {
		if c > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e.cols[c].key...)
		dst = e.cols[c].enc(dst, rec.Column(c), row)
	}
	return append(dst, '}')
}

// AppendValue appends the JSON of value i of arr. It compiles an encoder
// for arr's type on every call, which allocates for nested types; to
// encode many values of one type, prefer an Encoder.
func AppendValue(dst []byte, arr arrow.Array, i int) []byte {
	return compile(arr.DataType())(dst, arr, i)
}

// objectKey returns name as a JSON object key: a quoted string and a colon.
func objectKey(name string) []byte {
	return append(appendString(nil, name), ':')
}

// compile returns the encoder for values of type dt.
func compile(dt arrow.DataType) encodeFunc {
	switch dt.ID() {
	case arrow.NULL:
		return appendNullValue
	case arrow.BOOL:
		return appendBool
	case arrow.INT8:
		return appendInt8
	case arrow.INT16:
		return appendInt16
	case arrow.INT32:
		return appendInt32
	case arrow.INT64:
		return appendInt64
	case arrow.UINT8:
		return appendUint8
	case arrow.UINT16:
		return appendUint16
	case arrow.UINT32:
		return appendUint32
	case arrow.UINT64:
		return appendUint64
	case arrow.FLOAT16:
		return appendFloat16Value
	case arrow.FLOAT32:
		return appendFloat32Value
	case arrow.FLOAT64:
		return appendFloat64Value
	case arrow.DECIMAL32:
		return decimal32Encoder(dt.(*arrow.Decimal32Type).Scale)
	case arrow.DECIMAL64:
		return decimal64Encoder(dt.(*arrow.Decimal64Type).Scale)
	case arrow.DECIMAL128:
		return decimal128Encoder(dt.(*arrow.Decimal128Type).Scale)
	case arrow.DECIMAL256:
		return decimal256Encoder(dt.(*arrow.Decimal256Type).Scale)
	case arrow.STRING:
		return appendStringValue
	case arrow.LARGE_STRING:
		return appendLargeStringValue
	case arrow.STRING_VIEW:
		return appendStringViewValue
	case arrow.BINARY:
		return appendBinaryValue
	case arrow.LARGE_BINARY:
		return appendLargeBinaryValue
	case arrow.BINARY_VIEW:
		return appendBinaryViewValue
	case arrow.FIXED_SIZE_BINARY:
		return appendFixedSizeBinaryValue
	case arrow.DATE32:
		return appendDate32
	case arrow.DATE64:
		return appendDate64
	case arrow.TIMESTAMP:
		ts := dt.(*arrow.TimestampType)
		return timestampEncoder(ts.Unit, ts.TimeZone != "")
	case arrow.TIME32:
		return time32Encoder(dt.(*arrow.Time32Type).Unit)
	case arrow.TIME64:
		return time64Encoder(dt.(*arrow.Time64Type).Unit)
	case arrow.DURATION:
		return appendDuration
	case arrow.INTERVAL_MONTHS:
		return appendMonthInterval
	case arrow.INTERVAL_DAY_TIME:
		return appendDayTimeInterval
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return appendMonthDayNanoInterval
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		return listEncoder(dt.(arrow.ListLikeType).Elem())
	case arrow.MAP:
		return mapEncoder(dt.(*arrow.MapType))
	case arrow.STRUCT:
		return structEncoder(dt.(*arrow.StructType))
	case arrow.SPARSE_UNION, arrow.DENSE_UNION:
		return unionEncoder(dt.(arrow.UnionType))
	case arrow.DICTIONARY:
		return dictionaryEncoder(dt.(*arrow.DictionaryType).ValueType)
	case arrow.RUN_END_ENCODED:
		return runEndEncoder(dt.(*arrow.RunEndEncodedType).Encoded())
	case arrow.EXTENSION:
		return extensionEncoder(dt.(arrow.ExtensionType).StorageType())
	}
	return appendUnknown
}

// appendUnknown covers a type ID this package does not know (one added to
// Arrow after it was written): null keeps the output valid JSON.
func appendUnknown(dst []byte, _ arrow.Array, _ int) []byte {
	return append(dst, "null"...)
}

func appendNullValue(dst []byte, _ arrow.Array, _ int) []byte {
	return append(dst, "null"...)
}

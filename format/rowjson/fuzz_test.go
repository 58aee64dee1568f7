package rowjson

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzAppendValue builds a random array of a random (possibly deeply
// nested) type from the two seeds, then checks that every value, of the
// array and of a slice of it, and every row of a batch holding it, encodes
// to valid JSON.
func FuzzAppendValue(f *testing.F) {
	for i := range uint64(64) {
		f.Add(i, i*7919)
	}
	f.Fuzz(func(t *testing.T, seed1, seed2 uint64) {
		r := rand.New(rand.NewPCG(seed1, seed2))
		dt := randomType(r, 3)
		var sb strings.Builder
		sb.WriteByte('[')
		n := r.IntN(8)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeRandomValue(&sb, r, dt, true)
		}
		sb.WriteByte(']')

		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		arr, _, err := array.FromJSON(mem, dt, strings.NewReader(sb.String()))
		if err != nil {
			t.Fatalf("building %s from %s: %v", dt, sb.String(), err)
		}
		defer arr.Release()
		checkValid(t, arr)
		if n > 1 {
			sl := array.NewSlice(arr, 1, int64(n))
			defer sl.Release()
			checkValid(t, sl)
		}
		schema := arrow.NewSchema([]arrow.Field{{Name: "c", Type: dt, Nullable: true}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{arr}, int64(n))
		defer rec.Release()
		enc := NewEncoder(schema)
		for row := range n {
			if b := enc.AppendRow(nil, rec, row); !json.Valid(b) {
				t.Fatalf("%s row %d: invalid JSON %s", dt, row, b)
			}
		}
	})
}

func checkValid(t *testing.T, arr arrow.Array) {
	t.Helper()
	for i := range arr.Len() {
		if b := AppendValue(nil, arr, i); !json.Valid(b) {
			t.Fatalf("%s value %d: invalid JSON %s", arr.DataType(), i, b)
		}
	}
}

var timeUnits = []arrow.TimeUnit{arrow.Second, arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond}

func randomType(r *rand.Rand, depth int) arrow.DataType {
	if depth > 0 && r.IntN(3) == 0 {
		return randomNestedType(r, depth-1)
	}
	switch r.IntN(29) {
	case 0:
		return arrow.Null
	case 1:
		return arrow.FixedWidthTypes.Boolean
	case 2:
		return arrow.PrimitiveTypes.Int8
	case 3:
		return arrow.PrimitiveTypes.Int16
	case 4:
		return arrow.PrimitiveTypes.Int32
	case 5:
		return arrow.PrimitiveTypes.Int64
	case 6:
		return arrow.PrimitiveTypes.Uint8
	case 7:
		return arrow.PrimitiveTypes.Uint16
	case 8:
		return arrow.PrimitiveTypes.Uint32
	case 9:
		return arrow.PrimitiveTypes.Uint64
	case 10:
		return arrow.FixedWidthTypes.Float16
	case 11:
		return arrow.PrimitiveTypes.Float32
	case 12:
		return arrow.PrimitiveTypes.Float64
	case 13:
		return &arrow.Decimal128Type{Precision: int32(1 + r.IntN(38)), Scale: int32(r.IntN(10))}
	case 14:
		return &arrow.Decimal256Type{Precision: int32(1 + r.IntN(76)), Scale: int32(r.IntN(20))}
	case 15:
		return arrow.BinaryTypes.String
	case 16:
		return arrow.BinaryTypes.LargeString
	case 17:
		return arrow.BinaryTypes.StringView
	case 18:
		return arrow.BinaryTypes.Binary
	case 19:
		return arrow.BinaryTypes.LargeBinary
	case 20:
		return &arrow.FixedSizeBinaryType{ByteWidth: 1 + r.IntN(5)}
	case 21:
		return arrow.FixedWidthTypes.Date32
	case 22:
		return arrow.FixedWidthTypes.Date64
	case 23:
		tz := ""
		if r.IntN(2) == 0 {
			tz = "Europe/Paris"
		}
		return &arrow.TimestampType{Unit: timeUnits[r.IntN(4)], TimeZone: tz}
	case 24:
		return &arrow.Time32Type{Unit: timeUnits[r.IntN(2)]}
	case 25:
		return &arrow.Time64Type{Unit: timeUnits[2+r.IntN(2)]}
	case 26:
		return &arrow.DurationType{Unit: timeUnits[r.IntN(4)]}
	case 27:
		return arrow.FixedWidthTypes.DayTimeInterval
	}
	return arrow.FixedWidthTypes.MonthDayNanoInterval
}

func randomNestedType(r *rand.Rand, depth int) arrow.DataType {
	switch r.IntN(10) {
	case 0:
		return arrow.ListOf(randomType(r, depth))
	case 1:
		return arrow.LargeListOf(randomType(r, depth))
	case 2:
		return arrow.FixedSizeListOf(int32(1+r.IntN(3)), randomType(r, depth))
	case 3:
		return arrow.ListViewOf(randomType(r, depth))
	case 4:
		fields := make([]arrow.Field, 1+r.IntN(3))
		for i := range fields {
			// Unique names: FromJSON cannot fill a struct with duplicates.
			fields[i] = arrow.Field{Name: fmt.Sprint(i, randomString(r)), Type: randomType(r, depth), Nullable: true}
		}
		return arrow.StructOf(fields...)
	case 5:
		key := arrow.DataType(arrow.BinaryTypes.String)
		if r.IntN(2) == 0 {
			key = arrow.PrimitiveTypes.Int32
		}
		return arrow.MapOf(key, randomType(r, depth))
	case 6:
		values := []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64}
		return &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: values[r.IntN(3)]}
	case 7:
		values := []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.FixedWidthTypes.Boolean}
		return arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, values[r.IntN(3)])
	}
	fields := make([]arrow.Field, 1+r.IntN(3))
	codes := make([]arrow.UnionTypeCode, len(fields))
	for i := range fields {
		fields[i] = arrow.Field{Name: fmt.Sprint("u", i), Type: randomType(r, depth), Nullable: true}
		codes[i] = arrow.UnionTypeCode(i * 3)
	}
	if r.IntN(2) == 0 {
		return arrow.SparseUnionOf(fields, codes)
	}
	return arrow.DenseUnionOf(fields, codes)
}

var trickyRunes = []rune{'a', 'Z', ' ', '"', '\\', '\n', '\t', 0, 0x1f, 0x7f, '<', '&', 'é', '日', '🎉', '\u2028', '\u2029', 0xfffd}

func randomString(r *rand.Rand) string {
	rs := make([]rune, r.IntN(6))
	for i := range rs {
		rs[i] = trickyRunes[r.IntN(len(trickyRunes))]
	}
	return string(rs)
}

// writeRandomValue writes a random value of dt in the JSON notation that
// array.FromJSON reads.
func writeRandomValue(sb *strings.Builder, r *rand.Rand, dt arrow.DataType, nullable bool) {
	if nullable && dt.ID() != arrow.SPARSE_UNION && dt.ID() != arrow.DENSE_UNION && r.IntN(5) == 0 {
		sb.WriteString("null")
		return
	}
	str := func(s string) {
		b, _ := json.Marshal(s)
		sb.Write(b)
	}
	num := func(v int64) { sb.WriteString(strconv.FormatInt(v, 10)) }
	switch dt := dt.(type) {
	case *arrow.NullType:
		sb.WriteString("null")
	case *arrow.BooleanType:
		sb.WriteString(strconv.FormatBool(r.IntN(2) == 0))
	case *arrow.Int8Type:
		num(int64(int8(r.Uint32())))
	case *arrow.Int16Type:
		num(int64(int16(r.Uint32())))
	case *arrow.Int32Type:
		num(int64(int32(r.Uint32())))
	case *arrow.Int64Type, *arrow.DurationType:
		num(int64(r.Uint64()))
	case *arrow.Uint8Type:
		num(int64(uint8(r.Uint32())))
	case *arrow.Uint16Type:
		num(int64(uint16(r.Uint32())))
	case *arrow.Uint32Type:
		num(int64(r.Uint32()))
	case *arrow.Uint64Type:
		sb.WriteString(strconv.FormatUint(r.Uint64(), 10))
	case *arrow.Float16Type:
		sb.WriteString(strconv.FormatFloat(r.NormFloat64()*math.Pow(10, float64(r.IntN(8)-4)), 'g', -1, 32))
	case *arrow.Float32Type:
		f := float64(math.Float32frombits(r.Uint32()))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			f = r.NormFloat64()
		}
		sb.WriteString(strconv.FormatFloat(f, 'g', -1, 32))
	case *arrow.Float64Type:
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			f = r.NormFloat64()
		}
		sb.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	case *arrow.Decimal128Type:
		str(randomDecimal(r, dt.Precision, dt.Scale))
	case *arrow.Decimal256Type:
		str(randomDecimal(r, dt.Precision, dt.Scale))
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		str(randomString(r))
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		str(base64.StdEncoding.EncodeToString(b))
	case *arrow.FixedSizeBinaryType:
		b := make([]byte, dt.ByteWidth)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		str(base64.StdEncoding.EncodeToString(b))
	case *arrow.Date32Type:
		num(r.Int64N(2e6) - 1e6)
	case *arrow.Date64Type:
		num((r.Int64N(2e6) - 1e6) * 86400000)
	case *arrow.TimestampType:
		num(int64(r.Uint64()))
	case *arrow.Time32Type:
		per, _ := unitScale(dt.Unit)
		num(r.Int64N(86400 * per))
	case *arrow.Time64Type:
		per, _ := unitScale(dt.Unit)
		num(r.Int64N(86400 * per))
	case *arrow.DayTimeIntervalType:
		fmt.Fprintf(sb, `{"days":%d,"milliseconds":%d}`, int32(r.Uint32()), int32(r.Uint32()))
	case *arrow.MonthDayNanoIntervalType:
		fmt.Fprintf(sb, `{"months":%d,"days":%d,"nanoseconds":%d}`, int32(r.Uint32()), int32(r.Uint32()), int64(r.Uint64()))
	case *arrow.FixedSizeListType:
		writeList(sb, r, dt.Elem(), int(dt.Len()))
	case *arrow.MapType:
		sb.WriteByte('[')
		for i := range r.IntN(4) {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(`{"key":`)
			writeRandomValue(sb, r, dt.KeyType(), false)
			sb.WriteString(`,"value":`)
			writeRandomValue(sb, r, dt.ItemType(), true)
			sb.WriteByte('}')
		}
		sb.WriteByte(']')
	case arrow.ListLikeType:
		writeList(sb, r, dt.Elem(), r.IntN(4))
	case *arrow.StructType:
		sb.WriteByte('{')
		for i, f := range dt.Fields() {
			if i > 0 {
				sb.WriteByte(',')
			}
			str(f.Name)
			sb.WriteByte(':')
			writeRandomValue(sb, r, f.Type, true)
		}
		sb.WriteByte('}')
	case *arrow.DictionaryType:
		writeRandomValue(sb, r, dt.ValueType, false)
	case *arrow.RunEndEncodedType:
		writeRandomValue(sb, r, dt.Encoded(), true)
	case arrow.UnionType:
		k := r.IntN(len(dt.Fields()))
		fmt.Fprintf(sb, "[%d,", dt.TypeCodes()[k])
		writeRandomValue(sb, r, dt.Fields()[k].Type, true)
		sb.WriteByte(']')
	default:
		panic(fmt.Sprintf("writeRandomValue: no generator for %s", dt))
	}
}

func writeList(sb *strings.Builder, r *rand.Rand, elem arrow.DataType, n int) {
	sb.WriteByte('[')
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		writeRandomValue(sb, r, elem, true)
	}
	sb.WriteByte(']')
}

func randomDecimal(r *rand.Rand, precision, scale int32) string {
	digits := make([]byte, 1+r.IntN(int(precision)))
	for i := range digits {
		digits[i] = byte('0' + r.IntN(10))
	}
	s := strings.TrimLeft(string(digits), "0")
	for len(s) <= int(scale) {
		s = "0" + s
	}
	if scale > 0 {
		s = s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
	}
	if r.IntN(2) == 0 {
		s = "-" + s
	}
	return s
}

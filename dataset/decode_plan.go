package dataset

import (
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
)

// A decodeFn decodes the n values of arr starting at index from into n Go
// values laid out stride bytes apart from dst. It writes every one of them,
// nulls as the Go zero value, so dst may hold anything beforehand.
//
// Plans are built once per (Arrow type, Go type) pair by decodePlan and
// work a run of values at a time, so a batch is decoded column by column in
// tight loops, with no reflection per value for scalars. A run of one value
// is how single rows are decoded.
//
// dst points into memory the caller allocated as Go values of the plan's Go
// type (a []T, a struct field, a slice backing array); writes go through
// typed pointers so the garbage collector sees every pointer stored.
type decodeFn func(arr arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error

// decodePath names what a plan decodes, for error messages: the Go field
// path, the column path, and what the Arrow type belongs to.
type decodePath struct {
	field   string // "Meta.Label"
	column  string // "meta.label"
	subject string // "column", "list element", "map key", "map value"
	suffix  string // "[]" once inside list elements, added before a child name

	// borrow lets strings and number slices point into the batch's
	// buffers instead of copying them: see newDecoder.
	borrow bool
}

func decodeRootPath(borrow bool) decodePath {
	return decodePath{subject: "column", borrow: borrow}
}

// child is the path of a named field inside the current value.
func (p decodePath) child(goName, colName string) decodePath {
	c := decodePath{subject: "column", borrow: p.borrow}
	c.field = goName
	if p.field != "" {
		c.field = p.field + p.suffix + "." + goName
	}
	c.column = colName
	if p.column != "" {
		c.column = p.column + p.suffix + "." + colName
	}
	return c
}

// elem is the path of the values inside a list or map.
func (p decodePath) elem(subject, suffix string) decodePath {
	p.subject = subject
	p.suffix += suffix
	return p
}

func (p decodePath) mismatch(dt arrow.DataType, rt reflect.Type) error {
	return decodeAt(decodeSchemaErr("%s is %s, cannot decode into %s", p.subject, dt, rt), p, -1)
}

func (p decodePath) unsupported(rt reflect.Type) error {
	return decodeAt(decodeSchemaErr("cannot decode into %s: unsupported Go type", rt), p, -1)
}

var (
	decodeTimeType     = reflect.TypeFor[time.Time]()
	decodeDurationType = reflect.TypeFor[time.Duration]()
)

// decodePlan builds the decodeFn that decodes values of type dt into Go
// values of type rt, or says why it cannot. Every decision that does not
// depend on a value (whether the types match at all, whether a narrowing
// needs a range check, a fixed list's length against a Go array's) is taken
// here, once, so that a struct which cannot match a schema fails before the
// first row.
func decodePlan(p decodePath, dt arrow.DataType, rt reflect.Type) (decodeFn, error) {
	// Encodings that wrap another Arrow type decode as that type.
	switch dt.ID() {
	case arrow.EXTENSION:
		return decodeExtensionPlan(p, dt.(arrow.ExtensionType), rt)
	case arrow.DICTIONARY:
		return decodeDictionaryPlan(p, dt.(*arrow.DictionaryType), rt)
	case arrow.RUN_END_ENCODED:
		return decodeRunEndPlan(p, dt.(*arrow.RunEndEncodedType), rt)
	case arrow.NULL:
		return decodeNullPlan(p, rt)
	}
	switch {
	case rt.Kind() == reflect.Interface:
		if rt.NumMethod() != 0 {
			return nil, p.unsupported(rt)
		}
		return decodeAnyPlan(), nil
	case rt.Kind() == reflect.Pointer:
		return decodePointerPlan(p, dt, rt)
	case rt == decodeTimeType:
		return decodeTimePlan(p, dt, rt)
	case rt == decodeDurationType:
		return decodeDurationPlan(p, dt, rt)
	}
	switch rt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return decodeIntPlan(p, dt, rt)
	case reflect.Float32, reflect.Float64:
		return decodeFloatPlan(p, dt, rt)
	case reflect.Bool:
		return decodeBoolPlan(p, dt, rt)
	case reflect.String:
		return decodeStringPlan(p, dt, rt)
	case reflect.Slice:
		if rt.Elem().Kind() == reflect.Uint8 && decodeIsBinary(dt.ID()) {
			return decodeBytesPlan(p, dt, rt)
		}
		return decodeSlicePlan(p, dt, rt)
	case reflect.Array:
		if rt.Elem().Kind() == reflect.Uint8 && dt.ID() == arrow.FIXED_SIZE_BINARY {
			return decodeFixedBytesPlan(p, dt.(*arrow.FixedSizeBinaryType), rt)
		}
		return decodeArrayPlan(p, dt, rt)
	case reflect.Map:
		return decodeMapPlan(p, dt, rt)
	case reflect.Struct:
		return decodeStructPlan(p, dt, rt)
	}
	return nil, p.unsupported(rt)
}

// decodeWrongArray reports an array whose Go type is not the one its data
// type promises, which only a batch built by hand around bad data has.
func decodeWrongArray(arr arrow.Array, want string) error {
	if arr == nil {
		return decodeCorruptErr("missing array, want %s", want)
	}
	return decodeCorruptErr("array of type %s is a %T, want %s", arr.DataType(), arr, want)
}

// decodeSpan checks that values [from, from+n) exist in an array of length
// size; decode functions that index raw buffers call it first.
func decodeSpan(from, n, size int) error {
	if from < 0 || n < 0 || from > size || n > size-from {
		return decodeCorruptErr("values [%d, %d) outside an array of %d", from, from+n, size)
	}
	return nil
}

// decodeQuote quotes a map key for a Go field path.
func decodeQuote(s string) string { return "[" + strconv.Quote(s) + "]" }

package jsonl

import (
	"encoding/base64"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
)

// A leaf appends scalars of one Arrow type: numbers, strings, booleans.
type leaf interface {
	// token appends a scalar of the given kind, whose text is tok (a
	// number's digits or a string's unescaped content). It returns
	// errMisfit, or a more precise reason, when the value does not fit.
	token(kind byte, tok []byte) error
	appendNull()
}

// leafDecoder adapts a leaf to a decoder.
type leafDecoder struct {
	leaf
	path, want string
}

func (d *leafDecoder) decode(s *scanner) error {
	start, kind, tok, err := s.scalar()
	if err != nil {
		return err
	}
	if kind == tokNull {
		d.appendNull()
		return nil
	}
	reason := errMisfit
	if kind != tokArray && kind != tokObject {
		if reason = d.token(kind, tok); reason == nil {
			return nil
		}
	}
	return s.misfit(start, kind, d.path, d.want, reason)
}

func (d *leafDecoder) appendText(b []byte) error {
	if err := d.token(tokString, b); err != nil {
		return textMisfit(b, d.path, d.want, err)
	}
	return nil
}

// compileLeaf returns the decoder of a scalar column, or nil for nested
// types.
func compileLeaf(b array.Builder, path string) decoder {
	dt := b.Type()
	wrap := func(l leaf) decoder { return &leafDecoder{leaf: l, path: path, want: dt.String()} }
	switch b := b.(type) {
	case *array.NullBuilder:
		return wrap(nullLeaf{b})
	case *array.BooleanBuilder:
		return &boolDecoder{b: b, path: path}
	case *array.Int64Builder:
		return &int64Decoder{b: b, path: path}
	case *array.Float64Builder:
		return &float64Decoder{b: b, path: path}
	case *array.StringBuilder:
		return &stringDecoder{b: b.BinaryBuilder}
	case *array.LargeStringBuilder:
		return &stringDecoder{b: b.BinaryBuilder}
	case *array.StringViewBuilder:
		return &stringDecoder{b: b.BinaryViewBuilder}
	case *array.Int8Builder:
		return wrap(&intLeaf[int8]{b: b})
	case *array.Int16Builder:
		return wrap(&intLeaf[int16]{b: b})
	case *array.Int32Builder:
		return wrap(&intLeaf[int32]{b: b})
	case *array.Uint8Builder:
		return wrap(&uintLeaf[uint8]{b: b})
	case *array.Uint16Builder:
		return wrap(&uintLeaf[uint16]{b: b})
	case *array.Uint32Builder:
		return wrap(&uintLeaf[uint32]{b: b})
	case *array.Uint64Builder:
		return wrap(&uintLeaf[uint64]{b: b})
	case *array.Float16Builder:
		return wrap(float16Leaf{b})
	case *array.Float32Builder:
		return wrap(float32Leaf{b})
	case *array.BinaryBuilder: // binary and large binary
		return wrap(&binaryLeaf{b: b})
	case *array.BinaryViewBuilder:
		return wrap(&binaryLeaf{b: b})
	case *array.FixedSizeBinaryBuilder:
		return wrap(&fixedBinaryLeaf{b: b, width: dt.(*arrow.FixedSizeBinaryType).ByteWidth})
	case *array.Date32Builder:
		return wrap(date32Leaf{b})
	case *array.Date64Builder:
		return wrap(date64Leaf{b})
	case *array.Time32Builder:
		return wrap(time32Leaf{b, dt.(*arrow.Time32Type).Unit})
	case *array.Time64Builder:
		return wrap(time64Leaf{b, dt.(*arrow.Time64Type).Unit})
	case *array.TimestampBuilder:
		return wrap(timestampLeaf{b, dt.(*arrow.TimestampType).Unit})
	case *array.DurationBuilder:
		return wrap(durationLeaf{b})
	case *array.Decimal32Builder, *array.Decimal64Builder, *array.Decimal128Builder, *array.Decimal256Builder:
		return wrap(newDecimalLeaf(b))
	}
	return nil
}

type nullLeaf struct{ b *array.NullBuilder }

func (l nullLeaf) token(byte, []byte) error { return errMisfit }
func (l nullLeaf) appendNull()              { l.b.AppendNull() }

// appender is the shape of arrow-go's typed builders.
type appender[T any] interface {
	Append(T)
	AppendNull()
}

type intLeaf[T int8 | int16 | int32] struct{ b appender[T] }

func (l *intLeaf[T]) token(kind byte, tok []byte) error {
	if kind != tokInt && kind != tokString {
		return errMisfit
	}
	v, ok := parseInt(tok)
	if !ok {
		return errMisfit
	}
	if int64(T(v)) != v {
		return errRange
	}
	l.b.Append(T(v))
	return nil
}

func (l *intLeaf[T]) appendNull() { l.b.AppendNull() }

type uintLeaf[T uint8 | uint16 | uint32 | uint64] struct{ b appender[T] }

func (l *uintLeaf[T]) token(kind byte, tok []byte) error {
	if kind != tokInt && kind != tokString {
		return errMisfit
	}
	v, ok := parseUint(tok)
	if !ok {
		if len(tok) > 0 && tok[0] == '-' {
			return errRange
		}
		return errMisfit
	}
	if uint64(T(v)) != v {
		return errRange
	}
	l.b.Append(T(v))
	return nil
}

func (l *uintLeaf[T]) appendNull() { l.b.AppendNull() }

type float16Leaf struct{ b *array.Float16Builder }

func (l float16Leaf) token(kind byte, tok []byte) error {
	if kind != tokInt && kind != tokFloat && kind != tokString {
		return errMisfit
	}
	f, ok := parseFloat(tok, 64)
	if !ok {
		return errMisfit
	}
	l.b.Append(float16.FromBits(halfBits(f)))
	return nil
}

func (l float16Leaf) appendNull() { l.b.AppendNull() }

type float32Leaf struct{ b *array.Float32Builder }

func (l float32Leaf) token(kind byte, tok []byte) error {
	if kind != tokInt && kind != tokFloat && kind != tokString {
		return errMisfit
	}
	f, ok := parseFloat(tok, 32)
	if !ok {
		return errMisfit
	}
	l.b.Append(float32(f))
	return nil
}

func (l float32Leaf) appendNull() { l.b.AppendNull() }

// binaryLeaf reads standard base64 (padded, or unpadded as some writers
// leave it), the form rowjson writes binary values in.
type binaryLeaf struct {
	b interface {
		Append([]byte)
		AppendNull()
	}
	buf []byte
}

func (l *binaryLeaf) token(kind byte, tok []byte) error {
	if kind != tokString {
		return errMisfit
	}
	v, err := decodeBase64(l.buf[:0], tok)
	if err != nil {
		return err
	}
	l.buf = v
	l.b.Append(v)
	return nil
}

func (l *binaryLeaf) appendNull() { l.b.AppendNull() }

func decodeBase64(dst, src []byte) ([]byte, error) {
	enc := base64.StdEncoding
	if len(src)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	return enc.AppendDecode(dst, src)
}

type fixedBinaryLeaf struct {
	b     *array.FixedSizeBinaryBuilder
	width int
	buf   []byte
}

func (l *fixedBinaryLeaf) token(kind byte, tok []byte) error {
	if kind != tokString {
		return errMisfit
	}
	v, err := decodeBase64(l.buf[:0], tok)
	if err != nil {
		return err
	}
	l.buf = v
	if len(v) != l.width {
		return errWidth
	}
	l.b.Append(v)
	return nil
}

func (l *fixedBinaryLeaf) appendNull() { l.b.AppendNull() }

type date32Leaf struct{ b *array.Date32Builder }

func (l date32Leaf) token(kind byte, tok []byte) error {
	var days int64
	switch kind {
	case tokInt:
		v, ok := parseInt(tok)
		if !ok {
			return errMisfit
		}
		days = v
	case tokString:
		d, n, ok := parseDate(tok)
		if !ok || n != len(tok) {
			return errMisfit
		}
		days = d
	default:
		return errMisfit
	}
	if days < math.MinInt32 || days > math.MaxInt32 {
		return errOverflow
	}
	l.b.Append(arrow.Date32(days))
	return nil
}

func (l date32Leaf) appendNull() { l.b.AppendNull() }

type date64Leaf struct{ b *array.Date64Builder }

func (l date64Leaf) token(kind byte, tok []byte) error {
	switch kind {
	case tokInt:
		v, ok := parseInt(tok)
		if !ok {
			return errMisfit
		}
		l.b.Append(arrow.Date64(v))
		return nil
	case tokString:
		d, n, ok := parseDate(tok)
		if !ok || n != len(tok) {
			return errMisfit
		}
		ms, err := toUnit(d*secondsPerDay, 0, arrow.Millisecond)
		if err != nil {
			return err
		}
		l.b.Append(arrow.Date64(ms))
		return nil
	}
	return errMisfit
}

func (l date64Leaf) appendNull() { l.b.AppendNull() }

// timeTicks parses a time of day (text or an integer count of unit) into
// ticks of unit.
func timeTicks(kind byte, tok []byte, unit arrow.TimeUnit) (int64, error) {
	switch kind {
	case tokInt:
		if v, ok := parseInt(tok); ok {
			return v, nil
		}
		return 0, errOverflow
	case tokString:
		nanos, ok := parseTimeOfDay(tok)
		if !ok {
			return 0, errMisfit
		}
		sec, frac := nanos/nanosPerSec, nanos%nanosPerSec
		return toUnit(sec, frac, unit)
	}
	return 0, errMisfit
}

type time32Leaf struct {
	b    *array.Time32Builder
	unit arrow.TimeUnit
}

func (l time32Leaf) token(kind byte, tok []byte) error {
	v, err := timeTicks(kind, tok, l.unit)
	if err != nil {
		return err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return errOverflow
	}
	l.b.Append(arrow.Time32(v))
	return nil
}

func (l time32Leaf) appendNull() { l.b.AppendNull() }

type time64Leaf struct {
	b    *array.Time64Builder
	unit arrow.TimeUnit
}

func (l time64Leaf) token(kind byte, tok []byte) error {
	v, err := timeTicks(kind, tok, l.unit)
	if err != nil {
		return err
	}
	l.b.Append(arrow.Time64(v))
	return nil
}

func (l time64Leaf) appendNull() { l.b.AppendNull() }

// timestampLeaf reads RFC 3339 text or an integer count of the unit since
// the epoch. Text with a UTC offset is converted to the instant; text
// without one is taken as UTC (the wall clock of a naive timestamp).
type timestampLeaf struct {
	b    *array.TimestampBuilder
	unit arrow.TimeUnit
}

func (l timestampLeaf) token(kind byte, tok []byte) error {
	switch kind {
	case tokInt:
		v, ok := parseInt(tok)
		if !ok {
			return errOverflow
		}
		l.b.Append(arrow.Timestamp(v))
		return nil
	case tokString:
		sec, nsec, _, ok := parseTimestamp(tok)
		if !ok {
			return errMisfit
		}
		v, err := toUnit(sec, nsec, l.unit)
		if err != nil {
			return err
		}
		l.b.Append(arrow.Timestamp(v))
		return nil
	}
	return errMisfit
}

func (l timestampLeaf) appendNull() { l.b.AppendNull() }

// durationLeaf reads an integer count of the unit, as rowjson writes it.
type durationLeaf struct{ b *array.DurationBuilder }

func (l durationLeaf) token(kind byte, tok []byte) error {
	if kind != tokInt && kind != tokString {
		return errMisfit
	}
	v, ok := parseInt(tok)
	if !ok {
		return errMisfit
	}
	l.b.Append(arrow.Duration(v))
	return nil
}

func (l durationLeaf) appendNull() { l.b.AppendNull() }

package jsonl

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// decimalLeaf reads a decimal exactly from a JSON number or string ("1.50",
// "-2e3"); rowjson writes decimals as strings so that no JSON reader turns
// them into floats. A value needing rounding or more digits than the
// precision is refused, never rounded.
type decimalLeaf struct {
	b                array.Builder
	precision, scale int32
	digits           []byte
	big              big.Int
}

func newDecimalLeaf(b array.Builder) *decimalLeaf {
	d := b.Type().(arrow.DecimalType)
	// A schema may claim more precision than the width holds; the width
	// wins, so that every accepted value fits.
	limit := int32(76)
	switch b.(type) {
	case *array.Decimal32Builder:
		limit = 9
	case *array.Decimal64Builder:
		limit = 18
	case *array.Decimal128Builder:
		limit = 38
	}
	return &decimalLeaf{b: b, precision: min(d.GetPrecision(), limit), scale: d.GetScale()}
}

func (l *decimalLeaf) token(kind byte, tok []byte) error {
	if kind != tokInt && kind != tokFloat && kind != tokString {
		return errMisfit
	}
	neg, digits, err := parseDecimal(tok, l.precision, l.scale, l.digits[:0])
	if err != nil {
		return err
	}
	l.digits = digits
	small := len(digits) <= 18
	switch b := l.b.(type) {
	case *array.Decimal32Builder:
		b.Append(decimal.Decimal32(smallDecimal(neg, digits)))
	case *array.Decimal64Builder:
		b.Append(decimal.Decimal64(smallDecimal(neg, digits)))
	case *array.Decimal128Builder:
		if small {
			b.Append(decimal128.FromI64(smallDecimal(neg, digits)))
		} else {
			b.Append(decimal128.FromBigInt(bigDecimal(&l.big, neg, digits)))
		}
	case *array.Decimal256Builder:
		if small {
			b.Append(decimal256.FromI64(smallDecimal(neg, digits)))
		} else {
			b.Append(decimal256.FromBigInt(bigDecimal(&l.big, neg, digits)))
		}
	}
	return nil
}

func (l *decimalLeaf) appendNull() { l.b.AppendNull() }

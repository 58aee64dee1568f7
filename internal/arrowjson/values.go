package arrowjson

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/float16"

	"github.com/tome-data/tome/format"
)

// Parsers for one JSON value each. Integers are accepted as numbers or as
// decimal strings, since the format writes 64-bit values as strings (a JSON
// number cannot hold them exactly) and narrower ones as numbers.

// text returns a JSON string's contents, or the raw token of anything else.
func text(raw json.RawMessage) (string, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%w: bad string %s", format.ErrCorrupt, abbreviate(raw))
		}
		return s, nil
	}
	return string(raw), nil
}

func parseInt(raw json.RawMessage, bits int) (int64, error) {
	s, err := text(raw)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: %s is not an int%d", format.ErrCorrupt, abbreviate(raw), bits)
	}
	return v, nil
}

func parseUint(raw json.RawMessage, bits int) (uint64, error) {
	s, err := text(raw)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: %s is not a uint%d", format.ErrCorrupt, abbreviate(raw), bits)
	}
	return v, nil
}

// parseFloat also takes "NaN", "Inf" and "-Inf" as strings, which is how
// a writer that keeps to strict JSON spells them.
func parseFloat(raw json.RawMessage, bits int) (float64, error) {
	s, err := text(raw)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: %s is not a float%d", format.ErrCorrupt, abbreviate(raw), bits)
	}
	return v, nil
}

func parseBool(raw json.RawMessage) (bool, error) {
	switch string(raw) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%w: %s is not a bool", format.ErrCorrupt, abbreviate(raw))
}

// parseBytes decodes binary values, which the format writes as hex.
func parseBytes(raw json.RawMessage) ([]byte, error) {
	s, err := text(raw)
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not hex: %v", format.ErrCorrupt, abbreviate(raw), err)
	}
	return b, nil
}

// parseString takes a utf8 value, a JSON string.
func parseString(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return nil, fmt.Errorf("%w: %s is not a string", format.ErrCorrupt, abbreviate(raw))
	}
	s, err := text(raw)
	return []byte(s), err
}

func parseFloat16(raw json.RawMessage) (float16.Num, error) {
	v, err := parseFloat(raw, 32)
	return float16.New(float32(v)), err
}

func parseDayTime(raw json.RawMessage) (arrow.DayTimeInterval, error) {
	var v struct {
		Days         json.RawMessage `json:"days"`
		Milliseconds json.RawMessage `json:"milliseconds"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.Days == nil || v.Milliseconds == nil {
		return arrow.DayTimeInterval{}, fmt.Errorf("%w: %s is not a day_time interval", format.ErrCorrupt, abbreviate(raw))
	}
	days, err := parseInt(v.Days, 32)
	if err != nil {
		return arrow.DayTimeInterval{}, err
	}
	ms, err := parseInt(v.Milliseconds, 32)
	return arrow.DayTimeInterval{Days: int32(days), Milliseconds: int32(ms)}, err
}

func parseMonthDayNano(raw json.RawMessage) (arrow.MonthDayNanoInterval, error) {
	var v struct {
		Months      json.RawMessage `json:"months"`
		Days        json.RawMessage `json:"days"`
		Nanoseconds json.RawMessage `json:"nanoseconds"`
	}
	var zero arrow.MonthDayNanoInterval
	if err := json.Unmarshal(raw, &v); err != nil || v.Months == nil || v.Days == nil || v.Nanoseconds == nil {
		return zero, fmt.Errorf("%w: %s is not a month_day_nano interval", format.ErrCorrupt, abbreviate(raw))
	}
	months, err := parseInt(v.Months, 32)
	if err != nil {
		return zero, err
	}
	days, err := parseInt(v.Days, 32)
	if err != nil {
		return zero, err
	}
	ns, err := parseInt(v.Nanoseconds, 64)
	return arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: ns}, err
}

// parseUnscaled reads a decimal's unscaled integer and checks that it fits
// in bits bits of two's complement.
func parseUnscaled(raw json.RawMessage, bits int) (*big.Int, error) {
	s, err := text(raw)
	if err != nil {
		return nil, err
	}
	// Bound the text before big.Int parses it: 256 bits are at most 78 digits.
	x, ok := new(big.Int), len(s) <= 80
	if ok {
		_, ok = x.SetString(s, 10)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s is not a decimal integer", format.ErrCorrupt, abbreviate(raw))
	}
	limit := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	if x.Cmp(limit) >= 0 || x.Cmp(new(big.Int).Neg(limit)) < 0 {
		return nil, fmt.Errorf("%w: %s does not fit in decimal%d", format.ErrCorrupt, s, bits)
	}
	return x, nil
}

// words returns the 64-bit words of x's two's complement in bits bits,
// least significant first.
func words(x *big.Int, bits int) []uint64 {
	u := new(big.Int).Set(x)
	if u.Sign() < 0 {
		u.Add(u, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	}
	out := make([]uint64, bits/64)
	mask := new(big.Int).SetUint64(math.MaxUint64)
	for i := range out {
		out[i] = new(big.Int).And(u, mask).Uint64()
		u.Rsh(u, 64)
	}
	return out
}

func parseDecimal32(raw json.RawMessage) (decimal.Decimal32, error) {
	x, err := parseUnscaled(raw, 32)
	if err != nil {
		return 0, err
	}
	return decimal.Decimal32(x.Int64()), nil
}

func parseDecimal64(raw json.RawMessage) (decimal.Decimal64, error) {
	x, err := parseUnscaled(raw, 64)
	if err != nil {
		return 0, err
	}
	return decimal.Decimal64(x.Int64()), nil
}

func parseDecimal128(raw json.RawMessage) (decimal128.Num, error) {
	x, err := parseUnscaled(raw, 128)
	if err != nil {
		return decimal128.Num{}, err
	}
	w := words(x, 128)
	return decimal128.New(int64(w[1]), w[0]), nil
}

func parseDecimal256(raw json.RawMessage) (decimal256.Num, error) {
	x, err := parseUnscaled(raw, 256)
	if err != nil {
		return decimal256.Num{}, err
	}
	w := words(x, 256)
	return decimal256.New(w[3], w[2], w[1], w[0]), nil
}

package jsonl

import (
	"math"
	"strings"
	"testing"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"+7", 7, true}, {"007", 7, true},
		{"9223372036854775807", math.MaxInt64, true}, {"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false}, {"", 0, false}, {"-", 0, false}, {"1.0", 0, false}, {"1e3", 0, false}, {" 1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseInt(%q) = %d, %t; want %d, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{{"18446744073709551615", math.MaxUint64, true}, {"18446744073709551616", 0, false}, {"-0", 0, true}, {"-1", 0, false}, {"+1", 1, true}} {
		got, ok := parseUint([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseUint(%q) = %d, %t; want %d, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"12345", 12345, true}, {"-2.5", -2.5, true}, {"1e400", math.Inf(1), true},
		{"-1e400", math.Inf(-1), true}, {"Infinity", math.Inf(1), true}, {"-Infinity", math.Inf(-1), true},
		{"inf", math.Inf(1), true}, {"1e-400", 0, true}, {"abc", 0, false}, {"", 0, false},
		{"123456789012345678", 123456789012345678, true},
	}
	for _, tt := range tests {
		got, ok := parseFloat([]byte(tt.in), 64)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseFloat(%q) = %g, %t; want %g, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if f, _ := parseFloat([]byte("-0"), 64); !math.Signbit(f) {
		t.Error(`parseFloat("-0") lost the sign`)
	}
	if f, _ := parseFloat([]byte("NaN"), 64); !math.IsNaN(f) {
		t.Error(`parseFloat("NaN") is not NaN`)
	}
	if f, _ := parseFloat([]byte("16777217"), 32); f != 16777216 {
		t.Errorf("float32 rounding: got %g", f)
	}
}

// halfValue decodes half-precision bits exactly, independently of the
// code under test.
func halfValue(bits uint16) float64 {
	exp, frac := int(bits>>10)&0x1f, float64(bits&0x3ff)
	var v float64
	switch exp {
	case 0x1f:
		v = math.Inf(1)
		if frac != 0 {
			return math.NaN()
		}
	case 0:
		v = math.Ldexp(frac, -24)
	default:
		v = math.Ldexp(1024+frac, exp-25)
	}
	if bits&0x8000 != 0 {
		return -v
	}
	return v
}

// TestHalfBits checks every half: its own value maps back to it, and the
// midpoints to its neighbours round to the even one.
func TestHalfBits(t *testing.T) {
	for bits := range uint16(0x7c00) { // every finite non-negative half
		v := halfValue(bits)
		for _, sign := range []float64{1, -1} {
			want := bits
			if sign < 0 {
				want |= 0x8000
			}
			if got := halfBits(sign * v); got != want {
				t.Fatalf("halfBits(%g) = %04x, want %04x", sign*v, got, want)
			}
		}
		if bits == 0x7bff {
			continue
		}
		mid := (v + halfValue(bits+1)) / 2
		want := bits
		if bits&1 == 1 {
			want = bits + 1
		}
		if got := halfBits(mid); got != want {
			t.Fatalf("halfBits(midpoint %g) = %04x, want %04x", mid, got, want)
		}
	}
	for _, tt := range []struct {
		in   float64
		want uint16
	}{{65519.99, 0x7bff}, {65520, 0x7c00}, {1e10, 0x7c00}, {math.Inf(-1), 0xfc00}, {0x1p-25, 0}, {0x1p-25 + 0x1p-40, 1}} {
		if got := halfBits(tt.in); got != tt.want {
			t.Errorf("halfBits(%g) = %04x, want %04x", tt.in, got, tt.want)
		}
	}
	if got := halfBits(math.NaN()); got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
		t.Errorf("halfBits(NaN) = %04x, not a NaN", got)
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in               string
		precision, scale int32
		want             string // sign and digits, or the error
	}{
		{"123.45", 5, 2, "12345"},
		{"-0.05", 5, 2, "-5"},
		{"-0", 5, 2, "0"},
		{"0.000", 5, 2, "0"},
		{"1e2", 5, 2, "10000"},
		{"1.5E-1", 5, 2, "15"},
		{"+3", 5, 0, "3"},
		{"12300", 5, -2, "123"},
		{".5", 5, 1, "5"},
		{"5.", 5, 1, "50"},
		{"000000000000000000000001", 3, 0, "1"},
		{"1.234", 5, 2, errInexact.Error()},
		{"1234", 5, -2, errInexact.Error()},
		{"123456", 5, 0, errDigits.Error()},
		{"1e99999999999999999999", 5, 0, errDigits.Error()},
		{"1e-99999999999999999999", 5, 0, errInexact.Error()},
		{"0e99999999999999999999", 5, 0, "0"},
		{"", 5, 0, errSyntax.Error()},
		{"1.2.3", 5, 0, errSyntax.Error()},
		{"1e", 5, 0, errSyntax.Error()},
		{"NaN", 5, 0, errSyntax.Error()},
	}
	for _, tt := range tests {
		neg, digits, err := parseDecimal([]byte(tt.in), tt.precision, tt.scale, nil)
		got := string(digits)
		if neg {
			got = "-" + got
		}
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("parseDecimal(%q, %d, %d) = %s, want %s", tt.in, tt.precision, tt.scale, got, tt.want)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in     string
		sec    int64
		nsec   int64
		zoned  bool
		wantOK bool
	}{
		{"1970-01-01", 0, 0, false, true},
		{"1970-01-01T00:00:01.5Z", 1, 500000000, true, true},
		{"1970-01-01 00:00:00+01:00", -3600, 0, true, true},
		{"1969-12-31T23:59:59.999999999", -1, 999999999, false, true},
		{"2000-02-29T12:00", 951825600, 0, false, true},
		{"-292277022657-01-27T08:29:52Z", math.MinInt64, 0, true, true},
		{"-292277022657-01-27T08:29:51Z", 0, 0, false, false},
		{"+292277026596-12-04T15:30:07Z", math.MaxInt64, 0, true, true},
		{"+292277026596-12-04T15:30:08Z", 0, 0, false, false},
		{"2001-02-29", 0, 0, false, false},
		{"2001-13-01", 0, 0, false, false},
		{"2001-01-01T25:00", 0, 0, false, false},
		{"2001-01-01T00:60", 0, 0, false, false},
		{"2001-01-01T00:00:60", 0, 0, false, false},
		{"2001-01-01X00:00", 0, 0, false, false},
		{"2001-01-01T00:00:00.", 0, 0, false, false},
		{"2001-01-01T00:00:00.1234567890", 978307200, 123456789, false, true},
		{"2001-01-01T00:00:00.1234567891", 0, 0, false, false},
		{"2001-01-01T00:00:00+24:00", 0, 0, false, false},
		{"2001-01-01T00:00:00 UTC", 0, 0, false, false},
		{"01-01-2001", 0, 0, false, false},
		{"12001-01-01", 0, 0, false, false},
	}
	for _, tt := range tests {
		sec, nsec, zoned, ok := parseTimestamp([]byte(tt.in))
		if ok != tt.wantOK || ok && (sec != tt.sec || nsec != tt.nsec || zoned != tt.zoned) {
			t.Errorf("parseTimestamp(%q) = %d, %d, %t, %t; want %d, %d, %t, %t", tt.in, sec, nsec, zoned, ok, tt.sec, tt.nsec, tt.zoned, tt.wantOK)
		}
	}
	if _, _, _, ok := parseTimestamp([]byte(strings.Repeat("9", 40))); ok {
		t.Error("a run of digits parsed as a timestamp")
	}
}

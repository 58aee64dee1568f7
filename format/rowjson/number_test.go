package rowjson

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/float16"
)

// TestAppendFloatMatchesEncodingJSON checks finite floats against the
// standard library's rendering, which appendFloat promises to reproduce.
func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(f float64, bitSize int) {
		var want []byte
		var err error
		if bitSize == 32 {
			want, err = json.Marshal(float32(f))
		} else {
			want, err = json.Marshal(f)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFloat(nil, f, bitSize); string(got) != string(want) {
			t.Errorf("appendFloat(%v, %d) = %s, want %s", f, bitSize, got, want)
		}
	}
	edges := []float64{0, 1, -1, 0.1, 1e20, 1e21, 1e-6, 1e-7, 9.999999e-7, math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.MaxFloat64, 5e-324, 123456789012345680000}
	for _, f := range edges {
		check(f, 64)
	}
	for range 20000 {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			check(f, 64)
		}
		g := math.Float32frombits(r.Uint32())
		if !math.IsNaN(float64(g)) && !math.IsInf(float64(g), 0) {
			check(float64(g), 32)
		}
	}
}

// TestAppendFloat16Exhaustive checks every finite half: the output parses
// to a number closer to that half than to either neighbour (so it rounds
// back to it), and it is no longer than the widened float32's shortest
// rendering.
func TestAppendFloat16Exhaustive(t *testing.T) {
	for bits := range 1 << 16 {
		h := float16.FromBits(uint16(bits))
		exp := bits >> 10 & 0x1f
		if exp == 0x1f {
			continue // NaN and infinities: see the golden tests
		}
		x := halfValue(uint16(bits))
		out := string(appendFloat16(nil, h))
		v, err := strconv.ParseFloat(out, 64)
		if err != nil {
			t.Fatalf("half %#04x: %q does not parse: %v", bits, out, err)
		}
		if bits&0x7fff == 0 {
			if v != 0 || math.Signbit(v) != (bits&0x8000 != 0) {
				t.Errorf("half %#04x: got %s", bits, out)
			}
			continue
		}
		m := uint16(bits) & 0x7fff
		prev, next := halfValue(m-1), halfValue(m+1)
		if m == 0x7bff {
			next = 65536
		}
		d := math.Abs(math.Abs(v) - math.Abs(x))
		dPrev, dNext := math.Abs(math.Abs(v)-prev), math.Abs(math.Abs(v)-next)
		tieOK := m&1 == 0
		if d > dPrev || d > dNext || (!tieOK && (d == dPrev || d == dNext)) || math.Signbit(v) != math.Signbit(x) {
			t.Errorf("half %#04x (%v): %s does not round back to it", bits, x, out)
		}
		if wide := strconv.FormatFloat(x, 'g', -1, 32); digitCount(out) > digitCount(wide) {
			t.Errorf("half %#04x: %s is longer than %s", bits, out, wide)
		}
	}
}

// digitCount counts the significant digits of a decimal rendering.
func digitCount(s string) int {
	mant, _, _ := strings.Cut(strings.ToLower(s), "e")
	mant = strings.TrimLeft(strings.ReplaceAll(strings.TrimLeft(mant, "-"), ".", ""), "0")
	return len(strings.TrimRight(mant, "0"))
}

// TestAppendDecimalMatchesBigInt checks the word arithmetic against
// math/big for random 64-, 128- and 256-bit values and scales.
func TestAppendDecimalMatchesBigInt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		n := []int{1, 2, 4}[r.IntN(3)]
		words := make([]uint64, n)
		for i := range words {
			words[i] = r.Uint64()
			if r.IntN(4) == 0 {
				words[i] = 0
			}
		}
		scale := int32(r.IntN(90) - 10)
		got := string(appendDecimal(nil, words, scale))
		if want := referenceDecimal(words, scale); got != want {
			t.Fatalf("appendDecimal(%x, %d) = %s, want %s", words, scale, got, want)
		}
	}
}

// referenceDecimal renders two's complement words scaled by 10^-scale with
// math/big, quoted as appendDecimal quotes it.
func referenceDecimal(words []uint64, scale int32) string {
	v := new(big.Int)
	for i := len(words) - 1; i >= 0; i-- {
		v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(words[i]))
	}
	if words[len(words)-1]>>63 == 1 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(64*len(words))))
	}
	sign := ""
	if v.Sign() < 0 {
		sign = "-"
		v.Neg(v)
	}
	digits := v.String()
	switch {
	case scale <= 0:
		if digits != "0" {
			digits += strings.Repeat("0", int(-scale))
		}
	case len(digits) > int(scale):
		digits = digits[:len(digits)-int(scale)] + "." + digits[len(digits)-int(scale):]
	default:
		digits = "0." + strings.Repeat("0", int(scale)-len(digits)) + digits
	}
	return `"` + sign + digits + `"`
}

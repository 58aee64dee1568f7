package jsonl

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// agreeWithStrconv fails the test when fastFloat accepts s but gives
// another value than strconv.ParseFloat, bit for bit (signed zeros too).
func agreeWithStrconv(t *testing.T, s string, bitSize int) bool {
	t.Helper()
	got, ok := fastFloat([]byte(s), bitSize)
	if !ok {
		return false
	}
	want, err := strconv.ParseFloat(s, bitSize)
	if err != nil {
		t.Fatalf("fastFloat(%q, %d) = %g, strconv refuses it: %v", s, bitSize, got, err)
	}
	if math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("fastFloat(%q, %d) = %b, strconv %b", s, bitSize, got, want)
	}
	return true
}

func TestFastFloatForms(t *testing.T) {
	for _, tt := range []struct {
		in   string
		fast bool // taken by the fast path
	}{
		{"0", true}, {"-0", true}, {"-0.0", true}, {"+1.5", true}, {"1.", true}, {".5", true},
		{"-1.0854511", true}, {"0.052509695", true}, {"1e22", true}, {"1e23", false},
		{"1e-22", true}, {"1e-23", false}, {"9007199254740993", false}, {"9007199254740992", true},
		{"0.000000000000000000000000000001", false}, {"1.0000000000000000000001", false},
		{"12345678901234567890", false}, {"0e999999", false}, {"1E+2", true}, {"1e", false},
		{"e5", false}, {".", false}, {"", false}, {"-", false}, {"NaN", false}, {"inf", false},
		{"0x1p-2", false}, {"1_0", false}, {"1.5x", false}, {"--1", false}, {"1e1000000", false},
	} {
		if got := agreeWithStrconv(t, tt.in, 64); got != tt.fast {
			t.Errorf("fastFloat(%q) took the fast path: %t, want %t", tt.in, got, tt.fast)
		}
		agreeWithStrconv(t, tt.in, 32)
	}
	if f, _ := fastFloat([]byte("-0"), 64); !math.Signbit(f) {
		t.Error("-0 lost its sign")
	}
}

// TestFastFloatRandom compares the fast path with strconv on decimals
// shaped like real data: shortest float32 and float64 forms, fixed
// precision, and exponents.
func TestFastFloatRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	taken := 0
	for range n {
		v := r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
		var s string
		switch r.IntN(4) {
		case 0:
			s = strconv.FormatFloat(float64(float32(v)), 'g', -1, 32)
		case 1:
			s = strconv.FormatFloat(v, 'g', -1, 64)
		case 2:
			s = strconv.FormatFloat(v, 'f', r.IntN(12), 64)
		default:
			s = strconv.FormatFloat(v, 'e', r.IntN(10), 64)
		}
		for _, bits := range []int{32, 64} {
			if agreeWithStrconv(t, s, bits) {
				taken++
			}
		}
	}
	// float32 midpoints, and decimals just either side of them, where
	// rounding through a float64 could go wrong.
	for range n / 4 {
		lo := math.Float32frombits(uint32(r.Uint32N(0x7f000000)) + 0x00800000)
		hi := math.Nextafter32(lo, float32(math.Inf(1)))
		mid := (float64(lo) + float64(hi)) / 2
		for _, s := range []string{
			strconv.FormatFloat(mid, 'g', -1, 64),
			strconv.FormatFloat(mid, 'g', 17, 64),
			strconv.FormatFloat(mid, 'g', 9, 64),
			strconv.FormatFloat(math.Nextafter(mid, 0), 'g', -1, 64),
			strconv.FormatFloat(math.Nextafter(mid, 1e300), 'g', -1, 64),
		} {
			agreeWithStrconv(t, s, 32)
		}
	}
	if taken < n/2 {
		t.Errorf("the fast path took %d of %d numbers; it should take most", taken, 2*n)
	}
}

func FuzzFastFloat(f *testing.F) {
	for _, s := range []string{"0", "-1.0854511", "1e22", ".5", "1.", "9007199254740993", "3.4028235e38", "1.17549435e-38"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		agreeWithStrconv(t, s, 64)
		agreeWithStrconv(t, s, 32)
	})
}

func BenchmarkParseFloat(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	nums := make([][]byte, 4096)
	for i := range nums {
		nums[i] = strconv.AppendFloat(nil, float64(float32(r.NormFloat64())), 'g', -1, 32)
	}
	b.Run("tome", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			parseFloat(nums[i%len(nums)], 64)
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			strconv.ParseFloat(string(nums[i%len(nums)]), 64)
		}
	})
}

// float64NumberAgrees checks the one-pass number reader against the
// scanner and parseFloat on text: where it takes a number, they read the
// same bytes and value; where it does not, the position is unchanged.
func float64NumberAgrees(t *testing.T, text string) bool {
	t.Helper()
	fast := &scanner{buf: []byte(text)}
	v, ok := fast.float64Number()
	if !ok {
		if fast.pos != 0 {
			t.Fatalf("%q: refused, but moved to %d", text, fast.pos)
		}
		return false
	}
	slow := &scanner{buf: []byte(text)}
	_, kind, tok, err := slow.scalar()
	if err != nil || (kind != tokInt && kind != tokFloat) {
		t.Fatalf("%q: read %g, the scanner says %v %q", text, v, err, kind)
	}
	want, _ := parseFloat(tok, 64)
	if slow.pos != fast.pos || math.Float64bits(v) != math.Float64bits(want) {
		t.Fatalf("%q: read %b up to %d, the scanner %b up to %d", text, v, fast.pos, want, slow.pos)
	}
	return true
}

func TestFloat64Number(t *testing.T) {
	for _, text := range []string{
		"0", "-0", "0.5,", "-1.0854511]", "01", "1.", "1.e5", ".5", "-", "--1", "1e", "1e+", "1E-7 ", "00.1",
		"123456789012345678901", "1e23", "0.052509695}", "9007199254740993", "1.5e-5x", "+1", "nan", "\"1\"",
	} {
		float64NumberAgrees(t, text)
	}
	r := rand.New(rand.NewPCG(9, 10))
	const alphabet = "0123456789-+.eE ,]x"
	for range 200000 {
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		float64NumberAgrees(t, string(b))
	}
}

func FuzzFloat64Number(f *testing.F) {
	for _, s := range []string{"0", "-1.0854511]", "1e22,", "0.000001", "1.5E+3}", "01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { float64NumberAgrees(t, s) })
}

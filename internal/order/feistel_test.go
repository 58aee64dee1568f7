package order

import (
	"math"
	"testing"
)

func TestFeistelIsBijection(t *testing.T) {
	for n := uint64(0); n <= 600; n++ {
		for key := range uint64(3) {
			f := newFeistel(n, deriveKey(key, 0, purposeGlobal, n))
			hit := make([]bool, n)
			for x := range n {
				y := f.at(x)
				if y >= n || hit[y] {
					t.Fatalf("n=%d key=%d: at(%d) = %d repeats or leaves [0, n)", n, key, x, y)
				}
				hit[y] = true
			}
		}
	}
}

func TestFeistelLargeDomainsStayInRange(t *testing.T) {
	for _, n := range []uint64{1 << 40, 1<<40 + 1, 1e9, 1e12 + 7, MaxRows} {
		f := newFeistel(n, 42)
		for x := range uint64(1000) {
			for _, in := range []uint64{x, n - 1 - x} {
				if y := f.at(in); y >= n {
					t.Fatalf("n=%d: at(%d) = %d, outside the domain", n, in, y)
				}
			}
		}
	}
}

// TestFeistelUniform checks that the image of a fixed point is spread
// evenly over small domains across keys, where a weak network would show
// bias first. The keys are fixed, so the test is deterministic; the bound
// is the chi-square critical value at p = 0.001.
func TestFeistelUniform(t *testing.T) {
	const keys = 20000
	critical := map[uint64]float64{2: 10.83, 3: 13.82, 5: 18.47, 7: 22.46, 10: 27.88, 17: 39.25, 64: 103.4}
	for n, crit := range critical {
		for _, x := range []uint64{0, n - 1} {
			counts := make([]float64, n)
			for key := range uint64(keys) {
				f := newFeistel(n, mix64(key))
				counts[f.at(x)]++
			}
			if chi := chiSquare(counts, keys); chi > crit {
				t.Errorf("n=%d: image of %d has chi-square %.1f over %d keys, above %.1f: %v", n, x, chi, keys, crit, counts)
			}
		}
	}
}

func TestDrawAtUniform(t *testing.T) {
	const draws = 50000
	for _, n := range []uint64{1, 2, 3, 10, 1000} {
		counts := make([]float64, n)
		for i := range uint64(draws) {
			v := drawAt(7, i, n)
			if v >= n {
				t.Fatalf("drawAt(_, %d, %d) = %d", i, n, v)
			}
			counts[v]++
		}
		// Within 5 standard deviations of the expected chi-square (n-1,
		// variance 2(n-1)).
		if chi, df := chiSquare(counts, draws), float64(n-1); chi > df+5*math.Sqrt(2*df)+1 {
			t.Errorf("n=%d: chi-square %.1f for %v degrees of freedom", n, chi, df)
		}
	}
}

func chiSquare(counts []float64, total float64) float64 {
	want := total / float64(len(counts))
	var chi float64
	for _, c := range counts {
		chi += (c - want) * (c - want) / want
	}
	return chi
}

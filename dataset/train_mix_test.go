package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tome-data/tome/stream"
)

// mixFixture is a mix of datasets whose ids say which dataset a sample
// comes from: dataset i's ids start at i*mixIDs.
type mixFixture struct {
	parts [][]string // each dataset's shard paths
	fx    []trainFixture
	mix   MixOptions
}

const mixIDs = 1_000_000

func randomMix(t *testing.T, rng *rand.Rand) mixFixture {
	var m mixFixture
	k := 2 + rng.IntN(2)
	for i := range k {
		ext := ".arrow"
		if rng.IntN(3) == 0 {
			ext = ".parquet"
		}
		f := randomFixture(rng, ext)
		f.first = int64(i) * mixIDs
		m.fx = append(m.fx, f)
		m.parts = append(m.parts, f.write(t))
		m.mix.Weights = append(m.mix.Weights, float64(1+rng.IntN(4)))
	}
	m.mix.Window = 4*k + rng.IntN(40)
	m.mix.Stop = stream.StopStrategy(rng.IntN(2))
	return m
}

func (m mixFixture) open(t *testing.T) []*Dataset {
	var out []*Dataset
	for _, p := range m.parts {
		out = append(out, openTrain(t, p))
	}
	return out
}

func mixIDsOf(t *testing.T, parts []*Dataset, mix MixOptions, o TrainOptions) ([]int64, *TrainStream) {
	t.Helper()
	s, err := TrainMix(parts, mix, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	got := streamIDs(t, s)
	if int64(len(got)) != s.Len() {
		t.Fatalf("mix delivered %d samples, its Len is %d", len(got), s.Len())
	}
	return got, s
}

// TestTrainMixProperties checks a mix of datasets against stream.Mix over
// the datasets' own orders, and the guarantees of a single dataset:
// exact quotas, equal rank counts, elastic interleaving, exact resume
// through JSON on fresh datasets and another world size, purity.
func TestTrainMixProperties(t *testing.T) {
	cases := 16
	if testing.Short() {
		cases = 6
	}
	rng := rand.New(rand.NewPCG(8, 1))
	for c := range cases {
		m := randomMix(t, rng)
		o := randomOrder(rng, allModes[c%len(allModes)])
		t.Run(fmt.Sprintf("%d/%s/%v/%s/W%d", c, o.Mode, m.mix.Weights, m.mix.Stop, o.World), func(t *testing.T) {
			checkMix(t, rand.New(rand.NewPCG(uint64(c), 3)), m, o)
		})
	}
}

func checkMix(t *testing.T, rng *rand.Rand, m mixFixture, o TrainOptions) {
	parts := m.open(t)
	one := o
	one.World, one.Rank = 1, 0
	seq, s := mixIDsOf(t, parts, m.mix, one)
	mo := s.ord.(*mixOrder)
	if want := referenceMix(t, mo, m); !slices.Equal(seq, want) {
		t.Fatalf("mix of %d samples differs from stream.Mix's %d", len(seq), len(want))
	}
	checkQuotas(t, seq, mo.quotas, m)

	n, w := int64(len(seq)), int64(o.World)
	var ranks [][]int64
	for r := range o.World {
		ro := o
		ro.Rank = r
		got, _ := mixIDsOf(t, parts, m.mix, ro)
		if want := (n + w - 1) / w; int64(len(got)) != want {
			t.Fatalf("rank %d of %d delivered %d samples, want %d", r, w, len(got), want)
		}
		ranks = append(ranks, got)
	}
	all := interleave(ranks)
	if !slices.Equal(all[:n], seq) || !slices.Equal(all[n:], seq[:len(all)-int(n)]) {
		t.Fatalf("ranks interleaved differ from the one-rank mix")
	}

	r := rng.IntN(o.World)
	ro := o
	ro.Rank, ro.Parallel, ro.Prefetch, ro.BatchRows = r, 3, 2, 1+rng.IntN(50)
	if got, _ := mixIDsOf(t, parts, m.mix, ro); !slices.Equal(got, ranks[r]) {
		t.Fatalf("rank %d read in parallel differs", r)
	}

	k := rng.Int64N(int64(len(ranks[r])) + 1)
	ro = o
	ro.Rank = r
	_, s = mixIDsOf(t, parts, m.mix, ro)
	st, err := s.State(k)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(st)
	back, err := ParseTrainState(doc)
	if err != nil {
		t.Fatalf("%v in %s", err, doc)
	}
	fresh := m.open(t)
	if got, _ := mixIDsOf(t, fresh, m.mix, TrainOptions{World: o.World, Rank: r, Resume: back}); !slices.Equal(got, ranks[r][k:]) {
		t.Fatalf("rank %d resumed after %d samples (%s) differs", r, k, doc)
	}
	if c := back.Consumed; c < n {
		w2 := 1 + rng.IntN(4)
		var resumed [][]int64
		for r2 := range w2 {
			got, _ := mixIDsOf(t, fresh, m.mix, TrainOptions{World: w2, Rank: r2, Resume: back})
			resumed = append(resumed, got)
		}
		if got := interleave(resumed); !slices.Equal(got[:n-c], seq[c:]) {
			t.Fatalf("resumed at %d on %d ranks differs (%s)", c, w2, doc)
		}
	}
	other := m.mix
	other.Weights = slices.Clone(other.Weights)
	other.Weights[0]++
	if _, err := TrainMix(fresh, other, TrainOptions{Resume: back}); !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("resuming with other weights: %v, want ErrStateMismatch", err)
	}
}

// referenceMix is stream.Mix over each dataset's own order, mapped to ids.
func referenceMix(t *testing.T, mo *mixOrder, m mixFixture) []int64 {
	t.Helper()
	var sources []stream.Source[int64]
	for i, p := range mo.parts {
		first := m.fx[i].first
		sources = append(sources, func(offset int64) iter.Seq2[int64, error] {
			return func(yield func(int64, error) bool) {
				for _, row := range p.All(offset) {
					if !yield(first+row, nil) {
						return
					}
				}
			}
		})
	}
	want, err := stream.Collect(stream.Mix(mo.cfg, sources...))
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// checkQuotas checks that every whole window of the mix draws each dataset
// its quota, and what the stop strategy promises of the datasets' rows.
func checkQuotas(t *testing.T, seq []int64, quotas []int, m mixFixture) {
	t.Helper()
	w := m.mix.Window
	for lo := 0; lo+w <= len(seq); lo += w {
		got := make([]int, len(quotas))
		for _, id := range seq[lo : lo+w] {
			got[id/mixIDs]++
		}
		if !slices.Equal(got, quotas) {
			t.Fatalf("window at %d draws %v, want the quotas %v", lo, got, quotas)
		}
	}
	seen := make([]map[int64]int, len(m.fx))
	for i := range seen {
		seen[i] = map[int64]int{}
	}
	for _, id := range seq {
		seen[id/mixIDs][id]++
	}
	exhausted := 0
	for i, f := range m.fx {
		if int64(len(seen[i])) == f.rows() {
			exhausted++
		}
		for id, c := range seen[i] {
			if c > 1 && m.mix.Stop == stream.FirstExhausted {
				t.Fatalf("first_exhausted mix repeats id %d", id)
			}
		}
	}
	if m.mix.Stop == stream.AllExhausted && exhausted != len(m.fx) {
		t.Fatalf("all_exhausted mix delivered every row of %d of %d datasets", exhausted, len(m.fx))
	}
	if m.mix.Stop == stream.FirstExhausted && exhausted < 1 {
		t.Fatalf("first_exhausted mix ended with no dataset exhausted")
	}
}

package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRandomCompositions applies random chains of views and column
// operations and checks every result's rows against a reference kept as
// a plain list of ids, computed from each operation's definition.
func TestRandomCompositions(t *testing.T) {
	ctx := context.Background()
	mem := checkedMem(t)
	bases := []*Dataset{
		fixture{ext: ".arrow", shards: 3, rows: 40, batchRows: 9}.open(t, WithAllocator(mem)),
		fixture{ext: ".parquet", shards: 3, rows: 40, batchRows: 9}.open(t, WithAllocator(mem)),
	}
	other := fixture{ext: ".arrow", shards: 2, rows: 15, batchRows: 4, first: 1000}.open(t, WithAllocator(mem))
	rng := rand.New(rand.NewPCG(1, 2))
	iterations := 80
	if testing.Short() {
		iterations = 20
	}
	for it := range iterations {
		base := bases[it%2]
		var open []*Dataset
		cur, ref := base, seq(0, 120)
		var trace []string
		var colOps []func(*Dataset) (*Dataset, error)
		step := func(name string, d *Dataset, err error, want []int64) {
			t.Helper()
			if err != nil {
				t.Fatalf("iteration %d, %v then %s: %v", it, trace, name, err)
			}
			open = append(open, d)
			trace = append(trace, name)
			cur, ref = d, want
		}
		for range 1 + rng.IntN(4) {
			n := int64(len(ref))
			switch op := rng.IntN(7); {
			case op == 0 && n > 0:
				idx := make([]int64, rng.IntN(30))
				want := make([]int64, len(idx))
				for i := range idx {
					idx[i] = rng.Int64N(n)
					want[i] = ref[idx[i]]
				}
				d, err := cur.Select(idx)
				step("select", d, err, want)
			case op == 1:
				seed := rng.Uint64()
				p, err := newPermutation(n, seed)
				if err != nil {
					t.Fatal(err)
				}
				want := make([]int64, n)
				for i := range want {
					want[i] = ref[p.At(int64(i))]
				}
				d, err := cur.Shuffle(seed)
				step(fmt.Sprintf("shuffle(%d)", seed), d, err, want)
			case op == 2:
				k, i, contiguous := 1+rng.IntN(4), 0, rng.IntN(2) == 0
				i = rng.IntN(k)
				d, err := cur.Shard(k, i, contiguous)
				step(fmt.Sprintf("shard(%d, %d, %v)", k, i, contiguous), d, err, shardRef(ref, k, i, contiguous))
			case op == 3:
				mod, rem := int64(2+rng.IntN(3)), int64(rng.IntN(2))
				var want []int64
				for _, id := range ref {
					if id%mod == rem {
						want = append(want, id)
					}
				}
				d, err := cur.Filter(ctx, func(r Row) (bool, error) {
					id, err := Get[int64](r, "id")
					return id%mod == rem, err
				})
				step(fmt.Sprintf("filter(id%%%d==%d)", mod, rem), d, err, want)
			case op == 4:
				// The other part gets the same column operations.
				o := other
				for _, f := range colOps {
					v, err := f(o)
					if err != nil {
						t.Fatal(err)
					}
					open = append(open, v)
					o = v
				}
				d, err := Concatenate(cur, o)
				step("concatenate", d, err, slices.Concat(ref, seq(1000, 1030)))
			case op == 5 && n >= 4:
				seed := rng.Uint64()
				train, test, err := cur.TrainTestSplit(ctx, SplitOptions{TestSize: 0.25, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				p, _ := newPermutation(n, seed)
				nTest := (n + 3) / 4
				want := make([]int64, n)
				for i := range want {
					want[i] = ref[p.At(int64(i))]
				}
				if rng.IntN(2) == 0 {
					train.Close()
					step("test split", test, nil, want[:nTest])
				} else {
					test.Close()
					step("train split", train, nil, want[nTest:])
				}
			case op == 6 && colOps == nil:
				colOps = []func(*Dataset) (*Dataset, error){
					func(d *Dataset) (*Dataset, error) { return d.RemoveColumns("text") },
					func(d *Dataset) (*Dataset, error) { return d.RenameColumn("score", fmt.Sprintf("score%d", it)) },
				}
				d, err := colOps[0](cur)
				if err == nil {
					open = append(open, d)
					d, err = colOps[1](d)
				}
				step("columns", d, err, ref)
			}
		}
		opts := &ScanOptions{Columns: []string{"id", "label"}, BatchRows: rng.IntN(20)}
		got := column[int64](t, cur, "id", opts)
		if !cmp.Equal(got, ref, cmpEmpty) {
			t.Fatalf("iteration %d, %v: ids (-want +got):\n%s", it, trace, cmp.Diff(ref, got))
		}
		for i, l := range column[int64](t, cur, "label", opts) {
			if l != ref[i]%3 {
				t.Fatalf("iteration %d, %v: row %d label %d, id %d", it, trace, i, l, ref[i])
			}
		}
		for _, d := range slices.Backward(open) {
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// shardRef is Hugging Face's Dataset.shard on a list.
func shardRef(ref []int64, n, i int, contiguous bool) []int64 {
	var out []int64
	if contiguous {
		size, extra := len(ref)/n, len(ref)%n
		start := i*size + min(i, extra)
		end := start + size
		if i < extra {
			end++
		}
		return append(out, ref[start:end]...)
	}
	for k := i; k < len(ref); k += n {
		out = append(out, ref[k])
	}
	return out
}

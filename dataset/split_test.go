package dataset

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/internal/conformance"
)

func TestSplitSizes(t *testing.T) {
	// The sizes Hugging Face's train_test_split gives: n_test =
	// ceil(test_size*n), n_train = floor(train_size*n), the unset one the
	// rest.
	tests := []struct {
		n           int64
		opts        SplitOptions
		train, test int64
	}{
		{100, SplitOptions{}, 75, 25},
		{10, SplitOptions{}, 7, 3}, // ceil(2.5)
		{10, SplitOptions{TestSize: 0.33}, 6, 4},
		{10, SplitOptions{TestRows: 1}, 9, 1},
		{10, SplitOptions{TrainSize: 0.55}, 5, 5}, // floor(5.5)
		{10, SplitOptions{TrainRows: 3}, 3, 7},
		{10, SplitOptions{TrainSize: 0.5, TestSize: 0.2}, 5, 2},
		{10, SplitOptions{TrainRows: 4, TestRows: 6}, 4, 6},
		{3, SplitOptions{TestSize: 0.5}, 1, 2},
	}
	for _, tt := range tests {
		train, test, err := splitSizes(tt.n, tt.opts)
		if err != nil || train != tt.train || test != tt.test {
			t.Errorf("n=%d %+v: train %d test %d, %v; want %d, %d", tt.n, tt.opts, train, test, err, tt.train, tt.test)
		}
	}
}

func TestSplitSizeErrors(t *testing.T) {
	tests := []struct {
		n    int64
		opts SplitOptions
		text string
	}{
		{10, SplitOptions{TestSize: 1}, "fraction in (0, 1)"},
		{10, SplitOptions{TestSize: -0.1}, "fraction in (0, 1)"},
		{10, SplitOptions{TrainSize: 1.5}, "fraction in (0, 1)"},
		{10, SplitOptions{TestRows: 10}, "want 1 to 9"},
		{10, SplitOptions{TestRows: -1}, "want 1 to 9"},
		{10, SplitOptions{TestSize: 0.6, TrainSize: 0.6}, "at most 1"},
		{10, SplitOptions{TestRows: 6, TrainRows: 6}, "the dataset has 10"},
		{10, SplitOptions{TestSize: 0.1, TestRows: 1}, "not both"},
		{10, SplitOptions{TrainSize: 0.1, TrainRows: 1}, "not both"},
		{0, SplitOptions{}, "empty"},
		{1, SplitOptions{}, "empty"},                // ceil(0.25) = 1 test row of 1
		{10, SplitOptions{TestSize: 0.95}, "empty"}, // ceil(9.5) = 10
	}
	for _, tt := range tests {
		_, _, err := splitSizes(tt.n, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("n=%d %+v: err = %v, want one saying %q", tt.n, tt.opts, err, tt.text)
		}
	}
}

func TestTrainTestSplit(t *testing.T) {
	ctx := context.Background()
	ds := fixture{ext: ".arrow", shards: 3, rows: 100, batchRows: 30}.open(t)
	train, test, err := ds.TrainTestSplit(ctx, SplitOptions{TestSize: 0.2, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	defer train.Close()
	defer test.Close()
	if train.Len() != 240 || test.Len() != 60 {
		t.Fatalf("train %d, test %d rows", train.Len(), test.Len())
	}
	// The test set is the first rows of Shuffle(Seed), the train set the
	// rest, as Hugging Face takes them from its permutation.
	sh, err := ds.Shuffle(11)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	perm := column[int64](t, sh, "id", nil)
	gotTest, gotTrain := column[int64](t, test, "id", nil), column[int64](t, train, "id", nil)
	if !cmp.Equal(gotTest, perm[:60]) || !cmp.Equal(gotTrain, perm[60:]) {
		t.Fatal("the split is not the permutation cut at the test size")
	}
	// Same seed, same split.
	train2, test2, err := ds.TrainTestSplit(ctx, SplitOptions{TestSize: 0.2, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	defer train2.Close()
	defer test2.Close()
	if !cmp.Equal(viewIDs(test2), gotTest) || !cmp.Equal(viewIDs(train2), gotTrain) {
		t.Error("the same seed split differently")
	}
}

func TestTrainTestSplitWithoutShuffle(t *testing.T) {
	ds := fixture{ext: ".parquet", shards: 2, rows: 10, batchRows: 4}.open(t)
	train, test, err := ds.TrainTestSplit(context.Background(), SplitOptions{TestRows: 5, TrainRows: 12, NoShuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	defer train.Close()
	defer test.Close()
	wantTrain := []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if got := column[int64](t, train, "id", nil); !cmp.Equal(got, wantTrain) {
		t.Errorf("train %v", got)
	}
	if got := column[int64](t, test, "id", nil); !cmp.Equal(got, []int64{12, 13, 14, 15, 16}) {
		t.Errorf("test %v", got)
	}
}

func TestTrainTestSplitStratified(t *testing.T) {
	ctx := context.Background()
	// Labels 0, 1, 2 in equal thirds, but take them unevenly: a filter
	// keeps every row of label 0, half the rows of label 1 and a tenth of
	// label 2 (100, 50, 10 rows).
	ds := fixture{ext: ".arrow", shards: 2, rows: 150, batchRows: 40}.open(t)
	uneven, err := ds.Filter(ctx, func(r Row) (bool, error) {
		id, err := Get[int64](r, "id")
		switch id % 3 {
		case 1:
			return id%2 == 1, err
		case 2:
			return id%10 == 5, err
		}
		return true, err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer uneven.Close()
	counts := map[int64]int{}
	for _, l := range column[int64](t, uneven, "label", nil) {
		counts[l]++
	}
	if !cmp.Equal(counts, map[int64]int{0: 100, 1: 50, 2: 10}) {
		t.Fatalf("fixture class counts %v", counts)
	}
	train, test, err := uneven.TrainTestSplit(ctx, SplitOptions{TestSize: 0.25, Seed: 3, StratifyBy: "label"})
	if err != nil {
		t.Fatal(err)
	}
	defer train.Close()
	defer test.Close()
	// 40 test rows: 25, 12.5, 2.5 -> 25, 13, 2 (largest remainder, tie
	// to the class seen first).
	classCounts := func(d *Dataset) map[int64]int {
		out := map[int64]int{}
		for _, l := range column[int64](t, d, "label", nil) {
			out[l]++
		}
		return out
	}
	if got := classCounts(test); !cmp.Equal(got, map[int64]int{0: 25, 1: 13, 2: 2}) {
		t.Errorf("test classes %v", got)
	}
	if got := classCounts(train); !cmp.Equal(got, map[int64]int{0: 75, 1: 37, 2: 8}) {
		t.Errorf("train classes %v", got)
	}
	// Disjoint, covering, deterministic, and not in id order.
	all := append(column[int64](t, train, "id", nil), column[int64](t, test, "id", nil)...)
	if !cmp.Equal(slices.Sorted(slices.Values(all)), column[int64](t, uneven, "id", nil)) {
		t.Error("train and test do not partition the rows")
	}
	if slices.IsSorted(column[int64](t, test, "id", nil)) {
		t.Error("the stratified test set is not shuffled")
	}
	_, test2, err := uneven.TrainTestSplit(ctx, SplitOptions{TestSize: 0.25, Seed: 3, StratifyBy: "label"})
	if err != nil {
		t.Fatal(err)
	}
	defer test2.Close()
	if !cmp.Equal(viewIDs(test), viewIDs(test2)) {
		t.Error("the same seed stratified differently")
	}
}

func TestTrainTestSplitErrors(t *testing.T) {
	ctx := context.Background()
	ds := fixture{ext: ".arrow", shards: 1, rows: 20, batchRows: 20}.open(t)
	tests := []struct {
		opts SplitOptions
		is   error
		text string
	}{
		{SplitOptions{TestRows: 20}, ErrOutOfRange, "want 1 to 19"},
		{SplitOptions{StratifyBy: "nope"}, ErrNotFound, `"nope"`},
		{SplitOptions{StratifyBy: "label", NoShuffle: true}, nil, "needs shuffling"},
	}
	for _, tt := range tests {
		_, _, err := ds.TrainTestSplit(ctx, tt.opts)
		if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%+v: err = %v, want %v saying %q", tt.opts, err, tt.is, tt.text)
		}
	}
}

func TestApportion(t *testing.T) {
	tests := []struct {
		counts   []int64
		total    int64
		capacity []int64
		want     []int64
	}{
		{[]int64{100, 50, 10}, 40, nil, []int64{25, 13, 2}},
		{[]int64{1, 1, 1}, 2, nil, []int64{1, 1, 0}},     // ties to the first classes
		{[]int64{5, 5}, 4, []int64{1, 5}, []int64{1, 3}}, // capacity moves the rest on
		{[]int64{3, 0, 7}, 10, nil, []int64{3, 0, 7}},
		{[]int64{1 << 40, 1 << 40}, 1 << 40, nil, []int64{1 << 39, 1 << 39}}, // no overflow
	}
	for _, tt := range tests {
		var n int64
		for _, c := range tt.counts {
			n += c
		}
		capacity := tt.capacity
		if capacity == nil {
			capacity = tt.counts
		}
		if got := apportion(tt.counts, tt.total, n, capacity); !cmp.Equal(got, tt.want) {
			t.Errorf("apportion(%v, %d): %v, want %v", tt.counts, tt.total, got, tt.want)
		}
	}
}

func TestTrainTestSplitConformance(t *testing.T) {
	ctx := context.Background()
	ds, err := Open(ctx, conformance.Dir(t, "hf/hub_parquet/tweet_eval_irony"), WithSplit("train"))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	train, test, err := ds.TrainTestSplit(ctx, SplitOptions{TestSize: 0.1, Seed: 1, StratifyBy: "label"})
	if err != nil {
		t.Fatal(err)
	}
	defer train.Close()
	defer test.Close()
	if test.Len() != 287 || train.Len() != 2862-287 { // ceil(286.2)
		t.Fatalf("train %d, test %d", train.Len(), test.Len())
	}
	share := func(d *Dataset) float64 {
		var irony int
		labels := column[int64](t, d, "label", nil)
		for _, l := range labels {
			irony += int(l)
		}
		return float64(irony) / float64(len(labels))
	}
	if a, b := share(ds), share(test); a-b > 0.005 || b-a > 0.005 {
		t.Errorf("irony share %.4f in the dataset, %.4f in the test set", a, b)
	}
}

// FuzzApportion checks the allocation's invariants: the quotas sum to the
// total, respect the capacities, and stay within one row of the ideal
// share where no capacity binds.
func FuzzApportion(f *testing.F) {
	f.Add(uint16(100), uint16(50), uint16(10), uint16(40))
	f.Add(uint16(1), uint16(1), uint16(1), uint16(2))
	f.Add(uint16(0), uint16(7), uint16(0), uint16(3))
	f.Fuzz(func(t *testing.T, a, b, c, total uint16) {
		counts := []int64{int64(a), int64(b), int64(c)}
		n := counts[0] + counts[1] + counts[2]
		if n == 0 {
			return
		}
		tot := int64(total) % (n + 1)
		quota := apportion(counts, tot, n, counts)
		var sum int64
		for i, q := range quota {
			sum += q
			if q < 0 || q > counts[i] {
				t.Fatalf("apportion(%v, %d): class %d gets %d", counts, tot, i, q)
			}
			ideal := float64(tot) * float64(counts[i]) / float64(n)
			if float64(q) < ideal-1 || float64(q) > ideal+1 {
				t.Fatalf("apportion(%v, %d): class %d gets %d, ideal %.2f", counts, tot, i, q, ideal)
			}
		}
		if sum != tot {
			t.Fatalf("apportion(%v, %d) = %v sums to %d", counts, tot, quota, sum)
		}
		// Train quotas within what the test quotas leave.
		left := []int64{counts[0] - quota[0], counts[1] - quota[1], counts[2] - quota[2]}
		rest := n - tot
		train := apportion(counts, rest, n, left)
		sum = 0
		for i, q := range train {
			sum += q
			if q > left[i] {
				t.Fatalf("train quota %d over capacity %d", q, left[i])
			}
		}
		if sum != rest {
			t.Fatalf("train quotas %v sum to %d, want %d", train, sum, rest)
		}
	})
}

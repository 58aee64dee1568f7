package dataset

import (
	"slices"
	"testing"
)

func TestGlobRegexp(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"**/train[-._ 0-9]*", "train.csv", true},
		{"**/train[-._ 0-9]*", "data/train-00000-of-00001.parquet", true},
		{"**/train[-._ 0-9]*", "data/training.csv", false},
		{"**/*[-._ 0-9]test[-._ 0-9]*", "0000_test.parquet", true},
		{"**/*[-._ 0-9]test[-._ 0-9]*", "0000.parquet", false},
		{"**/train[-._ 0-9]*/**", "train_dataset/data-00000-of-00001.arrow", true},
		{"**/train/**", "train/x.arrow", true},
		{"**/eval[-._ 0-9]*/**", "eval_dataset/data.arrow", true},
		{"**/eval[-._ 0-9]*/**", "eval_1/data.arrow", true},
		{"data/*.parquet", "data/a.parquet", true},
		{"data/*.parquet", "data/sub/a.parquet", false},
		{"**", "a/b/c", true},
	}
	for _, tt := range tests {
		re, err := globRegexp(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(tt.name); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	got := []string{"shard-10.parquet", "shard-2.parquet", "shard-1.parquet", "shard-02.parquet", "a", "shard-1b"}
	slices.SortFunc(got, func(a, b string) int {
		if naturalLess(a, b) {
			return -1
		}
		if naturalLess(b, a) {
			return 1
		}
		return 0
	})
	want := []string{"a", "shard-1.parquet", "shard-1b", "shard-2.parquet", "shard-02.parquet", "shard-10.parquet"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

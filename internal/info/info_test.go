package info

import (
	"context"
	"errors"
	"testing"

	"github.com/tome-data/tome/dataset"
)

func TestDescribeCountsRowsAndColumns(t *testing.T) {
	ctx := context.Background()
	ds, err := dataset.Open(ctx, "../../testdata/reviews.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	info, err := Describe(ctx, ds, "reviews.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if info.Rows != 500 || info.Format != "jsonl" || info.Path != "reviews.jsonl" || len(info.Columns) != ds.Schema().NumFields() {
		t.Fatalf("info = %+v", info)
	}
	if info.Columns[0].Name != ds.Schema().Field(0).Name || info.Columns[0].Type != ds.Schema().Field(0).Type.String() {
		t.Fatalf("first column %+v, schema %v", info.Columns[0], ds.Schema().Field(0))
	}
}

func TestAddSplitsKeepsBrokenSplitsErrors(t *testing.T) {
	ctx := context.Background()
	ds, err := dataset.Open(ctx, "../../testdata/reviews.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	info, err := Describe(ctx, ds, "x")
	if err != nil {
		t.Fatal(err)
	}
	released := 0
	broken := errors.New("shard gone")
	err = info.AddSplits(ctx, []string{"train", "test"}, func(ctx context.Context, name string) (*dataset.Dataset, func(), error) {
		if name == "test" {
			return nil, nil, broken
		}
		return ds, func() { released++ }, nil
	})
	if !errors.Is(err, broken) || err.Error() != "1 of 2 splits cannot be read (test): shard gone" {
		t.Fatalf("error %v", err)
	}
	if released != 1 || info.Splits["train"].Rows != 500 || info.Splits["test"].Rows != -1 || info.Splits["test"].Error != "shard gone" {
		t.Fatalf("splits %+v, released %d", info.Splits, released)
	}
	// One split needs no table.
	one := &Info{}
	if err := one.AddSplits(ctx, []string{"train"}, nil); err != nil || one.Splits != nil {
		t.Fatalf("one split: %v %v", err, one.Splits)
	}
}

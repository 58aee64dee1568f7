package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tome-data/tome/dataset"
)

// The tome sides that scan a dataset through the public API.
func init() {
	register("tome-scan", func(ctx context.Context, e *env) (run, error) {
		return tomeScan(ctx, e, nil)
	})
	register("tome-scan-text", func(ctx context.Context, e *env) (run, error) {
		return tomeScan(ctx, e, &dataset.ScanOptions{Columns: []string{"text"}})
	})
}

// tomeScan opens the comparison's file with dataset.Open and touches every
// value of every batch (of the projected columns).
func tomeScan(ctx context.Context, e *env, opts *dataset.ScanOptions) (run, error) {
	path, err := e.set.Path(ctx, e.file)
	if err != nil {
		return run{}, err
	}
	r, err := timed(func(c *check) (string, error) {
		return scanURI(ctx, path, opts, c)
	})
	if err == nil && strings.HasSuffix(path, ".parquet") {
		if groups, err := rowGroups(path); err == nil {
			r.Note += fmt.Sprintf(", %d row groups", groups)
		}
	}
	return r, err
}

// scanURI opens uri and touches every value it yields.
func scanURI(ctx context.Context, uri string, opts *dataset.ScanOptions, c *check) (string, error) {
	d, err := dataset.Open(ctx, uri)
	if err != nil {
		return "", err
	}
	defer d.Close()
	batches := 0
	for rec, err := range d.Batches(ctx, opts) {
		if err != nil {
			return "", err
		}
		batches++
		if err := touchBatch(rec, c); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d batches", batches), nil
}

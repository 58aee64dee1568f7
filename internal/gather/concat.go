package gather

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Concat joins batches of one schema into one batch, copying into mem. A
// single batch is returned as is, retained; either way the caller releases
// the result.
func Concat(mem memory.Allocator, parts []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("gather: concatenating no batches")
	}
	if len(parts) == 1 {
		parts[0].Retain()
		return parts[0], nil
	}
	schema := parts[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	var rows int64
	for _, p := range parts {
		rows += p.NumRows()
	}
	for i := range cols {
		arrs := make([]arrow.Array, len(parts))
		for j, p := range parts {
			arrs[j] = p.Column(i)
		}
		c, err := array.Concatenate(arrs, mem)
		if err != nil {
			return nil, fmt.Errorf("joining batches of column %s: %w", schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}

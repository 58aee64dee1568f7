package gather

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// gatherFallback handles the types without a kernel of their own
// (dictionary, union, run-end encoded, views): arrow-go's compute.Take
// once per source, or, for the types compute.Take does not know, slices
// of the spans joined by array.Concatenate.
func gatherFallback(mem memory.Allocator, dt arrow.DataType, srcs []arrow.ArrayData, spans []Span, n int) (arrow.ArrayData, error) {
	arrs := make([]arrow.Array, len(srcs))
	for i, s := range srcs {
		arrs[i] = array.MakeFromData(s)
	}
	defer releaseAll(arrs)
	out, takeErr := takeBySource(mem, arrs, spans)
	if takeErr == nil {
		return out, nil
	}
	out, concatErr := concatSpans(mem, arrs, spans)
	if concatErr != nil {
		return nil, fmt.Errorf("gather: %w: %s: %w", format.ErrUnsupported, dt, errors.Join(takeErr, concatErr))
	}
	return out, nil
}

// takeBySource takes each source's rows with one compute.Take, in output
// order, and, when several sources contribute, joins the pieces and puts
// them in span order with a last Take.
func takeBySource(mem memory.Allocator, arrs []arrow.Array, spans []Span) (arrow.ArrayData, error) {
	ctx := compute.WithAllocator(context.Background(), mem)
	local := make([][]int64, len(arrs))
	for _, s := range spans {
		for j := range s.Len {
			local[s.Src] = append(local[s.Src], int64(s.Off+j))
		}
	}
	var pieces []arrow.Array
	defer func() { releaseAll(pieces) }()
	base := make([]int64, len(arrs)) // where each source's rows start among the pieces
	var total int64
	for i, idx := range local {
		if len(idx) == 0 {
			continue
		}
		p, err := takeIndices(ctx, arrs[i], idx)
		if err != nil {
			return nil, err
		}
		pieces = append(pieces, p)
		base[i] = total
		total += int64(len(idx))
	}
	if len(pieces) == 0 {
		empty := array.MakeArrayOfNull(mem, arrs[0].DataType(), 0)
		defer empty.Release()
		return sliceData(empty), nil
	}
	if len(pieces) == 1 {
		return sliceData(pieces[0]), nil
	}
	joined, err := array.Concatenate(pieces, mem)
	if err != nil {
		return nil, err
	}
	defer joined.Release()
	perm := make([]int64, 0, total)
	next := base
	for _, s := range spans {
		for range s.Len {
			perm = append(perm, next[s.Src])
			next[s.Src]++
		}
	}
	out, err := takeIndices(ctx, joined, perm)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return sliceData(out), nil
}

// takeIndices is compute.TakeArray over indices held in Go memory.
func takeIndices(ctx context.Context, arr arrow.Array, idx []int64) (arrow.Array, error) {
	buf := memory.NewBufferBytes(arrowBytes(idx))
	ind := array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, len(idx), []*memory.Buffer{nil, buf}, nil, 0, 0))
	defer ind.Release()
	return compute.TakeArray(ctx, arr, ind)
}

// concatSpans slices every span and concatenates the slices.
func concatSpans(mem memory.Allocator, arrs []arrow.Array, spans []Span) (_ arrow.ArrayData, err error) {
	defer recoverCorrupt(&err)
	slices := make([]arrow.Array, 0, len(spans))
	defer func() { releaseAll(slices) }()
	for _, s := range spans {
		slices = append(slices, array.NewSlice(arrs[s.Src], int64(s.Off), int64(s.Off+s.Len)))
	}
	if len(slices) == 0 {
		slices = append(slices, array.NewSlice(arrs[0], 0, 0))
	}
	out, err := array.Concatenate(slices, mem)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return sliceData(out), nil
}

// sliceData returns arr's data with a reference of its own.
func sliceData(arr arrow.Array) arrow.ArrayData {
	d := arr.Data()
	d.Retain()
	return d
}

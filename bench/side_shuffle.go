package main

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
)

// Workload 5: the training stream's shuffles.
//
//   - block with rank partitioning (rank 0 of 2) against the unshuffled
//     stream of the same rank (Train with ShuffleNone, World 2, Rank 0):
//     the same number of rows, both materialised in batches of their own,
//     so that the shuffle's random reads are all that differs; and against
//     tome's zero-copy scan of the whole file, per row delivered (a bound no
//     shuffle can reach on mmap data: the scan copies nothing).
//   - global against arrow-go's compute.Take over the whole file
//     concatenated into one batch beforehand (outside the clock: Take's
//     easiest case), with a random permutation cut into batches of
//     format.DefaultBatchSize rows, as dataset's BenchmarkTrain does. Both
//     run on one goroutine and deliver the same rows, touched alike.
func init() {
	register("tome-block", func(ctx context.Context, e *env) (run, error) {
		return tomeTrain(ctx, e, dataset.TrainOptions{Mode: dataset.ShuffleBlock, Seed: 1, World: 2, Rank: 0})
	})
	register("tome-none-rank", func(ctx context.Context, e *env) (run, error) {
		return tomeTrain(ctx, e, dataset.TrainOptions{Mode: dataset.ShuffleNone, World: 2, Rank: 0})
	})
	register("tome-block-1rank", func(ctx context.Context, e *env) (run, error) {
		return tomeTrain(ctx, e, dataset.TrainOptions{Mode: dataset.ShuffleBlock, Seed: 1})
	})
	register("tome-global", func(ctx context.Context, e *env) (run, error) {
		return tomeTrain(ctx, e, dataset.TrainOptions{Mode: dataset.ShuffleGlobal, Seed: 1, BatchRows: format.DefaultBatchSize})
	})
	register("arrow-take", arrowTake)
}

// tomeTrain opens the file, starts a training stream with o and touches
// every value it delivers.
func tomeTrain(ctx context.Context, e *env, o dataset.TrainOptions) (run, error) {
	return timedDataset(ctx, e, func(c *check, d *dataset.Dataset) error {
		s, err := d.Train(o)
		if err != nil {
			return err
		}
		defer s.Close()
		for rec, err := range s.Batches(ctx) {
			if err != nil {
				return err
			}
			if err := touchBatch(rec, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func arrowTake(ctx context.Context, e *env) (run, error) {
	path, err := e.set.Path(ctx, e.file)
	if err != nil {
		return run{}, err
	}
	data, unmap, err := mapFile(path)
	if err != nil {
		return run{}, err
	}
	defer unmap()
	whole, err := concatIPC(data)
	if err != nil {
		return run{}, err
	}
	defer whole.Release()
	rows := int(whole.NumRows())
	perm := make([]int64, rows)
	for i, p := range rand.New(rand.NewPCG(2, 3)).Perm(rows) {
		perm[i] = int64(p)
	}
	return timed(func(c *check) (string, error) {
		for off := 0; off < rows; off += format.DefaultBatchSize {
			out, err := takeRows(ctx, whole, perm[off:min(off+format.DefaultBatchSize, rows)])
			if err != nil {
				return "", err
			}
			err = touchBatch(out, c)
			out.Release()
			if err != nil {
				return "", err
			}
		}
		return "", nil
	})
}

// concatIPC reads every batch of the mapped IPC file and concatenates them
// column by column into one batch.
func concatIPC(data []byte) (arrow.RecordBatch, error) {
	r, err := ipc.NewMappedFileReader(data)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cols := make([][]arrow.Array, r.Schema().NumFields())
	for i := range r.NumRecords() {
		rec, err := r.RecordBatchAt(i)
		if err != nil {
			return nil, err
		}
		defer rec.Release()
		for j := range cols {
			cols[j] = append(cols[j], rec.Column(j))
		}
	}
	mem := memory.NewGoAllocator()
	out := make([]arrow.Array, len(cols))
	var rows int64
	for j, parts := range cols {
		a, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("concatenating column %d: %w", j, err)
		}
		out[j], rows = a, int64(a.Len())
	}
	rec := array.NewRecordBatch(r.Schema(), out, rows)
	for _, a := range out {
		a.Release()
	}
	return rec, nil
}

// takeRows is compute.TakeArray of idx over every column of rec.
func takeRows(ctx context.Context, rec arrow.RecordBatch, idx []int64) (arrow.RecordBatch, error) {
	ind := array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, len(idx),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(idx))}, nil, 0, 0))
	defer ind.Release()
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, col := range rec.Columns() {
		out, err := compute.TakeArray(ctx, col, ind)
		if err != nil {
			return nil, err
		}
		cols[i] = out
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(idx))), nil
}

package dataset

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"reflect"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// stratifiedSplit allocates the test and train sets to the classes of
// column opts.StratifyBy in proportion to their sizes, then walks the
// permutation of opts.Seed giving each row to the test set while its
// class's test quota lasts, then to the train set while that quota lasts.
// Each set is thus a shuffled sample of every class, in permutation order.
func (d *Dataset) stratifiedSplit(ctx context.Context, opts SplitOptions, nTrain, nTest int64) (train, test sliceMap, err error) {
	classOf, counts, err := d.classes(ctx, opts.StratifyBy)
	if err != nil {
		return nil, nil, err
	}
	n := int64(len(classOf))
	if n != d.Len() {
		return nil, nil, fmt.Errorf("train test split: stratify: read %d rows of %s, the dataset has %d", n, d.name, d.Len())
	}
	testQuota := apportion(counts, nTest, n, counts)
	left := make([]int64, len(counts))
	for c := range counts {
		left[c] = counts[c] - testQuota[c]
	}
	trainQuota := apportion(counts, nTrain, n, left)

	p, err := newPermutation(n, opts.Seed)
	if err != nil {
		return nil, nil, err
	}
	train, test = make(sliceMap, 0, nTrain), make(sliceMap, 0, nTest)
	for k, row := range p.All(0) {
		if k&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		c := classOf[row]
		switch {
		case testQuota[c] > 0:
			testQuota[c]--
			test = append(test, row)
		case trainQuota[c] > 0:
			trainQuota[c]--
			train = append(train, row)
		}
	}
	return train, test, nil
}

// apportion divides total among classes in proportion to counts (which
// sum to n) by the largest remainder method, no class getting more than
// its capacity: each class gets floor(total*count/n), and the rows left
// go one each to the classes with the largest remainders, ties to the
// lower class number (the class seen first), in as many rounds as
// capacities require. The capacities must sum to at least total.
func apportion(counts []int64, total, n int64, capacity []int64) []int64 {
	quota := make([]int64, len(counts))
	rem := make([]uint64, len(counts))
	var given int64
	for c, k := range counts {
		// total*k can overflow 64 bits; total <= n keeps the quotient in range.
		hi, lo := bits.Mul64(uint64(total), uint64(k))
		q, r := bits.Div64(hi, lo, uint64(n))
		quota[c], rem[c] = min(int64(q), capacity[c]), r
		given += quota[c]
	}
	order := make([]int, len(counts))
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for given < total {
		before := given
		for _, c := range order {
			if given == total {
				break
			}
			if quota[c] < capacity[c] {
				quota[c]++
				given++
			}
		}
		if given == before {
			break // capacities short of total: a caller's bug, not a hang
		}
	}
	return quota
}

// classes reads column name and returns each row's class number (classes
// numbered in order of first appearance) and each class's row count.
func (d *Dataset) classes(ctx context.Context, name string) (classOf []int32, counts []int64, err error) {
	if d.schema.FieldIndices(name) == nil {
		return nil, nil, fmt.Errorf("train test split: stratify: %w: no column %q (columns: %s)", ErrNotFound, name, fieldNames(d.schema))
	}
	ids := make(map[any]int32)
	classify := func(key any) error {
		id, ok := ids[key]
		if !ok {
			if len(ids) == 1<<31-1 {
				return fmt.Errorf("train test split: stratify: column %q has too many classes", name)
			}
			id = int32(len(ids))
			ids[key] = id
			counts = append(counts, 0)
		}
		classOf = append(classOf, id)
		counts[id]++
		return nil
	}
	for b, err := range d.Batches(ctx, &ScanOptions{Columns: []string{name}}) {
		if err != nil {
			return nil, nil, fmt.Errorf("train test split: stratify: %w", err)
		}
		if err := classKeys(b, name, classify); err != nil {
			return nil, nil, err
		}
	}
	return classOf, counts, nil
}

// classKeys calls classify with the class key of every row of b's only
// column: its value, or nil for null. Common class columns (integers, as
// a ClassLabel is, and strings) are read directly; others through
// Row.Value, which must give a comparable value.
func classKeys(b arrow.RecordBatch, name string, classify func(any) error) error {
	col := b.Column(0)
	for i := range col.Len() {
		var key any
		switch a := col.(type) {
		case *array.Int64:
			key = a.Value(i)
		case *array.Int32:
			key = int64(a.Value(i))
		case *array.String:
			key = a.Value(i)
		case *array.LargeString:
			key = a.Value(i)
		default:
			key = NewRow(b, i).Value(0)
		}
		if col.IsNull(i) {
			key = nil
		}
		switch v := key.(type) {
		case []byte:
			key = string(v)
		case nil:
		default:
			if !reflect.TypeOf(v).Comparable() {
				return fmt.Errorf("train test split: stratify: column %q holds %s values, not classes", name, col.DataType())
			}
		}
		if err := classify(key); err != nil {
			return err
		}
	}
	return nil
}

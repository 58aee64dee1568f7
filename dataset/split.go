package dataset

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// SplitOptions configure TrainTestSplit. The zero value holds out a
// shuffled quarter of the rows as the test set, as Hugging Face's
// Dataset.train_test_split does by default.
type SplitOptions struct {
	// TestSize is the test set's fraction of the rows, in (0, 1): the test
	// set has ceil(TestSize*Len) rows. TestRows gives the count instead.
	// Set at most one; with neither, the test set is what the train set
	// leaves, or a quarter of the rows when the train size is not set
	// either.
	TestSize float64
	TestRows int64
	// TrainSize is the train set's fraction of the rows, in (0, 1): the
	// train set has floor(TrainSize*Len) rows. TrainRows gives the count
	// instead. With neither, the train set is every row the test set
	// leaves. Rows in neither set are left out.
	TrainSize float64
	TrainRows int64
	// Seed keys the shuffle (see Shuffle).
	Seed uint64
	// NoShuffle splits without shuffling: the train set is the first
	// rows, the test set the rows after them. The default shuffles, as
	// Hugging Face's shuffle=True does.
	NoShuffle bool
	// StratifyBy names a column whose values are classes: each class
	// then has the same share of the test set as of the dataset, up to
	// rounding (largest remainders, ties to the class seen first). Any
	// column of scalar values works, nulls being one more class; it needs
	// shuffling.
	StratifyBy string
}

// TrainTestSplit splits the dataset into a train and a test view, as
// Hugging Face's Dataset.train_test_split does: shuffled, the test set is
// the first rows of the permutation Shuffle(Seed) gives and the train set
// the rows after them, so test rows come in that permutation's order. It
// copies no data; without stratification the views store no indices
// either. Both views share the dataset's files: close each.
//
// Sizes that leave the train set empty, that ask for more rows than there
// are, or a fraction outside (0, 1), give an error saying which.
func (d *Dataset) TrainTestSplit(ctx context.Context, opts SplitOptions) (train, test *Dataset, err error) {
	if err := d.checkOpen("train test split"); err != nil {
		return nil, nil, err
	}
	n, err := d.needLen("train test split")
	if err != nil {
		return nil, nil, err
	}
	nTrain, nTest, err := splitSizes(n, opts)
	if err != nil {
		return nil, nil, err
	}
	var trainRows, testRows indexMap
	switch {
	case opts.StratifyBy != "":
		if opts.NoShuffle {
			return nil, nil, errors.New("train test split: stratifying needs shuffling (NoShuffle is set)")
		}
		trainRows, testRows, err = d.stratifiedSplit(ctx, opts, nTrain, nTest)
		if err != nil {
			return nil, nil, err
		}
	case opts.NoShuffle:
		trainRows = rangeMap{start: 0, step: 1, n: nTrain}
		testRows = rangeMap{start: nTrain, step: 1, n: nTest}
	default:
		p, err := newPermutation(n, opts.Seed)
		if err != nil {
			return nil, nil, err
		}
		testRows = permMap{p: p, off: 0, n: nTest}
		trainRows = permMap{p: p, off: nTest, n: nTrain}
	}
	return d.view(trainRows), d.view(testRows), nil
}

// splitSizes returns the train and test set sizes for n rows, with the
// checks and rounding of Hugging Face's train_test_split.
func splitSizes(n int64, o SplitOptions) (nTrain, nTest int64, err error) {
	if o.TestSize != 0 && o.TestRows != 0 {
		return 0, 0, errors.New("train test split: set TestSize or TestRows, not both")
	}
	if o.TrainSize != 0 && o.TrainRows != 0 {
		return 0, 0, errors.New("train test split: set TrainSize or TrainRows, not both")
	}
	testSet := o.TestSize != 0 || o.TestRows != 0
	trainSet := o.TrainSize != 0 || o.TrainRows != 0
	if !testSet && !trainSet {
		o.TestSize, testSet = 0.25, true
	}
	if err := checkSplitSize("test", o.TestSize, o.TestRows, n); err != nil {
		return 0, 0, err
	}
	if err := checkSplitSize("train", o.TrainSize, o.TrainRows, n); err != nil {
		return 0, 0, err
	}
	if o.TestSize != 0 && o.TrainSize != 0 && o.TestSize+o.TrainSize > 1 {
		return 0, 0, fmt.Errorf("train test split: %w: TestSize + TrainSize = %g, want at most 1", ErrOutOfRange, o.TestSize+o.TrainSize)
	}
	nTest, nTrain = o.TestRows, o.TrainRows
	if o.TestSize != 0 {
		nTest = int64(math.Ceil(o.TestSize * float64(n)))
	}
	if o.TrainSize != 0 {
		nTrain = int64(math.Floor(o.TrainSize * float64(n)))
	}
	switch {
	case !trainSet:
		nTrain = n - nTest
	case !testSet:
		nTest = n - nTrain
	}
	if nTrain+nTest > n {
		return 0, 0, fmt.Errorf("train test split: %w: %d train and %d test rows, but the dataset has %d", ErrOutOfRange, nTrain, nTest, n)
	}
	if nTrain == 0 {
		return 0, 0, fmt.Errorf("train test split: %w: with %d rows and %d test rows the train set would be empty", ErrOutOfRange, n, nTest)
	}
	return nTrain, nTest, nil
}

// checkSplitSize checks a fraction (in (0, 1)) or row count (in (0, n)),
// zero meaning unset.
func checkSplitSize(set string, frac float64, rows, n int64) error {
	if frac != 0 && !(frac > 0 && frac < 1) {
		return fmt.Errorf("train test split: %w: %s size %g, want a fraction in (0, 1)", ErrOutOfRange, set, frac)
	}
	if rows != 0 && (rows < 0 || rows >= n) {
		return fmt.Errorf("train test split: %w: %d %s rows, want 1 to %d", ErrOutOfRange, rows, set, n-1)
	}
	return nil
}

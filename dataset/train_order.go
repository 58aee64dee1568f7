package dataset

import (
	"iter"

	"github.com/tome-data/tome/internal/order"
)

// A trainOrder is the index side of a training stream: which rows of the
// stream's dataset it delivers, in which order, and the state after some
// of them. A plain dataset's order is a planOrder; a mix's a mixOrder.
type trainOrder interface {
	// len is the number of samples the stream delivers; rankLen the
	// number its rank delivers over all its workers.
	len() int64
	rankLen() int64
	// rows yields the dataset row of each sample in delivery order.
	rows() iter.Seq2[int64, error]
	// span reports whether the samples are the rows [lo, hi) in order,
	// which streams as zero-copy slices of the files' batches.
	span() (lo, hi int64, ok bool)
	// state is the resume point after the rank has delivered consumed
	// samples past the stream's start.
	state(consumed int64) (TrainState, error)
}

// planOrder is the order of one dataset: an order.Plan over its shards.
type planOrder struct {
	plan  *order.Plan
	extra []string // the fingerprint's strings (trainIdentity)
}

func (o *planOrder) len() int64     { return o.plan.Len() }
func (o *planOrder) rankLen() int64 { return o.plan.RankLen() }

func (o *planOrder) rows() iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		for _, row := range o.plan.All(0) {
			if !yield(row, nil) {
				return
			}
		}
	}
}

// A readerOrder is a trainOrder that can also fill slices with its rows,
// in delivery order, rather than yield them one at a time; the stream
// walks such an order through its reader.
type readerOrder interface {
	trainOrder
	reader() rowReader
}

// A rowReader fills dst with the next rows of its order and returns how
// many: 0 at the end.
type rowReader interface {
	Read(dst []int64) int
}

// reader walks the plan in slices: a block shuffle's rows come out of one
// loop per window at a few nanoseconds each, which rows would pass on
// through two iterators' yields per row.
func (o *planOrder) reader() rowReader { return o.plan.NewReader(0) }

// span: in manifest order, one rank with one worker delivers the rows from
// its start to the end, with no pads (a world of one needs none).
func (o *planOrder) span() (lo, hi int64, ok bool) {
	c := o.plan.Config()
	if c.Mode != order.None || c.World != 1 || c.Workers != 1 {
		return 0, 0, false
	}
	lo = min(c.Start, o.plan.Rows())
	return lo, lo + o.plan.Len(), true
}

func (o *planOrder) state(consumed int64) (TrainState, error) {
	s, err := o.plan.State(consumed, o.extra...)
	if err != nil {
		return TrainState{}, orderError(err)
	}
	return stateFromOrder(s), nil
}

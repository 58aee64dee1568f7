package parquet

import (
	"runtime"

	"github.com/tome-data/tome/format"
)

// DefaultMaxPageSize is the largest page, compressed or not, a Reader accepts
// unless Options.MaxPageSize says otherwise. A page is decoded whole, so this
// bounds what one column allocates for one page whatever a hostile header
// claims; real writers cut pages at about 1 MiB, and only a single huge value
// (an embedded video, say) makes a page approach the limit.
const DefaultMaxPageSize = 256 << 20

// Options configure Open. The zero value reads every column of every row
// group with format.DefaultBatchSize rows per batch.
type Options struct {
	format.ReadOptions

	// RowGroups selects row groups, in the order given; nil means all of
	// them in file order. The Reader's chunk i is row group RowGroups[i].
	RowGroups []int

	// Workers is how many columns decode at the same time: 0 means
	// GOMAXPROCS, 1 decodes them one after the other. Decoding is parallel
	// across top-level columns; a struct's children decode together. When
	// every column takes the fast path, Batches also decodes up to Workers
	// row groups at once, in bounded memory (fastrowgroups.go).
	Workers int

	// MaxPageSize bounds the compressed and uncompressed size of one page;
	// zero means DefaultMaxPageSize. A page beyond it is an ErrCorrupt error.
	MaxPageSize int64

	// GeneralPath decodes every column through pqarrow, turning off the
	// fast decoder of flat and list-of-primitive columns (see fast.go).
	// The two give equal batches; this is an escape hatch and a baseline.
	GeneralPath bool
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (o Options) maxPageSize() int64 {
	if o.MaxPageSize > 0 {
		return o.MaxPageSize
	}
	return DefaultMaxPageSize
}

package jsonl

import "github.com/apache/arrow-go/v18/arrow/array"

// A sizer remembers how far a builder (and the builders inside it) grew
// for the last batch, so that the next batch reserves that much up front
// rather than growing by doubling and copying: batches of one file are
// alike, and growth was a tenth of the decoding time.
type sizer struct {
	b    array.Builder
	n    int
	data int
	kids []*sizer
}

func newSizer(b array.Builder) *sizer {
	z := &sizer{b: b}
	switch b := b.(type) {
	case *array.StructBuilder:
		for i := range b.NumField() {
			z.kids = append(z.kids, newSizer(b.FieldBuilder(i)))
		}
	case *array.MapBuilder:
		z.kids = append(z.kids, newSizer(b.KeyBuilder()), newSizer(b.ItemBuilder()))
	case array.ListLikeBuilder:
		z.kids = append(z.kids, newSizer(b.ValueBuilder()))
	}
	return z
}

// dataMargin: reserve adds 1/dataMargin to the data recorded.
const dataMargin = 8

type dataBuilder interface {
	DataLen() int
	ReserveData(int)
}

// record notes the current sizes; call it before the builder is flushed.
func (z *sizer) record() {
	z.n = z.b.Len()
	if d, ok := z.b.(dataBuilder); ok {
		z.data = d.DataLen()
	}
	for _, k := range z.kids {
		k.record()
	}
}

// reserve makes room for as much as was recorded, and for the data of
// variable-length values an eighth more: batches are cut by line bytes, so
// the next batch's strings are about as long but longer about half the
// time, and a builder that outgrows its data buffer by one byte doubles it
// and copies everything (a tenth of the decoding time on text-heavy
// input). Element counts need no margin: Reserve rounds them up to a
// power of two.
func (z *sizer) reserve() {
	z.b.Reserve(z.n)
	if d, ok := z.b.(dataBuilder); ok {
		d.ReserveData(z.data + z.data/dataMargin)
	}
	for _, k := range z.kids {
		k.reserve()
	}
}

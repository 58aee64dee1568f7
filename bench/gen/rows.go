package gen

import (
	"math/rand/v2"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// vocabularySize is the number of distinct words in the texts; the Zipf
// exponent makes a few of them very common, as in natural text, so the
// text compresses and dictionary-encodes like real data does.
const (
	vocabularySize = 5000
	zipfExponent   = 1.1
)

// rowSource produces the main data set's rows in order, batch by batch,
// from one seeded generator: the same seed gives the same rows.
type rowSource struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	words []string
	next  int64
	total int64
	text  strings.Builder
}

func newRowSource(rows int64, seed uint64) *rowSource {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	words := make([]string, vocabularySize)
	for i := range words {
		var sb strings.Builder
		for range 2 + rng.IntN(9) {
			sb.WriteByte(byte('a' + rng.IntN(26)))
		}
		words[i] = sb.String()
	}
	return &rowSource{
		rng:   rng,
		zipf:  rand.NewZipf(rng, zipfExponent, 1, vocabularySize-1),
		words: words,
		total: rows,
	}
}

// nextBatch returns the next at most n rows with ListSchema, or nil after
// the last row.
func (s *rowSource) nextBatch(mem memory.Allocator, n int) arrow.RecordBatch {
	if s.next >= s.total {
		return nil
	}
	n = int(min(int64(n), s.total-s.next))
	b := array.NewRecordBuilder(mem, ListSchema)
	defer b.Release()
	ids := b.Field(0).(*array.Int64Builder)
	labels := b.Field(1).(*array.Float32Builder)
	texts := b.Field(2).(*array.StringBuilder)
	embeddings := b.Field(3).(*array.ListBuilder)
	values := embeddings.ValueBuilder().(*array.Float32Builder)
	values.Reserve(n * EmbeddingDim)
	for range n {
		ids.Append(s.next)
		labels.Append(s.rng.Float32())
		texts.Append(s.nextText())
		embeddings.Append(true)
		for range EmbeddingDim {
			values.UnsafeAppend(float32(s.rng.NormFloat64()))
		}
		s.next++
	}
	return b.NewRecordBatch()
}

// nextText is 150-250 bytes of words separated by spaces, cut at the length
// drawn (possibly inside a word).
func (s *rowSource) nextText() string {
	n := 150 + s.rng.IntN(101)
	s.text.Reset()
	for s.text.Len() < n {
		if s.text.Len() > 0 {
			s.text.WriteByte(' ')
		}
		s.text.WriteString(s.words[s.zipf.Uint64()])
	}
	return s.text.String()[:n]
}

// toFixed returns rec with its list embedding as a fixed-size list over the
// same values (every list holds exactly EmbeddingDim values, so the values
// buffer is already laid out as the fixed-size list needs).
func toFixed(rec arrow.RecordBatch) arrow.RecordBatch {
	list := rec.Column(3).(*array.List)
	values := list.ListValues()
	start := int64(list.Offsets()[0])
	child := array.NewSlice(values, start, start+int64(list.Len())*EmbeddingDim)
	defer child.Release()
	data := array.NewData(FixedSchema.Field(3).Type, list.Len(), []*memory.Buffer{nil}, []arrow.ArrayData{child.Data()}, 0, 0)
	defer data.Release()
	fixed := array.MakeFromData(data)
	defer fixed.Release()
	cols := []arrow.Array{rec.Column(0), rec.Column(1), rec.Column(2), fixed}
	return array.NewRecordBatch(FixedSchema, cols, rec.NumRows())
}

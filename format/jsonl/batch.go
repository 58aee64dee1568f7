package jsonl

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A batchBuilder decodes lines into one record batch at a time. It owns a
// RecordBuilder and the decoder tree bound to it; a goroutine uses one.
type batchBuilder struct {
	schema *arrow.Schema
	rb     *array.RecordBuilder
	obj    *object
	comp   compiler
	sizers []*sizer
	s      scanner
	rows   int // rows in the batch being built
	bytes  int // bytes of text behind them
}

// newBatchBuilder compiles the decoders for schema. ignore names keys to
// skip silently; strict makes other unknown keys an error.
func newBatchBuilder(mem memory.Allocator, schema *arrow.Schema, ignore map[string]bool, strict bool) (*batchBuilder, error) {
	b := &batchBuilder{schema: schema, rb: array.NewRecordBuilder(mem, schema)}
	b.comp = compiler{strict: strict, mem: mem}
	members := make([]member, schema.NumFields())
	for i, f := range schema.Fields() {
		dec, err := b.comp.compile(b.rb.Field(i), f.Name)
		if err != nil {
			b.release()
			return nil, err
		}
		members[i] = member{name: f.Name, dec: field(dec, f.Nullable, f.Name), nullable: f.Nullable}
	}
	for _, f := range b.rb.Fields() {
		b.sizers = append(b.sizers, newSizer(f))
	}
	b.obj = newObject("", members, strict)
	b.obj.ignore = ignore
	return b, nil
}

// add decodes one line. A blank line adds nothing and reports false.
func (b *batchBuilder) add(line []byte) (bool, error) {
	b.s.reset(line)
	switch b.s.skipSpace() {
	case 0:
		return false, nil
	case '{':
	default:
		return false, notObject(&b.s)
	}
	if err := b.obj.decodeMembers(&b.s); err != nil {
		return false, err
	}
	if !b.s.atEnd() {
		return false, b.s.syntaxError("unexpected data after the object")
	}
	b.rows++
	b.bytes += len(line)
	return true, nil
}

// finish returns the rows added since the last finish as a batch.
func (b *batchBuilder) finish() arrow.RecordBatch {
	var rec arrow.RecordBatch
	if b.schema.NumFields() == 0 {
		// RecordBuilder counts rows by its columns; with none, say it.
		rec = array.NewRecordBatch(b.schema, nil, int64(b.rows))
	} else {
		for _, z := range b.sizers {
			z.record()
		}
		rec = b.rb.NewRecordBatch()
		for _, z := range b.sizers {
			z.reserve()
		}
	}
	b.rows, b.bytes = 0, 0
	return rec
}

func (b *batchBuilder) release() {
	b.rb.Release()
	b.comp.release()
}

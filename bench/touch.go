package main

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// touchBatch reads every value of rec's columns of the benchmark schema
// (whichever of id, label, text and embedding it has) into c: the work a
// training job does at least once per value, and what the anchors do too.
func touchBatch(rec arrow.RecordBatch, c *check) error {
	c.Rows += rec.NumRows()
	for i, f := range rec.Schema().Fields() {
		if err := touchColumn(f.Name, rec.Column(i), c); err != nil {
			return err
		}
	}
	return nil
}

func touchColumn(name string, col arrow.Array, c *check) error {
	switch a := col.(type) {
	case *array.Int64:
		for _, v := range a.Int64Values() {
			c.IDSum += v
		}
	case *array.Float32:
		c.LabelSum += sumFloat32(a.Float32Values())
	case *array.String:
		offs := a.ValueOffsets()
		c.TextBytes += int64(offs[len(offs)-1] - offs[0])
	case *array.List:
		return touchFloats(name, a.ListValues(), int64(a.Offsets()[0]), int64(a.Offsets()[a.Len()]), c)
	case *array.FixedSizeList:
		n := int64(a.DataType().(*arrow.FixedSizeListType).Len())
		off := int64(a.Offset()) * n
		return touchFloats(name, a.ListValues(), off, off+int64(a.Len())*n, c)
	default:
		return fmt.Errorf("column %s: unexpected type %s", name, col.DataType())
	}
	return nil
}

func touchFloats(name string, values arrow.Array, from, to int64, c *check) error {
	f, ok := values.(*array.Float32)
	if !ok {
		return fmt.Errorf("column %s: values of type %s, want float32", name, values.DataType())
	}
	c.EmbSum += sumFloat32(f.Float32Values()[from:to])
	c.EmbValues += to - from
	return nil
}

// sumFloat32 adds float32 values in float64 with four accumulators, so that
// the loop runs at the speed of the additions' throughput rather than their
// latency.
func sumFloat32(vs []float32) float64 {
	var s0, s1, s2, s3 float64
	for len(vs) >= 4 {
		s0 += float64(vs[0])
		s1 += float64(vs[1])
		s2 += float64(vs[2])
		s3 += float64(vs[3])
		vs = vs[4:]
	}
	for _, v := range vs {
		s0 += float64(v)
	}
	return s0 + s1 + s2 + s3
}

// sumWords adds b as little-endian 64-bit words (a trailing partial word is
// added byte by byte): a read of every byte at memory speed, the floor for
// any scan of those bytes.
func sumWords(b []byte) uint64 {
	var s0, s1, s2, s3 uint64
	for len(b) >= 32 {
		s0 += binary.LittleEndian.Uint64(b)
		s1 += binary.LittleEndian.Uint64(b[8:])
		s2 += binary.LittleEndian.Uint64(b[16:])
		s3 += binary.LittleEndian.Uint64(b[24:])
		b = b[32:]
	}
	for ; len(b) >= 8; b = b[8:] {
		s0 += binary.LittleEndian.Uint64(b)
	}
	for _, v := range b {
		s0 += uint64(v)
	}
	return s0 + s1 + s2 + s3
}

// sumBatchWords adds every value buffer of rec's columns as words with
// sumWords: the same memory traffic as touching every value (for text, its
// bytes as well as its offsets), with the same arithmetic per byte as the
// raw sum it is compared to.
func sumBatchWords(rec arrow.RecordBatch) uint64 {
	var s uint64
	for _, col := range rec.Columns() {
		s += sumDataWords(col.Data())
	}
	return s
}

func sumDataWords(d arrow.ArrayData) uint64 {
	var s uint64
	for _, b := range d.Buffers() {
		if b != nil {
			s += sumWords(b.Bytes())
		}
	}
	for _, child := range d.Children() {
		s += sumDataWords(child)
	}
	return s
}

package dataset

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
)

// mappedBytes returns the memory mapping a shard's zero-copy batches point
// into, or nil when its source is not mapped.
func mappedBytes(sf *shardFile) []byte {
	if m, ok := sf.opened().src.(format.Mapped); ok {
		return m.Bytes()
	}
	return nil
}

// chunkCost is what keeping batches costs: the bytes of their buffers that
// do not point into mapping (those are the file's pages, which the kernel
// manages), plus chunkOverhead per array for the Go structures.
func chunkCost(batches []arrow.RecordBatch, mapping []byte) int64 {
	var lo, hi uintptr
	if len(mapping) > 0 {
		lo = uintptr(unsafe.Pointer(unsafe.SliceData(mapping)))
		hi = lo + uintptr(len(mapping))
	}
	var cost int64
	var walk func(d arrow.ArrayData)
	walk = func(d arrow.ArrayData) {
		if d == nil {
			return
		}
		cost += chunkOverhead
		for _, b := range d.Buffers() {
			if b == nil || b.Len() == 0 {
				continue
			}
			p := uintptr(unsafe.Pointer(unsafe.SliceData(b.Bytes())))
			if p < lo || p >= hi {
				cost += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			walk(c)
		}
		// Dictionary returns a typed nil *array.Data when there is none.
		if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
			walk(dict)
		}
	}
	for _, b := range batches {
		for _, c := range b.Columns() {
			walk(c.Data())
		}
	}
	return cost
}

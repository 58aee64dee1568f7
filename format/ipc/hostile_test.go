package ipc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowipc "github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// The tests here forge specific defects into files arrow-go wrote, at
// positions found with the package's own metadata parsers.

var textSchema = arrow.NewSchema([]arrow.Field{
	{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	{Name: "s", Type: arrow.BinaryTypes.String},
}, nil)

// textStream writes one batch of n rows ("row 0", "row 1", ...) as a
// stream, compressed with the given arrow-go options.
func textStream(t testing.TB, n int, opts ...arrowipc.Option) []byte {
	t.Helper()
	nb := array.NewInt64Builder(memory.DefaultAllocator)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer nb.Release()
	defer sb.Release()
	for i := range n {
		nb.Append(int64(i))
		sb.Append("row " + strings.Repeat("x", i%7))
	}
	ns, ss := nb.NewArray(), sb.NewArray()
	defer ns.Release()
	defer ss.Release()
	rec := array.NewRecordBatch(textSchema, []arrow.Array{ns, ss}, int64(n))
	defer rec.Release()
	var buf bytes.Buffer
	w := arrowipc.NewWriter(&buf, append(opts, arrowipc.WithSchema(textSchema))...)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// firstBatch locates the first record batch of a stream: the position of
// its metadata flatbuffer in data, the parsed batch, and its body offset.
func firstBatch(t testing.TB, data []byte) (metaAt int, b batchMeta, bodyOff int64) {
	t.Helper()
	src, err := newSource(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := indexStream(src)
	if err != nil {
		t.Fatal(err)
	}
	e := idx.batches[0]
	metaAt = int(e.bodyOff) - len(e.meta)
	m, err := parseMessage(data[metaAt : metaAt+len(e.meta)])
	if err != nil {
		t.Fatal(err)
	}
	if b, err = parseBatch(m.header); err != nil {
		t.Fatal(err)
	}
	return metaAt, b, e.bodyOff
}

// readAll opens data and reads every batch, returning the first error.
func readAll(data []byte, opts Options) error {
	r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, err := range r.Batches(context.Background()) {
		if err != nil {
			return err
		}
	}
	return nil
}

// largestAlloc records the largest single allocation made through it.
type largestAlloc struct {
	memory.Allocator
	mu  sync.Mutex
	max int
}

func (a *largestAlloc) Allocate(n int) []byte {
	a.mu.Lock()
	a.max = max(a.max, n)
	a.mu.Unlock()
	return a.Allocator.Allocate(n)
}

func (a *largestAlloc) Reallocate(n int, b []byte) []byte {
	a.mu.Lock()
	a.max = max(a.max, n)
	a.mu.Unlock()
	return a.Allocator.Reallocate(n, b)
}

// TestForgedDecompressedSize makes a compressed buffer claim a larger
// decompressed size than it has. A claim beyond what the codec can expand
// the compressed bytes to is refused before anything is allocated; one
// within that bound may be allocated, but the decoded size must match.
func TestForgedDecompressedSize(t *testing.T) {
	for _, codec := range []struct {
		name string
		id   int
		opt  arrowipc.Option
	}{{"lz4", codecLZ4, arrowipc.WithLZ4()}, {"zstd", codecZstd, arrowipc.WithZstd()}} {
		for _, claim := range []int64{1 << 40, 1 << 20, 801, -5} {
			data := textStream(t, 100, codec.opt)
			_, b, bodyOff := firstBatch(t, data)
			s := b.buffer(1) // the int64 values: 800 bytes
			binary.LittleEndian.PutUint64(data[bodyOff+s.offset:], uint64(claim))
			mem := &largestAlloc{Allocator: memory.NewGoAllocator()}
			err := readAll(data, Options{ReadOptions: format.ReadOptions{Allocator: mem}})
			if !errors.Is(err, format.ErrCorrupt) {
				t.Errorf("%s claiming %d: %v, want ErrCorrupt", codec.name, claim, err)
			}
			bound := maxExpansion(codec.id, s.length-8)
			if claim > bound && mem.max > 1<<12 {
				t.Errorf("%s claiming %d (bound %d): allocated %d bytes at once", codec.name, claim, bound, mem.max)
			}
			if mem.max > int(bound)+1<<12 {
				t.Errorf("%s claiming %d: allocated %d bytes, beyond the bound %d", codec.name, claim, mem.max, bound)
			}
		}
	}
}

func TestMaxDecodedBytes(t *testing.T) {
	data := textStream(t, 1000, arrowipc.WithZstd())
	if err := readAll(data, Options{}); err != nil {
		t.Fatal(err)
	}
	err := readAll(data, Options{MaxDecodedBytes: 1024})
	if !errors.Is(err, format.ErrUnsupported) || !strings.Contains(err.Error(), "MaxDecodedBytes") {
		t.Fatalf("%v, want ErrUnsupported naming MaxDecodedBytes", err)
	}
}

// TestForgedBatchMetadata forges fields of the first batch's metadata.
func TestForgedBatchMetadata(t *testing.T) {
	// put sets the offset (field 0) or length (field 1) of a buffer.
	put := func(data []byte, b batchMeta, metaAt, buffer, field int, v int64) {
		at := metaAt + b.buffers.start + buffer*bufSize + field*8
		binary.LittleEndian.PutUint64(data[at:], uint64(v))
	}
	for _, c := range []struct {
		name          string
		buffer, field int
		value         int64
	}{
		{"misaligned offset", 1, 0, 4},
		{"offset past the body", 1, 0, 1 << 40},
		{"negative length", 2, 1, -8},
		{"length past the body", 3, 1, 1 << 50},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := textStream(t, 50)
			metaAt, b, _ := firstBatch(t, data)
			put(data, b, metaAt, c.buffer, c.field, c.value)
			if err := readAll(data, Options{}); !errors.Is(err, format.ErrCorrupt) {
				t.Fatalf("%v, want ErrCorrupt", err)
			}
		})
	}
}

// TestForgedOffsets corrupts the string offsets in a batch's body. An end
// past the data is caught by the O(1) checks; an offset out of order only
// by the full ones, which Trusted skips.
func TestForgedOffsets(t *testing.T) {
	offsetAt := func(data []byte, i int) int {
		_, b, bodyOff := firstBatch(t, data)
		return int(bodyOff + b.buffer(3).offset + int64(4*i)) // n: validity, values; s: validity, offsets, data
	}
	data := textStream(t, 20)
	end := offsetAt(data, 20)
	binary.LittleEndian.PutUint32(data[end:], 1<<20)
	for _, trusted := range []bool{false, true} {
		if err := readAll(data, Options{Trusted: trusted}); !errors.Is(err, format.ErrCorrupt) {
			t.Errorf("end past the data, trusted=%v: %v, want ErrCorrupt", trusted, err)
		}
	}
	data = textStream(t, 20)
	mid := offsetAt(data, 10)
	binary.LittleEndian.PutUint32(data[mid:], 1)
	if err := readAll(data, Options{}); !errors.Is(err, format.ErrCorrupt) {
		t.Errorf("offset out of order: %v, want ErrCorrupt", err)
	}
	if err := readAll(data, Options{Trusted: true}); err != nil {
		t.Errorf("offset out of order, trusted: %v, want the O(1) checks to pass", err)
	}
}

// TestSchemaBlowup describes a schema whose fields share one child table at
// every level: 40 levels of two children would be 2^40 fields. Inspecting
// it must stop at the budget its bytes allow, at once.
func TestSchemaBlowup(t *testing.T) {
	const levels = 40
	build := func(width int) []byte {
		var fb fbBuilder
		child := fb.field(typeNull, nil) // the leaf
		for range levels {
			child = fb.field(typeStruct, slices.Repeat([]int{child}, width))
		}
		return fb.schemaMessage(child)
	}
	inspect := func(meta []byte) error {
		m, err := parseMessage(meta)
		if err != nil {
			t.Fatal(err)
		}
		_, err = inspectSchema(m.header)
		return err
	}
	// The same schema with one child per level is a chain of 41 fields.
	if err := inspect(build(1)); err != nil {
		t.Fatalf("a chain of structs: %v", err)
	}
	meta := build(2)
	if err := inspect(meta); !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "more fields") {
		t.Fatalf("%v, want ErrCorrupt for too many fields", err)
	}
	stream := binary.LittleEndian.AppendUint32([]byte{0xff, 0xff, 0xff, 0xff}, uint32(len(meta)))
	stream = append(stream, meta...)
	if err := readAll(stream, Options{}); !errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("Open: %v, want ErrCorrupt", err)
	}
}

const (
	typeNull   = 1
	typeStruct = 13
)

// fbBuilder lays out a flatbuffer back to front, as flatbuffers builders
// do: objects are prepended, so every offset points forward.
type fbBuilder struct{ buf []byte } // buf holds the tail of the final buffer

// prepend adds b in front and returns its distance from the end, which
// stays valid as more is prepended.
func (f *fbBuilder) prepend(b []byte) int {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	f.buf = append(bytes.Clone(b), f.buf...)
	return len(f.buf)
}

// table prepends a table with the given 4-byte fields (scalars, or
// references to objects prepended before) and its vtable, returning the
// table's distance from the end.
func (f *fbBuilder) table(fields []fbField) int {
	le := binary.LittleEndian
	body := make([]byte, 4+4*len(fields))
	vt := make([]byte, 4+2*len(fields))
	le.PutUint16(vt, uint16(len(vt)))
	le.PutUint16(vt[2:], uint16(len(body)))
	t := len(f.buf) + len(body)
	for i, fl := range fields {
		if !fl.set {
			continue
		}
		le.PutUint16(vt[4+2*i:], uint16(4+4*i))
		v := fl.scalar
		if fl.ref > 0 {
			v = uint32(t - 4 - 4*i - fl.ref)
		}
		le.PutUint32(body[4+4*i:], v)
	}
	f.prepend(body)
	vtEnd := f.prepend(vt)
	le.PutUint32(f.buf[len(f.buf)-t:], uint32(vtEnd-t)) // soffset back to the vtable
	return t
}

// fbField is one slot of a table: absent unless set.
type fbField struct {
	set    bool
	scalar uint32
	ref    int // distance from the end of the referenced object, or 0
}

func scalar(v uint32) fbField { return fbField{set: true, scalar: v} }
func ref(r int) fbField       { return fbField{set: true, ref: r} }

func (f *fbBuilder) vectorOfRefs(refs []int) int {
	vec := make([]byte, 4+4*len(refs))
	binary.LittleEndian.PutUint32(vec, uint32(len(refs)))
	from := len(f.buf) + len(vec)
	for i, r := range refs {
		binary.LittleEndian.PutUint32(vec[4+4*i:], uint32(from-4-4*i-r))
	}
	return f.prepend(vec)
}

// field prepends a Field table of the given type id and children. Its
// slots are laid out as name, nullable, type_type, type, dictionary,
// children: unused ones point at an empty type table or hold zero.
func (f *fbBuilder) field(typeID uint32, children []int) int {
	typ := f.table(nil)
	var kids fbField
	if children != nil {
		kids = ref(f.vectorOfRefs(children))
	}
	// Slots 0 to 5, of which type_type (2), type (3) and children (5) are
	// set. A 4-byte slot for the one-byte type_type does for a reader of
	// little-endian scalars.
	return f.table([]fbField{{}, {}, scalar(typeID), ref(typ), {}, kids})
}

// schemaMessage finishes a Message with a Schema of one field, returning
// the whole buffer.
func (f *fbBuilder) schemaMessage(field int) []byte {
	fields := f.vectorOfRefs([]int{field})
	schema := f.table([]fbField{{}, ref(fields)})
	msg := f.table([]fbField{scalar(metadataV5), scalar(headerSchema), ref(schema)})
	root := make([]byte, 4)
	binary.LittleEndian.PutUint32(root, uint32(len(f.buf)+4-msg))
	f.prepend(root)
	return f.buf
}

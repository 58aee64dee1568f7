package ipc

import (
	"encoding/binary"
	"fmt"

	"github.com/tome-data/tome/format"
)

// Flatbuffer slots and enum values of Arrow's Message.fbs, Schema.fbs and
// File.fbs, as far as tome reads them.
const (
	slotMessageVersion    = 0
	slotMessageHeaderType = 1
	slotMessageHeader     = 2
	slotMessageBodyLength = 3

	slotBatchLength      = 0
	slotBatchNodes       = 1
	slotBatchBuffers     = 2
	slotBatchCompression = 3
	slotBatchVariadic    = 4

	slotCompressionCodec  = 0
	slotCompressionMethod = 1

	slotDictID    = 0
	slotDictData  = 1
	slotDictDelta = 2

	slotFooterVersion = 0
	slotFooterSchema  = 1
	slotFooterDicts   = 2
	slotFooterBatches = 3
)

// Message header types.
const (
	headerSchema       = 1
	headerDictionary   = 2
	headerRecordBatch  = 3
	headerTensor       = 4
	headerSparseTensor = 5
)

// Metadata versions: V4 is Arrow 0.8 to 0.17, V5 is Arrow 1.0 and later.
// Older versions laid data out differently; newer ones do not exist yet.
const (
	metadataV4 = 3
	metadataV5 = 4
)

// Body compression codecs.
const (
	codecNone = -1
	codecLZ4  = 0
	codecZstd = 1
)

const (
	nodeSize  = 16 // struct FieldNode { length: long; null_count: long }
	bufSize   = 16 // struct Buffer { offset: long; length: long }
	blockSize = 24 // struct Block { offset: long; metaDataLength: int; bodyLength: long }
)

// message is the parsed envelope of one IPC message.
type message struct {
	version    int16
	headerType uint8
	header     fbTable
	bodyLen    int64
}

func parseMessage(meta []byte) (message, error) {
	root, err := fbRoot(meta)
	if err != nil {
		return message{}, err
	}
	var m message
	if m.version, err = root.int16(slotMessageVersion, 0); err != nil {
		return message{}, err
	}
	if err := checkVersion(m.version); err != nil {
		return message{}, err
	}
	if m.headerType, err = root.uint8(slotMessageHeaderType, 0); err != nil {
		return message{}, err
	}
	if m.bodyLen, err = root.int64(slotMessageBodyLength, 0); err != nil {
		return message{}, err
	}
	if m.bodyLen < 0 {
		return message{}, fmt.Errorf("%w: negative body length %d", format.ErrCorrupt, m.bodyLen)
	}
	switch m.headerType {
	case headerSchema, headerDictionary, headerRecordBatch:
	case headerTensor, headerSparseTensor:
		return message{}, fmt.Errorf("%w: tensor messages (tome reads record batches)", format.ErrUnsupported)
	default:
		return message{}, fmt.Errorf("%w: unknown message type %d", format.ErrCorrupt, m.headerType)
	}
	var ok bool
	if m.header, ok, err = root.table(slotMessageHeader); err != nil {
		return message{}, err
	} else if !ok {
		return message{}, fbErrorf("message has no header")
	}
	return m, nil
}

func checkVersion(v int16) error {
	switch {
	case v > metadataV5:
		return fmt.Errorf("%w: metadata version V%d is newer than V5, the latest tome reads", format.ErrUnsupported, v+1)
	case v < metadataV4:
		return fmt.Errorf("%w: metadata version V%d predates Arrow 0.8", format.ErrUnsupported, v+1)
	}
	return nil
}

// node is a FieldNode: the length and null count of one array.
type node struct{ length, nulls int64 }

// span is a Buffer: where one buffer lies in the message body.
type span struct{ offset, length int64 }

// batchMeta is a parsed RecordBatch table (also the data of a
// DictionaryBatch).
type batchMeta struct {
	table    fbTable
	length   int64
	nodes    fbVector
	buffers  fbVector
	codec    int // codecNone, codecLZ4 or codecZstd
	variadic fbVector
}

func parseBatch(t fbTable) (batchMeta, error) {
	b := batchMeta{table: t, codec: codecNone}
	var err error
	if b.length, err = t.int64(slotBatchLength, 0); err != nil {
		return b, err
	}
	if b.length < 0 {
		return b, fmt.Errorf("%w: negative row count %d", format.ErrCorrupt, b.length)
	}
	if b.nodes, err = t.vector(slotBatchNodes, nodeSize); err != nil {
		return b, err
	}
	if b.buffers, err = t.vector(slotBatchBuffers, bufSize); err != nil {
		return b, err
	}
	if b.variadic, err = t.vector(slotBatchVariadic, 8); err != nil {
		return b, err
	}
	c, ok, err := t.table(slotBatchCompression)
	if err != nil {
		return b, err
	}
	if ok {
		codec, err := c.uint8(slotCompressionCodec, codecLZ4)
		if err != nil {
			return b, err
		}
		method, err := c.uint8(slotCompressionMethod, 0)
		if err != nil {
			return b, err
		}
		switch {
		case method != 0:
			return b, fmt.Errorf("%w: body compression method %d (only per-buffer compression exists)", format.ErrUnsupported, method)
		case codec > codecZstd:
			return b, fmt.Errorf("%w: body compression codec %d", format.ErrUnsupported, codec)
		}
		b.codec = int(codec)
	}
	return b, nil
}

func (b batchMeta) node(i int) node {
	e := b.nodes.at(i)
	return node{int64(binary.LittleEndian.Uint64(e)), int64(binary.LittleEndian.Uint64(e[8:]))}
}

func (b batchMeta) buffer(i int) span {
	e := b.buffers.at(i)
	return span{int64(binary.LittleEndian.Uint64(e)), int64(binary.LittleEndian.Uint64(e[8:]))}
}

func (b batchMeta) variadicCount(i int) int64 {
	return int64(binary.LittleEndian.Uint64(b.variadic.at(i)))
}

// checkBuffers checks every node and buffer against the body: lengths and
// null counts are sane, buffers lie inside the body at 8-byte aligned
// offsets (the spec requires it, and typed views of misaligned memory are
// not safe in Go), and compressed buffers carry their 8-byte length prefix.
func (b batchMeta) checkBuffers(bodyLen int64) error {
	for i := range b.nodes.n {
		n := b.node(i)
		if n.length < 0 || n.nulls < 0 || n.nulls > n.length {
			return fmt.Errorf("%w: field node %d has length %d and null count %d", format.ErrCorrupt, i, n.length, n.nulls)
		}
	}
	for i := range b.buffers.n {
		s := b.buffer(i)
		switch {
		case s.offset < 0 || s.length < 0 || s.offset > bodyLen || s.length > bodyLen-s.offset:
			return fmt.Errorf("%w: buffer %d (offset %d, length %d) lies outside the %d-byte body", format.ErrCorrupt, i, s.offset, s.length, bodyLen)
		case s.offset%8 != 0:
			return fmt.Errorf("%w: buffer %d starts at offset %d, not a multiple of 8", format.ErrCorrupt, i, s.offset)
		case b.codec != codecNone && s.length != 0 && s.length < 8:
			return fmt.Errorf("%w: compressed buffer %d of %d bytes has no length prefix", format.ErrCorrupt, i, s.length)
		}
	}
	for i := range b.variadic.n {
		if c := b.variadicCount(i); c < 0 || c > int64(b.buffers.n) {
			return fmt.Errorf("%w: variadic buffer count %d", format.ErrCorrupt, c)
		}
	}
	return nil
}

// dictMeta is a parsed DictionaryBatch table.
type dictMeta struct {
	id    int64
	delta bool
	data  batchMeta
}

func parseDict(t fbTable) (dictMeta, error) {
	var d dictMeta
	var err error
	if d.id, err = t.int64(slotDictID, 0); err != nil {
		return d, err
	}
	if d.delta, err = t.bool(slotDictDelta); err != nil {
		return d, err
	}
	data, ok, err := t.table(slotDictData)
	if err != nil {
		return d, err
	}
	if !ok {
		return d, fbErrorf("dictionary batch has no data")
	}
	d.data, err = parseBatch(data)
	return d, err
}

// fileBlock is a footer Block: where one message of a file lies.
type fileBlock struct {
	offset  int64
	metaLen int32
	bodyLen int64
}

// footer is a parsed File footer.
type footer struct {
	version int16
	schema  fbTable
	dicts   []fileBlock
	batches []fileBlock
}

func parseFooter(buf []byte) (footer, error) {
	root, err := fbRoot(buf)
	if err != nil {
		return footer{}, err
	}
	var f footer
	if f.version, err = root.int16(slotFooterVersion, 0); err != nil {
		return f, err
	}
	// Old writers left the footer's version unset (V1) while writing V4
	// messages, and the messages' own versions are what decides the
	// layout; a version from the future is refused all the same.
	if f.version > metadataV5 {
		return f, checkVersion(f.version)
	}
	f.version = max(f.version, metadataV4)
	var ok bool
	if f.schema, ok, err = root.table(slotFooterSchema); err != nil {
		return f, err
	} else if !ok {
		return f, fbErrorf("footer has no schema")
	}
	if f.dicts, err = blocks(root, slotFooterDicts); err != nil {
		return f, err
	}
	if f.batches, err = blocks(root, slotFooterBatches); err != nil {
		return f, err
	}
	return f, nil
}

func blocks(t fbTable, slot int) ([]fileBlock, error) {
	v, err := t.vector(slot, blockSize)
	if err != nil {
		return nil, err
	}
	out := make([]fileBlock, v.n)
	for i := range out {
		e := v.at(i)
		out[i] = fileBlock{
			offset:  int64(binary.LittleEndian.Uint64(e)),
			metaLen: int32(binary.LittleEndian.Uint32(e[8:])),
			bodyLen: int64(binary.LittleEndian.Uint64(e[16:])),
		}
	}
	return out, nil
}

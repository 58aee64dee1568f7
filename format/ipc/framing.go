package ipc

import (
	"encoding/binary"
	"fmt"

	"github.com/tome-data/tome/format"
)

// prefix reads a message's length prefix at off: the 0xFFFFFFFF
// continuation marker and an int32 length, or the int32 length alone
// (the framing before Arrow 0.15). A zero length is the end-of-stream
// marker.
func (s *source) prefix(off int64) (metaLen, size int64, err error) {
	if s.size-off < 4 {
		return 0, 0, fmt.Errorf("%w: %d stray bytes where a message length belongs", format.ErrCorrupt, s.size-off)
	}
	b, err := s.read(off, min(8, s.size-off))
	if err != nil {
		return 0, 0, err
	}
	word, size := binary.LittleEndian.Uint32(b), int64(4)
	if word == continuation {
		if len(b) < 8 {
			return 0, 0, fmt.Errorf("%w: truncated after a continuation marker", format.ErrCorrupt)
		}
		word, size = binary.LittleEndian.Uint32(b[4:]), 8
	}
	metaLen = int64(int32(word))
	switch {
	case metaLen < 0:
		return 0, 0, fmt.Errorf("%w: negative metadata length %d", format.ErrCorrupt, metaLen)
	case metaLen > maxMetadata:
		return 0, 0, fmt.Errorf("%w: metadata length %d exceeds %d", format.ErrCorrupt, metaLen, maxMetadata)
	case metaLen > s.size-off-size:
		return 0, 0, fmt.Errorf("%w: metadata of %d bytes runs past the end of the file", format.ErrCorrupt, metaLen)
	}
	return metaLen, size, nil
}

// message reads the metadata of the message at off whose prefix is pre
// bytes long.
func (s *source) message(off, pre, metaLen int64) (entry, message, error) {
	meta, err := s.read(off+pre, metaLen)
	if err != nil {
		return entry{}, message{}, err
	}
	m, err := parseMessage(meta)
	if err != nil {
		return entry{}, message{}, corrupt(err)
	}
	return entry{offset: off, meta: meta, bodyOff: off + pre + metaLen, bodyLen: m.bodyLen}, m, nil
}

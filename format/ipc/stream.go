package ipc

import (
	"fmt"

	"github.com/tome-data/tome/format"
)

// indexStream walks the framing of an IPC stream.
func indexStream(s *source) (*index, error) {
	idx := &index{format: format.ArrowStream}
	for off := int64(0); off < s.size; {
		metaLen, pre, err := s.prefix(off)
		if err != nil {
			return nil, fmt.Errorf("%s: message at offset %d: %w", s.name, off, err)
		}
		if metaLen == 0 {
			break // end-of-stream marker; whatever follows is not ours
		}
		e, m, err := s.message(off, pre, metaLen)
		if err != nil {
			return nil, fmt.Errorf("%s: message at offset %d: %w", s.name, off, err)
		}
		if e.bodyLen > s.size-e.bodyOff {
			return nil, fmt.Errorf("%s: message at offset %d: %w: body of %d bytes runs past the end of the file", s.name, off, format.ErrCorrupt, e.bodyLen)
		}
		if err := idx.add(e, m, off == 0); err != nil {
			return nil, fmt.Errorf("%s: message at offset %d: %w", s.name, off, err)
		}
		off = e.bodyOff + e.bodyLen
	}
	if idx.schema == nil {
		return nil, fmt.Errorf("%s: %w: no schema message", s.name, format.ErrCorrupt)
	}
	return idx, nil
}

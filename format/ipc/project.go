package ipc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/tome-data/tome/format"
)

// A projection picks top-level columns. Only the picked columns are
// decoded, in file order (keep); order then arranges them as asked.
type projection struct {
	keep  []int // sorted, distinct file columns
	order []int // output column i is keep[order[i]]
}

// resolveColumns maps the requested names onto the file's columns. It
// returns nil when the request is every column in file order.
func resolveColumns(names []string, cols []string) (*projection, error) {
	if cols == nil {
		return nil, nil
	}
	picked := make([]int, len(cols))
	for i, c := range cols {
		at := -1
		for j, n := range names {
			if n != c {
				continue
			}
			if at >= 0 {
				return nil, fmt.Errorf("%w: column %q is ambiguous: the file has several", format.ErrSchema, c)
			}
			at = j
		}
		if at < 0 {
			return nil, fmt.Errorf("%w: no column %q", format.ErrSchema, c)
		}
		picked[i] = at
	}
	keep := slices.Clone(picked)
	slices.Sort(keep)
	keep = slices.Compact(keep)
	if len(keep) == len(names) && slices.Equal(picked, keep) {
		return nil, nil // every column, in order
	}
	p := &projection{keep: keep, order: make([]int, len(picked))}
	for i, c := range picked {
		p.order[i], _ = slices.BinarySearch(keep, c)
	}
	return p, nil
}

// reorders says whether the output differs from the decoded columns.
func (p *projection) reorders() bool {
	for i, o := range p.order {
		if o != i {
			return true
		}
	}
	return len(p.order) != len(p.keep)
}

// projectSchema returns a copy of the schema message meta keeping only the
// fields in keep: the fields vector is compacted in place. Its elements are
// offsets relative to their own position, so moving one to an earlier slot
// adds the distance moved.
func projectSchema(meta []byte, keep []int) ([]byte, error) {
	meta = bytes.Clone(meta)
	m, err := parseMessage(meta)
	if err != nil {
		return nil, corrupt(err)
	}
	fields, err := m.header.vector(slotSchemaFields, 4)
	if err != nil {
		return nil, corrupt(err)
	}
	if fields.buf == nil {
		return meta, nil // no fields, so nothing is kept either
	}
	le := binary.LittleEndian
	for i, j := range keep {
		src, dst := fields.start+4*j, fields.start+4*i
		le.PutUint32(meta[dst:], le.Uint32(meta[src:])+uint32(src-dst))
	}
	le.PutUint32(meta[fields.start-4:], uint32(len(keep)))
	return meta, nil
}

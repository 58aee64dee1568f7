package csv

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tome-data/tome/format/rowjson"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// readString reads a whole CSV text with opts, checking that every byte
// allocated through arrow is released, and returns the reader and the rows
// in rowjson's canonical form.
func readString(t *testing.T, data string, opts Options) (*Reader, []string, error) {
	t.Helper()
	return readBytes(t, []byte(data), opts)
}

func readBytes(t *testing.T, data []byte, opts Options) (*Reader, []string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Allocator = mem
	r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	rows, err := collect(r)
	return r, rows, err
}

func collect(r *Reader) ([]string, error) {
	enc := rowjson.NewEncoder(r.Schema())
	var rows []string
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			return rows, err
		}
		for i := range int(rec.NumRows()) {
			rows = append(rows, string(enc.AppendRow(nil, rec, i)))
		}
	}
	return rows, nil
}

// schemaString renders a schema compactly: "a: int64, b: utf8".
func schemaString(r *Reader) string {
	var parts []string
	for _, f := range r.Schema().Fields() {
		parts = append(parts, f.Name+": "+f.Type.String())
	}
	return strings.Join(parts, ", ")
}

// mapped is an in-memory format.Mapped source, as a memory-mapped file
// is, that counts its references so tests can check they balance.
type mapped struct {
	*bytes.Reader
	data []byte
	name string
	refs int
}

func newMapped(name string, data []byte) *mapped {
	return &mapped{Reader: bytes.NewReader(data), data: data, name: name, refs: 1}
}

func (m *mapped) Bytes() []byte { return m.data }
func (m *mapped) Retain()       { m.refs++ }
func (m *mapped) Release()      { m.refs-- }
func (m *mapped) Name() string  { return m.name }

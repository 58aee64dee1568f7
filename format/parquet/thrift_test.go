package parquet

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// TestPageHeadersOfWrittenFile parses every page header of a file arrow-go
// wrote and checks them against what arrow-go's page reader reports.
func TestPageHeadersOfWrittenFile(t *testing.T) {
	data := idFile(t, 3000, 3000)
	f, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rg := f.RowGroup(0)
	cc, err := rg.MetaData().ColumnChunk(0)
	if err != nil {
		t.Fatal(err)
	}
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 {
		start = min(start, cc.DictionaryPageOffset())
	}
	chunk := data[start : start+cc.TotalCompressedSize()]
	pages, err := rg.GetColumnPageReader(0)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(chunk); {
		h, n, err := parsePageHeader(chunk[off:])
		if err != nil {
			t.Fatalf("header at %d: %v", off, err)
		}
		if !pages.Next() {
			t.Fatalf("arrow-go sees fewer pages: %v", pages.Err())
		}
		p := pages.Page()
		if int32(p.Type()) != h.typ || p.NumValues() != h.numValues || int32(p.Encoding()) != h.encoding {
			t.Fatalf("page at %d: parsed %+v, arrow-go says type %v, %d values, encoding %v",
				off, h, p.Type(), p.NumValues(), p.Encoding())
		}
		off += n + int(h.compressed)
	}
	if pages.Next() {
		t.Fatal("arrow-go sees more pages")
	}
}

func TestParsePageHeader(t *testing.T) {
	// type=DATA_PAGE_V2 (3), sizes 100/80, an unknown field 20 holding a
	// struct with a list and a binary, then the v2 header with
	// is_compressed=false.
	header := []byte{
		0x15, 0x06, // 1: i32 3
		0x15, 0xc8, 0x01, // 2: i32 100
		0x15, 0xa0, 0x01, // 3: i32 80
		0x0c, 0x28, // field 20 (delta 20 > 15, so long form, zigzag id): struct
		0x19, 0x25, 0x02, 0x04, // list of 2 i32
		0x18, 0x03, 'a', 'b', 'c', // binary "abc"
		0x00,       // end of unknown struct
		0x0c, 0x10, // field 8 (below 20, so long form): struct
		0x15, 0x14, // 1: num_values 10
		0x25, 0x10, // 3: num_rows 8 (delta 2)
		0x25, 0x02, // 5: def bytes 1
		0x15, 0x04, // 6: rep bytes 2
		0x12, // 7: false
		0x00, // end of v2 header
		0x00, // end of page header
		0xAA, // page data
	}
	h, n, err := parsePageHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	want := pageHeader{typ: pageDataV2, uncompressed: 100, compressed: 80, numValues: 10, numRows: 8,
		defLevelBytes: 1, repLevelBytes: 2, valuesCompressed: false, defEncoding: encRLE, repEncoding: encRLE}
	if h != want || n != len(header)-1 {
		t.Fatalf("parsed %+v (%d bytes), want %+v (%d bytes)", h, n, want, len(header)-1)
	}
	for cut := range len(header) - 1 {
		if _, _, err := parsePageHeader(header[:cut]); !errors.Is(err, errThrift) {
			t.Fatalf("truncated at %d: %v", cut, err)
		}
	}
}

func TestThriftNestingBounded(t *testing.T) {
	// Struct fields nested far deeper than any page header.
	var b []byte
	for range 100 {
		b = append(b, 0x1c) // field delta 1, type struct
	}
	if _, _, err := parsePageHeader(b); !errors.Is(err, errThrift) {
		t.Fatalf("got %v, want errThrift", err)
	}
}

// TestThriftHostileCountsRefused is the input FuzzPageWindowIndex found:
// a map of booleans, whose entries the skipper once read as taking no
// bytes, claiming 2^62 entries spun for minutes. Counts larger than the
// bytes left now fail at once, for maps, lists and sets alike.
func TestThriftHostileCountsRefused(t *testing.T) {
	huge := []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40} // uvarint 2^62
	cases := map[string][]byte{
		"map of booleans": append(append([]byte{0x2b}, huge...), 0x11, 1, 1, 0), // field 2: map, count, bool→bool
		"list of structs": append(append([]byte{0x29, 0xfc}, huge...), 0, 0),    // field 2: list<struct>, long count
		"set of booleans": append(append([]byte{0x2a, 0xf1}, huge...), 1, 0),    // field 2: set<bool>, long count
	}
	for name, b := range cases {
		done := make(chan error, 1)
		go func() { _, err := parseOffsetIndex(b); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, errThrift) {
				t.Errorf("%s: got %v, want errThrift", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still skipping after 10 s", name)
		}
	}
}

package gen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/dataset"
)

// fileHash is the SHA-256 of the file at path.
func fileHash(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestDeterministic generates every file twice, in two work directories,
// and expects the same bytes; another seed must give other bytes.
func TestDeterministic(t *testing.T) {
	ctx := context.Background()
	files := []File{IPCList, IPCFixed, StreamList, ParquetZstd, ParquetSnappy, ParquetFixed, JSONL, Reviews}
	hashes := func(dir string, seed uint64) map[File]string {
		s, err := Open(dir, 1500, seed)
		if err != nil {
			t.Fatal(err)
		}
		out := map[File]string{}
		for _, f := range files {
			p, err := s.Path(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = fileHash(t, p)
		}
		return out
	}
	a, b, other := hashes(t.TempDir(), 7), hashes(t.TempDir(), 7), hashes(t.TempDir(), 8)
	for _, f := range files {
		if a[f] != b[f] {
			t.Errorf("%s: two runs with seed 7 differ", f)
		}
		if a[f] == other[f] {
			t.Errorf("%s: seeds 7 and 8 give the same bytes", f)
		}
	}
}

// TestCached checks that a second Path does not rewrite the file.
func TestCached(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Path(ctx, ParquetZstd)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(p)
	if _, err := s.Path(ctx, ParquetZstd); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if !before.ModTime().Equal(after.ModTime()) {
		t.Error("cached file was rewritten")
	}
}

// TestContent checks the shape of the rows: counts, ids, text lengths and
// embedding lengths, in both embedding layouts.
func TestContent(t *testing.T) {
	ctx := context.Background()
	const rows = 3000
	s, err := Open(t.TempDir(), rows, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []File{IPCList, IPCFixed, ParquetZstd, ParquetFixed, JSONL} {
		p, err := s.Path(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := dataset.Open(ctx, p)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var next int64
		for rec, err := range d.Batches(ctx, nil) {
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			ids := rec.Column(0).(*array.Int64)
			texts := rec.Column(2).(*array.String)
			for i := range int(rec.NumRows()) {
				if ids.Value(i) != next {
					t.Fatalf("%s: id %d at row %d", f, ids.Value(i), next)
				}
				if n := len(texts.Value(i)); n < 150 || n > 250 {
					t.Fatalf("%s: text of %d bytes", f, n)
				}
				next++
			}
			if f != JSONL {
				if got := rec.Column(3).Data().Children()[0].Len(); got < int(rec.NumRows())*EmbeddingDim {
					t.Fatalf("%s: %d embedding values for %d rows", f, got, rec.NumRows())
				}
			}
		}
		d.Close()
		if next != rows {
			t.Errorf("%s: %d rows, want %d", f, next, rows)
		}
	}
}

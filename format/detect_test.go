package format_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/conformance"
)

func TestDetectContent(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	zs := func(s string) []byte {
		enc, _ := zstd.NewWriter(nil)
		return enc.EncodeAll([]byte(s), nil)
	}
	tests := []struct {
		name    string
		content []byte
		want    format.Kind
		wantErr error
	}{
		{"a.parquet", []byte("PAR1....PAR1"), format.Kind{Format: format.Parquet}, nil},
		{"a.parquet", []byte("PAR1....PARE"), format.Kind{}, format.ErrEncrypted},
		{"x.bin", []byte("ARROW1\x00\x00........ARROW1"), format.Kind{Format: format.ArrowFile}, nil},
		{"x.arrow", []byte("\xff\xff\xff\xff\x10\x00\x00\x00........"), format.Kind{Format: format.ArrowStream}, nil},
		{"data.json", []byte(`{"a": 1}` + "\n"), format.Kind{Format: format.JSONL}, nil},
		{"noext", []byte("\xef\xbb\xbf  {\"a\": 1}\n"), format.Kind{Format: format.JSONL}, nil},
		{"t.csv", []byte("a,b\n1,2\n"), format.Kind{Format: format.CSV}, nil},
		{"t", []byte("a\tb\n1\t2\n"), format.Kind{Format: format.CSV}, nil},
		{"t.jsonl.gz", gz(`{"a":1}`), format.Kind{format.JSONL, format.Gzip}, nil},
		{"t.gz", gz("a,b\n1,2\n"), format.Kind{format.CSV, format.Gzip}, nil},
		{"t.jsonl.zst", zs(`{"a":1}`), format.Kind{format.JSONL, format.Zstd}, nil},
		{"t.parquet", []byte("<!DOCTYPE html><html><body>404</body></html>"), format.Kind{}, format.ErrNotData},
		{"t.parquet", []byte("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n"), format.Kind{}, format.ErrNotData},
		{"t.parquet", []byte("hello world"), format.Kind{}, format.ErrCorrupt},
		{"t.json", []byte(`[{"a":1}]`), format.Kind{}, format.ErrUnsupported},
		{"empty", nil, format.Kind{}, format.ErrUnknownFormat},
		{"empty.jsonl", nil, format.Kind{Format: format.JSONL}, nil},
		{"blob", []byte("\x00\x01\x02\x03garbage"), format.Kind{}, format.ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := format.DetectBytes(tt.content, tt.name)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.name) {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// Every file in the conformance suites is detected as what its manifest
// says, including the legacy 0.14.1 IPC streams without continuation
// markers, and the impostors in hf/malformed_realworld are refused.
func TestDetectConformance(t *testing.T) {
	root := conformance.Dir(t)
	check := func(pattern string, want format.Format) {
		files := conformance.Glob(t, pattern)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, f)
			got, err := format.DetectBytes(b, f)
			if err != nil || got.Format != want {
				t.Errorf("%s: got %v, %v; want %v", rel, got, err, want)
			}
		}
	}
	check("arrow-testing/data/arrow-ipc-stream/integration/*/*.stream", format.ArrowStream)
	check("arrow-testing/data/arrow-ipc-stream/integration/*/*.arrow_file", format.ArrowFile)
	check("hf/save_to_disk/*/*/*.arrow", format.ArrowStream)
	check("hf/hf_cache/*/*.arrow", format.ArrowStream)
	check("parquet-testing/data/*.parquet", format.Parquet)
	check("hf/hub_parquet/*/*.parquet", format.Parquet)

	for _, f := range conformance.Glob(t, "hf/malformed_realworld/*/*") {
		b, _ := os.ReadFile(f)
		if _, err := format.DetectBytes(b, f); !errors.Is(err, format.ErrNotData) {
			t.Errorf("%s: err = %v, want ErrNotData", f, err)
		}
	}
	for _, f := range conformance.Glob(t, "parquet-testing/data/*.parquet.encrypted") {
		b, _ := os.ReadFile(f)
		if k, err := format.DetectBytes(b, f); err != nil && !errors.Is(err, format.ErrEncrypted) || err == nil && k.Format != format.Parquet {
			t.Errorf("%s: got %v, %v; want an encrypted-footer error or parquet with encrypted columns", f, k, err)
		}
	}
}

func FuzzDetect(f *testing.F) {
	f.Add([]byte("PAR1"), "a.parquet")
	f.Add([]byte("\xff\xff\xff\xff\x10\x00\x00\x00"), "a.arrow")
	f.Add([]byte("\x1f\x8b\x08"), "a.jsonl.gz")
	f.Add([]byte("\x28\xb5\x2f\xfd"), "a.jsonl.zst")
	f.Add([]byte("{\"a\":1}"), "")
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		k, err := format.DetectBytes(b, name)
		if err == nil && k.Format == format.Unknown {
			t.Fatalf("no error but unknown format")
		}
	})
}

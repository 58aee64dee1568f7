package textio

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/tome-data/tome/format"
)

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestDetectAndOpen(t *testing.T) {
	data := gz("hello\n")
	r := bytes.NewReader(data)
	c, err := DetectCompression(r, int64(len(data)), format.Uncompressed, "x")
	if err != nil || c != format.Gzip {
		t.Fatalf("detected %v, %v", c, err)
	}
	if _, err := DetectCompression(r, int64(len(data)), format.Zstd, "x"); !errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("contradicting compression: %v", err)
	}
	st, err := Open(r, int64(len(data)), c)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := io.ReadAll(st.R)
	if err != nil || string(got) != "hello\n" {
		t.Fatalf("read %q, %v", got, err)
	}
}

func TestCorruptAndSourceErrors(t *testing.T) {
	data := gz("hello world, hello world, hello world\n")
	data[len(data)-12] ^= 0xff // damage the deflate stream
	st, err := Open(bytes.NewReader(data), int64(len(data)), format.Gzip)
	if err == nil {
		_, err = io.ReadAll(st.R)
		if err != nil {
			err = CompressedError(format.Gzip, err)
		}
		st.Close()
	}
	if !errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("damaged gzip: %v, want ErrCorrupt", err)
	}

	boom := errors.New("disk on fire")
	st, err = Open(failingReader{boom}, 100, format.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(st.R)
	if err = CompressedError(format.Uncompressed, err); !errors.Is(err, boom) || errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("source error: %v, want it passed through unchanged", err)
	}
}

type failingReader struct{ err error }

func (f failingReader) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestNameOf(t *testing.T) {
	if got := NameOf(bytes.NewReader(nil), "", "jsonl"); got != "jsonl" {
		t.Fatal(got)
	}
	if got := NameOf(bytes.NewReader(nil), "a.jsonl", "jsonl"); got != "a.jsonl" {
		t.Fatal(got)
	}
}

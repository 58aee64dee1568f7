package ipc_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/conformance"
	"github.com/tome-data/tome/shard"
)

// count reads every batch of r and returns the totals.
func count(r *ipc.Reader) (rows, batches int64, err error) {
	for b, err := range r.Batches(context.Background()) {
		if err != nil {
			return rows, batches, err
		}
		rows += b.NumRows()
		batches++
	}
	return rows, batches, nil
}

// openers are the two ways into a Reader: through a mapping (zero-copy)
// and through plain ReadAt calls.
var openers = []struct {
	name string
	open func(path string, opts ipc.Options) (*ipc.Reader, func(), error)
}{
	{"mapped", func(path string, opts ipc.Options) (*ipc.Reader, func(), error) {
		src, err := shard.OpenLocal(path)
		if err != nil {
			return nil, nil, err
		}
		r, err := ipc.Open(src, src.Size(), opts)
		if err != nil {
			src.Close()
			return nil, nil, err
		}
		return r, func() { r.Close(); src.Close() }, nil
	}},
	{"readat", func(path string, opts ipc.Options) (*ipc.Reader, func(), error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		r, err := ipc.Open(f, st.Size(), opts)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return r, func() { r.Close(); f.Close() }, nil
	}},
}

func TestConformanceIntegration(t *testing.T) {
	root := conformance.Dir(t, "arrow-testing")
	manifest := readManifest(t, root)
	var files []string
	for _, ext := range []string{"*.stream", "*.arrow_file"} {
		files = append(files, conformance.Glob(t, filepath.Join("arrow-testing/data/arrow-ipc-stream/integration/*", ext))...)
	}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		want, ok := manifest[rel]
		if !ok {
			t.Errorf("%s is not in the manifest", rel)
			continue
		}
		for _, o := range openers {
			t.Run(o.name+"/"+strings.TrimPrefix(rel, "data/arrow-ipc-stream/integration/"), func(t *testing.T) {
				r, done, err := o.open(path, ipc.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer done()
				if r.NumRows() != want.rows || int64(r.NumChunks()) != want.batches {
					t.Errorf("index: %d rows in %d batches, manifest %d in %d", r.NumRows(), r.NumChunks(), want.rows, want.batches)
				}
				rows, batches, err := count(r)
				if err != nil {
					t.Fatal(err)
				}
				if rows != want.rows || batches != want.batches {
					t.Errorf("read %d rows in %d batches, manifest %d in %d", rows, batches, want.rows, want.batches)
				}
			})
		}
	}
}

func TestConformanceHF(t *testing.T) {
	root := conformance.Dir(t, "hf")
	manifest := readManifest(t, root)
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".arrow") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(rel, "malformed_realworld") {
			return nil
		}
		n++
		want, ok := manifest[rel]
		if !ok {
			t.Errorf("%s is not in the manifest", rel)
			return nil
		}
		t.Run(rel, func(t *testing.T) {
			r, done, err := openers[0].open(path, ipc.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer done()
			if r.Format() != format.ArrowStream {
				t.Errorf("format %s, want the stream format", r.Format())
			}
			rows, batches, err := count(r)
			if err != nil {
				t.Fatal(err)
			}
			if rows != want.rows || batches != want.batches {
				t.Errorf("read %d rows in %d batches, manifest %d in %d", rows, batches, want.rows, want.batches)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no .arrow files under hf/")
	}
}

// TestConformanceCrashCorpus reads every fuzzer-found crasher of Arrow's
// IPC readers: each must give an error wrapping a format sentinel, or read
// completely if it happens to be valid, within two seconds.
func TestConformanceCrashCorpus(t *testing.T) {
	var files []string
	for _, dir := range []string{"arrow-ipc-stream", "arrow-ipc-file", "arrow-ipc-tensor-stream"} {
		for _, pat := range []string{"clusterfuzz-testcase-*", "crash-*"} {
			m, _ := filepath.Glob(filepath.Join(conformance.Dir(t, "arrow-testing/data", dir), pat))
			files = append(files, m...)
		}
	}
	if len(files) < 50 {
		t.Fatalf("only %d crash files found", len(files))
	}
	for _, path := range files {
		for _, o := range openers {
			t.Run(o.name+"/"+filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
				done := make(chan error, 1)
				go func() {
					r, closeAll, err := o.open(path, ipc.Options{})
					if err == nil {
						_, _, err = count(r)
						closeAll()
					}
					done <- err
				}()
				select {
				case err := <-done:
					if err != nil && !isFormatError(err) {
						t.Errorf("error wraps no format sentinel: %v", err)
					}
					t.Logf("%v", err)
				case <-time.After(2 * time.Second):
					t.Fatal("no result within 2s")
				}
			})
		}
	}
}

func isFormatError(err error) bool {
	for _, s := range []error{format.ErrCorrupt, format.ErrUnsupported, format.ErrNotData, format.ErrSchema} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func TestConformanceForwardCompatibility(t *testing.T) {
	path := conformance.Dir(t, "arrow-testing/data/forward-compatibility/schema_v6.arrow")
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			r, done, err := o.open(path, ipc.Options{})
			if err == nil {
				done()
				_ = r
				t.Fatal("opened a file of metadata version V6")
			}
			if !errors.Is(err, format.ErrUnsupported) {
				t.Fatalf("error %v does not wrap ErrUnsupported", err)
			}
		})
	}
}

// TestConformanceMalformedRealworld checks the real-world impostors (HTML
// pages and Git LFS pointers saved as .arrow/.parquet): format.Detect, which
// callers run first, rejects them, and so does Open.
func TestConformanceMalformedRealworld(t *testing.T) {
	var files []string
	for _, pat := range []string{"*/*.arrow", "*/*.parquet"} {
		files = append(files, conformance.Glob(t, filepath.Join("hf/malformed_realworld", pat))...)
	}
	for _, path := range files {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if k, err := format.DetectBytes(data, path); err == nil {
				t.Errorf("Detect took it for %s", k)
			} else if !errors.Is(err, format.ErrNotData) {
				t.Errorf("Detect: %v does not wrap ErrNotData", err)
			}
			r, done, err := openers[0].open(path, ipc.Options{})
			if err == nil {
				_ = r
				done()
				t.Fatal("Open accepted it")
			}
			if !errors.Is(err, format.ErrCorrupt) {
				t.Errorf("Open: %v does not wrap ErrCorrupt", err)
			}
		})
	}
}

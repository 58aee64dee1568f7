package shard

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/internal/conformance"
	"github.com/tome-data/tome/internal/faultproxy"
)

// openReader opens a Parquet or Arrow IPC file over r.
func openReader(r io.ReaderAt, size int64, name string, mem memory.Allocator) (format.Reader, error) {
	ro := format.ReadOptions{Allocator: mem}
	if filepath.Ext(name) == ".parquet" {
		return parquet.Open(r, size, parquet.Options{ReadOptions: ro, Workers: 1})
	}
	return ipc.Open(r, size, ipc.Options{ReadOptions: ro})
}

// readAll returns the batches of a file, retained.
func readAll(r io.ReaderAt, size int64, name string, mem memory.Allocator) ([]arrow.RecordBatch, error) {
	rd, err := openReader(r, size, name, mem)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var out []arrow.RecordBatch
	for b, err := range rd.Batches(context.Background()) {
		if err != nil {
			release(out)
			return nil, err
		}
		b.Retain()
		out = append(out, b)
	}
	return out, nil
}

func release(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// TestHTTPConformance reads real third-party files through Go's own file
// server (which gives Last-Modified and no ETag) and checks that every
// batch equals the one read from the local file, and that impostors fail
// over HTTP as they do locally.
func TestHTTPConformance(t *testing.T) {
	root := conformance.Dir(t)
	checkLeaks(t)
	proxy := faultproxy.New(http.FileServer(http.Dir(root)))
	srv := newServer(t, proxy)
	client := newTestClient(t)

	files := append(conformance.Glob(t, "hf/hub_parquet/*/*.parquet"), conformance.Glob(t, "hf/hub_parquet/*/*/*.parquet")...)
	for _, name := range []string{
		"alltypes_tiny_pages.parquet", "alltypes_plain.snappy.parquet", "nested_structs.rust.parquet",
		"lz4_raw_compressed_larger.parquet", "byte_stream_split.zstd.parquet", "nullable.impala.parquet",
	} {
		files = append(files, filepath.Join(root, "parquet-testing/data", name))
	}
	files = append(files, conformance.Glob(t, "hf/save_to_disk/*/*/data-00000-of-*.arrow")...)
	files = append(files, conformance.Glob(t, "arrow-testing/data/arrow-ipc-stream/integration/1.0.0-littleendian/generated_primitive*.stream")...)
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			local, err := OpenLocal(path)
			if err != nil {
				t.Fatal(err)
			}
			defer local.Close()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			want, err := readAll(local, local.Size(), path, mem)
			if err != nil {
				t.Fatalf("local read: %v", err)
			}
			defer release(want)

			proxy.Reset()
			src, err := OpenHTTP(context.Background(), srv.URL+"/"+filepath.ToSlash(rel), HTTPOptions{Client: client, Limiter: NewHostLimiter(4)})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			got, err := readAll(src, src.Size(), path, mem)
			if err != nil {
				t.Fatalf("read over HTTP: %v", err)
			}
			defer release(got)
			if len(got) != len(want) {
				t.Fatalf("%d batches over HTTP, %d locally", len(got), len(want))
			}
			for i := range want {
				if !array.RecordEqual(want[i], got[i]) {
					t.Fatalf("batch %d differs", i)
				}
			}
			t.Logf("%d bytes, %d batches, %d requests", src.Size(), len(got), proxy.Count())
		})
	}

	for _, path := range conformance.Glob(t, "hf/malformed_realworld/*/*") {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			local, err := OpenLocal(path)
			if err != nil {
				t.Fatal(err)
			}
			defer local.Close()
			_, localErr := openReader(local, local.Size(), path, memory.DefaultAllocator)
			src, err := OpenHTTP(context.Background(), srv.URL+"/"+filepath.ToSlash(rel), HTTPOptions{Client: client, Limiter: NewHostLimiter(4)})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			_, httpErr := openReader(src, src.Size(), path, memory.DefaultAllocator)
			// The codecs decide the sentinel (format/ipc calls an LFS
			// pointer corrupt); what matters here is that HTTP changes
			// nothing.
			found := false
			for _, want := range []error{format.ErrNotData, format.ErrCorrupt} {
				if errors.Is(localErr, want) {
					found = true
					if !errors.Is(httpErr, want) {
						t.Fatalf("impostor: local %v, over HTTP %v", localErr, httpErr)
					}
				}
			}
			if !found {
				t.Fatalf("impostor: local %v; want ErrNotData or ErrCorrupt", localErr)
			}
		})
	}
}

// TestHTTPParquetRequests counts the requests of reading a Parquet file
// over HTTP: opening it (footer and leading magic) and one per column
// chunk at most.
func TestHTTPParquetRequests(t *testing.T) {
	path := filepath.Join(conformance.Dir(t, "parquet-testing", "data"), "alltypes_tiny_pages.parquet")
	checkLeaks(t)
	proxy := faultproxy.New(http.FileServer(http.Dir(filepath.Dir(path))))
	srv := newServer(t, proxy)
	src, err := OpenHTTP(context.Background(), srv.URL+"/"+filepath.Base(path), HTTPOptions{Client: newTestClient(t), Limiter: NewHostLimiter(4)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rd, err := parquet.Open(src, src.Size(), parquet.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if n := proxy.Count(); n != 2 {
		t.Fatalf("opening took %d requests, want 2: the tail (footer) and the block of the leading magic", n)
	}
	proxy.Reset()
	for _, err := range rd.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	chunks := rd.NumChunks() * len(rd.Schema().Fields())
	if n := proxy.Count(); n > chunks {
		t.Fatalf("scan took %d requests for %d column chunks", n, chunks)
	} else {
		t.Logf("scan: %d requests for %d column chunks", n, chunks)
	}
}

package arrowjson

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/conformance"
)

const integrationDir = "arrow-testing/data/arrow-ipc-stream/integration"

// TestIntegrationFiles reads every gold file pair of arrow-testing with
// arrow-go's own IPC readers and checks each batch against the JSON.
func TestIntegrationFiles(t *testing.T) {
	jsons := conformance.Glob(t, filepath.Join(integrationDir, "*", "*.json.gz"))
	for _, jsonPath := range jsons {
		base := strings.TrimSuffix(jsonPath, ".json.gz")
		name := filepath.Base(filepath.Dir(base)) + "/" + filepath.Base(base)
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			want, err := ReadFile(jsonPath, mem)
			if err != nil {
				t.Fatal(err)
			}
			defer want.Release()
			for _, kind := range []string{".arrow_file", ".stream"} {
				t.Run(strings.TrimPrefix(kind, "."), func(t *testing.T) {
					err := compareIPC(base+kind, want, mem)
					t.Logf("%s%s: %v", name, kind, err)
					if err != nil {
						t.Error(err)
					}
				})
			}
		})
	}
}

// compareIPC reads path with arrow-go and compares it with want.
func compareIPC(path string, want *File, mem memory.Allocator) error {
	read := readIPCStream
	if strings.HasSuffix(path, ".arrow_file") {
		read = readIPCFile
	}
	got, err := read(path, mem)
	defer func() {
		for _, b := range got {
			b.Release()
		}
	}()
	if err != nil {
		return err
	}
	if len(got) != len(want.Batches) {
		return fmt.Errorf("arrow-go read %d batches, the JSON has %d", len(got), len(want.Batches))
	}
	for i := range got {
		if err := CompareBatch(want.Batches[i], got[i]); err != nil {
			return fmt.Errorf("batch %d: %w", i, err)
		}
	}
	return nil
}

// readIPCFile reads every batch of an IPC file with arrow-go.
func readIPCFile(path string, mem memory.Allocator) ([]arrow.RecordBatch, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r, err := ipc.NewFileReader(fh, ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []arrow.RecordBatch
	for i := 0; i < r.NumRecords(); i++ {
		b, err := r.RecordBatch(i)
		if err != nil {
			return out, err
		}
		b.Retain()
		out = append(out, b)
	}
	return out, nil
}

// readIPCStream reads every batch of an IPC stream with arrow-go.
func readIPCStream(path string, mem memory.Allocator) ([]arrow.RecordBatch, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r, err := ipc.NewReader(fh, ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	defer r.Release()
	var out []arrow.RecordBatch
	for r.Next() {
		b := r.RecordBatch()
		b.Retain()
		out = append(out, b)
	}
	return out, r.Err()
}

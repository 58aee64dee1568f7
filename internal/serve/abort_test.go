package serve

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// A stream that fails after its first batch went out is cut without the
// end-of-stream marker: the client sees an error, never a short stream
// that looks complete.
func TestStreamFailingMidwayIsCut(t *testing.T) {
	dir := writeShards(t, ".parquet", 1000, 100, 5000)
	path := filepath.Join(dir, "part-00.parquet")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Garble the middle of the file: later row groups' pages, not the
	// first one's, nor the footer.
	mid := len(data) * 3 / 5
	copy(data[mid:], strings.Repeat("\xff\x00garbage", 64))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{}, Spec{Name: "d", Path: dir})
	resp := get(t, ts.streamURL("d", nil), "")
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s", resp.Status)
	}
	rd, err := ipc.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	var rows int64
	for rd.Next() {
		rows += rd.RecordBatch().NumRows()
	}
	if rows == 0 || rows >= 5000 {
		t.Fatalf("read %d rows: the corruption did not fail the stream midway", rows)
	}
	if rd.Err() == nil {
		t.Fatalf("a stream cut after %d rows ended without an error", rows)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatalf("the response ended cleanly")
	}
	if body := metricsText(t, ts, ""); !strings.Contains(body, `tome_serve_streams_total{dataset="d",protocol="http",result="error"} 1`) {
		t.Fatalf("the failed stream is not counted as an error")
	}
}

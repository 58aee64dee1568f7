package serve

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that asks for a stream and then reads nothing holds its slot
// until the stall timeout cuts the stream; then the slot serves another.
func TestStalledClientIsCutAfterStallTimeout(t *testing.T) {
	// 24 MB of rows: more than loopback's socket buffers hold, so the
	// server's writes block once the client stops reading.
	dir := writeShards(t, ".arrows", 1000, 2000, 12000)
	ts := startServer(t, Config{MaxStreams: 1, StallTimeout: 300 * time.Millisecond}, Spec{Name: "d", Path: dir})

	conn, err := net.Dial("tcp", ts.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/datasets/d/stream HTTP/1.1\r\nHost: %s\r\n\r\n", ts.Addr())
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("stalling client: %q, %v", status, err)
	}

	// While the stalled stream holds the only slot, another is refused.
	resp := get(t, ts.streamURL("d", nil), "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second stream while the first holds the slot: %s, want 429", resp.Status)
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		resp := get(t, ts.streamURL("d", nil), "")
		lines := 0
		if resp.StatusCode == http.StatusOK {
			lines = len(readLines(t, resp.Body))
		}
		resp.Body.Close()
		if lines == 12000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stalled stream still holds its slot after 20 s (last answer %s)", resp.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if body := metricsText(t, ts, ""); !strings.Contains(body, `tome_serve_streams_total{dataset="d",protocol="http",result="error"} 1`) &&
		!strings.Contains(body, `tome_serve_streams_total{dataset="d",protocol="http",result="canceled"} 1`) {
		t.Errorf("the cut stream is not counted as failed:\n%s", grepLines(body, "tome_serve_streams_total"))
	}
}

func grepLines(text, substr string) string {
	var out []string
	for line := range strings.Lines(text) {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/info"
)

// errorBody reads a JSON error answer.
func errorBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q, want application/json", resp.Status, ct)
	}
	var doc struct{ Error string }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Error == "" {
		t.Fatalf("%s: body is not {\"error\": ...}: %v", resp.Status, err)
	}
	return doc.Error
}

// rawGet sends path exactly as given, so that ".." segments reach the
// server (net/http's client would clean nothing, but this leaves no doubt).
func rawGet(t *testing.T, addr, path, token string) (status int, body string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", path, token)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStatusCodes(t *testing.T) {
	dir := writeShards(t, ".arrow", 50, 20, 100)
	const token = "s3cret"
	ts := startServer(t, Config{Token: token}, Spec{Name: "d", Path: dir}, Spec{Name: "jsonl", Path: "../../testdata/reviews.jsonl"})
	tests := []struct {
		path   string
		token  string
		status int
		msg    string
	}{
		{"/v1/datasets", "", 401, "token"},
		{"/v1/datasets", "wrong", 401, "token"},
		{"/v1/datasets", token + "x", 401, "token"},
		{"/v1/datasets/d", "", 401, "token"},
		{"/v1/datasets/d/stream", "", 401, "token"},
		{"/metrics", "", 401, "token"},
		{"/", "", 401, "token"},
		{"/viewer/datasets/d", "", 401, "token"},
		{"/v1/datasets/nope", token, 404, "nope"},
		{"/v1/datasets/nope/stream", token, 404, "nope"},
		{"/v1/datasets/%2e%2e%2fx/stream", token, 404, ""},
		{"/v1/datasets/..%2fd/stream", token, 404, ""},
		{"/v1/datasets/d/stream?split=test", token, 404, "test"},
		{"/v1/datasets/d/stream?shuffle=sideways", token, 400, "shuffle"},
		{"/v1/datasets/d/stream?shufle=block", token, 400, "shufle"},
		{"/v1/datasets/d/stream?seed=-1", token, 400, "seed"},
		{"/v1/datasets/d/stream?seed=1&seed=2", token, 400, "seed"},
		{"/v1/datasets/d/stream?world=2&rank=2", token, 400, "rank"},
		{"/v1/datasets/d/stream?world=-1", token, 400, "world"},
		{"/v1/datasets/d/stream?start=x", token, 400, "start"},
		{"/v1/datasets/d/stream?batch_rows=99999999", token, 400, "batch_rows"},
		{"/v1/datasets/d/stream?drop_remainder=maybe", token, 400, "drop_remainder"},
		{"/v1/datasets/d/stream?columns=nope", token, 400, "nope"},
		{"/v1/datasets/d/stream?columns=id,,x", token, 400, "column"},
		{"/v1/datasets/jsonl/stream?shuffle=block", token, 400, "random access"},
		{"/v1/datasets/jsonl/stream?world=2", token, 400, "random access"},
		{"/v1/datasets/d?x=1", token, 400, "parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.token, func(t *testing.T) {
			resp := get(t, ts.base+tt.path, tt.token)
			if resp.StatusCode != tt.status {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				t.Fatalf("%s, want %d: %s", resp.Status, tt.status, b)
			}
			if tt.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
			if msg := errorBody(t, resp); !strings.Contains(msg, tt.msg) {
				t.Errorf("error %q does not mention %q", msg, tt.msg)
			}
		})
	}
	// Unescaped dot segments, which a client library might clean away.
	for _, p := range []string{"/v1/datasets/../x", "/v1/datasets/../../etc/passwd", "/v1/datasets/d/../d/stream", "/./v1/datasets"} {
		if status, body := rawGet(t, ts.Addr(), p, token); status != 404 {
			t.Errorf("GET %s: %d %s, want 404", p, status, body)
		}
	}
	// The right token opens every endpoint, the viewer included.
	for _, p := range []string{"/v1/datasets", "/v1/datasets/d", "/v1/datasets/d/stream", "/metrics", "/"} {
		resp := get(t, ts.base+p, token)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s with the token: %s", p, resp.Status)
		}
	}
}

func TestPublicMetricsAndStreamCap(t *testing.T) {
	dir := writeShards(t, ".arrow", 50, 20, 100)
	ts := startServer(t, Config{Token: "t", PublicMetrics: true, MaxStreams: 2}, Spec{Name: "d", Path: dir})
	if resp := get(t, ts.base+"/metrics", ""); resp.StatusCode != 200 {
		t.Fatalf("public /metrics: %s", resp.Status)
	}
	if resp := get(t, ts.base+"/v1/datasets", ""); resp.StatusCode != 401 {
		t.Fatalf("--public-metrics opened /v1/datasets: %s", resp.Status)
	}
	// Two streams running fill the cap; the third is refused, and served
	// again once one ends.
	ts.slots.acquire()
	ts.slots.acquire()
	resp := get(t, ts.streamURL("d", nil), "t")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the cap: %s, Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
	}
	errorBody(t, resp)
	ts.slots.release()
	if lines := streamLines(t, ts, "t", "d", nil); len(lines) != 100 {
		t.Fatalf("after a slot freed: %d rows", len(lines))
	}
	ts.slots.release()
	body := metricsText(t, ts, "")
	for _, want := range []string{
		`tome_serve_streams_rejected_total{protocol="http"} 1`,
		`tome_serve_rows_total{dataset="d",protocol="http"} 100`,
		`tome_serve_time_to_first_batch_seconds_count{dataset="d",protocol="http"} 1`,
		`tome_serve_streams_total{dataset="d",protocol="http",result="ok"} 1`,
		`tome_serve_active_streams{dataset="d",protocol="http"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(body, `tome_serve_bytes_total{dataset="d",protocol="http"}`) {
		t.Errorf("metrics lack the bytes served")
	}
}

func metricsText(t *testing.T, ts *testServer, token string) string {
	t.Helper()
	resp := get(t, ts.base+"/metrics", token)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestListAndInfo(t *testing.T) {
	dir := writeShards(t, ".parquet", 50, 20, 100, 50)
	ts := startServer(t, Config{}, Spec{Name: "b", Path: dir}, Spec{Name: "a", Path: "../../testdata/reviews.jsonl"})
	resp := get(t, ts.base+"/v1/datasets", "")
	var list []datasetEntry
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(list) != 2 || list[0].Name != "a" || list[1].Name != "b" || list[1].Rows != 150 || list[1].DefaultSplit != "train" || strings.Join(list[1].Columns, ",") != "id,text,x" {
		t.Fatalf("list %+v", list)
	}
	// GET /v1/datasets/{name} is the info object, byte for byte as
	// describing the dataset directly gives it.
	resp = get(t, ts.base+"/v1/datasets/b", "")
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ds, err := dataset.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	want, err := info.Describe(context.Background(), ds, dir)
	if err != nil {
		t.Fatal(err)
	}
	wantDoc, _ := json.MarshalIndent(want, "", "  ")
	if string(got) != string(wantDoc)+"\n" {
		t.Fatalf("info\n%s\nwant\n%s", got, wantDoc)
	}
}

// HEAD answers a stream's headers without reading the dataset.
func TestHeadStream(t *testing.T) {
	dir := writeShards(t, ".arrow", 50, 20, 100)
	ts := startServer(t, Config{}, Spec{Name: "d", Path: dir})
	resp, err := http.Head(ts.streamURL("d", Params{World: 3, Rank: 1}.Query()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get(HeaderRows) != "34" || resp.Header.Get("Content-Type") != ContentType {
		t.Fatalf("HEAD: %s, rows %q", resp.Status, resp.Header.Get(HeaderRows))
	}
	if body := metricsText(t, ts, ""); strings.Contains(body, `tome_serve_streams_total{`) {
		t.Fatalf("HEAD ran a stream")
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	tomeipc "github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/rowjson"
)

var servingOn = regexp.MustCompile(`on http://(\S+)`)

// startServe runs tome serve in-process on a free port and returns its
// base URL; the server stops at the end of the test, and must exit 0.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := servingOn.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	code := make(chan int, 1)
	go func() {
		code <- runContext(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--flight-addr", ""}, args...), nil, io.Discard, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if c := <-code; c != 0 {
			t.Errorf("tome serve exit %d", c)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case c := <-code:
		t.Fatalf("tome serve exit %d before serving", c)
	case <-time.After(20 * time.Second):
		t.Fatal("tome serve did not start")
	}
	return ""
}

// httpLines reads a stream and renders it as tome cat prints rows.
func httpLines(t *testing.T, url string) []string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	rd, err := ipc.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	enc := rowjson.NewEncoder(rd.Schema())
	var lines []string
	for rd.Next() {
		b := rd.RecordBatch()
		for i := range int(b.NumRows()) {
			lines = append(lines, string(enc.AppendRow(nil, b, i)))
		}
	}
	if rd.Err() != nil {
		t.Fatal(rd.Err())
	}
	return lines
}

// Each rank's HTTP stream is exactly what tome cat prints with the same
// flags, and the ranks together cover the dataset.
func TestServeStreamsWhatCatPrints(t *testing.T) {
	arrowDir := writeCatShards(t, ".arrow", 130, 0, 271, 99)
	parquetDir := writeCatShards(t, ".parquet", 130, 271, 99)
	base := startServe(t, "a="+arrowDir, "p="+parquetDir)
	plain := catLines(t, arrowDir)
	settings := []struct {
		name, dir string
		world     int
		flags     []string
	}{
		{"a", arrowDir, 1, []string{"--shuffle", "none"}},
		{"a", arrowDir, 3, []string{"--shuffle", "block", "--seed", "7", "--window", "64"}},
		{"a", arrowDir, 4, []string{"--shuffle", "global", "--seed", "1", "--epoch", "2"}},
		{"p", parquetDir, 2, []string{"--shuffle", "shards", "--seed", "3", "--drop-remainder"}},
		{"p", parquetDir, 3, []string{"--shuffle", "buffer", "--seed", "5", "--buffer", "16", "--start", "40"}},
	}
	for _, s := range settings {
		t.Run(fmt.Sprintf("%s/world=%d/%s", s.name, s.world, strings.Join(s.flags, " ")), func(t *testing.T) {
			var union []string
			for r := range s.world {
				flags := append(slices.Clone(s.flags), "--world", fmt.Sprint(s.world), "--rank", fmt.Sprint(r))
				want := catLines(t, append(flags, s.dir)...)
				got := httpLines(t, base+"/v1/datasets/"+s.name+"/stream?"+flagsToQuery(flags))
				if !slices.Equal(got, want) {
					t.Fatalf("rank %d: the stream gave %d rows, tome cat %d (first %.80q vs %.80q)", r, len(got), len(want), first(got), first(want))
				}
				union = append(union, got...)
			}
			if slices.Contains(s.flags, "--start") || slices.Contains(s.flags, "--drop-remainder") {
				return
			}
			if got := slices.Compact(slices.Sorted(slices.Values(union))); !slices.Equal(got, slices.Sorted(slices.Values(plain))) {
				t.Fatalf("the ranks cover %d distinct rows of %d", len(got), len(plain))
			}
		})
	}
}

// flagsToQuery turns cat's training flags into stream parameters.
func flagsToQuery(flags []string) string {
	var q []string
	for i := 0; i < len(flags); i++ {
		name := strings.ReplaceAll(strings.TrimPrefix(flags[i], "--"), "-", "_")
		if name == "drop_remainder" {
			q = append(q, name+"=true")
			continue
		}
		q = append(q, name+"="+flags[i+1])
		i++
	}
	return strings.Join(q, "&")
}

func TestServeUsageErrors(t *testing.T) {
	dir := writeCatShards(t, ".arrow", 10)
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve"}, exitUsage, "arg"},
		{[]string{"serve", dir}, exitUsage, "NAME=PATH"},
		{[]string{"serve", "../x=" + dir}, exitUsage, "dataset name"},
		{[]string{"serve", "a=" + dir, "a=" + dir}, exitFailure, "twice"},
		{[]string{"serve", "--max-streams", "0", "a=" + dir}, exitUsage, "max-streams"},
		{[]string{"serve", "a=" + dir + "/missing"}, exitNotFound, "missing"},
	} {
		_, errOut, code := tome(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d (%s), want %d mentioning %q", tt.args, code, errOut, tt.code, tt.msg)
		}
	}
}

func TestServeTokenFromEnvironment(t *testing.T) {
	t.Setenv("TOME_TOKEN", "from-env")
	base := startServe(t, "a="+writeCatShards(t, ".arrow", 10))
	for _, tt := range []struct {
		token  string
		status int
	}{{"", 401}, {"wrong", 401}, {"from-env", 200}} {
		req, _ := http.NewRequest("GET", base+"/v1/datasets", nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("token %q: %s, want %d", tt.token, resp.Status, tt.status)
		}
	}
}

// A real SIGTERM: the process stops accepting, lets the running stream
// finish, and exits 0.
func TestServeSIGTERMDrains(t *testing.T) {
	rows := 200_000
	if testing.Short() {
		rows = 60_000
	}
	dir := writeWideShard(t, rows)
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--flight-addr", "", "d="+dir)
	cmd.Env = append(os.Environ(), "TOME_TEST_AS_CLI=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stderr)
	var base string
	var log []string
	for sc.Scan() {
		log = append(log, sc.Text())
		if m := servingOn.FindStringSubmatch(sc.Text()); m != nil {
			base = "http://" + m[1]
			break
		}
	}
	if base == "" {
		t.Fatalf("no address in %q", log)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	resp, err := http.Get(base + "/v1/datasets/d/stream?batch_rows=500")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd, err := ipc.NewReader(resp.Body)
	if err != nil || !rd.Next() {
		t.Fatalf("first batch: %v", err)
	}
	got := rd.RecordBatch().NumRows()
	exited := make(chan error, 1)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- cmd.Wait() }()
	// The stream (some 40 MB) is far from sent: the process waits for it.
	select {
	case err := <-exited:
		t.Fatalf("tome serve exited (%v) with a stream running", err)
	case <-time.After(200 * time.Millisecond):
	}
	for rd.Next() {
		got += rd.RecordBatch().NumRows()
	}
	if rd.Err() != nil || got != int64(rows) {
		t.Fatalf("stream across SIGTERM: %d of %d rows, %v", got, rows, rd.Err())
	}
	rd.Release()
	if err := <-exited; err != nil {
		t.Fatalf("tome serve after SIGTERM: %v", err)
	}
}

// writeWideShard writes an uncompressed Arrow shard of rows rows of about
// 200 bytes each.
func writeWideShard(t *testing.T, rows int) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "wide.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "text", Type: arrow.BinaryTypes.String}}, nil)
	w, err := tomeipc.NewStreamWriter(f, schema, tomeipc.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", 190)
	for off := 0; off < rows; off += 1000 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := off; i < min(off+1000, rows); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.StringBuilder).Append(pad)
		}
		rec := b.NewRecordBatch()
		err := w.Write(rec)
		rec.Release()
		b.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The state the server gives after K samples is the one tome cat writes
// after printing K, and resuming from it over HTTP prints what tome cat
// --resume prints.
func TestServeStateMatchesCat(t *testing.T) {
	dir := writeCatShards(t, ".arrow", 130, 271, 99)
	base := startServe(t, "d="+dir)
	flags := []string{"--shuffle", "block", "--seed", "4", "--window", "50", "--world", "2", "--rank", "1"}
	statePath := filepath.Join(t.TempDir(), "state.json")
	catLines(t, append(slices.Clone(flags), "--limit", "77", "--state-out", statePath, dir)...)
	want, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(base + "/v1/datasets/d/state?" + flagsToQuery(flags) + "&consumed=77")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var g, w map[string]any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil || !reflect.DeepEqual(g, w) {
		t.Fatalf("server state %s, tome cat wrote %s", got, want)
	}
	for _, world := range []string{"1", "3"} {
		catOut := catLines(t, "--resume", statePath, "--world", world, "--rank", "0", dir)
		q := url.Values{"resume": {string(got)}, "world": {world}, "rank": {"0"}}
		if web := httpLines(t, base+"/v1/datasets/d/stream?"+q.Encode()); !slices.Equal(web, catOut) {
			t.Fatalf("world %s: resumed stream %d rows, tome cat --resume %d", world, len(web), len(catOut))
		}
	}
}

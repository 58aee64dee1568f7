package python

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowipc "github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/serve"
)

// fetchScript drives tome_client.TomeDataset against a real server for
// every (rank, worker) of a job, standing in for DataLoader workers, and
// saves each stream's raw bytes (Arrow IPC, which pyarrow would decode) and
// positions for the Go side to decode and check.
const fetchScript = `
import json, sys
import tome_client as tc
from test_tome_client import ipc_batches

url, token, out, world, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
state = tc.ResumeState.from_dict(json.loads(sys.argv[6]))

class Tee:
    """Keeps the bytes read from a response, for the Go side to decode."""
    last = None
    def __init__(self, response):
        self.response, self.data = response, bytearray()
        Tee.last = self
    def read(self, n=-1):
        b = self.response.read(n)
        self.data += b
        return b

read_batches = lambda response: ipc_batches(Tee(response))
report = {"streams": {}}
for rank in range(world):
    data = tc.TomeDataset(url, "ids", shuffle="block", seed=7, window=8, batch_rows=5, rank=rank, world=world,
                          token=token, resume=state, read_batches=read_batches, transform=lambda b: b.num_rows)
    for worker in range(workers):
        tc.worker_and_workers = lambda info=None: (worker, workers)
        params = data.consumer_params(worker, workers)  # before update() moves the state on
        rows = []
        for n, pos in data:
            rows.append(n)
            state.update(pos)
        name = "%d-of-%d" % (params["rank"], params["world"])
        open(out + "/" + name + ".arrows", "wb").write(Tee.last.data)
        report["streams"][name] = {"start": params.get("start", 0), "batch_rows": rows, "params": params}
report["state"] = state.to_dict()
for name, token in [("nope", token), ("ids", "wrong")]:
    try:
        list(tc.TomeDataset(url, name, rank=0, world=1, token=token, read_batches=read_batches))
    except tc.StreamError as e:
        report[name] = e.status
print(json.dumps(report))
`

const testRows = 64

// writeIDs writes an Arrow file of one int64 column "id": 0 to rows-1.
func writeIDs(t *testing.T, rows int) string {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i := range rows {
		b.Append(int64(i))
	}
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(rows))
	defer rec.Release()
	var buf bytes.Buffer
	w, err := ipc.NewFileWriter(&buf, schema, ipc.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ids.arrow")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ids decodes an Arrow IPC stream of the "id" column.
func ids(t *testing.T, stream []byte) []int64 {
	t.Helper()
	r, err := arrowipc.NewReader(bytes.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var out []int64
	for r.Next() {
		out = append(out, r.RecordBatch().Column(0).(*array.Int64).Int64Values()...)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return out
}

type fetchReport struct {
	Streams map[string]struct {
		Start     int64          `json:"start"`
		BatchRows []int64        `json:"batch_rows"` // as the client counted them
		Params    map[string]any `json:"params"`
	} `json:"streams"`
	State struct {
		World    int              `json:"world"`
		Consumed map[string]int64 `json:"consumed"`
	} `json:"state"`
	BadToken int `json:"ids"`
	Unknown  int `json:"nope"`
}

// TestClientAgainstServe runs the Python client against tome serve on
// loopback. Without pyarrow, the client reads the stream with the test's
// framing-only IPC reader (counting each batch's rows) and the bytes are
// decoded here, in Go: 2 ranks x 2 workers read 4 disjoint streams that
// together are the dataset, each byte for byte the stream of the parameters
// the server documents, and the client's ResumeState counts what it read;
// a saved state resumes each stream exactly at its count, and on another
// world at the global position reached; a wrong token and an unknown name
// are refused with 401 and 404.
func TestClientAgainstServe(t *testing.T) {
	py := python(t)
	ctx := context.Background()
	reg, err := serve.NewRegistry(ctx, []serve.Spec{{Name: "ids", Path: writeIDs(t, testRows)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	srv := httptest.NewServer(serve.New(reg, serve.Config{Token: "tok"}).Handler())
	defer srv.Close()

	fetch := func(world, workers int, state string) (fetchReport, map[string][]byte) {
		t.Helper()
		out := t.TempDir()
		cmd := exec.Command(py, "-c", fetchScript, srv.URL, "tok", out, fmt.Sprint(world), fmt.Sprint(workers), state)
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH="+mustAbs(t, "."))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil {
			t.Fatalf("client: %v\n%s", err, stderr.String())
		}
		var rep fetchReport
		if err := json.Unmarshal(stdout, &rep); err != nil {
			t.Fatalf("client printed %q: %v", stdout, err)
		}
		streams := map[string][]byte{}
		for name := range rep.Streams {
			b, err := os.ReadFile(filepath.Join(out, name+".arrows"))
			if err != nil {
				t.Fatal(err)
			}
			streams[name] = b
		}
		return rep, streams
	}
	// direct is the stream the server documents for these parameters,
	// fetched by Go.
	direct := func(p serve.Params) []byte {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/v1/datasets/ids/stream?"+p.Query().Encode(), nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%v: %d %s", p, resp.StatusCode, b)
		}
		return b
	}
	params := func(consumer, world int, start int64) serve.Params {
		return serve.Params{Dataset: "ids", Shuffle: "block", Seed: 7, Window: 8, BatchRows: 5, World: world, Rank: consumer, Start: start}
	}

	rep, streams := fetch(2, 2, `{"version": 1}`)
	if rep.BadToken != http.StatusUnauthorized || rep.Unknown != http.StatusNotFound {
		t.Errorf("wrong token: %d, unknown dataset: %d; want 401 and 404", rep.BadToken, rep.Unknown)
	}
	var all []int64
	full := map[int][]int64{}
	for c := range 4 {
		name := fmt.Sprintf("%d-of-4", c)
		if !bytes.Equal(streams[name], direct(params(c, 4, 0))) {
			t.Errorf("consumer %s: the client's stream differs from the server's for the same parameters %v", name, rep.Streams[name].Params)
		}
		full[c] = ids(t, streams[name])
		if len(full[c]) != testRows/4 {
			t.Errorf("consumer %s: %d rows, want %d", name, len(full[c]), testRows/4)
		}
		if want := []int64{5, 5, 5, 1}; !slices.Equal(rep.Streams[name].BatchRows, want) {
			t.Errorf("consumer %s: the client read batches of %v rows, want %v", name, rep.Streams[name].BatchRows, want)
		}
		if n := rep.State.Consumed[fmt.Sprint(c)]; rep.State.World != 4 || n != testRows/4 {
			t.Errorf("the client's state counts %d rows of consumer %d of %d, want %d of 4", n, c, rep.State.World, testRows/4)
		}
		all = append(all, full[c]...)
	}
	slices.Sort(all)
	for i, id := range all {
		if id != int64(i) {
			t.Fatalf("the 4 consumers together read %v, want 0..%d once each", all, testRows-1)
		}
	}

	// Same world: each consumer resumes at its own count.
	counts := map[int]int64{0: 5, 1: 7, 2: 4, 3: 16}
	state := `{"version": 1, "world": 4, "consumed": {"0": 5, "1": 7, "2": 4, "3": 16}, "order": {"dataset": "ids", "shuffle": "block", "seed": 7, "window": 8}}`
	_, resumed := fetch(2, 2, state)
	for c, n := range counts {
		got := ids(t, resumed[fmt.Sprintf("%d-of-4", c)])
		if want := full[c][n:]; !slices.Equal(got, want) {
			t.Errorf("consumer %d resumed at %d: %v, want %v", c, n, got, want)
		}
	}

	// Another world (1 rank x 3 workers): together the new consumers
	// continue at the global position every old consumer reached:
	// min(count*4 + consumer) = 4*4+2 = 18.
	rep3, elastic := fetch(1, 3, state)
	order := map[int64]int64{} // global position -> id, from the full run
	for c, rows := range full {
		for j, id := range rows {
			order[int64(c+4*j)] = id
		}
	}
	reached := min(5*4+0, 7*4+1, 4*4+2, 16*4+3)
	var got []int64
	for c := range 3 {
		name := fmt.Sprintf("%d-of-3", c)
		start := rep3.Streams[name].Start
		if first := int64(c) + 3*start; first < int64(reached) || first >= int64(reached)+3 {
			t.Errorf("consumer %s starts at global position %d, want the first of its own at or after %d", name, first, reached)
		}
		got = append(got, ids(t, elastic[name])...)
	}
	var want []int64
	for p := int64(reached); p < testRows; p++ {
		want = append(want, order[p])
	}
	slices.Sort(got)
	slices.Sort(want)
	// Padding repeats a few samples at the end of a 3-way split of 64.
	if !isSubMultiset(want, got) {
		t.Errorf("elastic resume on 3 consumers read %v; want every sample from global position %d on: %v", got, reached, want)
	}
}

// isSubMultiset reports whether every element of want (sorted) is in got
// (sorted), as often as in want.
func isSubMultiset(want, got []int64) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && want[i] == g {
			i++
		}
	}
	return i == len(want)
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestFlightTicketMatchesQuery checks that the client's Flight ticket and
// its HTTP query carry the same parameters, as tome serve parses them.
func TestFlightTicketMatchesQuery(t *testing.T) {
	py := python(t)
	const script = `
import json, tome_client as tc
p = tc.stream_params(split="test", columns=["text", "label"], shuffle="buffer", seed=18446744073709551615,
                     epoch=3, window=64, buffer=500, world=8, rank=7, start=12345, batch_rows=4096, drop_remainder=True)
print(json.dumps({"ticket": tc.flight_ticket("my data", p).decode(), "url": tc.stream_url("http://h:1", "my data", p)}))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH="+mustAbs(t, "."))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var got struct{ Ticket, URL string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	fromTicket, err := serve.ParseJSON([]byte(got.Ticket))
	if err != nil {
		t.Fatalf("ticket %s: %v", got.Ticket, err)
	}
	u, err := url.Parse(got.URL)
	if err != nil {
		t.Fatal(err)
	}
	if u.EscapedPath() != "/v1/datasets/my%20data/stream" {
		t.Errorf("path %s", u.EscapedPath())
	}
	fromQuery, err := serve.ParseQuery("my data", u.Query())
	if err != nil {
		t.Fatalf("query %s: %v", u.RawQuery, err)
	}
	want := serve.Params{Dataset: "my data", Split: "test", Columns: []string{"text", "label"}, Shuffle: "buffer", Seed: 1<<64 - 1,
		Epoch: 3, Window: 64, Buffer: 500, World: 8, Rank: 7, Start: 12345, BatchRows: 4096, DropRemainder: true}
	for name, p := range map[string]serve.Params{"ticket": fromTicket, "query": fromQuery} {
		if !reflect.DeepEqual(p, want) {
			t.Errorf("%s: %+v, want %+v", name, p, want)
		}
	}
}

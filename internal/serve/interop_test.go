package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/interop"
)

// streamRows is what ../interop/stream_rows.mjs prints.
type streamRows struct {
	Rows        int64    `json:"rows"`
	Batches     int      `json:"batches"`
	IDs         []string `json:"ids"`
	TextBytes   int64    `json:"text_bytes"`
	XSum        float64  `json:"x_sum"`
	ContentType string   `json:"content_type"`
	RowsHeader  string   `json:"rows_header"`
}

// An independent client, npm's apache-arrow reading the HTTP stream as it
// arrives, gets the rows tome's training stream has, in the same order.
func TestNodeArrowReadsTheStream(t *testing.T) {
	node := interop.Node(t, "../interop", "apache-arrow")
	dir := writeShards(t, ".arrow", 1000, 40, 3000, 2500)
	ts := startServer(t, Config{Token: "tk"}, Spec{Name: "d", Path: dir})
	cases := []Params{
		{Dataset: "d", Shuffle: "global", Seed: 1, World: 2, Rank: 1, Start: 100, Columns: []string{"x", "text", "id"}},
		{Dataset: "d"},
		{Dataset: "d", Shuffle: "block", Seed: 9, Window: 500, World: 3, Rank: 2, BatchRows: 700},
	}
	if testing.Short() {
		cases = cases[:1] // node takes a second or two to start
	}
	for _, p := range cases {
		t.Run(p.Query().Encode(), func(t *testing.T) {
			cmd := exec.Command(node, "../interop/stream_rows.mjs", ts.streamURL("d", p.Query()))
			cmd.Env = append(os.Environ(), "TOME_TOKEN=tk")
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			var got streamRows
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v in %s", err, out)
			}
			want := referenceRows(t, dir, p)
			if got.Rows != want.Rows || !slices.Equal(got.IDs, want.IDs) || got.TextBytes != want.TextBytes || got.XSum != want.XSum {
				t.Fatalf("apache-arrow read %d rows (text %d bytes, x sum %v), tome has %d (%d, %v); ids equal: %v",
					got.Rows, got.TextBytes, got.XSum, want.Rows, want.TextBytes, want.XSum, slices.Equal(got.IDs, want.IDs))
			}
			if got.ContentType != ContentType || got.RowsHeader != strconv.FormatInt(want.Rows, 10) || got.Batches == 0 {
				t.Fatalf("content type %q, rows header %q, %d batches", got.ContentType, got.RowsHeader, got.Batches)
			}
		})
	}
}

// referenceRows summarises the training stream the way stream_rows.mjs
// does, adding x in the same order so that the float sums agree exactly.
func referenceRows(t *testing.T, dir string, p Params) streamRows {
	ds, err := dataset.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	opts, err := p.trainOptions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ds.Train(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var r streamRows
	for b, err := range s.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		sc := b.Schema()
		id := b.Column(sc.FieldIndices("id")[0])
		text := b.Column(sc.FieldIndices("text")[0])
		x := b.Column(sc.FieldIndices("x")[0])
		for i := range int(b.NumRows()) {
			r.IDs = append(r.IDs, fmt.Sprint(id.GetOneForMarshal(i)))
			r.TextBytes += int64(len(text.ValueStr(i)))
			r.XSum += x.GetOneForMarshal(i).(float64)
		}
		r.Rows += b.NumRows()
	}
	return r
}

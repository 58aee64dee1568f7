package serve

import (
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tome-data/tome/dataset"
)

func getState(t *testing.T, ts *testServer, name string, q url.Values, consumed string) (int, []byte) {
	t.Helper()
	q = cloneValues(q)
	q.Set("consumed", consumed)
	resp := get(t, ts.base+"/v1/datasets/"+name+"/state?"+q.Encode(), "")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// A state taken after K samples resumes exactly after them, on another
// world too: the resumed ranks interleave into the rest of the stream.
func TestStateResumesOnAnyWorld(t *testing.T) {
	dir := writeShards(t, ".arrow", 50, 20, 130, 271, 99)
	ts := startServer(t, Config{}, Spec{Name: "d", Path: dir}, Spec{Name: "other", Path: writeShards(t, ".arrow", 50, 20, 10)})
	for _, mode := range []string{"block", "global", "buffer"} {
		p := Params{Shuffle: mode, Seed: 11, Epoch: 1, Window: 64, Buffer: 20}
		all := streamLines(t, ts, "", "d", p.Query())
		const k = 123
		status, st := getState(t, ts, "d", p.Query(), "123")
		if status != 200 {
			t.Fatalf("%s: state: %d %s", mode, status, st)
		}
		var state dataset.TrainState
		if err := json.Unmarshal(st, &state); err != nil || state.Consumed != k || state.Mode != mode {
			t.Fatalf("%s: state %s (%v)", mode, st, err)
		}
		// The state alone sets the order.
		one := streamLines(t, ts, "", "d", Params{Resume: st}.Query())
		if !slices.Equal(one, all[k:]) {
			t.Fatalf("%s: resumed on one rank: %d rows, want the %d after %d", mode, len(one), len(all)-k, k)
		}
		var ranks [][]string
		for r := range 3 {
			ranks = append(ranks, streamLines(t, ts, "", "d", Params{Resume: st, World: 3, Rank: r, Seed: 11}.Query()))
		}
		var inter []string
		for i := 0; len(inter) < len(all)-k; i++ {
			inter = append(inter, ranks[i%3][i/3])
		}
		if !slices.Equal(inter, all[k:]) {
			t.Fatalf("%s: three resumed ranks do not interleave into the rest of the stream", mode)
		}
		for _, bad := range []url.Values{
			Params{Resume: st, Seed: 12}.Query(),
			Params{Resume: st, Shuffle: "none"}.Query(),
			Params{Resume: json.RawMessage(`{"version":1}`)}.Query(),
			Params{Resume: json.RawMessage(`not json`)}.Query(),
		} {
			resp := get(t, ts.streamURL("d", bad), "")
			if msg := errorBody(t, resp); resp.StatusCode != 400 {
				t.Errorf("%s: %d %s", bad.Encode(), resp.StatusCode, msg)
			}
		}
		// A state is bound to its dataset.
		resp := get(t, ts.streamURL("other", Params{Resume: st}.Query()), "")
		if msg := errorBody(t, resp); resp.StatusCode != 400 || !strings.Contains(msg, "match") {
			t.Errorf("another dataset's state: %d %s", resp.StatusCode, msg)
		}
	}
	for _, consumed := range []string{"-1", "x", "100000"} {
		if status, body := getState(t, ts, "d", nil, consumed); status != 400 {
			t.Errorf("consumed=%s: %d %s", consumed, status, body)
		}
	}
	if status, _ := getState(t, ts, "nope", nil, "1"); status != 404 {
		t.Errorf("state of an unknown dataset: %d", status)
	}
}

package serve

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParamsRoundTrip(t *testing.T) {
	p := Params{Dataset: "d", Split: "test", Columns: []string{"a", "b"}, Shuffle: "block", Seed: 1 << 63, Epoch: 2,
		Window: 100, Buffer: 10, World: 8, Rank: 7, Workers: 2, Worker: 1, Start: 12, BatchRows: 64, DropRemainder: true}
	got, err := ParseQuery("d", p.Query())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Fatalf("query round trip (-want +got):\n%s", diff)
	}
	if got, err := ParseQuery("d", url.Values{}); err != nil || !cmp.Equal(got, Params{Dataset: "d"}) {
		t.Fatalf("no parameters: %+v %v", got, err)
	}
}

func TestParamsRejectBadInput(t *testing.T) {
	for _, q := range []string{
		"shuffle=x", "seed=1.5", "seed=-1", "epoch=-1", "window=-2", "buffer=99999999999", "world=0x10",
		"rank=1", "world=2&rank=-1", "workers=2&worker=2", "start=-1", "batch_rows=1048577",
		"drop_remainder=2", "columns=a,", "split=a&split=b", "limit=10", "Seed=1",
	} {
		v, _ := url.ParseQuery(q)
		_, err := ParseQuery("d", v)
		var pe *paramError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a parameter error", q, err)
		}
	}
	for _, doc := range []string{`{"dataset":"d","seed":-1}`, `{"dataset":"d"} {}`, `{"dataset":"d","nope":1}`, `[]`, `{"dataset":"d","world":3,"rank":3}`} {
		if _, err := ParseJSON([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
}

// FuzzParseQuery: any query parses or fails with a parameter error, and
// what parses is valid and survives a round trip.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "shuffle=block&seed=7&world=8&rank=3", "columns=a,b&batch_rows=64", "start=5&drop_remainder=1", "%zz", "rank=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := ParseQuery("d", q)
		if err != nil {
			var pe *paramError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: error %v is not a parameter error", raw, err)
			}
			return
		}
		again, err := ParseQuery("d", p.Query())
		if err != nil || !cmp.Equal(p, again) {
			t.Fatalf("%q: round trip gave %+v, %v", raw, again, err)
		}
	})
}

// FuzzParseJSON: tickets and commands from Flight clients.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"dataset":"d"}`, `{"dataset":"d","shuffle":"global","world":4,"rank":3,"columns":["a"]}`, `{`, `null`, `{"dataset":"d","start":9223372036854775807}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := ParseJSON(doc)
		if err != nil {
			return
		}
		if err := p.check(); err != nil {
			t.Fatalf("accepted params fail their own check: %v", err)
		}
		if p.Rank >= max(p.World, 1) || p.Start < 0 || p.BatchRows > maxBatchRows {
			t.Fatalf("accepted %+v", p)
		}
	})
}

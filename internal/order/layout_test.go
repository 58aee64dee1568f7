package order

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLayout(t *testing.T) {
	tests := []struct {
		name      string
		shardRows []int64
		play      []int
		wantRows  []int64 // row at each sequence position
	}{
		{"empty", nil, nil, nil},
		{"all shards empty", []int64{0, 0}, []int{1, 0}, nil},
		{"manifest order", []int64{2, 0, 3}, nil, []int64{0, 1, 2, 3, 4}},
		{"permuted", []int64{2, 0, 3}, []int{2, 1, 0}, []int64{2, 3, 4, 0, 1}},
		{"empty shards between", []int64{0, 1, 0, 0, 2, 0}, []int{4, 5, 0, 3, 1, 2}, []int64{1, 2, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(tt.shardRows, tt.play)
			if got, want := l.rows(), int64(len(tt.wantRows)); got != want {
				t.Fatalf("rows() = %d, want %d", got, want)
			}
			var got []int64
			hint := 0
			for q := range l.rows() {
				var r int64
				r, hint = l.row(q, hint)
				got = append(got, r)
				// A cold lookup must agree with the hinted one.
				if cold, _ := l.row(q, 0); cold != r {
					t.Errorf("row(%d) = %d with a hint, %d without", q, r, cold)
				}
			}
			if diff := cmp.Diff(tt.wantRows, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// shardOf inverts the manifest layout.
			for r := range l.rows() {
				s, off := l.shardOf(r)
				if tt.shardRows[s] == 0 || off < 0 || off >= tt.shardRows[s] || l.starts[s]+off != r {
					t.Errorf("shardOf(%d) = (%d, %d)", r, s, off)
				}
			}
			// spans of the whole sequence are one per non-empty shard.
			var fromSpans []int64
			for _, sp := range l.spans(0, l.rows()) {
				for r := sp.Start; r < sp.End; r++ {
					fromSpans = append(fromSpans, r)
				}
			}
			if diff := cmp.Diff(tt.wantRows, fromSpans); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShardPlayIsPermutation(t *testing.T) {
	for n := range 50 {
		play := shardPlay(n, 9, 1)
		seen := make([]bool, n)
		for _, s := range play {
			if seen[s] {
				t.Fatalf("shardPlay(%d) = %v repeats %d", n, play, s)
			}
			seen[s] = true
		}
	}
}

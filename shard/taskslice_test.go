package shard

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanUnits(t *testing.T) {
	chunks := func(n int, rows int64) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = rows
		}
		return out
	}
	tests := []struct {
		name   string
		inputs []PlanInput
		target int64
		want   []Unit
	}{
		{
			name:   "small files are grouped up to the target",
			inputs: []PlanInput{{Bytes: 40}, {Bytes: 40}, {Bytes: 40}, {Bytes: 100}},
			target: 100,
			want: []Unit{
				{Bytes: 80, Pieces: []Piece{{Input: 0, Rows: -1, Bytes: 40}, {Input: 1, Rows: -1, Bytes: 40}}},
				{Bytes: 40, Pieces: []Piece{{Input: 2, Rows: -1, Bytes: 40}}},
				{Bytes: 100, Pieces: []Piece{{Input: 3, Rows: -1, Bytes: 100}}},
			},
		},
		{
			name:   "a large unchunked file is one unit",
			inputs: []PlanInput{{Bytes: 10}, {Bytes: 1000}, {Bytes: 10}},
			target: 100,
			want: []Unit{
				{Bytes: 10, Pieces: []Piece{{Input: 0, Rows: -1, Bytes: 10}}},
				{Bytes: 1000, Pieces: []Piece{{Input: 1, Rows: -1, Bytes: 1000}}},
				{Bytes: 10, Pieces: []Piece{{Input: 2, Rows: -1, Bytes: 10}}},
			},
		},
		{
			name:   "a large chunked file is cut at chunk boundaries",
			inputs: []PlanInput{{Bytes: 300, ChunkRows: chunks(6, 10)}},
			target: 100,
			want: []Unit{
				{Bytes: 100, Pieces: []Piece{{Input: 0, FirstChunk: 0, EndChunk: 2, Rows: 20, Bytes: 100}}},
				{Bytes: 100, Pieces: []Piece{{Input: 0, FirstChunk: 2, EndChunk: 4, Rows: 20, Bytes: 100}}},
				{Bytes: 100, Pieces: []Piece{{Input: 0, FirstChunk: 4, EndChunk: 6, Rows: 20, Bytes: 100}}},
			},
		},
		{
			name:   "cuts go to the nearest boundary and never split a chunk",
			inputs: []PlanInput{{Bytes: 200, ChunkRows: []int64{90, 5, 5}}},
			target: 100,
			want: []Unit{
				{Bytes: 180, Pieces: []Piece{{Input: 0, FirstChunk: 0, EndChunk: 1, Rows: 90, Bytes: 180}}},
				{Bytes: 20, Pieces: []Piece{{Input: 0, FirstChunk: 1, EndChunk: 3, Rows: 10, Bytes: 20}}},
			},
		},
		{
			name:   "a chunked file within the target stays whole",
			inputs: []PlanInput{{Bytes: 50, ChunkRows: []int64{3, 4}}},
			target: 100,
			want:   []Unit{{Bytes: 50, Pieces: []Piece{{Input: 0, EndChunk: 2, Rows: 7, Bytes: 50}}}},
		},
		{
			name:   "no target: one unit per file",
			inputs: []PlanInput{{Bytes: 1}, {Bytes: 2}},
			target: 0,
			want: []Unit{
				{Bytes: 1, Pieces: []Piece{{Input: 0, Rows: -1, Bytes: 1}}},
				{Bytes: 2, Pieces: []Piece{{Input: 1, Rows: -1, Bytes: 2}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, PlanUnits(tt.inputs, tt.target)); diff != "" {
				t.Errorf("units (-want +got):\n%s", diff)
			}
		})
	}
}

// Every unit goes to exactly one task, in order, whatever the weights.
func TestTaskSliceCoversEveryUnitOnce(t *testing.T) {
	weights := [][]int64{
		{},
		{0, 0, 0},
		{5},
		{1, 1, 1, 1, 1, 1, 1},
		{100, 1, 1, 1, 1},
		{1, 1, 1, 1, 100},
		{3, 9, 27, 81, 243, 1, 2},
	}
	for _, w := range weights {
		units := make([]Unit, len(w))
		for i, b := range w {
			units[i].Bytes = b
		}
		for count := 1; count <= 9; count++ {
			next := 0
			for index := range count {
				lo, hi, err := TaskSlice(units, index, count)
				if err != nil {
					t.Fatal(err)
				}
				if lo != next || hi < lo {
					t.Fatalf("weights %v, task %d of %d: [%d, %d), want to start at %d", w, index, count, lo, hi, next)
				}
				next = hi
			}
			if next != len(units) {
				t.Fatalf("weights %v, %d tasks cover %d of %d units", w, count, next, len(units))
			}
		}
	}
}

func TestTaskSliceBalancesBytes(t *testing.T) {
	units := make([]Unit, 12)
	for i := range units {
		units[i].Bytes = 10
	}
	for index, want := range [][2]int{{0, 4}, {4, 8}, {8, 12}} {
		lo, hi, err := TaskSlice(units, index, 3)
		if err != nil || lo != want[0] || hi != want[1] {
			t.Errorf("task %d of 3: [%d, %d) %v, want %v", index, lo, hi, err, want)
		}
	}
	for _, bad := range [][2]int{{-1, 3}, {3, 3}, {0, 0}} {
		if _, _, err := TaskSlice(units, bad[0], bad[1]); err == nil {
			t.Errorf("task %d of %d: no error", bad[0], bad[1])
		}
	}
}

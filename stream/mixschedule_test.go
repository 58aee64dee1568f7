package stream

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestApportion(t *testing.T) {
	tests := []struct {
		weights []float64
		window  int
		want    []int
	}{
		{[]float64{0.7, 0.3}, 10, []int{7, 3}},
		{[]float64{7, 3}, 10, []int{7, 3}},
		{[]float64{0.1, 0.2, 0.7}, 10, []int{1, 2, 7}},
		{[]float64{0.1, 0.2, 0.7}, 100, []int{10, 20, 70}},
		{[]float64{1, 1, 1}, 10, []int{4, 3, 3}}, // ties go to the lower index
		{[]float64{1, 1, 1}, 3, []int{1, 1, 1}},
		{[]float64{0.5, 0.5}, 3, []int{2, 1}},
		{[]float64{2, 5}, 3, []int{1, 2}}, // 0.857, 2.143: the largest remainder wins
		{[]float64{0.15, 0.85}, 20, []int{3, 17}},
		{[]float64{1}, 1, []int{1}},
		{[]float64{1e-300, 1e-300}, 2, []int{1, 1}},
		// Exact shares: a sum past float64's range is no obstacle, and a
		// smaller weight never gets the larger quota (FuzzApportion).
		{[]float64{math.MaxFloat64, math.MaxFloat64}, 10, []int{5, 5}},
		{[]float64{0.9999999999999999, 1.5, 1}, 82, []int{23, 35, 24}},
	}
	for _, tt := range tests {
		got, err := apportion(tt.weights, tt.window)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("apportion(%v, %d) = %v, %v; want %v", tt.weights, tt.window, got, err, tt.want)
		}
	}
}

func TestApportionRejects(t *testing.T) {
	tests := []struct {
		name    string
		weights []float64
		window  int
	}{
		{"no sources", nil, 10},
		{"zero window", []float64{1}, 0},
		{"huge window", []float64{1}, MaxMixWindow + 1},
		{"zero weight", []float64{1, 0}, 10},
		{"negative weight", []float64{1, -1}, 10},
		{"NaN weight", []float64{1, math.NaN()}, 10},
		{"infinite weight", []float64{1, math.Inf(1)}, 10},
		{"no room for a source", []float64{0.99, 0.01}, 10},
		{"more sources than window", []float64{1, 1, 1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := apportion(tt.weights, tt.window); !errors.Is(err, ErrInvalid) {
				t.Errorf("apportion(%v, %d) = %v, %v; want ErrInvalid", tt.weights, tt.window, got, err)
			}
		})
	}
}

// TestScheduleWindows checks every window of a schedule: each source
// exactly its quota, orders that vary from window to window, and draws
// that agree with the windows' orders at every position.
func TestScheduleWindows(t *testing.T) {
	s, err := newSchedule([]float64{0.5, 0.3, 0.2}, 10, 99)
	if err != nil {
		t.Fatal(err)
	}
	var all []int
	distinct := map[string]bool{}
	order := make([]int, s.window)
	for k := range int64(50) {
		s.fill(order, k)
		counts := make([]int, 3)
		for _, i := range order {
			counts[i]++
		}
		if !slices.Equal(counts, s.quotas) {
			t.Fatalf("window %d has counts %v, want %v", k, counts, s.quotas)
		}
		distinct[fmt.Sprint(order[:4])] = true
		all = append(all, order...)
	}
	if len(distinct) < 10 {
		t.Errorf("50 windows start in only %d ways", len(distinct))
	}
	running := make([]int64, 3)
	for p := range int64(len(all)) {
		if got := s.draws(p); !slices.Equal(got, running) {
			t.Fatalf("draws(%d) = %v, want %v", p, got, running)
		}
		running[all[p]]++
	}
}

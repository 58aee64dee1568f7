package stream

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestMap(t *testing.T) {
	errOdd := errors.New("odd")
	tests := []struct {
		name    string
		in      []int
		fn      func(int) (string, error)
		want    []string
		wantErr error
	}{
		{"empty", nil, func(v int) (string, error) { return fmt.Sprint(v), nil }, nil, nil},
		{"format", []int{1, 2, 3}, func(v int) (string, error) { return fmt.Sprintf("<%d>", v), nil }, []string{"<1>", "<2>", "<3>"}, nil},
		{"fn error stops", []int{2, 4, 5, 6}, func(v int) (string, error) {
			if v%2 == 1 {
				return "", errOdd
			}
			return fmt.Sprint(v), nil
		}, []string{"2", "4"}, errOdd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := drain(t, Map(FromSlice(tt.in), tt.fn))
			if !errors.Is(err, tt.wantErr) || !slices.Equal(got, tt.want) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestMapStopsCallingFnAfterError(t *testing.T) {
	calls := 0
	_, err := drain(t, Map(FromSlice(rangeInts(10)), func(v int) (int, error) {
		calls++
		if v == 3 {
			return 0, errBoom
		}
		return v, nil
	}))
	if err != errBoom || calls != 4 {
		t.Errorf("err %v after %d calls, want boom after 4", err, calls)
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name        string
		in          []int
		keep        func(int) (bool, error)
		want        []int
		wantDropped []int
		wantErr     error
	}{
		{"evens", rangeInts(7), func(v int) (bool, error) { return v%2 == 0, nil }, []int{0, 2, 4, 6}, []int{1, 3, 5}, nil},
		{"none", rangeInts(3), func(int) (bool, error) { return false, nil }, nil, []int{0, 1, 2}, nil},
		{"keep error", rangeInts(5), func(v int) (bool, error) {
			if v == 2 {
				return false, errBoom
			}
			return true, nil
		}, []int{0, 1}, []int{2}, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dropped []int
			got, err := drain(t, Filter(FromSlice(tt.in), tt.keep, OnDiscard(func(v int) { dropped = append(dropped, v) })))
			if err != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
			if !slices.Equal(dropped, tt.wantDropped) {
				t.Errorf("discarded %v, want %v", dropped, tt.wantDropped)
			}
		})
	}
}

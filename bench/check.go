package main

import (
	"fmt"
	"math"
)

// A check is what a side computed from the values it read. Two sides that
// read the same rows compute the same check (up to the rounding of float
// sums taken in another order), which is how the harness knows that a fast
// side did not skip work.
type check struct {
	Rows      int64   `json:"rows"`
	IDSum     int64   `json:"id_sum,omitempty"`
	TextBytes int64   `json:"text_bytes,omitempty"`
	LabelSum  float64 `json:"label_sum,omitempty"`
	EmbSum    float64 `json:"embedding_sum,omitempty"`
	EmbValues int64   `json:"embedding_values,omitempty"`
	Words     uint64  `json:"words,omitempty"` // a sum of raw 64-bit words (workload 1)
}

// agrees reports how a and b differ, or "" when they agree: integers
// exactly, float sums within the rounding error of summing their values in
// another order.
func (a check) agrees(b check) string {
	switch {
	case a.Rows != b.Rows:
		return fmt.Sprintf("rows %d vs %d", a.Rows, b.Rows)
	case a.IDSum != b.IDSum:
		return fmt.Sprintf("sum(id) %d vs %d", a.IDSum, b.IDSum)
	case a.TextBytes != b.TextBytes:
		return fmt.Sprintf("text bytes %d vs %d", a.TextBytes, b.TextBytes)
	case !closeSums(a.LabelSum, b.LabelSum, a.Rows):
		return fmt.Sprintf("sum(label) %g vs %g", a.LabelSum, b.LabelSum)
	case !closeSums(a.EmbSum, b.EmbSum, max(a.EmbValues, b.EmbValues)):
		return fmt.Sprintf("sum(embedding) %g vs %g", a.EmbSum, b.EmbSum)
	}
	return ""
}

// closeSums reports whether two float64 sums of n float32 values agree
// within what reordering the additions can change.
func closeSums(a, b float64, n int64) bool {
	return math.Abs(a-b) <= 1e-7*float64(n)+1e-9*math.Max(math.Abs(a), math.Abs(b))
}

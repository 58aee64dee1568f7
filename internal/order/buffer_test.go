package order

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// referenceBuffer runs the shuffle buffer the way Hugging Face datasets and
// WebDataset write it, over actual values (here the input positions), with
// the same draws: fill, then for each new input emit a drawn slot and put
// the input in its place, then drain by Fisher–Yates popping.
func referenceBuffer(b *bufferShuffle) []int64 {
	var buf, out []int64
	for x := range b.n {
		if int64(len(buf)) < b.size {
			buf = append(buf, x)
			continue
		}
		j := b.slot(x - b.size)
		out = append(out, buf[j])
		buf[j] = x
	}
	for d := int64(0); len(buf) > 0; d++ {
		last := len(buf) - 1
		i := b.pick(d)
		buf[i], buf[last] = buf[last], buf[i]
		out = append(out, buf[last])
		buf = buf[:last]
	}
	return out
}

func TestBufferMatchesReference(t *testing.T) {
	for _, tt := range []struct{ n, size int64 }{
		{0, 1}, {1, 1}, {5, 1}, {5, 5}, {5, 8}, {40, 3}, {200, 16}, {1000, 37}, {64, 63},
	} {
		b := newBufferShuffle(tt.n, tt.size, 11, 2)
		want := referenceBuffer(&b)
		// Dense walk from the start, and from every start position.
		for _, stride := range []int64{1, tt.size + 1} {
			c := newBufferCursor(&b, stride)
			var got []int64
			for q := range tt.n {
				got = append(got, c.at(q))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("n=%d size=%d stride=%d (-want +got):\n%s", tt.n, tt.size, stride, diff)
			}
		}
		for q := range tt.n {
			if got := newBufferCursor(&b, 1).at(q); got != want[q] {
				t.Fatalf("n=%d size=%d: fresh cursor at %d = %d, want %d", tt.n, tt.size, q, got, want[q])
			}
			if q < b.steady {
				if got := b.lookup(q); got != want[q] {
					t.Fatalf("n=%d size=%d: lookup(%d) = %d, want %d", tt.n, tt.size, q, got, want[q])
				}
			}
		}
		// Strided walks starting anywhere, as ranks make them.
		for stride := int64(1); stride <= 7; stride++ {
			for first := range min(stride, tt.n) {
				c := newBufferCursor(&b, stride)
				for q := first; q < tt.n; q += stride {
					if got := c.at(q); got != want[q] {
						t.Fatalf("n=%d size=%d stride=%d: at(%d) = %d, want %d", tt.n, tt.size, stride, q, got, want[q])
					}
				}
			}
		}
	}
}

// TestBufferBoundedLookahead checks the defining property of a shuffle
// buffer: an output can only be an input that has already arrived, so
// input x is never emitted before position x-size+1.
func TestBufferBoundedLookahead(t *testing.T) {
	b := newBufferShuffle(5000, 100, 3, 0)
	c := newBufferCursor(&b, 1)
	for q := range b.n {
		if x := c.at(q); x > q+b.size-1 {
			t.Fatalf("position %d emits input %d, which arrives later", q, x)
		}
	}
}

func TestBufferCursorJumpsBack(t *testing.T) {
	b := newBufferShuffle(3000, 50, 5, 1)
	want := referenceBuffer(&b)
	c := newBufferCursor(&b, 1)
	for _, q := range []int64{2990, 10, 11, 2999, 0, 1500, 1501, 2960, 2961, 2970} {
		if got := c.at(q); got != want[q] {
			t.Fatalf("at(%d) = %d, want %d", q, got, want[q])
		}
	}
}

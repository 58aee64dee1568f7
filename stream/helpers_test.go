package stream

import (
	"errors"
	"iter"
	"sync/atomic"
	"testing"
)

var errBoom = errors.New("boom")

// counter is a test source over the integers 0, 1, ..., n-1 that records
// how it is used: how many elements it yielded, and whether its deferred
// cleanup ran.
type counter struct {
	n      int
	failAt int // yield errBoom in place of this element; -1 for never
	before func(i int)

	started atomic.Int64
	read    atomic.Int64
	cleaned atomic.Int64
}

func newCounter(n int) *counter { return &counter{n: n, failAt: -1} }

func (c *counter) seq() iter.Seq2[int, error] {
	return func(yield func(int, error) bool) {
		c.started.Add(1)
		defer c.cleaned.Add(1)
		for i := range c.n {
			if c.before != nil {
				c.before(i)
			}
			if i == c.failAt {
				yield(0, errBoom)
				return
			}
			c.read.Add(1)
			if !yield(i, nil) {
				return
			}
		}
	}
}

// drain loops over seq to its end without breaking, checking the sequence
// contract on the way: nothing may follow an error.
func drain[T any](t *testing.T, seq iter.Seq2[T, error]) ([]T, error) {
	t.Helper()
	var out []T
	var first error
	for v, err := range seq {
		if first != nil {
			t.Errorf("element (%v, %v) yielded after error %v", v, err, first)
			continue
		}
		if err != nil {
			first = err
			continue
		}
		out = append(out, v)
	}
	return out, first
}

func rangeInts(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// tag is an element of a test Mix: which source it came from and its
// index in that source's pass.
type tag struct{ src, idx int }

// tagSource is a seekable Mix source of n tags that records the offsets it
// was opened at and how many passes were cleaned up.
type tagSource struct {
	src, n  int
	failAt  int // yield errBoom in place of this index; -1 for never
	opened  []int64
	cleaned int
}

func newTagSource(src, n int) *tagSource { return &tagSource{src: src, n: n, failAt: -1} }

func (s *tagSource) open(offset int64) iter.Seq2[tag, error] {
	s.opened = append(s.opened, offset)
	return func(yield func(tag, error) bool) {
		defer func() { s.cleaned++ }()
		for i := offset; i < int64(s.n); i++ {
			if int(i) == s.failAt {
				yield(tag{}, errBoom)
				return
			}
			if !yield(tag{s.src, int(i)}, nil) {
				return
			}
		}
	}
}

// tagSources returns a source per length, numbered in order, and their
// Source functions.
func tagSources(lengths ...int) ([]*tagSource, []Source[tag]) {
	srcs := make([]*tagSource, len(lengths))
	fns := make([]Source[tag], len(lengths))
	for i, n := range lengths {
		srcs[i] = newTagSource(i, n)
		fns[i] = srcs[i].open
	}
	return srcs, fns
}

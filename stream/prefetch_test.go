package stream

import (
	"context"
	"errors"
	"iter"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestPrefetchKeepsOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	r := rand.New(rand.NewPCG(1, 2))
	delays := make([]time.Duration, 100)
	for i := range delays {
		delays[i] = time.Duration(r.IntN(50)) * time.Microsecond
	}
	for _, n := range []int{1, 3, 64} {
		src := newCounter(100)
		src.before = func(i int) { time.Sleep(delays[i]) }
		got, err := drain(t, Prefetch(context.Background(), src.seq(), n))
		if err != nil || !slices.Equal(got, rangeInts(100)) {
			t.Errorf("n=%d: got %v, %v", n, got, err)
		}
	}
}

// TestPrefetchBoundsReadAhead checks that, behind a consumer that does not
// read, the source is read at most n+1 elements ahead.
func TestPrefetchBoundsReadAhead(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, n := range []int{1, 4} {
		src := newCounter(100)
		consumed := 0
		for _, err := range Prefetch(context.Background(), src.seq(), n) {
			if err != nil {
				t.Fatal(err)
			}
			consumed++
			time.Sleep(2 * time.Millisecond) // let the goroutine run ahead
			if ahead := src.read.Load() - int64(consumed); ahead > int64(n)+1 {
				t.Fatalf("n=%d: %d elements read ahead", n, ahead)
			}
			if consumed == 5 {
				break
			}
		}
	}
}

func TestPrefetchDiscardsReadAheadOnBreak(t *testing.T) {
	defer goleak.VerifyNone(t)
	src := newCounter(100)
	var got, dropped []int
	for v, err := range Prefetch(context.Background(), src.seq(), 8, OnDiscard(func(v int) { dropped = append(dropped, v) })) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		if len(got) == 3 {
			time.Sleep(5 * time.Millisecond) // let the buffer fill
			break
		}
	}
	all := append(slices.Clone(got), dropped...)
	slices.Sort(all)
	if !slices.Equal(got, []int{0, 1, 2}) || !slices.Equal(all, rangeInts(int(src.read.Load()))) || len(dropped) == 0 {
		t.Errorf("delivered %v, discarded %v, read %d", got, dropped, src.read.Load())
	}
	if src.cleaned.Load() != 1 {
		t.Error("source cleanup had not run when the loop returned")
	}
}

func TestPrefetchCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := newCounter(1 << 30)
	n := 0
	var last error
	for _, err := range Prefetch(ctx, src.seq(), 4) {
		if err != nil {
			last = err
			break
		}
		n++
		if n == 10 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("ended with %v after %d elements, want context.Canceled", last, n)
	}
	if _, err := drain(t, Prefetch(ctx, src.seq(), 4)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled before the start: %v", err)
	}
}

func TestPrefetchRecoversSourcePanic(t *testing.T) {
	defer goleak.VerifyNone(t)
	var src iter.Seq2[int, error] = func(yield func(int, error) bool) {
		yield(1, nil)
		panic("source broke")
	}
	got, err := drain(t, Prefetch(context.Background(), src, 2))
	var pe *PanicError
	if !errors.Is(err, ErrPanic) || !errors.As(err, &pe) || pe.Value != "source broke" || len(pe.Stack) == 0 {
		t.Fatalf("error %v, want a PanicError for the source's panic", err)
	}
	if !slices.Equal(got, []int{1}) {
		t.Errorf("got %v before the panic, want [1]", got)
	}
}

// TestPrefetchOverlaps checks that the source runs while the consumer is
// busy: inside the loop body for the first element, the source goes on to
// produce the next ones.
func TestPrefetchOverlaps(t *testing.T) {
	defer goleak.VerifyNone(t)
	var produced atomic.Int64
	src := newCounter(10)
	src.before = func(int) { produced.Add(1) }
	for _, err := range Prefetch(context.Background(), src.seq(), 4) {
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for produced.Load() < 4 {
			if time.Now().After(deadline) {
				t.Fatalf("source produced %d elements while the consumer held the first", produced.Load())
			}
			time.Sleep(time.Millisecond)
		}
		break
	}
}

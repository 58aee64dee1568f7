package stream

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestParallelMapEqualsMap is the ordering property: whatever the number of
// workers and however long each element takes, ParallelMap yields exactly
// what Map yields, errors included.
func TestParallelMapEqualsMap(t *testing.T) {
	defer goleak.VerifyNone(t)
	const n = 60
	for workers := 1; workers <= 8; workers++ {
		for trial := range 4 {
			t.Run(fmt.Sprintf("workers=%d/trial=%d", workers, trial), func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(workers), uint64(trial)))
				delays := make([]time.Duration, n)
				for i := range delays {
					delays[i] = time.Duration(r.IntN(300)) * time.Microsecond
				}
				// Trials 2 and 3 fail at two elements, the later one
				// failing fast, so that it finishes first.
				failing := map[int]error{}
				if trial >= 2 {
					first := r.IntN(n / 2)
					failing[first] = fmt.Errorf("element %d: %w", first, errBoom)
					failing[first+5] = errors.New("later failure")
					delays[first] = time.Millisecond
					delays[first+5] = 0
				}
				fn := func(v int) (string, error) {
					if err := failing[v]; err != nil {
						return "", err
					}
					return fmt.Sprintf("<%d>", v*v), nil
				}
				want, wantErr := drain(t, Map(FromSlice(rangeInts(n)), fn))
				got, err := drain(t, ParallelMap(context.Background(), FromSlice(rangeInts(n)), workers,
					func(_ context.Context, v int) (string, error) {
						time.Sleep(delays[v])
						return fn(v)
					}))
				if err != wantErr || !slices.Equal(got, want) {
					t.Errorf("got %v, %v\nwant %v, %v", got, err, want, wantErr)
				}
			})
		}
	}
}

// TestParallelMapRunsWorkersConcurrently checks that workers calls of fn
// are in flight at once: each call waits until all of them have started.
func TestParallelMapRunsWorkersConcurrently(t *testing.T) {
	defer goleak.VerifyNone(t)
	const workers = 4
	var mu sync.Mutex
	started := 0
	all := make(chan struct{})
	got, err := drain(t, ParallelMap(context.Background(), FromSlice(rangeInts(workers)), workers,
		func(_ context.Context, v int) (int, error) {
			mu.Lock()
			if started++; started == workers {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
				return v, nil
			case <-time.After(5 * time.Second):
				return 0, errors.New("workers did not run concurrently")
			}
		}))
	if err != nil || !slices.Equal(got, rangeInts(workers)) {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestParallelMapRecoversPanic(t *testing.T) {
	defer goleak.VerifyNone(t)
	got, err := drain(t, ParallelMap(context.Background(), FromSlice(rangeInts(20)), 3,
		func(_ context.Context, v int) (int, error) {
			if v == 7 {
				panic(errBoom)
			}
			return v, nil
		}))
	var pe *PanicError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPanic) || !errors.Is(err, errBoom) || len(pe.Stack) == 0 {
		t.Fatalf("error %v, want a PanicError wrapping boom", err)
	}
	if want := "stream: panic in parallel map function on element 7: boom"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if !slices.Equal(got, rangeInts(7)) {
		t.Errorf("got %v before the panic, want 0..6", got)
	}
}

func TestParallelMapRecoversSourcePanic(t *testing.T) {
	defer goleak.VerifyNone(t)
	var src iter.Seq2[int, error] = func(yield func(int, error) bool) {
		for i := range 3 {
			if !yield(i, nil) {
				return
			}
		}
		panic("source broke")
	}
	got, err := drain(t, ParallelMap(context.Background(), src, 2, func(_ context.Context, v int) (int, error) { return v, nil }))
	if !errors.Is(err, ErrPanic) || !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("got %v, %v; want 0..2 then a panic error", got, err)
	}
}

// TestParallelMapBoundsReadAhead checks that behind a consumer that does
// not read, at most 2*workers elements are read and not yet consumed,
// counting the one in the loop body.
func TestParallelMapBoundsReadAhead(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, workers := range []int{1, 3} {
		src := newCounter(1000)
		consumed := 0
		for _, err := range ParallelMap(context.Background(), src.seq(), workers, func(_ context.Context, v int) (int, error) { return v, nil }) {
			if err != nil {
				t.Fatal(err)
			}
			consumed++
			time.Sleep(2 * time.Millisecond)
			if ahead := src.read.Load() - int64(consumed); ahead > int64(2*workers-1) {
				t.Fatalf("workers=%d: %d elements read ahead", workers, ahead)
			}
			if consumed == 5 {
				break
			}
		}
	}
}

// TestParallelMapAccountsForEveryElement checks the ownership promise on
// early stops: fn sees every element read exactly once, and each result is
// either yielded or discarded.
func TestParallelMapAccountsForEveryElement(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, stopAfter := range []int{1, 4, 17} {
		src := newCounter(1000)
		var mu sync.Mutex
		seen := map[int]int{}
		var got, dropped []int
		fn := func(_ context.Context, v int) (int, error) {
			mu.Lock()
			seen[v]++
			mu.Unlock()
			time.Sleep(time.Duration(v%3) * 100 * time.Microsecond)
			return v, nil
		}
		for v, err := range ParallelMap(context.Background(), src.seq(), 4, fn, OnDiscard(func(v int) { dropped = append(dropped, v) })) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
			if len(got) == stopAfter {
				break
			}
		}
		read := int(src.read.Load())
		for v := range read {
			if seen[v] != 1 {
				t.Errorf("stop after %d: fn saw element %d %d times", stopAfter, v, seen[v])
			}
		}
		all := append(slices.Clone(got), dropped...)
		slices.Sort(all)
		if !slices.Equal(got, rangeInts(stopAfter)) || !slices.Equal(all, rangeInts(read)) {
			t.Errorf("stop after %d: delivered %v, discarded %v, read %d", stopAfter, got, dropped, read)
		}
	}
}

// TestParallelMapCancel checks that canceling the context ends the sequence
// with the context's error and that fn sees its context canceled.
func TestParallelMapCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sawCancel atomic.Bool
	blocked := make(chan struct{})
	fn := func(ctx context.Context, v int) (int, error) {
		if v >= 10 {
			if v == 10 {
				close(blocked)
			}
			// Block until canceled, as a well-behaved slow fn would.
			<-ctx.Done()
			sawCancel.Store(true)
			return 0, ctx.Err()
		}
		return v, nil
	}
	var got []int
	var last error
	for v, err := range ParallelMap(ctx, newCounter(1<<30).seq(), 2, fn) {
		if err != nil {
			last = err
			break
		}
		got = append(got, v)
		if v == 9 {
			<-blocked
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || !slices.Equal(got, rangeInts(10)) {
		t.Errorf("got %v then %v, want 0..9 then context.Canceled", got, last)
	}
	if !sawCancel.Load() {
		t.Error("fn never saw its context canceled")
	}
	if _, err := drain(t, ParallelMap(ctx, FromSlice([]int{1}), 2, fn)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled before the start: %v", err)
	}
}

func TestParallelMapDefaultWorkers(t *testing.T) {
	defer goleak.VerifyNone(t)
	got, err := drain(t, ParallelMap(context.Background(), FromSlice(rangeInts(50)), 0, func(_ context.Context, v int) (int, error) { return v + 1, nil }))
	if err != nil || len(got) != 50 || got[49] != 50 {
		t.Errorf("got %v, %v", got, err)
	}
}

package shard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingLoader serves data and records the ranges asked for.
type countingLoader struct {
	data  []byte
	mu    sync.Mutex
	calls []string
	gate  chan struct{} // when set, each load waits for it
	fail  error
}

func (l *countingLoader) load(ctx context.Context, p []byte, off int64) error {
	l.mu.Lock()
	l.calls = append(l.calls, fmt.Sprintf("%d+%d", off, len(p)))
	gate, fail := l.gate, l.fail
	l.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fail != nil {
		return fail
	}
	copy(p, l.data[off:])
	return nil
}

func (l *countingLoader) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

func readBlocks(t *testing.T, c *blockCache, l *countingLoader, off int64, n int) {
	t.Helper()
	p := make([]byte, n)
	if err := c.read(context.Background(), p, off, l.load); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p, l.data[off:off+int64(n)]) {
		t.Fatalf("wrong bytes at %d+%d", off, n)
	}
}

func TestBlockCache(t *testing.T) {
	const size = 1000
	l := &countingLoader{data: randomBytes(size, 1)}
	c := newBlockCache(size, 100, 400)

	readBlocks(t, c, l, 150, 10) // block 1
	readBlocks(t, c, l, 120, 70) // block 1 again
	readBlocks(t, c, l, 190, 30) // blocks 1 (cached) and 2
	readBlocks(t, c, l, 950, 50) // the last block, short
	want := []string{"100+100", "200+100", "900+100"}
	if fmt.Sprint(l.calls) != fmt.Sprint(want) {
		t.Fatalf("loads %v, want %v", l.calls, want)
	}

	// Blocks 0 and 3..5 are missing, 1 and 2 cached: two runs.
	l.calls = nil
	readBlocks(t, c, l, 50, 500)
	want = []string{"0+100", "300+300"}
	if fmt.Sprint(l.calls) != fmt.Sprint(want) {
		t.Fatalf("loads %v, want %v", l.calls, want)
	}
	if c.used > c.budget {
		t.Fatalf("cache holds %d bytes over its budget of %d", c.used, c.budget)
	}
	// The budget kept the four most recent blocks: 5, 4, 3 and 0.
	l.calls = nil
	readBlocks(t, c, l, 300, 300)
	readBlocks(t, c, l, 0, 100)
	if len(l.calls) != 0 {
		t.Fatalf("recent blocks were evicted: loads %v", l.calls)
	}
	readBlocks(t, c, l, 100, 10)
	if len(l.calls) != 1 {
		t.Fatalf("least recent block still cached: loads %v", l.calls)
	}
}

func TestBlockCacheTail(t *testing.T) {
	const size = 1000
	l := &countingLoader{data: randomBytes(size, 2)}
	c := newBlockCache(size, 100, 1000)
	c.insert(750, l.data[750:]) // the open's tail: half of block 7, then 8 and 9

	readBlocks(t, c, l, 760, 240)
	readBlocks(t, c, l, 990, 10)
	if l.count() != 0 {
		t.Fatalf("tail reads went to the loader: %v", l.calls)
	}
	readBlocks(t, c, l, 740, 20) // needs the start of block 7
	if fmt.Sprint(l.calls) != "[700+100]" {
		t.Fatalf("loads %v, want the whole of block 7", l.calls)
	}
	readBlocks(t, c, l, 700, 60)
	if l.count() != 1 {
		t.Fatalf("block 7 not cached whole after its fetch: %v", l.calls)
	}
}

// TestBlockCacheSharesFlights: readers of a block being fetched wait for
// that fetch.
func TestBlockCacheSharesFlights(t *testing.T) {
	const size = 1000
	l := &countingLoader{data: randomBytes(size, 3), gate: make(chan struct{})}
	c := newBlockCache(size, 100, 1000)
	var wg sync.WaitGroup
	var started atomic.Int32
	for i := range 10 {
		wg.Go(func() {
			started.Add(1)
			readBlocks(t, c, l, 200+int64(i)*5, 50)
		})
	}
	for started.Load() < 10 || l.count() < 1 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others find the flight
	close(l.gate)
	wg.Wait()
	if l.count() != 1 {
		t.Fatalf("%d loads for one block: %v", l.count(), l.calls)
	}
}

// TestBlockCacheAbandonedFlight: a reader whose context ends does not fail
// the readers waiting on its fetch; they fetch for themselves.
func TestBlockCacheAbandonedFlight(t *testing.T) {
	const size = 1000
	l := &countingLoader{data: randomBytes(size, 4), gate: make(chan struct{})}
	c := newBlockCache(size, 100, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	owner := make(chan error, 1)
	go func() { owner <- c.read(ctx, make([]byte, 10), 100, l.load) }()
	for l.count() < 1 {
		time.Sleep(time.Millisecond)
	}
	waiter := make(chan error, 1)
	p := make([]byte, 10)
	go func() { waiter <- c.read(context.Background(), p, 105, l.load) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-owner; !errors.Is(err, context.Canceled) {
		t.Fatalf("owner: %v", err)
	}
	close(l.gate)
	if err := <-waiter; err != nil {
		t.Fatalf("waiter failed with the owner's cancellation: %v", err)
	}
	if !bytes.Equal(p, l.data[105:115]) {
		t.Fatal("waiter read wrong bytes")
	}
}

func TestBlockCacheLoadError(t *testing.T) {
	boom := errors.New("boom")
	l := &countingLoader{data: randomBytes(1000, 5), fail: boom}
	c := newBlockCache(1000, 100, 1000)
	if err := c.read(context.Background(), make([]byte, 10), 100, l.load); !errors.Is(err, boom) {
		t.Fatalf("err %v, want the loader's", err)
	}
	l.fail = nil
	readBlocks(t, c, l, 100, 10) // a failed fetch leaves nothing behind
	if len(c.flights) != 0 {
		t.Fatalf("%d flights left", len(c.flights))
	}
}

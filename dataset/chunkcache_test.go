package dataset

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fakeChunks loads chunks of one int64 column (the chunk number, rows
// of them) from a checked allocator and counts the loads.
type fakeChunks struct {
	mem   *memory.CheckedAllocator
	loads atomic.Int64
	fail  atomic.Bool
	block chan struct{} // when set, loads wait on it
}

func (f *fakeChunks) load(ctx context.Context, k chunkKey) (*chunk, error) {
	f.loads.Add(1)
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.fail.Load() {
		return nil, errors.New("load failed")
	}
	b := array.NewInt64Builder(f.mem)
	defer b.Release()
	for range k.chunk + 1 {
		b.Append(int64(k.chunk))
	}
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "c", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
	return newChunk([]arrow.RecordBatch{rec}, int64(100*(k.chunk+1))), nil
}

func TestChunkCacheLRU(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := &fakeChunks{mem: mem}
	cc := newChunkCache(3, 1<<20, f.load)
	ctx := context.Background()
	get := func(c int) {
		t.Helper()
		ch, err := cc.get(ctx, chunkKey{chunk: c})
		if err != nil {
			t.Fatal(err)
		}
		if ch.rows() != int64(c+1) {
			t.Fatalf("chunk %d has %d rows", c, ch.rows())
		}
		ch.release()
	}
	for _, c := range []int{0, 1, 2, 0, 3} { // 3 evicts 1, the least recently used
		get(c)
	}
	if f.loads.Load() != 4 {
		t.Fatalf("%d loads, want 4", f.loads.Load())
	}
	get(0)
	get(2)
	if f.loads.Load() != 4 {
		t.Fatalf("cached chunks reloaded: %d loads", f.loads.Load())
	}
	get(1)
	if f.loads.Load() != 5 {
		t.Fatalf("evicted chunk not reloaded: %d loads", f.loads.Load())
	}
	if n, bytes := cc.stats(); n != 3 || bytes != 100+200+300 {
		// 0, 2 and 1 remain: 3 was least recently used.
		t.Fatalf("stats %d chunks %d bytes", n, bytes)
	}
	cc.close()
	if _, err := cc.get(ctx, chunkKey{chunk: 0}); !errors.Is(err, errCacheClosed) {
		t.Fatalf("get after close: %v", err)
	}
}

func TestChunkCacheByteBudget(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := &fakeChunks{mem: mem}
	cc := newChunkCache(100, 650, f.load) // chunk c costs 100*(c+1) bytes
	defer cc.close()
	ctx := context.Background()
	for c := range 6 {
		ch, err := cc.get(ctx, chunkKey{chunk: c})
		if err != nil {
			t.Fatal(err)
		}
		ch.release()
		if n, bytes := cc.stats(); bytes > 650 && n > 1 {
			t.Fatalf("after chunk %d: %d bytes in %d chunks, budget 650", c, bytes, n)
		}
	}
	// Chunk 5 alone (600 bytes) fits; with chunk 6 (700) over budget, the
	// newest stays so a big chunk is still cached once.
	ch, err := cc.get(ctx, chunkKey{chunk: 6})
	if err != nil {
		t.Fatal(err)
	}
	ch.release()
	if n, bytes := cc.stats(); n != 1 || bytes != 700 {
		t.Fatalf("stats %d chunks %d bytes, want the one oversized chunk", n, bytes)
	}
}

// Chunks handed out stay valid after eviction and after close.
func TestChunkCacheOwnership(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := &fakeChunks{mem: mem}
	cc := newChunkCache(1, 1<<20, f.load)
	ctx := context.Background()
	held, err := cc.get(ctx, chunkKey{chunk: 4})
	if err != nil {
		t.Fatal(err)
	}
	other, err := cc.get(ctx, chunkKey{chunk: 5}) // evicts 4
	if err != nil {
		t.Fatal(err)
	}
	other.release()
	cc.close()
	if got := held.batches[0].Column(0).(*array.Int64).Value(4); got != 4 {
		t.Fatalf("held chunk reads %d", got)
	}
	held.release()
}

func TestChunkCacheConcurrentLoadsOnce(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := &fakeChunks{mem: mem, block: make(chan struct{})}
	cc := newChunkCache(8, 1<<20, f.load)
	defer cc.close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			ch, err := cc.get(context.Background(), chunkKey{chunk: 2})
			if err != nil {
				errs <- err
				return
			}
			ch.release()
		})
	}
	time.Sleep(20 * time.Millisecond) // let them all wait on the one load
	close(f.block)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if f.loads.Load() != 1 {
		t.Fatalf("%d loads of one chunk, want 1", f.loads.Load())
	}
}

func TestChunkCacheErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := &fakeChunks{mem: mem}
	cc := newChunkCache(8, 1<<20, f.load)
	defer cc.close()
	f.fail.Store(true)
	if _, err := cc.get(context.Background(), chunkKey{chunk: 1}); err == nil {
		t.Fatal("no error")
	}
	f.fail.Store(false)
	ch, err := cc.get(context.Background(), chunkKey{chunk: 1})
	if err != nil {
		t.Fatalf("a failed load was cached: %v", err)
	}
	ch.release()

	// A waiter whose own context ends gives up; the load goes on for others.
	f.block = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		ch, err := cc.get(context.Background(), chunkKey{chunk: 3})
		if err == nil {
			ch.release()
		}
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if _, err := cc.get(ctx, chunkKey{chunk: 3}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled waiter: %v", err)
	}
	close(f.block)
	if err := <-done; err != nil {
		t.Fatalf("loader: %v", err)
	}
}

func TestChunkFind(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var batches []arrow.RecordBatch
	for _, n := range []int{3, 1, 4} {
		batches = append(batches, accessBatch(mem, 0, n))
	}
	ch := newChunk(batches, 0)
	defer ch.release()
	want := []string{"0/0", "0/1", "0/2", "1/0", "2/0", "2/1", "2/2", "2/3"}
	for row, w := range want {
		b, r := ch.find(int64(row))
		if got := fmt.Sprintf("%d/%d", b, r); got != w {
			t.Errorf("find(%d) = %s, want %s", row, got, w)
		}
	}
}

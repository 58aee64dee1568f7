package stream

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
)

// ParallelMap yields fn(ctx, v) for every element v of seq, like Map, but
// runs fn on up to workers goroutines at once (GOMAXPROCS when workers is
// zero or negative). The output is in input order whatever the timing: it
// is exactly what Map would yield, errors included — the first failing
// element in input order ends the sequence with its error, after every
// element before it.
//
// ParallelMap reads ahead of the consumer: at most 2*workers+2 elements
// have been read from seq and not yet yielded. A panic in fn or in seq
// becomes a *PanicError in the failing element's place.
//
// fn is called exactly once for every element read from seq, even when
// the loop stops early, so fn may take ownership of its input; it receives
// a context that is canceled when the loop ends or ctx is canceled, and
// should then return promptly. Results computed but never yielded go to the
// OnDiscard function, if one is given. A canceled ctx ends the sequence
// with ctx.Err(). Every goroutine has exited before the loop returns.
func ParallelMap[T, U any](ctx context.Context, seq iter.Seq2[T, error], workers int, fn func(context.Context, T) (U, error), opts ...Option[U]) iter.Seq2[U, error] {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o := collectOptions(opts)
	return func(yield func(U, error) bool) {
		var zero U
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		p := &parallel[T, U]{
			fn:      fn,
			jobs:    make(chan job[T, U], workers),
			pending: make(chan chan item[U], 2*workers),
			discard: &o,
		}
		p.ctx, p.cancel = context.WithCancel(ctx)
		p.wg.Add(1 + workers)
		go p.feed(seq)
		for range workers {
			go p.work()
		}
		p.deliver(yield)
	}
}

// parallel is one run of ParallelMap. Order is kept by a queue of result
// channels, one per element, in input order (restic's ordered-prefetch
// pattern): the feeder enqueues an element's channel before handing the
// element to a worker, and the consumer waits on the channels in queue
// order. The queue's capacity bounds the read-ahead; the jobs channel is
// buffered too, so that a worker finishing an element finds the next one
// without waiting for the feeder to be scheduled.
type parallel[T, U any] struct {
	ctx     context.Context
	cancel  context.CancelFunc
	fn      func(context.Context, T) (U, error)
	jobs    chan job[T, U]
	pending chan chan item[U]
	discard *options[U]
	wg      sync.WaitGroup
}

// job is one element on its way to a worker, with the channel (capacity
// one, so sending never blocks) that receives its result.
type job[T, U any] struct {
	v     T
	index int64
	out   chan item[U]
}

// feed reads seq, enqueues a result channel per element and hands the
// element to a worker. On cancellation, the element in hand is mapped on
// this goroutine, so that fn still sees every element read.
func (p *parallel[T, U]) feed(seq iter.Seq2[T, error]) {
	defer p.wg.Done()
	defer close(p.jobs)
	defer close(p.pending)
	defer func() {
		if v := recover(); v != nil {
			p.enqueue(done(item[U]{err: newPanicError("parallel map source", v)}))
		}
	}()
	var index int64
	for v, err := range seq {
		if err != nil {
			p.enqueue(done(item[U]{err: err}))
			return
		}
		j := job[T, U]{v: v, index: index, out: make(chan item[U], 1)}
		index++
		if !p.enqueue(j.out) {
			if r := p.call(j); r.err == nil {
				p.discard.drop(r.v)
			}
			return
		}
		select {
		case p.jobs <- j:
		case <-p.ctx.Done():
			// j.out is queued; the consumer's drain discards the result.
			j.out <- p.call(j)
			return
		}
	}
}

// enqueue appends a result channel to the queue, or reports false when the
// run is canceled first.
func (p *parallel[T, U]) enqueue(out chan item[U]) bool {
	select {
	case p.pending <- out:
		return true
	case <-p.ctx.Done():
		return false
	}
}

func (p *parallel[T, U]) work() {
	defer p.wg.Done()
	for j := range p.jobs {
		j.out <- p.call(j)
	}
}

// call runs fn on one element, turning a panic into an error: it runs on a
// goroutine whose panic nothing else could recover.
func (p *parallel[T, U]) call(j job[T, U]) (r item[U]) {
	defer func() {
		if v := recover(); v != nil {
			r = item[U]{err: newPanicError(fmt.Sprintf("parallel map function on element %d", j.index), v)}
		}
	}()
	u, err := p.fn(p.ctx, j.v)
	return item[U]{v: u, err: err}
}

// deliver yields the results in queue order on the consumer's goroutine,
// then stops every goroutine and discards what was computed but not
// yielded.
func (p *parallel[T, U]) deliver(yield func(U, error) bool) {
	var zero U
	var cur chan item[U] // dequeued, result not yet received
	defer func() {
		p.cancel()
		p.wg.Wait()
		if cur != nil {
			p.drop(<-cur)
		}
		for out := range p.pending {
			p.drop(<-out)
		}
	}()
	for {
		// p.ctx is canceled only by the deferred cancel above, so an
		// error here is the caller's cancellation.
		if err := p.ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		if cur == nil {
			select {
			case out, ok := <-p.pending:
				if !ok {
					return
				}
				cur = out
			case <-p.ctx.Done():
			}
			continue
		}
		select {
		case r := <-cur:
			cur = nil
			if !yield(r.v, r.err) || r.err != nil {
				return
			}
		case <-p.ctx.Done():
		}
	}
}

func (p *parallel[T, U]) drop(r item[U]) {
	if r.err == nil {
		p.discard.drop(r.v)
	}
}

// done returns a result channel that already holds r.
func done[U any](r item[U]) chan item[U] {
	out := make(chan item[U], 1)
	out <- r
	return out
}

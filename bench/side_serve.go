package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Workload 8: tome serve to a client on loopback. Each side starts the
// tome binary (`tome serve d=FILE` on ephemeral loopback ports) as its own
// subprocess, waits until it listens, and then, on the clock, reads the
// whole dataset once and touches every value: tome's side as an Arrow IPC
// stream over HTTP (GET /v1/datasets/d/stream, read with arrow-go's
// ipc.Reader), the anchor through Arrow Flight DoGet on the same server's
// Flight endpoint (arrow-go's Flight client, default gRPC options). Both
// read the same rows in the same order, so their checks agree.
func init() {
	register("tome-serve", func(ctx context.Context, e *env) (run, error) {
		return withServe(ctx, e, readHTTPStream)
	})
	register("flight-doget", func(ctx context.Context, e *env) (run, error) {
		return withServe(ctx, e, readFlight)
	})
}

// serveAddrs matches the line tome serve prints once it listens.
var serveAddrs = regexp.MustCompile(`on http://(\S+) and grpc://(\S+)`)

// withServe runs tome serve over the comparison's file and times read
// against it.
func withServe(ctx context.Context, e *env, read func(ctx context.Context, httpAddr, flightAddr string, c *check) error) (run, error) {
	if e.tomeBin == "" {
		return run{}, errors.New("no tome binary")
	}
	path, err := e.set.Path(ctx, e.file)
	if err != nil {
		return run{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.tomeBin, "serve", "--addr", "127.0.0.1:0", "--flight-addr", "127.0.0.1:0", "d="+path)
	cmd.Env = append(cmd.Environ(), fmt.Sprintf("GOMAXPROCS=%d", e.threads))
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) } // tome serve drains on SIGTERM
	cmd.WaitDelay = 5 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return run{}, err
	}
	if err := cmd.Start(); err != nil {
		return run{}, err
	}
	sampler.track(cmd.Process.Pid)
	stop := func() time.Duration {
		cancel()
		cmd.Wait()
		sampler.untrack(cmd.Process.Pid)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		return 0
	}
	httpAddr, flightAddr, err := awaitServe(stderr)
	if err != nil {
		stop()
		return run{}, err
	}
	go io.Copy(io.Discard, stderr) // keep the server's log from blocking it
	r, err := timed(func(c *check) (string, error) {
		return "", read(ctx, httpAddr, flightAddr, c)
	})
	// The server's CPU time counts too (all of it, from its start: it is
	// a subprocess, whose rusage is known only once it has exited).
	r.CPUSeconds += stop().Seconds()
	if st, serr := os.Stat(path); err == nil && serr == nil && r.Seconds > 0 {
		r.Note = fmt.Sprintf("%.0f MB/s of the %.0f MB file", float64(st.Size())/1e6/r.Seconds, float64(st.Size())/1e6)
	}
	return r, err
}

// awaitServe reads tome serve's log until it names its addresses.
func awaitServe(stderr io.Reader) (httpAddr, flightAddr string, err error) {
	sc := bufio.NewScanner(stderr)
	var log []string
	for sc.Scan() {
		if m := serveAddrs.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], m[2], nil
		}
		log = append(log, sc.Text())
	}
	return "", "", fmt.Errorf("tome serve exited before listening: %q", log)
}

func readHTTPStream(ctx context.Context, httpAddr, _ string, c *check) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+"/v1/datasets/d/stream", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("tome serve: %s: %s", resp.Status, b)
	}
	r, err := ipc.NewReader(resp.Body)
	if err != nil {
		return err
	}
	defer r.Release()
	return touchAll(r, c)
}

func readFlight(ctx context.Context, _, flightAddr string, c *check) error {
	client, err := flight.NewClientWithMiddleware(flightAddr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer client.Close()
	stream, err := client.DoGet(ctx, &flight.Ticket{Ticket: []byte(`{"dataset":"d"}`)})
	if err != nil {
		return err
	}
	r, err := flight.NewRecordReader(stream)
	if err != nil {
		return err
	}
	defer r.Release()
	return touchAll(r, c)
}

// touchAll touches every batch a record reader yields.
func touchAll(r array.RecordReader, c *check) error {
	for r.Next() {
		if err := touchBatch(r.RecordBatch(), c); err != nil {
			return err
		}
	}
	return r.Err()
}

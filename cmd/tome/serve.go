package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/serve"
)

type serveOptions struct {
	config        string
	remote        dataset.RemoteOptions
	addr          string
	flightAddr    string
	token         string
	publicMetrics bool
	maxStreams    int
	grace         time.Duration
	stallTimeout  time.Duration
}

func newServeCommand(e *env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve NAME=PATH...",
		Short: "stream datasets to training jobs over HTTP and Arrow Flight",
		Long: "serve streams the named datasets (any PATH that tome reads, local or remote) as Arrow IPC: " +
			"GET /v1/datasets/NAME/stream?shuffle=&seed=&epoch=&world=&rank=&start=... gives exactly the rows " +
			"`tome cat` prints with the same flags, and Arrow Flight serves the same streams. Also " +
			"GET /v1/datasets, GET /v1/datasets/NAME (the info --json object), GET /v1/datasets/NAME/state " +
			"(the resume state after consumed=N samples, for resume=), GET /metrics (Prometheus) " +
			"and a dataset viewer at /.\n\n" +
			"Only the registered names are served; it listens on loopback unless told otherwise. With --token " +
			"(or TOME_TOKEN) every request needs \"Authorization: Bearer TOKEN\", /metrics too unless " +
			"--public-metrics. SIGTERM or Ctrl-C stops accepting, lets running streams finish for --grace, and exits 0.",
		Example: "  tome serve --token \"$SECRET\" train=data/train/ wiki=hf://datasets/org/wiki\n" +
			"  curl -H \"Authorization: Bearer $SECRET\" 'http://127.0.0.1:8080/v1/datasets/train/stream?shuffle=block&seed=7&world=8&rank=3' > rank3.arrows",
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("token") {
				o.token = os.Getenv("TOME_TOKEN")
			}
			return runServe(cmd.Context(), e, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", serve.DefaultAddr, "HTTP listen address")
	f.StringVar(&o.flightAddr, "flight-addr", serve.DefaultFlightAddr, "Arrow Flight (gRPC) listen address; empty for none")
	f.StringVar(&o.token, "token", "", "require this bearer token on every request (default $TOME_TOKEN)")
	f.BoolVar(&o.publicMetrics, "public-metrics", false, "serve /metrics without the token")
	f.IntVar(&o.maxStreams, "max-streams", serve.DefaultMaxStreams, "most streams at once (HTTP and Flight); more get 429")
	f.DurationVar(&o.grace, "grace", serve.DefaultGrace, "on SIGTERM, how long running streams may finish")
	f.DurationVar(&o.stallTimeout, "stall-timeout", 0, "cut an HTTP stream whose client reads nothing for this long (0: never)")
	f.StringVar(&o.config, "config", "", "Hub config declared in the dataset cards")
	f.StringVar(&o.remote.CacheDir, "cache-dir", "", "keep bytes read from http(s):// and hf:// on disk here, for later runs")
	f.Int64Var(&o.remote.CacheBytes, "cache-max-bytes", 0, "budget of --cache-dir in bytes (default 4 GiB)")
	f.IntVar(&o.remote.MaxPerHost, "max-per-host", 0, "most requests in flight to one host (default 8)")
	return cmd
}

func runServe(ctx context.Context, e *env, o serveOptions, args []string) error {
	var specs []serve.Spec
	for _, a := range args {
		s, err := serve.ParseSpec(a)
		if err != nil {
			return usageError{err}
		}
		specs = append(specs, s)
	}
	if o.maxStreams < 1 {
		return usageError{fmt.Errorf("--max-streams %d: want at least 1", o.maxStreams)}
	}
	open := func(ctx context.Context, path, split string) (*dataset.Dataset, error) {
		f := sourceFlags{split: split, config: o.config, remote: o.remote}
		return f.open(ctx, []string{path})
	}
	reg, err := serve.NewRegistry(ctx, specs, open)
	if err != nil {
		return err
	}
	defer reg.Close()
	srv := serve.New(reg, serve.Config{
		Addr: o.addr, FlightAddr: o.flightAddr, Token: o.token, PublicMetrics: o.publicMetrics,
		MaxStreams: o.maxStreams, Grace: o.grace, StallTimeout: o.stallTimeout, Log: log.New(e.stderr, "tome serve: ", log.LstdFlags),
	})
	if err := srv.Listen(); err != nil {
		return err
	}
	noun := "datasets"
	if len(specs) == 1 {
		noun = "dataset"
	}
	fmt.Fprintf(e.stderr, "tome serve: %d %s on http://%s", len(specs), noun, srv.Addr())
	if fa := srv.FlightAddr(); fa != "" {
		fmt.Fprintf(e.stderr, " and grpc://%s (Arrow Flight)", fa)
	}
	fmt.Fprintln(e.stderr)
	if o.token == "" && (!isLoopback(srv.Addr()) || !isLoopback(srv.FlightAddr())) {
		fmt.Fprintln(e.stderr, "tome serve: warning: listening beyond loopback without --token: anyone who can connect can read the data")
	}
	if err := srv.Serve(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "tome serve: stopped")
	return nil
}

// isLoopback reports whether addr ("" counts) listens on loopback only.
func isLoopback(addr string) bool {
	if addr == "" {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
